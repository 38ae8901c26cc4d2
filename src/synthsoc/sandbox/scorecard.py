"""The scorecard: each metric per segment, with percentile bootstrap intervals over personas.

A metric is a per-persona value (0/1 pass or a 0-10 rating) in the results table; personas to
whom it does not apply (null) are left out and counted. Rows are sorted worst segment first
within each (assistant, metric, segment kind). Segments with fewer than
:data:`MIN_PERSONAS_FOR_INTERVAL` personas carry a note instead of a trustworthy interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from synthsoc.evaluate.convergence import bootstrap_interval
from synthsoc.sandbox.segments import SEGMENTS

MIN_PERSONAS_FOR_INTERVAL = 5


def share_interval(values: np.ndarray, *, level: float = 0.95, n_boot: int = 2000,
                   seed: int = 0) -> tuple[float, float]:
    """The percentile bootstrap interval of the mean of 0/1 ``values``, drawn in O(n_boot).

    Resampling n values with replacement from 0/1 data gives a count of ones distributed
    Binomial(n, observed share), so the resampled means are drawn from that directly; this is
    the same bootstrap as :func:`synthsoc.evaluate.convergence.bootstrap_interval` (tested
    against it) without building an n_boot x n array, which matters for tens of thousands.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0 or not np.isin(data, (0.0, 1.0)).all():
        raise ValueError("share_interval: needs a non-empty array of 0/1 values")
    rng = np.random.default_rng(seed)
    means = rng.binomial(data.size, data.mean(), size=n_boot) / data.size
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return float(low), float(high)


@dataclass(frozen=True)
class Metric:
    column: str
    scale: str  # "share" (0-1) or "rating" (0-10)
    definition: str


METRICS: tuple[Metric, ...] = (
    Metric("speech_level", "share",
           "share of personas to whom every assistant sentence the register classifier can "
           "place is 해요체 or 하십시오체 (never 반말/해라체 to a stranger; no placeable Korean "
           "sentence fails)"),
    Metric("dialect_understanding", "share",
           "among dialect speakers whose request carries a dialect ending and whose standard-"
           "Korean version of the same request was served, share whose dialect version was "
           "served too (same intent-word rule)"),
    Metric("age_fit", "share",
           "share of personas whose every answer passes the age rules: from 60, mean sentence "
           "<= 60 characters and <= 5% loanwords; from 70 or with low digital habits, no app/"
           "website advice without an offline alternative"),
    Metric("socio_fit", "share",
           "among personas who stated a budget or household size, share with no amount above "
           "the budget and no other household size in any answer"),
    Metric("task_success", "share",
           "share of personas whose last answer contains one of the scenario's intent words"),
    Metric("satisfaction", "rating",
           "the simulated user's own 0-10 rating (rules in sandbox.user.Reactions)"),
    Metric("judge_task_success", "share",
           "with --judge: share of personas whose last answer the LLM judge says serves the "
           "first request (personas without a valid verdict left out)"),
    Metric("judge_satisfaction", "rating",
           "with --judge: the LLM judge's 0-10 satisfaction for the same pair"),
)


def scorecard(results: pl.DataFrame, *, seed: int = 0, level: float = 0.95,
              n_boot: int = 2000, metrics: tuple[Metric, ...] = METRICS) -> pl.DataFrame:
    """One row per assistant x metric x segment value (plus an ``all`` row per metric)."""
    rows: list[dict[str, object]] = []
    for assistant in results["assistant"].unique(maintain_order=True).to_list():
        mine = results.filter(pl.col("assistant") == assistant)
        for metric in metrics:
            if metric.column not in mine.columns:
                continue
            for segment in ("all", *SEGMENTS):
                groups = [("all", mine)] if segment == "all" else [
                    (str(key[0]), frame) for key, frame in
                    mine.group_by(segment, maintain_order=True)]
                for value, frame in groups:
                    values = frame[metric.column].drop_nulls().to_numpy().astype(float)
                    n_na = frame.height - len(values)
                    row: dict[str, object] = {
                        "assistant": assistant, "metric": metric.column, "segment": segment,
                        "value": value, "n": len(values), "n_not_applicable": n_na,
                        "mean": None, "ci_low": None, "ci_high": None, "note": ""}
                    if len(values) == 0:
                        row["note"] = "metric applies to no persona in this segment"
                    else:
                        low, high = bootstrap_interval(values, level=level, n_boot=n_boot,
                                                       seed=seed)
                        row.update(mean=float(values.mean()), ci_low=low, ci_high=high)
                        if len(values) < MIN_PERSONAS_FOR_INTERVAL:
                            row["note"] = f"only {len(values)} persona(s): interval unreliable"
                    rows.append(row)
    frame = pl.DataFrame(rows, schema_overrides={"mean": pl.Float64, "ci_low": pl.Float64,
                                                 "ci_high": pl.Float64})
    order = {m.column: i for i, m in enumerate(metrics)}
    seg_order = {s: i for i, s in enumerate(("all", *SEGMENTS))}
    return frame.with_columns(
        pl.col("metric").replace_strict(order, return_dtype=pl.Int32).alias("_m"),
        pl.col("segment").replace_strict(seg_order, return_dtype=pl.Int32).alias("_s"),
    ).sort(["assistant", "_m", "_s", "mean", "value"], nulls_last=True).drop(
        "_m", "_s")


def _fmt(row: dict[str, object], scale: str) -> str:
    if row["mean"] is None:
        return "n/a"
    digits = 2 if scale == "share" else 1
    mean, low, high = (float(row[k]) for k in ("mean", "ci_low", "ci_high"))  # type: ignore[arg-type]
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def scorecard_markdown(card: pl.DataFrame, metrics: tuple[Metric, ...] = METRICS) -> str:
    """Side-by-side overall table, then each assistant's segments, worst first."""
    present = set(card["metric"].unique().to_list())
    metrics = tuple(m for m in metrics if m.column in present)
    scale = {m.column: m.scale for m in metrics}
    assistants = card["assistant"].unique(maintain_order=True).to_list()
    lines = ["# Sandbox scorecard", "",
             "Mean over personas [95% percentile bootstrap interval]; n = personas the metric "
             "applies to. Shares are 0-1, satisfaction 0-10.", "",
             "| metric | " + " | ".join(assistants) + " |",
             "|---|" + "---|" * len(assistants)]
    overall = card.filter(pl.col("segment") == "all")
    for metric in metrics:
        cells = []
        for assistant in assistants:
            hit = overall.filter((pl.col("assistant") == assistant)
                                 & (pl.col("metric") == metric.column)).to_dicts()
            cells.append(f"{_fmt(hit[0], metric.scale)} (n={hit[0]['n']})" if hit else "-")
        lines.append(f"| {metric.column} | " + " | ".join(cells) + " |")
    lines += ["", "## Definitions", ""]
    lines += [f"- **{m.column}**: {m.definition}." for m in metrics]
    for assistant in assistants:
        lines += ["", f"## {assistant}: segments, worst first", "",
                  "| metric | segment | value | mean [95% CI] | n | not applicable | note |",
                  "|---|---|---|---|---|---|---|"]
        for row in card.filter((pl.col("assistant") == assistant)
                               & (pl.col("segment") != "all")).to_dicts():
            lines.append(f"| {row['metric']} | {row['segment']} | {row['value']} | "
                         f"{_fmt(row, scale[str(row['metric'])])} | {row['n']} | "
                         f"{row['n_not_applicable']} | {row['note']} |")
    return "\n".join(lines) + "\n"
