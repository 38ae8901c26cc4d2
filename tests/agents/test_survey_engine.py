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
    min: 0
    max: 100
  - id: places
    type: multiple_choice
    text: {ko: "지난주에 가 본 곳을 모두 고르세요.", en: "Places visited last week"}
    options:
      - {id: cafe, ko: 카페, en: Cafe}
      - {id: market, ko: 시장, en: Market}
      - {id: park, ko: 공원, en: Park}
  - id: wish
    type: open_text
    text: {ko: "동네에 바라는 점은?", en: "What do you wish for the neighbourhood?"}
"""


def test_town_agents_answer_a_questionnaire(population: Path, tmp_path: Path) -> None:
    run = tmp_path / "town"
    result = runner.invoke(app, ["town", "run", "--population", str(population), "--emd",
                                 _dong(population), "--agents", "16", "--hours", "12",
                                 "--out", str(run), "--llm", "none", "--embedder", "hash"])
    assert result.exit_code == 0, result.output
    (tmp_path / "q.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    said: list[str] = []
    years: list[int] = []

    def answer(request: LLMRequest, number: int) -> Answer:
        memories = request.prompt.split("기억:")[1].split("질문:")[0]
        question = request.prompt.split("질문:")[1]
        reason = "기억에 남아서"
        if "모임 소식" in question:
            said.append("1" if "모임" in memories else "2")
            return json.dumps({"interpretation": "-", "choice": said[-1], "reason": reason})
        if "몇 년" in question:
            years.append(len(years) + 1)  # a different hand-chosen answer for each agent
            return json.dumps({"interpretation": "-", "value": years[-1], "reason": reason})
        if "가 본 곳" in question:
            return json.dumps({"interpretation": "-", "choices": ["cafe", "park"],
                               "reason": reason})
        return json.dumps({"interpretation": "-", "answer": "공원이 넓어지면 좋겠어요",
                           "reason": reason})

    model = ScriptedLLM(answer)
    survey = run_survey(load_questionnaire(tmp_path / "q.yaml"), load_population(population),
                        TownEngine(run, model), seed=1)
    state = json.loads((run / "checkpoint.json").read_text(encoding="utf-8"))
    adults = [r for r in state["neighbourhood"]["residents"] if r["age"] >= 19]
    assert model.calls == 4 * len(adults) and len(said) == len(adults)
    for r in adults:  # each agent answered from its own memories
        assert any(f"나: {r['name']}," in q.prompt for q in model.requests)
    assert not survey.skipped  # every question type is asked
    assert len(adults) >= 10  # the survey layer reports no share behind fewer than 10

    def overall(question: str, category: str) -> float:
        rows = [row for row in survey.rows if row["question"] == question
                and row["group"] == "all" and row["category"] == category]
        assert len(rows) == 1, (question, category)
        return float(rows[0]["share"])

    assert abs(overall("heard", "1") - said.count("1") / len(said)) < 1e-6
    # everyone chose the cafe and the park, nobody the market (each option is its own share)
    assert overall("places", "cafe") == 1.0 and overall("places", "park") == 1.0
    assert overall("places", "market") == 0.0
    # the numeric answers 1..n: the survey's weighted mean is their plain mean (equal weights)
    mean = [row for row in survey.numeric if row["question"] == "years"
            and row["group"] == "all"]
    assert mean and abs(float(mean[0]["mean"]) - (len(years) + 1) / 2) < 1e-6, mean
    assert [t["answer"] for t in survey.texts["wish"]][:1] == ["공원이 넓어지면 좋겠어요"]
    assert {v["reason"] for v in survey.verbatims} == {"기억에 남아서"}
    assert any("agents of town run" in note for note in survey.notes)


def test_the_town_engine_needs_a_run_folder(population: Path, tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    result = runner.invoke(app, ["survey", "run", str(tmp_path / "q.yaml"), "--population",
                                 str(population), "--engine", "town", "--out",
                                 str(tmp_path / "out")])
    assert result.exit_code != 0 and "--engine town needs --town" in result.output
