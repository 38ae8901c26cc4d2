"""Rubin's combination over population draws, against figures computed by hand."""

from __future__ import annotations

import math

import pytest
from scipy.stats import t as student_t

from synthsoc.synth.over_draws import combine_over_draws


def test_combination_matches_the_hand_computed_case() -> None:
    # Three draws: estimates 0.2, 0.3, 0.4 with engine variances 0.01, 0.02, 0.03.
    # By hand: W = 0.02; B = ((-0.1)**2 + 0 + 0.1**2) / 2 = 0.01; (1 + 1/3) B = 0.013333;
    # T = 0.033333; population share = 0.013333 / 0.033333 = 0.4;
    # nu = 2 (1 + 0.02 / 0.013333)**2 = 2 * 2.5**2 = 12.5.
    c = combine_over_draws([0.2, 0.3, 0.4], [0.01, 0.02, 0.03], level=0.95)
    assert c.estimate == pytest.approx(0.3)
    assert c.within == pytest.approx(0.02)
    assert c.between == pytest.approx(0.01)
    assert c.total == pytest.approx(0.1 / 3)
    assert c.population_share == pytest.approx(0.4)
    assert c.dof == pytest.approx(12.5)
    half = float(student_t.ppf(0.975, 12.5)) * math.sqrt(0.1 / 3)
    assert half == pytest.approx(0.3960, abs=5e-4)  # t(12.5) 0.975 quantile 2.169 x 0.18257
    assert (c.low, c.high) == pytest.approx((0.3 - half, 0.3 + half))


def test_identical_draws_leave_only_the_engine_variance() -> None:
    c = combine_over_draws([0.5, 0.5, 0.5, 0.5], [0.0004] * 4, level=0.9)
    assert c.between == 0.0 and c.population_share == 0.0
    # Normal interval: 1.6449 x 0.02 = 0.0329 either side.
    assert (c.low, c.high) == pytest.approx((0.5 - 0.0329, 0.5 + 0.0329), abs=1e-4)


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        combine_over_draws([0.1], [0.01])
    with pytest.raises(ValueError, match="one value per draw"):
        combine_over_draws([0.1, 0.2], [0.01])
    with pytest.raises(ValueError, match="variances >= 0"):
        combine_over_draws([0.1, 0.2], [0.01, -1.0])
