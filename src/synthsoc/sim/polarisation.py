"""Opinion tipping with early-warning indicators: the backsliding scenario.

Each agent either supports an anti-democratic course (norm erosion) or not. Each step a share
``update_rate`` revise their stance, supporting with probability
``logistic(conformity x (2 x supporting share of contacts - 1) + pressure_t + bias_i)``: social
conformity over their contacts (a binary-choice model with social interactions, Brock & Durlauf
2001), a slowly rising public pressure (elite cues, from ``pressure_start`` to
``pressure_end`` over the run) and a personal bias from the persona's conservation value
(``conservation_weight`` per z unit; conservation values relate to support for authoritarian
leaders, a modelling assumption). With conformity above 2 the system is bistable, so as the
pressure rises support tips abruptly from low to high.

Before such a critical transition, resilience falls and the aggregate recovers ever more slowly
from random shocks ("critical slowing down", Scheffer et al. 2009, Nature 461:53-59): the
variance and the lag-1 autocorrelation of the detrended support share rise. The run reports
both indicators in a rolling window and their Kendall rank correlation with time over the steps
before the transition (the method of Dakos et al. 2012, PLoS ONE 7:e41010).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthsoc.sim.delegate import DecisionHook
from synthsoc.sim.events import Calendar
from synthsoc.sim.network import LAYERS
from synthsoc.sim.params import param
from synthsoc.sim.world import RunOutput, World, district_shares, segment_shares

OPINION_LAYERS = ("household", "work", "neighbourhood", "online")


@dataclass(frozen=True, kw_only=True)
class PolarisationParams:
    min_age: int = param(18, low=0, high=120, doc="youngest agent with a stance")
    initial: float = param(0.05, low=0.0, high=1.0, doc="initial supporting share")
    conformity: float = param(4.0, low=0.0, high=20.0, doc="weight of contacts' stance")
    pressure_start: float = param(-3.0, low=-20.0, high=20.0, doc="public pressure at step 0")
    pressure_end: float = param(0.0, low=-20.0, high=20.0, doc="public pressure at the end")
    conservation_weight: float = param(
        0.3, low=0.0, high=5.0, doc="bias per z unit of the persona's conservation value"
    )
    update_rate: float = param(0.2, low=0.0, high=1.0, doc="share who revise each step")
    window: int = param(
        40, low=5, doc="steps in the rolling window of the early-warning indicators"
    )
    layers: tuple[str, ...] = param(OPINION_LAYERS, choices=LAYERS, doc="contact layers")


def prepare_polarisation(world: World, params: PolarisationParams) -> None:
    world.influencer_counts(params.layers)


def transition_step(series: np.ndarray) -> int:
    """The step of the steepest rise of the series (smoothed over 5 steps)."""
    smooth = np.convolve(series, np.ones(5) / 5.0, mode="valid")  # smooth[i]: steps i..i+4
    return int(np.argmax(np.diff(smooth))) + 3


def early_warning(series: np.ndarray, until: int, window: int) -> dict[str, np.ndarray | float]:
    """Rolling variance and lag-1 autocorrelation of the residuals of ``series[:until]`` around
    a moving average of ``window`` steps, and each indicator's Kendall tau with time."""
    from scipy.stats import kendalltau

    x = np.asarray(series[:until], dtype=np.float64)
    n = x.size
    var = np.full(series.size, np.nan)
    ar1 = np.full(series.size, np.nan)
    if n < 2 * window:
        return {"variance": var, "autocorrelation": ar1, "tau_variance": np.nan,
                "tau_autocorrelation": np.nan}
    trend = np.convolve(x, np.ones(window) / window, mode="same")
    resid = x - trend
    half = window // 2
    for end in range(window + half, n - half + 1):
        r = resid[end - window : end]
        var[end - 1] = float(np.var(r))
        a, b = r[:-1] - r[:-1].mean(), r[1:] - r[1:].mean()
        denom = float(np.sqrt((a * a).sum() * (b * b).sum()))
        ar1[end - 1] = float((a * b).sum() / denom) if denom > 0 else np.nan
    ok = np.isfinite(var) & np.isfinite(ar1)
    steps = np.flatnonzero(ok)
    if steps.size < 5:
        return {"variance": var, "autocorrelation": ar1, "tau_variance": np.nan,
                "tau_autocorrelation": np.nan}
    tau_v = float(kendalltau(steps, var[ok]).statistic)
    tau_a = float(kendalltau(steps, ar1[ok]).statistic)
    return {"variance": var, "autocorrelation": ar1, "tau_variance": tau_v,
            "tau_autocorrelation": tau_a}


def run_polarisation(
    world: World,
    params: PolarisationParams,
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
) -> RunOutput:
    agents = world.agents
    counts = world.influencer_counts(params.layers)
    degree, has_nb = counts.degree()
    adult = agents.age >= params.min_age
    bias = params.conservation_weight * agents.conservation.astype(np.float64)
    support = adult & (rng.random(agents.n) < params.initial)
    pressure = np.linspace(params.pressure_start, params.pressure_end, steps)
    segment, seg_labels = world.segment()
    out = RunOutput(steps=steps, segment_labels=seg_labels)
    share = np.zeros(steps)
    seg = np.zeros((steps, len(seg_labels)))
    n_adult = max(int(adult.sum()), 1)
    for t in range(steps):
        if t > 0:
            local = counts.count(support) / degree
            # without contacts an agent conforms to the national share
            local = np.where(has_nb, local, share[t - 1])
            field = params.conformity * (2.0 * local - 1.0) + pressure[t] + bias
            prob = 1.0 / (1.0 + np.exp(-field))
            revise = adult & (rng.random(agents.n) < params.update_rate)
            support = np.where(revise, rng.random(agents.n) < prob, support) & adult
        share[t] = np.count_nonzero(support) / n_adult
        seg[t] = segment_shares(support, segment, len(seg_labels))
        out.step_labels.append(calendar.labels(t))
    tip = transition_step(share)
    if tip < 2 * params.window + 5:
        raise ValueError(
            f"polarisation: the transition at step {tip} leaves fewer than 2 x window "
            f"({params.window}) steps before it; use a smaller window, more steps or a lower "
            "pressure_start"
        )
    ews = early_warning(share, tip, params.window)
    out.series["support"] = share
    out.series["pressure"] = pressure
    out.series["warning_variance"] = np.asarray(ews["variance"])
    out.series["warning_autocorrelation"] = np.asarray(ews["autocorrelation"])
    out.segment_series["support"] = seg
    out.outcomes["support_final"] = float(share[-1])
    out.outcomes["transition_at"] = tip / max(steps - 1, 1)
    out.outcomes["tau_variance"] = float(ews["tau_variance"])
    out.outcomes["tau_autocorrelation"] = float(ews["tau_autocorrelation"])
    out.district["support"] = district_shares(support, agents)
    out.totals["supporters"] = float(np.count_nonzero(support))
    return out
