"""Writing survey results: JSON, CSV, and a Markdown report with PNG charts."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from synthsoc.atomic import staged_directory, write_bytes, write_json, write_text  # noqa: E402
from synthsoc.survey.questionnaire import Questionnaire  # noqa: E402
from synthsoc.survey.results import ALL, SurveyResult  # noqa: E402


def write_outputs(
    result: SurveyResult,
    questionnaire: Questionnaire,
    out: Path,
    *,
    extra: dict[str, Any] | None = None,
    force: bool = False,
) -> Path:
    """Write ``results.json``, ``results.csv``, ``report.md`` and ``charts/*.png`` to ``out``.

    The folder appears complete or not at all (staged, then renamed into place).
    """
    payload = result.to_dict()
    if extra:
        payload.update(extra)
    with staged_directory(out, kind="survey", force=force) as staging:
        write_json(staging / "results.json", payload)
        frame = result.frame()
        buffer = io.BytesIO()
        frame.write_csv(buffer)
        write_bytes(staging / "results.csv", buffer.getvalue())
        if result.numeric:
            buffer = io.BytesIO()
            pl.DataFrame(result.numeric).write_csv(buffer)
            write_bytes(staging / "numeric.csv", buffer.getvalue())
        charts = _charts(result, questionnaire, staging / "charts")
        write_text(staging / "report.md", _markdown(result, questionnaire, charts, extra or {}))
    return out


def _label(questionnaire: Questionnaire, qid: str, category: str) -> str:
    q = questionnaire.question(qid)
    for option in q.options:
        if option.id == category:
            return option.text.en or option.id
    return category


def _charts(result: SurveyResult, questionnaire: Questionnaire, folder: Path) -> list[Path]:
    """One grouped bar chart with interval whiskers per question and segment."""
    if not result.rows:
        return []
    frame = result.frame()
    paths = []
    for (qid, segment), part in frame.group_by(["question", "segment"], maintain_order=True):
        if "*" in str(segment):
            continue  # cross segments: too many groups for one chart (in the tables and CSV)
        groups = list(dict.fromkeys(part["group"].to_list()))
        cats = list(dict.fromkeys(part["category"].to_list()))
        width = 0.8 / len(cats)
        fig, ax = plt.subplots(figsize=(max(6.0, 0.5 * len(groups) * len(cats) ** 0.5 + 4), 4.5))
        x = np.arange(len(groups))
        for j, cat in enumerate(cats):
            sub = part.filter(pl.col("category") == cat)
            lookup = {
                g: (s, lo, hi)
                for g, s, lo, hi in sub.select("group", "share", "ci_low", "ci_high").iter_rows()
            }
            share = np.array([lookup.get(g, (np.nan, np.nan, np.nan))[0] for g in groups])
            low = np.array([lookup.get(g, (np.nan, np.nan, np.nan))[1] for g in groups])
            high = np.array([lookup.get(g, (np.nan, np.nan, np.nan))[2] for g in groups])
            ax.bar(
                x + (j - (len(cats) - 1) / 2) * width,
                share,
                width,
                yerr=np.vstack([share - low, high - share]),
                capsize=2,
                label=_label(questionnaire, str(qid), cat),
            )
        ax.set_xticks(x, groups, rotation=45 if len(groups) > 6 else 0, ha="right")
        ax.set_ylabel("share (95% interval)")
        q = questionnaire.question(str(qid))
        ax.set_title(f"{q.text.en or q.id} - by {segment}", fontsize=10)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        fig.tight_layout()
        path = folder / f"{qid}_{segment}.png"
        folder.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # missing glyphs for Korean labels on bare systems
            fig.savefig(buffer, format="png", dpi=90)
        plt.close(fig)
        write_bytes(path, buffer.getvalue())
        paths.append(path)
    return paths


def _markdown(
    result: SurveyResult, questionnaire: Questionnaire, charts: list[Path], extra: dict[str, Any]
) -> str:
    lines = [
        f"# {questionnaire.title.ko}",
        "",
        f"Questionnaire `{questionnaire.id}`, engine `{result.engine}`, "
        f"{result.meta.get('n_respondents', '?')} respondents in the population universe "
        f"(age {questionnaire.min_age}+). "
        f"Shares with {int(100 * result.meta['level'])}% intervals.",
        "",
        "## Where the answers come from",
        "",
        *[f"- {note}" for note in result.notes],
        "",
    ]
    if result.skipped:
        lines += ["## Not answered by this engine", ""]
        lines += [f"- `{q}`: {why}" for q, why in result.skipped.items()]
        lines.append("")
    frame = result.frame() if result.rows else None
    for q in questionnaire.questions:
        lines += [f"## {q.id}: {q.text.ko}", ""]
        if q.context is not None:
            lines += [f"> {q.context.ko}", ""]
        if frame is not None and q.id in set(frame["question"].to_list()):
            part = frame.filter(pl.col("question") == q.id)
            lines += [
                "| segment | group | "
                + " | ".join(_label(questionnaire, q.id, c) for c in q.categories)
                + " |"
            ]
            lines += ["|---|---|" + "---|" * len(q.categories)]
            for (segment, group), rows in part.group_by(["segment", "group"], maintain_order=True):
                cells = {
                    c: (s, lo, hi)
                    for c, s, lo, hi in rows.select(
                        "category", "share", "ci_low", "ci_high"
                    ).iter_rows()
                }
                values = [
                    f"{100 * cells[c][0]:.1f} ({100 * cells[c][1]:.1f}-{100 * cells[c][2]:.1f})"
                    if c in cells
                    else ""
                    for c in q.categories
                ]
                label = "" if segment == ALL else segment
                lines.append(f"| {label or 'all'} | {group} | " + " | ".join(values) + " |")
            lines.append("")
            for path in charts:
                if path.name.startswith(f"{q.id}_"):
                    lines.append(f"![{path.stem}](charts/{path.name})")
            lines.append("")
        numeric = [r for r in result.numeric if r["question"] == q.id]
        if numeric:
            lines += ["| segment | group | mean (interval) |", "|---|---|---|"]
            lines += [
                f"| {r['segment']} | {r['group']} | {r['mean']:.4g} "
                f"({r['ci_low']:.4g}-{r['ci_high']:.4g}) |"
                for r in numeric
            ]
            lines.append("")
        for example in result.texts.get(q.id, [])[:5]:
            lines.append(f'- "{example["answer"]}"')
        if q.id in result.texts:
            lines.append("")
    if result.diagnostics:
        lines += ["## Diagnostics", "", "```json"]
        lines.append(json.dumps(result.diagnostics, ensure_ascii=False, indent=2, default=str))
        lines += ["```", ""]
    if "replicates" in extra:
        lines += ["## Replicates", "", extra["replicates"].get("summary", ""), ""]
    return "\n".join(lines) + "\n"
