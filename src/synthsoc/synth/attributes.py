"""Person and household attributes beyond age, sex, place and household structure.

Each attribute is drawn from a conditional distribution given age, sex, place and household
role. Where an official table exists it sets the numbers (marital status by si-do x sex x
5-year age, ``reference.marital_status_shares``; EAPS employment by 5-year age and sex; 2022
household income brackets); where only headline figures exist, the parameters below are
ASSUMPTIONS chosen to be consistent with them, and the fit report's joint audit compares the
result with every official figure that was not used as a control.
"""

from __future__ import annotations

from functools import cache

import numba
import numpy as np
import polars as pl

from synthsoc.data.reference import (
    AGE_GROUPS,
    EMPLOYMENT_BANDS,
    SINGLE_AGES,
    eaps_band_counts_2024,
    education_middle_plus_shares,
    employed_by_sido,
    female_employment_2023,
    household_income_shares,
    marital_status_shares,
    single_year_age_sex_sigungu,
)
from synthsoc.synth.military import serving_share_by_age
from synthsoc.synth.sampling import uniform_chunks
from synthsoc.synth.schema import (
    ECONOMIC_ACTIVITIES,
    EDUCATION_LEVELS,
    INCOME_BRACKETS,
    MARITAL_STATUSES,
    OCCUPATION_GROUPS,
)

# --- educational attainment of adults (ASSUMPTION by age band and sex, chosen so that the
# 30+ totals are near the 2020 census headline). Only the shares of none and elementary are
# used now; middle school and above follow the census 2020 table by si-do x sex x age.
# columns follow EDUCATION_LEVELS: none, elementary, middle, high, college, university, graduate
EDUCATION_ADULT: dict[int, tuple[tuple[float, ...], tuple[float, ...]]] = {
    25: ((0, 0, 0.01, 0.24, 0.20, 0.46, 0.09), (0, 0, 0.01, 0.19, 0.22, 0.50, 0.08)),
    35: ((0, 0, 0.01, 0.26, 0.20, 0.43, 0.10), (0, 0, 0.01, 0.31, 0.22, 0.39, 0.07)),
    45: ((0, 0.01, 0.03, 0.38, 0.13, 0.37, 0.08), (0, 0.01, 0.05, 0.50, 0.13, 0.27, 0.04)),
    55: ((0, 0.04, 0.10, 0.45, 0.07, 0.28, 0.06), (0.01, 0.08, 0.17, 0.50, 0.06, 0.16, 0.02)),
    65: ((0.02, 0.15, 0.17, 0.38, 0.03, 0.20, 0.05), (0.06, 0.30, 0.20, 0.32, 0.02, 0.09, 0.01)),
    75: ((0.06, 0.30, 0.18, 0.28, 0.02, 0.13, 0.03), (0.25, 0.42, 0.13, 0.15, 0.01, 0.04, 0.0)),
}
# Youngest age at graduate school: a four-year degree from 19 (rule of the school system).
GRADUATE_FROM_AGE = 23
# Aged 19: highest level attended so far (ASSUMPTION).
EDUCATION_YOUNG_ADULT = (0, 0, 0.005, 0.295, 0.20, 0.50, 0.0)

# --- employment: male minus female employment-rate gap (percentage points) for the 5-year
# ages without a published 2023 gap: ASSUMPTIONS (the published gaps are 15.9 at 30-34, 26.0
# at 35-39, 20.3 at 50-54, 18.9 at 55-59).
EMPLOYMENT_GAP_ASSUMED_PP = {"15-19": 0.0, "20-24": -2.0, "25-29": -2.0, "40-44": 20.0,
                             "45-49": 20.0, "60+": 17.0}
# Relative employment within 60+ by age (ASSUMPTION), rescaled to the 60+ EAPS rate.
EMPLOYMENT_60PLUS_PROFILE = ((60, 1.45), (65, 1.2), (70, 0.9), (75, 0.6), (80, 0.25))

