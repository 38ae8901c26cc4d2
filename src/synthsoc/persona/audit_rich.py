"""The stereotype audit on richer cells and on pairs of attributes.

The basic audit (:mod:`synthsoc.persona.audit`) uses age decade x sex x si-do, the variables most
attributes are drawn from. Here cells are age decade x sex x economic activity x education, so
determinism that comes with activity or schooling shows; and every pair of attributes gets its
Cramér's V over all persons, so one attribute that fixes another shows too.

A fixed rich cell is classed ``by_definition`` when the attribute is defined from a cell variable
(``DEFINED_BY``: the weekday activity of the employed is work), else it carries the chance of
being fixed under its age decade x sex distribution, as in the basic audit. Pairs with
V >= ``PAIR_V_FLAG`` are listed as near-deterministic, with the reason when the model ties them
on purpose (``PAIR_BY_CONSTRUCTION``).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import polars as pl

from synthsoc.persona.audit import DECADES, STEREOTYPE_P, Bucketing, bucketings
from synthsoc.synth import schema

RICH_CELL: tuple[str, ...] = ("age", "sex", "economic_activity", "education")
DEFINED_BY: dict[str, str] = {
    "weekday_activity": "economic_activity: employed persons work on weekdays, serving "
    "conscripts serve, students and retirees are read from age and inactivity "
    "(schedule.weekday_activity)",
}
# Attributes fixed by definition for young children (no accounts below params.SNS_MIN_AGE).
CHILD_RULES = frozenset({"messenger", "uses_sns", "sns_main", "sns_minutes_per_day", "portal"})
CHILD_RULE = "no messenger, SNS or portal below age 6 (params.SNS_MIN_AGE)"
PAIR_V_FLAG = 0.8
# Pairs tied on purpose: one is drawn from the other (see columns.DESCRIPTIONS).
PAIR_BY_CONSTRUCTION: dict[frozenset[str], str] = {
    frozenset({"uses_sns", "sns_main"}): "sns_main is none exactly for non-users",
    frozenset({"uses_sns", "sns_minutes_per_day"}): "non-users have 0 minutes",
    frozenset({"sns_main", "sns_minutes_per_day"}): "non-users have none and 0 minutes",
    frozenset({"leave_weekday", "return_weekday"}): "both null when at home all day",
    frozenset({"weekday_activity", "leave_weekday"}): "home activities have no leaving time",
    frozenset({"weekday_activity", "return_weekday"}): "home activities have no return time",
    frozenset({"dialect", "dialect_strength"}): "standard speakers have strength 'standard'",
    frozenset({"wake_weekday", "wake_weekend"}): "weekend wake time follows the weekday one",
    frozenset({"sleep_weekday", "sleep_weekend"}): "weekend bedtime follows the weekday one",
}


def _codes(frame: pl.DataFrame, column: str, categories: tuple[str, ...]) -> np.ndarray:
    values = frame[column].cast(pl.String)
    bad = values.drop_nulls().filter(~values.drop_nulls().is_in(list(categories)))
    if bad.len():
        raise ValueError(f"audit: field {column} has unknown value {bad[0]!r}")
    return values.cast(pl.Enum(list(categories))).to_physical().cast(pl.Int64).fill_null(
        0).to_numpy()


class RichAuditAccumulator:
    """Value counts per rich cell and joint counts per attribute pair, summed over chunks."""

    def __init__(self, min_cell_size: int) -> None:
        self.min_cell_size = min_cell_size
        self.buckets = bucketings()
        self.dims = (DECADES, len(schema.SEXES), len(schema.ECONOMIC_ACTIVITIES),
                     len(schema.EDUCATION_LEVELS))
        self.n_cells = int(np.prod(self.dims))
        self._counts: dict[str, np.ndarray] = {}
        self._pairs: dict[tuple[str, str], np.ndarray] = {}

    def _cell_index(self, frame: pl.DataFrame) -> np.ndarray:
        decade = np.minimum(frame["age"].cast(pl.Int64).to_numpy() // 10, DECADES - 1)
        parts = (decade, _codes(frame, "sex", schema.SEXES),
                 _codes(frame, "economic_activity", schema.ECONOMIC_ACTIVITIES),
                 _codes(frame, "education", schema.EDUCATION_LEVELS))
        return np.ravel_multi_index(parts, self.dims)

    def add(self, frame: pl.DataFrame) -> None:
        cell = self._cell_index(frame)
        present = {c: b for c, b in self.buckets.items() if c in frame.columns}
        slots = {c: s.to_numpy() for c, s in frame.select(
            **{c: b.expr for c, b in present.items()}).to_dict().items()}
        for column, bucket in present.items():
            width = len(bucket.labels)
            counts = np.bincount(cell * width + slots[column],
                                 minlength=self.n_cells * width).reshape(self.n_cells, width)
            previous = self._counts.get(column)
            self._counts[column] = counts if previous is None else previous + counts
        for a, b in itertools.combinations(present, 2):
            wa, wb = len(present[a].labels), len(present[b].labels)
            joint = np.bincount(slots[a] * wb + slots[b], minlength=wa * wb).reshape(wa, wb)
            before = self._pairs.get((a, b))
            self._pairs[(a, b)] = joint if before is None else before + joint

    def _label(self, index: int) -> dict[str, str]:
        decade, sex, activity, education = np.unravel_index(index, self.dims)
        age = f"{decade * 10}-{decade * 10 + 9}" if decade < DECADES - 1 else f"{decade * 10}+"
        return {"age_decade": age, "sex": schema.SEXES[sex],
                "economic_activity": schema.ECONOMIC_ACTIVITIES[activity],
                "education": schema.EDUCATION_LEVELS[education]}

    def _cells_report(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        summary: dict[str, Any] = {}
        flags: list[dict[str, Any]] = []
        for column, counts in self._counts.items():
            bucket: Bucketing = self.buckets[column]
            n = counts.sum(axis=1)
            large = n >= self.min_cell_size
            fixed = large & ((counts > 0).sum(axis=1) == 1)
            by_group = counts.reshape(self.dims[0] * self.dims[1], -1, counts.shape[1]).sum(1)
            share = by_group / np.maximum(by_group.sum(axis=1, keepdims=True), 1)
            group_of = np.arange(self.n_cells) // (self.dims[2] * self.dims[3])
            summary[column] = {"cells_audited": int(large.sum()), "cells_fixed": int(fixed.sum())}
            for index in np.flatnonzero(fixed):
                value = int(counts[index].argmax())
                chance = float(share[group_of[index], value]) ** int(n[index])
                label = self._label(int(index))
                defined = DEFINED_BY.get(column)
                if column in CHILD_RULES and label["age_decade"] == "0-9":
                    defined = CHILD_RULE
                flags.append({
                    **label, "n": int(n[index]), "attribute": column,
                    "value": bucket.labels[value], "p_fixed_by_chance": float(f"{chance:.3g}"),
                    "by_definition": defined,
                    "stereotype": defined is None and chance < STEREOTYPE_P,
                })
        return summary, flags

    def _pairs_report(self) -> list[dict[str, Any]]:
        out = []
        for (a, b), joint in self._pairs.items():
            joint = joint[joint.sum(axis=1) > 0][:, joint.sum(axis=0) > 0]
            n = joint.sum()
            k = min(joint.shape)
            if k < 2 or n == 0:
                continue
            expected = np.outer(joint.sum(axis=1), joint.sum(axis=0)) / n
            chi2 = float(((joint - expected) ** 2 / expected).sum())
            v = math.sqrt(chi2 / (n * (k - 1)))
            out.append({"a": a, "b": b, "cramers_v": round(v, 4),
                        "by_construction": PAIR_BY_CONSTRUCTION.get(frozenset({a, b}))})
        return sorted(out, key=lambda p: -p["cramers_v"])

    def report(self) -> dict[str, Any]:
        summary, flags = self._cells_report()
        pairs = self._pairs_report()
        strong = [p for p in pairs if p["cramers_v"] >= PAIR_V_FLAG]
        return {
            "cell": "age decade x sex x economic activity x education",
            "min_cell_size": self.min_cell_size,
            "attributes": summary,
            "flags": flags,
            "stereotypes": sum(f["stereotype"] for f in flags),
            "pair_v_flag": PAIR_V_FLAG,
            "pairs_near_deterministic": strong,
            "pairs_unexplained": [p for p in strong if p["by_construction"] is None],
            "pairs": pairs,
        }
