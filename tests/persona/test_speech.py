"""The speech-level and dialect classifier: hand-written sentences, issue examples, garbage."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from synthsoc.persona.korean import Level, Predicate, Sentence
from synthsoc.persona.speech import classify_text, labels, language_problems, score

DATA = Path(__file__).parent / "data"


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def test_development_sentences_are_all_classified_correctly() -> None:
    rows = _read("speech_dev.csv")
    wrong = [(r["sentence"], labels(r["sentence"])) for r in rows
             if labels(r["sentence"]) != (r["level"], r["dialect"])]
    assert wrong == []


def test_held_out_precision_and_recall() -> None:
    rows = _read("speech_heldout.csv")
    got = [labels(r["sentence"]) for r in rows]
    assert len({r["dialect"] for r in rows}) == 6 and len({r["level"] for r in rows}) == 4
    for axis, index in (("level", 0), ("dialect", 1)):
        truth = [r[axis] for r in rows]
        scores = score(truth, [g[index] for g in got])
        accuracy = sum(t == g[index] for t, g in zip(truth, got, strict=True)) / len(rows)
        assert accuracy >= 0.8, (axis, accuracy)
        for s in scores:
            assert s.precision >= 0.9 and s.recall >= 0.7, (axis, s)


def test_score_counts_by_hand() -> None:
    scores = {s.label: s for s in score(["a", "a", "b", "b"], ["a", "b", "b", "b"])}
    assert (scores["a"].precision, scores["a"].recall) == (1.0, 0.5)
    assert (scores["b"].precision, scores["b"].recall) == (pytest.approx(2 / 3), 1.0)


def test_the_switches_reported_in_the_issue_are_found() -> None:
    text = "지는 부산에 사는 남동현이라예. 올해 28살입니다. 요즘은 집에서 지내예."
    speech = classify_text(text)
    assert speech.level is Level.HAEYO and speech.dialect == "gyeongsang"
    assert [s.sentence for s in speech.level_switches] == ["올해 28살입니다."]
    mixed = classify_text("저는 대전에 사는 김민재입니다. 아내와 함께 지내라우.")
    assert len(mixed.level_switches) == 1


def test_quoted_speech_is_not_a_switch() -> None:
    text = '저는 회사에 다녀요. 후배들한테는 "밥 먹었어?" 하고 물어봐요.'
    assert classify_text(text).level_switches == ()


def test_rendered_sentences_are_read_back_in_their_level_and_dialect() -> None:
    s = Sentence("저는 시장에서", Predicate("일하"))
    for level, dialect in ((Level.HASIPSIO, "gyeongsang"), (Level.HAEYO, "jeolla"),
                           (Level.HAEYO, "chungcheong"), (Level.HAEYO, "jeju"),
                           (Level.HAE, "gyeongsang"), (Level.HAERA, "seoul_gyeonggi")):
        speech = classify_text(s.render(level, dialect).text)
        assert (speech.level, speech.dialect) == (level, dialect)


@pytest.mark.parametrize("text", [
    "YouTube, 예제리, 말투: 싱각타답 The 50 Most Influential Women in the World",
    "こんにちは、私は学生です。",
    "저는 学生 です 그리고 그리고",
    "the the the the",
])
def test_garbage_is_flagged(text: str) -> None:
    assert language_problems(text)


def test_clean_korean_is_not_flagged() -> None:
    assert language_problems("저는 서울에 살아요. 회사에 다니고 있어요.") == []
