"""Published empirical regularities, checked on a scenario's replicates, with a chart each.

A scenario names its check (``regularity: {check: bass, steps_per_year: 12}``); the published
figures and the bands we accept come from ``sim/data/regularities.csv`` (each row cites its
source and states the rule that set the band). Every check returns, per statistic, the median
over replicates, the 5-95% range of replicates, the band and whether the median lies in it.

* ``bass``: the adoption curve of each replicate is fitted by the Bass (1969) model
  ``F(t) = m (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})`` (least squares, time in years), and
  p and q are compared with Sultan, Farley & Lehmann (1990);
* ``cascades``: the sizes of single-seed cascades: the share of size 1 and of 100 or more
  (Goel et al. 2016);
* ``public_goods``: the last-round contribution without and with punishment (Fehr & Gaechter
  2000);
* ``early_warning``: Kendall tau of rolling variance and autocorrelation before a tipping point
  (Scheffer et al. 2009);
* ``money``: the fundamental equilibrium of Kiyotaki & Wright's model A (good 0 as money);
* ``feed``: the reach of a high-engagement (negative) message among users with an
  engagement-ranked feed over those with a chronological one (Huszar et al. 2022);
* ``rumour``: the reach of a correction over the reach of the rumour it corrects: below 1
  (false news reaches more people than true news) but not vanishingly small (Vosoughi, Roy &
  Aral 2018);
* ``launch``: a product launch's price path (every good's price falls over its first year, by
  no more than the published two-year decline of a smartphone's retail price, Strategy
  Analytics 2012) and the calendar's spending spike in the sales series (sales in the event's
  steps over the three steps on each side, against the event's own spending multiplier, which
  the Chuseok preset takes from KB Kookmin Card's Chuseok 2024 figure).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import numpy as np

from synthsoc.sim.params import param
from synthsoc.sim.world import RunOutput

CHECKS: tuple[str, ...] = (
    "bass", "cascades", "public_goods", "early_warning", "feed", "money", "launch", "rumour"
)


@dataclass(frozen=True, kw_only=True)
class RegularitySpec:
    check: Literal[
        "bass", "cascades", "public_goods", "early_warning", "feed", "money", "launch", "rumour"
    ] = param(doc="which regularity to check")
    steps_per_year: float = param(12.0, low=1e-6, doc="bass, launch: model steps per year")
    message: str = param("negative", doc="feed: the message whose amplification is measured")
    false_message: str = param("rumour", doc="rumour: the false message")
    true_message: str = param("correction", doc="rumour: the true message that corrects it")


def reference() -> list[dict[str, str]]:
    """The rows of ``sim/data/regularities.csv``."""
    text = resources.files("synthsoc.sim").joinpath("data/regularities.csv").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def bass_curve(t: np.ndarray, p: float, q: float, m: float) -> np.ndarray:
    e = np.exp(-(p + q) * t)
    return np.asarray(m * (1.0 - e) / (1.0 + (q / p) * e))


def fit_bass(adopted: np.ndarray, steps_per_year: float) -> tuple[float, float, float]:
    """Least-squares Bass coefficients ``(p, q, m)`` per year for a cumulative adoption share."""
    from scipy.optimize import curve_fit

    y = np.asarray(adopted, dtype=np.float64)
    t = np.arange(y.size) / steps_per_year
    (p, q, m), _ = curve_fit(
        bass_curve,
        t,
        y,
        p0=(0.03, 0.4, max(float(y[-1]), 1e-3)),
        bounds=([1e-6, 1e-6, 1e-6], [5.0, 20.0, 1.0]),
        maxfev=20000,
    )
    return float(p), float(q), float(m)


def spike_ratio(sales: np.ndarray, multiplier: np.ndarray, around: int = 3) -> float:
    """Mean sales in the steps whose spending multiplier is not 1, over the mean of the
    ``around`` steps on each side of each such run of steps (excluding step 0, before sales);
    NaN when the run has no such step or no sales around it."""
    event = np.flatnonzero(multiplier != 1.0)
    if event.size == 0:
        return float("nan")
    near = np.zeros(sales.size, dtype=bool)
    for t in event:
        near[max(t - around, 1) : t + around + 1] = True
    near[event] = False
    base = float(sales[near].mean()) if near.any() else float("nan")
    return float(sales[event].mean() / base) if base > 0 else float("nan")


def _launch_statistics(check: RegularitySpec, o: RunOutput) -> tuple[float, float]:
    """The largest yearly price change over the goods, and the spike ratio over the multiplier."""
    changes = []
    for key, price in o.series.items():
        if key.startswith("price_"):
            years = (price.size - 1) / check.steps_per_year
            changes.append(float((price[-1] / price[0]) ** (1.0 / years) - 1.0))
    multiplier = o.series["spending_multiplier"]
    stated = float(multiplier[multiplier != 1.0].mean()) if np.any(multiplier != 1.0) else 1.0
    return max(changes), spike_ratio(o.series["sales_any"], multiplier) / stated


def _statistics(check: RegularitySpec, outputs: list[RunOutput]) -> dict[str, np.ndarray]:
    if check.check == "launch":
        stats = np.array([_launch_statistics(check, o) for o in outputs])
        return {
            "price_change_per_year_largest": stats[:, 0],
            "event_sales_ratio_over_stated": stats[:, 1],
        }
    if check.check == "bass":
        fits = np.array([fit_bass(o.series["adoption_any"], check.steps_per_year) for o in outputs])
        return {"innovation_p_per_year": fits[:, 0], "imitation_q_per_year": fits[:, 1]}
    if check.check == "cascades":
        sizes = [o.distributions["cascade_size"] for o in outputs]
        return {
            "share_size_one": np.array([np.mean(s == 1) for s in sizes]),
            "share_size_100_plus": np.array([np.mean(s >= 100) for s in sizes]),
        }
    if check.check == "rumour":
        for name in (check.false_message, check.true_message):
            if f"reach_{name}" not in outputs[0].outcomes:
                raise ValueError(
                    f"regularity rumour: no message {name!r} in this run (false_message and "
                    "true_message must name two of the scenario's messages)"
                )
        return {
            "correction_over_rumour_reach": np.array(
                [
                    o.outcomes[f"reach_{check.true_message}"]
                    / max(o.outcomes[f"reach_{check.false_message}"], 1e-12)
                    for o in outputs
                ]
            )
        }
    if check.check == "feed":
        m = check.message
        return {
            "amplification_ratio": np.array(
                [
                    o.outcomes[f"reach_{m}_engagement"]
                    / max(o.outcomes[f"reach_{m}_chronological"], 1e-12)
                    for o in outputs
                ]
            )
        }
    if check.check == "money":
        return {
            name: np.array([o.outcomes[name] for o in outputs])
            for name in ("type1_accepts_good0", "good0_share_of_indirect_trades",
                         "type0_accepts_good2")
        }
    if check.check == "early_warning":
        return {
            name: np.array([o.outcomes[name] for o in outputs])
            for name in ("tau_variance", "tau_autocorrelation")
        }
    return {
        "contribution_last_round_without_punishment": np.array(
            [o.outcomes["contribution_last_no_punishment"] for o in outputs]
        ),
        "contribution_last_round_with_punishment": np.array(
            [o.outcomes["contribution_last_punishment"] for o in outputs]
        ),
    }


def check_regularity(check: RegularitySpec, outputs: list[RunOutput]) -> list[dict[str, Any]]:
    """The check's statistics over replicates against the published bands."""
    stats = _statistics(check, outputs)
    rows = []
    for ref in reference():
        if ref["regularity"] != check.check:
            continue
        values = stats[ref["statistic"]]
        finite = values[np.isfinite(values)]
        median = float(np.median(finite)) if finite.size else float("nan")
        low, high = float(ref["low"]), float(ref["high"])
        rows.append(
            {
                "regularity": check.check,
                "statistic": ref["statistic"],
                "median": median,
                "runs_5_95": (
                    [float(np.quantile(finite, 0.05)), float(np.quantile(finite, 0.95))]
                    if finite.size
                    else [float("nan"), float("nan")]
                ),
                "values": values.tolist(),
                "published": float(ref["published"]) if ref["published"] else None,
                "band": [low, high],
                "band_rule": ref["band_rule"],
                "within": bool(low <= median <= high),
                "source": ref["source"],
                "note": (
                    f"not measurable in {values.size - finite.size} of {values.size} runs "
                    "(e.g. no spending event within the steps run)"
                    if finite.size < values.size
                    else ""
                ),
            }
        )
    return rows


