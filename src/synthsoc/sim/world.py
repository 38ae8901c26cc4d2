"""What every model shares (agents, network, regions) and what one replicate returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from synthsoc.persona.describe import describe_person
from synthsoc.sim.agents import AGE_BAND_LABELS, Agents
from synthsoc.sim.influencer_counts import InfluencerCounts
from synthsoc.sim.network import MultilayerNetwork


@dataclass
class World:
    """Read-only inputs of a simulation; derived structures are built once and memoised, before
    replicates fork, so worker processes share them."""

    agents: Agents
    network: MultilayerNetwork
    regions: pl.DataFrame | None = None
    profiles: pl.DataFrame | None = None  # row i describes agent i (see describe())
    scale: float | None = None  # synthetic persons per resident (population manifest)
    region: str | None = None  # the population's region code, None for all of Korea
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def describe(self, i: int) -> str:
        """The shared Korean description of agent ``i`` (:mod:`synthsoc.persona.describe`)."""
        if self.profiles is None:
            raise ValueError("this world has no person profiles to describe agents with")
        return describe_person(self.profiles.row(int(i), named=True))

    def derived(self, key: str, build: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def adjacency(self, layers: tuple[str, ...]) -> sp.csr_matrix:
        """Sparse matrix ``A[v, u] = 1`` when ``u`` influences ``v`` over the chosen layers."""

        def build() -> sp.csr_matrix:
            indptr, indices, _ = self.network.spread_graph(layers)
            n = self.network.n
            mat = sp.csr_matrix(
                (np.ones(indices.size, dtype=np.float32), indices, indptr), shape=(n, n)
            )
            # spread_graph rows are sources; transpose so rows are the influenced agents
            return mat.T.tocsr()

        return self.derived("adj:" + ",".join(layers), build)

    def influencer_counts(self, layers: tuple[str, ...]) -> InfluencerCounts:
        """Counts of influencers in a set over the chosen layers, equal to
        ``adjacency(layers) @ member`` (see :mod:`synthsoc.sim.influencer_counts`)."""

        def build() -> InfluencerCounts:
            indptr, indices, _ = self.network.spread_graph(layers)
            return InfluencerCounts.from_arcs(indptr, indices)

        return self.derived("counts:" + ",".join(layers), build)

    def segment(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """The default reporting segment: age band."""
        return self.agents.age_band.astype(np.int64), AGE_BAND_LABELS


@dataclass
class RunOutput:
    """One replicate's results."""

    steps: int
    series: dict[str, np.ndarray] = field(default_factory=dict)  # metric -> value per step
    segment_series: dict[str, np.ndarray] = field(default_factory=dict)  # metric -> (steps, k)
    segment_labels: tuple[str, ...] = ()
    outcomes: dict[str, float] = field(default_factory=dict)
    # counts and sums over the synthetic sample (persons, billion KRW), scaled to Korea on output
    totals: dict[str, float] = field(default_factory=dict)
    distributions: dict[str, np.ndarray] = field(default_factory=dict)
    district: dict[str, np.ndarray] = field(default_factory=dict)  # metric -> value per si-gun-gu
    # per-agent values a caller in a later layer asked for (never written to the run folder)
    agent_values: dict[str, np.ndarray] = field(default_factory=dict)
    llm_calls: int = 0
    step_labels: list[str] = field(default_factory=list)  # events active at each step


def in_degree(adj: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Each agent's number of influencers over ``adj`` (at least 1, safe to divide by) and
    whether it has any (agents without one fall back to a model's public signal)."""
    degree = np.asarray(adj.sum(axis=1)).ravel()
    return np.maximum(degree, 1.0), degree > 0


def segment_shares(flag: np.ndarray, segment: np.ndarray, k: int) -> np.ndarray:
    """Share of each segment where ``flag`` holds."""
    total = np.bincount(segment, minlength=k)
    hit = np.bincount(segment, weights=flag.astype(np.float64), minlength=k)
    return np.divide(hit, total, out=np.full(k, np.nan), where=total > 0)


def district_shares(flag: np.ndarray, agents: Agents) -> np.ndarray:
    return segment_shares(flag, agents.sigungu.astype(np.int64), agents.sigungu_codes.size)
