"""The opinion before a vote (Smallville's mayoral election): the candidacy and each teller's
lean spread through conversations until the vote, then the adults who heard vote."""

from __future__ import annotations

import json
from pathlib import Path

from synthsoc.agents import HashEmbedder, LLMJudge, Resident, load_checkpoint, save_checkpoint
from synthsoc.agents.judgment import Ask, RuleJudge
from synthsoc.agents.params import vote_seed
from synthsoc.llm import LLMRequest

from ..llm.llm_fakes import Answer, ScriptedLLM
from .conftest import make_town, resident, town_answer


def neighbours() -> tuple[Resident, ...]:
    """Five adults of one household (so all meet at home) and a child."""
    ages = [70, 48, 45, 24, 21, 10]
    return tuple(resident(i, age=a, name=f"주민{i}") for i, a in enumerate(ages))


def backing(request: LLMRequest, number: int) -> Answer:
    if "support" in (request.json_schema or {}).get("properties", {}):
        return json.dumps({"support": True})
    return town_answer(request, number)


def test_candidacy_and_lean_spread_and_the_adults_who_heard_vote() -> None:
    town = make_town(neighbours(), ScriptedLLM(backing), talk_probability=1.0,
                     start_minute=8 * 60, gathering=vote_seed(start_minute=12 * 60).__dict__)
    host = town.residents[town.host].name
    town.run_until(12 * 60 + 30)
    told = [e for e in town.timeline if e["kind"] == "say" and "선거" in e["text"]]
    assert told and all(host in e["text"] or e["agent"] == town.host for e in told)
    for heard in town.heard.values():
        if heard.source == town.host:
            assert heard.stance is True  # the candidate backs itself
        assert heard.minute < town.gathering_start
    # every adult who heard backs the candidate (the scripted model says so); the child
    # does not vote; nobody hears after the vote opened
    summary = town.summary()
    assert summary["scenario"] == "vote" and summary["eligible"] == 5
    heard_adults = [p for p in town.heard if town.residents[p].age >= 18]
    assert summary["votes"]["for"] + summary["votes"]["undecided"] == len(heard_adults)
    assert summary["votes"]["unaware"] == 5 - len(heard_adults)
    assert 5 not in town.votes
    assert summary["vote_share_for"] == summary["votes"]["for"] / 5
    assert not any(e["kind"] == "heard" and e["minute"] >= town.gathering_start
                   for e in town.timeline)
    assert [e["kind"] for e in town.timeline].count("vote") == 5
    assert town.came == set()  # a vote is not a gathering


def test_the_rule_judge_follows_the_tellers_lean() -> None:
    def ask(agreeableness: float, lean: bool | None) -> Ask:
        return Ask(1, 1, "", "", (), True, agreeableness=agreeableness, source_supports=lean)
    decisions = RuleJudge().decide([ask(50, True), ask(50, False), ask(50, None), ask(60, False)],
                                   "support")
    assert [d.yes for d in decisions] == [True, False, False, True]


def test_a_vote_run_resumes_identically(tmp_path: Path) -> None:
    settings = {"talk_probability": 0.7, "start_minute": 9 * 60,
                "gathering": vote_seed(start_minute=11 * 60).__dict__}
    straight = make_town(neighbours(), ScriptedLLM(backing), **settings)
    straight.run_until(12 * 60)
    first = make_town(neighbours(), ScriptedLLM(backing), **settings)
    first.run_until(10 * 60 + 30)
    save_checkpoint(first, tmp_path)
    resumed = load_checkpoint(tmp_path, HashEmbedder(), LLMJudge(ScriptedLLM(backing)))
    resumed.run_until(12 * 60)
    assert resumed.summary() == straight.summary()
    assert resumed.timeline == straight.timeline
