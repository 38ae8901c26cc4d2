"""Reference tables copied into the package from official releases (see each CSV's header).

``scripts/extract_reference_tables.py`` regenerates the derived files from ../shared; at run
time only the copies in ``synthsoc/data/reference/`` are read.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import polars as pl

AGE_GROUPS: tuple[str, ...] = tuple(f"{a}-{a + 4}" for a in range(0, 100, 5)) + ("100+",)


def reference_path(name: str) -> Path:
    return Path(str(files("synthsoc.data") / "reference" / name))


@cache
def read_reference_csv(name: str) -> pl.DataFrame:
    """Read a packaged CSV, skipping its ``#`` source lines (once per process: the packaged
    files do not change while it runs)."""
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
    householders (``one_person_male_share``, solved from the published both-sex shares).
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
    male = one_person_male_share()
    sex_weight = {"male": male, "female": 1.0 - male}
    rows = []
    for sex, group, value in table.select("sex", "age_group", "value").iter_rows():
        low, high = bounds[group]
        rows.append({"sex_code": 0 if sex == "male" else 1, "age_low": low, "age_high": high,
                     "share": float(value) / 100.0 * sex_weight[sex]})
    frame = pl.DataFrame(rows)
    return frame.with_columns(pl.col("share") / pl.col("share").sum())



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


SINGLE_AGES = 101  # single years 0..99 and 100 standing for 100 or older


@cache
def single_year_age_sex_sigungu() -> pl.DataFrame:
    """MOIS June 2025 Korean residents by si-gun-gu (2025 census codes), sex and single year
    of age (``age`` 100 = 100 or older)."""
    frame = read_reference_csv("age_sex_single_year_sigungu_2025-06.csv")
    return frame.with_columns(pl.col("sigungu_code").cast(pl.Utf8).str.zfill(5))


FERTILITY_AGE_GROUPS: tuple[str, ...] = ("15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
                                         "45-49")


@cache
def mother_age_at_birth(year: int = 2020) -> tuple[np.ndarray, np.ndarray]:
    """Mother's age at a birth (single years 15..49) and its probabilities.

    National age-specific fertility of ``year``: the si-gun-gu rates averaged with weights
    equal to each district's women of the age group (June 2025 registered residents of the
    same district code and the cohort that was that age in ``year``; districts whose code
    has no 2025 counterpart are left out), spread evenly over the five single years of each
    group, then multiplied by the national number of women of each single age in ``year``
    (the June 2025 count of women ``2025 - year`` years older), which turns rates into the
    distribution of mothers' ages at a birth.
    """
    rates = read_reference_csv("fertility_by_age_sigungu_2010_2020.csv").filter(
        pl.col("year") == year).with_columns(pl.col("sigungu_code").cast(pl.Utf8).str.zfill(5))
    shift = 2025 - year
    women = single_year_age_sex_sigungu().filter(
        (pl.col("sex") == "F") & (pl.col("age") >= 15 + shift) & (pl.col("age") <= 49 + shift)
    ).with_columns((pl.col("age") - shift).alias("age_then"))
    women = women.with_columns(
        pl.format("{}-{}", (pl.col("age_then") // 5) * 5, (pl.col("age_then") // 5) * 5 + 4)
        .alias("age_group"))
    by_group = women.group_by("sigungu_code", "age_group").agg(pl.col("population").sum())
    joined = rates.join(by_group, on=["sigungu_code", "age_group"], how="inner")
    national = dict(joined.group_by("age_group").agg(
        (pl.col("births_per_1000_women") * pl.col("population")).sum()
        / pl.col("population").sum()).iter_rows())
    missing = [g for g in FERTILITY_AGE_GROUPS if g not in national]
    if missing:
        raise ValueError(f"fertility_by_age_sigungu_2010_2020.csv: no rates for {year} "
                         f"age groups {missing}")
    ages = np.arange(15, 50)
    rate = np.repeat([float(national[g]) for g in FERTILITY_AGE_GROUPS], 5)
    by_age = dict(women.group_by("age_then").agg(pl.col("population").sum()).iter_rows())
    weights = rate * np.array([by_age[a] for a in ages], dtype=np.float64)
    return ages, weights / weights.sum()


@cache
def spouse_age_gap() -> tuple[np.ndarray, np.ndarray]:
    """Husband's age minus wife's (years) and its probabilities, first marriages 2023.

    Categories are spread evenly over their years. The 2023 release gives husband-older
    6+ years only as the remainder (64.2 - 25.7 - 24.5); it is split into 6-9 and 10+ with
    the 2013 ratio. The open ends (husband 10+, wife 10+) are spread over 10-15 and 10-12
    years: ASSUMPTIONS.
    """
    frame = read_reference_csv(
        "vital_stats_marriage_age_gap_births_by_mother_age_partial_2013_2023.csv").filter(
        pl.col("indicator") == "first_marriage_couples_by_spouse_age_gap")
    value = {(int(y), c): float(v) for y, c, v in
             frame.select("year", "category", "value").iter_rows()}
    h_total = value[(2023, "husband_older_total")]
    h_six_plus = h_total - value[(2023, "husband_older_1_2y")] - value[(2023,
                                                                      "husband_older_3_5y")]
    h13_ten = value[(2013, "husband_older_10y_plus")]
    h13_six = (value[(2013, "husband_older_total")] - value[(2013, "husband_older_1_2y")]
               - value[(2013, "husband_older_3_5y")])
    ten_share = h13_ten / h13_six
    bands = [  # (low, high, percent); positive = husband older
        (1, 2, value[(2023, "husband_older_1_2y")]),
        (3, 5, value[(2023, "husband_older_3_5y")]),
        (6, 9, h_six_plus * (1.0 - ten_share)),
        (10, 15, h_six_plus * ten_share),
        (0, 0, value[(2023, "same_age")]),
        (-2, -1, value[(2023, "wife_older_1_2y")]),
        (-5, -3, value[(2023, "wife_older_3_5y")]),
        (-9, -6, value[(2023, "wife_older_6_9y")]),
        (-12, -10, value[(2023, "wife_older_10y_plus")]),
    ]
    gaps = np.arange(-12, 16)
    probs = np.zeros(gaps.size)
    for low, high, pct in bands:
        sel = (gaps >= low) & (gaps <= high)
        probs[sel] += pct / sel.sum()
    return gaps, probs / probs.sum()


@cache
def first_marriage_gap_bands(year: int) -> np.ndarray:
    """Shares of first marriages of ``year`` by husband-minus-wife age gap in five bands:
    wife older, same age, husband older 1-2, 3-5 and 6+ years (the 6+ band is the stated
    husband-older total less the two stated bands)."""
    frame = read_reference_csv(
        "vital_stats_marriage_age_gap_births_by_mother_age_partial_2013_2023.csv").filter(
        (pl.col("indicator") == "first_marriage_couples_by_spouse_age_gap")
        & (pl.col("year") == year))
    value = {c: float(v) for c, v in frame.select("category", "value").iter_rows()}
    needed = ("wife_older_total", "same_age", "husband_older_1_2y", "husband_older_3_5y",
              "husband_older_total")
    missing = [c for c in needed if c not in value]
    if missing:
        raise ValueError(f"vital_stats_marriage_age_gap_births_by_mother_age_partial_2013_2023"
                         f".csv: no {year} first-marriage gap rows {missing}")
    shares = np.array([value["wife_older_total"], value["same_age"],
                       value["husband_older_1_2y"], value["husband_older_3_5y"],
                       value["husband_older_total"] - value["husband_older_1_2y"]
                       - value["husband_older_3_5y"]])
    return shares / shares.sum()


@cache
def father_minus_mother_age_at_birth() -> int:
    """Mean age of fathers minus mothers at a birth, 2023, rounded to whole years."""
    frame = read_reference_csv(
        "vital_stats_marriage_age_gap_births_by_mother_age_partial_2013_2023.csv").filter(
        pl.col("category") == "all births")
    mean = dict(frame.select("indicator", "value").iter_rows())
    return int(round(float(mean["mean_age_of_father_at_birth"])
                     - float(mean["mean_age_of_mother_at_birth"])))


MARITAL_AGE_GROUPS: tuple[str, ...] = ("15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
                                       "45-49", "50-54", "55-59", "60-64", "65-69", "70-74",
                                       "75-79", "80-84", "85+")


@cache
def marital_status_shares() -> tuple[list[str], np.ndarray]:
    """Marital status by si-do x sex x 5-year age group (0-4 ... 100+), as shares.

    Returns the si-do codes and an array (n_sido, 2, 21, 4) over never married, married,
    widowed, divorced. An ESTIMATE from three sources (see the fit report's assumptions):

    * the census 2020 ratio r of never married to never married + married by si-do x sex x
      5-year age (persons with middle school or more; the table has no widowed/divorced);
    * the KGSS 2003-2012 age profile of widowed (w) and divorced (v) among the ever
      married by sex x 10-year age, each scaled by one national factor so that the 15+
      shares equal the 2020 census headline (widowed 7.2%, divorced 5.8%; weights: the June
      2025 population of each si-do x sex x age group);
    * with m = 1 - w - v the never-married share is N = r m / (1 - r + r m); the ever
      married (1 - N) split as m, w, v;
    * brought forward to the 2020s: one odds factor per sex on r at ages 20+ and one
      factor on widowed and divorced together (their 2020 ratio kept) so that the adult
      (18+) shares equal the 2023 register census (never married: men 34.2%, women 24.9%;
      widowed or divorced 13.8%). Applying the 2020 ratios to the 2025 age structure gave
      married 60.7% of adults against 56.6% registered in 2023; the census's own trend
      (never married at 30-39: 29.2% in 2010, 36.3% in 2015, 42.5% in 2020) points the
      same way. The census ratio's shape across si-do and ages is kept.

    Under 15 everyone is never married; at 15-19 nobody is widowed or divorced (the census
    table has none there); 85+ applies to 85 and older. Weights: the June 2025 population
    of each si-do x sex x age group (18-19 as two fifths of 15-19).
    """
    census = read_reference_csv("marital_status_by_age_sex_sido_census_2020.csv").with_columns(
        pl.col("sido_code").cast(pl.Utf8).str.zfill(2))
    kgss = read_reference_csv("widowed_divorced_share_kgss_2003_2012.csv")
    split = {(s, int(a)): (float(w), float(v)) for s, a, w, v in
             kgss.select("sex", "age_low", "widowed_share", "divorced_share").iter_rows()}
    sidos = sorted(census["sido_code"].unique().to_list())
    counts = {(c, s, g, m): float(p) for c, s, g, m, p in census.select(
        "sido_code", "sex", "age_group", "marital_status", "persons").iter_rows()}
    n_groups = len(AGE_GROUPS)
    ratio = np.zeros((len(sidos), 2, n_groups))
    widowed = np.zeros((2, n_groups))
    divorced = np.zeros((2, n_groups))
    for i, code in enumerate(sidos):
        for s, sex in enumerate(("male", "female")):
            for k, group in enumerate(MARITAL_AGE_GROUPS):
                never = counts.get((code, sex, group, "never_married"), 0.0)
                married = counts.get((code, sex, group, "married"), 0.0)
                if never + married <= 0:
                    raise ValueError(f"marital_status_by_age_sex_sido_census_2020.csv: no "
                                     f"persons for si-do {code}, {sex}, {group}")
                groups = [3 + k] if group != "85+" else list(range(3 + k, n_groups))
                ratio[i, s, groups] = never / (never + married)
                low = 15 + 5 * k
                if i == 0 and low >= 20:
                    w, v = split[("M" if s == 0 else "F", min(low // 10 * 10, 80))]
                    widowed[s, groups], divorced[s, groups] = w, v
    ratio[:, :, :3] = 1.0
    pop = _population_sido_sex_age5(sidos)
    target = _headline_marital_2020()
    k_w = k_v = 1.0
    for _ in range(50):
        out = _marital_from_ratio(ratio, k_w * widowed, k_v * divorced)
        adult = pop[:, :, 3:, None] * out[:, :, 3:]
        total = adult.sum(axis=(0, 1, 2))
        share = total / total.sum()
        k_w *= target["widowed"] / share[2]
        k_v *= target["divorced"] / share[3]
    adults = pop.copy()
    adults[:, :, :3] = 0.0
    adults[:, :, 3] *= 0.4
    never_2023, lost_2023 = _register_marital_2023()
    odds = np.ones(2)
    k_lost = 1.0
    for _ in range(100):
        shifted = _shift_odds(ratio, odds)
        out = _marital_from_ratio(shifted, k_lost * k_w * widowed, k_lost * k_v * divorced)
        by_sex = (adults[..., None] * out).sum(axis=(0, 2))
        never = by_sex[:, 0] / by_sex.sum(axis=1)
        lost = by_sex[:, 2:].sum() / by_sex.sum()
        # odds of never married move by the ratio of target to current odds
        odds *= (never_2023 / (1 - never_2023)) / (never / (1 - never))
        k_lost *= lost_2023 / lost
    return sidos, _marital_from_ratio(_shift_odds(ratio, odds), k_lost * k_w * widowed,
                                      k_lost * k_v * divorced)


def _shift_odds(ratio: np.ndarray, odds: np.ndarray) -> np.ndarray:
    """The never-married ratio with its odds multiplied by ``odds[sex]`` from age 20."""
    k = np.ones(ratio.shape)
    k[:, :, 4:] = odds[None, :, None]
    return k * ratio / (1.0 - ratio + k * ratio)


def _register_marital_2023() -> tuple[np.ndarray, float]:
    """2023 register census, 18+: never-married shares (men, women) and the widowed or
    divorced share (fractions)."""
    frame = read_reference_csv("marital_status_partial_2020_2023.csv").filter(
        (pl.col("year") == 2023) & (pl.col("age_group") == "18+")
        & (pl.col("region") == "national") & (pl.col("measure") == "pct"))
    value = {(s, m): float(v) for s, m, v in frame.select("sex", "marital_status",
                                                          "value").iter_rows()}
    try:
        never = np.array([value[("male", "never married")], value[("female", "never married")]])
        lost = value[("total", "widowed or divorced")]
    except KeyError as missing:
        raise ValueError(f"marital_status_partial_2020_2023.csv: no 2023 18+ row for "
                         f"{missing}") from None
    return never / 100.0, lost / 100.0


def _marital_from_ratio(ratio: np.ndarray, widowed: np.ndarray,
                        divorced: np.ndarray) -> np.ndarray:
    m = np.clip(1.0 - widowed - divorced, 0.0, 1.0)[None]
    never = ratio * m / (1.0 - ratio + ratio * m)
    ever = 1.0 - never
    return np.stack([never, ever * m, ever * widowed[None], ever * divorced[None]], axis=-1)


def _headline_marital_2020() -> dict[str, float]:
    """Census 2020 national 15+ shares of widowed and divorced (fractions)."""
    frame = read_reference_csv("marital_status_partial_2020_2023.csv").filter(
        (pl.col("year") == 2020) & (pl.col("age_group") == "15+") & (pl.col("sex") == "total")
        & (pl.col("measure") == "pct"))
    pct = dict(frame.select("marital_status", "value").iter_rows())
    return {"widowed": float(pct["widowed"]) / 100.0,
            "divorced": float(pct["divorced"]) / 100.0}


def _population_sido_sex_age5(sidos: list[str]) -> np.ndarray:
    """June 2025 Korean residents by si-do x sex x 5-year age group (weights only)."""
    frame = single_year_age_sex_sigungu().with_columns(
        pl.col("sigungu_code").str.slice(0, 2).alias("sido_code"),
        (pl.col("age") // 5).clip(upper_bound=len(AGE_GROUPS) - 1).alias("group"))
    index = {c: i for i, c in enumerate(sidos)}
    out = np.zeros((len(sidos), 2, len(AGE_GROUPS)))
    for code, sex, group, persons in frame.group_by("sido_code", "sex", "group").agg(
            pl.col("population").sum()).iter_rows():
        if code in index:
            out[index[code], 0 if sex == "M" else 1, group] += persons
    return out


@cache
def one_person_male_share() -> float:
    """Men's share of one-person householders, 2023, solved from the published both-sex
    shares of age groups and the within-sex shares (least squares over the groups given)."""
    table = read_reference_csv("one_person_households_by_age_sex_partial_2023_2024.csv").filter(
        (pl.col("year") == 2023) & (pl.col("region") == "national"))
    within = {(s, g): float(v) for s, g, i, v in table.select(
        "sex", "age_group", "indicator", "value").iter_rows()
        if i == "share_of_one_person_households_of_that_sex"}
    both = {g: float(v) for s, g, i, v in table.select(
        "sex", "age_group", "indicator", "value").iter_rows()
        if i == "share_of_one_person_households" and s == "total"}
    groups = [g for g in both if ("male", g) in within and ("female", g) in within]
    if not groups:
        raise ValueError("one_person_households_by_age_sex_partial_2023_2024.csv: no age "
                         "group with both-sex and within-sex shares")
    x = np.array([within[("male", g)] - within[("female", g)] for g in groups])
    y = np.array([both[g] - within[("female", g)] for g in groups])
    return float((x @ y) / (x @ x))


@cache
def eaps_band_counts_2024() -> dict[str, dict[str, float]]:
    """EAPS 2024 population 15+, employed and unemployed (thousand, mean of the 12 months)
    by age band, with 20-24 and 25-29 derived as differences of the nested bands
    (15-24 minus 15-19, 15-29 minus 15-24)."""
    frame = read_reference_csv("eaps_monthly_by_age_group_2024.csv").filter(
        pl.col("indicator").is_in(["population_15plus", "employed", "unemployed"]))
    mean = {(a, i): float(v) for a, i, v in frame.group_by("age_group", "indicator").agg(
        pl.col("value").cast(pl.Float64).mean()).iter_rows()}
    keys = ("population_15plus", "employed", "unemployed")
    out = {band: {k: mean[(band, k)] for k in keys}
           for band in ("15-19", "30-39", "40-49", "50-59", "60+")}
    out["20-24"] = {k: mean[("15-24", k)] - mean[("15-19", k)] for k in keys}
    out["25-29"] = {k: mean[("15-29", k)] - mean[("15-24", k)] for k in keys}
    return out


EMPLOYMENT_BANDS: tuple[tuple[str, int, int], ...] = (
    ("15-19", 15, 19), ("20-24", 20, 24), ("25-29", 25, 29), ("30-39", 30, 39),
    ("40-49", 40, 49), ("50-59", 50, 59), ("60+", 60, 200),
)


@cache
def female_employment_2023() -> tuple[dict[str, float], dict[str, float]]:
    """EAPS 2023 female employment rates and male-minus-female gaps by 5-year age (%)."""
    frame = read_reference_csv("employment_rate_by_sex_age_partial_2022_2023.csv").filter(
        (pl.col("year") == 2023) & (pl.col("region") == "national"))
    rate = {g: float(v) for s, g, i, v in frame.select("sex", "age_group", "indicator",
                                                        "value").iter_rows()
            if s == "female" and i == "employment_rate" and g[0].isdigit() and "+" not in g
            and g != "15-64"}
    gap = {g: float(v) for s, g, i, v in frame.select("sex", "age_group", "indicator",
                                                       "value").iter_rows()
           if s == "male_minus_female" and i == "employment_rate_gap" and g != "15+"}
    return rate, gap


@cache
def marriage_migrants(year: int = 2020) -> pl.DataFrame:
    """Marriage migrants by si-gun-gu (KOSTAT codes of ``year``) and sex (``M``/``F``)."""
    frame = read_reference_csv("marriage_migrants_sigungu_2010_2020.csv").filter(
        pl.col("year") == year)
    return frame.with_columns(pl.col("sigungu_code").cast(pl.Utf8).str.zfill(5))


# Province names the EAPS province file uses besides the current official ones.
EAPS_PROVINCE_ALIASES: dict[str, str] = {"강원도": "32", "전라북도": "35", "제주도": "39"}


@cache
def employed_by_sido(year: int = 2024) -> dict[str, float]:
    """EAPS employed persons (thousand, annual) by si-do code."""
    frame = read_reference_csv("eaps_by_province_annual_2021_2024.csv").filter(
        (pl.col("year") == year) & (pl.col("region") != "national"))
    codes = dict(sigungu_names(2025).select("sido_name", "sido_code").unique().iter_rows())
    codes.update(EAPS_PROVINCE_ALIASES)
    out = {}
    for region, employed in frame.select("region", "employed_thousand").iter_rows():
        if region not in codes:
            raise ValueError(f"eaps_by_province_annual_2021_2024.csv: unknown region {region!r}")
        out[codes[region]] = float(employed)
    return out


CENSUS_EDUCATION: tuple[str, ...] = ("middle_school", "high_school", "college_2_3yr",
                                     "university_4yr", "graduate")


@cache
def education_middle_plus_shares() -> tuple[list[str], np.ndarray]:
    """Census 2020 distribution over middle school, high school, 2-3 year college, 4-year
    university and graduate school (masters + doctorate) of those who attended at least
    middle school, by si-do x sex x 5-year age group (n_sido, 2, 21, 5); 85+ applies to 85 and
    older; rows under 15 are zero. Highest level attended (graduates, dropouts, enrolled)."""
    frame = read_reference_csv("education_by_age_sex_sido_census_2020.csv").with_columns(
        pl.col("sido_code").cast(pl.Utf8).str.zfill(2),
        pl.col("education").replace({"graduate_masters": "graduate",
                                     "graduate_doctorate": "graduate"}))
    sidos = sorted(frame["sido_code"].unique().to_list())
    index = {c: i for i, c in enumerate(sidos)}
    level = {e: i for i, e in enumerate(CENSUS_EDUCATION)}
    unknown = sorted(set(frame["education"].to_list()) - set(level))
    if unknown:
        raise ValueError(f"education_by_age_sex_sido_census_2020.csv: unknown education "
                         f"{unknown}")
    out = np.zeros((len(sidos), 2, len(AGE_GROUPS), len(CENSUS_EDUCATION)))
    for code, sex, group, edu, persons in frame.select(
            "sido_code", "sex", "age_group", "education", "persons").iter_rows():
        k = MARITAL_AGE_GROUPS.index(group)
        groups = [3 + k] if group != "85+" else list(range(3 + k, len(AGE_GROUPS)))
        for g in groups:
            out[index[code], 0 if sex == "male" else 1, g, level[edu]] += float(persons)
    totals = out.sum(axis=3, keepdims=True)
    return sidos, np.divide(out, totals, out=np.zeros_like(out), where=totals > 0)
