"""Results by segment, weighted to the population, with confidence intervals.

For every question, every segment attribute (plus ``all``) and every value of it, the share of
each answer category is the weighted mean of the units' answer probabilities. Intervals:

* when the engine supplies model-uncertainty draws (calibrated engine: posterior draws), the
  percentile interval of the segment share over the draws; for a group no data measured
  (:mod:`synthsoc.survey.modelled`) the draws first get the group's own unknown effect
  (:func:`~synthsoc.survey.modelled.widen_draws`), and the row is ``modelled``;
* otherwise (answers of sampled personas) the Jeffreys interval on the personas' effective
  number (:func:`jeffreys_interval`); a segment with fewer than ``min_per_segment`` personas
  is reported as ``too_few`` instead of with a share. Numeric means use a weighted bootstrap
  (:func:`bootstrap_weighted_shares`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy.stats import beta as beta_dist

from synthsoc.survey.answers import QuestionAnswers, SurveyAnswers
from synthsoc.survey.diagnostics import response_style
from synthsoc.survey.modelled import is_uncovered, segment_key, widen_draws
from synthsoc.survey.notes import Note
from synthsoc.survey.ppi import PPIEstimate
from synthsoc.survey.support import ALL, basis_of, kish_effective_n

MIN_PERSONAS = 10  # fewer personas behind a segment row: reported as "too few"


@dataclass
class SurveyResult:
    questionnaire: str
    engine: str
    rows: list[dict[str, Any]]
    numeric: list[dict[str, Any]] = field(default_factory=list)
    texts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    verbatims: list[dict[str, Any]] = field(default_factory=list)  # one row per persona answer
    diagnostics: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, Note] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)  # English, with the Korean in .ko
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire": self.questionnaire,
            "engine": self.engine,
            "meta": self.meta,
            "notes": self.notes,
            "notes_ko": [note.ko for note in self.notes],
            "skipped": self.skipped,
            "diagnostics": self.diagnostics,
            "shares": self.rows,
            "numeric": self.numeric,
            "texts": self.texts,
            "n_verbatims": len(self.verbatims),
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
                if row["share"] is None:
                    raise ValueError(
                        f"{question}/{segment}={group}: too few respondents "
                        f"({row['n_respondents']}) for a share"
                    )
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


def jeffreys_interval(
    share: np.ndarray, n_effective: float, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Jeffreys interval per category: Beta(n s + 1/2, n (1 - s) + 1/2) quantiles.

    Used for answers from sampled personas: never zero-width, whatever a handful of personas
    said, and close to the exact binomial interval for one-hot answers. For per-persona answer
    distributions (log-probabilities) it is conservative: the spread of a mean of
    probabilities is at most that of as many Bernoulli draws with the same mean.
    """
    alpha = (1.0 - level) / 2.0
    a = share * n_effective + 0.5
    b = (1.0 - share) * n_effective + 0.5
    return beta_dist.ppf(alpha, a, b), beta_dist.ppf(1.0 - alpha, a, b)


