"""The Korean scenario library: tasks a simulated user brings to an assistant.

Scenarios are data (``data/scenarios.yaml``); each sentence is a lead and a predicate that the
language core (:mod:`synthsoc.persona.korean`) renders in any speech level and dialect, so the
same task exists in standard Korean and in every dialect zone with identical content.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, cast

import yaml

from synthsoc.persona.korean import Irregular, Kind, Level, Mood, Predicate, Sentence

SCENARIO_FILE = "scenarios.yaml"
_KINDS = ("verb", "adjective", "existential", "copula")
_IRREGULARS = ("", "b", "d", "reu", "s")
_MOODS = ("statement", "question")


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file, scenario and field."""


@dataclass(frozen=True)
class Line:
    """One sentence template: ``lead`` and the predicate ``stem`` may hold {placeholders}."""

    lead: str
    stem: str
    kind: Kind = "verb"
    irregular: Irregular = ""
    past: bool = False
    mood: Mood = "statement"

    def sentence(self, values: dict[str, object]) -> Sentence:
        predicate = Predicate(self.stem.format(**values), self.kind, self.irregular, self.past)
        return Sentence(self.lead.format(**values), predicate, self.mood)

    def render(self, level: Level, dialect: str, values: dict[str, object]) -> tuple[str, bool]:
        """(text, carries a dialect marker) of this line in ``level`` and ``dialect``."""
        form = self.sentence(values).render(level, dialect)
        return form.text, form.distinct


@dataclass(frozen=True)
class Scenario:
    """One task: who can have it, what the user says, and what a served answer must contain."""

    id: str
    domain: str
    title: str
    min_age: int
    max_age: int
    keywords: tuple[str, ...]  # words of the request a scripted assistant recognises it by
    intent: tuple[str, ...]  # an answer serves the task when it contains one of these
    request: tuple[Line, ...]
    follow_up: tuple[Line, ...]
    answer: tuple[Line, ...]
    budget_category: str | None = None  # catalogue category whose budget the user states


def _line(raw: object, where: str) -> Line:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: expected a mapping with lead and stem, got {raw!r}")
    unknown = set(raw) - {"lead", "stem", "kind", "irregular", "past", "mood"}
    if unknown:
        raise ScenarioError(f"{where}: unknown field(s) {sorted(unknown)}")
    for key, allowed in (("kind", _KINDS), ("irregular", _IRREGULARS), ("mood", _MOODS)):
        if key in raw and raw[key] not in allowed:
            raise ScenarioError(f"{where}: {key} {raw[key]!r} is not one of {allowed}")
    if not isinstance(raw.get("stem"), str) or not raw["stem"]:
        raise ScenarioError(f"{where}: field 'stem' is missing or empty")
    return Line(
        lead=str(raw.get("lead", "")),
        stem=str(raw["stem"]),
        kind=cast(Kind, raw.get("kind", "verb")),
        irregular=cast(Irregular, raw.get("irregular", "")),
        past=bool(raw.get("past", False)),
        mood=cast(Mood, raw.get("mood", "statement")),
    )


def _words(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ScenarioError(f"{where}: field {key!r} must be a non-empty list of words")
    return tuple(value)


def _lines(raw: dict[str, Any], key: str, where: str) -> tuple[Line, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not value:
        raise ScenarioError(f"{where}: field {key!r} must be a non-empty list of sentences")
    return tuple(_line(item, f"{where}.{key}[{i}]") for i, item in enumerate(value))


def parse_scenarios(raw: object, source: str) -> tuple[Scenario, ...]:
    """Scenarios from the parsed YAML ``raw``; ``source`` names the file in errors."""
    if not isinstance(raw, dict) or not isinstance(raw.get("scenarios"), list):
        raise ScenarioError(f"{source}: expected a top-level 'scenarios' list")
    known = {"id", "domain", "title", "min_age", "max_age", "keywords", "intent", "request",
             "follow_up", "answer", "budget_category"}
    out: list[Scenario] = []
    for i, item in enumerate(raw["scenarios"]):
        where = f"{source}: scenarios[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ScenarioError(f"{where}: each scenario needs a string 'id'")
        where = f"{source}: scenario {item['id']!r}"
        unknown = set(item) - known
        if unknown:
            raise ScenarioError(f"{where}: unknown field(s) {sorted(unknown)}")
        try:
            min_age, max_age = int(item.get("min_age", 0)), int(item.get("max_age", 120))
        except (TypeError, ValueError) as error:
            raise ScenarioError(f"{where}: min_age/max_age must be integers") from error
        out.append(Scenario(
            id=item["id"],
            domain=str(item.get("domain", "")),
            title=str(item.get("title", "")),
            min_age=min_age,
            max_age=max_age,
            keywords=_words(item, "keywords", where),
            intent=_words(item, "intent", where),
            request=_lines(item, "request", where),
            follow_up=_lines(item, "follow_up", where),
            answer=_lines(item, "answer", where),
            budget_category=item.get("budget_category"),
        ))
    ids = [s.id for s in out]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ScenarioError(f"{source}: duplicate scenario id(s) {duplicates}")
    return tuple(out)


def load_scenarios(path: Path | None = None) -> tuple[Scenario, ...]:
    """The packaged library, or the YAML file at ``path``."""
    if path is None:
        text = resources.files("synthsoc.sandbox").joinpath("data", SCENARIO_FILE).read_text(
            encoding="utf-8")
        source = f"synthsoc/sandbox/data/{SCENARIO_FILE}"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ScenarioError(f"{path}: cannot read the scenario file: {error}") from error
        source = str(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ScenarioError(f"{source}: not valid YAML: {error}") from error
    return parse_scenarios(raw, source)
