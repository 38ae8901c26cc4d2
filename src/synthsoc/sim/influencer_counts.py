"""How many of each agent's influencers are in a set: ``adj @ member`` without a full product.

The threshold models (polarisation, bank run, public goods, market) each step count, for every
agent, the influencers over some layers who hold a state (support, withdrew, contribute, own).
A sparse matrix-vector product reads every arc each step; while the state is rare (or nearly
universal) most of that work adds zeros. :class:`InfluencerCounts` walks only the out-arcs of
the smaller of the two sets (members or non-members; for the latter it subtracts from the
in-degree), so a step costs arcs x min(share, 1 - share). The counts are integers held
exactly in float32, identical to the sparse product's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np


@numba.njit(cache=True)
def _scatter_counts(
    indptr: np.ndarray, indices: np.ndarray, sources: np.ndarray, n: int
) -> np.ndarray:
    out = np.zeros(n, dtype=np.float32)
    for u in sources:
        for k in range(indptr[u], indptr[u + 1]):
            out[indices[k]] += 1.0
    return out


@dataclass(frozen=True)
class InfluencerCounts:
    """Arcs by source (``indptr``/``indices``: source -> influenced agents, one entry per arc)
    and each agent's number of influencers (``total``, float32)."""

    indptr: np.ndarray
    indices: np.ndarray
    total: np.ndarray

    @classmethod
    def from_arcs(cls, indptr: np.ndarray, indices: np.ndarray) -> InfluencerCounts:
        n = indptr.size - 1
        total = np.bincount(indices, minlength=n).astype(np.float32)
        return cls(indptr=indptr, indices=indices, total=total)

    def degree(self) -> tuple[np.ndarray, np.ndarray]:
        """Each agent's number of influencers (at least 1, safe to divide by) and whether it
        has any, as :func:`synthsoc.sim.world.in_degree` gives for the adjacency matrix."""
        return np.maximum(self.total, np.float32(1.0)), self.total > 0

    def count(self, member: np.ndarray) -> np.ndarray:
        """For every agent, the number of its influencers with ``member`` true (float32)."""
        n = self.total.size
        member = np.asarray(member, dtype=bool)
        if member.size != n:
            raise ValueError(f"member has {member.size} entries for {n} agents")
        k = int(np.count_nonzero(member))
        if 2 * k <= n:
            return _scatter_counts(self.indptr, self.indices, np.flatnonzero(member), n)
        return self.total - _scatter_counts(self.indptr, self.indices, np.flatnonzero(~member), n)
