"""What the general-household fit matches in every si-gun-gu, and each candidate's share of it.

Columns of the person-constraint matrix (``N_COLUMNS`` in all):

* ``0 .. 201``: Korean persons by sex x single year of age (0..99, 100+): MOIS resident
  registration, the 5-year control split by the June 2025 single-year shares of the same
  si-gun-gu and sex;
* ``202 .. 243``: persons living with a spouse (head and spouse of one household) by sex x
  5-year age: the married share of the si-do x sex x age group (census 2020 ratio of never
  married to married, KGSS widowed/divorced profile; ``reference.marital_status_shares``)
  less the married who live apart from their spouse (``SPOUSE_ABSENT_SHARE``, ASSUMPTION),
  men and women then scaled to the same number of couples;
* ``244 .. 259``: one-person householders by sex x 10-year age (<20 ... 80+): the national
  2023 register-census distribution turned into headship rates (one-person householders per
  person of that sex and age) and applied to each si-gun-gu's own population, scaled to its
  census count of one-person households;
* ``260 .. 289``: couples by the wife's 5-year age (20-24 ... 45-49) x husband-minus-wife
  age gap (wife older, same age, husband 1-2, 3-5, 6+ years older): the couple target of
  women of that age split by the first-marriage gap distribution of the year they married
  about (``GAP_YEARS``: 2023 for wives under 40, 2013 for wives 40-49, who married about
  2005-2015; ``reference.first_marriage_gap_bands``). Without it the fit, free to pair any
  ages that meet the couples by sex x age, chose husbands 6+ years older for 20.5% of wives
  aged 25-34 (first marriages 2023: 14.0%), and copied the 2003-2012 KGSS couples of older
  cohorts for wives 40-49 (wife older 5% against 16.2% in 2013);
* ``290 .. 294``: children aged 0-4 living with their parents (the head and spouse) by the
  parents' gap band: the si-gun-gu's persons aged 0-4 times the share of them who are a
  couple's child in the prior-weighted candidate pool (``young_children_of_couples_share``,
  a derived estimate: no official table of it was available), split by the 2023 first-
  marriage gap shares (ASSUMPTION: parents of young children have the gaps of recent first
  marriages). Without it the fit met the gap of all couples by the wife's age but chose
  parents of infants 1.3 years apart (2023 births: fathers 2.5 years older on average).

The blocks overlap (one person counts in an age column and possibly in a couple or
one-person column); the fit handles any non-negative incidence.
"""

from __future__ import annotations

import math
from functools import cache

import numba
import numpy as np
import polars as pl
import scipy.sparse as sp

from synthsoc.data.reference import (
    AGE_GROUPS,
    SINGLE_AGES,
    first_marriage_gap_bands,
    marital_status_shares,
    one_person_male_share,
    read_reference_csv,
)
from synthsoc.synth.sampling import gathered
from synthsoc.synth.seeds import ROLE, SeedPool

N_AGE5 = len(AGE_GROUPS)
N_SINGLE = 2 * SINGLE_AGES
COUPLE_START = N_SINGLE
N_COUPLE = 2 * N_AGE5
ONE_START = COUPLE_START + N_COUPLE
ONE_PERSON_GROUPS: tuple[str, ...] = ("<20", "20-29", "30-39", "40-49", "50-59", "60-69",
                                      "70-79", "80+")
N_ONE = 2 * len(ONE_PERSON_GROUPS)
GAP_START = ONE_START + N_ONE
GAP_WIFE_GROUPS: tuple[str, ...] = ("20-24", "25-29", "30-34", "35-39", "40-44", "45-49")
# Year of the first marriages whose gap shares each wife group is fitted to.
GAP_YEARS: tuple[int, ...] = (2023, 2023, 2023, 2023, 2013, 2013)
GAP_BANDS: tuple[str, ...] = ("wife_older", "same_age", "husband_older_1_2y",
                              "husband_older_3_5y", "husband_older_6y_plus")
N_GAP = len(GAP_WIFE_GROUPS) * len(GAP_BANDS)
CHILD_GAP_START = GAP_START + N_GAP
YOUNG_CHILD_MAX_AGE = 4  # children 0..4 of the couple block
CHILD_GAP_YEAR = 2023
N_COLUMNS = CHILD_GAP_START + len(GAP_BANDS)
# Married persons not living with their spouse, share of the married (ASSUMPTION: the 2020
# census counts 13.2% of one-person householders as married, about 3.5% of the married,
# and others live apart in larger households; no table of them was available).
SPOUSE_ABSENT_SHARE = 0.05


