"""The stereotype audit: do personas still vary inside each demographic cell?

A cell is age decade x sex x si-do. For every persona attribute (numeric ones binned) the audit
reports the normalised Shannon entropy of its values in each cell (0 = everybody the same,
1 = all categories equally common) and flags cells of at least ``min_cell_size`` persons where an
attribute is fixed. Each flag carries the chance of such a fixed cell if the cell followed the
distribution of its comparison group (``p_fixed_by_chance``): the nation's persons of the same
age decade and sex, or, for the dialect attributes (which the model ties to residence), those of
the same age decade and sex in the same dialect zone. A small chance means the model itself
fixes the attribute in that cell (a stereotype); a large one means a rare category.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from synthsoc.persona import params as P
from synthsoc.persona.columns import CATEGORICAL, COLUMNS
from synthsoc.persona.tables import dialect_by_sido
from synthsoc.synth import schema

AUDIT_CELL: tuple[str, ...] = ("age", "sex", "sido_code")
DEFAULT_MIN_CELL_SIZE = 30
STEREOTYPE_P = 0.01
DECADES = 10  # 0-9 ... 80-89, 90+
MAX_HOUR_SLOTS = 50  # "none" plus hours 0-48 (bedtimes run past midnight)
BOOLEAN = ("dialect_is_origin", "uses_sns")
BY_ZONE = ("dialect", "dialect_is_origin", "dialect_strength")  # compared within dialect zone


@dataclass(frozen=True)
class Bucketing:
    """How one attribute is turned into integer slots, and the label of each slot."""

    expr: pl.Expr
    labels: tuple[str, ...]
    n_categories: int | None  # None: the number of slots observed nationally


def _binned(column: str, edges: tuple[float, ...]) -> Bucketing:
    above = [(pl.col(column) > edge).cast(pl.Int64) for edge in edges]
    labels = (f"<={edges[0]:g}",
              *(f"{lo:g}-{hi:g}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)),
              f">{edges[-1]:g}")
    return Bucketing(pl.sum_horizontal(above), labels, len(labels))


def bucketings() -> dict[str, Bucketing]:
    """One bucketing per audited attribute: categories as they are, numbers binned."""
    out: dict[str, Bucketing] = {}
    for column in COLUMNS[1:]:
        if column in CATEGORICAL:
            cats = CATEGORICAL[column]
            codes = pl.col(column).cast(pl.Enum(cats)).to_physical().cast(pl.Int64)
            out[column] = Bucketing(codes, cats, len(cats))
        elif column in BOOLEAN:
            out[column] = Bucketing(pl.col(column).cast(pl.Int64), ("false", "true"), 2)
        elif column in P.BIG_FIVE:
            out[column] = _binned(column, (40, 47, 53, 60))
        elif column == "risk_tolerance":
            out[column] = _binned(column, (2, 4, 5, 7))
        elif column.startswith("value_"):
            out[column] = _binned(column, (-1.0, -0.33, 0.33, 1.0))
        elif column == "reshare_propensity":
            out[column] = _binned(column, (0.02, 0.05, 0.1, 0.2))
        elif column == "prosociality":
            out[column] = _binned(column, (0.2, 0.4, 0.6, 0.8))
        elif column == "sns_minutes_per_day":
            out[column] = _binned(column, (0, 30, 60, 120))
        else:  # clock times: the hour, slot 0 for "none" (at home all day)
            hour = (pl.col(column).cast(pl.Int64) // 60 + 1).clip(1, MAX_HOUR_SLOTS - 1)
            labels = ("none", *(f"{h}h" for h in range(MAX_HOUR_SLOTS - 1)))
            out[column] = Bucketing(hour.fill_null(0), labels, None)
    return out


class AuditAccumulator:
    """Value counts per cell and attribute, summed over chunks (memory bounded by the cells)."""

    def __init__(self, min_cell_size: int = DEFAULT_MIN_CELL_SIZE) -> None:
        self.min_cell_size = min_cell_size
        zones = dialect_by_sido()
        self.sido_codes: tuple[str, ...] = tuple(sorted(zones))
        self.zone_of_sido = np.array([P.DIALECTS.index(zones[c]) for c in self.sido_codes])
        self.n_cells = DECADES * len(schema.SEXES) * len(self.sido_codes)
        self.buckets = bucketings()
        self._counts: dict[str, np.ndarray] = {}

    def _cell_index(self, frame: pl.DataFrame) -> np.ndarray:
        sido = frame["sido_code"].cast(pl.String)
        bad = sido.filter(~sido.is_in(list(self.sido_codes)))
        if bad.len():
            raise ValueError(f"audit: field sido_code has unknown value {bad[0]!r}")
        decade = np.minimum(frame["age"].cast(pl.Int64).to_numpy() // 10, DECADES - 1)
        sexes = pl.Enum(list(schema.SEXES))
        sex = frame["sex"].cast(pl.String).cast(sexes).to_physical().cast(pl.Int64)
        code = sido.cast(pl.Enum(list(self.sido_codes))).to_physical().cast(pl.Int64)
        group = decade * len(schema.SEXES) + sex.to_numpy()
        return group * len(self.sido_codes) + code.to_numpy()

    def add(self, frame: pl.DataFrame) -> None:
        """Count a chunk of personas that also carries ``age``, ``sex`` and ``sido_code``."""
        cell = self._cell_index(frame)
        present = {c: b for c, b in self.buckets.items() if c in frame.columns}
        slots = frame.select(**{c: b.expr for c, b in present.items()})
        for column, bucket in present.items():
            width = len(bucket.labels)
            key = cell * width + slots[column].to_numpy()
            counts = np.bincount(key, minlength=self.n_cells * width).reshape(self.n_cells, width)
            previous = self._counts.get(column)
            self._counts[column] = counts if previous is None else previous + counts

    def _label(self, index: int) -> dict[str, Any]:
        n_sido, n_sex = len(self.sido_codes), len(schema.SEXES)
        decade, rest = divmod(index, n_sex * n_sido)
        sex, sido = divmod(rest, n_sido)
        age = f"{decade * 10}-{decade * 10 + 9}" if decade < DECADES - 1 else f"{decade * 10}+"
        return {"age_decade": age, "sex": schema.SEXES[sex], "sido_code": self.sido_codes[sido]}

    def _comparison_shares(self, counts: np.ndarray, by_zone: bool) -> np.ndarray:
        """Per cell, the value shares of its comparison group (age decade x sex [x zone])."""
        n_sido = len(self.sido_codes)
        per_group = counts.reshape(-1, n_sido, counts.shape[1])  # (decade x sex, si-do, value)
        if by_zone:
            pooled = np.zeros((per_group.shape[0], len(P.DIALECTS), counts.shape[1]))
            for zone in range(len(P.DIALECTS)):
                pooled[:, zone, :] = per_group[:, self.zone_of_sido == zone, :].sum(axis=1)
            expanded = pooled[:, self.zone_of_sido, :]
        else:
            expanded = np.repeat(per_group.sum(axis=1, keepdims=True), n_sido, axis=1)
        flat = expanded.reshape(counts.shape)
        return flat / np.maximum(flat.sum(axis=1, keepdims=True), 1)

    def report(self) -> dict[str, Any]:
        """Per-cell normalised entropies, per-attribute summaries and the fixed-cell flags."""
        cells: dict[int, dict[str, Any]] = {}
        flags: list[dict[str, Any]] = []
        summary: dict[str, dict[str, Any]] = {}
        for column, counts in self._counts.items():
            bucket = self.buckets[column]
            k = bucket.n_categories or int((counts.sum(axis=0) > 0).sum())
            n = counts.sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                p = counts / n[:, None]
                h = -np.where(counts > 0, p * np.log(np.where(counts > 0, p, 1.0)), 0.0).sum(1)
            entropy = np.abs(h) / math.log(k) if k > 1 else np.zeros_like(h)
            distinct = (counts > 0).sum(axis=1)
            share = self._comparison_shares(counts, by_zone=column in BY_ZONE)
            large = n >= self.min_cell_size
            summary[column] = {
                "categories": int(k),
                "mean_entropy": _round(entropy[large].mean()) if large.any() else None,
                "min_entropy": _round(entropy[large].min()) if large.any() else None,
                "cells_fixed": int((large & (distinct == 1)).sum()),
            }
            for index in np.flatnonzero(large & (distinct == 1)):
                value = int(counts[index].argmax())
                chance = float(share[index, value]) ** int(n[index])
                flags.append({
                    **self._label(int(index)),
                    "n": int(n[index]),
                    "attribute": column,
                    "value": bucket.labels[value],
                    "p_fixed_by_chance": float(f"{chance:.3g}"),
                    "stereotype": chance < STEREOTYPE_P,
                })
            for index in np.flatnonzero(n > 0):
                entry = cells.setdefault(
                    int(index), {**self._label(int(index)), "n": int(n[index]), "entropy": {}}
                )
                entry["entropy"][column] = _round(entropy[index])
        return {
            "cell": "age decade x sex x si-do",
            "min_cell_size": self.min_cell_size,
            "stereotype_p": STEREOTYPE_P,
            "attributes": summary,
            "flags": flags,
            "cells": [cells[index] for index in sorted(cells)],
        }


def _round(value: Any) -> float:
    return round(float(value), 4)


def audit_personas(
    frame: pl.DataFrame, min_cell_size: int = DEFAULT_MIN_CELL_SIZE
) -> dict[str, Any]:
    """Audit personas joined with ``age``, ``sex`` and ``sido_code`` (see module docstring)."""
    missing = [c for c in AUDIT_CELL if c not in frame.columns]
    if missing:
        raise ValueError(f"audit_personas: frame lacks the cell columns {missing}")
    accumulator = AuditAccumulator(min_cell_size)
    accumulator.add(frame)
    report = accumulator.report()
    from synthsoc.persona.audit_rich import RICH_CELL, RichAuditAccumulator

    lacking = [c for c in RICH_CELL if c not in frame.columns]
    if lacking:
        report["rich"] = {"skipped": f"frame lacks the rich cell columns {lacking}"}
    else:
        rich = RichAuditAccumulator(min_cell_size)
        rich.add(frame)
        report["rich"] = rich.report()
    return report
