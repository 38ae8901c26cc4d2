"""The fit report's person figures, which come from one compiled tally of every person
(``synth.person_tally``), against the same figures counted here straight from
persons.parquet / households.parquet with polars."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from synthsoc.synth import load_population, schema
from synthsoc.synth.populate import PopulateResult
from synthsoc.synth.seeds import ROLE
from synthsoc.synth.tally import count_values
from synthsoc.synth.targets import couple_ages


@pytest.fixture(scope="module")
def tables(sejong_run: PopulateResult) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    population = load_population(sejong_run.out)
    persons = population.persons.with_columns(pl.col(pl.Categorical).cast(pl.Utf8))
    households = population.households.with_columns(pl.col(pl.Categorical).cast(pl.Utf8))
    report = json.loads((sejong_run.out / schema.FIT_REPORT_FILE).read_text())
    return persons, households, report


def _audit(report: dict, table: str) -> dict:
    items = report["joint_audit"]["comparisons_with_official_joint_tables"]
    return next(item for item in items if item["table"] == table)


def _share(frame: pl.DataFrame, within: pl.Expr, keep: pl.Expr) -> float:
    sel = frame.filter(within)
    return sel.filter(keep).height / sel.height


def test_shares_of_koreans_match_a_direct_count(tables: tuple) -> None:
    persons, _, report = tables
    korean = pl.col("nationality") == "korean"
    age = pl.col("age")
    checks = {
        "never-married share, total 30-39 (2020 census sample)":
            _share(persons, korean & age.is_between(30, 39),
                   pl.col("marital_status") == "never_married"),
        "never-married share, female 18+ (2023 register census)":
            _share(persons, korean & (age >= 18) & (pl.col("sex") == "F"),
                   pl.col("marital_status") == "never_married"),
        "widowed or divorced share, 18+ (2023 register census)":
            _share(persons, korean & (age >= 18),
                   pl.col("marital_status").is_in(["widowed", "divorced"])),
        "married share, Sejong 18+ (2023 register census)":
            _share(persons, korean & (age >= 18) & (pl.col("sido_code") == "29"),
                   pl.col("marital_status") == "married"),
        "education 30+: university or higher (incl. 2-3yr college) (2020 census sample)":
            _share(persons, korean & (age >= 30),
                   pl.col("education").is_in(["college", "university", "graduate"])),
        "employment rate 15-64, male (EAPS 2023)":
            _share(persons, korean & age.is_between(15, 64) & (pl.col("sex") == "M")
                   & (pl.col("economic_activity") != "military_service"),
                   pl.col("economic_activity") == "employed"),
    }
    for table, expected in checks.items():
        assert _audit(report, table)["synthetic"] == pytest.approx(round(expected, 4),
                                                                   abs=1e-9), table
    adults = persons.filter(korean & (age >= 15))
    marital = _audit(report, "marital status, 15+ (2020 census sample)")
    counts = np.array([adults.filter(pl.col("marital_status") == m).height
                       for m in ("married", "never_married", "widowed", "divorced")])
    assert marital["synthetic"] == pytest.approx((counts / counts.sum()).round(4).tolist())


def test_control_tables_count_every_person(tables: tuple) -> None:
    persons, households, report = tables
    controls = report["controls"]
    assert controls["persons_by_sex"]["eup_myeon_dong"]["synthetic_total"] == persons.height
    outside_foreign = persons.join(households.select("household_id", "kind"),
                                   on="household_id").filter(pl.col("kind") != "foreign")
    for table in ("korean_persons_by_sex_age5", "korean_persons_by_sex_single_year_age"):
        assert controls[table]["si_gun_gu"]["synthetic_total"] == outside_foreign.height
    conscripts = persons.filter(pl.col("economic_activity") == "military_service").height
    assert report["military_service"]["serving_conscripts"] == conscripts
    joint = report["fitted_joints"]["conscripts_by_single_year_age"]["national"]
    korean_men = persons.filter((pl.col("nationality") == "korean") & (pl.col("sex") == "M"))
    assert joint["synthetic_total"] == korean_men.height


def test_structural_checks_match_a_direct_count(tables: tuple) -> None:
    persons, _, report = tables
    checks = report["structural_checks"]
    age = pl.col("age")
    edu = pl.col("education")
    beyond = (((edu != "none") & (age < 7)) | (edu.is_in(["middle", "high", "college",
                                                          "university", "graduate"]) & (age < 13))
              | (edu.is_in(["high", "college", "university", "graduate"]) & (age < 16))
              | (edu.is_in(["college", "university", "graduate"]) & (age < 19)))
    direct = {
        "schooling_beyond_age": persons.filter(beyond).height,
        "married_under_18": persons.filter((pl.col("marital_status") == "married")
                                           & (age < 18)).height,
        "coded_under_15_from_15": persons.filter(
            (pl.col("economic_activity") == "under_15") & (age >= 15)).height,
        "job_seeking_or_inactive_coded_under_15": persons.filter(
            (pl.col("economic_activity") != "under_15") & (age < 15)).height,
    }
    for name, value in direct.items():
        assert checks[name] == value, name


def test_count_values_is_bincount_and_refuses_values_out_of_range() -> None:
    values = np.random.default_rng(1).integers(0, 50, 10_000).astype(np.int32)
    np.testing.assert_array_equal(count_values(values, 60), np.bincount(values, minlength=60))
    values[0] = 49
    with pytest.raises(ValueError, match=r"values must lie in \[0, 49\)"):
        count_values(values, 49)


def test_couple_ages_pairs_each_spouse_with_the_head_of_their_household() -> None:
    # households: 0 husband head + wife; 1 wife head + husband; 2 head alone; 3 head + child
    role = np.array([ROLE["head"], ROLE["spouse"], ROLE["spouse"], ROLE["head"], ROLE["head"],
                     ROLE["head"], ROLE["child"]], dtype=np.int8)
    sex = np.array([0, 1, 0, 1, 0, 1, 0], dtype=np.int8)
    age = np.array([50, 47, 38, 41, 70, 33, 5], dtype=np.int16)
    household = np.array([0, 0, 1, 1, 2, 3, 3], dtype=np.int32)
    hh, husband, wife = couple_ages(role, sex, age, household, 4)
    np.testing.assert_array_equal(hh, [0, 1])
    np.testing.assert_array_equal(husband, [50, 38])
    np.testing.assert_array_equal(wife, [47, 41])
    with pytest.raises(ValueError, match=r"households must lie in \[0, 3\), got 0..3"):
        couple_ages(role, sex, age, household, 3)
