"""Delegating some agents' decisions to a language model, the rest following the rules.

Cost stays bounded at scale in one of two ways:

* ``sample``: a fixed random subset of at most ``max_agents`` agents decides by asking the model
  (yes / no), one prompt per agent and decision;
* ``archetype``: agents are grouped into archetypes (age band x sex x capital region); the model
  is asked once per archetype and decision step for a likelihood level (높음 / 보통 / 낮음) that
  scales the rule-based probability of each member, who then draws their own decision.

The model is anything with ``choose(prompts) -> list[str]`` (:class:`DecisionModel`);
:class:`LLMDecisionModel` adapts an ``synthsoc.llm`` client to it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from synthsoc.sim.agents import AGE_BAND_LABELS, Agents

YES, NO = "예", "아니오"
LEVELS: dict[str, float] = {"높음": 1.5, "보통": 1.0, "낮음": 0.5}
SYSTEM_PROMPT = (
    "당신은 한국의 한 시민을 연기합니다. 주어진 인물의 입장에서 상황을 읽고, "
    "제시된 선택지 가운데 하나만 고르세요."
)
MODES: tuple[str, ...] = ("none", "sample", "archetype")
CAPITAL_SIDO = ("11", "23", "31")  # Seoul, Incheon, Gyeonggi


@dataclass(frozen=True)
class DecisionPrompt:
    prompt: str
    options: tuple[str, ...]
    system: str = SYSTEM_PROMPT


class DecisionModel(Protocol):
    """Chooses one option per prompt."""

    def choose(self, prompts: Sequence[DecisionPrompt]) -> list[str]: ...


class LLMDecisionModel:
    """Adapts a ``synthsoc.llm.LLM`` (``complete_many``) to :class:`DecisionModel`.

    Each prompt becomes an ``LLMRequest`` whose JSON schema restricts the answer to the options.
    """

    def __init__(self, llm: Any, *, temperature: float = 0.7, seed: int = 0, concurrency: int = 4):
        self.llm = llm
        self.temperature = temperature
        self.seed = seed
        self.concurrency = concurrency
        self._request = importlib.import_module("synthsoc.llm").LLMRequest

    def choose(self, prompts: Sequence[DecisionPrompt]) -> list[str]:
        requests = [
            self._request(
                prompt=p.prompt
                + "\n선택지: "
                + " / ".join(p.options)
                + '\nJSON {"choice": ...} 로 답하세요.',
                system=p.system,
                max_tokens=32,
                temperature=self.temperature,
                json_schema={
                    "type": "object",
                    "properties": {"choice": {"type": "string", "enum": list(p.options)}},
                    "required": ["choice"],
                },
                seed=self.seed + i,
            )
            for i, p in enumerate(prompts)
        ]
        responses = self.llm.complete_many(requests, concurrency=self.concurrency)
        out = []
        for p, r in zip(prompts, responses, strict=True):
            choice = r.data.get("choice") if isinstance(r.data, dict) else None
            if choice not in p.options:
                raise ValueError(f"language model answered {r.text!r}; expected one of {p.options}")
            out.append(str(choice))
        return out


@dataclass(frozen=True)
class DelegationConfig:
    mode: str = "none"
    max_agents: int = 100  # sample mode: agents whose decisions the model makes
    max_calls: int = 2000  # per replicate, over all steps

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"delegation.mode: unknown {self.mode!r}; choose one of {MODES}")


def archetype_of(agents: Agents) -> tuple[np.ndarray, list[str]]:
    """Archetype id per agent (age band x sex x capital region) and a Korean label per id."""
    capital = np.isin(agents.sido_codes[agents.sido], CAPITAL_SIDO)
    ids = (agents.age_band.astype(np.int64) * 2 + agents.female) * 2 + capital
    labels = []
    for band in range(len(AGE_BAND_LABELS)):
        for female in (0, 1):
            for cap in (0, 1):
                labels.append(
                    f"{AGE_BAND_LABELS[band]}세 {'여성' if female else '남성'}, "
                    f"{'수도권' if cap else '비수도권'} 거주"
                )
    return ids, labels


class DecisionHook:
    """Routes decisions of delegated agents to a :class:`DecisionModel`; counts the calls.

    In ``sample`` mode each agent is described by ``describe(i)``: the shared persona
    description (:func:`synthsoc.persona.describe.describe_person`, via ``World.describe``).
    """

    def __init__(
        self,
        model: DecisionModel,
        config: DelegationConfig,
        agents: Agents,
        rng: np.random.Generator,
        describe: Callable[[int], str],
    ) -> None:
        self.model = model
        self.config = config
        self.agents = agents
        self.describe = describe
        self.calls = 0
        n = agents.n
        self.delegated = np.zeros(n, dtype=bool)
        if config.mode == "sample":
            pick = rng.choice(n, size=min(config.max_agents, n), replace=False)
            self.delegated[pick] = True
        elif config.mode == "archetype":
            self.delegated[:] = True
        self.archetype, self.archetype_labels = archetype_of(agents)

    def _budget(self, wanted: int) -> None:
        if self.calls + wanted > self.config.max_calls:
            raise RuntimeError(
                f"delegation.max_calls {self.config.max_calls} would be exceeded "
                f"({self.calls} made, {wanted} more needed); raise it or delegate fewer agents"
            )

    def decide(
        self, ids: np.ndarray, rule_prob: np.ndarray, situation: str, rng: np.random.Generator
    ) -> np.ndarray:
        """Decisions (bool) for delegated agents ``ids`` facing ``situation`` (Korean text)."""
        ids = np.asarray(ids, dtype=np.int64)
        if ids.size == 0:
            return np.zeros(0, dtype=bool)
        if self.config.mode == "sample":
            self._budget(ids.size)
            prompts = [
                DecisionPrompt(
                    f"인물:\n{self.describe(int(i))}\n상황: {situation}\n하시겠습니까?",
                    (YES, NO),
                )
                for i in ids
            ]
            answers = self.model.choose(prompts)
            self.calls += len(prompts)
            return np.array([a == YES for a in answers], dtype=bool)
        arche = self.archetype[ids]
        present = np.unique(arche)
        self._budget(present.size)
        prompts = [
            DecisionPrompt(
                f"인물 유형: {self.archetype_labels[int(a)]}\n상황: {situation}\n"
                "이런 사람이 그렇게 할 가능성은?",
                tuple(LEVELS),
            )
            for a in present
        ]
        answers = self.model.choose(prompts)
        self.calls += len(prompts)
        factor = np.ones(int(self.archetype.max()) + 1)
        factor[present] = [LEVELS[a] for a in answers]
        p = np.clip(rule_prob * factor[arche], 0.0, 1.0)
        return rng.random(ids.size) < p
