"""Hand-made residents and a scripted model for the agents tests; one small real population."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from synthsoc.agents import GatheringSeed, HashEmbedder, LLMJudge, Resident, Town, TownParams
from synthsoc.agents.residents import Neighbourhood
from synthsoc.llm import LLMRequest

from ..llm.llm_fakes import Answer, ScriptedLLM

BASE = Resident(
    person_id=0, household_id=0, name="김영수", age=45, sex="M", relationship="head",
    occupation=None, dialect="seoul_gyeonggi", dialect_strength="standard",
    register_elders="haeyo", register_peers="hae", register_juniors="haera",
    communication_style="direct", messenger="kakaotalk", weekday_activity="home",
    wake_weekday=420, leave_weekday=None, return_weekday=None, sleep_weekday=1380,
    weekend_activity="rest_home", wake_weekend=480, sleep_weekend=1400, extraversion=60.0,
    agreeableness=60.0, openness=50.0, main_place=None,
)


def resident(person_id: int, **changes: Any) -> Resident:
    return replace(BASE, person_id=person_id, **changes)


def neighbourhood(*residents: Resident) -> Neighbourhood:
    return Neighbourhood("11010560", "평창동", "종로구", "서울특별시", residents, 0, len(residents))


def town_answer(request: LLMRequest, number: int) -> Answer:
    """Scripted judgments: talk about the weather and pass the news on, attend, a fixed
    reflection and interview answer (chosen by the schema's property)."""
    properties = (request.json_schema or {}).get("properties", {})
    if "topic" in properties:
        return json.dumps({"topic": "weather", "tell_gathering": True})
    if "attend" in properties:
        return json.dumps({"attend": True})
    if "insight" in properties:
        return json.dumps({"insight": "이웃들과 자주 이야기하니 편하다."}, ensure_ascii=False)
    return json.dumps({"answer": "모임 얘기를 들었어요."}, ensure_ascii=False)


@pytest.fixture
def scripted() -> ScriptedLLM:
    return ScriptedLLM(town_answer)


def family(n: int = 3) -> tuple[Resident, ...]:
    """A household of ``n`` at home all day (grandmother, father, child, ...)."""
    ages = [72, 45, 16, 14, 40][:n]
    names = ["최정순", "김영수", "김민준", "김서연", "박지영"][:n]
    return tuple(resident(i, age=a, name=nm, relationship="head" if i == 0 else "child")
                 for i, (a, nm) in enumerate(zip(ages, names, strict=True)))


def make_town(residents: tuple[Resident, ...], llm: ScriptedLLM | Any, **params: Any) -> Town:
    settings: dict[str, Any] = {"emd": "평창동", "n_agents": len(residents), "seed": 5}
    settings.update(params)
    if isinstance(settings.get("gathering"), dict):
        settings["gathering"] = GatheringSeed(**settings["gathering"])
    return Town(TownParams(**settings), neighbourhood(*residents), HashEmbedder(),
                LLMJudge(llm, concurrency=1))


@pytest.fixture(scope="session")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real synthetic population of 종로구 at 1% with persona attributes."""
    from synthsoc.persona import write_personas
    from synthsoc.synth.populate import populate

    out = tmp_path_factory.mktemp("pop") / "jongno"
    populate(out, scale=0.01, seed=3, region="종로구", progress=False, html=False)
    write_personas(out, 3)
    return out
