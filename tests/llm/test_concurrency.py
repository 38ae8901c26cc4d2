from __future__ import annotations

import pytest

from synthsoc.llm import LLMError, LLMRequest, stack_llm

from .llm_fakes import Answer, ScriptedLLM, echo


def test_concurrency_bound_is_respected_and_order_kept() -> None:
    backend = ScriptedLLM(echo, delay_s=0.03)
    requests = [LLMRequest(prompt=f"q{i}") for i in range(12)]
    answers = stack_llm(backend).complete_many(requests, concurrency=3)
    assert backend.max_in_flight == 3
    assert [a.text.split("#")[0] for a in answers] == [f"q{i}" for i in range(12)]


def test_serial_when_concurrency_is_one() -> None:
    backend = ScriptedLLM(echo, delay_s=0.005)
    stack_llm(backend).complete_many([LLMRequest(prompt=str(i)) for i in range(4)], concurrency=1)
    assert backend.max_in_flight == 1


def test_first_error_stops_the_batch() -> None:
    def script(request: LLMRequest, number: int) -> Answer:
        return LLMError("HTTP 400: bad request") if request.prompt == "bad" else "ok"

    backend = ScriptedLLM(script, delay_s=0.02)
    requests = [LLMRequest(prompt="bad")] + [LLMRequest(prompt=str(i)) for i in range(40)]
    with pytest.raises(LLMError, match="400"):
        stack_llm(backend).complete_many(requests, concurrency=2)
    assert backend.calls < len(requests)


def test_usage_adds_up() -> None:
    backend = ScriptedLLM(lambda request, number: "답")
    llm = stack_llm(backend)
    llm.complete_many([LLMRequest(prompt="ab"), LLMRequest(prompt="cde")], concurrency=2)
    assert llm.usage.calls == 2
    assert llm.usage.prompt_tokens == 5
    assert llm.usage.completion_tokens == 2