def summarise(
    answers: SurveyAnswers,
    segments: tuple[str, ...] | list[str],
    *,
    questionnaire_id: str = "",
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
    min_per_segment: int = MIN_PERSONAS,
    population_groups: dict[str, dict[str, float]] | None = None,
) -> SurveyResult:
    """Shares per question x segment value x category, with intervals (see module docstring).

    Every row says how many real respondents stand behind it (``n_respondents``,
    ``n_effective``) and its ``basis`` (:mod:`synthsoc.survey.support`). Rows answered by fewer
    than ``min_per_segment`` personas are reported as ``too_few`` with no share.
    ``population_groups`` (segment -> group -> persons) lists every group of the population, so
    a group no sampled persona belongs to (or where none answered) is a ``too_few`` row too,
    never silently absent.
    """
    rng = np.random.default_rng(seed)
    weights = answers.units["weight"].to_numpy().astype(np.float64)
    rows: list[dict[str, Any]] = []
    numeric: list[dict[str, Any]] = []
    texts: dict[str, list[dict[str, Any]]] = {}
    diagnostics = dict(answers.diagnostics)
    alpha = (1.0 - level) / 2.0
    too_few: list[str] = []
    verbatims: list[dict[str, Any]] = []
    for qid, qa in answers.questions.items():
        for segment, group, members in _segment_members(
            answers.units, segments, population_groups or {}
        ):
            mask = members & qa.answered
            n_units = int(mask.sum())
            if n_units == 0:
                if qa.categories:
                    persons = (population_groups or {}).get(segment, {}).get(group)
                    if persons is None:
                        persons = float(weights[members].sum())
                    too_few.append(f"{qid}/{segment}={group} (no persona answered)")
                    rows.extend(_empty_rows(qid, segment, group, qa.categories, persons))
                continue
            w = weights[mask]
            if qa.estimates is not None:
                estimate = qa.estimates.get((segment, group))
                if estimate is None:
                    too_few.append(f"{qid}/{segment}={group} (no or too few real respondents)")
                rows.extend(_estimate_rows(qid, segment, group, qa.categories, estimate, w))
                continue
            modelled = is_uncovered(qa.uncovered, segment, group)
            n_resp, n_eff, basis = (
                (0, 0.0, "modelled") if modelled else _support(qa, segment, group, w)
            )
            few = basis == "llm" and n_resp < min_per_segment
            if few:
                too_few.append(f"{qid}/{segment}={group} (n={n_resp})")
            if qa.categories:
                share = (w[:, None] * qa.probs[mask]).sum(axis=0) / w.sum()
                if qa.draws is not None:
                    est = np.einsum("n,bnk->bk", w, qa.draws[:, mask]) / w.sum()
                    if modelled:  # nothing measured this group: add its own unknown effect
                        est = widen_draws(
                            est,
                            rng,
                            n_out=n_boot,
                            independent=qa.question.type == "multiple_choice",
                        )
                    low, high = np.quantile(est, [alpha, 1.0 - alpha], axis=0)
                else:
                    low, high = jeffreys_interval(share, n_eff, level)
                for k, category in enumerate(qa.categories):
                    rows.append(
                        {
                            "question": qid,
                            "segment": segment,
                            "group": group,
                            "category": category,
                            "share": None if few else round(float(share[k]), 6),
                            "ci_low": None if few else round(float(min(low[k], share[k])), 6),
                            "ci_high": None if few else round(float(max(high[k], share[k])), 6),
                            # published tables: respondents unknown (None), not zero
                            "n_respondents": None if basis == "assumed" else n_resp,
                            "n_effective": None if basis == "assumed" else round(n_eff, 1),
                            "basis": "too_few" if few else basis,
                            "n_units": n_units,
                            "population": round(float(w.sum()), 3),
                        }
                    )
            if qa.values is not None:
                vals = qa.values[mask]
                ok = np.isfinite(vals)
                if ok.sum() >= max(min_per_segment, 2):
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
                            "basis": basis,
                        }
                    )
                elif ok.any():
                    numeric.append(
                        {
                            "question": qid,
                            "segment": segment,
                            "group": group,
                            "mean": None,
                            "ci_low": None,
                            "ci_high": None,
                            "n_units": int(ok.sum()),
                            "basis": "too_few",
                        }
                    )
        if qa.texts is not None:
            texts[qid] = [
                {"unit": int(i), "answer": qa.texts[i]}
                for i in np.flatnonzero(qa.answered)[:20]
                if qa.texts[i]
            ]
        verbatims.extend(_verbatims(qid, qa, answers.units, segments))
        if qa.question.is_ordinal and qa.categories and qa.draws is None:
            diagnostics.setdefault("response_style", {})[qid] = response_style(
                qa.probs[qa.answered], weights[qa.answered]
            )
    notes = list(answers.notes)
    if too_few:
        listed = ", ".join(too_few[:8])
        notes.append(
            Note(
                f"{len(too_few)} segment rows have too few respondents (fewer than "
                f"{min_per_segment} personas, none answering, or too few real respondents) and "
                f"are reported as too few (no share): {listed}"
                + (" ..." if len(too_few) > 8 else ""),
                f"집단 행 {len(too_few)}개는 응답자가 너무 적어(페르소나 {min_per_segment}명 "
                "미만, 답한 사람 없음, 또는 실제 응답자 부족) 비율 없이 '표본 부족'으로 "
                f"표시했습니다: {listed}"
                + (f" 외 {len(too_few) - 8}개" if len(too_few) > 8 else ""),
            )
        )
    return SurveyResult(
        questionnaire=questionnaire_id,
        engine=answers.engine,
        rows=rows,
        numeric=numeric,
        texts=texts,
        verbatims=verbatims,
        diagnostics=diagnostics,
        skipped=dict(answers.skipped),
        notes=notes,
        meta={
            "level": level,
            "n_boot": n_boot,
            "seed": seed,
            "n_cells": answers.units.height,
            "min_per_segment": min_per_segment,
        },
    )


def _empty_rows(
    qid: str, segment: str, group: str, categories: tuple[str, ...], persons: float
) -> list[dict[str, Any]]:
    """A group of the population that no answering unit stands for: too few, no share."""
    return [
        {
            "question": qid,
            "segment": segment,
            "group": group,
            "category": category,
            "share": None,
            "ci_low": None,
            "ci_high": None,
            "n_respondents": 0,
            "n_effective": 0.0,
            "basis": "too_few",
            "n_units": 0,
            "population": round(float(persons), 3),
        }
        for category in categories
    ]


