from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from synthsoc.evaluate.compare import compare_to_reference, reference_from_microdata
from synthsoc.survey.questionnaire import parse_questionnaire
from synthsoc.survey.results import SurveyResult

Q = parse_questionnaire(
    {
        "id": "t",
        "segments": ["sex"],
        "questions": [
            {"id": "q", "type": "likert", "text": "만족?", "options": ["1", "2", "3"]},
        ],
    }
)


def test_reference_from_microdata_and_distances(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    pl.DataFrame({"sex": ["M", "M", "F", "F"], "q": ["1", "3", "3", "3"]}).write_csv(path)
    ref = reference_from_microdata(path, Q)
    men = ref.filter((pl.col("segment") == "sex") & (pl.col("group") == "M"))
    assert dict(zip(men["category"], men["share"], strict=True)) == {"1": 0.5, "3": 0.5}
    rows = [
        {"question": "q", "segment": "sex", "group": "M", "category": c, "share": s}
        for c, s in (("1", 0.5), ("2", 0.0), ("3", 0.5))
    ] + [
        {"question": "q", "segment": "sex", "group": "F", "category": c, "share": s}
        for c, s in (("1", 0.0), ("2", 0.5), ("3", 0.5))
    ]
    report = compare_to_reference(SurveyResult("t", "test", rows), ref, Q)
    by_group = {r["group"]: r for r in report["rows"]}
    assert by_group["M"]["tvd"] == pytest.approx(0.0)
    # women: predicted (0, .5, .5) vs observed (0, 0, 1): TVD 0.5, W1 = 0.5 over 2 steps = 0.25
    assert by_group["F"]["tvd"] == pytest.approx(0.5)
    assert by_group["F"]["wasserstein"] == pytest.approx(0.25)
    assert report["n_compared"] == 2 and report["share_decision_grade"] == 0.5
