from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synthsoc.survey.answers import QuestionAnswers, SurveyAnswers
from synthsoc.survey.diagnostics import response_style
from synthsoc.survey.questionnaire import parse_questionnaire
from synthsoc.survey.results import bootstrap_weighted_shares, summarise


def test_bootstrap_matches_hand_enumeration() -> None:
    # Two units answering A and B with weights 3 and 1. A resample is {0,0} (p=1/4, share of
    # A = 1), {1,1} (p=1/4, share 0) or mixed (p=1/2, share 3/4).
    probs = np.array([[1.0, 0.0], [0.0, 1.0]])
    weights = np.array([3.0, 1.0])
    rng = np.random.default_rng(0)
    low, high = bootstrap_weighted_shares(probs, weights, level=0.95, n_boot=4000, rng=rng)
    assert (low[0], high[0]) == (0.0, 1.0)
    # central 40%: quantiles 0.30 and 0.70 both fall inside the mixed mass (0.25..0.75)
    low, high = bootstrap_weighted_shares(probs, weights, level=0.4, n_boot=4000, rng=rng)
    assert low[0] == pytest.approx(0.75) and high[0] == pytest.approx(0.75)


def test_bootstrap_single_unit_is_degenerate() -> None:
    low, high = bootstrap_weighted_shares(
        np.array([[0.2, 0.8]]), np.array([5.0]), rng=np.random.default_rng(0)
    )
    assert np.allclose(low, [0.2, 0.8]) and np.allclose(high, [0.2, 0.8])


def test_summarise_weights_units_and_uses_draws() -> None:
    q = parse_questionnaire(
        {
            "id": "t",
            "segments": ["sex"],
            "questions": [
                {"id": "q", "type": "single_choice", "text": "질문", "options": ["y", "n"]}
            ],
        }
    )
    units = pl.DataFrame({"sex": ["M", "F", "F"], "weight": [1.0, 2.0, 1.0]})
    probs = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    draws = np.stack([probs, probs * 0 + [[0.5, 0.5]]])
    answers = SurveyAnswers(
        "test",
        units,
        {"q": QuestionAnswers(q.questions[0], ("y", "n"), probs, np.ones(3, bool), "test", draws)},
    )
    result = summarise(answers, q.segments, level=0.9)
    # overall share of y: (1*1 + 2*0.5 + 1*0) / 4 = 0.5; women: (2*0.5 + 0) / 3 = 1/3
    assert result.share("q", "all", "all", "y") == pytest.approx(0.5)
    assert result.share("q", "sex", "F", "y") == pytest.approx(1 / 3, abs=1e-6)
    row = next(
        r
        for r in result.rows
        if r["segment"] == "sex" and r["group"] == "F" and r["category"] == "y"
    )
    # draws give 1/3 and 1/2 for women: 5%/95% quantiles interpolate between them, and the
    # interval is widened to contain the point estimate (1/3)
    assert row["ci_low"] == pytest.approx(1 / 3, abs=1e-6)
    assert row["ci_high"] == pytest.approx(1 / 3 + 0.95 * (0.5 - 1 / 3), abs=1e-6)
    assert row["population"] == 3.0


def test_response_style_flags_midpoint_drift_and_collapse() -> None:
    weights = np.ones(10)
    middle = np.tile([0.0, 0.0, 1.0, 0.0, 0.0], (10, 1))
    style = response_style(middle, weights)
    assert style["midpoint_drift"] and style["variance_collapse"] and style["single_answer"]
    spread = np.eye(5)[np.arange(10) % 5]
    style = response_style(spread, weights)
    assert not style["midpoint_drift"] and not style["variance_collapse"]
    assert style["variance_ratio"] == pytest.approx(1.0)
    ref = np.array([0.3, 0.1, 0.2, 0.1, 0.3])
    style = response_style(middle[:, :] * 0 + [[0.1, 0.2, 0.4, 0.2, 0.1]], weights, ref)
    assert style["midpoint_drift"] and style["variance_basis"] == "reference"
