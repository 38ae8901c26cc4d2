"""The simulated user: a persona with a task, speaking in its own level and dialect.

The user opens with the scenario's request, rendered by the language core in the level its
persona uses to a stranger (:func:`synthsoc.persona.register_norms.register_for`) and in its
dialect zone (standard for Seoul/Gyeonggi speakers); when an answer does not serve the goal it
asks again (the scenario's follow-up), up to :attr:`Reactions.max_turns` times, then closes
satisfied or not and rates the exchange from 0 to 10 with the rules of :class:`Reactions`
(ASSUMPTION weights, docs/sandbox.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from synthsoc.persona.korean import STANDARD, Level
from synthsoc.persona.register_norms import Relation, Setting, register_for
from synthsoc.sandbox.catalogue import budget_for
from synthsoc.sandbox.checks import AnswerCheck
from synthsoc.sandbox.scenarios import Line, Scenario

_THANKS = Line(lead="", stem="고맙", kind="adjective", irregular="b")
_UNHAPPY = Line(lead="도움이 별로 안", stem="되", kind="verb", past=True)


@dataclass(frozen=True)
class Reactions:
    """How the simulated user rates an exchange (ASSUMPTION weights on a 0-10 scale)."""

    max_turns: int = 3
    start: float = 10.0
    not_served: float = 5.0  # goal not met by the last turn
    per_extra_turn: float = 1.0  # each time the user had to ask again
    impolite: float = 3.0  # any 반말/해라체 sentence from the assistant
    over_budget_or_contradiction: float = 3.0
    age_unfit: float = 2.0
    satisfied_from: float = 6.0  # the user ends satisfied at this rating or above


@dataclass(frozen=True)
class UserProfile:
    """What the simulated user is, from its persona and household (one row of the sample)."""

    person_id: int
    age: int
    sex: str
    dialect: str
    dialect_strength: str
    level: Level  # the level this user speaks to a stranger
    household_size: int
    household_type: str
    income_bracket: str
    digital: str
    segments: dict[str, str]

    @property
    def speaks_dialect(self) -> bool:
        return self.dialect != STANDARD and self.dialect_strength != "standard"


def profile_from_row(row: dict[str, Any], segment_columns: dict[str, str]) -> UserProfile:
    age = int(row["age"])
    level = register_for(Relation.STRANGER, Setting.PRIVATE, age, Level(row["register_elders"]),
                         Level(row["register_peers"]), Level(row["register_juniors"]))
    return UserProfile(
        person_id=int(row["person_id"]), age=age, sex=str(row["sex"]),
        dialect=str(row["dialect"]), dialect_strength=str(row["dialect_strength"]), level=level,
        household_size=int(row["household_size"]), household_type=str(row["household_type"]),
        income_bracket=str(row["income_bracket"]), digital=str(row["digital"]),
        segments={name: str(row[column]) for name, column in segment_columns.items()},
    )


@dataclass(frozen=True)
class Task:
    """A scenario given to one user, with the values its sentences need."""

    scenario: Scenario
    budget_manwon: int | None
    household_size: int

    @property
    def values(self) -> dict[str, object]:
        return {"budget": self.budget_manwon if self.budget_manwon is not None else 0,
                "size": self.household_size}

    @property
    def stated_household_size(self) -> int | None:
        stated = any("{size}" in line.lead + line.stem for line in self.scenario.request)
        return self.household_size if stated else None


def task_for(profile: UserProfile, scenario: Scenario) -> Task:
    budget = (budget_for(profile.income_bracket, scenario.budget_category)
              if scenario.budget_category else None)
    return Task(scenario, budget, profile.household_size)


def render(lines: tuple[Line, ...], level: Level, dialect: str,
           values: dict[str, object]) -> tuple[str, bool]:
    """The lines as one message, and whether any sentence carries a dialect marker."""
    parts = [line.render(level, dialect, values) for line in lines]
    return " ".join(text for text, _ in parts), any(distinct for _, distinct in parts)


@dataclass(frozen=True)
class SimulatedUser:
    profile: UserProfile
    task: Task
    dialect: str  # the zone this conversation is held in (the persona's, or standard)

    def opening(self) -> tuple[str, bool]:
        return render(self.task.scenario.request, self.profile.level, self.dialect,
                      self.task.values)

    def follow_up(self) -> str:
        return render(self.task.scenario.follow_up, self.profile.level, self.dialect,
                      self.task.values)[0]

    def closing(self, satisfied: bool) -> str:
        line = _THANKS if satisfied else _UNHAPPY
        return line.render(self.profile.level, self.dialect, {})[0]


def rate(checks: list[AnswerCheck], reactions: Reactions) -> float:
    """The user's 0-10 rating of an exchange whose answers were ``checks``."""
    rating = reactions.start - reactions.per_extra_turn * (len(checks) - 1)
    if not checks[-1].served:
        rating -= reactions.not_served
    if any(not c.speech_ok for c in checks):
        rating -= reactions.impolite
    if any(not c.socio_ok for c in checks):
        rating -= reactions.over_budget_or_contradiction
    if any(not c.age_fit_ok for c in checks):
        rating -= reactions.age_unfit
    return max(0.0, min(10.0, rating))
