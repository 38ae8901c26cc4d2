"""Evidence for the posterior model of the sampled attributes: province tables and covariates.

The bundled tables give education, marital status and employment by province only (census
2020 20% sample by si-do x sex x 5-year age; EAPS 2024 employed by si-do). No table measures
them by district. So the model of :mod:`synthsoc.synth.small_area` is fitted with the 17
provinces as its areas: each province's observed count against the count expected from the
national rates of every sex x age cell applied to its own age structure (indirect
standardisation), with the province's full-count covariates (population-weighted means of its
eup-myeon-dong covariates, standardised over eup-myeon-dong). What the fit learns, and what
identifies a district's deviation, is:

* ``beta``: how the province's age-standardised log-odds move with its covariates (an
  ecological slope across 17 provinces), applied to a district's covariates relative to its
  province's;
* ``sigma_area``: the spread of the provinces' residual log-odds after the covariates, used as
  the spread of a district's own unexplained deviation (ASSUMPTION: districts within a
  province scatter as much as provinces do around the covariate line).

Sampling error of the tables: census counts are used at a fifth of their weighted size (the
20% sample); EAPS counts are used at their weighted size (the survey's own sample size is not
in the bundled files), so the province rates are treated as known and only the between-province
spread carries uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from synthsoc.data.census import load_emd_controls
from synthsoc.data.reference import employed_by_sido, read_reference_csv
from synthsoc.synth.attributes import _civilians_by_sido, employment_schedule
from synthsoc.synth.small_area import AreaData, SmallAreaError
from synthsoc.synth.small_area_validation import COVARIATES, covariate_exprs

CENSUS_SAMPLE_FRACTION = 0.2  # the 2020 census long form is a 20% sample (file's source line)
EDUCATION_FILE = "education_by_age_sex_sido_census_2020.csv"
MARITAL_FILE = "marital_status_by_age_sex_sido_census_2020.csv"
EAPS_FILE = "eaps_by_province_annual_2021_2024.csv"
TERTIARY = ("college_2_3yr", "university_4yr", "graduate_masters", "graduate_doctorate")
MARITAL_AGES = ("20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59")


@dataclass(frozen=True)
class AttributeEvidence:
    """One sampled attribute's province-level data and the district covariates."""

    attribute: str  # persons.parquet column
    indicator: str  # what the modelled rate counts
    source: str
    provinces: AreaData  # 17 areas: the model's fitting data
    emd_codes: tuple[str, ...]
    emd_covariates: np.ndarray  # eup-myeon-dong x K, standardised over eup-myeon-dong
    emd_province_covariates: np.ndarray  # the province means, per eup-myeon-dong


@cache
def _covariates(year: int) -> tuple[tuple[str, ...], list[str], np.ndarray, np.ndarray,
                                    list[str]]:
    """Eup-myeon-dong codes, their si-do codes, standardised covariates, province means."""
    table = load_emd_controls(year).table.sort("emd_code")
    frame = table.select("emd_code", "sido_code", "pop_total", *covariate_exprs())
    x = frame.select(COVARIATES).to_numpy().astype(np.float64)
    sd = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    sido = frame["sido_code"].to_list()
    codes = sorted(set(sido))
    index = np.array([codes.index(s) for s in sido])
    weight = frame["pop_total"].to_numpy().astype(np.float64)
    means = np.zeros((len(codes), x.shape[1]))
    np.add.at(means, index, x * weight[:, None])
    total = np.bincount(index, weights=weight, minlength=len(codes))
    means /= np.where(total > 0, total, 1.0)[:, None]
    return tuple(frame["emd_code"].to_list()), codes, x, means, sido


