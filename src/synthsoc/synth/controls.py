"""Control totals for one run: census counts per eup-myeon-dong, scaled and made consistent.

At ``scale`` < 1 every count is scaled and randomly rounded (seeded, unbiased); the rounded
values are the targets a sample is judged against. Counts that the census tables leave
mutually inconsistent (for example members of a household kind but no household of it, after
suppression) are repaired in the smallest way and each repair is counted in ``repairs``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from synthsoc.data.census import EmdControls
from synthsoc.data.reference import (
    AGE_GROUPS,
    SINGLE_AGES,
    age_sex_sigungu,
    sigungu_names,
    single_year_age_sex_sigungu,
)
from synthsoc.synth.seeds import MAX_SIZE
from synthsoc.synth.tally import count_cells

DWELLING_COLUMNS: tuple[str, ...] = (
    "dwell_apartment",
    "dwell_detached",
    "dwell_row_house",
    "dwell_multi_family_unit",
    "dwell_commercial_building",
    "dwell_non_housing",
)
SPECIAL_KINDS: tuple[str, ...] = ("for", "inst", "nonkin")
# Members per household used only to recover a suppressed household count (national means of
# the 2025 census: foreign 2.0, institutional 82, non-kin group 8.1, rounded down).
TYPICAL_SIZE = {"for": 2, "inst": 80, "nonkin": 8}


@dataclass
class RunControls:
    """Integer targets of one run, indexed by eup-myeon-dong (rows of ``emd``)."""

    year: int
    scale: float
    emd: pl.DataFrame  # codes, names, scaled counts, and `sgg_idx`
    sigungu: pl.DataFrame  # sigungu_code, sido_code, names; row i is sgg_idx i
    size_counts: np.ndarray  # (n_emd, MAX_SIZE) general households of size 1..MAX_SIZE
    dwelling: np.ndarray  # (n_emd, 6) general households by dwelling type
    special_hh: dict[str, np.ndarray]  # kind -> (n_emd,) households
    special_members: dict[str, np.ndarray]  # kind -> (n_emd, 2) members by sex (M, F)
    korean_age_sex: np.ndarray  # (n_sgg, 2, 21) target Korean persons by sex x age group
    korean_age_sex_single: np.ndarray  # (n_sgg, 2, SINGLE_AGES) the same by single year
    general_members: np.ndarray  # (n_emd, 2) census members of general households by sex
    repairs: dict[str, int] = field(default_factory=dict)


def _round(rng: np.random.Generator, values: np.ndarray, scale: float) -> np.ndarray:
    if scale == 1.0:
        return values.astype(np.int64)
    scaled = values.astype(np.float64) * scale
    return np.floor(scaled + rng.random(scaled.shape)).astype(np.int64)


def build_run_controls(census: EmdControls, scale: float, seed: int,
                       region: str | None = None) -> RunControls:
    """Scale and reconcile the census controls; ``region`` keeps one si-do or si-gun-gu."""
    if not 0.0 < scale <= 1.0:
        raise ValueError(f"--scale {scale}: must be greater than 0 and at most 1")
    table = census.table
    names = sigungu_names(census.year)
    if region is not None:
        table = table.filter(
            (pl.col("sido_code") == region) | (pl.col("sigungu_code") == region)
        )
    rng = np.random.default_rng(np.random.SeedSequence([seed, 202]))
    repairs: dict[str, int] = {}
    n = table.height

    def col(name: str) -> np.ndarray:
        return _round(rng, table[name].to_numpy(), scale)

    sizes = np.stack([col(f"size_{k}") for k in range(1, 6)] + [col("size_6p")], axis=1)
    # Members of 6+ households: general members minus those of sizes 1..5 (full-scale
    # arithmetic, then scaled with the household count).
    small_members = (table.select([pl.col(f"size_{k}") * k for k in range(1, 6)])
                     .to_numpy().sum(axis=1))
    full_6p = table["size_6p"].to_numpy()
    full_6p_members = table["gen_mem"].to_numpy() - small_members
    too_few = (full_6p > 0) & (full_6p_members < 6 * full_6p)
    repairs["emd_6plus_members_below_6_per_household"] = int(too_few.sum())
    mean_6p = np.where(full_6p > 0, np.maximum(full_6p_members, 6 * full_6p) / np.maximum(
        full_6p, 1), 6.0)
    size_counts = np.zeros((n, MAX_SIZE), dtype=np.int64)
    size_counts[:, :5] = sizes[:, :5]
    size_counts += _large_household_sizes(rng, sizes[:, 5], mean_6p)

    dwelling = np.stack([col(c) for c in DWELLING_COLUMNS], axis=1)
    gen_hh = size_counts.sum(axis=1)
    diff = gen_hh - dwelling.sum(axis=1)
    repairs["emd_dwelling_total_adjusted"] = int(np.count_nonzero(diff))
    dwelling = _absorb_difference(dwelling, diff)

    special_hh: dict[str, np.ndarray] = {}
    special_members: dict[str, np.ndarray] = {}
    for kind in SPECIAL_KINDS:
        hh = col(f"{kind}_hh")
        mem = np.stack([col(f"{kind}_M"), col(f"{kind}_F")], axis=1)
        total = mem.sum(axis=1)
        no_hh = (hh == 0) & (total > 0)
        hh = np.where(no_hh, np.maximum(1, total // TYPICAL_SIZE[kind]), hh)
        too_many_hh = hh > total
        hh = np.where(too_many_hh, total, hh)
        repairs[f"emd_{kind}_households_added_for_members"] = int(no_hh.sum())
        repairs[f"emd_{kind}_households_capped_by_members"] = int(too_many_hh.sum())
        special_hh[kind] = hh
        special_members[kind] = mem

    codes = names.select("sigungu_code").to_series().to_list()
    present = sorted(set(table["sigungu_code"].to_list()))
    unknown = [c for c in present if c not in codes]
    if unknown:
        raise ValueError(f"census areas in unknown si-gun-gu codes {unknown[:5]}")
    sigungu = names.filter(pl.col("sigungu_code").is_in(present)).sort("sigungu_code")
    index = {c: i for i, c in enumerate(sigungu["sigungu_code"].to_list())}
    table = table.with_columns(
        pl.col("sigungu_code").replace_strict(index, return_dtype=pl.Int32).alias("sgg_idx")
    )
    korean_age_sex = _korean_age_sex_targets(
        census.age_sex if census.age_sex is not None else age_sex_sigungu(census.year),
        sigungu, table["sgg_idx"].to_numpy(),
        np.stack([col("mem_M"), col("mem_F")], axis=1) - special_members["for"],
    )
    return RunControls(
        year=census.year, scale=scale, emd=table, sigungu=sigungu, size_counts=size_counts,
        dwelling=dwelling, special_hh=special_hh, special_members=special_members,
        korean_age_sex=korean_age_sex, repairs=repairs,
        korean_age_sex_single=split_single_years(korean_age_sex, sigungu, repairs),
        general_members=np.stack([col("gen_M"), col("gen_F")], axis=1),
    )


def _large_household_sizes(rng: np.random.Generator, n6: np.ndarray,
                           mean_size: np.ndarray) -> np.ndarray:
    """Split each area's 6+ households into sizes 6..MAX_SIZE with the area's mean size.

    Sizes above 6 follow a truncated geometric law whose mean matches the area's average.
    """
    out = np.zeros((n6.size, MAX_SIZE), dtype=np.int64)
    extra_mean = np.clip(mean_size - 6.0, 0.0, MAX_SIZE - 6.0)
    p = 1.0 / (1.0 + extra_mean)  # geometric on {0, 1, ...} with this mean
    total = int(n6.sum())
    owner = np.repeat(np.arange(n6.size), n6)
    extra = np.minimum(rng.geometric(p[owner]) - 1, MAX_SIZE - 6) if total else owner
    out += count_cells(out.shape, owner, 5 + extra).astype(np.int64)
    return out


def _absorb_difference(counts: np.ndarray, diff: np.ndarray) -> np.ndarray:
    """Add ``diff`` to each row's largest category, never going below zero."""
    out = counts.copy()
    rows = np.arange(out.shape[0])
    largest = out.argmax(axis=1)
    out[rows, largest] += diff
    negative = out < 0
    if negative.any():
        # Spread any deficit left over across the remaining categories in order.
        deficit = np.where(negative, -out, 0).sum(axis=1)
        out[negative] = 0
        for c in range(out.shape[1]):
            take = np.minimum(out[:, c], deficit)
            out[:, c] -= take
            deficit -= take
    return out


