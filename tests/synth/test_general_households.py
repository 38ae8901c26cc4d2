"""The refinement's proposal draw: alias tables against the weights they encode."""

from __future__ import annotations

import numpy as np

from synthsoc.synth.general_households import _alias_tables


def _implied(prob: np.ndarray, alias: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Each candidate's draw probability, computed by hand from one segment's table."""
    n = hi - lo
    out = np.zeros(hi - lo)
    for j in range(lo, hi):
        out[j - lo] += prob[j] / n
        out[alias[j] - lo] += (1.0 - prob[j]) / n
    return out


def test_alias_tables_draw_each_candidate_with_its_weight_share() -> None:
    rng = np.random.default_rng(11)
    weights = rng.uniform(0.0, 3.0, size=(3, 12))
    weights[0, 2] = weights[1, 5:9] = 0.0  # candidates without weight in one area
    weights[2, 9:12] = 0.0  # a whole stratum without weight in area 2
    bounds = np.array([0, 1, 5, 9, 12])
    prob, alias = _alias_tables(weights, bounds)
    for g in range(3):
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            total = weights[g, lo:hi].sum()
            if total == 0:
                assert (alias[g, lo:hi] == -1).all()
                continue
            assert ((alias[g, lo:hi] >= lo) & (alias[g, lo:hi] < hi)).all()
            np.testing.assert_allclose(_implied(prob[g], alias[g], lo, hi),
                                       weights[g, lo:hi] / total, atol=1e-12)
            # Zero weight is never drawn: not kept, and no slot aliases to it.
            empty = np.flatnonzero(weights[g, lo:hi] == 0) + lo
            assert (prob[g, empty] == 0).all() and not np.isin(alias[g, lo:hi], empty).any()
