"""The judge's agreement measure against hand-computed accuracy and kappa, through the real
llm-layer wrappers around a scripted backend."""

from __future__ import annotations

import json

import polars as pl
import pytest

from synthsoc.llm import LLMRequest, StructuredLLM
from synthsoc.sandbox import SCRIPTED, LLMJudge, RunConfig, judge_agreement, judge_run, run_sandbox
from synthsoc.sandbox.judge import agreement, load_labels
from tests.llm.llm_fakes import ScriptedLLM


def test_agreement_by_hand() -> None:
    truth = [True, True, True, False, False, False, True, False]
    judged = [True, True, False, False, False, True, True, False]
    result = agreement(truth, judged)
    # 6 of 8 agree; p_o = 0.75, p_e = 0.5*0.5 + 0.5*0.5 = 0.5, kappa = (0.75-0.5)/0.5 = 0.5
    assert result.accuracy == 0.75 and result.kappa == pytest.approx(0.5)
    assert result.accuracy_ci[0] <= 0.75 <= result.accuracy_ci[1]


def test_hand_labels_are_balanced_and_complete() -> None:
    labels = load_labels()
    assert len(labels) == 20 and len({x.id for x in labels}) == 20
    assert 0.4 <= sum(x.task_success for x in labels) / len(labels) <= 0.6


def _keyword_judge(request: LLMRequest, number: int) -> str:
    served = "모르겠어요" not in request.prompt and "날씨" not in request.prompt
    return json.dumps({"task_success": served, "satisfaction": 8 if served else 2})


def test_judge_agreement_and_run_columns(sample: pl.DataFrame) -> None:
    judge = LLMJudge(StructuredLLM(ScriptedLLM(_keyword_judge)))
    result = judge_agreement(judge)
    labels = load_labels()
    expected = [("모르겠어요" not in x.answer and "날씨" not in x.answer) == x.task_success
                for x in labels]
    assert result.n == 20 and result.accuracy == pytest.approx(sum(expected) / 20)
    run = run_sandbox(sample.head(4), [SCRIPTED["scripted-good"]()], RunConfig())
    judged = judge_run(run, judge)
    assert judged["judge_task_success"].to_list() == [1.0] * 4
    assert judged["judge_satisfaction"].to_list() == [8.0] * 4


def test_a_judge_without_valid_json_is_counted_not_fatal(sample: pl.DataFrame) -> None:
    def sometimes(request: LLMRequest, number: int) -> str:
        broken = "날씨" in request.prompt
        return "잘 모르겠어요" if broken else json.dumps({"task_success": True,
                                                        "satisfaction": 7})

    judge = LLMJudge(StructuredLLM(ScriptedLLM(sometimes), max_reasks=1))
    result = judge_agreement(judge)
    assert result.invalid == 1 and result.n == 19  # j04 mentions 날씨
    assert judge.judge("요청", "날씨가 좋네요.") is None
