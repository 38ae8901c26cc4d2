from __future__ import annotations

import numpy as np

from synthsoc.evaluate.replicates import replicate_survey
from synthsoc.survey.results import SurveyResult


def _result(share: float) -> SurveyResult:
    rows = [
        {"question": "q", "segment": "all", "group": "all", "category": "y", "share": share},
        {"question": "q", "segment": "all", "group": "all", "category": "n", "share": 1 - share},
    ]
    return SurveyResult("t", "fake", rows)


def test_stable_replicates_converge() -> None:
    results, verdicts = replicate_survey(lambda s: _result(0.4 + 0.001 * s), 5, tolerance=0.02)
    assert len(results) == 5
    assert verdicts["overall_stable"] and verdicts["n_converging"] == 2
    row = verdicts["shares"][0]
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]


def test_unstable_replicates_diverge() -> None:
    rng = np.random.default_rng(0)
    _, verdicts = replicate_survey(
        lambda s: _result(float(rng.choice([0.1, 0.9]))), 8, tolerance=0.05
    )
    assert not verdicts["overall_stable"]
    assert {r["shape"] for r in verdicts["shares"]} == {"multi-modal"}
