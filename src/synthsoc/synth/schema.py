"""The population format every later layer reads: column names and their allowed values.

A population folder holds ``persons.parquet``, ``households.parquet``, ``regions.parquet``,
``fit_report.json``, ``report.html`` and ``manifest.json`` (written last: a folder without it is
incomplete). Categorical columns are stored as strings with the codes below.
"""

from __future__ import annotations

SEXES: tuple[str, ...] = ("M", "F")

RELATIONSHIPS: tuple[str, ...] = (
    "head",
    "spouse",
    "child",
    "parent",
    "grandchild",
    "sibling",
    "other_relative",
    "non_relative",
    "group_resident",
)

MARITAL_STATUSES: tuple[str, ...] = ("never_married", "married", "widowed", "divorced")

EDUCATION_LEVELS: tuple[str, ...] = (
    "none",
    "elementary",
    "middle",
    "high",
    "college",
    "university",
    "graduate",
)

# ``military_service``: men serving their conscription (outside the EAPS, which covers
# civilians; see ``synth.military``).
ECONOMIC_ACTIVITIES: tuple[str, ...] = ("employed", "unemployed", "inactive", "under_15",
                                        "military_service")

# KSCO (Korean Standard Classification of Occupations) major groups; null when not employed.
OCCUPATION_GROUPS: dict[str, str] = {
    "1": "managers",
    "2": "professionals",
    "3": "clerical",
    "4": "service",
    "5": "sales",
    "6": "agriculture_fishery",
    "7": "craft",
    "8": "machine_operators",
    "9": "elementary",
    "A": "armed_forces",
}

NATIONALITIES: tuple[str, ...] = ("korean", "foreign")

HOUSEHOLD_KINDS: tuple[str, ...] = ("general", "foreign", "institutional", "non_kin_group")

HOUSEHOLD_TYPES: tuple[str, ...] = (
    "one_person",
    "couple",
    "couple_children",
    "single_parent",
    "three_generation",
    "other_family",
    "non_family",
    "group_quarters",
)

DWELLING_TYPES: tuple[str, ...] = (
    "apartment",
    "detached",
    "row_house",
    "multi_family_unit",
    "commercial_building",
    "non_housing",
)

INCOME_BRACKETS: tuple[str, ...] = (
    "under_10m",
    "10_30m",
    "30_50m",
    "50_70m",
    "70_100m",
    "100m_plus",
)

PERSON_COLUMNS: tuple[str, ...] = (
    "person_id",
    "household_id",
    "relationship",
    "age",
    "sex",
    "sido_code",
    "sigungu_code",
    "emd_code",
    "name",
    "marital_status",
    "education",
    "economic_activity",
    "occupation",
    "nationality",
)

HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "household_id",
    "size",
    "kind",
    "type",
    "dwelling_type",
    "income_bracket",
    "head_person_id",
    "sido_code",
    "sigungu_code",
    "emd_code",
)

REGION_COLUMNS: tuple[str, ...] = (
    "emd_code",
    "emd_name",
    "sigungu_code",
    "sigungu_name",
    "sido_code",
    "sido_name",
    "sido_name_en",
)

PERSONS_FILE = "persons.parquet"
HOUSEHOLDS_FILE = "households.parquet"
REGIONS_FILE = "regions.parquet"
FIT_REPORT_FILE = "fit_report.json"
MANIFEST_FILE = "manifest.json"
