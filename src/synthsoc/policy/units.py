"""From a synthsoc population to the OpenFisca entities: households (세대) and benefit units.

Read only through the population's public schema (``synth/schema.py``). Rules of the mapping,
each an approximation stated here and in docs/policy.md:

* a general or foreign household is one resident-registration household (세대); a resident of an
  institution or a non-kin group household is a 세대 of their own;
* the head's benefit unit holds the head, the spouse, and the household's children and
  grandchildren under 18 and the head's parents aged 70 and over; every other member aged 18 or
  over is the applicant of a unit of their own; other members under 18 are dependants in the
  head's unit;
* a household's assets belong to the head's unit (other units hold none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from synthsoc.synth import Population

METROPOLITAN_SIDO: frozenset[str] = frozenset({"11", "21", "22", "23", "24", "25", "26"})

HOUSEHOLD_ROLE_HEAD, HOUSEHOLD_ROLE_MEMBER = 0, 1
FAMILY_ROLE_APPLICANT, FAMILY_ROLE_SPOUSE, FAMILY_ROLE_DEPENDANT = 0, 1, 2


@dataclass(frozen=True)
class PolicyUnits:
    """Per-person arrays in the persons frame's order, and the entity assignments."""

    age: np.ndarray  # int
    is_foreign: np.ndarray  # bool
    employed: np.ndarray  # bool
    is_head: np.ndarray  # bool: relationship == 'head'
    household: np.ndarray  # dense index of the synthsoc household
    relief_household: np.ndarray  # dense index of the 세대 (OpenFisca household)
    relief_role: np.ndarray  # HOUSEHOLD_ROLE_*
    family: np.ndarray  # dense index of the benefit unit
    family_role: np.ndarray  # FAMILY_ROLE_*
    relief_region_class: np.ndarray  # per 세대: 0 metropolitan, 1 city, 2 rural
    households: pl.DataFrame  # synthsoc households in dense order, with reporting keys

    @property
    def n_persons(self) -> int:
        return int(self.age.size)

    @property
    def n_relief_households(self) -> int:
        return int(self.relief_region_class.size)

    @property
    def n_families(self) -> int:
        return int(self.family.max()) + 1 if self.family.size else 0


def _dense(values: np.ndarray) -> np.ndarray:
    return np.unique(values, return_inverse=True)[1].astype(np.int64)


def _region_class(households: pl.DataFrame, regions: pl.DataFrame) -> np.ndarray:
    """기본재산액 class by si-gun-gu: a 군 is rural, a 구 of a special or metropolitan city is
    metropolitan, the rest city. (The 읍·면 of mixed cities count as rural in the law; the
    population's area names do not mark them reliably, so they count as city here.)"""
    names = regions.select(
        pl.col("sigungu_code").cast(pl.Utf8), pl.col("sigungu_name").fill_null("")
    ).unique("sigungu_code")
    joined = households.select(
        pl.col("sigungu_code").cast(pl.Utf8), pl.col("sido_code").cast(pl.Utf8)
    ).join(names, on="sigungu_code", how="left", maintain_order="left")
    if joined["sigungu_name"].null_count():
        missing = joined.filter(pl.col("sigungu_name").is_null())["sigungu_code"][0]
        raise ValueError(
            f"regions.parquet: sigungu_code {missing!r} of households.parquet not found"
        )
    rural = joined["sigungu_name"].str.ends_with("군").to_numpy()
    metro = joined["sido_code"].is_in(sorted(METROPOLITAN_SIDO)).to_numpy()
    return np.where(rural, 2, np.where(metro, 0, 1)).astype(np.int8)


def build_units(pop: Population) -> PolicyUnits:
    """Entity assignments for every person of ``pop`` (vectorised, no loop per person)."""
    persons = pop.persons
    households = pop.households.sort("household_id")
    hh_index = {"household_id": households["household_id"]}
    hh_pos = pl.DataFrame(hh_index).with_row_index("hh")
    p = persons.select(
        "person_id", "household_id", pl.col("relationship").cast(pl.Utf8),
        pl.col("age").cast(pl.Int64), pl.col("nationality").cast(pl.Utf8),
        pl.col("economic_activity").cast(pl.Utf8),
    ).join(hh_pos, on="household_id", how="left", maintain_order="left")
    if p["hh"].null_count():
        bad = p.filter(pl.col("hh").is_null())["household_id"][0]
        raise ValueError(f"persons.parquet: household_id {bad} has no row in households.parquet")
    hh = p["hh"].to_numpy().astype(np.int64)
    rel = p["relationship"].to_numpy()
    age = p["age"].to_numpy()
    kind = households["kind"].cast(pl.Utf8).to_numpy()[hh]

    group = np.isin(kind, ["institutional", "non_kin_group"])
    is_head = rel == "head"
    # 세대: the household, or the person alone in group quarters
    relief_key = np.where(group, -1 - np.arange(hh.size), hh)
    relief_household = _dense(relief_key)
    relief_role = np.where(is_head | group, HOUSEHOLD_ROLE_HEAD, HOUSEHOLD_ROLE_MEMBER)
    region_by_hh = _region_class(households, pop.regions)
    relief_region = np.zeros(int(relief_household.max()) + 1, dtype=np.int8)
    relief_region[relief_household] = region_by_hh[hh]

    # benefit units
    young_dependant = np.isin(rel, ["child", "grandchild"]) & (age < 18)
    old_parent = (rel == "parent") & (age >= 70)
    in_head_unit = ~group & (is_head | (rel == "spouse") | young_dependant | old_parent
                             | (age < 18))
    family_key = np.where(in_head_unit, hh, hh.max() + 1 + np.arange(hh.size))
    family = _dense(family_key)
    family_role = np.where(
        is_head | ~in_head_unit, FAMILY_ROLE_APPLICANT,
        np.where(rel == "spouse", FAMILY_ROLE_SPOUSE, FAMILY_ROLE_DEPENDANT),
    )
    # a head-less unit (a household whose head is missing) would have no applicant: refuse it
    applicants = np.bincount(family, weights=family_role == FAMILY_ROLE_APPLICANT)
    if (applicants != 1).any():
        bad_hh = hh[np.flatnonzero(applicants[family] != 1)[0]]
        raise ValueError(
            f"households.parquet: household_id {households['household_id'][int(bad_hh)]} "
            "has no single head (relationship == 'head')"
        )
    return PolicyUnits(
        age=age,
        is_foreign=p["nationality"].to_numpy() == "foreign",
        employed=p["economic_activity"].to_numpy() == "employed",
        is_head=is_head,
        household=hh,
        relief_household=relief_household,
        relief_role=relief_role,
        family=family,
        family_role=family_role,
        relief_region_class=relief_region,
        households=households,
    )