def _estimate_rows(
    qid: str,
    segment: str,
    group: str,
    categories: tuple[str, ...],
    estimate: PPIEstimate | None,
    w: np.ndarray,
) -> list[dict[str, Any]]:
    """Rows of an engine's own estimate (hybrid PPI), with the real sample's own interval."""
    out = []
    for k, category in enumerate(categories):
        row: dict[str, Any] = {
            "question": qid,
            "segment": segment,
            "group": group,
            "category": category,
            "share": None,
            "ci_low": None,
            "ci_high": None,
            "n_respondents": 0 if estimate is None else estimate.n_labelled,
            "n_effective": 0.0 if estimate is None else round(estimate.n_effective, 1),
            "basis": "too_few" if estimate is None else "ppi",
            "n_units": int(w.size),
            "population": round(float(w.sum()), 3),
        }
        if estimate is not None:
            row.update(
                share=round(float(estimate.share[k]), 6),
                ci_low=round(float(min(estimate.low[k], estimate.share[k])), 6),
                ci_high=round(float(max(estimate.high[k], estimate.share[k])), 6),
                real_only_share=round(float(estimate.classical_share[k]), 6),
                real_only_ci_low=round(float(estimate.classical_low[k]), 6),
                real_only_ci_high=round(float(estimate.classical_high[k]), 6),
            )
        out.append(row)
    return out


def _verbatims(
    qid: str, qa: QuestionAnswers, units: pl.DataFrame, segments: tuple[str, ...] | list[str]
) -> list[dict[str, Any]]:
    """Each persona's answer, reason and open text with its segment attributes."""
    if qa.reasons is None and qa.texts is None:
        return []
    attributes = [a for a in dict.fromkeys(p for s in segments for p in s.split("*"))]
    columns = {a: units[a].cast(pl.Utf8).to_list() for a in attributes if a in units.columns}
    single = qa.question.type in ("single_choice", "likert")
    out = []
    for i in range(units.height):
        probability: float | None = None
        if qa.categories and qa.answered[i] and single:
            # one sampled answer (one-hot), or the most likely option of a distribution (the
            # one a reason after the label explains), with its probability
            k = int(np.argmax(qa.probs[i]))
            answer: str | None = qa.categories[k]
            probability = round(float(qa.probs[i, k]), 4)
        elif qa.categories and qa.answered[i]:
            picked = [c for c, p in zip(qa.categories, qa.probs[i], strict=True) if p >= 0.5]
            answer = ";".join(picked) if picked else None
        elif qa.values is not None and np.isfinite(qa.values[i]):
            answer = f"{qa.values[i]:g}"
        else:
            answer = None
        reason = qa.reasons[i] if qa.reasons is not None else None
        out.append(
            {
                "question": qid,
                "unit": i,
                **{a: v[i] for a, v in columns.items()},
                "answered": bool(qa.answered[i]),
                "answer": answer,
                "answer_probability": probability,
                "reason": reason or None,
                "text": qa.texts[i] if qa.texts is not None else None,
            }
        )
    return out


def _support(
    qa: QuestionAnswers, segment: str, group: str, w: np.ndarray
) -> tuple[int, float, str]:
    """(respondents, effective n, basis) of one segment row."""
    if qa.basis == "llm":
        return int(w.size), kish_effective_n(w), "llm"
    if qa.support is None:
        return 0, 0.0, qa.basis or "assumed"
    n, n_eff = qa.support.get(segment, {}).get(group, (0, 0.0))
    return n, n_eff, qa.basis or basis_of(n, n_eff)


def _segment_members(
    units: pl.DataFrame,
    segments: tuple[str, ...] | list[str],
    population_groups: dict[str, dict[str, float]],
) -> list[tuple[str, str, np.ndarray]]:
    """(segment, group, which units belong) for every group of the units and the population."""
    out = [(ALL, ALL, np.ones(units.height, dtype=bool))]
    for segment in segments:
        column = segment_key(units, segment)
        values = set(column.tolist()) | set(population_groups.get(segment, {}))
        for value in sorted(values):
            out.append((segment, str(value), column == value))
    return out


def population_groups(
    respondents: pl.DataFrame, segments: tuple[str, ...] | list[str]
) -> dict[str, dict[str, float]]:
    """Persons per group of every segment in the respondent frame."""
    out: dict[str, dict[str, float]] = {}
    for segment in segments:
        labels, counts = np.unique(segment_key(respondents, segment), return_counts=True)
        out[segment] = {str(g): float(c) for g, c in zip(labels, counts, strict=True)}
    return out
