"""LLM servers that refuse, garble, stall or lie about tokens; caches that cannot be written.

Every case ends within its deadline with an answer or a clear ``LLMError``, never a traceback
from the transport, and the budget is never fooled.
"""

from __future__ import annotations

import errno
import json
import logging
import socket
import time
from pathlib import Path

import pytest

from synthsoc.llm import LLMError, LLMRequest
from synthsoc.llm import cache as cache_module
from synthsoc.llm.budget import BudgetedLLM, checked_tokens, estimate_text_tokens
from synthsoc.llm.cache import CachedLLM, request_key
from synthsoc.llm.openai_client import OpenAICompatibleClient
from synthsoc.llm.types import BudgetExceeded, Price, TransientLLMError
from tests.reliability.conftest import invoke, refused, succeeded
from tests.reliability.fault_server import fault_server

pytestmark = pytest.mark.timeout(60)
DEADLINE_S = 1.5
REQUEST = LLMRequest(prompt="서울에 사는 30대 직장인의 하루를 한 문장으로 묘사해 주세요.",
                     max_tokens=16)

ANSWERED = ["ok", "no-usage", "usage-not-object", "content-null", "usage-negative",
            "usage-zero", "usage-string", "usage-float", "usage-huge", "usage-bool",
            "usage-list"]
REFUSED = ["http400", "http401", "http404", "http422", "http500", "http502", "http503",
           "http429", "garbage", "empty-body", "truncated-json", "binary", "no-choices",
           "choices-not-list", "no-message", "content-number", "content-object",
           "top-level-list", "invalid-utf8", "stall", "drip", "close"]


def _client(url: str) -> OpenAICompatibleClient:
    return OpenAICompatibleClient(base_url=url, model="m", name="fault:m", timeout_s=DEADLINE_S)


@pytest.mark.parametrize("mode", ANSWERED, ids=[f"handled-{m}" for m in ANSWERED])
def test_client_answers_and_counts_tokens_it_can_trust(mode: str) -> None:
    with fault_server(mode) as server:
        response = _client(server.url).complete(REQUEST)
    assert response.prompt_tokens >= 0 and response.completion_tokens >= 0
    floor = estimate_text_tokens(REQUEST.prompt) // 4
    assert response.prompt_tokens >= floor  # never fewer than a quarter of the estimate


@pytest.mark.parametrize("mode", REFUSED, ids=[f"refused-{m}" for m in REFUSED])
def test_client_fails_clearly_within_the_deadline(mode: str) -> None:
    started = time.monotonic()
    with fault_server(mode) as server, pytest.raises(LLMError) as caught:
        _client(server.url).complete(REQUEST)
    assert time.monotonic() - started < DEADLINE_S + 3.0
    assert "fault:m" in str(caught.value) or "/chat/completions" in str(caught.value)
    if mode in ("stall", "drip", "close") or mode.startswith("http5") or mode == "http429":
        assert isinstance(caught.value, TransientLLMError)


def test_connection_refused_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransientLLMError, match="cannot connect"):
        _client(f"http://127.0.0.1:{port}/v1").complete(REQUEST)


@pytest.mark.parametrize("mode", ["ok", "garbage", "drip", "http500", "stall", "content-number"],
                         ids=lambda m: f"{'handled' if m == 'ok' else 'refused'}-cli-{m}")
