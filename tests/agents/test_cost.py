"""The estimate before a run and a budget stop that keeps the last whole game hour."""

from __future__ import annotations

import json
from pathlib import Path

from synthsoc.agents import HashEmbedder, LLMJudge, load_checkpoint
from synthsoc.agents.cost import estimate_run, typical_request
from synthsoc.agents.params import TownParams
from synthsoc.agents.run import SUMMARY_FILE, advance
from synthsoc.llm import Price, estimate_prompt_tokens, stack_llm

from ..llm.llm_fakes import ScriptedLLM
from .conftest import family, make_town, town_answer


def test_estimate_is_the_hourly_cap_for_every_agent_hour() -> None:
    params = TownParams(emd="x", n_agents=4, max_requests_per_agent_hour=5, max_tokens=80)
    price = Price(prompt_per_1k=1.0, completion_per_1k=2.0)
    estimate = estimate_run(params, 4, 2.5, price)
    assert estimate.requests == 4 * 3 * 5  # 2.5 hours started count as 3
    per_request = estimate_prompt_tokens(typical_request(params))
    assert estimate.prompt_tokens == 60 * per_request
    assert estimate.completion_tokens == 60 * 80
    assert abs(estimate.cost_usd - (60 * per_request * 1.0 + 60 * 80 * 2.0) / 1000) < 1e-9


def test_a_budget_stop_keeps_the_last_whole_hour_and_resumes(tmp_path: Path) -> None:
    calls = 6
    model = ScriptedLLM(town_answer)
    town = make_town(family(4), stack_llm(model, max_calls=calls), talk_probability=1.0,
                     start_minute=8 * 60)
    summary = advance(town, 6.0, tmp_path)
    assert summary["stopped_by_budget"] and "call limit" in summary["stopped_by_budget"]
    assert summary["game_minutes"] % 60 == 0 and summary["game_minutes"] < 6 * 60
    saved = json.loads((tmp_path / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert saved["game_minutes"] == summary["game_minutes"]
    # The checkpoint holds only what happened before the stop; resuming with a new budget goes on.
    resumed = load_checkpoint(tmp_path, HashEmbedder(), LLMJudge(ScriptedLLM(town_answer)))
    assert resumed.minute == 8 * 60 + summary["game_minutes"]
    done = advance(resumed, 1.0, tmp_path)
    assert done["stopped_by_budget"] is None
    assert done["game_minutes"] == summary["game_minutes"] + 60


def test_a_malformed_judgment_uses_the_rule_and_is_counted() -> None:
    from synthsoc.llm import LLMRequest

    def script(request: LLMRequest, number: int) -> str:
        if "attend" in (request.json_schema or {}).get("properties", {}):
            return "I think yes"  # never valid JSON
        return town_answer(request, number)

    model = ScriptedLLM(script)
    town = make_town(family(3), stack_llm(model, max_reasks=1), talk_probability=1.0,
                     start_minute=8 * 60)
    town.run_until(town.gathering_start)
    decided = [p for p in town.decided if p != town.host]
    assert decided
    assert town.summary()["judgment_failures"] == len(decided)
    for pid in decided:  # the rule: agreeableness above 50 (60 for these residents)
        assert town.decided[pid] is True
