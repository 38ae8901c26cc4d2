"""Reference tables copied into the package from official releases (see each CSV's header).

``scripts/extract_reference_tables.py`` regenerates the derived files from ../shared; at run
time only the copies in ``synthsoc/data/reference/`` are read.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import polars as pl

AGE_GROUPS: tuple[str, ...] = tuple(f"{a}-{a + 4}" for a in range(0, 100, 5)) + ("100+",)


def reference_path(name: str) -> Path:
    return Path(str(files("synthsoc.data") / "reference" / name))


def read_reference_csv(name: str) -> pl.DataFrame:
    """Read a packaged CSV, skipping its ``#`` source lines."""
    return pl.read_csv(reference_path(name), comment_prefix="#", infer_schema_length=10000)


def source_lines(name: str) -> list[str]:
    """The ``# source`` header lines of a packaged CSV, without the ``#``."""
    lines = []
    with reference_path(name).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            lines.append(line[1:].strip())
    return lines


@cache
def sigungu_names(year: int) -> pl.DataFrame:
    """KOSTAT si-gun-gu codes of a census year with Korean and English names."""
    frame = read_reference_csv("sigungu_names.csv").filter(pl.col("census_year") == year)
    return frame.with_columns(
        pl.col("sigungu_code").cast(pl.Utf8).str.zfill(5),
        pl.col("sido_code").cast(pl.Utf8).str.zfill(2),
        pl.col("sigungu_name").fill_null(""),  # Sejong has no si-gun-gu below the province
    )


@cache
def age_sex_sigungu(year: int) -> pl.DataFrame:
    """Resident-registration population by si-gun-gu, sex and 5-year age group."""
    frame = read_reference_csv("age_sex_sigungu_resident_registration.csv")
    order = {g: i for i, g in enumerate(AGE_GROUPS)}
    return frame.filter(pl.col("census_year") == year).with_columns(
        pl.col("sigungu_code").cast(pl.Utf8).str.zfill(5),
        pl.col("age_group").replace_strict(order, return_dtype=pl.Int8).alias("age_group_idx"),
    )


def one_person_age_sex_shares() -> pl.DataFrame:
    """Official age x sex distribution of one-person householders (2023), as joint shares.

    Returns columns ``sex_code`` (0 male, 1 female), ``age_low``, ``age_high``, ``share``
    (summing to 1). The under-20 group starts at 18: householders must be adults here.
    Each sex's within-sex distribution is weighted by that sex's share of one-person
    households (male 51.2%: ASSUMPTION from the 2023 headline that men head slightly more
    one-person households; the table itself gives within-sex shares only).
    """
    table = read_reference_csv("one_person_households_by_age_sex_partial_2023_2024.csv").filter(
        (pl.col("year") == 2023)
        & (pl.col("indicator") == "share_of_one_person_households_of_that_sex")
        & pl.col("sex").is_in(["male", "female"])
        & pl.col("age_group").is_in(["<20", "20-29", "30-39", "40-49", "50-59", "60-69",
                                     "70-79", "80+"])
    )
    bounds = {"<20": (18, 19), "20-29": (20, 29), "30-39": (30, 39), "40-49": (40, 49),
              "50-59": (50, 59), "60-69": (60, 69), "70-79": (70, 79), "80+": (80, 104)}
    sex_weight = {"male": MALE_SHARE_OF_ONE_PERSON, "female": 1.0 - MALE_SHARE_OF_ONE_PERSON}
    rows = []
    for sex, group, value in table.select("sex", "age_group", "value").iter_rows():
        low, high = bounds[group]
        rows.append({"sex_code": 0 if sex == "male" else 1, "age_low": low, "age_high": high,
                     "share": float(value) / 100.0 * sex_weight[sex]})
    frame = pl.DataFrame(rows)
    return frame.with_columns(pl.col("share") / pl.col("share").sum())


MALE_SHARE_OF_ONE_PERSON = 0.512


EAPS_AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("15-19", 15, 19), ("20-29", 20, 29), ("30-39", 30, 39), ("40-49", 40, 49),
    ("50-59", 50, 59), ("60+", 60, 200),
)


@cache
def eaps_rates_2024() -> pl.DataFrame:
    """EAPS 2024 employment and unemployment rates (%) by age band, both sexes.

    The source is monthly; these are the plain means of the 12 months of 2024 (computed
    here, not published as such).
    """
    frame = read_reference_csv("eaps_monthly_by_age_group_2024.csv")
    bands = [b[0] for b in EAPS_AGE_BANDS]
    return (
        frame.filter(pl.col("age_group").is_in(bands)
                     & pl.col("indicator").is_in(["employment_rate", "unemployment_rate"]))
        .group_by("age_group", "indicator").agg(pl.col("value").cast(pl.Float64).mean())
        .pivot(on="indicator", index="age_group", values="value")
        .sort("age_group")
    )


@cache
def top_surnames() -> pl.DataFrame:
    """Top-10 surnames with their share of the population (2015 census)."""
    frame = read_reference_csv("surnames_census_2015_top10.csv")
    return frame.filter(pl.col("level") == "surname").select(
        "name_ko", (pl.col("pct").cast(pl.Float64) / 100.0).alias("share")
    )


@cache
def household_income_shares() -> dict[str, float]:
    """Household shares by annual income bracket, income year 2022 (fractions).

    The source gives five brackets from 10 million KRW up; the under-10-million share is
    the remainder to 100% (derived here, not stated in the source).
    """
    frame = read_reference_csv("household_income_partial_2022.csv").filter(
        (pl.col("indicator") == "share of households") & (pl.col("region") == "national")
        & pl.col("group").str.starts_with("income ")
    )
    keys = {"income 10-30 million KRW": "10_30m", "income 30-50 million KRW": "30_50m",
            "income 50-70 million KRW": "50_70m", "income 70-100 million KRW": "70_100m",
            "income 100 million KRW or more": "100m_plus"}
    shares = {keys[g]: float(v) / 100.0 for g, v in frame.select("group", "value").iter_rows()}
    shares = {"under_10m": 1.0 - sum(shares.values()), **shares}
    return shares
