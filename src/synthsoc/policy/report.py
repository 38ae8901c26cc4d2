"""Tables of a policy run: cost, recipients, gains and losses by group, with intervals.

Every figure is the mean over draws with the 5th-95th percentile interval across draws (the
spread that comes from the unknown income within bracket and assets), scaled to the whole
population by the run's weight (1 / scale).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synthsoc.policy.run import AGE_GROUPS, PolicyRun
from synthsoc.policy.system import RULE_LABELS
from synthsoc.synth import schema

GROUPS: dict[str, str] = {
    "income_bracket": "소득 구간",
    "type": "가구 유형",
    "age_group": "가구주 연령",
    "district": "시군구",
}
ORDERS: dict[str, tuple[str, ...]] = {
    "income_bracket": schema.INCOME_BRACKETS,
    "type": schema.HOUSEHOLD_TYPES,
    "age_group": tuple(g[0] for g in AGE_GROUPS),
}
TOLERANCE_KRW = 0.5  # a change smaller than this is no change (floating-point noise)


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    return (float(values.mean()), float(np.percentile(values, 5)),
            float(np.percentile(values, 95)))


def household_change(run: PolicyRun) -> np.ndarray:
    """Reform minus baseline, all rules together, per (draw, household), KRW per year."""
    total = np.zeros_like(next(iter(run.baseline.values())))
    for rule in run.config.rule_years:
        total += run.reform[rule] - run.baseline[rule]
    return total


def summary_table(run: PolicyRun) -> pl.DataFrame:
    """One row per rule: cost and recipients under the baseline and the reform."""
    rows = []
    for rule, year in run.config.rule_years.items():
        base = run.baseline[rule].sum(axis=1) * run.weight
        ref = run.reform[rule].sum(axis=1) * run.weight
        base_n = run.baseline_recipients[rule].sum(axis=1) * run.weight
        ref_n = run.reform_recipients[rule].sum(axis=1) * run.weight
        row: dict[str, object] = {"rule": rule, "label": RULE_LABELS[rule], "year": year}
        for name, values in (("baseline_cost_krw", base), ("reform_cost_krw", ref),
                             ("change_krw", ref - base), ("baseline_recipients", base_n),
                             ("reform_recipients", ref_n)):
            mean, lo, hi = _interval(values)
            row |= {name: mean, f"{name}_p05": lo, f"{name}_p95": hi}
        rows.append(row)
    return pl.DataFrame(rows)


def winners_losers(run: PolicyRun) -> pl.DataFrame:
    delta = household_change(run)
    rows = []
    for name, mask in (("winners", delta > TOLERANCE_KRW), ("losers", delta < -TOLERANCE_KRW),
                       ("unchanged", np.abs(delta) <= TOLERANCE_KRW)):
        mean, lo, hi = _interval(mask.sum(axis=1) * run.weight)
        rows.append({"households": name, "count": mean, "count_p05": lo, "count_p95": hi})
    return pl.DataFrame(rows)


def group_table(run: PolicyRun, key: str) -> pl.DataFrame:
    """Households, mean change per household, winners and losers, by ``key``."""
    if key not in GROUPS:
        raise ValueError(f"unknown group {key!r}; known: {sorted(GROUPS)}")
    column = "sigungu_code" if key == "district" else key
    labels, index = np.unique(run.households[column].fill_null("(unknown)").to_numpy(),
                              return_inverse=True)
    k = labels.size
    delta = household_change(run)
    count = np.bincount(index, minlength=k).astype(np.float64)
    total = np.stack([np.bincount(index, weights=row, minlength=k) for row in delta])
    wins = np.stack([np.bincount(index, weights=row > TOLERANCE_KRW, minlength=k)
                     for row in delta])
    losses = np.stack([np.bincount(index, weights=row < -TOLERANCE_KRW, minlength=k)
                       for row in delta])
    mean_change = total / np.maximum(count, 1)
    table = pl.DataFrame({
        column: labels,
        "synthetic_households": count.astype(np.int64),
        "households": count * run.weight,
        "mean_change_krw": mean_change.mean(axis=0),
        "mean_change_krw_p05": np.percentile(mean_change, 5, axis=0),
        "mean_change_krw_p95": np.percentile(mean_change, 95, axis=0),
        "total_change_krw": total.mean(axis=0) * run.weight,
        "winners": wins.mean(axis=0) * run.weight,
        "losers": losses.mean(axis=0) * run.weight,
    })
    if key == "district":
        names = run.households.select("sigungu_code", "district").unique("sigungu_code")
        table = table.join(names, on="sigungu_code", how="left").select(
            "sigungu_code", "district", *table.columns[1:]
        )
    order = ORDERS.get(key)
    if order is None:
        return table.sort(column)
    rank = {label: i for i, label in enumerate(order)}
    return table.sort(pl.col(column).replace_strict(rank, default=len(rank)))
