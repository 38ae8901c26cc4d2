"""Response-style checks for ordinal answers: drift to the midpoint and collapsing variance.

Language-model respondents tend to avoid extreme answers (TinyTroupe's own validation found it).
For an ordinal question with K categories scored 1..K:

* ``midpoint_share``: share of answers in the middle category (the two middle ones for even K);
* ``variance_ratio``: variance of the scores relative to ``reference`` (real answers, when
  known) or else to a uniform spread over the scale, (K^2 - 1) / 12;
* ``top_share``: the largest single category's share.

Flags: ``midpoint_drift`` when the midpoint share exceeds the reference's by 0.15 (or, without
a reference, exceeds 0.5); ``variance_collapse`` when the variance ratio is below 0.5;
``single_answer`` when one category takes 90% or more.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MIDPOINT_EXCESS = 0.15
MIDPOINT_ABSOLUTE = 0.5
VARIANCE_RATIO_FLOOR = 0.5
SINGLE_ANSWER_SHARE = 0.9


def _moments(shares: np.ndarray) -> tuple[float, float, float]:
    k = shares.size
    scores = np.arange(1, k + 1, dtype=np.float64)
    mean = float(shares @ scores)
    var = float(shares @ (scores - mean) ** 2)
    mid = [k // 2] if k % 2 else [k // 2 - 1, k // 2]
    return mean, var, float(shares[mid].sum())


def response_style(
    probs: np.ndarray, weights: np.ndarray, reference: np.ndarray | None = None
) -> dict[str, Any]:
    """Diagnostics of unit answer probabilities (n, K) against an optional reference (K,)."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.shape[0] == 0:
        return {"n_units": 0}
    w = np.asarray(weights, dtype=np.float64)
    shares = (w[:, None] * probs).sum(axis=0) / w.sum()
    k = shares.size
    mean, var, midpoint = _moments(shares)
    if reference is not None:
        ref = np.asarray(reference, dtype=np.float64) / np.sum(reference)
        _, ref_var, ref_mid = _moments(ref)
        variance_ratio = var / ref_var if ref_var > 0 else float("inf")
        drift = midpoint > ref_mid + MIDPOINT_EXCESS
        basis = "reference"
    else:
        ref_mid = None
        variance_ratio = var / ((k * k - 1) / 12.0) if k > 1 else 1.0
        drift = midpoint > MIDPOINT_ABSOLUTE
        basis = "uniform scale"
    top = float(shares.max())
    return {
        "n_units": int(probs.shape[0]),
        "shares": shares.round(4).tolist(),
        "mean_score": round(mean, 4),
        "variance": round(var, 4),
        "variance_ratio": round(float(variance_ratio), 4),
        "variance_basis": basis,
        "midpoint_share": round(midpoint, 4),
        "reference_midpoint_share": None if ref_mid is None else round(ref_mid, 4),
        "top_share": round(top, 4),
        "midpoint_drift": bool(drift),
        "variance_collapse": bool(variance_ratio < VARIANCE_RATIO_FLOOR),
        "single_answer": bool(top >= SINGLE_ANSWER_SHARE),
    }
