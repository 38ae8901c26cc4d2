"""Segment groups that no data measured, and the extra width their intervals carry.

A segment row is *modelled* (basis ``modelled``, 0 respondents) when nothing in the answer
model's data speaks for its group:

* **microdata**: the segment names an attribute the data lack entirely (``region`` when the
  model is fitted on KGSS, whose seven areas are not provinces; districts with any national
  survey); every group of that segment is modelled (:func:`absent_segments`);
* **published tables**: the group is not, for at least :data:`COVERED_MIN` of its persons, made
  of whole published groups of one table (``60-69`` when the table publishes ``60 and over``;
  ``sex`` when there is no table by sex; any ``age_group*region`` cross fitted from one-way
  tables) (:func:`table_uncovered`).

The model has no term for such a group, so its draws (posterior or refitted-table draws) vary
only through the other attributes: pooled tightness, not knowledge. The interval therefore adds
the group's own unknown effect: for every draw of the group's shares, an effect
delta_k ~ N(0, sd^2) per answer on the log scale, shares = softmax(log p + delta)
(:func:`widen_draws`). ``sd`` is :data:`PRIOR_SD` = 1, the prior of a main effect in the
multilevel logit (:mod:`synthsoc.survey.multilevel`), which is also what a level of a known
attribute with no respondent gets there: an attribute the data lack is treated as an attribute
all of whose levels are unsurveyed. With that prior a binary share of 0.3 has a 95% interval of
about 0.03-0.87, wider than any measured group of 30 or more respondents. The point estimate
stays the pooled one; only the interval widens. Segments the data do measure (and ``all``) are
untouched.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

PRIOR_SD = 1.0  # logit-scale sd of a group effect nothing measured (the model's main-effect prior)
COVERED_MIN = 0.95  # share of a group's persons inside whole published groups to count as covered

# segment -> the groups no data measured (None: every group of the segment)
Uncovered = dict[str, frozenset[str] | None]


def absent_segments(segments: Sequence[str], features: Sequence[str]) -> Uncovered:
    """Segments with an attribute (or a part of a cross) the microdata do not have."""
    have = set(features)
    return {s: None for s in segments if not all(p in have for p in s.split("*"))}


def segment_key(frame: pl.DataFrame, segment: str) -> np.ndarray:
    """Each row's group label of ``segment`` (parts of a cross joined by ``*``), as strings."""
    parts = segment.split("*")
    key = pl.concat_str([pl.col(p).cast(pl.Utf8) for p in parts], separator="*")
    return np.asarray(frame.select(key.fill_null("None")).to_series().to_numpy(), dtype=str)


def table_uncovered(
    frame: pl.DataFrame, segments: Sequence[str], groups: Sequence[np.ndarray]
) -> Uncovered:
    """Segment groups the published tables do not cover.

    ``frame`` has one row per person with the segment attributes; ``groups`` holds, per used
    table, each person's published group (-1: in none). A published group is *inside* a segment
    group when all its persons belong to that segment group; a segment group is covered when at
    least :data:`COVERED_MIN` of its persons are in published groups inside it, for some table.
    """
    out: Uncovered = {}
    for segment in segments:
        labels, code = np.unique(segment_key(frame, segment), return_inverse=True)
        size = np.bincount(code, minlength=labels.size).astype(np.float64)
        best = np.zeros(labels.size)
        for group in groups:
            ok = group >= 0
            if not ok.any():
                continue
            n_groups = int(group.max()) + 1
            lowest = np.full(n_groups, labels.size, dtype=np.int64)
            highest = np.full(n_groups, -1, dtype=np.int64)
            np.minimum.at(lowest, group[ok], code[ok])
            np.maximum.at(highest, group[ok], code[ok])
            pure = lowest == highest  # every person of the published group in one segment group
            inside = np.zeros(code.size, dtype=bool)
            inside[ok] = pure[group[ok]]
            covered = np.bincount(code[inside], minlength=labels.size)
            best = np.maximum(best, covered / np.maximum(size, 1.0))
        missing = frozenset(str(label) for label in labels[best < COVERED_MIN])
        if missing:
            out[segment] = missing
    return out


def is_uncovered(uncovered: Uncovered | None, segment: str, group: str) -> bool:
    if uncovered is None or segment not in uncovered:
        return False
    groups = uncovered[segment]
    return groups is None or group in groups


def widen_draws(
    shares: np.ndarray,
    rng: np.random.Generator,
    *,
    sd: float = PRIOR_SD,
    n_out: int = 1000,
    independent: bool = False,
) -> np.ndarray:
    """Draws (n_out, K) of a modelled group's shares with its own unknown effect added.

    ``shares`` (B, K): the model's draws of the group's shares (cycled to ``n_out`` draws).
    Each draw gets delta_k ~ N(0, sd^2) per answer: shares = softmax(log p + delta). With
    ``independent`` (multiple choice: each column its own yes/no share) each column is a
    two-answer softmax, i.e. its log-odds move by N(0, 2 sd^2).
    """
    shares = np.asarray(shares, dtype=np.float64)
    n_out = max(n_out, shares.shape[0])
    base = np.clip(shares[np.arange(n_out) % shares.shape[0]], 1e-12, 1.0 - 1e-12)
    if independent:
        shift = rng.normal(0.0, sd * np.sqrt(2.0), base.shape)
        return np.asarray(1.0 / (1.0 + np.exp(-(np.log(base / (1.0 - base)) + shift))))
    eta = np.log(base) + rng.normal(0.0, sd, base.shape)
    eta -= eta.max(axis=1, keepdims=True)
    e = np.exp(eta)
    return np.asarray(e / e.sum(axis=1, keepdims=True))
