"""The town with a scripted model: reflection trigger, plan revision, speech levels, the
invitation spreading, group chats, the per-agent request cap, checkpoints and free replays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from synthsoc.agents import load_checkpoint, save_checkpoint, town_state
from synthsoc.agents.checkpoint import state_vectors
from synthsoc.agents.lines import invitation
from synthsoc.agents.planning import PlanBlock, block_at, default_plan, insert_block
from synthsoc.llm import stack_llm
from synthsoc.persona.korean import Level
from synthsoc.persona.register_norms import Relation, Setting, register_for
from synthsoc.persona.speech import classify_sentence

from ..llm.llm_fakes import ScriptedLLM
from .conftest import family, make_town, resident, town_answer


def test_reflection_happens_when_importance_passes_the_threshold(scripted: ScriptedLLM) -> None:
    town = make_town(family(2), scripted, talk_probability=0.0, reflection_threshold=12.0,
                     gathering={"host_person_id": 0})
    town.step()  # the host holds its intention (9) and an arrival (1); agent 1 an arrival (1)
    town._remember(1, "plan", "장을 보러 가기로 했다.")  # 1 + 5 = 6 < 12
    town._embed_new()
    town._reflect()
    assert scripted.calls == 0
    town._remember(1, "heard_gathering", "모임 소식을 들었다.")  # 6 + 8 = 14 >= 12
    town._embed_new()
    town._reflect()
    town._embed_new()
    assert scripted.calls == 1
    assert "insight" in scripted.requests[0].json_schema["properties"]  # type: ignore[index]
    assert town.streams[1].memories[-1].kind == "reflection"
    assert town.last_reflection[1] == town.minute
    assert town.streams[0].memories[-1].kind != "reflection"


def test_default_plan_follows_the_persona_schedule() -> None:
    worker = resident(1, weekday_activity="work", occupation="3", main_place="office",
                      leave_weekday=480, return_weekday=1140, wake_weekday=400)
    plan = default_plan(worker, 0, np.random.default_rng(0))
    assert plan[0] == PlanBlock(0, 400, "home:0", "sleep")
    assert block_at(plan, 600).place == "office"
    assert block_at(plan, 479).place == "home:0"
    starts = [b.start for b in plan]
    ends = [b.end for b in plan]
    assert starts[0] == 0 and ends[-1] == 1440 and starts[1:] == ends[:-1]


def test_insert_block_splits_what_it_overlaps() -> None:
    plan = [PlanBlock(0, 600, "home:0", "home"), PlanBlock(600, 1440, "home:0", "sleep")]
    revised = insert_block(plan, PlanBlock(500, 700, "cafe", "gathering"))
    assert revised == [PlanBlock(0, 500, "home:0", "home"), PlanBlock(500, 700, "cafe",
                       "gathering"), PlanBlock(700, 1440, "home:0", "sleep")]


def test_hearing_the_invitation_revises_the_plan_and_the_agent_comes(
        scripted: ScriptedLLM) -> None:
    town = make_town(family(3), scripted, talk_probability=1.0, start_minute=8 * 60)
    town.run_until(town.gathering_end)
    others = [p for p in town.ids if p != town.host]
    for pid in others:
        assert town.decided.get(pid) is True
        assert any(b.activity == "gathering" and b.place == "cafe" for b in town.plans[pid])
    assert town.came == set(town.ids)
    assert any(e["kind"] == "plan" and e["attend"] for e in town.timeline)


def test_speech_level_follows_relation_and_setting(scripted: ScriptedLLM) -> None:
    town = make_town(family(3), scripted, talk_probability=1.0, start_minute=8 * 60)
    town.run_until(town.minute + 6 * 60)
    said = [e for e in town.timeline if e["kind"] == "say"]
    assert said
    ages = {p: town.residents[p].age for p in town.ids}
    for event in said:
        speaker = town.residents[event["agent"]]
        older = ages[event["listener"]] > ages[event["agent"]]
        relation = Relation.ELDER if older else Relation.JUNIOR
        expected = register_for(relation, Setting.PRIVATE, speaker.age, Level("haeyo"),
                                Level("hae"), Level("haera"))
        assert event["relation"] == relation.value
        assert event["level"] == expected.value
        heard = classify_sentence(event["text"]).level
        if heard is not None:  # the classifier's own reading of the rendered sentence
            assert heard == expected, event["text"]
    # To the grandmother everyone uses 해요체; she speaks 해라체 to them.
    to_grandma = [e for e in said if e["listener"] == 0]
    assert to_grandma and all(e["level"] == "haeyo" for e in to_grandma)


def test_strangers_and_dialect() -> None:
    from synthsoc.agents.lines import voice

    busan = resident(1, household_id=1, age=30, dialect="gyeongsang", dialect_strength="strong")
    other = resident(2, household_id=2, age=31)
    v = voice(busan, other, at_work=False, coworkers=False, acquainted=False)
    assert v.relation is Relation.STRANGER and v.level is Level.HAEYO
    line = invitation("김영수", "월요일 저녁 6시", "카페", v, own=False)
    assert classify_sentence(line).dialect == "gyeongsang"
    known = voice(busan, other, at_work=False, coworkers=False, acquainted=True)
    assert known.relation is Relation.PEER and known.level is Level.HAE


def test_invitation_spreads_along_conversations(scripted: ScriptedLLM) -> None:
    town = make_town(family(4), scripted, talk_probability=0.5, start_minute=8 * 60, seed=11)
    town.run_until(town.gathering_start)
    assert len(town.heard) >= 2
    for pid, heard in town.heard.items():
        if pid == town.host:
            assert heard.source is None
            continue
        source = town.heard[heard.source]  # the teller had heard it before
        assert source.minute <= heard.minute
        told = [e for e in town.timeline if e["kind"] == "say" and e["agent"] == heard.source
                and e["listener"] == pid and e["minute"] == heard.minute
                and "모임" in e["text"]]
        assert told, f"no invitation line from {heard.source} to {pid}"


def test_family_chat_passes_news_and_quiet_members_stay_silent(scripted: ScriptedLLM) -> None:
    members = (resident(0, age=50), resident(1, age=20, extraversion=30.0),
               resident(2, age=18, extraversion=70.0))
    town = make_town(members, scripted, talk_probability=0.0, start_minute=19 * 60 + 50,
                     gathering={"day": 1, "start_minute": 600, "host_person_id": 0})
    town.run_until(20 * 60 + 10)
    chat = [e for e in town.timeline if e.get("channel") == "family_chat"]
    assert chat[0]["kind"] == "say" and chat[0]["agent"] == 0 and "모임" in chat[0]["text"]
    assert {"kind": "silent", "agent": 1} in [{"kind": e["kind"], "agent": e["agent"]}
                                            for e in chat]
    replies = [e for e in chat if e["kind"] == "say" and e["agent"] == 2]
    assert replies and classify_sentence(replies[0]["text"]).level == Level.HAEYO
    assert town.heard[1].channel == "family_chat" and town.heard[2].source == 0


def test_no_agent_asks_more_than_the_hourly_cap(scripted: ScriptedLLM) -> None:
    town = make_town(family(5), scripted, talk_probability=1.0, pair_cooldown_minutes=10,
                     max_requests_per_agent_hour=2, start_minute=8 * 60)
    town.run_until(town.minute + 4 * 60)
    assert max(town.requests.values()) <= 2
    assert scripted.calls == sum(town.request_kinds.values())


def _state_bytes(town: object) -> tuple[str, dict[str, bytes]]:
    import json

    state = json.dumps(town_state(town), sort_keys=True, ensure_ascii=False)  # type: ignore
    return state, {k: v.tobytes() for k, v in state_vectors(town).items()}  # type: ignore


def test_checkpoint_and_resume_give_the_identical_state(tmp_path: Path) -> None:
    straight = make_town(family(3), ScriptedLLM(town_answer), talk_probability=0.6)
    straight.run_until(straight.minute + 5 * 60)

    first = make_town(family(3), ScriptedLLM(town_answer), talk_probability=0.6)
    first.run_until(first.minute + 2 * 60 + 30)
    save_checkpoint(first, tmp_path)
    from synthsoc.agents import HashEmbedder, LLMJudge

    resumed = load_checkpoint(tmp_path, HashEmbedder(), LLMJudge(ScriptedLLM(town_answer)))
    resumed.run_until(straight.minute)
    assert _state_bytes(resumed) == _state_bytes(straight)


def test_a_replay_from_the_cache_makes_zero_calls(tmp_path: Path) -> None:
    first_model = ScriptedLLM(town_answer)
    first = make_town(family(3), stack_llm(first_model, cache_dir=tmp_path),
                      talk_probability=0.6)
    first.run_until(first.minute + 3 * 60)
    assert first_model.calls > 0
    replay_model = ScriptedLLM(town_answer)
    replay = make_town(family(3), stack_llm(replay_model, cache_dir=tmp_path),
                       talk_probability=0.6)
    replay.run_until(first.minute)
    assert replay_model.calls == 0
    assert _state_bytes(replay) == _state_bytes(first)


def test_interview_answers_from_retrieved_memories(scripted: ScriptedLLM) -> None:
    town = make_town(family(3), scripted, talk_probability=1.0, start_minute=8 * 60)
    town.run_until(town.gathering_start)
    listener = next(p for p in town.ids if p != town.host and p in town.heard)
    answer, memories = town.interview(listener, "동네 모임에 대해 들은 게 있어요?")
    assert answer == "모임 얘기를 들었어요."
    assert any("모임" in m for m in memories)
    assert "모임" in scripted.requests[-1].prompt


@pytest.mark.parametrize("bad", [{"place_kind": "casino"}, {"host_person_id": 99}])
def test_bad_gathering_settings_are_errors(scripted: ScriptedLLM, bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        make_town(family(2), scripted, gathering=bad)
