# ruff: noqa: NPY002
# (numba kernels draw from numba's own generator, seeded from the replicate's Generator)
"""Contagion rules on a CSR graph, compiled with numba: independent cascade, linear threshold and
complex contagion, one synchronous step at a time.

An arc ``u -> v`` carries a base probability / weight and a layer id; each step the caller passes a
multiplier per layer (event calendars raise or lower layers for the days they cover). State is
``activated_at`` per node (-1 while inactive); the *frontier* holds the nodes activated in the
previous step, the only ones that act in the next step (each arc is tried once in the cascade).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

RULES: tuple[str, ...] = ("independent_cascade", "linear_threshold", "complex_contagion")


@numba.njit(cache=True, inline="always")
def _pushed(out: np.ndarray, n_out: int, v: int) -> np.ndarray:
    """``out`` with ``v`` at position ``n_out``, doubled first when it is full."""
    if n_out == out.size:
        grown = np.empty(out.size * 2, dtype=np.int64)
        grown[:n_out] = out[:n_out]
        out = grown
    out[n_out] = v
    return out


@numba.njit(cache=True)
def seed_numba(seed: int) -> None:
    """Seed numba's own generator (used inside the kernels) for this process."""
    np.random.seed(seed)


@numba.njit(cache=True)
def _ic_step(
    indptr: np.ndarray,
    indices: np.ndarray,
    arc_weight: np.ndarray,
    arc_layer: np.ndarray,
    layer_mult: np.ndarray,
    sender: np.ndarray,
    receiver: np.ndarray,
    receiver_max: float,
    activated_at: np.ndarray,
    frontier: np.ndarray,
    step: int,
) -> np.ndarray:
    """One independent-cascade step: arc ``u -> v`` fires with probability
    ``weight x layer multiplier x sender[u] x receiver[v]`` when ``v`` is inactive.

    One uniform draw per arc is compared first with the bound ``... x max(receiver)``, so the
    target's state and receptivity (random memory accesses) are read only for the few arcs
    that may fire; the firing probability is unchanged.
    """
    out = np.empty(64, dtype=np.int64)
    n_out = 0
    for k in range(frontier.size):
        u = frontier[k]
        su = sender[u] * receiver_max
        for e in range(indptr[u], indptr[u + 1]):
            bound = arc_weight[e] * layer_mult[arc_layer[e]] * su
            r = np.random.random()
            if r >= bound:
                continue
            v = indices[e]
            if activated_at[v] >= 0 or r >= bound * (receiver[v] / receiver_max):
                continue
            activated_at[v] = step
            out = _pushed(out, n_out, v)
            n_out += 1
    return out[:n_out]


@numba.njit(cache=True)
def _threshold_step(
    indptr: np.ndarray,
    indices: np.ndarray,
    arc_weight: np.ndarray,
    arc_layer: np.ndarray,
    layer_mult: np.ndarray,
    linear: bool,
    threshold: np.ndarray,
    pressure: np.ndarray,
    activated_at: np.ndarray,
    frontier: np.ndarray,
    step: int,
) -> np.ndarray:
    """One linear-threshold (``linear``: pressure adds the arc's weight) or complex-contagion
    (pressure adds the layer's multiplier per active contact) step."""
    out = np.empty(64, dtype=np.int64)
    n_out = 0
    for k in range(frontier.size):
        u = frontier[k]
        for e in range(indptr[u], indptr[u + 1]):
            v = indices[e]
            if activated_at[v] >= 0:
                continue
            m = layer_mult[arc_layer[e]]
            pressure[v] += arc_weight[e] * m if linear else m
            if pressure[v] >= threshold[v]:
                activated_at[v] = step
                out = _pushed(out, n_out, v)
                n_out += 1
    return out[:n_out]