def single_year_category(sex: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Column of the sex x single-year-of-age cell (0..201)."""
    return sex.astype(np.int64) * SINGLE_AGES + np.minimum(age, SINGLE_AGES - 1)


def one_hot(group: np.ndarray, n: int) -> np.ndarray:
    """(len(group), n) matrix: ``x @ one_hot(g, n)`` sums the last axis of x by group."""
    out = np.zeros((group.size, n))
    out[np.arange(group.size), group] = 1.0
    return out


def one_person_group(age: np.ndarray) -> np.ndarray:
    return np.clip(age // 10 - 1, 0, len(ONE_PERSON_GROUPS) - 1)


def gap_band(gap: np.ndarray) -> np.ndarray:
    """Index into GAP_BANDS of husband-minus-wife age gaps."""
    return np.searchsorted(np.array([0, 1, 3, 6]), gap, side="right")


def gap_band_shares() -> np.ndarray:
    """(len(GAP_WIFE_GROUPS), len(GAP_BANDS)): the first-marriage gap shares each wife group
    is fitted to."""
    return np.stack([first_marriage_gap_bands(year) for year in GAP_YEARS])


def couple_ages(role: np.ndarray, sex: np.ndarray, age: np.ndarray, household: np.ndarray,
                n_households: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Households with a couple (head and spouse) and the husband's and wife's ages, spouse
    by spouse in person order (one compiled pass over the persons, two over the spouses)."""
    if household.size and (int(household.min()) < 0 or int(household.max()) >= n_households):
        raise ValueError(f"couple_ages: households must lie in [0, {n_households}), got "
                         f"{int(household.min())}..{int(household.max())}")
    return _couple_ages(role, sex, age, household, n_households, ROLE["head"], ROLE["spouse"])


@numba.njit(cache=True, nogil=True)
def _couple_ages(role: np.ndarray, sex: np.ndarray, age: np.ndarray, household: np.ndarray,
                 n_households: int, head: int,
                 spouse: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    head_age = np.zeros(n_households, dtype=np.int64)
    n_spouses = 0
    for i in range(role.size):
        if role[i] == head:
            head_age[household[i]] = age[i]
        elif role[i] == spouse:
            n_spouses += 1
    hh = np.empty(n_spouses, dtype=household.dtype)
    husband = np.empty(n_spouses, dtype=np.int64)
    wife = np.empty(n_spouses, dtype=np.int64)
    k = 0
    for i in range(role.size):
        if role[i] == spouse:
            h = household[i]
            hh[k] = h
            if sex[i] == 0:
                husband[k], wife[k] = age[i], head_age[h]
            else:
                husband[k], wife[k] = head_age[h], age[i]
            k += 1
    return hh, husband, wife


def gap_column(husband: np.ndarray, wife: np.ndarray) -> np.ndarray:
    """Column within the gap block (-1 for wives outside its age groups)."""
    top = 20 + 5 * len(GAP_WIFE_GROUPS) - 1
    group = np.where((wife >= 20) & (wife <= top), (wife - 20) // 5, -1)
    return np.where(group >= 0, group * len(GAP_BANDS) + gap_band(husband - wife), -1)


def young_children_by_couple(role: np.ndarray, age: np.ndarray, household: np.ndarray,
                             couple_hh: np.ndarray, n_households: int) -> np.ndarray:
    """Children (of the head) aged 0..YOUNG_CHILD_MAX_AGE of each couple in ``couple_hh``."""
    young = (role == ROLE["child"]) & (age <= YOUNG_CHILD_MAX_AGE)
    return np.bincount(household[young], minlength=n_households)[couple_hh]


def young_children_of_couples_share(pool: SeedPool) -> float:
    """Share of persons aged 0..YOUNG_CHILD_MAX_AGE in the candidate pool, weighted by the
    fit's prior, who are the child of a couple (head and spouse) of their household."""
    hh = pool.p_hh.astype(np.int64)
    couple_hh, _, _ = couple_ages(pool.p_role, pool.p_sex, pool.p_age, hh, pool.n_households)
    kids = young_children_by_couple(pool.p_role, pool.p_age, hh, couple_hh, pool.n_households)
    young = np.bincount(hh[pool.p_age <= YOUNG_CHILD_MAX_AGE], minlength=pool.n_households)
    # Exactly rounded sums: a BLAS dot product splits its sum over threads, so its last
    # digits (and the fit's targets) depended on the machine's number of cores.
    total = math.fsum(pool.hh_prior * young)
    return math.fsum(pool.hh_prior[couple_hh] * kids) / total if total > 0 else 0.0


def living_with_spouse(role: np.ndarray, household: np.ndarray, n_households: int) -> np.ndarray:
    """Heads with a spouse in the household, and spouses."""
    has_spouse = np.zeros(n_households, dtype=bool)
    has_spouse[household[role == ROLE["spouse"]]] = True
    # A gather by 32-bit household numbers (sampling.gathered).
    head_with_spouse = (role == ROLE["head"]) & gathered(has_spouse, household)
    return (role == ROLE["spouse"]) | head_with_spouse


def column_name(column: int) -> str:
    """What a column of the constraint matrix counts, in words."""
    sexes = ("men", "women")
    if column < COUPLE_START:
        sex, age = divmod(column, SINGLE_AGES)
        return f"Korean {sexes[sex]} aged {age}{'+' if age == SINGLE_AGES - 1 else ''}"
    if column < ONE_START:
        sex, group = divmod(column - COUPLE_START, N_AGE5)
        return f"{sexes[sex]} aged {AGE_GROUPS[group]} living with a spouse"
    if column < GAP_START:
        sex, group = divmod(column - ONE_START, len(ONE_PERSON_GROUPS))
        return f"one-person householders, {sexes[sex]} aged {ONE_PERSON_GROUPS[group]}"
    if column < CHILD_GAP_START:
        group, band = divmod(column - GAP_START, len(GAP_BANDS))
        return f"couples with a wife aged {GAP_WIFE_GROUPS[group]}, {GAP_BANDS[band]}"
    return f"children 0-4 of couples, parents {GAP_BANDS[column - CHILD_GAP_START]}"


def pool_incidence(pool: SeedPool) -> sp.csr_matrix:
    """Each candidate's members in every constraint column (n_candidates x N_COLUMNS)."""
    r, c, data = incidence_cells(pool)
    return sp.csr_matrix((data, (r, c)), shape=(pool.n_households, N_COLUMNS))


def incidence_cells(pool: SeedPool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``pool_incidence`` as (candidate, column, members) entries, a cell possibly listed
    more than once (their members add up); every entry holds at least one member."""
    hh = pool.p_hh.astype(np.int64)
    sex = pool.p_sex.astype(np.int64)
    rows = [hh]
    cols = [single_year_category(pool.p_sex, pool.p_age)]
    couple = living_with_spouse(pool.p_role, hh, pool.n_households)
    rows.append(hh[couple])
    cols.append(COUPLE_START + sex[couple] * N_AGE5
                + np.minimum(pool.p_age[couple] // 5, N_AGE5 - 1))
    alone = pool.hh_size[hh] == 1
    rows.append(hh[alone])
    cols.append(ONE_START + sex[alone] * len(ONE_PERSON_GROUPS)
                + one_person_group(pool.p_age[alone]))
    couple_hh, husband, wife = couple_ages(pool.p_role, pool.p_sex, pool.p_age, hh,
                                           pool.n_households)
    column = gap_column(husband, wife)
    rows.append(couple_hh[column >= 0])
    cols.append(GAP_START + column[column >= 0])
    data = [np.ones(sum(r.size for r in rows))]
    kids = young_children_by_couple(pool.p_role, pool.p_age, hh, couple_hh, pool.n_households)
    rows.append(couple_hh[kids > 0])
    cols.append(CHILD_GAP_START + gap_band(husband - wife)[kids > 0])
    data.append(kids[kids > 0].astype(np.float64))
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(data)


@cache
def one_person_joint_shares() -> np.ndarray:
    """National one-person householders by sex x 10-year age (2, 8), summing to 1 (read
    once per process; the array is read-only)."""
    table = read_reference_csv("one_person_households_by_age_sex_partial_2023_2024.csv").filter(
        (pl.col("year") == 2023) & (pl.col("region") == "national")
        & (pl.col("indicator") == "share_of_one_person_households_of_that_sex"))
    value = {(s, g): float(v) for s, g, v in table.select("sex", "age_group", "value")
             .iter_rows()}
    male = one_person_male_share()
    out = np.array([[value[(sex, g)] for g in ONE_PERSON_GROUPS] for sex in ("male", "female")])
    out /= out.sum(axis=1, keepdims=True)
    shares = out * np.array([[male], [1.0 - male]])
    shares.flags.writeable = False
    return shares


def general_targets(single: np.ndarray, sido_of_sgg: list[str],
                    one_person_households: np.ndarray,
                    young_child_share: float) -> np.ndarray:
    """Targets (n_sgg, N_COLUMNS) from Korean general-household persons by sex x single
    year ``single`` (n_sgg, 2, SINGLE_AGES), each si-gun-gu's si-do code, its one-person
    households and the share of children 0-4 living with a couple
    (``young_children_of_couples_share``)."""
    n_sgg = single.shape[0]
    out = np.zeros((n_sgg, N_COLUMNS))
    out[:, :N_SINGLE] = single.reshape(n_sgg, -1)
    group5 = np.minimum(np.arange(SINGLE_AGES) // 5, N_AGE5 - 1)
    by5 = single @ one_hot(group5, N_AGE5)
    sidos, shares = marital_status_shares()
    index = {c: i for i, c in enumerate(sidos)}
    unknown = sorted({c for c in sido_of_sgg if c not in index})
    if unknown:
        raise ValueError(f"marital_status_by_age_sex_sido_census_2020.csv: no rows for "
                         f"si-do {unknown}")
    married = shares[[index[c] for c in sido_of_sgg], :, :, 1]
    couples = by5 * married * (1.0 - SPOUSE_ABSENT_SHARE)
    # Every couple is one man and one woman: both sexes are scaled to their mean total, so
    # the targets can be met together.
    totals = couples.sum(axis=2)
    mean = totals.mean(axis=1, keepdims=True)
    couples *= np.divide(mean, totals, out=np.zeros_like(totals), where=totals > 0)[:, :, None]
    out[:, COUPLE_START:ONE_START] = couples.reshape(n_sgg, -1)
    group10 = one_person_group(np.arange(SINGLE_AGES))
    adults = single * (np.arange(SINGLE_AGES) >= 18)
    by10 = adults @ one_hot(group10, len(ONE_PERSON_GROUPS))
    national = by10.sum(axis=0)
    headship = np.divide(one_person_joint_shares(), national, out=np.zeros_like(national),
                         where=national > 0)
    local = by10 * headship[None]
    total = local.sum(axis=(1, 2))
    factor = np.divide(one_person_households, total, out=np.zeros(n_sgg), where=total > 0)
    out[:, ONE_START:GAP_START] = (local * factor[:, None, None]).reshape(n_sgg, -1)
    first = AGE_GROUPS.index(GAP_WIFE_GROUPS[0])
    wives = couples[:, 1, first:first + len(GAP_WIFE_GROUPS)]
    out[:, GAP_START:CHILD_GAP_START] = (wives[:, :, None] * gap_band_shares()[None]).reshape(
        n_sgg, -1)
    young = single[:, :, :YOUNG_CHILD_MAX_AGE + 1].sum(axis=(1, 2)) * young_child_share
    out[:, CHILD_GAP_START:] = young[:, None] * first_marriage_gap_bands(CHILD_GAP_YEAR)[None]
    return out


def single_year_group() -> np.ndarray:
    """The sex x 5-year age group (0 .. 2 * N_AGE5 - 1) of each sex x single-year column."""
    single = np.arange(N_SINGLE)
    return (single // SINGLE_AGES) * N_AGE5 + np.minimum((single % SINGLE_AGES) // 5,
                                                         N_AGE5 - 1)


def with_age_group_targets(targets: np.ndarray) -> np.ndarray:
    """The targets with the sex x 5-year age sums of the single-year block appended, so that
    a search over swaps (``general_households._refine_age_fit``) weighs a miss of a whole
    age group as well as the single years inside it (the candidates' rows:
    ``general_households.rows_with_age_groups``)."""
    merge = np.zeros((N_SINGLE, 2 * N_AGE5))
    merge[np.arange(N_SINGLE), single_year_group()] = 1.0
    return np.hstack([targets, targets[:, :N_SINGLE] @ merge])
