"""The ending engine against a hand-written table of words x levels x dialects."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from synthsoc.persona.korean import (
    Level,
    Predicate,
    Sentence,
    comitative,
    conjugate,
    has_batchim,
    instrumental,
    topic,
)

TABLE = Path(__file__).parent / "data" / "endings_table.csv"


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


ROWS = _rows()


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['stem']}-{r['level']}-{r['dialect']}-{r['mood']}"
                                           f"-{r['past']}" for r in ROWS])
def test_form_matches_the_hand_written_table(row: dict[str, str]) -> None:
    predicate = Predicate(row["stem"], row["kind"], row["irregular"], row["past"] == "1")  # type: ignore[arg-type]
    form = conjugate(predicate, Level(row["level"]), row["dialect"], row["mood"])  # type: ignore[arg-type]
    assert form.text == row["expected"]


def test_table_covers_every_level_and_dialect() -> None:
    assert {r["level"] for r in ROWS} == {level.value for level in Level}
    assert {r["dialect"] for r in ROWS} == {
        "seoul_gyeonggi", "gyeongsang", "jeolla", "chungcheong", "gangwon", "jeju"}


def test_forms_without_a_dialect_marker_say_so() -> None:
    assert not conjugate(Predicate("살"), Level.HASIPSIO, "jeju").distinct
    assert conjugate(Predicate("살"), Level.HAEYO, "jeju").distinct
    assert not conjugate(Predicate("살"), Level.HAEYO, "gangwon").distinct


def test_particles_follow_the_final_consonant() -> None:
    assert [has_batchim(w) for w in ("학생", "의사", "28살")] == [True, False, True]
    assert (topic("남편"), topic("아내")) == ("남편은", "아내는")
    assert (comitative("남편"), comitative("아내")) == ("남편과", "아내와")
    assert (instrumental("지하철"), instrumental("버스"), instrumental("택시")) == (
        "지하철로", "버스로", "택시로")
    assert instrumental("자전거") == "자전거로" and instrumental("밥") == "밥으로"


def test_sentence_renders_with_punctuation() -> None:
    s = Sentence("저는 부산에", Predicate("살"))
    assert s.render(Level.HAEYO, "gyeongsang").text == "저는 부산에 살아예."
    q = Sentence("밥", Predicate("먹", past=True), mood="question")
    assert q.render(Level.HAE, "gyeongsang").text == "밥 먹었나?"


def test_bad_input_names_the_problem() -> None:
    with pytest.raises(ValueError, match="unknown dialect"):
        conjugate(Predicate("살"), Level.HAEYO, "busan")
    with pytest.raises(ValueError, match="Hangul"):
        Predicate("go")
