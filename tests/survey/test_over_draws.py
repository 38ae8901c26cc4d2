"""A calibrated survey over posterior populations: the population's share of the variance."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthsoc.survey import CalibratedEngine, parse_questionnaire
from synthsoc.survey.over_draws import run_survey_over_draws
from synthsoc.synth import load_population
from synthsoc.synth.posterior_draws import DRAWN_COLUMNS, DRAWS_FILE

QUESTIONS = {
    "id": "t",
    "segments": ["sex"],
    "questions": [{"id": "like", "type": "likert", "text": "좋아하십니까?",
                   "options": ["1", "2", "3", "4", "5"]}],
}


def _microdata(path: Path, n: int = 800) -> Path:
    """University graduates answer 5, everyone else 1 (a strong, known dependence)."""
    rng = np.random.default_rng(0)
    education = rng.choice(["high", "university"], n)
    like = np.where(education == "university", "5", "1")
    pl.DataFrame({"education": education, "like": like}).write_csv(path)
    return path


def _with_draws(src: Path, dest: Path, educations: list[str | None]) -> Path:
    """Copy a population and give it one draw per entry: ``None`` = the base education,
    otherwise that education for everyone."""
    shutil.copytree(src, dest)
    persons = pl.read_parquet(dest / "persons.parquet")
    columns: dict[str, pl.Series] = {"person_id": persons["person_id"]}
    for k, edu in enumerate(educations, start=1):
        for c in DRAWN_COLUMNS:
            columns[f"{c}_{k}"] = persons[c]
        if edu is not None:
            columns[f"education_{k}"] = pl.Series([edu] * persons.height)
    pl.DataFrame(columns).write_parquet(dest / DRAWS_FILE)
    return dest


def test_population_variance_is_zero_when_the_draws_agree(population_dir: Path,
                                                         tmp_path: Path) -> None:
    folder = _with_draws(population_dir, tmp_path / "same", [None, None, None])
    engine = CalibratedEngine(data=_microdata(tmp_path / "m.csv"), n_draws=20)
    result = run_survey_over_draws(parse_questionnaire(QUESTIONS), load_population(folder),
                                   engine, seed=1)
    assert result.rows
    for row in result.rows:
        assert row["population_variance"] == pytest.approx(0.0, abs=1e-20)
        assert row["population_share_of_variance"] == pytest.approx(0.0, abs=1e-9)
    first = {(r["segment"], r["group"], r["category"]): r for r in result.per_draw[0]}
    for row in result.rows:
        assert row["share"] == pytest.approx(first[(row["segment"], row["group"],
                                                    row["category"])]["share"], abs=1e-6)


def test_population_uncertainty_dominates_when_the_draws_disagree(population_dir: Path,
                                                                 tmp_path: Path) -> None:
    folder = _with_draws(population_dir, tmp_path / "apart", ["university", "high"])
    engine = CalibratedEngine(data=_microdata(tmp_path / "m.csv"), n_draws=20)
    result = run_survey_over_draws(parse_questionnaire(QUESTIONS), load_population(folder),
                                   engine, seed=1)
    row = next(r for r in result.rows if (r["segment"], r["group"], r["category"])
               == ("all", "all", "5"))
    one, two = (next(r for r in d if (r["segment"], r["group"], r["category"])
                     == ("all", "all", "5")) for d in result.per_draw)
    # An all-university population answers 5 nearly always, an all-high-school one nearly
    # never: the combined share is their mean, and nearly all variance is the population's.
    assert one["share"] > 0.9 and two["share"] < 0.1
    assert row["share"] == pytest.approx((one["share"] + two["share"]) / 2, abs=1e-6)
    assert row["population_variance"] == pytest.approx(
        np.var([one["share"], two["share"]], ddof=1))
    assert row["population_share_of_variance"] > 0.9
    assert row["ci_low"] < two["share"] and row["ci_high"] > one["share"]


def test_survey_run_over_draws_writes_the_shares_beside_each_estimate(
        population_dir: Path, tmp_path: Path) -> None:
    import json

    import yaml
    from typer.testing import CliRunner

    from synthsoc.cli import app

    folder = _with_draws(population_dir, tmp_path / "three", [None, "university", "high"])
    questionnaire = tmp_path / "q.yaml"
    questionnaire.write_text(yaml.safe_dump(QUESTIONS, allow_unicode=True), encoding="utf-8")
    data = _microdata(tmp_path / "m.csv")
    out = tmp_path / "out"
    args = ["survey", "run", str(questionnaire), "--population", str(folder), "--out",
            str(out), "--data", str(data), "--draws", "20", "--seed", "1", "--over-draws"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(out / "results.csv")
    assert {"population_share_of_variance", "engine_variance", "population_variance",
            "draws"} <= set(rows.columns)
    five = rows.filter((pl.col("segment") == "all") & (pl.col("category") == 5)).row(
        0, named=True)
    # The same combination as the Python API on the same folder.
    api = run_survey_over_draws(parse_questionnaire(QUESTIONS), load_population(folder),
                                CalibratedEngine(data=data, n_draws=20), seed=1)
    same = next(r for r in api.rows if (r["segment"], r["category"]) == ("all", "5"))
    assert five["share"] == pytest.approx(same["share"])
    assert five["population_share_of_variance"] == pytest.approx(
        same["population_share_of_variance"])
    # All-university vs all-high-school draws: the population dominates the variance.
    assert five["population_share_of_variance"] > 0.9 and five["draws"] == 3
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "모집단 사후 추출 3개" in report
    assert f"[모집단 {100 * five['population_share_of_variance']:.0f}%]" in report
    korean = pl.read_csv(out / "results_ko.csv")
    assert {"모집단 불확실성 비중(%)", "응답 엔진 불확실성 비중(%)"} <= set(korean.columns)
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert payload["meta"]["posterior_draws"] == 3
    # Refused: another engine, or a folder without draws.
    refused = CliRunner().invoke(app, [*args[:-1], "--engine", "llm", "--over-draws",
                                       "--force"])
    assert refused.exit_code != 0 and "--over-draws" in refused.output
    missing = CliRunner().invoke(app, ["survey", "run", str(questionnaire), "--population",
                                       str(population_dir), "--out", str(tmp_path / "x"),
                                       "--data", str(data), "--over-draws"])
    assert missing.exit_code == 1 and "populate --draws K" in " ".join(missing.output.split())
