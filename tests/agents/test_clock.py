"""The game clock and Korean time phrases."""

from __future__ import annotations

import pytest

from synthsoc.agents.clock import GameTime, korean_clock
from synthsoc.agents.places import place_kinds


@pytest.mark.parametrize(("minute", "spoken"), [
    (1080, "저녁 6시"), (630, "오전 10시 반"), (725, "오후 12시 5분"), (300, "새벽 5시"),
])
def test_korean_clock(minute: int, spoken: str) -> None:
    assert korean_clock(minute) == spoken


def test_days_and_opening_hours() -> None:
    saturday_noon = GameTime(5 * 1440 + 720)
    assert saturday_noon.is_weekend and saturday_noon.weekday_name == "토요일"
    assert saturday_noon.label() == "day 5 토요일 12:00"
    kinds = place_kinds()
    assert not kinds["community_center"].is_open(saturday_noon)
    assert kinds["market"].is_open(saturday_noon)
    assert not kinds["church"].is_open(saturday_noon)
    assert kinds["church"].is_open(GameTime(6 * 1440 + 660))  # Sunday 11:00
