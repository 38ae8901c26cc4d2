"""The replicate verdict on constructed cases: one test per branch of the stated rule."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from synthsoc.evaluate.replicate_verdict import (
    INSUFFICIENT,
    MIN_REPLICATES,
    default_tolerance,
    judge_outcome,
    scenario_tolerance,
)


def _normal_quantiles(n: int, mean: float, sd: float) -> np.ndarray:
    """An exactly unimodal sample: the n evenly spaced quantiles of a normal distribution."""
    return mean + sd * norm.ppf((np.arange(n) + 0.5) / n)


def test_unimodal_tight_converges() -> None:
    v = judge_outcome(_normal_quantiles(30, 0.5, 0.002), scenario_tolerance(0.02))
    assert (v.verdict, v.shape) == ("converging", "tight")
    assert v.spread <= 0.02 and "5-95th percentile" in v.rule and "dip test" in v.rule


def test_unimodal_wide_diverges_with_one_mode() -> None:
    v = judge_outcome(_normal_quantiles(40, 0.5, 0.1), scenario_tolerance(0.02))
    assert (v.verdict, v.shape) == ("diverging", "wide")
    assert v.dip_p is not None and v.dip_p >= 0.05 and len(v.modes) == 1


def test_bimodal_is_multimodal_by_the_dip_test() -> None:
    runs = np.concatenate([_normal_quantiles(15, 0.1, 0.01), _normal_quantiles(15, 0.9, 0.01)])
    v = judge_outcome(runs, scenario_tolerance(0.05))
    assert (v.verdict, v.shape) == ("diverging", "multi-modal")
    assert v.dip_p is not None and v.dip_p < 0.05
    assert [m.n_runs for m in v.modes] == [15, 15]
    assert [round(m.center, 2) for m in v.modes] == [0.1, 0.9]


def test_binary_outcome_split_is_multimodal() -> None:
    """A bank that fails in 8 of 20 runs: two equilibria."""
    v = judge_outcome(np.array([0.0] * 12 + [1.0] * 8), scenario_tolerance(0.5))
    assert v.shape == "multi-modal" and [m.n_runs for m in v.modes] == [12, 8]


def test_too_few_runs_is_insufficient_whatever_the_values() -> None:
    for runs in ([0.5], [0.5] * (MIN_REPLICATES - 1), [0.0, 1.0, 0.0, 1.0]):
        v = judge_outcome(np.array(runs), scenario_tolerance(0.01))
        assert v.verdict == INSUFFICIENT and v.shape == "" and v.label == INSUFFICIENT
        assert f"R >= {MIN_REPLICATES}" in v.rule


def test_identical_runs_converge() -> None:
    v = judge_outcome(np.full(12, 2.87), default_tolerance(np.full(12, 2.87)))
    assert v.verdict == "converging" and v.dip_p == 1.0


def test_default_tolerance_rule_is_stated() -> None:
    tol = default_tolerance(np.array([10.0, 12.0, 14.0]))
    assert tol.value == pytest.approx(0.6)
    assert "5% of |median 12|" in tol.rule
    assert default_tolerance(np.zeros(3)).value == 1e-3
