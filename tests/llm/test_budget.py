from __future__ import annotations

import pytest

from synthsoc.llm import (
    BudgetExceeded,
    LLMRequest,
    Price,
    estimate_cost,
    estimate_prompt_tokens,
    stack_llm,
)

from .llm_fakes import ScriptedLLM

PRICE = Price(prompt_per_1k=1.0, completion_per_1k=2.0)


def _fixed_answer(request: LLMRequest, number: int) -> str:
    return "x" * 10


def test_estimate_counts_prompt_and_max_tokens() -> None:
    requests = [
        LLMRequest(prompt="가나다", max_tokens=100),
        LLMRequest(prompt="abcdef", max_tokens=50),
    ]
    estimate = estimate_cost(requests, PRICE)
    assert estimate.requests == 2
    # Three Hangul syllables are 9 UTF-8 bytes: 3 tokens; six ASCII letters: 2 tokens.
    assert estimate.prompt_tokens == (4 + 3) + (4 + 2)
    assert estimate.completion_tokens == 150
    assert estimate.cost_usd == pytest.approx((13 * 1.0 + 150 * 2.0) / 1000)


def test_budget_stops_before_overspending() -> None:
    request = LLMRequest(prompt="가" * 30, max_tokens=10)
    # The fake bills one token per character: 30 prompt + 10 completion tokens per call.
    actual_cost = PRICE.cost(30, 10)
    budget = 3.5 * actual_cost
    backend = ScriptedLLM(_fixed_answer)
    llm = stack_llm(backend, price=PRICE, budget_usd=budget)
    done = 0
    with pytest.raises(BudgetExceeded, match="budget"):
        for _ in range(10):
            llm.complete(request)
            done += 1
    assert done == backend.calls == 3
    assert backend.calls * actual_cost <= budget


def test_budget_holds_under_concurrency() -> None:
    request = LLMRequest(prompt="a" * 30, max_tokens=10)
    worst = PRICE.cost(estimate_prompt_tokens(request), 10)
    backend = ScriptedLLM(_fixed_answer, delay_s=0.02)
    llm = stack_llm(backend, price=PRICE, budget_usd=5 * worst)
    with pytest.raises(BudgetExceeded):
        llm.complete_many([request] * 20, concurrency=8)
    assert 1 <= backend.calls <= 5


def test_max_calls_is_a_hard_limit() -> None:
    backend = ScriptedLLM(_fixed_answer)
    llm = stack_llm(backend, max_calls=2)
    llm.complete(LLMRequest(prompt="1"))
    llm.complete(LLMRequest(prompt="2"))
    with pytest.raises(BudgetExceeded, match="max_calls=2"):
        llm.complete(LLMRequest(prompt="3"))
    assert backend.calls == 2


def test_budget_learns_when_the_server_counts_more_tokens() -> None:
    request = LLMRequest(prompt="a" * 30, max_tokens=10)
    backend = ScriptedLLM(_fixed_answer)
    llm = stack_llm(backend, price=PRICE, budget_usd=1.0)
    budgeted = llm.inner  # structured -> budget
    before = budgeted.worst_case_usd(request)  # type: ignore[attr-defined]
    llm.complete(request)  # the fake bills 30 prompt tokens, the estimate was 4 + 10
    after = budgeted.worst_case_usd(request)  # type: ignore[attr-defined]
    assert after > before
    assert after == pytest.approx(PRICE.cost(30, 10), rel=0.05)
