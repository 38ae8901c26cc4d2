"""What the API reads from finished survey and simulation folders (the files the layers wrote:
``results.json``; ``summary.json`` and ``timeseries.parquet``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from synthsoc.data.readers import ReadError, read_json
from synthsoc.survey import QuestionnaireError, load_questionnaire


class ResultQueryError(ValueError):
    """A question, segment or metric the run does not have (names the choices)."""


def _json(path: Path) -> dict[str, Any]:
    try:
        data = read_json(path)
    except ReadError as exc:
        raise ResultQueryError(f"{path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise ResultQueryError(f"{path.name}: not a JSON object")
    return data


def survey_results(folder: Path, question: str | None, segment: str | None) -> dict[str, Any]:
    """Shares by segment with intervals, respondent counts and basis (measured / modelled /
    ...), for one question and segment when given."""
    data = _json(folder / "results.json")
    shares: list[dict[str, Any]] = data.get("shares", [])
    questions = sorted({r["question"] for r in shares})
    segments = sorted({r["segment"] for r in shares})
    if question is not None and question not in questions:
        raise ResultQueryError(f"question {question!r}: not in this run ({questions})")
    if segment is not None and segment not in segments:
        raise ResultQueryError(f"segment {segment!r}: not in this run ({segments})")
    rows = [r for r in shares if (question is None or r["question"] == question)
            and (segment is None or r["segment"] == segment)]
    return {"engine": data.get("engine"), "notes": data.get("notes", []),
            "notes_ko": data.get("notes_ko", []),
            "skipped": data.get("skipped", []), "questions": questions, "segments": segments,
            "questionnaire": data.get("questionnaire"), "meta": data.get("meta", {}),
            "rows": rows,
            "basis_legend": {"measured": "enough real respondents in the group",
                             "thin": "few real respondents", "modelled":
                             "no respondent: pooled from other cells", "assumed":
                             "published tables (assumed sample size)", "llm": "LLM personas",
                             "ppi": "prediction-powered", "too_few": "no share shown"}}


def questionnaire_labels(path: Path) -> dict[str, Any]:
    """Korean question texts and option labels of the run's questionnaire (for charts)."""
    try:
        questionnaire = load_questionnaire(path)
    except QuestionnaireError:
        return {}
    return {q.id: {"text": q.text.ko, "options": {o.id: o.text.ko for o in q.options}}
            for q in questionnaire.questions}


def survey_by_region(folder: Path, question: str, category: str,
                     regions: pl.DataFrame) -> dict[str, Any]:
    """One answer's share per si-do (segment ``region``), keyed by si-do code for the map."""
    data = survey_results(folder, question, None)
    if "region" not in data["segments"]:
        raise ResultQueryError("this survey has no `region` segment: nothing to map "
                               f"(segments: {data['segments']})")
    code_of = dict(zip(regions["sido_name_en"].cast(pl.Utf8).to_list(),
                       regions["sido_code"].cast(pl.Utf8).to_list(), strict=True))
    areas: dict[str, dict[str, Any]] = {}
    for row in data["rows"]:
        if row["segment"] == "region" and str(row["category"]) == category:
            code = code_of.get(row["group"])
            if code is not None:
                areas[code] = {"value": row["share"], "n": row.get("n_respondents"),
                               "ci_low": row.get("ci_low"), "ci_high": row.get("ci_high"),
                               "basis": row.get("basis")}
    return {"level": "sido", "what": f"share answering {category} to {question}",
            "areas": areas, "no_data": "si-do without respondents are drawn as 'no data'"}


def simulation_summary(folder: Path) -> dict[str, Any]:
    """Outcomes with mean, interval, verdict and the rule behind it; totals and regularities."""
    data = _json(folder / "summary.json")
    outcomes = {name: {k: v for k, v in entry.items() if k != "values"}
                for name, entry in data.get("outcomes", {}).items()}
    metrics: list[str] = []
    series = folder / "timeseries.parquet"
    if series.is_file():
        metrics = sorted(pl.read_parquet(series, columns=["metric"])["metric"].unique()
                         .to_list())
    return {"scenario": data.get("scenario", {}), "replicates": data.get("replicates"),
            "seed": data.get("seed"), "outcomes": outcomes, "totals": data.get("totals"),
            "regularities": data.get("regularities", []), "metrics": metrics,
            "agents": data.get("population", {}).get("agents")}


def simulation_series(folder: Path, metric: str, segment: str = "all") -> dict[str, Any]:
    """Per step: median and the 5-95% range of the replicates of one metric."""
    path = folder / "timeseries.parquet"
    if not path.is_file():
        raise ResultQueryError("this run has no timeseries.parquet")
    frame = pl.read_parquet(path)
    metrics = sorted(frame["metric"].unique().to_list())
    if metric not in metrics:
        raise ResultQueryError(f"metric {metric!r}: not in this run ({metrics})")
    frame = frame.filter((pl.col("metric") == metric) & (pl.col("segment") == segment))
    if frame.height == 0:
        raise ResultQueryError(f"metric {metric!r} has no segment {segment!r}")
    stats = frame.group_by("step").agg(
        pl.col("value").median().alias("median"),
        pl.col("value").quantile(0.05, "linear").alias("p05"),
        pl.col("value").quantile(0.95, "linear").alias("p95"),
        pl.len().alias("replicates"),
    ).sort("step")
    return {"metric": metric, "segment": segment, "rows": stats.to_dicts(),
            "band": "5-95% of replicates (linear quantiles); line: median"}


POLICY_GROUPS = ("income_bracket", "type", "age_group", "district")


def policy_results(folder: Path, group: str | None) -> dict[str, Any]:
    """The policy run's tables as written: cost and recipients per rule, winners and losers,
    and the mean change per household by ``group`` (each table with its p05-p95 columns)."""
    if group is not None and group not in POLICY_GROUPS:
        raise ResultQueryError(f"group {group!r}: choose one of {list(POLICY_GROUPS)}")
    groups = [group] if group else list(POLICY_GROUPS)
    return {
        "summary": _csv_rows(folder / "summary.csv"),
        "winners_losers": _csv_rows(folder / "winners_losers.csv"),
        "by_group": {g: _csv_rows(folder / f"by_{g}.csv") for g in groups},
        "run": _json(folder / "run.json"),
        "note": "money in KRW per year, weighted to the whole country's households; "
                "p05/p95 columns: the spread over the run's draws of income and assets",
    }


def sandbox_results(folder: Path, segment: str | None) -> dict[str, Any]:
    """The sandbox scorecard: every metric per assistant and segment with its interval."""
    card = pl.read_parquet(folder / "scorecard.parquet")
    segments = sorted(card["segment"].unique().to_list())
    if segment is not None:
        if segment not in segments:
            raise ResultQueryError(f"segment {segment!r}: not in this run ({segments})")
        card = card.filter(pl.col("segment") == segment)
    return {"segments": segments, "rows": card.to_dicts(), "summary": _json(
        folder / "summary.json"), "interval": "ci_low/ci_high as written by the sandbox "
            "scorecard (synthsoc.sandbox); n: personas behind each row"}


def town_summary(folder: Path) -> dict[str, Any]:
    """The town's summary as written (``summary.json``), without the per-agent paths; a
    budget stop is in ``stopped_by_budget``."""
    data = _json(folder / "summary.json")
    return {k: v for k, v in data.items() if k != "paths"} | {
        "agents_heard": len(data.get("paths", {})),
        "segments": "a town has a handful of agents: its outcomes are not split by segment"}


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise ResultQueryError(f"this run has no {path.name}")
    return pl.read_csv(path).to_dicts()
