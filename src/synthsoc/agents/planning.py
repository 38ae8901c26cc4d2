"""Day plans: the persona schedule as the default plan, refined by rule, revised on events.

A plan is a list of blocks (start, end, place, activity) covering one day. The default comes
from the persona's schedule (wake, leave, return, sleep; weekend activity); free time is filled
with one errand drawn by the seed from the places a person of that age typically visits. A
revision (accepting the invitation) cuts a block into the plan and keeps the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthsoc.agents.residents import Resident

# ASSUMPTION: errand places by life stage (first match wins).
ERRANDS_CHILD = ("park", "academy")
ERRANDS_TEEN = ("academy", "pc_bang", "cafe")
ERRANDS_ADULT = ("mart", "cafe", "restaurant", "park", "market", "community_center")
ERRANDS_SENIOR = ("senior_center", "market", "park", "community_center")
WEEKEND_PLACES = {
    "religious_social": ("church", "cathedral", "temple"),
    "leisure_out": ("cafe", "park", "restaurant"),
    "family_outing": ("park", "restaurant"),
    "study": ("academy", "cafe"),
}
ERRAND_MINUTES = (60, 90)  # ASSUMPTION: length of one errand


@dataclass(frozen=True)
class PlanBlock:
    start: int  # minute of the day
    end: int
    place: str  # place id
    activity: str


def home_id(resident: Resident) -> str:
    return f"home:{resident.household_id}"


def _errands(resident: Resident) -> tuple[str, ...]:
    if resident.age <= 12:
        return ERRANDS_CHILD
    if resident.age <= 18:
        return ERRANDS_TEEN
    return ERRANDS_SENIOR if resident.age >= 65 else ERRANDS_ADULT


def _fill(blocks: list[PlanBlock], start: int, end: int, place: str, activity: str) -> None:
    if end > start:
        blocks.append(PlanBlock(start, end, place, activity))


def default_plan(resident: Resident, day: int, rng: np.random.Generator) -> list[PlanBlock]:
    """The day's plan from the persona schedule (``day`` 0 is a Monday)."""
    home = home_id(resident)
    weekend = day % 7 >= 5
    wake = resident.wake_weekend if weekend else resident.wake_weekday
    sleep = min(resident.sleep_weekend if weekend else resident.sleep_weekday, 1440)
    blocks: list[PlanBlock] = []
    _fill(blocks, 0, wake, home, "sleep")
    out_start = out_end = None
    out_place = out_activity = ""
    if not weekend and resident.leave_weekday is not None and resident.main_place is not None:
        out_start, out_end = resident.leave_weekday, min(resident.return_weekday or sleep, sleep)
        out_place, out_activity = resident.main_place, resident.weekday_activity
    elif weekend and resident.weekend_activity == "work_shift" and resident.main_place:
        out_start, out_end = wake + 60, min(wake + 60 + 8 * 60, sleep)
        out_place, out_activity = resident.main_place, "work_shift"
    elif weekend and resident.weekend_activity in WEEKEND_PLACES:
        options = WEEKEND_PLACES[resident.weekend_activity]
        out_place = options[int(rng.integers(len(options)))]
        out_start, out_end = min(wake + 120, sleep), min(wake + 120 + 180, sleep)
        out_activity = resident.weekend_activity
    errand_kinds = _errands(resident)
    errand = errand_kinds[int(rng.integers(len(errand_kinds)))]
    length = int(rng.integers(ERRAND_MINUTES[0] // 10, ERRAND_MINUTES[1] // 10 + 1)) * 10
    if out_start is not None and out_end is not None and out_end > out_start:
        _fill(blocks, wake, out_start, home, "home")
        _fill(blocks, out_start, out_end, out_place, out_activity)
        errand_start = out_end
    else:
        errand_start = wake + 60 * int(rng.integers(2, 7))
        _fill(blocks, wake, min(errand_start, sleep), home, "home")
    errand_end = min(errand_start + length, sleep)
    _fill(blocks, errand_start, errand_end, errand, "errand")
    _fill(blocks, max(errand_end, errand_start), sleep, home, "home")
    _fill(blocks, sleep, 1440, home, "sleep")
    return _tidy(blocks)


def _tidy(blocks: list[PlanBlock]) -> list[PlanBlock]:
    """Sort, drop empty blocks and merge neighbours with the same place and activity."""
    out: list[PlanBlock] = []
    for block in sorted((b for b in blocks if b.end > b.start), key=lambda b: b.start):
        if out and out[-1].place == block.place and out[-1].activity == block.activity \
                and out[-1].end >= block.start:
            out[-1] = PlanBlock(out[-1].start, max(out[-1].end, block.end), block.place,
                                block.activity)
        else:
            out.append(block)
    return out


def insert_block(plan: list[PlanBlock], new: PlanBlock) -> list[PlanBlock]:
    """``plan`` with ``new`` cut in: overlapped blocks are trimmed or split around it."""
    out: list[PlanBlock] = []
    for block in plan:
        if block.end <= new.start or block.start >= new.end:
            out.append(block)
            continue
        if block.start < new.start:
            out.append(PlanBlock(block.start, new.start, block.place, block.activity))
        if block.end > new.end:
            out.append(PlanBlock(new.end, block.end, block.place, block.activity))
    out.append(new)
    return _tidy(out)


def block_at(plan: list[PlanBlock], minute: int) -> PlanBlock:
    for block in plan:
        if block.start <= minute < block.end:
            return block
    raise ValueError(f"the plan has no block at minute {minute}: {plan}")
