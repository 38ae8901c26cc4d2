"""Person and household attributes beyond age, sex, place and household structure.

Each attribute is drawn from a conditional distribution given age, sex and household role.
Where an official table exists it sets the numbers (EAPS 2024 employment and unemployment by
age; 2022 household income brackets); where only headline figures exist, the parameters
below are ASSUMPTIONS chosen to be consistent with them, and the fit report's joint audit
compares the result with every official figure that was not used as a control.
"""

from __future__ import annotations

import numpy as np

from synthsoc.data.reference import EAPS_AGE_BANDS, eaps_rates_2024, household_income_shares
from synthsoc.synth.schema import (
    ECONOMIC_ACTIVITIES,
    EDUCATION_LEVELS,
    INCOME_BRACKETS,
    MARITAL_STATUSES,
    OCCUPATION_GROUPS,
)
from synthsoc.synth.seeds import ROLE

# --- marital status of adults not living with a spouse (ASSUMPTION, by age band) ---------
# columns: never_married, married (spouse absent), widowed, divorced
MARITAL_NOT_IN_COUPLE: tuple[tuple[int, tuple[float, float, float, float]], ...] = (
    (18, (0.97, 0.01, 0.00, 0.02)),
    (30, (0.90, 0.03, 0.005, 0.065)),
    (40, (0.70, 0.06, 0.02, 0.22)),
    (50, (0.45, 0.08, 0.10, 0.37)),
    (60, (0.20, 0.08, 0.37, 0.35)),
    (70, (0.06, 0.05, 0.70, 0.19)),
    (80, (0.02, 0.03, 0.88, 0.07)),
)
# Lone parents are rarely never married (ASSUMPTION).
MARITAL_LONE_PARENT = (0.12, 0.10, 0.43, 0.35)

# --- educational attainment of adults 25+ (ASSUMPTION by age band and sex, chosen so that
# the 30+ totals are near the 2020 census: university or higher 43.1%, high school 36.1%,
# middle 9.1%, elementary 8.2%, male-female gap in university+ 10.5 points) --------------
# columns follow EDUCATION_LEVELS: none, elementary, middle, high, college, university, graduate
EDUCATION_ADULT: dict[int, tuple[tuple[float, ...], tuple[float, ...]]] = {
    25: ((0, 0, 0.01, 0.24, 0.20, 0.46, 0.09), (0, 0, 0.01, 0.19, 0.22, 0.50, 0.08)),
    35: ((0, 0, 0.01, 0.26, 0.20, 0.43, 0.10), (0, 0, 0.01, 0.31, 0.22, 0.39, 0.07)),
    45: ((0, 0.01, 0.03, 0.38, 0.13, 0.37, 0.08), (0, 0.01, 0.05, 0.50, 0.13, 0.27, 0.04)),
    55: ((0, 0.04, 0.10, 0.45, 0.07, 0.28, 0.06), (0.01, 0.08, 0.17, 0.50, 0.06, 0.16, 0.02)),
    65: ((0.02, 0.15, 0.17, 0.38, 0.03, 0.20, 0.05), (0.06, 0.30, 0.20, 0.32, 0.02, 0.09, 0.01)),
    75: ((0.06, 0.30, 0.18, 0.28, 0.02, 0.13, 0.03), (0.25, 0.42, 0.13, 0.15, 0.01, 0.04, 0.0)),
}
# Aged 19-24: highest level attended so far (ASSUMPTION).
EDUCATION_YOUNG_ADULT = (0, 0, 0.005, 0.295, 0.20, 0.50, 0.0)

# --- employment: male minus female employment-rate gap by EAPS age band, percentage points.
# 30-39 and 50-59 average the published 2023 five-year gaps; the others are ASSUMPTIONS.
EMPLOYMENT_GAP_PP = {"15-19": 0.0, "20-29": -2.0, "30-39": 21.0, "40-49": 20.0,
                     "50-59": 19.6, "60+": 17.0}
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
    """One categorical draw per row of ``probs`` (rows need not be normalised)."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    return (rng.random((probs.shape[0], 1)) > cum).sum(axis=1)


def _band_rows(age: np.ndarray, starts: list[int]) -> np.ndarray:
    return np.clip(np.searchsorted(np.array(starts), age, side="right") - 1, 0, len(starts) - 1)


def marital_status(rng: np.random.Generator, age: np.ndarray, role: np.ndarray,
                   in_couple: np.ndarray, lone_parent: np.ndarray) -> np.ndarray:
    """Index into MARITAL_STATUSES. Couples are married; nobody under 18 is."""
    starts = [a for a, _ in MARITAL_NOT_IN_COUPLE]
    table = np.array([p for _, p in MARITAL_NOT_IN_COUPLE])
    probs = table[_band_rows(age, starts)]
    probs[lone_parent] = np.array(MARITAL_LONE_PARENT)
    status = pick_categories(rng, probs)
    status = np.where(in_couple, MARITAL_STATUSES.index("married"), status)
    return np.where(age < 18, MARITAL_STATUSES.index("never_married"), status).astype(np.int8)


def education(rng: np.random.Generator, age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Index into EDUCATION_LEVELS (school-age children: the level they attend)."""
    out = np.zeros(age.size, dtype=np.int8)
    out[(age >= 7) & (age <= 12)] = EDUCATION_LEVELS.index("elementary")
    out[(age >= 13) & (age <= 15)] = EDUCATION_LEVELS.index("middle")
    out[(age >= 16) & (age <= 18)] = EDUCATION_LEVELS.index("high")
    young = (age >= 19) & (age <= 24)
    young_probs = np.tile(np.array(EDUCATION_YOUNG_ADULT), (int(young.sum()), 1))
    out[young] = pick_categories(rng, young_probs)
    adult = age >= 25
    starts = sorted(EDUCATION_ADULT)
    table = np.array([[EDUCATION_ADULT[a][s] for s in (0, 1)] for a in starts])
    rows = _band_rows(age[adult], starts)
    out[adult] = pick_categories(rng, table[rows, sex[adult]])
    return out


