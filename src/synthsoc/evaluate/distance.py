"""Distances between answer distributions: TVD, KL divergence and ordinal Wasserstein.

All functions take probability vectors over the same answer options (last axis) and broadcast
over leading axes, so a whole table of segments is compared in one call. Inputs are normalised
to sum to one; a row that sums to zero is an error.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

DECISION_GRADE_TVD = 0.15


def _normalise(p: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(p, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name}: need at least one answer option")
    if np.any(arr < 0) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: shares must be finite and non-negative")
    total = arr.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError(f"{name}: a distribution sums to zero")
    return np.asarray(arr / total)


def tvd(p: ArrayLike, q: ArrayLike) -> np.ndarray | float:
    """Total variation distance: half the L1 distance, in [0, 1]."""
    a, b = _normalise(p, "p"), _normalise(q, "q")
    out = 0.5 * np.abs(a - b).sum(axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def kl_divergence(p: ArrayLike, q: ArrayLike, *, epsilon: float = 1e-6) -> np.ndarray | float:
    """KL(p || q) in nats; ``q`` is smoothed by ``epsilon`` so an unseen answer stays finite."""
    a, b = _normalise(p, "p"), _normalise(q, "q")
    b = (b + epsilon) / (1.0 + epsilon * b.shape[-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(a > 0, a * np.log(a / b), 0.0)
    out = terms.sum(axis=-1)
    return float(out) if np.ndim(out) == 0 else out


def wasserstein_ordinal(
    p: ArrayLike, q: ArrayLike, *, normalise: bool = True
) -> np.ndarray | float:
    """Earth mover's distance between ordinal answers one step apart.

    Equals the summed absolute difference of the cumulative shares. With ``normalise`` it is
    divided by the number of steps (K - 1), so 1 means all mass moved from one end to the other.
    """
    a, b = _normalise(p, "p"), _normalise(q, "q")
    out = np.abs(np.cumsum(a - b, axis=-1))[..., :-1].sum(axis=-1)
    steps = a.shape[-1] - 1
    if normalise and steps > 0:
        out = out / steps
    return float(out) if np.ndim(out) == 0 else out
