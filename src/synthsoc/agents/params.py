"""Typed parameters of a town run. Every value marked ASSUMPTION is a modelling choice of the
synthsoc authors, not a measured figure; docs/agents.md lists them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Importance (1-10) of each kind of memory, given by rule so that routine costs no LLM call
# (Smallville asks the model for every memory). ASSUMPTION, on Smallville's 1-10 scale.
IMPORTANCE: dict[str, float] = {
    "arrive": 1.0,
    "observe": 2.0,
    "chat": 2.0,
    "conversation": 3.0,
    "plan": 5.0,
    "heard_gathering": 8.0,
    "intention": 9.0,
    "reflection": 7.0,
    "survey_answer": 5.0,  # a grounded agent's own KGSS answer (the agent bank's importance)
}
GROUNDINGS = ("none", "kgss")


@dataclass(frozen=True)
class RetrievalWeights:
    """Weights of recency, importance and relevance (Park et al. 2023 use 1, 1, 1)."""

    recency: float = 1.0
    importance: float = 1.0
    relevance: float = 1.0
    decay_per_hour: float = 0.995  # Park et al. 2023: 0.995 per game hour since last access

    def __post_init__(self) -> None:
        if min(self.recency, self.importance, self.relevance) < 0:
            raise ValueError(f"retrieval weights must be non-negative, got {self}")
        if not 0.0 < self.decay_per_hour <= 1.0:
            raise ValueError(f"decay_per_hour must be in (0, 1], got {self.decay_per_hour}")


SCENARIOS = ("gathering", "vote")


@dataclass(frozen=True)
class GatheringSeed:
    """The seeded intention. ``gathering``: a host plans a neighbourhood gathering at a place
    and time (who hears, who comes). ``vote``: the host stands in a neighbourhood vote held at
    that place and time (Smallville's mayoral election): the news and each teller's lean spread
    until the vote, then every adult agent who heard votes for or against, the others abstain."""

    place_kind: str = "cafe"
    day: int = 0
    start_minute: int = 18 * 60
    duration_minutes: int = 90
    host_person_id: int | None = None  # None: the town picks an adult host by the seed
    kind: str = "gathering"

    def __post_init__(self) -> None:
        if self.kind not in SCENARIOS:
            raise ValueError(f"gathering kind must be one of {SCENARIOS}, got {self.kind!r}")


def vote_seed(day: int = 0, start_minute: int = 17 * 60) -> GatheringSeed:
    """The vote at the 주민센터 (open on weekdays until 18:00), by default Monday 17:00."""
    return GatheringSeed(place_kind="community_center", day=day, start_minute=start_minute,
                         duration_minutes=60, kind="vote")


@dataclass(frozen=True)
class TownParams:
    """One town run: its residents, clock, memory, cost limits and seeded intention."""

    emd: str
    n_agents: int
    seed: int = 1
    step_minutes: int = 10
    start_day: int = 0  # day 0 is a Monday
    start_minute: int = 7 * 60
    retrieval: RetrievalWeights = field(default_factory=RetrievalWeights)
    retrieve_k: int = 5
    reflection_threshold: float = 30.0  # ASSUMPTION: summed rule importance between reflections
    talk_probability: float = 0.35  # ASSUMPTION: chance per step that two co-located agents talk
    pair_cooldown_minutes: int = 120  # ASSUMPTION: the same two people talk at most this often
    max_requests_per_agent_hour: int = 5  # the cost goal, enforced by design
    # a JSON answer with a line of up to 40 Hangul syllables, about 3 tokens each in SmolLM2's
    # vocabulary (measured: 3,959 prompt tokens for four agent-bank prompts of ~350 characters)
    max_tokens: int = 160
    gathering: GatheringSeed = field(default_factory=GatheringSeed)
    # "kgss": every adult agent starts with the answers of a matched KGSS 2010 respondent as
    # memories (synthsoc.agents.grounding); "none": agents start with no memories
    grounding: str = "none"

    def __post_init__(self) -> None:
        if self.grounding not in GROUNDINGS:
            raise ValueError(f"grounding must be one of {', '.join(GROUNDINGS)}, "
                             f"got {self.grounding!r}")
        if self.n_agents < 1:
            raise ValueError(f"n_agents must be at least 1, got {self.n_agents}")
        if self.step_minutes < 1 or 60 % self.step_minutes:
            raise ValueError(f"step_minutes must divide 60, got {self.step_minutes}")
        if not 0.0 <= self.talk_probability <= 1.0:
            raise ValueError(f"talk_probability must be in [0, 1], got {self.talk_probability}")
        if self.max_requests_per_agent_hour < 0:
            raise ValueError("max_requests_per_agent_hour must be non-negative")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TownParams:
        values = dict(data)
        values["retrieval"] = RetrievalWeights(**values["retrieval"])
        values["gathering"] = GatheringSeed(**values["gathering"])
        return cls(**values)
