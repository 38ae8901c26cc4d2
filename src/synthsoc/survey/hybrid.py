"""The ``hybrid`` engine: LLM personas plus real respondents, combined with valid intervals.

Prediction-powered inference (:mod:`synthsoc.survey.ppi`): personas sampled from the population
answer through the LLM (:class:`LLMEngine`), as do stand-ins for the real respondents of the
survey data (each real respondent is matched to a random population person with the same
attributes, so the LLM sees who they are); the difference between the real answers and the
LLM's on the same people corrects the LLM's bias. Each segment's share and interval are valid
whatever the LLM's bias, and each row also carries the interval of the real sample alone, so
the report says how much the LLM narrowed it.

Segments need real respondents: a segment whose attribute the survey data lack, or a group with
fewer than :data:`synthsoc.survey.ppi.MIN_LABELLED` effective respondents, is reported as too
few. Other question types (and questions without a data column) stay pure LLM answers, said in
the notes. Survey weights (``weight:`` in ``--map``, ``FINALWT`` for KGSS) weight the real
respondents: the rectifier and the real sample's own interval are weighted means with their
linearisation variance, and each row carries Kish's effective n.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from synthsoc.survey.answers import QuestionAnswers, SurveyAnswers
from synthsoc.survey.calibrated import CalibratedEngine, answer_matrix
from synthsoc.survey.llm_engine import LLMEngine
from synthsoc.survey.mapping import is_missing
from synthsoc.survey.notes import Note
from synthsoc.survey.ppi import PPIEstimate, ppi_shares
from synthsoc.survey.questionnaire import Questionnaire
from synthsoc.survey.support import ALL


@dataclass
class HybridEngine:
    llm_engine: LLMEngine
    calibrated: CalibratedEngine
    level: float = 0.95
    name: str = field(default="hybrid", init=False)

    def answer(
        self, questionnaire: Questionnaire, respondents: pl.DataFrame, *, seed: int
    ) -> SurveyAnswers:
        mapped, path = self.calibrated.respondent_data(questionnaire, respondents)
        features = list(mapped.features)
        llm = self.llm_engine.answer(questionnaire, respondents, seed=seed)
        rng = np.random.default_rng(seed + 1)
        matched, usable = match_respondents(mapped.frame, respondents, features, rng)
        labelled = self.llm_engine.answer_personas(questionnaire, matched, seed=seed + 1)
        micro = mapped.frame.filter(pl.Series(usable))
        questions: dict[str, QuestionAnswers] = {}
        ratios: dict[str, float] = {}
        bias: dict[str, list[float]] = {}
        notes = [
            *llm.notes,
            Note(
                f"hybrid: prediction-powered inference (Angelopoulos et al. 2023) with "
                f"{micro.height} real respondents of {path.name} (features "
                f"{', '.join(features)}); intervals are valid whatever the LLM's bias",
                f"결합(hybrid): {path.name}의 실제 응답자 {micro.height}명(설명 변수 "
                f"{', '.join(features)})과 예측 기반 추론(PPI, Angelopoulos 외 2023)으로 "
                "결합했습니다. 구간은 LLM의 편향과 무관하게 유효합니다.",
            ),
        ]
        weights = None if mapped.weight is None else micro[mapped.weight].to_numpy()
        if mapped.weight is not None:
            notes.append(
                Note(
                    f"hybrid: real respondents weighted by {mapped.weight} (weighted rectifier "
                    "and real-sample interval; respondents per row given as Kish's effective n)",
                    f"결합(hybrid): 실제 응답자에 가중치 {mapped.weight}를 적용했습니다(가중 "
                    "보정항과 실제 표본 구간; 행별 응답자 수는 Kish 유효 표본 수).",
                )
            )
        if micro.height < mapped.frame.height:
            notes.append(
                Note(
                    f"hybrid: {mapped.frame.height - micro.height} respondents have attributes "
                    "no population person has, or missing ones, and were left out",
                    f"결합(hybrid): 모집단에 없는 속성이나 빠진 속성을 가진 응답자 "
                    f"{mapped.frame.height - micro.height}명은 제외했습니다.",
                )
            )
        for qid, qa in llm.questions.items():
            q = qa.question
            column = q.data_column or q.id
            if q.type not in ("single_choice", "likert") or column not in micro.columns:
                questions[qid] = qa
                notes.append(
                    Note(
                        f"hybrid: {qid} has no real answers to combine; LLM answers only",
                        f"결합(hybrid): {qid}에는 결합할 실제 응답이 없어 LLM 응답만 씁니다.",
                    )
                )
                continue
            present = ~micro.select(is_missing(column)).to_series().to_numpy()
            y = np.zeros((micro.height, len(q.categories)))
            codes = answer_matrix(
                q, micro.filter(pl.Series(present))[column].to_list(), path, column
            )
            y[np.flatnonzero(present), codes] = 1.0
            ok = present & labelled.questions[qid].answered
            estimates: dict[tuple[str, str], PPIEstimate | None] = {}
            unlabelled_ok = qa.answered
            for segment, group, persona_mask, real_mask in _groups(
                llm.units, micro, list(questionnaire.segments), features
            ):
                if real_mask is None:
                    estimates[(segment, group)] = None
                    continue
                real = real_mask & ok
                estimates[(segment, group)] = ppi_shares(
                    qa.probs[persona_mask & unlabelled_ok],
                    labelled.questions[qid].probs[real],
                    y[real],
                    weights=None if weights is None else weights[real],
                    level=self.level,
                )
            overall = estimates.get((ALL, ALL))
            if overall is not None:
                ratios[qid] = round(overall.width_ratio, 3)
                w_ok = np.ones(int(ok.sum())) if weights is None else weights[ok]
                bias[qid] = np.round(
                    w_ok @ (y[ok] - labelled.questions[qid].probs[ok]) / w_ok.sum(), 4
                ).tolist()
            questions[qid] = QuestionAnswers(
                question=q,
                categories=qa.categories,
                probs=qa.probs,
                answered=qa.answered,
                source=f"ppi: llm + {path.name}:{column}",
                reasons=qa.reasons,
                texts=qa.texts,
                basis="ppi",
                estimates=estimates,
            )
        if ratios:
            widths = ", ".join(f"{k} {v:.2f}" for k, v in ratios.items())
            notes.append(
                Note(
                    "hybrid: overall interval width relative to the real sample alone: "
                    f"{widths} (below 1: the LLM narrowed it)",
                    f"결합(hybrid): 전체 구간 폭을 실제 표본만 쓴 구간과 비교한 비율: {widths} "
                    "(1보다 작으면 LLM이 구간을 좁힌 것).",
                )
            )
        diagnostics = dict(llm.diagnostics)
        diagnostics["ppi_width_vs_real_alone"] = ratios
        diagnostics["llm_bias_on_real_respondents"] = bias
        diagnostics["inputs"] = mapped.record.to_dict()
        return SurveyAnswers("hybrid", llm.units, questions, {}, diagnostics, notes)


def match_respondents(
    micro: pl.DataFrame, population: pl.DataFrame, features: list[str], rng: np.random.Generator
) -> tuple[pl.DataFrame, np.ndarray]:
    """One random population person per real respondent, with the respondent's attributes.

    Returns the matched persons (one row per usable respondent, in order) and which respondents
    were usable (every feature present and some population person sharing them).
    """
    shuffled = population.with_columns(pl.Series("_u", rng.random(population.height)))
    pool = (
        shuffled.with_row_index("_row")
        .group_by(features)
        .agg(pl.col("_row").sort_by("_u").alias("_rows"))
    )
    keyed = micro.select(features).with_row_index("_resp")
    keyed = keyed.with_columns(pl.Series("_v", rng.random(keyed.height)))
    joined = keyed.join(pool, on=features, how="left").sort("_resp")
    usable = joined["_rows"].is_not_null().to_numpy()
    picked = joined.filter(pl.col("_rows").is_not_null()).select(
        pl.col("_rows")
        .list.get((pl.col("_v") * pl.col("_rows").list.len()).floor().cast(pl.Int64))
        .alias("_row")
    )
    rows = picked["_row"].to_list()
    return population[rows], usable


def _groups(
    units: pl.DataFrame, micro: pl.DataFrame, segments: list[str], features: list[str]
) -> list[tuple[str, str, np.ndarray, np.ndarray | None]]:
    """(segment, group, persona mask, real-respondent mask or None when the data lack it)."""
    out: list[tuple[str, str, np.ndarray, np.ndarray | None]] = [
        (ALL, ALL, np.ones(units.height, bool), np.ones(micro.height, bool))
    ]
    for segment in segments:
        parts = segment.split("*")
        key = pl.concat_str([pl.col(p).cast(pl.Utf8) for p in parts], separator="*")
        personas = units.select(key).to_series().to_numpy()
        real = (
            micro.select(key).to_series().to_numpy() if all(p in features for p in parts) else None
        )
        for value in sorted(set(personas.tolist())):
            out.append(
                (segment, str(value), personas == value, None if real is None else real == value)
            )
    return out
