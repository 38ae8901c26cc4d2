"""The ``hybrid`` engine: LLM answers recalibrated toward real survey data where it exists.

Personas answer through the LLM (:class:`LLMEngine`); the calibrated engine answers the same
questionnaire from microdata or tables. For each question both answer, the sampled personas'
answers are reweighted to the distribution closest to them (in KL divergence) whose answer
shares, by every attribute the calibrated model knows, equal the calibrated model's shares for
the population (:func:`synthsoc.survey.tables.fit_maxent` with the LLM answers as the seed).
What the LLM adds is kept where the data are silent (differences among personas within an
attribute cell); where the data speak, the data win. Questions without data stay pure LLM.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from synthsoc.survey.answers import QuestionAnswers, SurveyAnswers
from synthsoc.survey.calibrated import CalibratedEngine
from synthsoc.survey.diagnostics import response_style
from synthsoc.survey.llm_engine import LLMEngine
from synthsoc.survey.questionnaire import Questionnaire
from synthsoc.survey.tables import Margin, fit_maxent


@dataclass
class HybridEngine:
    llm_engine: LLMEngine
    calibrated: CalibratedEngine
    smoothing: float = 0.5
    name: str = field(default="hybrid", init=False)

    def answer(
        self, questionnaire: Questionnaire, respondents: pl.DataFrame, *, seed: int
    ) -> SurveyAnswers:
        llm = self.llm_engine.answer(questionnaire, respondents, seed=seed)
        cal = self.calibrated.answer(questionnaire, respondents, seed=seed)
        attributes = [c for c in cal.units.columns if c != "weight"]
        cal_w = cal.units["weight"].to_numpy()
        questions: dict[str, QuestionAnswers] = {}
        styles: dict[str, object] = {}
        shifts: dict[str, float] = {}
        for qid, qa in llm.questions.items():
            if (
                qid not in cal.questions
                or not qa.categories
                or qa.question.type == "multiple_choice"
            ):
                questions[qid] = qa
                continue
            cq = cal.questions[qid]
            ok = qa.answered
            if not ok.any():
                questions[qid] = qa
                continue
            weights = llm.units["weight"].to_numpy()[ok]
            overall = (weights[:, None] * qa.probs[ok]).sum(axis=0) / weights.sum()
            k = len(qa.categories)
            seed_probs = (qa.probs[ok] + self.smoothing * (overall + 0.5 / k) / 1.5) / (
                1.0 + self.smoothing
            )
            margins = []
            for attr in attributes:
                levels = sorted(set(cal.units[attr].cast(pl.Utf8).to_list()))
                index = {v: i for i, v in enumerate(levels)}
                cal_group = np.array([index[v] for v in cal.units[attr].cast(pl.Utf8).to_list()])
                mass = np.bincount(cal_group, cal_w, len(levels))
                targets = np.zeros((len(levels), k))
                np.add.at(targets, cal_group, cq.probs * cal_w[:, None])
                targets /= np.maximum(mass, 1e-12)[:, None]
                unit_values = llm.units[attr].cast(pl.Utf8).to_list()
                group = np.array([index.get(v, -1) for i, v in enumerate(unit_values) if ok[i]])
                margins.append(Margin(attr, group, targets))
            if margins:
                fitted, _ = fit_maxent(
                    weights, margins, base_logits=np.log(seed_probs), max_iter=500
                )
            else:
                fitted = seed_probs
            probs = qa.probs.copy()
            probs[ok] = fitted
            reference = (cal_w[:, None] * cq.probs).sum(axis=0) / cal_w.sum()
            shifts[qid] = round(float(0.5 * np.abs(overall - reference).sum()), 4)
            if qa.question.is_ordinal:
                styles[qid] = response_style(qa.probs[ok], weights, reference)
            questions[qid] = QuestionAnswers(
                question=qa.question,
                categories=qa.categories,
                probs=probs,
                answered=qa.answered,
                source=f"llm recalibrated to {cq.source}",
                values=qa.values,
                texts=qa.texts,
                reasons=qa.reasons,
            )
        diagnostics = dict(llm.diagnostics)
        diagnostics["llm_vs_data_tvd_before_recalibration"] = shifts
        diagnostics["llm_response_style_vs_data"] = styles
        notes = [
            *llm.notes,
            *cal.notes,
            "hybrid: LLM answers raked to the calibrated shares by " + ", ".join(attributes),
        ]
        return SurveyAnswers("hybrid", llm.units, questions, {}, diagnostics, notes)
