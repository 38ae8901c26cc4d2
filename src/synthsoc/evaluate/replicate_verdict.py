"""The verdict on a simulation outcome over R replicates, by a rule stated beside every verdict.

The rule, in order:

1. **Too few runs**: with fewer than ``min_replicates`` (default 10) replicates the verdict is
   ``insufficient replicates``; mean and interval are still reported.
2. **Spread**: the range of the central 90% of runs (5th to 95th percentile; all runs when
   R < 20). The outcome is ``converging (tight)`` when the spread is at most the tolerance.
3. **Multi-modality**: otherwise Hartigan's dip test of unimodality (Hartigan & Hartigan 1985,
   the ``diptest`` package; p-value from its interpolated null table) decides: p < ``alpha``
   (default 0.05) gives ``diverging (multi-modal)``, with the modes found by splitting the sorted
   runs at gaps wider than the tolerance (or at the widest gap when no gap is that wide);
   p >= ``alpha`` gives ``diverging (wide)``.

The tolerance comes from the scenario (``outcomes:``, absolute, in the outcome's units) or, for an
outcome the scenario does not name, from :func:`default_tolerance`: 5% of the median's magnitude,
at least 0.001. Which of the two applies is part of the stated rule.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from synthsoc.evaluate.convergence import OutcomeMode, bootstrap_interval, find_modes

MIN_REPLICATES = 10
DIP_ALPHA = 0.05
DEFAULT_RELATIVE_TOLERANCE = 0.05
DEFAULT_TOLERANCE_FLOOR = 1e-3
INSUFFICIENT = "insufficient replicates"


@dataclass(frozen=True)
class Tolerance:
    """A tolerance and the rule that chose it."""

    value: float
    rule: str


def scenario_tolerance(value: float) -> Tolerance:
    return Tolerance(float(value), f"scenario tolerance {value:g} (absolute)")


def default_tolerance(values: ArrayLike) -> Tolerance:
    """5% of the median's magnitude, at least 0.001 (for outcomes the scenario does not name)."""
    median = float(np.median(np.asarray(values, dtype=np.float64)))
    value = max(DEFAULT_RELATIVE_TOLERANCE * abs(median), DEFAULT_TOLERANCE_FLOOR)
    return Tolerance(
        value,
        f"default tolerance {value:.3g} = max(5% of |median {median:.3g}|, 0.001)",
    )


@dataclass(frozen=True)
class OutcomeVerdict:
    verdict: str  # "converging" | "diverging" | INSUFFICIENT
    shape: str  # "tight" | "wide" | "multi-modal" | "" (insufficient)
    n_runs: int
    mean: float
    ci_low: float
    ci_high: float
    spread: float
    tolerance: float
    dip: float | None
    dip_p: float | None
    modes: tuple[OutcomeMode, ...]
    rule: str  # the stated rule with this outcome's numbers
    reason: str

    @property
    def label(self) -> str:
        return self.verdict if not self.shape else f"{self.verdict} ({self.shape})"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["label"] = self.label
        return out


def dip_test(values: np.ndarray) -> tuple[float, float]:
    """Hartigan's dip statistic and its p-value; a constant sample is unimodal (dip 0, p 1)."""
    import diptest

    if np.ptp(values) == 0:
        return 0.0, 1.0
    dip, p = diptest.diptest(np.asarray(values, dtype=np.float64))
    return float(dip), float(p)


