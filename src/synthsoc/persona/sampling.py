"""Vectorised random draws shared by the attribute modules."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from synthsoc.persona.params import SOFTMAX_TEMPERATURE, ByAge

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def choose_rows(probs: FloatArray, rng: np.random.Generator) -> IntArray:
    """One category index per row of ``probs`` (rows need not be normalised)."""
    cumulative = np.cumsum(probs, axis=1)
    total = cumulative[:, -1:]
    u = rng.random((probs.shape[0], 1)) * total
    picked = (u >= cumulative).sum(axis=1)
    return np.minimum(picked, probs.shape[1] - 1).astype(np.int64)


def band_index(ages: npt.NDArray[np.integer], bands: tuple[int, ...]) -> IntArray:
    return (np.searchsorted(np.asarray(bands), ages, side="right") - 1).astype(np.int64)


def probs_by_age(dist: ByAge, ages: npt.NDArray[np.integer]) -> FloatArray:
    table = np.asarray(dist.probs, dtype=np.float64)
    return table[band_index(ages, dist.bands)]


def draw_by_age(dist: ByAge, ages: npt.NDArray[np.integer], rng: np.random.Generator) -> IntArray:
    """Category index drawn from the age band's distribution, for every person."""
    return choose_rows(probs_by_age(dist, ages), rng)


def softmax_choice(
    weights: Mapping[str, Mapping[str, float]],
    scores: Mapping[str, FloatArray],
    rng: np.random.Generator,
) -> IntArray:
    """Pick one option per person with probability softmax(sum of weight x score)."""
    n = len(next(iter(scores.values())))
    logits = np.zeros((n, len(weights)))
    for j, option in enumerate(weights.values()):
        for name, weight in option.items():
            logits[:, j] += weight * scores[name]
    logits /= SOFTMAX_TEMPERATURE
    logits -= logits.max(axis=1, keepdims=True)
    return choose_rows(np.exp(logits), rng)


def times(mean: FloatArray, sd: float | FloatArray,
          rng: np.random.Generator) -> npt.NDArray[np.int16]:
    """Clock times in minutes: normal around ``mean`` with spread ``sd`` (one value or one
    per person), rounded to 5 minutes; -1 stays -1."""
    drawn = np.round((mean + rng.normal(0.0, sd, mean.shape)) / 5.0) * 5.0
    return np.where(mean < 0, -1, drawn).astype(np.int16)