def economic_activity(rng: np.random.Generator, age: np.ndarray,
                      sex: np.ndarray) -> np.ndarray:
    """Index into ECONOMIC_ACTIVITIES from EAPS 2024 rates by age, split by sex."""
    rates = {r["age_group"]: r for r in eaps_rates_2024().iter_rows(named=True)}
    employ = np.zeros(age.size)
    unemploy = np.zeros(age.size)
    for band, low, high in EAPS_AGE_BANDS:
        mask = (age >= low) & (age <= high)
        e = rates[band]["employment_rate"] / 100.0
        u = rates[band]["unemployment_rate"] / 100.0
        gap = EMPLOYMENT_GAP_PP[band] / 100.0
        e_sex = np.where(sex[mask] == 0, e + gap / 2.0, e - gap / 2.0)
        if band == "60+":
            starts = [a for a, _ in EMPLOYMENT_60PLUS_PROFILE]
            factors = np.array([f for _, f in EMPLOYMENT_60PLUS_PROFILE])
            rel = factors[_band_rows(age[mask], starts)]
            e_sex = e_sex * rel / max(rel.mean(), 1e-9)
        employ[mask] = np.clip(e_sex, 0.0, 0.98)
        # Unemployment rate is a share of the labour force: u / (1 - u) unemployed per employed.
        unemploy[mask] = employ[mask] * u / (1.0 - u)
    draw = rng.random(age.size)
    status = np.full(age.size, ECONOMIC_ACTIVITIES.index("inactive"), dtype=np.int8)
    status[draw < employ + unemploy] = ECONOMIC_ACTIVITIES.index("unemployed")
    status[draw < employ] = ECONOMIC_ACTIVITIES.index("employed")
    status[age < 15] = ECONOMIC_ACTIVITIES.index("under_15")
    return status


def occupation(rng: np.random.Generator, sex: np.ndarray, edu: np.ndarray,
               employed: np.ndarray) -> np.ndarray:
    """Index into the KSCO groups for the employed, -1 for everyone else."""
    codes = list(OCCUPATION_GROUPS)
    base = np.array([[OCCUPATION_BY_SEX.get(c, (0.0, 0.0))[s] for c in codes] for s in (0, 1)])
    high = np.array([OCCUPATION_TILT_HIGH_EDUCATION.get(c, 1.0) for c in codes])
    low = np.array([OCCUPATION_TILT_LOW_EDUCATION.get(c, 1.0) for c in codes])
    probs = base[sex[employed]]
    e = edu[employed]
    probs = np.where((e >= EDUCATION_LEVELS.index("university"))[:, None], probs * high, probs)
    probs = np.where((e <= EDUCATION_LEVELS.index("middle"))[:, None], probs * low, probs)
    out = np.full(sex.size, -1, dtype=np.int8)
    out[employed] = pick_categories(rng, probs)
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
    ranks = np.empty(size.size, dtype=np.float64)
    ranks[np.argsort(score, kind="stable")] = (np.arange(size.size) + 0.5) / max(size.size, 1)
    return np.minimum(np.searchsorted(cum, ranks, side="right"),
                      len(INCOME_BRACKETS) - 1).astype(np.int8)


def in_couple_mask(role: np.ndarray, household: np.ndarray) -> np.ndarray:
    """Heads living with a spouse, and spouses."""
    has_spouse = np.zeros(int(household.max()) + 1 if household.size else 0, dtype=bool)
    has_spouse[household[role == ROLE["spouse"]]] = True
    return (role == ROLE["spouse"]) | ((role == ROLE["head"]) & has_spouse[household])