def test_llm_check_command(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`synthsoc llm check` against the faulty server: an answer or one clear line."""
    with fault_server(mode) as server:
        monkeypatch.setenv("SYNTHSOC_LLM_BASE_URL", server.url)
        monkeypatch.setenv("SYNTHSOC_LLM_MODEL", "m")
        monkeypatch.setenv("SYNTHSOC_LLM_TIMEOUT_S", str(DEADLINE_S))
        monkeypatch.setenv("SYNTHSOC_LLM_MAX_ATTEMPTS", "2")
        started = time.monotonic()
        outcome = invoke(["llm", "check", "--backend", "openai"])
    assert time.monotonic() - started < 2 * DEADLINE_S + 10
    if mode == "ok":
        succeeded(outcome)
    else:
        refused(outcome, "LLM check failed")


@pytest.mark.parametrize("mode", ["usage-negative", "usage-zero", "usage-string", "usage-bool"],
                         ids=lambda m: f"handled-budget-{m}")
def test_budget_cannot_be_fooled_by_reported_counts(mode: str) -> None:
    price = Price(1.0, 1.0)  # $ per 1000 tokens
    with fault_server(mode) as server:
        llm = BudgetedLLM(_client(server.url), price=price, budget_usd=0.2)
        calls = 0
        with pytest.raises(BudgetExceeded):
            for _ in range(1000):
                llm.complete(REQUEST)
                calls += 1
    assert 0 < llm.spent_usd <= 0.2
    assert calls < 1000 and server.calls == calls


@pytest.mark.parametrize("reported,estimated,expected", [
    (-5, 40, 40), (0, 40, 40), (9, 40, 40), (10, 40, 10), (500, 40, 500), ("x", 40, 40),
    (None, 40, 40), (True, 40, 40), (float("nan"), 40, 40), (float("inf"), 40, 40),
    (12.0, 40, 12), (12.5, 40, 40),
])
def test_checked_tokens(reported: object, estimated: int, expected: int) -> None:
    assert checked_tokens(reported, estimated) == expected


def test_unwritable_cache_refuses_before_paying(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with fault_server("ok") as server:
        llm = CachedLLM(_client(server.url), blocker / "cache")
        with pytest.raises(LLMError, match="not writable.*no call made"):
            llm.complete(REQUEST)
    assert server.calls == 0


def test_full_disk_after_the_call_keeps_the_answer(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    def full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_module, "write_json", full)
    with fault_server("ok") as server, caplog.at_level(logging.WARNING):
        response = CachedLLM(_client(server.url), tmp_path / "cache").complete(REQUEST)
    assert response.text == "안녕하세요" and server.calls == 1
    assert "could not keep the answer" in caplog.text


@pytest.mark.parametrize("damage", ["other-request", "garbled", "wrong-format", "empty"],
                         ids=lambda d: f"refused-cache-{d}")
def test_damaged_cache_entry_is_not_served(tmp_path: Path, damage: str) -> None:
    with fault_server("ok") as server:
        llm = CachedLLM(_client(server.url), tmp_path / "cache")
        llm.complete(REQUEST)
        path = llm.path_for(request_key(llm.name, REQUEST))
        entry = json.loads(path.read_text())
        if damage == "other-request":
            entry["request"]["messages"][0]["content"] = "다른 질문"
            entry["response"]["text"] = "다른 답"
            path.write_text(json.dumps(entry))
        elif damage == "garbled":
            path.write_text("{")
        elif damage == "wrong-format":
            entry["format"] = "x"
            path.write_text(json.dumps(entry))
        else:
            path.write_text("")
        with pytest.raises(LLMError, match="cache entry"):
            llm.complete(REQUEST)


def _commands(pop: Path, out: Path, q: Path) -> dict[str, list[str]]:
    return {
        "personas": ["personas", str(pop), "--narratives", "2", "--llm", "openai"],
        "survey": ["survey", "run", str(q), "--population", str(pop), "--out", str(out),
                   "--engine", "llm", "--llm-backend", "openai", "--sample", "3"],
        "simulate": ["simulate", "product_launch", "--population", str(pop), "--out", str(out),
                     "--replicates", "1", "--steps", "3", "--no-charts", "--delegate", "sample",
                     "--delegate-agents", "2", "--llm", "openai"],
    }


@pytest.mark.parametrize("command", ["personas", "survey", "simulate"])
@pytest.mark.parametrize("mode", ["http500", "garbage", "stall"],
                         ids=lambda m: f"refused-llm-{m}")
def test_commands_report_llm_failures_in_one_line(
    fresh_pop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, mode: str
) -> None:
    """An LLM that fails mid-run: a short error naming the endpoint, no output folder."""
    from tests.reliability.catalogue_files import QUESTIONNAIRE, snapshot, write

    q = write(tmp_path / "q.yaml", QUESTIONNAIRE)
    out = tmp_path / "out"
    before = snapshot(fresh_pop)
    with fault_server(mode) as server:
        monkeypatch.setenv("SYNTHSOC_LLM_BASE_URL", server.url)
        monkeypatch.setenv("SYNTHSOC_LLM_MODEL", "m")
        monkeypatch.setenv("SYNTHSOC_LLM_TIMEOUT_S", "1")
        monkeypatch.setenv("SYNTHSOC_LLM_MAX_ATTEMPTS", "1")
        outcome = invoke(_commands(fresh_pop, out, q)[command])
    refused(outcome, "/chat/completions")
    assert len(outcome.output.splitlines()) < 40
    assert not out.exists()
    assert all(p.is_file() for p in before)
