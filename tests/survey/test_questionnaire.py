from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from synthsoc.survey.questionnaire import (
    QuestionnaireError,
    load_questionnaire,
    parse_questionnaire,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _base(**question: Any) -> dict[str, Any]:
    q = {"id": "q1", "type": "single_choice", "text": "질문", "options": ["a", "b"]}
    q.update(question)
    if q["type"] in ("numeric", "open_text") and q.get("options") is None:
        del q["options"]
    return {"id": "t", "segments": ["age_group"], "questions": [q]}


def test_valid_questionnaire_parses_all_types() -> None:
    raw = {
        "id": "t",
        "title": {"ko": "조사", "en": "Survey"},
        "universe": {"min_age": 20, "max_age": 64},
        "segments": ["age_group", "region", "income_bracket"],
        "questions": [
            {"id": "a", "type": "single_choice", "text": "고르세요", "options": ["예", "아니오"]},
            {
                "id": "b",
                "type": "multiple_choice",
                "text": {"ko": "모두", "en": "All"},
                "options": [{"id": "x", "ko": "엑스"}, {"id": "y", "ko": "와이"}],
                "max_choices": 1,
            },
            {"id": "c", "type": "likert", "text": "만족", "options": [1, 2, 3, 4, 5]},
            {
                "id": "d",
                "type": "numeric",
                "text": "금액",
                "min": 0,
                "max": 100,
                "bins": [0, 50, 100],
            },
            {"id": "e", "type": "open_text", "text": "이유"},
        ],
    }
    q = parse_questionnaire(raw)
    assert [x.type for x in q.questions] == [
        "single_choice",
        "multiple_choice",
        "likert",
        "numeric",
        "open_text",
    ]
    assert q.min_age == 20 and q.max_age == 64
    assert q.question("c").option_ids == ("1", "2", "3", "4", "5")
    assert q.question("d").categories == ("0-50", "50-100")
    assert q.question("b").options[0].text.ko == "엑스"
    assert q.question("c").is_ordinal and not q.question("a").is_ordinal


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_base(options=[]), "non-empty list"),
        (_base(options=None), "non-empty list"),
        (_base(options=["a"]), ">= 2 options"),
        (_base(options=["a", "a"]), "duplicate option id"),
        (_base(options=[{"id": "a", "colour": "red"}, "b"]), "unknown field(s) ['colour']"),
        (_base(opshuns=["a"]), "unknown field(s) ['opshuns']"),
        (_base(type="ranking"), "unknown type 'ranking'"),
        (_base(text={"en": "only english"}), "needs Korean wording"),
        (_base(type="open_text", options=["a", "b"]), "takes no `options`"),
        (_base(type="numeric", options=None, min=5, max=1), "must be below max"),
        (_base(type="numeric", options=None, bins=[0, 5, 3]), "bins must increase"),
        (_base(type="likert", min=1), "only for numeric"),
        (_base(max_choices=1), "`max_choices` is for multiple_choice"),
        ({"id": "t", "questions": []}, "non-empty list"),
        (
            {"id": "t", "segments": ["shoe_size"], "questions": _base()["questions"]},
            "unknown attribute 'shoe_size'",
        ),
        (
            {"id": "t", "segments": ["sex*shoe_size"], "questions": _base()["questions"]},
            "unknown attribute 'shoe_size'",
        ),
        (
            {"id": "t", "segments": ["sex", "sex"], "questions": _base()["questions"]},
            "duplicate attribute",
        ),
        ({"id": "t", "questions": _base()["questions"] * 2}, "duplicate question id 'q1'"),
        (
            {
                "id": "t",
                "universe": {"min_age": 30, "max_age": 20},
                "questions": _base()["questions"],
            },
            "max_age 20 < min_age 30",
        ),
        ({"questions": _base()["questions"]}, "missing `id`"),
        ({"id": "t", "question": []}, "unknown field(s) ['question']"),
        ([1, 2], "top level must be a mapping"),
    ],
)
def test_questionnaire_errors(raw: Any, message: str) -> None:
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(raw, source="bad.yaml")
    assert message in str(info.value)
    assert "bad.yaml" in str(info.value)


def test_missing_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="not found"):
        load_questionnaire(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="not valid YAML"):
        load_questionnaire(bad)


def test_example_concept_test_is_valid() -> None:
    q = load_questionnaire(EXAMPLES / "concept_test.yaml")
    assert q.segments == ("age_group", "region", "age_group*region")
    assert q.segment_attributes == ("age_group", "region")
    assert all(question.text.ko for question in q.questions)
