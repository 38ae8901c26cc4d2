"""Run assistants against sampled users: one multi-turn conversation per user and assistant.

Every assistant meets the same users with the same tasks (drawn once from ``seed``), so the
runs are paired: DPO preference pairs and side-by-side scorecards compare like with like. A
user whose request carries a dialect marker also holds the same conversation in standard
Korean; the dialect-understanding metric compares the two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl

from synthsoc.persona.korean import STANDARD
from synthsoc.sandbox.assistants import Assistant, Message
from synthsoc.sandbox.checks import AgeFitRules, AnswerCheck, check_answer
from synthsoc.sandbox.scenarios import Scenario, load_scenarios
from synthsoc.sandbox.segments import SEGMENTS
from synthsoc.sandbox.user import (
    Reactions,
    SimulatedUser,
    Task,
    UserProfile,
    profile_from_row,
    rate,
    task_for,
)

SEGMENT_COLUMNS: dict[str, str] = {s: ("education_group" if s == "education" else s)
                                   for s in SEGMENTS}
Version = Literal["own", "standard"]


@dataclass(frozen=True)
class RunConfig:
    """Typed settings of a sandbox run (recorded in its summary)."""

    seed: int = 0
    reactions: Reactions = field(default_factory=Reactions)
    age_rules: AgeFitRules = field(default_factory=AgeFitRules)
    scenario_ids: tuple[str, ...] | None = None  # None: the whole library


@dataclass(frozen=True)
class Conversation:
    assistant: str
    profile: UserProfile
    scenario: str
    version: Version
    dialect: str
    dialect_marked: bool  # the opening request carries a dialect ending
    messages: tuple[Message, ...]  # user and assistant turns, then the user's closing line
    checks: tuple[AnswerCheck, ...]
    rating: float
    satisfied: bool

    @property
    def calls(self) -> int:
        return len(self.checks)


def assign_scenarios(sample: pl.DataFrame, scenarios: tuple[Scenario, ...],
                     seed: int) -> list[Scenario]:
    """One scenario per user, uniformly among those its age allows (seeded)."""
    ages = sample["age"].to_numpy()
    eligible = np.array([[s.min_age <= a <= s.max_age for s in scenarios] for a in ages],
                        dtype=bool).reshape(len(ages), len(scenarios))
    if len(ages) and not eligible.any(axis=1).all():
        stranded = sorted(set(ages[~eligible.any(axis=1)].tolist()))
        raise ValueError(f"sandbox: no scenario allows age(s) {stranded}")
    keys = np.random.default_rng(seed).random(eligible.shape)
    return [scenarios[i] for i in np.where(eligible, keys, -1.0).argmax(axis=1)]


def converse(assistant: Assistant, user: SimulatedUser, config: RunConfig,
             version: Version) -> Conversation:
    opening, marked = user.opening()
    messages: list[Message] = []
    checks: list[AnswerCheck] = []
    text = opening
    task = user.task
    for _ in range(config.reactions.max_turns):
        messages.append({"role": "user", "content": text})
        answer = assistant.respond(tuple(messages), user.profile)
        messages.append({"role": "assistant", "content": answer})
        checks.append(check_answer(
            answer, intent=task.scenario.intent, budget_manwon=task.budget_manwon,
            stated_household_size=task.stated_household_size, age=user.profile.age,
            digital=user.profile.digital, rules=config.age_rules))
        if checks[-1].served:
            break
        text = user.follow_up()
    rating = rate(checks, config.reactions)
    satisfied = rating >= config.reactions.satisfied_from
    messages.append({"role": "user", "content": user.closing(satisfied)})
    return Conversation(assistant.name, user.profile, task.scenario.id, version, user.dialect,
                        marked, tuple(messages), tuple(checks), rating, satisfied)


def _row(own: Conversation, standard: Conversation | None, task: Task) -> dict[str, object]:
    checks = own.checks
    task_success = own.checks[-1].served
    socio_applies = task.budget_manwon is not None or task.stated_household_size is not None
    dialect: float | None = None
    if standard is not None and standard.checks[-1].served:
        dialect = float(task_success)
    return {
        "assistant": own.assistant,
        "person_id": own.profile.person_id,
        "age": own.profile.age,
        **own.profile.segments,
        "scenario": own.scenario,
        "speaks_dialect": own.dialect != STANDARD,
        "budget_manwon": task.budget_manwon,
        "speech_level": float(all(c.speech_ok for c in checks)),
        "dialect_understanding": dialect,
        "age_fit": float(all(c.age_fit_ok for c in checks)),
        "socio_fit": float(all(c.socio_ok for c in checks)) if socio_applies else None,
        "task_success": float(task_success),
        "satisfaction": own.rating,
        "satisfied": own.satisfied,
        "turns": own.calls,
        "calls": own.calls + (standard.calls if standard is not None else 0),
    }


@dataclass(frozen=True)
class SandboxRun:
    results: pl.DataFrame  # one row per (assistant, user)
    conversations: tuple[Conversation, ...]


def run_sandbox(
    sample: pl.DataFrame,
    assistants: Sequence[Assistant],
    config: RunConfig,
    progress: Callable[[int, int], None] | None = None,
) -> SandboxRun:
    """Hold every assistant's conversations with every sampled user."""
    library = load_scenarios()
    if config.scenario_ids is not None:
        unknown = set(config.scenario_ids) - {s.id for s in library}
        if unknown:
            raise ValueError(f"sandbox: unknown scenario id(s) {sorted(unknown)}")
        library = tuple(s for s in library if s.id in config.scenario_ids)
    names = [a.name for a in assistants]
    if len(set(names)) != len(names):
        raise ValueError(f"sandbox: assistant names must differ, got {names}")
    scenarios = assign_scenarios(sample, library, config.seed)
    profiles = [profile_from_row(row, SEGMENT_COLUMNS) for row in sample.iter_rows(named=True)]
    tasks: list[Task] = [task_for(p, s) for p, s in zip(profiles, scenarios, strict=True)]
    rows: list[dict[str, object]] = []
    conversations: list[Conversation] = []
    total, done = len(assistants) * len(profiles), 0
    for assistant in assistants:
        for profile, task in zip(profiles, tasks, strict=True):
            zone = profile.dialect if profile.speaks_dialect else STANDARD
            own = converse(assistant, SimulatedUser(profile, task, zone), config, "own")
            standard = None
            if own.dialect_marked:
                standard = converse(assistant, SimulatedUser(profile, task, STANDARD), config,
                                    "standard")
            conversations.extend(c for c in (own, standard) if c is not None)
            rows.append(_row(own, standard, task))
            done += 1
            if progress is not None:
                progress(done, total)
    schema = {"dialect_understanding": pl.Float64, "socio_fit": pl.Float64,
              "budget_manwon": pl.Int64}
    return SandboxRun(pl.DataFrame(rows, schema_overrides=schema), tuple(conversations))
