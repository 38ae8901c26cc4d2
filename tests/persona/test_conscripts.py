"""Serving conscripts' personas follow from serving: barracks schedule, activity, media and
narrative (economic_activity ``military_service``, drawn by ``synth.military``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from synthsoc.persona import params as P
from synthsoc.persona.behavioural import behavioural
from synthsoc.persona.checker import check_narrative
from synthsoc.persona.inputs import Demographics
from synthsoc.persona.narratives import template_narrative
from synthsoc.persona.schedule import schedule
from synthsoc.synth import schema

N = 4_000
SERVING = schema.ECONOMIC_ACTIVITIES.index("military_service")
INACTIVE = schema.ECONOMIC_ACTIVITIES.index("inactive")


def _men(activity: int) -> Demographics:
    rng = np.random.default_rng(11)
    return Demographics(
        age=rng.integers(19, 24, N), female=np.zeros(N, dtype=bool),
        residence_zone=rng.integers(0, len(P.DIALECTS), N),
        head_or_spouse=np.zeros(N, dtype=bool), married=np.zeros(N, dtype=bool),
        activity=np.full(N, activity), occupation=np.full(N, -1),
        income=rng.integers(0, 6, N))


def test_a_serving_conscript_lives_the_barracks_day_not_a_students() -> None:
    serving = schedule(_men(SERVING), np.random.default_rng(1))
    activity = serving["weekday_activity"]
    assert (activity == P.WEEKDAY_ACTIVITIES.index("military_service")).all()
    # Inactive men of the same ages are the students they were taken for before.
    civilians = schedule(_men(INACTIVE), np.random.default_rng(1))["weekday_activity"]
    assert (civilians == P.WEEKDAY_ACTIVITIES.index("university")).all()
    wake, _, _, sleep = P.SCHEDULE_WEEKDAY["military_service"]
    assert abs(serving["wake_weekday"].mean() - wake) < 3  # reveille 06:30
    assert abs(serving["sleep_weekday"].mean() - sleep) < 3  # lights out 22:00
    assert serving["wake_weekday"].std() < 2 * P.CONSCRIPT_SD_MINUTES
    assert (serving["leave_weekday"] == -1).all() and (serving["return_weekday"] == -1).all()
    lie_in = serving["wake_weekend"].mean() - serving["wake_weekday"].mean()
    assert abs(lie_in - P.CONSCRIPT_WEEKEND_LIE_IN) < 3
    assert abs(serving["sleep_weekend"].mean() - sleep) < 3
    expected = np.array(P.WEEKEND_BY_GROUP["conscript"])
    observed = np.bincount(serving["weekend_activity"], minlength=expected.size) / N
    se = np.sqrt(expected * (1 - expected) / N)
    assert np.all(np.abs(observed - expected) <= 4 * se + 1e-9), observed


def test_a_serving_conscripts_sns_fits_the_phone_hours() -> None:
    serving = behavioural(_men(SERVING), np.random.default_rng(2))
    civilians = behavioural(_men(INACTIVE), np.random.default_rng(2))
    assert serving["sns_minutes_per_day"].max() <= P.CONSCRIPT_PHONE_MINUTES
    assert civilians["sns_minutes_per_day"].max() > P.CONSCRIPT_PHONE_MINUTES
    # Only the minutes are capped: whether and where they use SNS is drawn as for civilians.
    np.testing.assert_array_equal(serving["uses_sns"], civilians["uses_sns"])


CONSCRIPT: dict[str, Any] = {
    "person_id": 7, "name": "이준호", "age": 21, "sex": "M", "sido_code": "31",
    "sido_name": "경기도", "sigungu_name": "수원시", "marital_status": "never_married",
    "economic_activity": "military_service", "occupation": None, "relationship": "child",
    "household_size": 4, "household_kind": "general", "household_type": "couple_children",
    "nationality": "korean", "dialect": "seoul_gyeonggi", "dialect_strength": "standard",
    "dialect_is_origin": False, "register_elders": "hasipsio", "register_peers": "hae",
    "register_juniors": "hae", "communication_style": "direct", "messenger": "kakaotalk",
    "sns_main": "instagram", "sns_minutes_per_day": 60, "video_platform": "youtube",
    "portal": "naver", "weekday_activity": "military_service", "leave_weekday": None,
    "return_weekday": None, "openness": 50.0, "conscientiousness": 55.0,
    "extraversion": 50.0, "agreeableness": 50.0, "neuroticism": 50.0, "risk_tolerance": 5,
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_conscripts_narrative_says_he_serves_in_barracks(seed: int) -> None:
    text = template_narrative({**CONSCRIPT, "person_id": seed}, seed=seed)
    assert "군 복무" in text and "생활관" in text, text
    assert "대학" not in text and "식구" not in text, text
    assert check_narrative(text, CONSCRIPT) == [], text


def test_the_checker_holds_a_conscript_to_his_service() -> None:
    problems = check_narrative("요즘은 대학교에 다니고 있어요.", CONSCRIPT)
    assert any(p.startswith("activity: says student") for p in problems), problems
    student = {**CONSCRIPT, "economic_activity": "inactive", "weekday_activity": "university"}
    problems = check_narrative("지금은 현역병으로 군 복무를 해요.", student)
    assert any(p.startswith("activity: says military") for p in problems), problems
