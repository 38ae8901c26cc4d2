"""The game clock: whole steps of ``step_minutes`` from day 0 (a Monday) at midnight."""

from __future__ import annotations

from dataclasses import dataclass

WEEKDAY_NAMES = ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일")


@dataclass(frozen=True)
class GameTime:
    """A moment of the game: absolute minutes since day 0 at 00:00."""

    minutes: int

    @property
    def day(self) -> int:
        return self.minutes // 1440

    @property
    def minute_of_day(self) -> int:
        return self.minutes % 1440

    @property
    def is_weekend(self) -> bool:
        return self.day % 7 >= 5

    @property
    def weekday_name(self) -> str:
        return WEEKDAY_NAMES[self.day % 7]

    def label(self) -> str:
        """``day 0 Mon 07:10`` style label for logs and the timeline."""
        m = self.minute_of_day
        return f"day {self.day} {self.weekday_name} {m // 60:02d}:{m % 60:02d}"


def korean_clock(minute_of_day: int) -> str:
    """Minutes after midnight as spoken Korean time: 1080 -> '저녁 6시', 630 -> '오전 10시 반'."""
    hour, minute = divmod(minute_of_day % 1440, 60)
    if hour < 6:
        part = "새벽"
    elif hour < 12:
        part = "오전"
    elif hour < 18:
        part = "오후"
    else:
        part = "저녁"
    shown = hour if hour <= 12 else hour - 12
    tail = " 반" if minute == 30 else (f" {minute}분" if minute else "")
    return f"{part} {shown}시{tail}"
