"""Do repeated runs agree? Bootstrap intervals over replicates and a converging/diverging verdict.

A stochastic simulation or survey engine is run R times with different seeds. For a scalar
outcome (an adoption share, a segregation index, an answer share) the verdict is:

* ``converging`` when the replicates agree within ``tolerance``: the spread of the central 90%
  of runs (all runs when R < 20) is at most ``tolerance``;
* ``diverging`` otherwise, either ``wide`` (one mode, broad) or ``multi-modal`` (runs fall into
  separate outcome modes, e.g. "bank run in 62 of 100 runs").

Modes are found by splitting the sorted outcomes wherever two neighbours are more than
``tolerance`` apart; each mode reports its centre and the share of runs in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class OutcomeMode:
    """A cluster of replicate outcomes."""

    center: float
    low: float
    high: float
    n_runs: int
    share: float


@dataclass(frozen=True)
class Verdict:
    """The verdict on one scalar outcome over R replicates."""

    verdict: str  # "converging" | "diverging"
    shape: str  # "tight" | "wide" | "multi-modal"
    n_runs: int
    mean: float
    ci_low: float
    ci_high: float
    spread: float
    tolerance: float
    modes: tuple[OutcomeMode, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def bootstrap_interval(
    values: ArrayLike,
    *,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
    statistic: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` (default: the mean) over ``values``.

    ``statistic`` receives a 2-D array (one resample per row) and returns one value per row.
    """
    data = _as_finite_1d(values)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if data.size == 1:
        return float(data[0]), float(data[0])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, data.size, size=(n_boot, data.size))
    samples = data[idx]
    stats = samples.mean(axis=1) if statistic is None else np.asarray(statistic(samples))
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(stats, [alpha, 1.0 - alpha])
    return float(low), float(high)


def find_modes(values: ArrayLike, gap: float) -> tuple[OutcomeMode, ...]:
    """Split sorted outcomes at gaps wider than ``gap``; one mode per cluster."""
    data = np.sort(_as_finite_1d(values))
    if gap <= 0:
        raise ValueError(f"gap must be positive, got {gap}")
    cuts = np.flatnonzero(np.diff(data) > gap) + 1
    modes = []
    for part in np.split(data, cuts):
        modes.append(
            OutcomeMode(
                center=float(np.median(part)),
                low=float(part[0]),
                high=float(part[-1]),
                n_runs=int(part.size),
                share=float(part.size / data.size),
            )
        )
    return tuple(modes)


def classify_replicates(
    values: ArrayLike, *, tolerance: float, level: float = 0.95, seed: int = 0
) -> Verdict:
    """Classify replicate outcomes as converging or diverging (see the module docstring)."""
    data = _as_finite_1d(values)
    if tolerance <= 0:
        raise ValueError(f"tolerance must be positive, got {tolerance}")
    if data.size < 20:
        spread = float(data.max() - data.min())
    else:
        q_low, q_high = np.quantile(data, [0.05, 0.95])
        spread = float(q_high - q_low)
    modes = find_modes(data, tolerance)
    ci_low, ci_high = bootstrap_interval(data, level=level, seed=seed)
    if spread <= tolerance:
        verdict, shape = "converging", "tight"
        reason = f"central runs span {spread:.4g} <= tolerance {tolerance:.4g}"
    elif len(modes) > 1:
        verdict, shape = "diverging", "multi-modal"
        parts = ", ".join(f"{m.n_runs} of {data.size} runs near {m.center:.3g}" for m in modes)
        reason = f"runs split into {len(modes)} outcome modes: {parts}"
    else:
        verdict, shape = "diverging", "wide"
        reason = f"central runs span {spread:.4g} > tolerance {tolerance:.4g} (one broad mode)"
    return Verdict(
        verdict=verdict,
        shape=shape,
        n_runs=int(data.size),
        mean=float(data.mean()),
        ci_low=ci_low,
        ci_high=ci_high,
        spread=spread,
        tolerance=float(tolerance),
        modes=modes,
        reason=reason,
    )


def _as_finite_1d(values: ArrayLike) -> np.ndarray:
    data = np.asarray(values, dtype=np.float64).ravel()
    if data.size == 0:
        raise ValueError("need at least one replicate outcome")
    if not np.all(np.isfinite(data)):
        raise ValueError("replicate outcomes must be finite numbers")
    return data
