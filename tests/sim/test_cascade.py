"""Contagion rules against exact results on small fixed graphs."""

from __future__ import annotations

import itertools

import numpy as np

from synthsoc.sim.cascade import Contagion, cascade_sizes, seed_numba
from synthsoc.sim.network import csr_from_edges

# a small directed graph with a cycle, a shortcut and a dead end; arc probabilities differ
ARCS = [(0, 1, 0.5), (0, 2, 0.3), (1, 2, 0.4), (2, 3, 0.6), (1, 3, 0.2), (3, 4, 0.7), (4, 1, 0.5)]
N = 5


def _graph() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    src = np.array([a for a, _, _ in ARCS])
    dst = np.array([b for _, b, _ in ARCS])
    g = csr_from_edges(src, dst, N, symmetric=False)
    prob = {(a, b): p for a, b, p in ARCS}
    arc_src = np.repeat(np.arange(N), g.degree())
    weight = np.array([prob[(int(a), int(b))] for a, b in zip(arc_src, g.indices, strict=True)])
    return g.indptr, g.indices, weight.astype(np.float32)


def _exact_activation(seed: int) -> np.ndarray:
    """P(node active) by enumerating all live-edge graphs (IC equals reachability on them)."""
    prob = np.zeros(N)
    for live in itertools.product([False, True], repeat=len(ARCS)):
        weight = 1.0
        adj: dict[int, list[int]] = {}
        for (a, b, p), on in zip(ARCS, live, strict=True):
            weight *= p if on else 1 - p
            if on:
                adj.setdefault(a, []).append(b)
        seen = {seed}
        stack = [seed]
        while stack:
            for v in adj.get(stack.pop(), []):
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
        for v in seen:
            prob[v] += weight
    return prob


def test_independent_cascade_matches_exact_enumeration() -> None:
    indptr, indices, weight = _graph()
    layer = np.zeros(indices.size, dtype=np.uint8)
    seed_numba(123)
    runs = 20000
    hits = np.zeros(N)
    for _ in range(runs):
        c = Contagion(indptr, indices, weight, layer)
        c.start(np.array([0]))
        c.run(max_steps=10)
        hits += c.activated_at >= 0
    estimate = hits / runs
    exact = _exact_activation(0)
    se = np.sqrt(exact * (1 - exact) / runs) + 1e-9
    assert np.all(np.abs(estimate - exact) <= 4 * se), (estimate, exact)


def test_cascade_sizes_mean_matches_exact_expected_size() -> None:
    indptr, indices, _ = _graph()
    # uniform probability 0.4 on every arc
    global ARCS
    saved = ARCS
    ARCS = [(a, b, 0.4) for a, b, _ in saved]
    try:
        exact = _exact_activation(0).sum()
    finally:
        ARCS = saved
    seed_numba(7)
    sizes = cascade_sizes(indptr, indices, 0.4, np.zeros(40000, dtype=np.int64))
    assert abs(sizes.mean() - exact) < 4 * sizes.std() / np.sqrt(sizes.size)


def test_layer_multiplier_switches_a_layer_off() -> None:
    g = csr_from_edges(np.array([0, 1]), np.array([1, 2]), 3, symmetric=False)
    layer = np.array([0, 1], dtype=np.uint8)  # arc 0->1 in layer 0, 1->2 in layer 1
    c = Contagion(g.indptr, g.indices, np.ones(2, dtype=np.float32), layer)
    c.start(np.array([0]))
    c.step(1, np.array([1.0, 0.0]))
    c.step(2, np.array([1.0, 0.0]))
    assert list(c.activated_at) == [0, 1, -1]


def test_linear_threshold_and_complex_contagion_are_deterministic_thresholds() -> None:
    # star: 0,1,2 all point to 3; node 3 needs two active contacts (complex) or weight 0.6 (LT)
    g = csr_from_edges(np.array([0, 1, 2]), np.array([3, 3, 3]), 4, symmetric=False)
    layer = np.zeros(3, dtype=np.uint8)
    w = np.full(3, 1 / 3, dtype=np.float32)
    for rule, threshold in (("complex_contagion", 2.0), ("linear_threshold", 0.6)):
        one = Contagion(g.indptr, g.indices, w, layer, rule=rule, threshold=np.full(4, threshold))
        one.start(np.array([0]))
        one.run(5)
        two = Contagion(g.indptr, g.indices, w, layer, rule=rule, threshold=np.full(4, threshold))
        two.start(np.array([0, 1]))
        two.run(5)
        assert one.activated_at[3] == -1 and two.activated_at[3] == 1, rule
