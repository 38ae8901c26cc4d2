"""LLM fan-out: a pool of endpoints with limits, retries and health checks; the answer cache
under concurrent writers; a budget shared by workers (file lock locally, a Ray actor on Ray)."""

from __future__ import annotations

import socket
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from synthsoc.executor import FileCounters, RayExecutor
from synthsoc.llm import BudgetExceeded, CachedLLM, LLMError, LLMRequest, RetryPolicy
from synthsoc.llm.config import load_config
from synthsoc.llm.pool import EndpointConfig, EndpointPool
from synthsoc.llm.shared_budget import SharedBudgetLLM
from synthsoc.llm.types import Price
from tests.llm.llm_fakes import Answer, ScriptedLLM, serving

FAST = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.01)


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def test_pool_spreads_calls_and_respects_each_limit() -> None:
    with serving() as a, serving() as b:
        pool = EndpointPool([EndpointConfig(a.url, 1), EndpointConfig(b.url, 2)],
                            model="m", name="openai:m", retry=FAST)
        answers = pool.complete_many([LLMRequest(f"q{i}") for i in range(9)], concurrency=3)
        pool.close()
    assert [r.text for r in answers] == ["안녕하세요"] * 9
    assert len(a.bodies) >= 1 and len(b.bodies) >= 1 and len(a.bodies) + len(b.bodies) == 9
    assert pool.usage.calls == 9


def test_pool_spreads_calls_that_never_overlap_in_proportion_to_each_limit() -> None:
    # one call at a time: every endpoint is always free, so only the tie-break spreads them
    with serving() as a, serving() as b:
        pool = EndpointPool([EndpointConfig(a.url, 1), EndpointConfig(b.url, 2)],
                            model="m", name="openai:m", retry=FAST)
        for i in range(6):
            pool.complete(LLMRequest(f"q{i}"))
        pool.close()
    assert (len(a.bodies), len(b.bodies)) == (2, 4)


def test_pool_skips_an_unreachable_endpoint_and_moves_off_a_failing_one() -> None:
    down = _closed_port_url()
    with serving() as good, serving() as bad:
        pool = EndpointPool([EndpointConfig(down), EndpointConfig(bad.url),
                             EndpointConfig(good.url)],
                            model="m", name="openai:m", retry=FAST, recheck_s=3600)
        health = {h["base_url"]: h for h in pool.health()}
        assert health[down]["healthy"] is False and "health check failed" in str(
            health[down]["last_error"])
        bad.status = 503  # healthy at the start, then failing every call
        answer = pool.complete(LLMRequest("q"))
        assert answer.text == "안녕하세요" and len(good.bodies) == 1 and len(bad.bodies) == 2
        state = {h["base_url"]: h for h in pool.health()}
        assert state[bad.url]["healthy"] is False and "HTTP 503" in str(
            state[bad.url]["last_error"])
        good.status = 503
        with pytest.raises(LLMError, match="no healthy endpoint left"):
            pool.complete(LLMRequest("q2"))
        pool.close()


def test_pool_refuses_when_no_endpoint_is_healthy() -> None:
    url = _closed_port_url()
    with pytest.raises(LLMError, match=f"no endpoint of the pool is healthy: {url}"):
        EndpointPool([EndpointConfig(url)], model="m", name="openai:m")


