"""Holdout check of the aggregate-tables model: fit on two one-way tables, predict the two-way.

Given published one-way tables of a question by A and by B and the published A x B table, the
model (:func:`synthsoc.survey.tables.fit_maxent`) is fitted on the one-way tables only, with A x B
population weights from a synthetic population, a weights CSV, or uniform, and each published
A x B cell is predicted. Reported: ``mean_tvd`` over the cells, ``baseline_mean_tvd`` (each cell
predicted by its A margin alone), ``baseline_b_mean_tvd`` (by its B margin alone) and, for
contrast, ``uniform_weights_mean_tvd`` (the same fit with every A x B cell weighted equally,
the naive combination).

:func:`microdata_to_kosis` builds such tables from respondent microdata, where the true two-way
table is known, in the exact KOSIS long shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synthsoc.data.readers import parse_numbers, read_csv, reject_duplicates, where
from synthsoc.evaluate.distance import tvd
from synthsoc.survey.tables import (
    Condition,
    KosisTables,
    Margin,
    TablesError,
    choose_partition,
    fit_maxent,
    group_index,
)


def population_cell_weights(
    respondents: pl.DataFrame,
    labels_a: Sequence[str],
    labels_b: Sequence[str],
    conditions_a: Mapping[str, Condition],
    conditions_b: Mapping[str, Condition],
) -> np.ndarray:
    """Persons per (a, b) group pair, shape (len(labels_a), len(labels_b))."""
    ga = group_index(respondents, labels_a, conditions_a)
    gb = group_index(respondents, labels_b, conditions_b)
    ok = (ga >= 0) & (gb >= 0)
    counts = np.zeros((len(labels_a), len(labels_b)))
    np.add.at(counts, (ga[ok], gb[ok]), 1.0)
    return counts


def read_cell_weights(
    path: str | Path, type_a: str, type_b: str, labels_a: Sequence[str], labels_b: Sequence[str]
) -> np.ndarray:
    """A weights CSV with columns ``<A>, <B>, weight`` (group labels as in the tables)."""
    path = Path(path)
    table = read_csv(path, required=(type_a, type_b, "weight"), error=TablesError)
    reject_duplicates(zip(table.column(type_a), table.column(type_b), strict=True),
                      table.lines, path, (type_a, type_b), TablesError)
    raw = table.column("weight")
    weights = parse_numbers(raw, table.lines, path, "weight", error=TablesError)
    ia = {lb: i for i, lb in enumerate(labels_a)}
    ib = {lb: i for i, lb in enumerate(labels_b)}
    out = np.zeros((len(labels_a), len(labels_b)))
    for a, b, w, line in zip(table.column(type_a), table.column(type_b), weights, table.lines,
                             strict=True):
        if w is None:
            raise TablesError(f"{where(path, line, 'weight')}: missing weight")
        if a in ia and b in ib:
            out[ia[a], ib[b]] += w
    return out


def tables_holdout(
    tables: KosisTables,
    question: str,
    type_a: str,
    type_b: str,
    *,
    joint_type: str | None = None,
    weights: np.ndarray | None = None,
    weights_label: str = "uniform",
    label_map: Mapping[str, Mapping[str, Condition]] | None = None,
) -> dict[str, Any]:
    """Fit on the one-way tables of A and B; predict and score the published A x B table."""
    qt = tables.question(question)
    for gtype in (type_a, type_b):
        if gtype not in qt.tables:
            raise TablesError(
                f"{tables.source}: question {question!r} has no {gtype!r} table; "
                f"tables are {sorted(qt.tables)}"
            )
    joint_type = joint_type or f"{type_a}*{type_b}"
    if joint_type not in qt.tables:
        raise TablesError(
            f"{tables.source}: question {question!r} has no joint table {joint_type!r}"
        )
    maps = label_map or {}
    labels_a, dropped_a = choose_partition(list(qt.tables[type_a]), maps.get(type_a))
    labels_b, dropped_b = choose_partition(list(qt.tables[type_b]), maps.get(type_b))
    shape = (len(labels_a), len(labels_b))
    if weights is None:
        weights = np.ones(shape)
        weights_label = "uniform"
    if weights.shape != shape:
        raise TablesError(f"weights have shape {weights.shape}, tables need {shape}")
    targets_a = np.array([qt.tables[type_a][lb] for lb in labels_a])
    targets_b = np.array([qt.tables[type_b][lb] for lb in labels_b])
    cell_a = np.repeat(np.arange(shape[0]), shape[1])
    cell_b = np.tile(np.arange(shape[1]), shape[0])
    margins = [Margin(type_a, cell_a, targets_a), Margin(type_b, cell_b, targets_b)]

    probs, residuals = fit_maxent(weights.ravel(), margins)
    uniform_probs, _ = fit_maxent(np.ones(weights.size), margins)

    ia = {lb: i for i, lb in enumerate(labels_a)}
    ib = {lb: i for i, lb in enumerate(labels_b)}
    rows = []
    skipped = []
    for label, observed in qt.tables[joint_type].items():
        parts = [p.strip() for p in label.split("*", 1)]
        if len(parts) != 2 or parts[0] not in ia or parts[1] not in ib:
            skipped.append(label)
            continue
        a, b = ia[parts[0]], ib[parts[1]]
        c = a * shape[1] + b
        rows.append(
            {
                "group": label,
                "weight": float(weights[a, b]),
                "tvd": float(tvd(probs[c], observed)),
                "uniform_weights_tvd": float(tvd(uniform_probs[c], observed)),
                "baseline_tvd": float(tvd(targets_a[a], observed)),
                "baseline_b_tvd": float(tvd(targets_b[b], observed)),
                "predicted": probs[c].round(4).tolist(),
                "observed": observed.round(4).tolist(),
            }
        )
    if not rows:
        raise TablesError(f"{tables.source}: no {joint_type} cell matches the one-way groups")

    def mean(key: str) -> float:
        return float(np.mean([r[key] for r in rows]))

    return {
        "data": tables.source,
        "question": question,
        "answers": list(qt.answers),
        "margins": [type_a, type_b],
        "joint": joint_type,
        "weights": weights_label,
        "n_cells": len(rows),
        "mean_tvd": mean("tvd"),
        "baseline_mean_tvd": mean("baseline_tvd"),
        "baseline_b_mean_tvd": mean("baseline_b_tvd"),
        "uniform_weights_mean_tvd": mean("uniform_weights_tvd"),
        "margin_residuals": residuals,
        "groups_a": labels_a,
        "groups_b": labels_b,
        "dropped_overlapping": {type_a: dropped_a, type_b: dropped_b},
        "skipped_joint_cells": skipped,
        "cells": rows,
    }


def microdata_to_kosis(
    frame: pl.DataFrame,
    target: str,
    group_types: Mapping[str, str],
    joints: Sequence[tuple[str, str]] = (),
    *,
    question: str | None = None,
) -> pl.DataFrame:
    """Aggregate respondents into KOSIS-shaped long tables (shares in percent, with Total rows).

    ``group_types`` maps a published group type name to its column; ``joints`` lists pairs of
    group type names to publish as two-way tables (``A*B`` / ``a*b``).
    """
    qname = question or target
    rows: list[tuple[str, str, str, str, float]] = []
    answers = sorted(frame[target].unique().to_list())

    def add(gtype: str, keys: pl.Expr) -> None:
        grouped = (
            frame.with_columns(keys.alias("_g")).group_by("_g", target).len().sort("_g", target)
        )
        totals = grouped.group_by("_g").agg(pl.col("len").sum().alias("_n"))
        for (group,) in totals.select("_g").sort("_g").iter_rows():
            sub = grouped.filter(pl.col("_g") == group)
            n = float(sub["len"].sum())
            rows.append((qname, gtype, group, "Total", 100.0))
            counts = dict(zip(sub[target].to_list(), sub["len"].to_list(), strict=True))
            for a in answers:
                rows.append((qname, gtype, group, a, round(100.0 * counts.get(a, 0) / n, 1)))

    for gtype, column in group_types.items():
        add(gtype, pl.col(column).cast(pl.Utf8))
    for a, b in joints:
        add(
            f"{a}*{b}",
            pl.concat_str(
                [pl.col(group_types[a]).cast(pl.Utf8), pl.col(group_types[b]).cast(pl.Utf8)],
                separator="*",
            ),
        )
    return pl.DataFrame(
        rows, schema=["question", "group_type", "group", "answer", "value"], orient="row"
    )