def regularity_chart(
    check: RegularitySpec, outputs: list[RunOutput], rows: list[dict[str, Any]], title: str
) -> Any:
    """A chart of the regularity: the fitted Bass curve, the cascade-size CCDF or the two arms
    of the public-goods game, with the verdict against the published band in the title."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    verdict = "; ".join(
        f"{r['statistic']} {r['median']:.3g} {'in' if r['within'] else 'OUTSIDE'} "
        f"[{r['band'][0]:g}, {r['band'][1]:g}] ("
        + ("published: rising" if r["published"] is None else f"published {r['published']:g}")
        + ")"
        for r in rows
    )
    fig, ax = plt.subplots(figsize=(7, 4.5))
    if check.check == "bass":
        series = np.stack([o.series["adoption_any"] for o in outputs])
        t = np.arange(series.shape[1]) / check.steps_per_year
        median = np.median(series, axis=0)
        ax.plot(t, median, label="simulated adoption (median of runs)")
        p, q, m = fit_bass(median, check.steps_per_year)
        ax.plot(t, bass_curve(t, p, q, m), "--", label=f"Bass fit p={p:.3f}, q={q:.3f}")
        ax.set_xlabel("years")
        ax.set_ylabel("share adopted")
    elif check.check == "cascades":
        sizes = np.concatenate([o.distributions["cascade_size"] for o in outputs])
        values, counts = np.unique(sizes, return_counts=True)
        ccdf = 1.0 - np.concatenate([[0.0], np.cumsum(counts)[:-1]]) / counts.sum()
        ax.loglog(values, ccdf, "o", ms=3, label="simulated single-seed cascades")
        ax.set_xlabel("cascade size")
        ax.set_ylabel("share of cascades at least this size")
    elif check.check == "feed":
        arms = ("chronological", "engagement")
        for msg in sorted({k.rsplit("_", 1)[0][6:] for k in outputs[0].outcomes
                           if k.startswith("reach_") and k.endswith("_engagement")}):
            reach = [np.median([o.outcomes[f"reach_{msg}_{a}"] for o in outputs]) for a in arms]
            ax.plot(arms, reach, "o-", label=msg)
        ax.set_ylabel("share of SNS users reached (median of runs)")
        ax.set_xlabel("feed ranking (random half of users each)")
    elif check.check == "rumour":
        for name in (check.false_message, check.true_message):
            series = np.stack([o.series[f"reach_{name}"] for o in outputs])
            ax.plot(np.median(series, axis=0), label=f"{name}: share who saw it (median of runs)")
        ax.set_xlabel("step")
        ax.set_ylabel("share of the population reached")
    elif check.check == "launch":
        step_axis = np.arange(outputs[0].steps)
        for key in outputs[0].series:
            if key.startswith("price_"):
                series = np.stack([o.series[key] for o in outputs])
                relative = np.median(series, axis=0) / series[0, 0]
                ax.plot(step_axis, relative, label=key + " / launch price")
        ax.set_ylabel("price relative to launch (median of runs)")
        twin = ax.twinx()
        sales = np.stack([o.series["sales_any"] for o in outputs])
        twin.plot(step_axis, np.median(sales, axis=0), "k:", label="units sold per step (median)")
        for step in np.flatnonzero(outputs[0].series["spending_multiplier"] != 1.0):
            twin.axvline(float(step), color="r", alpha=0.3)
        twin.set_ylabel("units sold per step (red: spending event)")
        twin.legend(fontsize=7, loc="center right")
        ax.set_xlabel("step")
    elif check.check == "money":
        for key in outputs[0].series:
            if "_accepts_" in key:
                series = np.stack([o.series[key] for o in outputs])
                ax.plot(np.median(series, axis=0), label=key.replace("_", " "))
        ax.set_xlabel("step")
        ax.set_ylabel("share accepting indirect trade (median of runs)")
        ax.set_ylim(0, 1)
    elif check.check == "early_warning":
        series = np.stack([o.series["support"] for o in outputs])
        ax.plot(np.median(series, axis=0), label="support (median of runs)")
        twin = ax.twinx()
        first = outputs[0]
        twin.plot(first.series["warning_autocorrelation"], "g:", label="lag-1 autocorrelation")
        var = first.series["warning_variance"]
        scale = np.nanmax(var) if np.isfinite(var).any() else 1.0
        twin.plot(var / scale, "r:", label="variance (scaled)")
        twin.set_ylabel("early-warning indicators (replicate 1)")
        twin.legend(fontsize=7, loc="center right")
        ax.set_xlabel("step")
        ax.set_ylabel("share supporting")
    else:
        for arm in ("no_punishment", "punishment"):
            series = np.stack([o.series[f"contribution_{arm}"] for o in outputs])
            ax.plot(np.arange(1, series.shape[1] + 1), np.median(series, axis=0), "o-",
                    label=arm.replace("_", " "))
        ax.set_xlabel("round")
        ax.set_ylabel("contribution (share of endowment)")
        ax.set_ylim(0, 1)
    ax.legend(fontsize=7)
    import textwrap

    ax.set_title(f"{title}\n" + textwrap.fill(verdict, 95), fontsize=7)
    return fig