def test_endpoints_from_environment_and_file(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTHSOC_LLM_ENDPOINTS", "http://a:1/v1, http://b:2/v1")
    monkeypatch.setenv("SYNTHSOC_LLM_ENDPOINT_CONCURRENCY", "3")
    monkeypatch.setenv("SYNTHSOC_LLM_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    assert load_config().endpoints == (EndpointConfig("http://a:1/v1", 3),
                                       EndpointConfig("http://b:2/v1", 3))
    monkeypatch.delenv("SYNTHSOC_LLM_ENDPOINTS")
    (tmp_path / "none.toml").write_text(
        '[llm]\nmodel = "m"\n[[llm.endpoints]]\nbase_url = "http://a:1/v1"\nconcurrency = 0\n')
    with pytest.raises(ValueError, match=r"none.toml: endpoints\[0\]: .*concurrency"):
        load_config()


def _by_prompt(request: LLMRequest, _number: int) -> Answer:
    return f"answer to {request.prompt}"


def _ask_all(cache_dir: str, order: int) -> list[str]:
    cached = CachedLLM(ScriptedLLM(_by_prompt, delay_s=0.001), Path(cache_dir))
    prompts = [f"q{i}" for i in range(30)]
    prompts = prompts[order:] + prompts[:order]
    return [cached.complete(LLMRequest(p)).text for p in prompts]


def test_cache_is_safe_under_concurrent_writer_processes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with ProcessPoolExecutor(4) as pool:  # four processes writing the same 30 entries at once
        results = list(pool.map(_ask_all, [str(cache)] * 4, [0, 7, 15, 22]))
    assert all(sorted(r) == sorted(f"answer to q{i}" for i in range(30)) for r in results)
    files = sorted(cache.rglob("*"))
    assert [f for f in files if f.name.endswith(".tmp")] == []
    entries = [f for f in files if f.suffix == ".json"]
    assert len(entries) == 30

    def never(_request: LLMRequest, _number: int) -> Answer:
        return LLMError("no call may be made: every entry is cached")

    reader = CachedLLM(ScriptedLLM(never), cache)  # every entry whole and matching its name
    assert [reader.complete(LLMRequest(f"q{i}")).text for i in range(30)] == [
        f"answer to q{i}" for i in range(30)]


def _spend(path: str, calls: int) -> tuple[int, int]:
    llm = SharedBudgetLLM(ScriptedLLM(_by_prompt), counters=FileCounters(path),
                          price=Price(1.0, 1.0), max_calls=10)
    made = refused = 0
    for i in range(calls):
        try:
            llm.complete(LLMRequest(f"p{i}", max_tokens=8))
            made += 1
        except BudgetExceeded:
            refused += 1
    return made, refused


def test_budget_is_enforced_across_worker_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "budget.json")
    with ProcessPoolExecutor(4) as pool:
        outcome = list(pool.map(_spend, [path] * 4, [6] * 4))
    assert sum(m for m, _ in outcome) == 10 and sum(r for _, r in outcome) == 14
    state = FileCounters(path).read()
    assert state["calls"] == 10
    # cost by hand: prompt "answer to pN" reported as len(prompt) tokens by the scripted LLM
    # (below the estimate's floor it is the estimate), completion as len(answer)
    assert state["usd"] > 0


def test_budget_refuses_on_usd_before_the_call(tmp_path: Path) -> None:
    inner = ScriptedLLM(_by_prompt)
    llm = SharedBudgetLLM(inner, counters=FileCounters(tmp_path / "b.json"),
                          price=Price(1000.0, 1000.0), budget_usd=20.0)
    llm.complete(LLMRequest("p", max_tokens=8))  # worst case: (4 + 1 + 8) tokens = $13
    with pytest.raises(BudgetExceeded, match="shared budget"):
        llm.complete(LLMRequest("p", max_tokens=8))
    assert inner.calls == 1


@pytest.mark.integration
def test_budget_and_cache_across_two_ray_nodes(ray_cluster: Any, tmp_path: Path) -> None:
    import cloudpickle
    import ray

    import tests.llm.llm_fakes as fakes

    cloudpickle.register_pickle_by_value(fakes)
    cloudpickle.register_pickle_by_value(__import__(__name__))
    ex = RayExecutor(workers=2)
    counters = ex.counters("test-llm-budget", tmp_path)

    def work(_shared: Any, item: int) -> tuple[str, int, int]:
        llm = SharedBudgetLLM(CachedLLM(ScriptedLLM(_by_prompt), tmp_path / "cache"),
                              counters=counters, price=Price(), max_calls=5)
        made = refused = 0
        for i in range(4):
            try:
                llm.complete(LLMRequest(f"r{item}-{i}"))
                made += 1
            except BudgetExceeded:
                refused += 1
        return ray.get_runtime_context().get_node_id(), made, refused

    results = ex.map(work, [0, 1, 2, 3])
    assert sum(m for _, m, _ in results) == 5 and sum(r for _, _, r in results) == 11
    assert len({node for node, _, _ in results}) == 2  # both nodes took part
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 5
    counters.drop()  # type: ignore[attr-defined]


def test_open_llm_uses_the_configured_pool_and_the_shared_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synthsoc.llm import open_llm

    with serving() as a, serving() as b:
        (tmp_path / "llm.toml").write_text("")
        monkeypatch.setenv("SYNTHSOC_LLM_CONFIG", str(tmp_path / "llm.toml"))
        monkeypatch.setenv("SYNTHSOC_LLM_ENDPOINTS", f"{a.url},{b.url}")
        monkeypatch.setenv("SYNTHSOC_LLM_ENDPOINT_CONCURRENCY", "1")
        monkeypatch.setenv("SYNTHSOC_LLM_MODEL", "m")
        counters = FileCounters(tmp_path / "budget.json")
        with open_llm("openai", max_calls=4, counters=counters, use_cache=False) as llm:
            answers = llm.complete_many([LLMRequest(f"q{i}") for i in range(4)], concurrency=2)
            with pytest.raises(BudgetExceeded, match="shared budget"):
                llm.complete(LLMRequest("one too many"))
    assert [r.text for r in answers] == ["안녕하세요"] * 4
    assert len(a.bodies) + len(b.bodies) == 4 and a.bodies and b.bodies
    assert counters.read()["calls"] == 4
