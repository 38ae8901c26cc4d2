"""How many real respondents stand behind each segment row, and whether it is measured.

For every segment value the answer model was fitted on, ``n_respondents`` counts the survey
respondents in that group and ``n_effective`` is Kish's effective sample size after weighting,
(sum w)^2 / sum w^2. The row's ``basis`` says where its estimate comes from:

* ``measured``: at least :data:`MEASURED_MIN_EFFECTIVE` effective respondents of its own;
* ``thin``: some respondents, fewer than that; the estimate leans on other groups (pooled);
* ``modelled``: no respondent at all; the estimate is pooled from other cells, and its
  interval carries the prior's spread;
* ``assumed``: published tables, whose sample sizes are not known (``--table-n`` is assumed);
* ``llm``: answered by personas, not by real respondents.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

MEASURED_MIN_EFFECTIVE = 30.0
ALL = "all"

Support = dict[str, dict[str, tuple[int, float]]]


def kish_effective_n(weights: np.ndarray) -> float:
    """(sum w)^2 / sum w^2; equals the count for equal weights."""
    w = np.asarray(weights, dtype=np.float64)
    if w.size == 0:
        return 0.0
    return float(w.sum() ** 2 / np.sum(w**2))


def respondent_support(
    frame: pl.DataFrame, segments: Sequence[str], weights: np.ndarray | None = None
) -> Support:
    """Respondents and effective n per segment value, for segments whose columns ``frame`` has."""
    w = np.ones(frame.height) if weights is None else np.asarray(weights, dtype=np.float64)
    out: Support = {ALL: {ALL: (frame.height, kish_effective_n(w))}}
    for segment in segments:
        parts = segment.split("*")
        if not all(p in frame.columns for p in parts):
            out[segment] = {}
            continue
        key = frame.select(
            pl.concat_str([pl.col(p).cast(pl.Utf8) for p in parts], separator="*")
        ).to_series()
        labels, index = np.unique(key.to_numpy().astype(str), return_inverse=True)
        counts = np.bincount(index, minlength=labels.size)
        sums = np.bincount(index, w, labels.size)
        squares = np.bincount(index, w**2, labels.size)
        out[segment] = {
            str(label): (int(n), float(s * s / q) if q > 0 else 0.0)
            for label, n, s, q in zip(labels, counts, sums, squares, strict=True)
        }
    return out


def basis_of(n_respondents: int, n_effective: float) -> str:
    """``measured`` / ``thin`` / ``modelled`` for a group with real respondents behind it."""
    if n_respondents == 0:
        return "modelled"
    return "measured" if n_effective >= MEASURED_MIN_EFFECTIVE else "thin"
