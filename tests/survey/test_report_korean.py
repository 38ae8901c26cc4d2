"""report.md and the people's CSV speak Korean: every sentence a reader meets, whatever the engine.

Code (option ids, file names, JSON keys in backticks), logs and results.json stay English. The
rule checked on every line of the report: a line with Latin words outside code spans must also
carry Hangul, and no run of four or more Latin words (an English phrase) may stand outside code.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthsoc.survey import (
    CalibratedEngine,
    LLMEngine,
    parse_questionnaire,
    run_survey,
    write_outputs,
)
from synthsoc.survey.concept_test import run_concept_test
from synthsoc.survey.notes import Note, korean
from synthsoc.synth import load_population

from ..llm.llm_fakes import ScriptedLLM, by_request
from .test_llm_scoring import QUESTIONS, _logprob_script

HANGUL = re.compile(r"[\uac00-\ud7a3]")

CODE = re.compile(r"`[^`]*`")
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
# a file or model name is one token, not a phrase
TOKEN = re.compile(r"[A-Za-z][\w.+-]*")


def scripted() -> ScriptedLLM:
    return ScriptedLLM(by_request(_logprob_script))


def english_lines(report: str) -> list[str]:
    """Lines of the report that a reader would meet in English."""
    bad = []
    for line in report.splitlines():
        text = IMAGE.sub("", CODE.sub("", line))
        words = TOKEN.findall(text)
        if not words:
            continue
        if not HANGUL.search(text):
            bad.append(line)
            continue
        # consecutive Latin words with only spaces between them
        if re.search(r"[A-Za-z][\w.+-]*(?:[ ,]+[A-Za-z][\w.+-]*){3,}", text):
            bad.append(line)
    return bad


def test_the_rule_catches_english(tmp_path: Path) -> None:
    # the checker itself: an English note line fails, the Korean one and a code line pass
    assert english_lines("- answer model: multilevel logit on pilot.csv") != []
    assert english_lines("- 응답 모형: intervals from its posterior are wide") != []
    assert english_lines("- 응답 모형: `pilot.csv` 자료에 적합 (SmolLM2-135M 모델)") == []
    assert english_lines("- `fit.buy.converged`: `True`") == []


def test_concept_test_report_csv_and_charts_are_korean_and_illustrative(
    population_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ct"
    questionnaire, result = run_concept_test(population_dir, out, n_draws=4)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith("> **ILLUSTRATIVE")
    assert english_lines(report) == []
    # the engine's notes are in the report in Korean, and English in results.json
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert payload["notes"][0].startswith("ILLUSTRATIVE: the answer model")
    assert len(payload["notes_ko"]) == len(payload["notes"]) == len(result.notes)
    for ko in payload["notes_ko"]:
        assert HANGUL.search(ko) and ko in report
    assert "ILLUSTRATIVE" in payload["banner"]
    # region groups by their Korean names, read from the population's own regions table
    regions = pl.read_parquet(population_dir / "regions.parquet")
    names = dict(regions.select("sido_name_en", "sido_name").unique().iter_rows())
    surveyed = {r["group"] for r in result.rows if r["segment"] == "region"}
    assert surveyed
    for english in surveyed:
        assert f"| 시도 | {names[english]} |" in report
        assert f"| 시도 | {english} |" not in report
    # the people's CSV: Korean headers, Korean labels, the ILLUSTRATIVE mark on every row
    table = pl.read_csv(out / "results_ko.csv", infer_schema=False)
    assert all(HANGUL.search(c) for c in table.columns)
    assert table["표시"].str.starts_with("ILLUSTRATIVE").all()
    assert set(table["구분"].to_list()) == {"전체", "연령대", "시도", "연령대×시도"}
    assert "서울특별시" in table["집단"].to_list()
    options = {o.text.ko for q in questionnaire.questions for o in q.options}
    assert set(table["응답"].to_list()) <= options
    # the machine CSV keeps its English columns and the mark
    machine = pl.read_csv(out / "results.csv", infer_schema=False)
    assert "share" in machine.columns and machine["banner"].str.starts_with("ILLUSTRATIVE").all()
    # chart titles: the mark and Korean wording (PNG text chunk holds the title as drawn)
    from PIL import Image

    for chart in sorted((out / "charts").glob("*.png")):
        title = Image.open(chart).text["Title"]
        assert title.startswith("ILLUSTRATIVE") and HANGUL.search(title)


def test_microdata_llm_and_replicate_reports_are_korean(
    population_dir: Path, tmp_path: Path
) -> None:
    # calibrated on microdata that lack `region` (every region group modelled, said in a note),
    # with an open question the engine skips (said why); then the LLM engine with too-few groups
    # and reasons; then a replicate summary: every sentence Korean in all three reports
    rng = np.random.default_rng(3)
    ages = rng.choice(["19-29", "30-39", "40-49", "50-59", "60-69", "70+"], 400)
    data = tmp_path / "pilot.csv"
    pl.DataFrame({"age_group": ages, "like": rng.choice(["1", "2", "3"], 400)}).write_csv(data)
    q = parse_questionnaire({**QUESTIONS, "segments": ["age_group", "region", "sex"]})
    pop = load_population(population_dir)
    calibrated = run_survey(q, pop, CalibratedEngine(data=data, n_draws=20), seed=0)
    assert "why" in calibrated.skipped
    assert any(str(n).startswith("segments by region, sex") for n in calibrated.notes)
    out = write_outputs(calibrated, q, tmp_path / "cal")
    report = (out / "report.md").read_text(encoding="utf-8")
    assert english_lines(report) == []
    assert korean(calibrated.skipped["why"]) in report
    assert "| 성별 | 여성 |" in report

    llm = run_survey(
        q, pop, LLMEngine(scripted(), sample_size=8, scoring="logprobs"),  # type: ignore[arg-type]
        seed=0,
    )
    assert any("too few" in n for n in llm.notes)
    again = run_survey(
        q, pop, LLMEngine(scripted(), sample_size=8, scoring="logprobs"),  # type: ignore[arg-type]
        seed=1,
    )
    from synthsoc.evaluate.replicates import replicate_verdicts

    extra = {"replicates": replicate_verdicts([llm, again], tolerance=0.05)}
    out = write_outputs(llm, q, tmp_path / "llm", extra=extra)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert english_lines(report) == []
    assert "표본 부족" in report and "2회 반복 실행" in report
    assert "replicates:" not in report  # the English summary stays in results.json
    assert all(korean(n) in report for n in llm.notes)


def test_a_note_always_has_korean_and_survives_pickling() -> None:
    note = Note("answers: 3 personas", "응답: 페르소나 3명")
    assert note == "answers: 3 personas" and "personas" in note  # still the English string
    assert pickle.loads(pickle.dumps(note)).ko == "응답: 페르소나 3명"
    assert json.dumps([note]) == '["answers: 3 personas"]'
    with pytest.raises(ValueError, match="no Korean"):
        Note("answers", "answers")
    with pytest.raises(ValueError, match="without a Korean"):
        korean("plain English")
