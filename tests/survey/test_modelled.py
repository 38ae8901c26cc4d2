"""Segments no data measured: modelled, 0 respondents, and wide (issue 9).

Expected intervals are computed by hand from the method's definition (a group effect
N(0, 1) per answer on the log scale, so a binary share's log-odds move by N(0, 2)) and from
counts in the fixture population, never from the engine's own output.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import beta, norm

from synthsoc.survey import CalibratedEngine, parse_questionnaire, run_survey, write_outputs
from synthsoc.survey.modelled import table_uncovered, widen_draws
from synthsoc.synth import load_population

Z95 = float(norm.ppf(0.975))
YES_NO = {"id": "buy", "type": "single_choice", "text": "사시겠습니까?", "options": ["yes", "no"]}


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _modelled_interval(p: float) -> tuple[float, float]:
    """Hand formula: 95% interval of expit(logit p + N(0, 2))."""
    logit = math.log(p / (1.0 - p))
    return _expit(logit - Z95 * math.sqrt(2.0)), _expit(logit + Z95 * math.sqrt(2.0))


def _rows(result: object, segment: str, category: str = "yes") -> dict[str, dict[str, object]]:
    return {
        str(r["group"]): r
        for r in result.rows  # type: ignore[attr-defined]
        if r["segment"] == segment and r["category"] == category
    }


def _width(row: dict[str, object]) -> float:
    return float(row["ci_high"]) - float(row["ci_low"])  # type: ignore[arg-type]


def test_attribute_the_data_lack_is_modelled_with_the_prior_width(
    population_dir: Path, tmp_path: Path
) -> None:
    # 20,000 respondents by sex only, exactly 30% yes in each sex; region is not in the data
    sex = np.repeat(["M", "F"], 10_000)
    buy = np.tile(np.repeat(["yes", "no"], [3_000, 7_000]), 2)
    data = tmp_path / "by_sex.csv"
    pl.DataFrame({"sex": sex, "buy": buy}).write_csv(data)
    q = parse_questionnaire({"id": "t", "segments": ["sex", "region"], "questions": [YES_NO]})
    engine = CalibratedEngine(data=data, n_draws=200)
    result = run_survey(q, load_population(population_dir), engine, seed=3, n_boot=4000)
    low, high = _modelled_interval(0.3)  # 0.026 .. 0.873
    regions = _rows(result, "region")
    assert set(regions) == {"Seoul", "Busan", "Gyeonggi-do", "Jeju-do"}
    for row in regions.values():
        assert (row["n_respondents"], row["n_effective"], row["basis"]) == (0, 0.0, "modelled")
        assert row["share"] == pytest.approx(0.3, abs=0.005)  # the pooled estimate, unchanged
        assert row["ci_low"] == pytest.approx(low, abs=0.006)
        assert row["ci_high"] == pytest.approx(high, abs=0.025)
    # measured segments and the total are not widened: binomial 0.3 +- 1.96 sqrt(.21 / n)
    for group, n in (("M", 10_000), ("F", 10_000)):
        row = _rows(result, "sex")[group]
        assert (row["n_respondents"], row["basis"]) == (n, "measured")
        assert _width(row) == pytest.approx(2 * Z95 * math.sqrt(0.21 / n), rel=0.3)
    assert _width(_rows(result, "all")["all"]) < 0.02
    assert any("segments by region" in n and "wide" in n for n in result.notes)
    # the report says it first, in Korean: 2 measured groups (sexes), 4 modelled (regions)
    report = (write_outputs(result, q, tmp_path / "out") / "report.md").read_text("utf-8")
    assert "- 집단별 근거(문항을 합쳐 센 집단 수): 실측 2개, 모형 추정(응답자 없음) 4개." in report
    regions = "시도 경기도, 시도 부산광역시, 시도 서울특별시, 시도 제주특별자치도"
    assert f"- 모형 추정(응답자 없음): {regions}." in report
    assert "### 엔진 기록\n" in report and "원문, 영어" not in report  # the notes in Korean


def test_unsurveyed_segment_is_never_tighter_than_a_measured_one_of_similar_size(
    population_dir: Path, tmp_path: Path
) -> None:
    # a pilot of 640 by age group only (young 80% yes, old 20%): about 107 per age group, each
    # age group a sixth of the population; regions (10-35% of it) are not in the data
    rng = np.random.default_rng(5)
    ages = ["19-29", "30-39", "40-49", "50-59", "60-69", "70+"]
    age = rng.choice(ages, 640)
    yes = rng.random(640) < np.where(np.isin(age, ages[:2]), 0.8, 0.2)
    data = tmp_path / "pilot.csv"
    pl.DataFrame({"age_group": age, "buy": np.where(yes, "yes", "no")}).write_csv(data)
    q = parse_questionnaire(
        {"id": "t", "segments": ["age_group", "region", "age_group*region"], "questions": [YES_NO]}
    )
    result = run_survey(
        q, load_population(population_dir), CalibratedEngine(data=data, n_draws=100), seed=0
    )
    measured = _rows(result, "age_group")
    assert all(r["basis"] == "measured" for r in measured.values())
    widest_measured = max(_width(r) for r in measured.values())
    for segment in ("region", "age_group*region"):
        for row in _rows(result, segment).values():
            assert (row["n_respondents"], row["basis"]) == (0, "modelled")
            assert _width(row) > 2 * widest_measured


KOSIS_BY_AGE = """# source: test fixture (invented shares)
question,group_type,group,answer,value
Q,Age,19~29 years old,Yes,30.0
Q,Age,19~29 years old,No,70.0
Q,Age,30~39 years old,Yes,40.0
Q,Age,30~39 years old,No,60.0
Q,Age,40~49 years old,Yes,50.0
Q,Age,40~49 years old,No,50.0
Q,Age,50~59 years old,Yes,60.0
Q,Age,50~59 years old,No,40.0
Q,Age,60 years old and over,Yes,70.0
Q,Age,60 years old and over,No,30.0
"""
LABELS = """Age:
  "19~29 years old": age 19..29
  "30~39 years old": age 30..39
  "40~49 years old": age 40..49
  "50~59 years old": age 50..59
  "60 years old and over": age 60..