def judge_outcome(
    values: ArrayLike,
    tolerance: Tolerance,
    *,
    min_replicates: int = MIN_REPLICATES,
    alpha: float = DIP_ALPHA,
    level: float = 0.95,
    seed: int = 0,
) -> OutcomeVerdict:
    """The verdict on one outcome's replicate values (see the module docstring for the rule)."""
    data = np.asarray(values, dtype=np.float64).ravel()
    if data.size == 0 or not np.all(np.isfinite(data)):
        raise ValueError("replicate outcomes must be one or more finite numbers")
    if tolerance.value <= 0:
        raise ValueError(f"tolerance must be positive, got {tolerance.value}")
    n = int(data.size)
    if n < 20:
        spread = float(np.ptp(data))
        spread_rule = "spread = range of all runs (R < 20)"
    else:
        q_low, q_high = np.quantile(data, [0.05, 0.95])
        spread = float(q_high - q_low)
        spread_rule = "spread = 5-95th percentile range"
    ci_low, ci_high = bootstrap_interval(data, level=level, seed=seed)
    base_rule = (
        f"R >= {min_replicates}; {spread_rule} vs {tolerance.rule}; "
        f"multi-modal when Hartigan's dip test p < {alpha:g}"
    )

    def verdict(kind: str, shape: str, reason: str, **extra: Any) -> OutcomeVerdict:
        return OutcomeVerdict(
            verdict=kind,
            shape=shape,
            n_runs=n,
            mean=float(data.mean()),
            ci_low=ci_low,
            ci_high=ci_high,
            spread=spread,
            tolerance=tolerance.value,
            dip=extra.get("dip"),
            dip_p=extra.get("dip_p"),
            modes=extra.get("modes", ()),
            rule=base_rule,
            reason=reason,
        )

    if n < min_replicates:
        return verdict(INSUFFICIENT, "", f"{n} replicates < minimum {min_replicates}")
    dip, p = dip_test(data)
    if spread <= tolerance.value:
        return verdict(
            "converging",
            "tight",
            f"spread {spread:.4g} <= tolerance {tolerance.value:.4g}",
            dip=dip,
            dip_p=p,
            modes=find_modes(data, max(spread, tolerance.value)),
        )
    if p < alpha:
        modes = find_modes(data, tolerance.value)
        if len(modes) < 2:
            sorted_ = np.sort(data)
            widest = float(np.max(np.diff(sorted_)))
            modes = find_modes(data, widest * (1 - 1e-9))
        parts = ", ".join(f"{m.n_runs} of {n} runs near {m.center:.3g}" for m in modes)
        return verdict(
            "diverging",
            "multi-modal",
            f"spread {spread:.4g} > tolerance {tolerance.value:.4g}; dip test p = {p:.3g} "
            f"< {alpha:g}: {parts}",
            dip=dip,
            dip_p=p,
            modes=modes,
        )
    return verdict(
        "diverging",
        "wide",
        f"spread {spread:.4g} > tolerance {tolerance.value:.4g}; dip test p = {p:.3g} "
        f">= {alpha:g} (one broad mode)",
        dip=dip,
        dip_p=p,
        modes=find_modes(data, np.inf if spread == 0 else spread),
    )


def scaled_totals(
    totals: dict[str, np.ndarray],
    scale: float | None,
    region: str | None = None,
    *,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """Totals of the synthetic sample and of the population it stands for, with intervals.

    Each synthetic person stands for ``1 / scale`` residents (the population's manifest), so a
    population total is the sample total divided by ``scale``. The interval is the bootstrap
    interval of the mean over replicates: it covers the randomness of the model, not the
    sampling error of the synthetic population nor the model's assumptions.
    """
    where = "Korea" if region is None else f"region {region}"
    if scale is None:
        where = "population"
    basis = (
        "no scale in the population manifest: sample only"
        if scale is None
        else f"scale {scale:g}: one agent per {1 / scale:,.0f} residents"
    )
    rule = (
        f"{where} = sample / scale ({basis}); interval: {level:.0%} bootstrap interval of the "
        "mean over replicates (model randomness only)"
    )
    out: dict[str, Any] = {"rule": rule, "scaled_to": None if scale is None else where}
    rows: dict[str, Any] = {}
    for name, values in totals.items():
        data = np.asarray(values, dtype=np.float64)
        low, high = bootstrap_interval(data, level=level, seed=seed)
        sample = {"mean": float(data.mean()), "ci_low": low, "ci_high": high}
        entry: dict[str, Any] = {"sample": sample, "population": None}
        if scale is not None:
            entry["population"] = {k: v / scale for k, v in sample.items()}
        rows[name] = entry
    out["totals"] = rows
    return out
