"""Influencer counts against scipy's sparse matrix-vector product on the same world."""

from __future__ import annotations

import numpy as np
import pytest

from synthsoc.sim import World
from synthsoc.sim.influencer_counts import InfluencerCounts
from synthsoc.sim.world import in_degree

LAYERS = ("household", "work", "neighbourhood", "online")


@pytest.mark.parametrize("share", [0.0, 0.01, 0.3, 0.5, 0.51, 0.9, 1.0])
def test_counts_equal_the_sparse_product(world: World, share: float) -> None:
    """Sparse and dense member sets (the two code paths) give the product's values exactly."""
    counts = world.influencer_counts(LAYERS)
    adj = world.adjacency(LAYERS)
    member = np.random.default_rng(3).random(world.agents.n) < share
    expected = np.asarray(adj @ member.astype(np.float32)).ravel()
    got = counts.count(member)
    assert got.dtype == np.float32
    assert np.array_equal(got, expected)
    degree, has_nb = counts.degree()
    want_degree, want_has = in_degree(adj)
    assert np.array_equal(degree, want_degree) and np.array_equal(has_nb, want_has)


def test_counts_by_hand() -> None:
    # arcs 0->1, 0->2, 1->2, 2->0, 2->0 (a repeated arc counts twice, as in the product)
    counts = InfluencerCounts.from_arcs(np.array([0, 2, 3, 5]), np.array([1, 2, 2, 0, 0]))
    assert counts.count(np.array([True, False, False])).tolist() == [0, 1, 1]
    assert counts.count(np.array([True, True, True])).tolist() == [2, 1, 2]
    assert counts.count(np.array([False, True, True])).tolist() == [2, 0, 1]
    with pytest.raises(ValueError, match="2 entries for 3 agents"):
        counts.count(np.array([True, False]))
