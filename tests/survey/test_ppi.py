from __future__ import annotations

import numpy as np
import pytest

from synthsoc.survey.ppi import ppi_shares


def _two(p: list[float]) -> np.ndarray:
    a = np.array(p, dtype=float)
    return np.stack([1 - a, a], axis=1)


def test_ppi_matches_hand_computation() -> None:
    # personas f: 0.2, 0.4, 0.6, 0.8 (mean 0.5, var 1/15 with ddof 1)
    # real: 10 people, f 0.5 each, answers 7 yes / 3 no: rectifier mean 0.2, var 0.2333...
    f_big = _two([0.2, 0.4, 0.6, 0.8])
    f_small = _two([0.5] * 10)
    y = _two([1.0] * 7 + [0.0] * 3)
    found = ppi_shares(f_big, f_small, y, level=0.95)
    assert found is not None
    assert found.share[1] == pytest.approx(0.5 + 0.2)
    se = np.sqrt((1 / 15) / 4 + (0.21 * 10 / 9) / 10)
    assert found.share[1] - found.low[1] == pytest.approx(1.959964 * se, rel=1e-5)
    assert found.high[1] == 1.0  # clipped to a share
    assert found.classical_share[1] == pytest.approx(0.7)
    assert ppi_shares(f_big, f_small[:9], y[:9]) is None  # too few real respondents


def test_ppi_interval_covers_the_truth_whatever_the_bias() -> None:
    # truth: P(yes | x) = x for x uniform; the LLM is badly biased (says x/3 + 0.5)
    rng = np.random.default_rng(0)
    covered = []
    for _ in range(400):
        x_small, x_big = rng.random(60), rng.random(2000)
        y = (rng.random(60) < x_small).astype(float)
        found = ppi_shares(_two(x_big / 3 + 0.5), _two(x_small / 3 + 0.5), _two(y), level=0.9)
        assert found is not None
        covered.append(found.low[1] <= 0.5 <= found.high[1])
    assert np.mean(covered) == pytest.approx(0.9, abs=0.04)
