"""The integer floor of a control's TVD: the smallest TVD whole persons can reach."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from synthsoc.synth.fit_report import integer_floor_tvd
from synthsoc.synth.populate import PopulateResult


def _brute_force_floor(target: np.ndarray, total: int) -> float:
    """Try every table of whole persons with ``total`` persons over the cells."""
    shares = target / target.sum()
    best = np.inf
    for split in itertools.product(range(total + 1), repeat=target.size - 1):
        last = total - sum(split)
        if last < 0:
            continue
        counts = np.array([*split, last], dtype=np.float64)
        best = min(best, 0.5 * float(np.abs(counts / total - shares).sum()))
    return best


def test_hand_computed_floor() -> None:
    # Targets 0.5, 0.5, 1 with two persons: the best table is 1, 0, 1 (or 0, 1, 1).
    assert integer_floor_tvd(np.array([0.5, 0.5, 1.0]), 2) == pytest.approx(0.25)
    # Whole-number targets can be met exactly.
    assert integer_floor_tvd(np.array([3.0, 0.0, 7.0]), 10) == 0.0


@pytest.mark.parametrize("seed", range(6))
def test_floor_is_the_best_any_integer_table_reaches(seed: int) -> None:
    rng = np.random.default_rng(seed)
    target = rng.gamma(0.7, 1.0, size=4)
    total = int(rng.integers(1, 9))
    assert integer_floor_tvd(target, total) == pytest.approx(_brute_force_floor(target, total))


def test_every_control_is_at_or_above_its_floor(sejong_run: PopulateResult) -> None:
    report = json.loads((sejong_run.out / "fit_report.json").read_text(encoding="utf-8"))
    metrics = [m for levels in report["controls"].values() for m in levels.values()]
    assert metrics
    for m in metrics:
        assert m["tvd"] >= m["integer_floor_tvd"] - 1e-12
    summary = report["summary"]
    assert 0.0 <= summary["worst_control_integer_floor_tvd"] <= summary["max_control_tvd"]
