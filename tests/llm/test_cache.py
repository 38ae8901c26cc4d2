from __future__ import annotations

import json
from pathlib import Path

import pytest

from synthsoc.llm import LLMError, LLMRequest, request_key, stack_llm

from .llm_fakes import ScriptedLLM, echo


def _requests() -> list[LLMRequest]:
    return [LLMRequest(prompt=f"질문 {i}", seed=i) for i in range(6)]


def test_second_identical_run_makes_no_calls(tmp_path: Path) -> None:
    first_backend = ScriptedLLM(echo)
    first = stack_llm(first_backend, cache_dir=tmp_path).complete_many(_requests(), concurrency=3)
    assert first_backend.calls == 6
    assert not any(r.cached for r in first)

    second_backend = ScriptedLLM(echo)
    second_llm = stack_llm(second_backend, cache_dir=tmp_path)
    second = second_llm.complete_many(_requests(), concurrency=3)
    assert second_backend.calls == 0
    assert all(r.cached for r in second)
    assert [r.text for r in second] == [r.text for r in first]
    assert second_llm.usage.cache_hits == 6
    assert second_llm.usage.calls == 0


def test_any_parameter_change_is_a_new_key() -> None:
    base = LLMRequest(prompt="안녕", system="s", max_tokens=10, temperature=0.5, seed=1)
    variants = [
        LLMRequest(prompt="안녕!", system="s", max_tokens=10, temperature=0.5, seed=1),
        LLMRequest(prompt="안녕", system=None, max_tokens=10, temperature=0.5, seed=1),
        LLMRequest(prompt="안녕", system="s", max_tokens=11, temperature=0.5, seed=1),
        LLMRequest(prompt="안녕", system="s", max_tokens=10, temperature=0.6, seed=1),
        LLMRequest(prompt="안녕", system="s", max_tokens=10, temperature=0.5, seed=2),
        LLMRequest(prompt="안녕", system="s", max_tokens=10, temperature=0.5, seed=1,
                   json_schema={"type": "object"}),
    ]  # fmt: skip
    keys = {request_key("m", base)} | {request_key("m", v) for v in variants}
    assert len(keys) == 1 + len(variants)
    assert request_key("other-model", base) != request_key("m", base)
    assert request_key("m", base) == request_key("m", LLMRequest(**base.__dict__))


def test_identical_requests_in_one_batch_make_one_call(tmp_path: Path) -> None:
    backend = ScriptedLLM(echo, delay_s=0.05)
    llm = stack_llm(backend, cache_dir=tmp_path)
    answers = llm.complete_many([LLMRequest(prompt="같은 질문")] * 5, concurrency=5)
    assert backend.calls == 1
    assert len({a.text for a in answers}) == 1
    assert sum(a.cached for a in answers) == 4


def test_cache_entry_is_replayable_json_and_a_corrupt_one_is_reported(tmp_path: Path) -> None:
    llm = stack_llm(ScriptedLLM(echo), cache_dir=tmp_path)
    request = LLMRequest(prompt="재생")
    llm.complete(request)
    key = request_key(llm.name, request)
    entry_path = tmp_path / key[:2] / f"{key}.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    assert entry["key"] == key
    assert entry["request"]["messages"] == [{"role": "user", "content": "재생"}]
    assert entry["response"]["text"] == "재생#1"

    entry_path.write_text("{not json", encoding="utf-8")
    with pytest.raises(LLMError, match="unreadable"):
        stack_llm(ScriptedLLM(echo), cache_dir=tmp_path).complete(request)
