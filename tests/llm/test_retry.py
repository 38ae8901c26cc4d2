from __future__ import annotations

import random

import pytest

from synthsoc.llm import LLMError, LLMRequest, RetryingLLM, RetryPolicy, TransientLLMError

from .llm_fakes import Answer, ScriptedLLM

POLICY = RetryPolicy(max_attempts=4, base_delay_s=0.001, max_delay_s=0.004, jitter=0.5)


def _fail_first(failures: int) -> ScriptedLLM:
    def script(request: LLMRequest, number: int) -> Answer:
        if number <= failures:
            return TransientLLMError(f"HTTP 503 on call {number}")
        return "좋아요"

    return ScriptedLLM(script)


def test_transient_errors_are_retried_with_growing_delays() -> None:
    backend = _fail_first(2)
    waits: list[float] = []
    llm = RetryingLLM(backend, POLICY, sleep=waits.append)
    assert llm.complete(LLMRequest(prompt="안녕")).text == "좋아요"
    assert backend.calls == 3
    assert len(waits) == 2
    assert 0.0005 <= waits[0] <= 0.001
    assert 0.001 <= waits[1] <= 0.002


def test_clear_error_after_the_last_attempt() -> None:
    backend = _fail_first(100)
    llm = RetryingLLM(backend, POLICY)
    with pytest.raises(LLMError, match=r"gave up after 4 attempt\(s\).*HTTP 503 on call 4") as info:
        llm.complete(LLMRequest(prompt="안녕"))
    assert not isinstance(info.value, TransientLLMError)
    assert "fake://scripted" in str(info.value)
    assert backend.calls == 4


def test_permanent_errors_are_not_retried() -> None:
    backend = ScriptedLLM(lambda request, number: LLMError("HTTP 401: bad key"))
    with pytest.raises(LLMError, match="401"):
        RetryingLLM(backend, POLICY).complete(LLMRequest(prompt="x"))
    assert backend.calls == 1


def test_delays_are_capped_and_jittered() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay_s=1.0, max_delay_s=8.0, jitter=0.25)
    rng = random.Random(0)
    delays = [policy.delay_s(attempt, rng) for attempt in range(1, 8)]
    ceilings = [1, 2, 4, 8, 8, 8, 8]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert 0.75 * ceiling <= delay <= ceiling
    assert len(set(delays[3:])) > 1
