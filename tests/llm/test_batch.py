"""Batches: the failure-tolerant batch call and prefix order (answers back in the order asked)."""

from __future__ import annotations

import pytest

from synthsoc.llm import BudgetExceeded, LLMRequest, MalformedAnswer
from synthsoc.llm.batch import complete_batch, complete_in_prefix_order, prefix_order

from .llm_fakes import Answer, ScriptedLLM


def request(prompt: str, system: str | None = None) -> LLMRequest:
    return LLMRequest(prompt=prompt, system=system)


def echo_prompt(request: LLMRequest, number: int) -> Answer:
    return f"{request.system}|{request.prompt}"


def test_prefix_order_puts_shared_beginnings_side_by_side() -> None:
    requests = [request("나: 갑\n질문: 둘"), request("나: 을\n질문: 하나"),
                request("나: 갑\n- 기억\n질문: 하나"), request("나: 갑\n질문: 하나"),
                request("나: 갑\n질문: 하나", system="다른 지시")]
    # by hand: no system prompt first, by prompt ("-" before Hangul, 둘 U+B458 before 하
    # U+D558), so the three prompts of 갑 follow each other; then the other system prompt
    assert prefix_order(requests) == [2, 0, 3, 1, 4]
    ties = [request("같다"), request("같다")]
    assert prefix_order(ties) == [0, 1]


def test_answers_come_back_in_the_order_asked_while_the_server_sees_prefix_order() -> None:
    requests = [request(p) for p in ("다", "가나", "가", "나")]
    llm = ScriptedLLM(echo_prompt)
    answers = complete_in_prefix_order(llm, requests)
    texts = [a.text if a else None for a in answers]
    assert texts == ["None|다", "None|가나", "None|가", "None|나"]
    assert [r.prompt for r in llm.requests] == ["가", "가나", "나", "다"]


def test_one_failed_request_costs_one_answer_and_all_failed_is_raised() -> None:
    def script(request: LLMRequest, number: int) -> Answer:
        return MalformedAnswer("bad", "모름") if request.prompt == "나쁨" else "좋음"

    answers = complete_batch(ScriptedLLM(script), [request("a"), request("나쁨"), request("b")], 1)
    assert [a.text if a else None for a in answers] == ["좋음", None, "좋음"]
    with pytest.raises(MalformedAnswer):
        complete_batch(ScriptedLLM(script), [request("나쁨"), request("나쁨")], 1)


def test_a_budget_stop_is_never_swallowed() -> None:
    def script(request: LLMRequest, number: int) -> Answer:
        return BudgetExceeded("budget") if number == 2 else "ok"

    with pytest.raises(BudgetExceeded):
        complete_batch(ScriptedLLM(script), [request("a"), request("b"), request("c")], 1)