"""


def test_tables_groups_no_table_covers_are_modelled_and_wide(
    population_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "t.csv").write_text(KOSIS_BY_AGE, encoding="utf-8")
    (tmp_path / "labels.yaml").write_text(LABELS, encoding="utf-8")
    q = parse_questionnaire(
        {
            "id": "t",
            "segments": ["age_group", "sex"],
            "questions": [
                {
                    "id": "buy",
                    "type": "single_choice",
                    "text": "?",
                    "options": [
                        {"id": "yes", "table_answer": "Yes"},
                        {"id": "no", "table_answer": "No"},
                    ],
                    "table_question": "Q",
                }
            ],
        }
    )
    engine = CalibratedEngine(
        tables=tmp_path / "t.csv", label_map=tmp_path / "labels.yaml", n_draws=300
    )
    result = run_survey(q, load_population(population_dir), engine, seed=1, n_boot=4000)
    ages = _rows(result, "age_group")
    # a published group: its share, and the Dirichlet interval of 1000 assumed respondents,
    # Beta(0.3 * 1000 + 0.5, 0.7 * 1000 + 0.5)
    young = ages["19-29"]
    assert (young["basis"], young["n_respondents"]) == ("assumed", None)
    assert young["share"] == pytest.approx(0.30, abs=0.002)
    assert young["ci_low"] == pytest.approx(beta.ppf(0.025, 300.5, 700.5), abs=0.006)
    assert young["ci_high"] == pytest.approx(beta.ppf(0.975, 300.5, 700.5), abs=0.006)
    # 60-69 and 70+ lie inside the published "60 and over": not covered, modelled, wide
    low, high = _modelled_interval(0.7)
    for group in ("60-69", "70+"):
        row = ages[group]
        assert (row["basis"], row["n_respondents"]) == ("modelled", 0)
        assert row["share"] == pytest.approx(0.70, abs=0.002)
        assert row["ci_low"] == pytest.approx(low, abs=0.03)
        assert row["ci_high"] == pytest.approx(high, abs=0.01)
        assert _width(row) > 5 * _width(young)
    # no table by sex: every sex is modelled around the age-mix average (counted by hand)
    persons = pl.read_parquet(population_dir / "persons.parquet").filter(pl.col("age") >= 19)
    share_by_age = (
        pl.when(pl.col("age") >= 60)
        .then(0.7)
        .when(pl.col("age") >= 50)
        .then(0.6)
        .when(pl.col("age") >= 40)
        .then(0.5)
        .when(pl.col("age") >= 30)
        .then(0.4)
        .otherwise(0.3)
    )
    by_age = persons.with_columns(share_by_age.alias("p"))
    for sex, row in _rows(result, "sex").items():
        expected = float(by_age.filter(pl.col("sex") == sex)["p"].mean())  # type: ignore[arg-type]
        assert (row["basis"], row["n_respondents"]) == ("modelled", 0)
        assert row["share"] == pytest.approx(expected, abs=0.003)
        lo, hi = _modelled_interval(expected)
        assert row["ci_low"] == pytest.approx(lo, abs=0.03)
        assert row["ci_high"] == pytest.approx(hi, abs=0.03)
    assert _width(_rows(result, "all")["all"]) < 0.05  # the total is covered by the tables
    assert any("no published table covers" in n for n in result.notes)


def test_table_coverage_counts_whole_published_groups() -> None:
    frame = pl.DataFrame({"a": ["x", "x", "y", "y", "z"], "b": ["1", "2", "1", "2", "1"]})
    # one table: x alone (rows 0, 1) is a published group; y and z share one
    groups = [np.array([0, 0, 1, 1, 1])]
    found = table_uncovered(frame, ["a", "b", "a*b"], groups)
    assert found == {
        "a": frozenset({"y", "z"}),
        "b": frozenset({"1", "2"}),
        "a*b": frozenset({"x*1", "x*2", "y*1", "y*2", "z*1"}),
    }


def test_widen_draws_moves_log_odds_by_the_prior() -> None:
    rng = np.random.default_rng(0)
    shares = np.tile([[0.2, 0.8]], (10, 1))
    out = widen_draws(shares, rng, n_out=200_000)
    log_odds = np.log(out[:, 0] / out[:, 1])
    assert log_odds.mean() == pytest.approx(math.log(0.25), abs=0.01)
    assert log_odds.std() == pytest.approx(math.sqrt(2.0), rel=0.01)  # N(0,1) per answer
    independent = widen_draws(np.array([[0.2, 0.5]]), rng, n_out=200_000, independent=True)
    assert np.log(independent[:, 1] / (1 - independent[:, 1])).std() == pytest.approx(
        math.sqrt(2.0), rel=0.01
    )
