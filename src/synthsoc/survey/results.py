"""Results by segment, weighted to the population, with confidence intervals.

For every question, every segment attribute (plus ``all``) and every value of it, the share of
each answer category is the weighted mean of the units' answer probabilities. Intervals:

* when the engine supplies model-uncertainty draws (calibrated engine), the percentile interval
  of the segment share over the draws;
* otherwise (sampled LLM answers) a percentile bootstrap over the answering units of the segment,
  resampled with replacement and weighted (:func:`bootstrap_weighted_shares`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from synthsoc.survey.answers import SurveyAnswers
from synthsoc.survey.diagnostics import response_style

ALL = "all"


@dataclass
class SurveyResult:
    questionnaire: str
    engine: str
    rows: list[dict[str, Any]]
    numeric: list[dict[str, Any]] = field(default_factory=list)
    texts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire": self.questionnaire,
            "engine": self.engine,
            "meta": self.meta,
            "notes": self.notes,
            "skipped": self.skipped,
            "diagnostics": self.diagnostics,
            "shares": self.rows,
            "numeric": self.numeric,
            "texts": self.texts,
        }

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows, infer_schema_length=None)

    def share(self, question: str, segment: str, group: str, category: str) -> float:
        for row in self.rows:
            if (row["question"], row["segment"], row["group"], row["category"]) == (
                question,
                segment,
                group,
                category,
            ):
                return float(row["share"])
        raise KeyError((question, segment, group, category))


def bootstrap_weighted_shares(
    probs: np.ndarray,
    weights: np.ndarray,
    *,
    level: float = 0.95,
    n_boot: int = 1000,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval (low, high) of the weighted mean of ``probs`` rows.

    Rows (units) are resampled with replacement ``n_boot`` times; each resample's estimate is
    sum(w_i p_i) / sum(w_i). Vectorised over resamples.
    """
    probs = np.asarray(probs, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    n = probs.shape[0]
    if n == 0:
        raise ValueError("no units to bootstrap")
    if n == 1:
        return probs[0].copy(), probs[0].copy()
    idx = rng.integers(0, n, size=(n_boot, n))
    w = weights[idx]
    est = np.einsum("bn,bnk->bk", w, probs[idx]) / np.maximum(w.sum(axis=1), 1e-300)[:, None]
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(est, [alpha, 1.0 - alpha], axis=0)
    return low, high


def summarise(
    answers: SurveyAnswers,
    segments: tuple[str, ...] | list[str],
    *,
    questionnaire_id: str = "",
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> SurveyResult:
    """Shares per question x segment value x category, with intervals (see module docstring)."""
    rng = np.random.default_rng(seed)
    weights = answers.units["weight"].to_numpy().astype(np.float64)
    rows: list[dict[str, Any]] = []
    numeric: list[dict[str, Any]] = []
    texts: dict[str, list[dict[str, Any]]] = {}
    diagnostics = dict(answers.diagnostics)
    alpha = (1.0 - level) / 2.0
    for qid, qa in answers.questions.items():
        for segment, group, members in _segment_members(answers.units, segments):
            mask = members & qa.answered
            n_units = int(mask.sum())
            if n_units == 0:
                continue
            w = weights[mask]
            if qa.categories:
                share = (w[:, None] * qa.probs[mask]).sum(axis=0) / w.sum()
                if qa.draws is not None:
                    est = np.einsum("n,bnk->bk", w, qa.draws[:, mask]) / w.sum()
                    low, high = np.quantile(est, [alpha, 1.0 - alpha], axis=0)
                else:
                    low, high = bootstrap_weighted_shares(
                        qa.probs[mask], w, level=level, n_boot=n_boot, rng=rng
                    )
                for k, category in enumerate(qa.categories):
                    rows.append(
                        {
                            "question": qid,
                            "segment": segment,
                            "group": group,
                            "category": category,
                            "share": round(float(share[k]), 6),
                            "ci_low": round(float(min(low[k], share[k])), 6),
                            "ci_high": round(float(max(high[k], share[k])), 6),
                            "n_units": n_units,
                            "population": round(float(w.sum()), 3),
                        }
                    )
            if qa.values is not None:
                vals = qa.values[mask]
                ok = np.isfinite(vals)
                if ok.any():
                    mean = float(np.average(vals[ok], weights=w[ok]))
                    low, high = bootstrap_weighted_shares(
                        vals[ok][:, None], w[ok], level=level, n_boot=n_boot, rng=rng
                    )
                    numeric.append(
                        {
                            "question": qid,
                            "segment": segment,
                            "group": group,
                            "mean": round(mean, 6),
                            "ci_low": round(float(low[0]), 6),
                            "ci_high": round(float(high[0]), 6),
                            "n_units": int(ok.sum()),
                        }
                    )
        if qa.texts is not None:
            texts[qid] = [
                {"unit": int(i), "answer": qa.texts[i]}
                for i in np.flatnonzero(qa.answered)[:20]
                if qa.texts[i]
            ]
        if qa.question.is_ordinal and qa.categories and qa.draws is None:
            diagnostics.setdefault("response_style", {})[qid] = response_style(
                qa.probs[qa.answered], weights[qa.answered]
            )
    return SurveyResult(
        questionnaire=questionnaire_id,
        engine=answers.engine,
        rows=rows,
        numeric=numeric,
        texts=texts,
        diagnostics=diagnostics,
        skipped=dict(answers.skipped),
        notes=list(answers.notes),
        meta={"level": level, "n_boot": n_boot, "seed": seed, "n_units": answers.units.height},
    )


def _segment_members(
    units: pl.DataFrame, segments: tuple[str, ...] | list[str]
) -> list[tuple[str, str, np.ndarray]]:
    out = [(ALL, ALL, np.ones(units.height, dtype=bool))]
    for segment in segments:
        parts = segment.split("*")
        column = units.select(
            pl.concat_str([pl.col(p).cast(pl.Utf8) for p in parts], separator="*")
        ).to_series().to_numpy()
        for value in sorted(set(column.tolist())):
            out.append((segment, str(value), column == value))
    return out