def _korean_age_sex_targets(ages: pl.DataFrame, sigungu: pl.DataFrame, sgg_idx: np.ndarray,
                            korean_members: np.ndarray) -> np.ndarray:
    """Resident-registration age shares x census Korean members, per si-gun-gu and sex."""
    n_sgg = sigungu.height
    members = np.zeros((n_sgg, 2))
    np.add.at(members, sgg_idx, np.maximum(korean_members, 0))
    index = {c: i for i, c in enumerate(sigungu["sigungu_code"].to_list())}
    ages = ages.filter(pl.col("sigungu_code").is_in(list(index)))
    counts = np.zeros((n_sgg, 2, len(AGE_GROUPS)))
    g = ages["sigungu_code"].replace_strict(index, return_dtype=pl.Int32).to_numpy()
    s = (ages["sex"] == "F").cast(pl.Int8).to_numpy()
    a = ages["age_group_idx"].to_numpy()
    np.add.at(counts, (g, s, a), ages["population"].to_numpy())
    totals = counts.sum(axis=2, keepdims=True)
    if np.any((totals == 0) & (members[:, :, None] > 0)):
        missing = sigungu["sigungu_code"].to_numpy()[(totals[:, :, 0] == 0).any(axis=1)]
        raise ValueError(f"no age table for si-gun-gu {list(missing)[:5]}")
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    return shares * members[:, :, None]


