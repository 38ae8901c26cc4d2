"""Schelling's model: the tipping behaviour and the district geography."""

from __future__ import annotations

import numpy as np

from synthsoc.sim import World, builtin_scenarios
from synthsoc.sim.schelling import Schelling, dissimilarity, district_sites, grid_sites


def _final_like_share(tolerance: float, seeds: int = 3) -> float:
    indptr, indices = grid_sites(30, 30)
    values = []
    for s in range(seeds):
        rng = np.random.default_rng(s)
        group = (rng.random(810) < 0.5).astype(np.int8)  # density 0.9, two equal groups
        model = Schelling(indptr, indices, group, tolerance, rng)
        for _ in range(40):
            model.step()
        values.append(model.like_share())
    return float(np.mean(values))


def test_segregation_rises_sharply_past_a_tolerance_threshold() -> None:
    low = _final_like_share(0.1)
    below = _final_like_share(0.25)
    above = _final_like_share(0.375)
    high = _final_like_share(0.6)
    assert low < 0.55  # mild preferences barely change a random mix (about one half)
    assert below < 0.62
    assert above > 0.72  # past about 3 like neighbours in 8 the city tips into segregation
    assert above - below > 0.12  # the rise is a jump, not a drift
    assert high > above


def test_torus_kernel_equals_the_neighbour_list_kernel() -> None:
    indptr, indices = grid_sites(12, 9)
    group = (np.random.default_rng(0).random(90) < 0.5).astype(np.int8)
    # numba's generator is per process: run one model fully, then the other from the same seed
    a = Schelling(indptr, indices, group, 0.5, np.random.default_rng(4))
    moves_a = [a.step() for _ in range(5)]
    b = Schelling(indptr, indices, group, 0.5, np.random.default_rng(4), torus=(12, 9))
    moves_b = [b.step() for _ in range(5)]
    assert moves_a == moves_b and moves_a[0] > 0
    assert np.array_equal(a.position, b.position)


def test_grid_and_district_sites() -> None:
    indptr, indices = grid_sites(5, 4)
    assert indptr.size == 21 and np.all(np.diff(indptr) == 8)
    assert set(indices[indptr[0] : indptr[1]].tolist()) == {1, 4, 5, 6, 9, 15, 16, 19}
    ip, ix, district = district_sites(np.array([3, 0, 7]), vacancy=0.2)
    assert np.bincount(district).tolist() == [4, 0, 9]
    src = np.repeat(np.arange(district.size), np.diff(ip))
    assert np.all(district[src] == district[ix])  # neighbours stay inside their district
    assert np.all(np.diff(ip) <= 8)


def test_dissimilarity_index_extremes() -> None:
    district = np.array([0, 0, 1, 1])
    assert dissimilarity(np.array([1, 1, 0, 0]), district, 2) == 1.0
    assert dissimilarity(np.array([1, 0, 1, 0]), district, 2) == 0.0


def test_schelling_on_real_districts_raises_segregation(world: World) -> None:
    scenario = builtin_scenarios()["schelling_income"].with_overrides(steps=8)
    scenario.prepare(world)
    out = scenario.run(world, np.random.default_rng(0))
    assert out.series["like_share"][-1] > out.series["like_share"][0] + 0.1
    assert out.series["moved"][-1] < out.series["moved"][1]
