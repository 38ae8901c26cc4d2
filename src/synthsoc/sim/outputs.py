"""Run outputs: time series and outcomes in Parquet, a summary JSON and charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synthsoc.atomic import write_json, write_parquet
from synthsoc.sim.maps import district_map
from synthsoc.sim.world import RunOutput

TIMESERIES_FILE = "timeseries.parquet"
OUTCOMES_FILE = "outcomes.parquet"
DISTRIBUTIONS_FILE = "distributions.parquet"
DISTRICTS_FILE = "districts.parquet"
SUMMARY_FILE = "summary.json"


def timeseries_frame(outputs: list[RunOutput]) -> pl.DataFrame:
    """Long frame: replicate, step, metric, segment ('all' or a segment label), value."""
    parts = []
    for r, out in enumerate(outputs):
        for metric, values in out.series.items():
            parts.append(
                pl.DataFrame(
                    {
                        "replicate": np.full(values.size, r, dtype=np.int32),
                        "step": np.arange(values.size, dtype=np.int32),
                        "metric": [metric] * values.size,
                        "segment": ["all"] * values.size,
                        "value": values.astype(np.float64),
                    }
                )
            )
        for metric, table in out.segment_series.items():
            steps, k = table.shape
            parts.append(
                pl.DataFrame(
                    {
                        "replicate": np.full(steps * k, r, dtype=np.int32),
                        "step": np.repeat(np.arange(steps, dtype=np.int32), k),
                        "metric": [metric] * (steps * k),
                        "segment": list(out.segment_labels) * steps,
                        "value": table.ravel().astype(np.float64),
                    }
                )
            )
    return pl.concat(parts) if parts else pl.DataFrame()


def outcomes_frame(outputs: list[RunOutput]) -> pl.DataFrame:
    rows = [
        {"replicate": r, "outcome": k, "value": float(v)}
        for r, out in enumerate(outputs)
        for k, v in out.outcomes.items()
    ]
    return pl.DataFrame(
        rows, schema={"replicate": pl.Int32, "outcome": pl.Utf8, "value": pl.Float64}
    )


def outcome_values(outputs: list[RunOutput]) -> dict[str, np.ndarray]:
    names = list(outputs[0].outcomes)
    return {k: np.array([o.outcomes[k] for o in outputs], dtype=np.float64) for k in names}


def districts_frame(
    outputs: list[RunOutput], sigungu_codes: np.ndarray, agents_per_district: np.ndarray
) -> pl.DataFrame:
    """Mean over replicates of each district metric, per si-gun-gu, with its agent count."""
    if not outputs[0].district:
        return pl.DataFrame()
    cols: dict[str, Any] = {
        "sigungu_code": sigungu_codes.astype(str),
        "agents": np.asarray(agents_per_district, dtype=np.int64),
    }
    for metric in outputs[0].district:
        stack = np.stack([o.district[metric] for o in outputs])
        with np.errstate(all="ignore"):
            cols[metric] = np.nanmean(stack, axis=0) if np.isfinite(stack).any() else stack[0]
    return pl.DataFrame(cols)


def distributions_frame(outputs: list[RunOutput]) -> pl.DataFrame:
    parts = []
    for r, out in enumerate(outputs):
        for name, values in out.distributions.items():
            parts.append(
                pl.DataFrame(
                    {
                        "replicate": np.full(values.size, r, dtype=np.int32),
                        "distribution": [name] * values.size,
                        "value": values.astype(np.float64),
                    }
                )
            )
    return pl.concat(parts) if parts else pl.DataFrame()


def write_tables(
    folder: Path,
    outputs: list[RunOutput],
    sigungu_codes: np.ndarray,
    agents_per_district: np.ndarray,
) -> dict[str, pl.DataFrame]:
    tables = {
        TIMESERIES_FILE: timeseries_frame(outputs),
        OUTCOMES_FILE: outcomes_frame(outputs),
        DISTRIBUTIONS_FILE: distributions_frame(outputs),
        DISTRICTS_FILE: districts_frame(outputs, sigungu_codes, agents_per_district),
    }
    for name, frame in tables.items():
        if frame.height:
            write_parquet(folder / name, frame)
    return tables


def write_summary(folder: Path, summary: dict[str, Any]) -> None:
    write_json(folder / SUMMARY_FILE, _jsonable(summary))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if np.isfinite(f) else None
    return value


def save_chart(folder: Path, fig: Any, name: str) -> str:
    """Write a matplotlib figure to ``folder/charts/name`` (atomically); returns its path."""
    import io

    import matplotlib.pyplot as plt

    from synthsoc.atomic import write_bytes

    (folder / "charts").mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    write_bytes(folder / "charts" / name, buf.getvalue())
    return f"charts/{name}"


def write_charts(
    folder: Path,
    tables: dict[str, pl.DataFrame],
    title: str,
    verdicts: dict[str, dict[str, Any]] | None = None,
    regions: pl.DataFrame | None = None,
) -> tuple[list[str], dict[str, Any]]:
    """PNG charts: series over time (median and 5-95% band), curves by segment, distributions,
    outcome histograms over replicates (each titled with its verdict, the rule beneath) and a
    map of every district metric (:mod:`synthsoc.sim.maps`). Returns the files written and,
    per map, what was matched to the boundaries."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[str] = []

    def save(fig: Any, name: str) -> None:
        written.append(save_chart(folder, fig, name))

    ts = tables[TIMESERIES_FILE]
    if ts.height:
        overall = ts.filter(pl.col("segment") == "all")
        metrics = overall["metric"].unique(maintain_order=True).to_list()
        fig, axes = plt.subplots(len(metrics), 1, figsize=(7, 2.4 * len(metrics)), squeeze=False)
        for ax, metric in zip(axes[:, 0], metrics, strict=True):
            band = (
                overall.filter(pl.col("metric") == metric)
                .group_by("step")
                .agg(
                    pl.col("value").quantile(0.05).alias("lo"),
                    pl.col("value").median().alias("mid"),
                    pl.col("value").quantile(0.95).alias("hi"),
                )
                .sort("step")
            )
            ax.fill_between(band["step"], band["lo"], band["hi"], alpha=0.3, label="5-95% of runs")
            ax.plot(band["step"], band["mid"], label="median")
            ax.set_ylabel(metric)
            ax.legend(loc="best", fontsize=7)
        axes[-1, 0].set_xlabel("step")
        fig.suptitle(title)
        save(fig, "series.png")
        segs = ts.filter(pl.col("segment") != "all")
        for metric in segs["metric"].unique(maintain_order=True).to_list():
            fig, ax = plt.subplots(figsize=(7, 4))
            med = (
                segs.filter(pl.col("metric") == metric)
                .group_by("segment", "step")
                .agg(pl.col("value").median())
                .sort("segment", "step")
            )
            for seg in med["segment"].unique(maintain_order=True).to_list():
                part = med.filter(pl.col("segment") == seg)
                ax.plot(part["step"], part["value"], label=seg)
            ax.set_xlabel("step")
            ax.set_ylabel(f"{metric} (median of runs)")
            ax.set_title(f"{title}: {metric} by age band")
            ax.legend(fontsize=7, ncol=2)
            save(fig, f"segments_{metric}.png")
    dist = tables[DISTRIBUTIONS_FILE]
    if dist.height:
        for name in dist["distribution"].unique(maintain_order=True).to_list():
            values = dist.filter(pl.col("distribution") == name)["value"].to_numpy()
            fig, ax = plt.subplots(figsize=(6, 4))
            if name.startswith("cascade"):
                sizes, counts = np.unique(values.astype(np.int64), return_counts=True)
                ax.loglog(sizes, counts / counts.sum(), "o", ms=3)
                ax.set_xlabel("cascade size")
                ax.set_ylabel("share of cascades")
            else:
                ax.hist(values, bins=30)
                ax.set_xlabel(name)
            ax.set_title(f"{title}: {name}")
            save(fig, f"distribution_{name}.png")
    out = tables[OUTCOMES_FILE]
    if out.height:
        import textwrap

        names = out["outcome"].unique(maintain_order=True).to_list()
        fig, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names), 4.2), squeeze=False)
        for ax, name in zip(axes[0], names, strict=True):
            ax.hist(out.filter(pl.col("outcome") == name)["value"].to_numpy(), bins=20)
            v = (verdicts or {}).get(name)
            head = name if v is None else f"{name}\n{v['label']}"
            ax.set_title(head, fontsize=8)
            if v is not None:
                ax.text(
                    0.0,
                    -0.22,
                    textwrap.fill(f"{v['reason']}. Rule: {v['rule']}", 60),
                    transform=ax.transAxes,
                    fontsize=5.5,
                    va="top",
                )
        fig.suptitle(f"{title}: outcomes over replicates")
        save(fig, "outcomes.png")
    districts = tables[DISTRICTS_FILE]
    maps: dict[str, Any] = {}
    if districts.height and regions is not None:
        for metric in districts.columns[2:]:
            drawn = district_map(
                districts["sigungu_code"].to_numpy(),
                districts[metric].to_numpy(),
                districts["agents"].to_numpy(),
                regions,
                f"{title}: {metric} (mean of runs)",
            )
            if drawn is not None:
                save(drawn[0], f"map_{metric}.png")
                maps[metric] = drawn[1]
    return written, maps
