"""Repeated runs of a stochastic survey engine: per-share intervals and a stability verdict.

The survey is run R times with seeds ``seed .. seed+R-1``. For every reported share (question x
segment x group x category) the R values get a bootstrap interval of their mean and a
converging / diverging verdict from :func:`synthsoc.evaluate.convergence.classify_replicates`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from synthsoc.evaluate.convergence import classify_replicates
from synthsoc.survey.results import SurveyResult

Key = tuple[str, str, str, str]


def replicate_survey(
    run: Callable[[int], SurveyResult],
    replicates: int,
    *,
    seed: int = 0,
    tolerance: float = 0.05,
    level: float = 0.95,
) -> tuple[list[SurveyResult], dict[str, Any]]:
    """Run ``run(seed + r)`` for r < ``replicates``; return the results and the verdicts."""
    if replicates < 2:
        raise ValueError(f"need at least 2 replicates, got {replicates}")
    results = [run(seed + r) for r in range(replicates)]
    return results, replicate_verdicts(results, tolerance=tolerance, level=level, seed=seed)


def replicate_verdicts(
    results: list[SurveyResult], *, tolerance: float = 0.05, level: float = 0.95, seed: int = 0
) -> dict[str, Any]:
    """Verdict per share over replicate results (shares missing from a run count as absent)."""
    tables: list[dict[Key, float]] = [
        {
            (r["question"], r["segment"], r["group"], r["category"]): r["share"]
            for r in res.rows
            if r["share"] is not None  # "too few" rows carry no share
        }
        for res in results
    ]
    keys = sorted(set().union(*[t.keys() for t in tables]))
    rows = []
    for key in keys:
        values = np.array([t[key] for t in tables if key in t])
        if values.size < 2:
            continue
        verdict = classify_replicates(values, tolerance=tolerance, level=level, seed=seed)
        rows.append(
            {
                "question": key[0],
                "segment": key[1],
                "group": key[2],
                "category": key[3],
                "n_runs": int(values.size),
                "mean": round(verdict.mean, 6),
                "ci_low": round(verdict.ci_low, 6),
                "ci_high": round(verdict.ci_high, 6),
                "spread": round(verdict.spread, 6),
                "verdict": verdict.verdict,
                "shape": verdict.shape,
            }
        )
    converging = sum(r["verdict"] == "converging" for r in rows)
    overall = [r for r in rows if r["segment"] == "all"]
    overall_ok = all(r["verdict"] == "converging" for r in overall)
    summary = (
        f"{len(results)} replicates: {converging} of {len(rows)} shares converging within "
        f"{tolerance:g}; overall shares {'stable' if overall_ok else 'NOT stable'}"
    )
    return {
        "replicates": len(results),
        "tolerance": tolerance,
        "n_shares": len(rows),
        "n_converging": converging,
        "overall_stable": overall_ok,
        "summary": summary,
        "shares": rows,
    }
