"""Compare survey results with a reference distribution per segment (TVD, KL, Wasserstein).

The reference is a long table ``question, segment, group, category, share`` (e.g. real survey
shares) or is computed from respondent microdata with :func:`reference_from_microdata`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synthsoc.data.readers import read_csv
from synthsoc.evaluate.distance import DECISION_GRADE_TVD, kl_divergence, tvd, wasserstein_ordinal
from synthsoc.survey.questionnaire import Questionnaire
from synthsoc.survey.results import ALL, SurveyResult

KEY = ["question", "segment", "group"]
IN_SAMPLE_WARNING = (
    "IN-SAMPLE: the reference is the data the answer model was fitted on; these distances "
    "measure fit, not accuracy on new respondents (use a held-out file or `bench survey`)"
)


def reference_from_microdata(path: str | Path, questionnaire: Questionnaire) -> pl.DataFrame:
    """Observed answer shares per question and segment value from a respondent CSV."""
    micro = read_csv(Path(path)).frame()
    parts = []
    for q in questionnaire.questions:
        column = q.data_column or q.id
        if column not in micro.columns or not q.is_choice or q.type == "multiple_choice":
            continue
        base = micro.filter(pl.col(column).is_in(list(q.categories)))
        segments = [s for s in questionnaire.segments if s in micro.columns]
        for segment in [ALL, *segments]:
            grouped = base.with_columns(
                pl.lit(ALL).alias("_g") if segment == ALL else pl.col(segment).alias("_g")
            ).drop_nulls("_g")
            counts = grouped.group_by("_g", column).len()
            totals = counts.group_by("_g").agg(pl.col("len").sum().alias("_n"))
            parts.append(
                counts.join(totals, on="_g").select(
                    pl.lit(q.id).alias("question"),
                    pl.lit(segment).alias("segment"),
                    pl.col("_g").cast(pl.Utf8).alias("group"),
                    pl.col(column).alias("category"),
                    (pl.col("len") / pl.col("_n")).alias("share"),
                )
            )
    if not parts:
        raise ValueError(f"{path}: no questionnaire question has a column in the microdata")
    return pl.concat(parts)


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when two paths name the same file, or files with identical bytes."""
    pa, pb = Path(a), Path(b)
    if pa.resolve() == pb.resolve():
        return True
    if not (pa.is_file() and pb.is_file()) or pa.stat().st_size != pb.stat().st_size:
        return False
    return hashlib.sha256(pa.read_bytes()).digest() == hashlib.sha256(pb.read_bytes()).digest()


def compare_to_reference(
    result: SurveyResult,
    reference: pl.DataFrame,
    questionnaire: Questionnaire,
    *,
    in_sample: bool = False,
) -> dict[str, Any]:
    """Per (question, segment, group): TVD, KL(reference || result), ordinal Wasserstein.

    ``in_sample``: the reference is the data the model was fitted on; the result then says so
    (the figures measure fit, not accuracy on new respondents).
    """
    predicted = result.frame()
    rows = []
    for (qid, segment, group), ref in reference.group_by(KEY, maintain_order=True):
        q = questionnaire.question(str(qid))
        pred = predicted.filter(
            (pl.col("question") == qid)
            & (pl.col("segment") == segment)
            & (pl.col("group") == group)
        )
        pred = pred.filter(pl.col("share").is_not_null())
        if pred.height == 0:
            continue
        cats = list(q.categories)
        p = _vector(pred, cats)
        r = _vector(ref, cats)
        if p.sum() <= 0 or r.sum() <= 0:
            continue
        row = {
            "question": qid,
            "segment": segment,
            "group": group,
            "tvd": float(tvd(p, r)),
            "kl": float(kl_divergence(r, p)),
        }
        if q.is_ordinal:
            row["wasserstein"] = float(wasserstein_ordinal(p, r))
        rows.append(row)
    tvds = np.array([r["tvd"] for r in rows]) if rows else np.zeros(0)
    return {
        "in_sample": in_sample,
        "warning": IN_SAMPLE_WARNING if in_sample else None,
        "n_compared": len(rows),
        "mean_tvd": float(tvds.mean()) if rows else None,
        "share_decision_grade": float((tvds < DECISION_GRADE_TVD).mean()) if rows else None,
        "rows": rows,
    }


def _vector(frame: pl.DataFrame, categories: list[str]) -> np.ndarray:
    lookup = dict(zip(frame["category"].to_list(), frame["share"].to_list(), strict=True))
    return np.array([float(lookup.get(c, 0.0)) for c in categories])
