"""Generative agents as respondents of `synthsoc survey` (the survey layer's town engine)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from synthsoc.cli import app
from synthsoc.llm import LLMRequest
from synthsoc.survey.questionnaire import load_questionnaire
from synthsoc.survey.run import run_survey
from synthsoc.survey.town_engine import TownEngine
from synthsoc.synth import load_population

from ..llm.llm_fakes import Answer, ScriptedLLM
from .test_cli import _dong

runner = CliRunner()
QUESTIONNAIRE = """
id: town_check
title: {ko: 동네 조사, en: Neighbourhood check}
universe: {min_age: 19}
segments: [sex]
questions:
  - id: heard
    type: single_choice
    text: {ko: "요즘 동네 모임 소식을 들으셨습니까?", en: "Did you hear of a gathering?"}
    options:
      - {id: "1", ko: 예, en: "Yes"}
      - {id: "2", ko: 아니오, en: "No"}
  - id: years
    type: numeric
    text: {ko: "이 동네에 몇 년 사셨습니까?", en: "Years here?"}
"""


def test_town_agents_answer_a_questionnaire(population: Path, tmp_path: Path) -> None:
    run = tmp_path / "town"
    result = runner.invoke(app, ["town", "run", "--population", str(population), "--emd",
                                 _dong(population), "--agents", "16", "--hours", "12",
                                 "--out", str(run), "--llm", "none", "--embedder", "hash"])
    assert result.exit_code == 0, result.output
    (tmp_path / "q.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    said: list[str] = []

    def answer(request: LLMRequest, number: int) -> Answer:
        memories = request.prompt.split("기억:")[1].split("질문:")[0]
        said.append("1" if "모임" in memories else "2")
        return json.dumps({"choice": said[-1]})

    model = ScriptedLLM(answer)
    survey = run_survey(load_questionnaire(tmp_path / "q.yaml"), load_population(population),
                        TownEngine(run, model), seed=1)
    state = json.loads((run / "checkpoint.json").read_text(encoding="utf-8"))
    adults = [r for r in state["neighbourhood"]["residents"] if r["age"] >= 19]
    assert model.calls == len(adults) and len(said) == len(adults)
    for r in adults:  # each agent answered from its own memories
        assert any(f"나: {r['name']}," in q.prompt for q in model.requests)
    assert "years" in survey.skipped and "numeric" in survey.skipped["years"]
    assert len(adults) >= 10  # the survey layer reports no share behind fewer than 10
    overall = [row for row in survey.rows if row["question"] == "heard"
               and row["group"] == "all" and row["category"] == "1"]
    assert len(overall) == 1
    assert abs(overall[0]["share"] - said.count("1") / len(said)) < 1e-6
    assert any("agents of town run" in note for note in survey.notes)


def test_the_town_engine_needs_a_run_folder(population: Path, tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    result = runner.invoke(app, ["survey", "run", str(tmp_path / "q.yaml"), "--population",
                                 str(population), "--engine", "town", "--out",
                                 str(tmp_path / "out")])
    assert result.exit_code != 0 and "--engine town needs --town" in result.output
