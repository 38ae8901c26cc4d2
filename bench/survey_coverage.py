"""The interval-coverage fields every survey holdout benchmark writes (one place, not three).

``holdout_benchmark`` (:mod:`synthsoc.evaluate.holdout`) measures the coverage; these helpers
only round and name it for the benchmark JSON.
"""

from __future__ import annotations

from typing import Any


def coverage_by_group(result: dict[str, Any]) -> list[dict[str, object]]:
    """Where the intervals missed: coverage per held-out group (over its seeds and answers)."""
    return [
        {
            "group": g["group"],
            "n_seeds": g["n_seeds"],
            "mean_n_test": round(g["mean_n_test"], 1),
            "coverage_90": round(g["coverage"], 3),
        }
        for g in result["groups"]
    ]


def coverage_fields(result: dict[str, Any]) -> dict[str, object]:
    """The coverage of the nominal 90% intervals, its own 95% interval, and by group."""
    coverage = result["coverage"]
    return {
        "interval_precisions": result["interval_precisions"],
        "coverage_90": round(coverage["predictive_coverage"], 3),
        "coverage_90_model_only": round(coverage["model_only_coverage"], 3),
        "n_intervals": coverage["n_intervals"],
        "coverage_90_interval_95": [round(x, 3) for x in coverage["interval_95"]],
        "coverage_within_band": coverage["within_band"],
        "coverage_by_group": coverage_by_group(result),
    }
