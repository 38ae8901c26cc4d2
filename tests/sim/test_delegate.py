"""LLM delegation through the DecisionModel protocol, with a scripted fake."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from synthsoc.sim import World, builtin_scenarios, run_replicates
from synthsoc.sim.delegate import (
    LEVELS,
    NO,
    YES,
    DecisionHook,
    DecisionPrompt,
    DelegationConfig,
    LLMDecisionModel,
)


class ScriptedModel:
    """Answers every prompt with a fixed option and records the prompts."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.prompts: list[DecisionPrompt] = []

    def choose(self, prompts: Sequence[DecisionPrompt]) -> list[str]:
        self.prompts.extend(prompts)
        return [self.answer if self.answer in p.options else p.options[0] for p in prompts]


def _bank(mode: str, **deleg: Any):  # type: ignore[no-untyped-def]
    sc = builtin_scenarios()["bank_run"]
    return sc.with_params(initial_belief=0.1, news_noise=0.0).with_overrides(
        steps=6,
        delegation=DelegationConfig(mode=mode, **deleg),
    )


def test_sample_mode_delegates_a_bounded_subset(world: World) -> None:
    model = ScriptedModel(YES)
    runs = run_replicates(
        _bank("sample", max_agents=30), world, replicates=1, seed=0, decision_model=model
    )
    calm = run_replicates(_bank("none"), world, replicates=1, seed=0)
    # the delegated agents (adults among 30) all withdraw on the model's word; the rest stay calm
    extra = runs[0].outcomes["withdrawn_final"] - calm[0].outcomes["withdrawn_final"]
    assert 0 < extra * world.agents.n <= 30 * 1.5
    assert 0 < runs[0].llm_calls <= 30
    assert all("인출" in p.prompt for p in model.prompts)


def test_archetype_mode_asks_once_per_archetype_and_step(world: World) -> None:
    model = ScriptedModel("높음")
    runs = run_replicates(_bank("archetype"), world, replicates=1, seed=0, decision_model=model)
    assert runs[0].llm_calls == len(model.prompts) <= 28 * 5
    assert {p.options for p in model.prompts} == {tuple(LEVELS)}


def test_call_budget_is_enforced(world: World) -> None:
    with pytest.raises(RuntimeError, match="max_calls"):
        run_replicates(
            _bank("sample", max_agents=50, max_calls=5),
            world,
            replicates=1,
            seed=0,
            decision_model=ScriptedModel(NO),
        )


def test_delegating_scenario_needs_a_model(world: World) -> None:
    with pytest.raises(ValueError, match="decision model"):
        run_replicates(_bank("sample"), world, replicates=1, seed=0)


def test_hook_decisions_follow_the_rule_probability_in_archetype_mode(world: World) -> None:
    rng = np.random.default_rng(0)
    hook = DecisionHook(
        ScriptedModel("낮음"), DelegationConfig(mode="archetype"), world.agents, rng,
        world.describe,
    )
    ids = np.arange(world.agents.n)
    decided = hook.decide(ids, np.full(ids.size, 0.8), "상황", rng)
    assert decided.mean() == pytest.approx(0.4, abs=0.05)  # 0.8 x 0.5 ("낮음")


@dataclass
class _Response:
    text: str
    data: Any


class _FakeLLM:
    """Implements the llm layer's complete_many; answers the first allowed option."""

    def __init__(self) -> None:
        self.requests: list[Any] = []

    def complete_many(self, requests: Sequence[Any], concurrency: int = 4) -> list[_Response]:
        self.requests.extend(requests)
        return [
            _Response(text="", data={"choice": r.json_schema["properties"]["choice"]["enum"][0]})
            for r in requests
        ]


def test_llm_decision_model_builds_constrained_requests() -> None:
    llm_module = pytest.importorskip("synthsoc.llm")
    if not hasattr(llm_module, "LLMRequest"):
        pytest.skip("synthsoc.llm.LLMRequest not merged yet")
    fake = _FakeLLM()
    choices = LLMDecisionModel(fake).choose([DecisionPrompt("인출하시겠습니까?", (YES, NO))])
    assert choices == [YES]
    assert fake.requests[0].json_schema["properties"]["choice"]["enum"] == [YES, NO]


@pytest.mark.integration
def test_llm_decision_model_with_the_embedded_model() -> None:
    llm_module = pytest.importorskip("synthsoc.llm")
    if not hasattr(llm_module, "open_llm"):
        pytest.skip("synthsoc.llm.open_llm not merged yet")
    with llm_module.open_llm("local", max_calls=4) as llm:
        answers = LLMDecisionModel(llm, temperature=0.0).choose(
            [DecisionPrompt("은행이 위험하다는 소문이 돕니다. 예금을 인출하시겠습니까?", (YES, NO))]
        )
    assert answers[0] in (YES, NO)


def test_sample_prompts_use_the_shared_persona_description(world: World) -> None:
    import re

    from synthsoc.persona.describe import describe_person

    model = ScriptedModel(NO)
    run_replicates(_bank("sample", max_agents=5), world, replicates=1, seed=0,
                   decision_model=model)
    assert model.prompts
    assert world.profiles is not None
    names = set(world.profiles["sigungu_name"].drop_nulls().to_list())
    for p in model.prompts:
        person = p.prompt.split("인물:\n", 1)[1].split("\n상황:", 1)[0]
        assert person in {describe_person(r) for r in world.profiles.iter_rows(named=True)}
        assert "사는 곳:" in person and any(name in person for name in names)
        assert not re.search(r"\d{5}", p.prompt), p.prompt  # no district codes