@dataclass
class Contagion:
    """A contagion on a fixed graph; :meth:`step` advances one synchronous step."""

    indptr: np.ndarray
    indices: np.ndarray
    arc_weight: np.ndarray  # float32 per arc: probability (IC) or influence weight (LT)
    arc_layer: np.ndarray  # uint8 per arc
    rule: str = "independent_cascade"
    sender: np.ndarray | None = None  # float32 per node, scales IC probabilities of its arcs
    receiver: np.ndarray | None = None  # float32 per node, scales IC probabilities into it
    threshold: np.ndarray | None = None  # LT: weight needed; complex: active contacts needed
    # (complex contagion counts each active contact times the day's multiplier of its layer)

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"rule: unknown contagion rule {self.rule!r}; choose one of {RULES}")
        n = self.indptr.size - 1
        ones = np.ones(n, dtype=np.float32)
        self.sender = ones if self.sender is None else self.sender.astype(np.float32)
        self.receiver = ones if self.receiver is None else self.receiver.astype(np.float32)
        if self.rule != "independent_cascade" and self.threshold is None:
            raise ValueError(f"rule {self.rule!r} needs a threshold per node")
        self.threshold = (
            np.zeros(n, dtype=np.float64)
            if self.threshold is None
            else self.threshold.astype(np.float64)
        )
        self.activated_at = np.full(n, -1, dtype=np.int32)
        self.pressure = np.zeros(n, dtype=np.float64)
        self.frontier = np.empty(0, dtype=np.int64)
        self._rule_id = RULES.index(self.rule)
        if self.receiver.size and float(self.receiver.min()) < 0.0:
            raise ValueError("receiver: receptivity must not be negative")
        self._receiver_max = max(float(self.receiver.max()) if self.receiver.size else 1.0, 1e-30)

    def start(self, seeds: np.ndarray, step: int = 0) -> None:
        seeds = np.unique(np.asarray(seeds, dtype=np.int64))
        fresh = seeds[self.activated_at[seeds] < 0]
        self.activated_at[fresh] = step
        self.frontier = np.concatenate([self.frontier, fresh])

    def step(self, step: int, layer_mult: np.ndarray | None = None) -> np.ndarray:
        """Advance one step; returns the nodes activated in it."""
        mult = np.ones(256, dtype=np.float64)
        if layer_mult is not None:
            mult[: layer_mult.size] = layer_mult
        assert self.sender is not None and self.receiver is not None and self.threshold is not None
        if self._rule_id == 0:
            new = _ic_step(
                self.indptr,
                self.indices,
                self.arc_weight,
                self.arc_layer,
                mult,
                self.sender,
                self.receiver,
                self._receiver_max,
                self.activated_at,
                self.frontier,
                step,
            )
        else:
            new = _threshold_step(
                self.indptr,
                self.indices,
                self.arc_weight,
                self.arc_layer,
                mult,
                self._rule_id == 1,
                self.threshold,
                self.pressure,
                self.activated_at,
                self.frontier,
                step,
            )
        self.frontier = new
        return new

    @property
    def n_active(self) -> int:
        return int(np.count_nonzero(self.activated_at >= 0))

    def run(self, max_steps: int) -> int:
        """Step until nothing changes or ``max_steps``; returns the number of active nodes."""
        for t in range(1, max_steps + 1):
            if self.frontier.size == 0:
                break
            self.step(t)
        return self.n_active


def linear_threshold_weights(
    indptr: np.ndarray, indices: np.ndarray, arc_base: np.ndarray
) -> np.ndarray:
    """Arc weights for the linear-threshold rule: each node's incoming weights sum to one."""
    incoming = np.bincount(indices, weights=arc_base, minlength=indptr.size - 1)
    return (arc_base / np.maximum(incoming[indices], 1e-12)).astype(np.float32)


@numba.njit(cache=True)
def _ic_sizes(
    indptr: np.ndarray, indices: np.ndarray, prob: float, seeds: np.ndarray, out: np.ndarray
) -> None:
    """Final sizes of independent cascades, one from each seed node, uniform probability."""
    n = indptr.size - 1
    mark = np.full(n, -1, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    for r in range(seeds.size):
        top = 0
        stack[top] = seeds[r]
        top += 1
        mark[seeds[r]] = r
        size = 1
        while top > 0:
            top -= 1
            u = stack[top]
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if mark[v] != r and np.random.random() < prob:
                    mark[v] = r
                    stack[top] = v
                    top += 1
                    size += 1
        out[r] = size


def cascade_sizes(
    indptr: np.ndarray, indices: np.ndarray, prob: float, seeds: np.ndarray
) -> np.ndarray:
    """Sizes of many single-seed independent cascades (a cascade-size distribution)."""
    out = np.zeros(seeds.size, dtype=np.int64)
    _ic_sizes(indptr, indices, float(prob), np.asarray(seeds, dtype=np.int64), out)
    return out