# --- occupation (KSCO major group) of the employed by sex: EAPS 2017 counts (thousand) as
# published; cells the source leaves blank are ASSUMPTIONS (marked *). --------------------
OCCUPATION_BY_SEX: dict[str, tuple[float, float]] = {
    "1": (274, 39),
    "2": (2813, 2665),
    "3": (2440, 2208),
    "4": (987, 1911),
    "5": (1500, 1573),  # male*
    "6": (757, 380),  # female*
    "7": (2053, 300),  # female*
    "8": (2777, 330),  # female*
    "9": (1923, 1796),  # male*
}
# Education tilts occupation (ASSUMPTION): multipliers for university/graduate holders and
# for those with at most middle school.
OCCUPATION_TILT_HIGH_EDUCATION = {"1": 2.0, "2": 2.5, "3": 1.5, "8": 0.5, "9": 0.4, "6": 0.5}
OCCUPATION_TILT_LOW_EDUCATION = {"1": 0.3, "2": 0.2, "3": 0.5, "6": 2.5, "7": 1.5, "9": 2.5}


def pick_categories(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows need not be normalised).

    Materialises the whole matrix: use :func:`draw_by_group` when rows share a few
    distinct distributions, as they do for attributes drawn by age band and sex.
    """
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    return (rng.random((probs.shape[0], 1)) > cum).sum(axis=1)


def draw_by_group(rng: np.random.Generator, group: np.ndarray, table: np.ndarray) -> np.ndarray:
    """One draw per element from ``table[group[i]]`` (rows of ``table`` need not sum to 1).

    Memory stays O(n) whatever the number of categories: one uniform per element and a
    binary search in its group's cumulative distribution.
    """
    table = np.asarray(table, dtype=np.float64)
    cum = np.cumsum(table, axis=1)
    cum /= np.where(cum[:, -1:] > 0, cum[:, -1:], 1.0)
    u = rng.random(group.size)
    out = np.zeros(group.size, dtype=np.int8)
    for g in np.unique(group):
        mask = group == g
        out[mask] = np.minimum(np.searchsorted(cum[g], u[mask], side="right"),
                               table.shape[1] - 1)
    return out


def _band_rows(age: np.ndarray, starts: list[int]) -> np.ndarray:
    return np.clip(np.searchsorted(np.array(starts), age, side="right") - 1, 0, len(starts) - 1)


def marital_status(rng: np.random.Generator, age: np.ndarray, sex: np.ndarray,
                   sido: np.ndarray, sido_codes: list[str], in_couple: np.ndarray) -> np.ndarray:
    """Index into MARITAL_STATUSES.

    Everyone living with a spouse is married. In each si-do x sex x 5-year age cell the
    others share out what the official shares leave: married (spouse absent) = the cell's
    married target less those living with a spouse, never married, widowed and divorced as
    the shares say (``reference.marital_status_shares``). Under 18 nobody is married and
    under 20 nobody is widowed or divorced (zero shares there).
    """
    codes, shares = marital_status_shares()
    index = {c: i for i, c in enumerate(codes)}
    missing = sorted({c for c in sido_codes if c not in index})
    if missing:
        raise ValueError(f"marital_status_by_age_sex_sido_census_2020.csv: no rows for si-do "
                         f"{missing}")
    n_age = len(AGE_GROUPS)
    cell = age_sex_cells(np.array([index[c] for c in sido_codes], dtype=np.int64), sido, sex,
                         age, n_age)
    n_cells = len(codes) * 2 * n_age
    people = np.bincount(cell, minlength=n_cells).astype(np.float64)
    couples = np.bincount(cell[in_couple], minlength=n_cells).astype(np.float64)
    target = shares.reshape(n_cells, 4) * people[:, None]
    married = MARITAL_STATUSES.index("married")
    rest = target.copy()
    rest[:, married] = np.maximum(target[:, married] - couples, 0.0)
    rest[rest.sum(axis=1) <= 0, MARITAL_STATUSES.index("never_married")] = 1.0
    status = draw_small_table(rng, cell, rest)
    status = np.where(in_couple, married, status)
    minor = (age < 18) & (status == married)
    return np.where(minor, MARITAL_STATUSES.index("never_married"), status).astype(np.int8)


def age_sex_cells(row_of_area: np.ndarray, area: np.ndarray, sex: np.ndarray, age: np.ndarray,
                  n_age: int) -> np.ndarray:
    """Each person's row of a table by area x sex x 5-year age group (the last group open):
    ``(row_of_area[area] * 2 + sex) * n_age + min(age // 5, n_age - 1)``, in one compiled
    pass as int32 (no 64-bit temporaries over 51 million persons)."""
    if row_of_area.size and (int(row_of_area.max()) + 1) * 2 * n_age >= 2**31:
        raise ValueError("age_sex_cells: the table has too many rows for 32-bit cells")
    if area.size and (int(area.min()) < 0 or int(area.max()) >= row_of_area.size):
        raise ValueError(f"age_sex_cells: areas must lie in [0, {row_of_area.size}), got "
                         f"{int(area.min())}..{int(area.max())}")
    return _age_sex_cells(row_of_area.astype(np.int64), area, sex, age, n_age)


@numba.njit(cache=True, parallel=True)
def _age_sex_cells(row_of_area: np.ndarray, area: np.ndarray, sex: np.ndarray,
                   age: np.ndarray, n_age: int) -> np.ndarray:
    out = np.empty(age.size, dtype=np.int32)
    for i in numba.prange(age.size):
        out[i] = (row_of_area[area[i]] * 2 + sex[i]) * n_age + min(age[i] // 5, n_age - 1)
    return out


def draw_small_table(rng: np.random.Generator, group: np.ndarray,
                     table: np.ndarray) -> np.ndarray:
    """One draw per element from ``table[group[i]]`` for tables of many rows and few
    columns: one uniform per element, one gather per column (memory O(n))."""
    cum = np.cumsum(np.asarray(table, dtype=np.float64), axis=1)
    cum /= np.where(cum[:, -1:] > 0, cum[:, -1:], 1.0)
    cuts = cum[:, :-1].copy()
    out = np.empty(group.size, dtype=np.int8)
    for start, u in uniform_chunks(rng, group.size):
        out[start:start + u.size] = _count_passed(cuts, group[start:start + u.size], u)
    return out


@numba.njit(cache=True, nogil=True)
def _count_passed(cum: np.ndarray, group: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each element, how many of its group's cumulative shares ``u`` reaches: the drawn
    column (one pass over the elements, no temporaries)."""
    out = np.zeros(group.size, dtype=np.int8)
    for i in range(group.size):
        row = cum[group[i]]
        k = 0
        for c in range(row.size):
            if u[i] >= row[c]:
                k += 1
        out[i] = k
    return out


def education(rng: np.random.Generator, age: np.ndarray, sex: np.ndarray, sido: np.ndarray,
              sido_codes: list[str]) -> np.ndarray:
    """Index into EDUCATION_LEVELS (school-age children: the level they attend).

    From 20: the shares of none and elementary follow ``EDUCATION_ADULT`` (ASSUMPTION, by
    age band and sex); the rest is split over middle school ... graduate school as the 2020
    census says for the person's si-do x sex x 5-year age (``education_middle_plus_shares``;
    highest level attended). 19-year-olds use ``EDUCATION_YOUNG_ADULT`` (ASSUMPTION).
    """
    out = np.zeros(age.size, dtype=np.int8)
    out[(age >= 7) & (age <= 12)] = EDUCATION_LEVELS.index("elementary")
    out[(age >= 13) & (age <= 15)] = EDUCATION_LEVELS.index("middle")
    out[(age >= 16) & (age <= 18)] = EDUCATION_LEVELS.index("high")
    young = age == 19
    out[young] = draw_by_group(rng, np.zeros(int(young.sum()), dtype=np.int64),
                               np.array([EDUCATION_YOUNG_ADULT]))
    codes, shares = education_middle_plus_shares()
    index = {c: i for i, c in enumerate(codes)}
    missing = sorted({c for c in sido_codes if c not in index})
    if missing:
        raise ValueError(f"education_by_age_sex_sido_census_2020.csv: no rows for si-do "
                         f"{missing}")
    rows = np.array([index[c] for c in sido_codes], dtype=np.int64)
    starts = sorted(EDUCATION_ADULT)
    n_age = len(AGE_GROUPS)
    # One table row per si-do x sex x 5-year age group.
    table = np.zeros((len(sido_codes) * 2 * n_age, len(EDUCATION_LEVELS)))
    for i, r in enumerate(rows):
        for s in (0, 1):
            for g in range(4, n_age):
                band = starts[max(0, min(len(starts) - 1,
                                         int(np.searchsorted(starts, 5 * g, side="right")) - 1))]
                low_part = np.array(EDUCATION_ADULT[band][s][:2])
                rest = max(0.0, 1.0 - float(low_part.sum()))
                table[(i * 2 + s) * n_age + g] = np.concatenate([low_part,
                                                                 rest * shares[r, s, g]])
    adult = age >= 20
    cell = age_sex_cells(np.arange(len(sido_codes)), sido, sex, age, n_age)[adult]
    out[adult] = draw_small_table(rng, cell, table)
    # Graduate school follows a four-year degree: nobody attends it before 23. The census
    # 20-24 group's graduate share belongs to its older years; below 23 it counts as
    # university.
    early = (age < GRADUATE_FROM_AGE) & (out == EDUCATION_LEVELS.index("graduate"))
    out[early] = EDUCATION_LEVELS.index("university")
    return out


@cache
def employment_schedule() -> tuple[np.ndarray, np.ndarray]:
    """Employment and unemployment probabilities by sex x single year of age (2, SINGLE_AGES).

    1. Start from the 2023 female employment rates by 5-year age and the published
       male-minus-female gaps; ages without them start from the EAPS 2024 both-sex rate of
       their band split by the ASSUMED gaps (``EMPLOYMENT_GAP_ASSUMED_PP``), and within 60+
       follow the ASSUMED relative profile ``EMPLOYMENT_60PLUS_PROFILE``.
    2. Scale each EAPS 2024 band (15-19, 20-24, 25-29, 30-39, 40-49, 50-59, 60+; 20-24 and
       25-29 derived from nested bands) so that its both-sex rate, weighted by the June 2025
       population by sex and age, equals the EAPS 2024 annual rate.
    3. Unemployed per employed: u / (1 - u) with the band's 2024 unemployment rate.
    """
    bands = eaps_band_counts_2024()
    female, gap = female_employment_2023()
    pop = _national_population()
    employ = np.zeros((2, SINGLE_AGES))
    unemploy = np.zeros((2, SINGLE_AGES))
    ages = np.arange(SINGLE_AGES)
    for band, low, high in EMPLOYMENT_BANDS:
        counts = bands[band]
        rate = counts["employed"] / counts["population_15plus"]
        sel = (ages >= low) & (ages <= high)
        for start in range(low, min(high, 64) + 1, 5) if band != "60+" else ():
            label = f"{start}-{start + 4}"
            five = (ages >= start) & (ages <= start + 4)
            d = gap.get(label, EMPLOYMENT_GAP_ASSUMED_PP.get(label, 0.0)) / 100.0
            f = female[label] / 100.0 if label in female else rate - d / 2.0
            employ[1, five], employ[0, five] = f, f + d
        if band == "60+":
            starts = [a for a, _ in EMPLOYMENT_60PLUS_PROFILE]
            factors = np.array([f for _, f in EMPLOYMENT_60PLUS_PROFILE])
            rel = factors[_band_rows(ages[sel], starts)]
            d = EMPLOYMENT_GAP_ASSUMED_PP["60+"] / 100.0
            employ[0, sel] = rel * (rate + d / 2.0)
            employ[1, sel] = rel * (rate - d / 2.0)
        weighted = (employ[:, sel] * pop[:, sel]).sum() / pop[:, sel].sum()
        employ[:, sel] *= rate / weighted
        u = counts["unemployed"] / (counts["employed"] + counts["unemployed"])
        unemploy[:, sel] = np.clip(employ[:, sel], 0.0, 0.98) * u / (1.0 - u)
    return np.clip(employ, 0.0, 0.98), unemploy


def _national_population() -> np.ndarray:
    """Civilian Korean residents by sex x single year (June 2025 less serving conscripts):
    the EAPS universe that its rates describe."""
    return _civilians_by_sido()[1].sum(axis=0)


@cache
def _civilians_by_sido() -> tuple[list[str], np.ndarray]:
    """Si-do codes and civilian Korean residents by si-do x sex x single year (June 2025;
    serving conscripts, ``military.serving_share_by_age``, taken out of the men)."""
    frame = single_year_age_sex_sigungu()
    codes = sorted(set(frame["sigungu_code"].str.slice(0, 2).to_list()))
    index = {c: i for i, c in enumerate(codes)}
    pop = np.zeros((len(codes), 2, SINGLE_AGES))
    np.add.at(pop, (frame["sigungu_code"].str.slice(0, 2).replace_strict(
        index, return_dtype=pl.Int32).to_numpy(), (frame["sex"] == "F").cast(pl.Int8).to_numpy(),
        frame["age"].to_numpy()), frame["population"].to_numpy().astype(np.float64))
    pop[:, 0] *= 1.0 - serving_share_by_age()[None, :]
    return codes, pop


@cache
def employment_by_sido_sex_age() -> tuple[list[str], np.ndarray]:
    """Employment probability by si-do x sex x single year (n_sido, 2, SINGLE_AGES), FITTED
    to two official margins at once by iterative proportional fitting on the June 2025
    civilian population: the national sex x single-age employed of ``employment_schedule``
    (EAPS 2024 band rates, 2023 female 5-year rates and gaps) and each si-do's EAPS 2024
    share of the employed. The si-do x age interaction is the one the two margins imply
    (no table by si-do x sex x age was available); rates are capped at 0.98."""
    employ, _ = employment_schedule()
    official = employed_by_sido()
    codes, pop = _civilians_by_sido()
    missing = [c for c in codes if c not in official]
    if missing:
        raise ValueError(f"eaps_by_province_annual_2021_2024.csv: no 2024 row for si-do "
                         f"{missing}")
    national = employ * pop.sum(axis=0)  # employed by sex x age
    row_target = np.array([official[c] for c in codes])
    row_target *= national.sum() / row_target.sum()
    rate = np.broadcast_to(employ, pop.shape).copy()
    for _ in range(200):
        rows = (rate * pop).sum(axis=(1, 2))
        rate *= (row_target / rows)[:, None, None]
        cols = (rate * pop).sum(axis=0)
        rate *= np.divide(national, cols, out=np.ones_like(cols), where=cols > 0)[None]
        np.minimum(rate, 0.98, out=rate)
        if np.abs((rate * pop).sum(axis=(1, 2)) / row_target - 1.0).max() < 1e-6:
            break
    return codes, rate


def economic_activity(rng: np.random.Generator, age: np.ndarray, sex: np.ndarray,
                      sido: np.ndarray, sido_codes: list[str]) -> np.ndarray:
    """Index into ECONOMIC_ACTIVITIES from ``employment_by_sido_sex_age`` (fitted si-do x
    sex x single age); unemployment per employed as in ``employment_schedule``."""
    employ, unemploy = employment_schedule()
    codes, rate = employment_by_sido_sex_age()
    index = {c: i for i, c in enumerate(codes)}
    missing = [c for c in sido_codes if c not in index]
    if missing:
        raise ValueError(f"age_sex_single_year_sigungu_2025-06.csv: no residents for si-do "
                         f"{missing}")
    row_of_sido = np.array([index[c] for c in sido_codes], dtype=np.int64)
    unemployed_per_employed = np.divide(unemploy, employ, out=np.zeros_like(unemploy),
                                        where=employ > 0)
    draw = rng.random(age.size)
    activity_codes = np.array([ECONOMIC_ACTIVITIES.index(c) for c in
                               ("employed", "unemployed", "inactive", "under_15")], dtype=np.int8)
    return _activity(rate, unemployed_per_employed, row_of_sido, sido, sex, age, draw,
                     activity_codes)


@numba.njit(cache=True, nogil=True)
def _activity(rate: np.ndarray, unemployed_per_employed: np.ndarray, row_of_sido: np.ndarray,
              sido: np.ndarray, sex: np.ndarray, age: np.ndarray, draw: np.ndarray,
              codes: np.ndarray) -> np.ndarray:
    """One pass over the persons: employed when the draw is under the employment rate,
    unemployed under the rate plus unemployed per employed times it, else inactive; under
    15 whatever the draw. ``codes``: employed, unemployed, inactive, under_15."""
    out = np.empty(age.size, dtype=np.int8)
    cap = rate.shape[2] - 1
    for i in range(age.size):
        a = min(age[i], cap)
        e = rate[row_of_sido[sido[i]], sex[i], a]
        u = unemployed_per_employed[sex[i], a] * e
        if age[i] < 15:
            out[i] = codes[3]
        elif draw[i] < e:
            out[i] = codes[0]
        elif draw[i] < e + u:
            out[i] = codes[1]
        else:
            out[i] = codes[2]
    return out


def occupation(rng: np.random.Generator, sex: np.ndarray, edu: np.ndarray,
               employed: np.ndarray, sgg: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """Index into the KSCO groups for the employed, -1 for everyone else.

    The national table by sex x education level is multiplied by each si-gun-gu's
    ``tilt`` (``industry_mix.occupation_tilt``); one factor per sex x occupation, found by
    iterative scaling over the cells, keeps the national expected counts of the untilted
    table.
    """
    codes = list(OCCUPATION_GROUPS)
    base = np.array([[OCCUPATION_BY_SEX.get(c, (0.0, 0.0))[s] for c in codes] for s in (0, 1)])
    high = np.array([OCCUPATION_TILT_HIGH_EDUCATION.get(c, 1.0) for c in codes])
    low = np.array([OCCUPATION_TILT_LOW_EDUCATION.get(c, 1.0) for c in codes])
    # Groups: sex x (middle school or less, other, university or more).
    table = np.array([base[s] * t for s in (0, 1) for t in (low, np.ones_like(low), high)])
    table /= table.sum(axis=1, keepdims=True)
    n_sgg = tilt.shape[0]
    cell = _occupation_cells(sex, edu, employed, sgg, EDUCATION_LEVELS.index("middle"),
                             EDUCATION_LEVELS.index("university"))
    people = np.bincount(cell, minlength=n_sgg * 6).astype(np.float64)
    cell_group = np.tile(np.arange(6), n_sgg)
    cell_sex = cell_group // 3
    wanted = np.zeros((2, len(codes)))
    np.add.at(wanted, cell_sex, people[:, None] * table[cell_group])
    raw = table[cell_group] * np.repeat(tilt, 6, axis=0)
    factor = np.ones((2, len(codes)))
    for _ in range(30):
        probs = raw * factor[cell_sex]
        probs /= np.where(probs.sum(axis=1, keepdims=True) > 0, probs.sum(axis=1, keepdims=True),
                          1.0)
        got = np.zeros((2, len(codes)))
        np.add.at(got, cell_sex, people[:, None] * probs)
        factor *= np.divide(wanted, got, out=np.ones_like(wanted), where=got > 0)
    probs = raw * factor[cell_sex]
    out = np.full(sex.size, -1, dtype=np.int8)
    out[employed] = draw_small_table(rng, cell, probs)
    return out


@numba.njit(cache=True, nogil=True)
def _occupation_cells(sex: np.ndarray, edu: np.ndarray, employed: np.ndarray, sgg: np.ndarray,
                      middle: int, university: int) -> np.ndarray:
    """Each employed person's cell: si-gun-gu x sex x (middle school or less, other,
    university or more), in the order of the persons, as int32."""
    out = np.empty(np.count_nonzero(employed), dtype=np.int32)
    k = 0
    for i in range(sex.size):
        if employed[i]:
            level = 0 if edu[i] <= middle else (2 if edu[i] >= university else 1)
            out[k] = sgg[i] * 6 + sex[i] * 3 + level
            k += 1
    return out


def income_brackets(rng: np.random.Generator, n_employed: np.ndarray, size: np.ndarray,
                    head_age: np.ndarray, head_university: np.ndarray) -> np.ndarray:
    """Index into INCOME_BRACKETS; shares match the 2022 national distribution exactly.

    A latent earning-power score (ASSUMED coefficients: earners, size, head's age and
    education, plus noise) ranks households; the official bracket shares cut the ranking.
    """
    age_effect = np.select([head_age < 30, head_age < 40, head_age < 60, head_age < 65],
                           [-0.3, 0.2, 0.35, 0.1], -0.7)
    score = (0.9 * np.minimum(n_employed, 4) + 0.15 * np.minimum(size, 6) + age_effect
             + 0.4 * head_university + rng.normal(0.0, 0.8, size.size))
    shares = household_income_shares()
    cum = np.cumsum([shares[b] for b in INCOME_BRACKETS])
    # The household at position k of the ranking has rank (k + 0.5) / n; its bracket is the
    # number of cumulative shares at or below that rank. Ranks rise with k, so each bracket
    # is one run of positions, starting at ``first``: a household's bracket is the number of
    # runs that start at or before its position.
    ranks = (np.arange(size.size) + 0.5) / max(size.size, 1)
    first = np.searchsorted(ranks, cum, side="left")  # first position past each share
    return np.minimum(_runs_started(score, first[first < size.size]),
                      len(INCOME_BRACKETS) - 1).astype(np.int8)


def _runs_started(score: np.ndarray, first: np.ndarray) -> np.ndarray:
    """For each element, how many of the sorted positions ``first`` lie at or before its
    position in the stable ascending order of ``score``, without sorting: the scores at those
    positions are order statistics (``np.partition``, O(n)); an element counts the cut-offs
    below its score, and an element tied with a cut-off counts it when its stable position
    (the elements below the cut-off plus the tied ones before it) reaches the cut-off."""
    if first.size == 0:
        return np.zeros(score.size, dtype=np.int64)
    cut = np.partition(score, first)[first]
    return _count_cut_offs(score, cut, first.astype(np.int64))


@numba.njit(cache=True, nogil=True)
def _count_cut_offs(score: np.ndarray, cut: np.ndarray, first: np.ndarray) -> np.ndarray:
    out = np.zeros(score.size, dtype=np.int64)
    below = np.zeros(cut.size, dtype=np.int64)
    for i in range(score.size):
        for b in range(cut.size):
            if cut[b] < score[i]:
                out[i] += 1
            elif score[i] < cut[b]:
                below[b] += 1
    tied_before = np.zeros(cut.size, dtype=np.int64)
    for i in range(score.size):
        for b in range(cut.size):
            if score[i] == cut[b]:
                if below[b] + tied_before[b] >= first[b]:
                    out[i] += 1
                tied_before[b] += 1
    return out
