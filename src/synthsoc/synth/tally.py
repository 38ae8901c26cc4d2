"""Counting persons or households into table cells (``np.bincount``, not ``np.add.at``)."""

from __future__ import annotations

import numba
import numpy as np


def count_cells(shape: tuple[int, ...], *indices: np.ndarray) -> np.ndarray:
    """Counts of rows per cell of a table of ``shape``; one index array per dimension."""
    flat = np.ravel_multi_index(tuple(np.asarray(i, dtype=np.int64) for i in indices), shape)
    return np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape).astype(np.float64)


def count_values(values: np.ndarray, n: int) -> np.ndarray:
    """``np.bincount(values, minlength=n)`` for values in ``[0, n)``, without the 64-bit copy
    numpy makes of narrower values (400 MB over 51 million persons)."""
    if values.size and (int(values.min()) < 0 or int(values.max()) >= n):
        raise ValueError(f"count_values: values must lie in [0, {n})")
    return _count_values(values, n)


@numba.njit(cache=True, nogil=True)
def _count_values(values: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=np.int64)
    for i in range(values.size):
        out[values[i]] += 1
    return out
