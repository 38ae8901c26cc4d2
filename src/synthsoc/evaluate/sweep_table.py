"""One outcome table for a sweep: a row per grid point and outcome, judged by the rule of
:mod:`synthsoc.evaluate.replicate_verdict` (the scenario's tolerance, or the stated default)."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from synthsoc.evaluate.replicate_verdict import default_tolerance, judge_outcome, scenario_tolerance
from synthsoc.sim.scenario import Scenario
from synthsoc.sim.sweep import PointResult

TABLE_COLUMNS: tuple[str, ...] = (
    "point", "outcome", "n_runs", "mean", "ci_low", "ci_high", "spread", "tolerance",
    "verdict", "reason", "rule",
)


def sweep_rows(scenario: Scenario, points: list[PointResult], *, seed: int) -> list[dict[str, Any]]:
    """Verdict rows of each finished grid point, in grid order; parameters as ``param.NAME``."""
    rows = []
    for point in sorted(points, key=lambda p: p.point):
        for name, values in point.outcomes.items():
            if name in scenario.outcomes:
                tol = scenario_tolerance(scenario.outcomes[name])
            else:
                tol = default_tolerance(values)
            verdict = judge_outcome(values, tol, seed=seed)
            row: dict[str, Any] = {"point": point.point}
            row.update({f"param.{k}": _cell(v) for k, v in point.params.items()})
            row.update(
                outcome=name, n_runs=verdict.n_runs, mean=verdict.mean, ci_low=verdict.ci_low,
                ci_high=verdict.ci_high, spread=verdict.spread, tolerance=verdict.tolerance,
                verdict=verdict.label, reason=verdict.reason, rule=verdict.rule,
            )
            rows.append(row)
    return rows


def sweep_table(scenario: Scenario, points: list[PointResult], *, seed: int) -> pl.DataFrame:
    return pl.DataFrame(sweep_rows(scenario, points, seed=seed), infer_schema_length=None)


def _cell(value: Any) -> Any:
    """A parameter value as a table cell: numbers and text as they are, the rest as JSON."""
    if isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
