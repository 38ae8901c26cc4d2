"""Places of a Korean neighbourhood and their opening hours (``data/places.csv``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import StringIO

from synthsoc.agents.clock import GameTime

PLACES_FILE = "places.csv"
DAYS = ("all", "weekday", "weekend", "sunday")
ROLES = ("home", "main", "errand")


@dataclass(frozen=True)
class PlaceKind:
    """One kind of place: Korean name, opening minutes, open days and role."""

    kind: str
    name_ko: str
    opens: int
    closes: int
    days: str
    role: str

    def is_open(self, time: GameTime) -> bool:
        day_ok = {
            "all": True,
            "weekday": not time.is_weekend,
            "weekend": time.is_weekend,
            "sunday": time.day % 7 == 6,
        }[self.days]
        return day_ok and self.opens <= time.minute_of_day < self.closes


@dataclass(frozen=True)
class Place:
    """A place in the town: an id, its kind and a label shown to people."""

    place_id: str
    kind: str
    label: str


@cache
def place_kinds() -> dict[str, PlaceKind]:
    """The bundled place kinds, keyed by kind; a malformed row is an error naming it."""
    text = resources.files("synthsoc.agents.data").joinpath(PLACES_FILE).read_text("utf-8")
    rows = csv.DictReader(StringIO("".join(ln for ln in text.splitlines(True)
                                           if not ln.startswith("#"))))
    kinds: dict[str, PlaceKind] = {}
    for number, row in enumerate(rows, start=1):
        where = f"{PLACES_FILE} row {number}"
        try:
            kind = PlaceKind(row["kind"], row["name_ko"], int(row["opens"]), int(row["closes"]),
                             row["days"], row["role"])
        except (KeyError, ValueError) as error:
            raise ValueError(f"{where}: {error}") from error
        if kind.days not in DAYS:
            raise ValueError(f"{where}: field days = {kind.days!r} is not one of {DAYS}")
        if kind.role not in ROLES:
            raise ValueError(f"{where}: field role = {kind.role!r} is not one of {ROLES}")
        kinds[kind.kind] = kind
    return kinds
