from __future__ import annotations

import numpy as np
import pytest

from synthsoc.evaluate.convergence import bootstrap_interval, classify_replicates, find_modes


def test_tight_replicates_converge() -> None:
    values = 0.40 + np.linspace(-0.004, 0.004, 30)
    verdict = classify_replicates(values, tolerance=0.02)
    assert verdict.verdict == "converging"
    assert verdict.shape == "tight"
    assert len(verdict.modes) == 1
    assert verdict.ci_low <= 0.40 <= verdict.ci_high


def test_two_outcome_modes_diverge_with_shares() -> None:
    values = np.r_[np.full(62, 0.9) + np.linspace(0, 0.01, 62), np.full(38, 0.1)]
    verdict = classify_replicates(values, tolerance=0.05)
    assert verdict.verdict == "diverging"
    assert verdict.shape == "multi-modal"
    shares = sorted(m.share for m in verdict.modes)
    assert shares == pytest.approx([0.38, 0.62])


def test_wide_unimodal_diverges_as_wide() -> None:
    values = np.linspace(0.2, 0.6, 40)
    verdict = classify_replicates(values, tolerance=0.05)
    assert (verdict.verdict, verdict.shape) == ("diverging", "wide")


def test_bootstrap_interval_of_constant_is_degenerate() -> None:
    assert bootstrap_interval(np.full(10, 3.0)) == (3.0, 3.0)


def test_bootstrap_interval_matches_hand_computed_percentiles() -> None:
    data = np.array([0.0, 1.0])
    rng = np.random.default_rng(5)
    idx = rng.integers(0, 2, size=(400, 2))
    expected = np.quantile(data[idx].mean(axis=1), [0.025, 0.975])
    assert bootstrap_interval(data, n_boot=400, seed=5) == pytest.approx(tuple(expected))


def test_find_modes_splits_on_gaps() -> None:
    modes = find_modes([0.0, 0.01, 0.02, 0.5, 0.51], gap=0.1)
    assert [m.n_runs for m in modes] == [3, 2]


def test_rejects_empty_and_nonfinite() -> None:
    with pytest.raises(ValueError, match="at least one"):
        classify_replicates([], tolerance=0.1)
    with pytest.raises(ValueError, match="finite"):
        classify_replicates([0.1, float("nan")], tolerance=0.1)
