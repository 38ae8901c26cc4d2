from __future__ import annotations

import math

import numpy as np
import pytest

from synthsoc.evaluate.distance import kl_divergence, tvd, wasserstein_ordinal


def test_tvd_hand_computed() -> None:
    # |0.5-0.2| + |0.3-0.3| + |0.2-0.5| = 0.6 -> half is 0.3
    assert tvd([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]) == pytest.approx(0.3)
    assert tvd([1, 0], [0, 1]) == pytest.approx(1.0)
    assert tvd([2, 2], [1, 1]) == pytest.approx(0.0)  # counts are normalised


def test_tvd_broadcasts_over_segments() -> None:
    p = np.array([[0.5, 0.5], [1.0, 0.0]])
    q = np.array([[0.25, 0.75], [0.5, 0.5]])
    assert np.allclose(tvd(p, q), [0.25, 0.5])


def test_kl_hand_computed() -> None:
    expected = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    assert kl_divergence([0.5, 0.5], [0.25, 0.75], epsilon=0.0) == pytest.approx(expected)
    assert kl_divergence([0.3, 0.7], [0.3, 0.7]) == pytest.approx(0.0, abs=1e-9)
    assert math.isfinite(kl_divergence([0.5, 0.5], [1.0, 0.0]))


def test_wasserstein_ordinal_hand_computed() -> None:
    # all mass moves from category 1 to category 3: 2 steps of 2 possible -> 1 normalised
    assert wasserstein_ordinal([1, 0, 0], [0, 0, 1]) == pytest.approx(1.0)
    assert wasserstein_ordinal([1, 0, 0], [0, 0, 1], normalise=False) == pytest.approx(2.0)
    # cdf differences: |0.5-0.25| + |1.0-0.5| = 0.75 over 2 steps
    assert wasserstein_ordinal([0.5, 0.5, 0], [0.25, 0.25, 0.5]) == pytest.approx(0.375)


def test_distances_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="sums to zero"):
        tvd([0, 0], [1, 0])
    with pytest.raises(ValueError, match="non-negative"):
        tvd([-1, 2], [1, 0])
