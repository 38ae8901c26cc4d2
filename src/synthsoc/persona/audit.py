"""The stereotype audit: do personas still vary inside each demographic cell?

A cell is age decade x sex x si-do. For every persona attribute (numeric ones binned) the audit
reports the normalised Shannon entropy of its values in each cell (0 = everybody the same,
1 = all categories equally common) and flags cells of at least ``min_cell_size`` persons where an
attribute is fixed. Each flag carries the chance of such a fixed cell if the cell followed the
national distribution of its age decade x sex (``p_fixed_by_chance``): a small chance means the
model itself fixes the attribute there (a stereotype), a large one means a rare category.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from synthsoc.persona import params as P
from synthsoc.persona.columns import CATEGORICAL, COLUMNS

AUDIT_CELL: tuple[str, ...] = ("age", "sex", "sido_code")
CELL_KEYS: tuple[str, ...] = ("age_decade", "sex", "sido_code")
DEFAULT_MIN_CELL_SIZE = 30
STEREOTYPE_P = 0.01


def _binned(column: str, edges: list[float]) -> pl.Expr:
    """Bin index as a string: '0' below the first edge, ..., str(len(edges)) above the last."""
    above = [(pl.col(column) > edge).cast(pl.Int8) for edge in edges]
    return pl.sum_horizontal(above).cast(pl.String)


def _buckets() -> dict[str, pl.Expr]:
    """One string expression per audited attribute (categories as they are, numbers binned)."""
    exprs: dict[str, pl.Expr] = {}
    for column in COLUMNS[1:]:
        if column in CATEGORICAL or column in ("dialect_is_origin", "uses_sns"):
            exprs[column] = pl.col(column).cast(pl.String)
        elif column in P.BIG_FIVE:
            exprs[column] = _binned(column, [40, 47, 53, 60])
        elif column == "risk_tolerance":
            exprs[column] = _binned(column, [2, 4, 5, 7])
        elif column.startswith("value_"):
            exprs[column] = _binned(column, [-1.0, -0.33, 0.33, 1.0])
        elif column == "sns_minutes_per_day":
            exprs[column] = _binned(column, [0, 30, 60, 120])
        else:  # clock times: the hour
            exprs[column] = (pl.col(column) // 60).cast(pl.String).fill_null("none")
    return exprs


def _n_categories(column: str) -> int | None:
    """Number of possible values; None for clock times (the hours observed are used)."""
    if column in CATEGORICAL:
        return len(CATEGORICAL[column])
    if column in ("dialect_is_origin", "uses_sns"):
        return 2
    return None if column.endswith(("weekday", "weekend")) else 5


class AuditAccumulator:
    """Value counts per cell and attribute, summed over chunks (memory bounded by cells)."""

    def __init__(self, min_cell_size: int = DEFAULT_MIN_CELL_SIZE) -> None:
        self.min_cell_size = min_cell_size
        self._counts: dict[str, pl.DataFrame] = {}

    def add(self, frame: pl.DataFrame) -> None:
        """Count a chunk of personas that also carries ``age``, ``sex`` and ``sido_code``."""
        decade = pl.min_horizontal(pl.col("age") // 10, pl.lit(9)).cast(pl.Int8)
        base = frame.with_columns(age_decade=decade)
        for column, expr in _buckets().items():
            if column not in frame.columns:
                continue
            counts = (
                base.group_by([*CELL_KEYS, expr.alias("value")])
                .agg(pl.len().alias("count"))
            )
            previous = self._counts.get(column)
            if previous is not None:
                counts = (
                    pl.concat([previous, counts])
                    .group_by([*CELL_KEYS, "value"])
                    .agg(pl.col("count").sum())
                )
            self._counts[column] = counts

    def report(self) -> dict[str, Any]:
        """Per-cell normalised entropies, per-attribute summaries and the fixed-cell flags."""
        cells: dict[tuple[int, str, str], dict[str, Any]] = {}
        flags: list[dict[str, Any]] = []
        summary: dict[str, dict[str, Any]] = {}
        for column, counts in self._counts.items():
            k = _n_categories(column) or counts["value"].n_unique()
            per_cell = (
                counts.with_columns(
                    n=pl.col("count").sum().over(CELL_KEYS),
                    fixed_value=pl.col("value"),
                )
                .with_columns(p=pl.col("count") / pl.col("n"))
                .group_by(CELL_KEYS)
                .agg(
                    pl.col("n").first(),
                    (-(pl.col("p") * pl.col("p").log()).sum()).alias("h"),
                    pl.len().alias("distinct"),
                    pl.col("fixed_value").sort_by("count").last(),
                )
                .with_columns(entropy=pl.col("h").abs() / math.log(k) if k > 1 else pl.lit(0.0))
                .sort(CELL_KEYS)
            )
            national = (
                counts.group_by("age_decade", "sex", "value")
                .agg(pl.col("count").sum())
                .with_columns(
                    share=pl.col("count") / pl.col("count").sum().over("age_decade", "sex")
                )
                .select("age_decade", "sex", pl.col("value").alias("fixed_value"), "share")
            )
            large = per_cell.filter(pl.col("n") >= self.min_cell_size)
            summary[column] = {
                "categories": int(k),
                "mean_entropy": _round(large["entropy"].mean()),
                "min_entropy": _round(large["entropy"].min()),
                "cells_fixed": int((large["distinct"] == 1).sum()),
            }
            fixed = large.filter(pl.col("distinct") == 1).join(
                national, on=["age_decade", "sex", "fixed_value"], how="left"
            )
            for row in fixed.iter_rows(named=True):
                chance = float(row["share"]) ** int(row["n"])
                flags.append(
                    {
                        **_cell_label(row),
                        "n": int(row["n"]),
                        "attribute": column,
                        "value": row["fixed_value"],
                        "p_fixed_by_chance": float(f"{chance:.3g}"),
                        "stereotype": chance < STEREOTYPE_P,
                    }
                )
            for row in per_cell.iter_rows(named=True):
                key = (row["age_decade"], row["sex"], row["sido_code"])
                label = {**_cell_label(row), "n": int(row["n"]), "entropy": {}}
                cell = cells.setdefault(key, label)
                cell["entropy"][column] = _round(row["entropy"])
        return {
            "cell": "age decade x sex x si-do",
            "min_cell_size": self.min_cell_size,
            "stereotype_p": STEREOTYPE_P,
            "attributes": summary,
            "flags": flags,
            "cells": [cells[key] for key in sorted(cells)],
        }


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def _cell_label(row: dict[str, Any]) -> dict[str, Any]:
    decade = int(row["age_decade"])
    age = f"{decade * 10}-{decade * 10 + 9}" if decade < 9 else "90+"
    return {"age_decade": age, "sex": row["sex"], "sido_code": row["sido_code"]}


def audit_personas(
    frame: pl.DataFrame, min_cell_size: int = DEFAULT_MIN_CELL_SIZE
) -> dict[str, Any]:
    """Audit personas joined with ``age``, ``sex`` and ``sido_code`` (see module docstring)."""
    missing = [c for c in AUDIT_CELL if c not in frame.columns]
    if missing:
        raise ValueError(f"audit_personas: frame lacks the cell columns {missing}")
    accumulator = AuditAccumulator(min_cell_size)
    accumulator.add(frame)
    return accumulator.report()
