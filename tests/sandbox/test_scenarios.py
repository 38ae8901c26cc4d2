"""The scenario library: every task renders in every level and zone, standard Korean carries no
dialect ending, and a broken file is named with its field."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthsoc.persona.korean import STANDARD, ZONES, Level
from synthsoc.persona.speech import classify_text
from synthsoc.sandbox.catalogue import items_in
from synthsoc.sandbox.scenarios import ScenarioError, load_scenarios
from synthsoc.sandbox.user import render

VALUES = {"budget": 30, "size": 3, "item": "무선 막대형", "price": 18}
DOMAINS = {"bank", "health", "shopping", "public", "telecom"}


def test_library_covers_the_issue_domains() -> None:
    scenarios = load_scenarios()
    assert {s.domain for s in scenarios} == DOMAINS
    ids = {s.id for s in scenarios}
    assert {"bank_deposit", "bank_loan", "clinic", "product", "welfare", "delivery",
            "telecom"} <= ids
    assert {s.budget_category for s in scenarios} >= {"청소기", "요금제"}


@pytest.mark.parametrize("level", [Level.HASIPSIO, Level.HAEYO])
def test_standard_requests_are_classified_standard_and_at_their_level(level: Level) -> None:
    for scenario in load_scenarios():
        for lines in (scenario.request, scenario.follow_up):
            text, marked = render(lines, level, STANDARD, VALUES)
            speech = classify_text(text)
            assert not marked and speech.dialects == frozenset(), (scenario.id, text)
            assert speech.level is level, (scenario.id, text)


def test_dialect_versions_keep_the_content_words() -> None:
    for scenario in load_scenarios():
        standard, _ = render(scenario.request, Level.HAEYO, STANDARD, VALUES)
        for zone in ZONES:
            text, _ = render(scenario.request, Level.HAEYO, zone, VALUES)
            assert all(k in text for k in scenario.keywords if k in standard), (zone, text)
    gyeongsang, marked = render(load_scenarios()[0].request, Level.HAEYO, "gyeongsang", VALUES)
    assert marked and "gyeongsang" in classify_text(gyeongsang).dialects


def test_a_broken_file_names_the_scenario_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("scenarios:\n  - id: x\n    keywords: [a]\n    intent: [b]\n"
                   "    request: [{lead: a, stem: 가, kind: noun}]\n    follow_up: [{stem: 가}]\n"
                   "    answer: [{stem: 가}]\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"s.yaml: scenario 'x'.request\[0\]: kind 'noun'"):
        load_scenarios(bad)
    bad.write_text("scenarios: [{id: y, keywords: [], intent: [b]}]\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="scenario 'y': field 'keywords'"):
        load_scenarios(bad)


def test_no_intent_word_is_in_the_users_own_words() -> None:
    from synthsoc.sandbox.checks import served

    for scenario in load_scenarios():
        for level in (Level.HASIPSIO, Level.HAEYO):
            for zone in ZONES:
                for lines in (scenario.request, scenario.follow_up):
                    text, _ = render(lines, level, zone, VALUES)
                    assert not served(text, scenario.intent), (scenario.id, text)
        values = dict(VALUES)
        if scenario.budget_category:
            values["item"] = items_in(scenario.budget_category)[0].name
        answer, _ = render(scenario.answer, Level.HAEYO, STANDARD, values)
        assert served(answer, scenario.intent), (scenario.id, answer)
