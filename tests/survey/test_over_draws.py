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
