"""A calendar of events that change activity, contact and spending for the days they cover.

A nationwide event scales the contact layers (e.g. Chuseok: families gather, offices and schools
close); a regional event (a local festival) scales the activity and spending of the residents of
its si-do / si-gun-gu codes. Multipliers of overlapping events multiply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthsoc.sim.agents import Agents
from synthsoc.sim.market_reference import market_reference
from synthsoc.sim.network import LAYERS
from synthsoc.sim.params import suggest

# Built-in presets (modelling assumptions except where a source is named; labels are the Korean
# names shown in reports).
PRESETS: dict[str, dict[str, Any]] = {
    "chuseok": {
        "label": "추석 연휴",
        "days": 3,
        "layers": {
            "household": 3.0,
            "work": 0.1,
            "school": 0.0,
            "neighbourhood": 0.5,
            "online": 1.2,
        },
        "activity": 1.2,
        # the week's spending over a normal week, published (data/market_reference.csv)
        "spending": market_reference()["chuseok_week_spending_ratio"],
    },
    "election_day": {
        "label": "선거일",
        "days": 1,
        "layers": {"work": 0.5, "online": 1.5, "neighbourhood": 1.3},
        "activity": 1.5,
        "spending": 1.0,
    },
    "local_festival": {
        "label": "지역 축제",
        "days": 3,
        "layers": {"neighbourhood": 3.0},
        "activity": 1.5,
        "spending": 1.5,
    },
}


@dataclass(frozen=True)
class Event:
    name: str
    label: str
    start_day: int
    days: int
    layers: dict[str, float] = field(default_factory=dict)
    activity: float = 1.0
    spending: float = 1.0
    regions: tuple[str, ...] = ()  # si-do (2-digit) or si-gun-gu (5-digit) codes; empty: nationwide

    def covers(self, day: int) -> bool:
        return self.start_day <= day < self.start_day + self.days


def event_from_spec(spec: dict[str, Any], where: str = "events") -> Event:
    """An event from a scenario entry: ``{preset: chuseok, start_day: 10}`` or a full definition."""
    spec = dict(spec)
    allowed = ["preset", "name", "label", "start_day", "days", "layers", "activity", "spending",
               "regions"]
    for key in spec:
        if key not in allowed:
            raise ValueError(
                f"{where}.{key}: unknown key{suggest(str(key), allowed)} "
                f"(allowed: {', '.join(allowed)})"
            )
    preset = spec.pop("preset", None)
    base: dict[str, Any] = {}
    if preset is not None:
        if preset not in PRESETS:
            raise ValueError(
                f"{where}.preset: unknown event {preset!r}; presets: {sorted(PRESETS)}"
            )
        base = {"name": preset, **PRESETS[preset]}
    merged = {**base, **spec}
    if "start_day" not in merged:
        raise ValueError(f"{where}: an event needs start_day")
    bad = [k for k in merged.get("layers", {}) if k not in LAYERS]
    if bad:
        raise ValueError(f"{where}.layers: unknown layer(s) {bad}; layers: {LAYERS}")
    return Event(
        name=str(merged.get("name", "event")),
        label=str(merged.get("label", merged.get("name", "event"))),
        start_day=int(merged["start_day"]),
        days=int(merged.get("days", 1)),
        layers={k: float(v) for k, v in merged.get("layers", {}).items()},
        activity=float(merged.get("activity", 1.0)),
        spending=float(merged.get("spending", 1.0)),
        regions=tuple(str(r) for r in merged.get("regions", ())),
    )


@dataclass(frozen=True)
class Calendar:
    """Events on a timeline of steps; ``steps_per_day`` maps a step to its day."""

    events: tuple[Event, ...] = ()
    steps_per_day: int = 1

    def day(self, step: int) -> int:
        return step // self.steps_per_day

    def active(self, step: int) -> tuple[Event, ...]:
        d = self.day(step)
        return tuple(e for e in self.events if e.covers(d))

    def layer_multipliers(self, step: int) -> np.ndarray:
        """Multiplier per layer (order of :data:`LAYERS`) from the nationwide events of the day."""
        mult = np.ones(len(LAYERS), dtype=np.float64)
        for ev in self.active(step):
            if ev.regions:
                continue
            for name, value in ev.layers.items():
                mult[LAYERS.index(name)] *= value
        return mult

    def agent_multiplier(self, step: int, agents: Agents, kind: str) -> np.ndarray | float:
        """Per-agent multiplier of ``kind`` ('activity' or 'spending'): a float when uniform."""
        value: np.ndarray | float = 1.0
        for ev in self.active(step):
            factor = float(getattr(ev, kind))
            if factor == 1.0:
                continue
            if not ev.regions:
                value = value * factor
                continue
            inside = region_mask(agents, ev.regions)
            value = value * np.where(inside, factor, 1.0)
        return value

    def labels(self, step: int) -> str:
        return ",".join(e.label for e in self.active(step))


def region_mask(agents: Agents, codes: tuple[str, ...]) -> np.ndarray:
    """Agents living in any of the si-do (2-digit) or si-gun-gu (5-digit) ``codes``."""
    sgg = agents.sigungu_codes[agents.sigungu]
    mask = np.zeros(agents.n, dtype=bool)
    for code in codes:
        mask |= np.char.startswith(sgg.astype(str), code)
    return mask
