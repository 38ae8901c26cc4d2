"""Counting persons or households into table cells (``np.bincount``, not ``np.add.at``)."""

from __future__ import annotations

import numpy as np


def count_cells(shape: tuple[int, ...], *indices: np.ndarray) -> np.ndarray:
    """Counts of rows per cell of a table of ``shape``; one index array per dimension."""
    flat = np.ravel_multi_index(tuple(np.asarray(i, dtype=np.int64) for i in indices), shape)
    return np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape).astype(np.float64)