def _standardised(y: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Province counts and indirectly standardised expected rates from (province x cell)
    indicator counts ``y`` out of ``n``."""
    national = y.sum(axis=0) / np.where(n.sum(axis=0) > 0, n.sum(axis=0), 1.0)
    expected = (n * national).sum(axis=1) / n.sum(axis=1)
    return y.sum(axis=1), n.sum(axis=1), expected


def _evidence(attribute: str, indicator: str, source: str, year: int, sidos: list[str],
              y: np.ndarray, n: np.ndarray, expected: np.ndarray) -> AttributeEvidence:
    emd, codes, x, means, emd_sido = _covariates(year)
    missing = sorted(set(sidos) ^ set(codes))
    if missing:
        raise SmallAreaError(f"{source}: si-do {missing} are not in both the table and the "
                             f"{year} eup-myeon-dong covariates")
    order = [sidos.index(c) for c in codes]
    data = AreaData(
        area_codes=tuple(codes), mid_index=np.zeros(len(codes), dtype=np.int64),
        parent_rate=expected[order], covariates=means, covariate_names=COVARIATES,
        sample_n=n[order].astype(np.int64), sample_y=y[order].astype(np.int64))
    return AttributeEvidence(attribute, indicator, source, data, emd, x,
                             means[[codes.index(s) for s in emd_sido]])


def _census_cells(name: str, column: str, positive: tuple[str, ...],
                  ages: tuple[str, ...] | None) -> tuple[list[str], np.ndarray, np.ndarray]:
    frame = read_reference_csv(name).with_columns(pl.col("sido_code").cast(pl.Utf8).str.zfill(2))
    frame = frame.filter(~pl.col("age_group").is_in(["15-19"]))
    if ages is not None:
        frame = frame.filter(pl.col("age_group").is_in(list(ages)))
    cells = frame.group_by("sido_code", "sex", "age_group").agg(
        pl.col("persons").filter(pl.col(column).is_in(list(positive))).sum().alias("y"),
        pl.col("persons").sum().alias("n")).sort("sido_code", "sex", "age_group")
    sidos = sorted(cells["sido_code"].unique().to_list())
    keys = cells.select("sex", "age_group").unique().sort("sex", "age_group").rows()
    y = np.zeros((len(sidos), len(keys)))
    n = np.zeros_like(y)
    for sido, sex, age, yy, nn in cells.iter_rows():
        i, j = sidos.index(sido), keys.index((sex, age))
        y[i, j], n[i, j] = yy, nn
    return sidos, y * CENSUS_SAMPLE_FRACTION, n * CENSUS_SAMPLE_FRACTION


def education_evidence(year: int) -> AttributeEvidence:
    """Tertiary (2-3 year college or more) among persons 20+ with middle school or more."""
    sidos, y, n = _census_cells(EDUCATION_FILE, "education", TERTIARY, None)
    total_y, total_n, expected = _standardised(np.round(y), np.round(n))
    return _evidence("education", "college, university or graduate school (20+)",
                     f"{EDUCATION_FILE} (census 2020, 20% sample)", year, sidos,
                     total_y, total_n, expected)


def marital_evidence(year: int) -> AttributeEvidence:
    """Never married among never married + married persons aged 20-59."""
    sidos, y, n = _census_cells(MARITAL_FILE, "marital_status", ("never_married",),
                                MARITAL_AGES)
    total_y, total_n, expected = _standardised(np.round(y), np.round(n))
    return _evidence("marital_status", "never married (20-59, of never married + married)",
                     f"{MARITAL_FILE} (census 2020, 20% sample)", year, sidos,
                     total_y, total_n, expected)


def employment_evidence(year: int) -> AttributeEvidence:
    """Employed among civilians 15+ (EAPS 2024 employed by si-do over June 2025 residents)."""
    codes, pop = _civilians_by_sido()
    employ, _ = employment_schedule()
    adult = pop[:, :, 15:].reshape(len(codes), -1)
    expected_count = (pop * employ[None])[:, :, 15:].reshape(len(codes), -1)
    official = employed_by_sido()
    missing = [c for c in codes if c not in official]
    if missing:
        raise SmallAreaError(f"{EAPS_FILE}: no 2024 row for si-do {missing}")
    employed = np.array([official[c] * 1000.0 for c in codes])
    n = adult.sum(axis=1)
    y = np.minimum(np.round(employed), np.round(n))
    expected = expected_count.sum(axis=1) / n
    expected *= y.sum() / (expected * n).sum()  # the national rate: the EAPS total
    return _evidence("economic_activity", "employed (civilians 15+)",
                     f"{EAPS_FILE} (EAPS 2024) over June 2025 civilian residents", year,
                     codes, y, np.round(n), expected)


EVIDENCE = {"education": education_evidence, "marital_status": marital_evidence,
            "economic_activity": employment_evidence}
