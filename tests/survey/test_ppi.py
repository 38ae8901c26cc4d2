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


def test_weighted_ppi_matches_hand_computation() -> None:
    # personas f: 0.2, 0.4, 0.6, 0.8 (mean 0.5, var 1/15 with ddof 1)
    # real: 12 people, f 0.5 each; 6 say yes with weight 2, 6 say no with weight 1
    f_big = _two([0.2, 0.4, 0.6, 0.8])
    f_small = _two([0.5] * 12)
    y = _two([1.0] * 6 + [0.0] * 6)
    w = np.array([2.0] * 6 + [1.0] * 6)
    found = ppi_shares(f_big, f_small, y, weights=w, level=0.95)
    assert found is not None
    # weighted yes share 12/18 = 2/3; rectifier r = y - 0.5 = +-0.5, weighted mean 1/6
    assert found.share[1] == pytest.approx(0.5 + 1 / 6)
    assert found.classical_share[1] == pytest.approx(2 / 3)
    # Kish: 18^2 / (6 * 4 + 6 * 1) = 10.8
    assert found.n_effective == pytest.approx(10.8) and found.n_labelled == 12
    # linearisation: 12/11 * (6 * 4 * (1/3)^2 + 6 * 1 * (2/3)^2) / 18^2, the same for r and y
    v_real = 12 / 11 * (24 / 9 + 24 / 9) / 324
    se = np.sqrt((1 / 15) / 4 + v_real)
    assert found.share[1] - found.low[1] == pytest.approx(1.959964 * se, rel=1e-5)
    classical_half = found.classical_share[1] - found.classical_low[1]
    assert classical_half == pytest.approx(1.959964 * np.sqrt(v_real), rel=1e-5)
    # equal weights give back the unweighted estimate
    equal = ppi_shares(f_big, f_small, y, weights=np.full(12, 3.0))
    plain = ppi_shares(f_big, f_small, y)
    assert equal is not None and plain is not None
    assert equal.share[1] == pytest.approx(plain.share[1]) == pytest.approx(0.5)
    assert equal.high[1] - equal.low[1] == pytest.approx(plain.high[1] - plain.low[1])
    # too few effective respondents: 12 people, one weight 30 (Kish n about 1.7)
    assert ppi_shares(f_big, f_small, y, weights=np.array([30.0] + [1.0] * 11)) is None
    with pytest.raises(ValueError, match="positive"):
        ppi_shares(f_big, f_small, y, weights=np.array([-1.0] + [1.0] * 11))


def test_weighted_ppi_covers_the_truth_under_unequal_sampling() -> None:
    # yes-sayers are three times as likely to be in the real sample (weights 1/3 vs 1); the
    # LLM is biased. Weighted PPI covers the population share; ignoring the weights does not.
    rng = np.random.default_rng(1)
    covered, unweighted_covered = [], []
    for _ in range(400):
        x_big = rng.random(2000)
        x = rng.random(3000)
        yes = rng.random(3000) < x
        keep = rng.random(3000) < np.where(yes, 0.09, 0.03)
        x_small, y, w = x[keep], yes[keep].astype(float), np.where(yes[keep], 1 / 3, 1.0)
        found = ppi_shares(
            _two(x_big / 3 + 0.5), _two(x_small / 3 + 0.5), _two(y), weights=w, level=0.9
        )
        plain = ppi_shares(_two(x_big / 3 + 0.5), _two(x_small / 3 + 0.5), _two(y), level=0.9)
        assert found is not None and plain is not None
        covered.append(found.low[1] <= 0.5 <= found.high[1])
        unweighted_covered.append(plain.low[1] <= 0.5 <= plain.high[1])
    assert np.mean(covered) == pytest.approx(0.9, abs=0.04)
    assert np.mean(unweighted_covered) < 0.5
