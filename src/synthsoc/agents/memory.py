"""The memory stream of one agent and retrieval by recency x importance x relevance.

Each memory has a creation time, a last-access time, a kind (observation, conversation, chat,
plan, reflection, ...), a Korean text, an importance (1-10) and an embedding. Retrieval follows
Park et al. (2023): recency = ``decay ** hours since last access``, importance and relevance
(cosine similarity with the query) are each min-max normalised over the stream, and the score is
their weighted sum; the top ``k`` are returned and their last access set to now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from synthsoc.agents.params import RetrievalWeights


@dataclass(frozen=True)
class Memory:
    created: int  # game minutes
    kind: str
    text: str
    importance: float


def _minmax(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-12:
        return np.ones_like(values) if high > 0 else np.zeros_like(values)
    return (values - low) / (high - low)


@dataclass
class MemoryStream:
    """Append-only memories with their embeddings (one row each) and last-access times."""

    dim: int
    memories: list[Memory] = field(default_factory=list)
    last_access: list[int] = field(default_factory=list)
    vectors: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.vectors = np.zeros((0, self.dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self.memories)

    def add(self, memory: Memory, vector: np.ndarray) -> int:
        if vector.shape != (self.dim,):
            raise ValueError(f"memory vector has shape {vector.shape}, expected ({self.dim},)")
        self.memories.append(memory)
        self.last_access.append(memory.created)
        self.vectors = np.vstack([self.vectors, vector.astype(np.float32)[None, :]])
        return len(self.memories) - 1

    def scores(self, query: np.ndarray, now: int, weights: RetrievalWeights) -> np.ndarray:
        """The retrieval score of every memory for ``query`` at game minute ``now``."""
        if not self.memories:
            return np.zeros(0)
        hours = (now - np.asarray(self.last_access, dtype=np.float64)) / 60.0
        recency = weights.decay_per_hour ** np.maximum(hours, 0.0)
        importance = np.array([m.importance for m in self.memories], dtype=np.float64)
        relevance = self.vectors.astype(np.float64) @ query.astype(np.float64)
        return (weights.recency * _minmax(recency) + weights.importance * _minmax(importance)
                + weights.relevance * _minmax(relevance))

    def retrieve(self, query: np.ndarray, now: int, weights: RetrievalWeights,
                 k: int) -> list[Memory]:
        """The ``k`` best memories (ties: the newer first); marks them accessed at ``now``."""
        scores = self.scores(query, now, weights)
        if scores.size == 0:
            return []
        order = np.lexsort((-np.arange(scores.size), -scores))[:k]
        for index in order:
            self.last_access[int(index)] = now
        return [self.memories[int(i)] for i in order]

    def importance_since(self, minute: int) -> float:
        return float(sum(m.importance for m in self.memories if m.created > minute))

    def to_state(self) -> dict[str, Any]:
        return {
            "memories": [[m.created, m.kind, m.text, m.importance] for m in self.memories],
            "last_access": list(self.last_access),
        }

    @classmethod
    def from_state(cls, dim: int, state: dict[str, Any], vectors: np.ndarray) -> MemoryStream:
        stream = cls(dim)
        stream.memories = [Memory(int(c), str(k), str(t), float(i))
                           for c, k, t, i in state["memories"]]
        stream.last_access = [int(x) for x in state["last_access"]]
        if vectors.shape != (len(stream.memories), dim):
            raise ValueError(f"checkpoint vectors have shape {vectors.shape}, expected "
                             f"({len(stream.memories)}, {dim})")
        stream.vectors = vectors.astype(np.float32)
        return stream