def split_single_years(by5: np.ndarray, sigungu: pl.DataFrame,
                       repairs: dict[str, int]) -> np.ndarray:
    """Split each si-gun-gu's sex x 5-year targets into single years with the MOIS June 2025
    single-year shares of the same si-gun-gu and sex.

    A si-gun-gu missing from the single-year table (a 2020 code) uses the national shares;
    a 5-year group with no registered person but a positive target is split evenly. Both
    are counted in ``repairs``.
    """
    n_sgg = by5.shape[0]
    index = {c: i for i, c in enumerate(sigungu["sigungu_code"].to_list())}
    table = single_year_age_sex_sigungu()
    counts = np.zeros((n_sgg, 2, SINGLE_AGES))
    known = table.filter(pl.col("sigungu_code").is_in(list(index)))
    g = known["sigungu_code"].replace_strict(index, return_dtype=pl.Int32).to_numpy()
    sex = (known["sex"] == "F").cast(pl.Int8).to_numpy()
    np.add.at(counts, (g, sex, known["age"].to_numpy()), known["population"].to_numpy())
    national = np.zeros((2, SINGLE_AGES))
    np.add.at(national, ((table["sex"] == "F").cast(pl.Int8).to_numpy(),
                         table["age"].to_numpy()), table["population"].to_numpy())
    absent = counts.sum(axis=(1, 2)) == 0
    counts[absent] = national
    repairs["si_gun_gu_single_year_shares_from_national"] = int(absent.sum())
    group = np.minimum(np.arange(SINGLE_AGES) // 5, len(AGE_GROUPS) - 1)
    onehot = np.zeros((SINGLE_AGES, len(AGE_GROUPS)))
    onehot[np.arange(SINGLE_AGES), group] = 1.0
    totals = counts @ onehot
    empty = (totals == 0) & (by5 > 0)
    repairs["age_groups_split_evenly_into_single_years"] = int(empty.sum())
    width = np.bincount(group).astype(np.float64)
    share = np.where(totals[:, :, group] > 0,
                     counts / np.where(totals[:, :, group] > 0, totals[:, :, group], 1.0),
                     1.0 / width[group])
    return by5[:, :, group] * share
