"""Combining an estimate computed on each of K posterior populations (law of total variance).

For an estimate ``q_k`` with the engine's own variance ``u_k`` on draw ``k`` of the population,
the total variance is E[Var(q | population)] + Var(E[q | population]), estimated as Rubin's
rules for multiple imputation do:

    W = mean(u_k)                    the engine's own (within-draw) variance
    B = sample variance of q_k       the population's (between-draw) variance, ddof = 1
    T = W + (1 + 1/K) B              total; (1 + 1/K) counts the finite number of draws

The interval is ``mean(q) +- t_nu sqrt(T)`` with Rubin's degrees of freedom
``nu = (K - 1) (1 + W / ((1 + 1/K) B))**2`` (normal when B = 0). The population's share of the
uncertainty is ``(1 + 1/K) B / T``. Survey and simulation layers both use this one function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t


@dataclass(frozen=True)
class CombinedEstimate:
    """An estimate over K population draws with its variance split by source."""

    estimate: float
    within: float  # the engine's own variance, averaged over draws
    between: float  # the variance across population draws
    total: float
    population_share: float  # (1 + 1/K) between / total
    low: float
    high: float
    draws: int
    dof: float  # inf when the draws agree


def combine_over_draws(estimates: Sequence[float] | np.ndarray,
                       within_variances: Sequence[float] | np.ndarray,
                       level: float = 0.95) -> CombinedEstimate:
    """Rubin's combination of K per-draw estimates and their engine variances."""
    q = np.asarray(estimates, dtype=np.float64)
    u = np.asarray(within_variances, dtype=np.float64)
    if q.ndim != 1 or q.shape != u.shape:
        raise ValueError(f"estimates {q.shape} and within_variances {u.shape}: one value per "
                         "draw in each")
    if q.size < 2:
        raise ValueError(f"{q.size} draw(s): combining population uncertainty needs at least 2")
    if not (np.isfinite(q).all() and np.isfinite(u).all()) or (u < 0).any():
        raise ValueError("estimates and within_variances must be finite; variances >= 0")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level {level}: use 0 < level < 1")
    k = q.size
    within = float(u.mean())
    between = float(q.var(ddof=1))
    extra = (1.0 + 1.0 / k) * between
    total = within + extra
    if extra > 0:
        dof = (k - 1) * (1.0 + within / extra) ** 2
        crit = float(student_t.ppf(0.5 + level / 2.0, dof))
    else:
        dof = float("inf")
        crit = float(norm.ppf(0.5 + level / 2.0))
    half = crit * np.sqrt(total)
    mean = float(q.mean())
    return CombinedEstimate(
        estimate=mean, within=within, between=between, total=total,
        population_share=extra / total if total > 0 else 0.0,
        low=mean - half, high=mean + half, draws=k, dof=float(dof))
