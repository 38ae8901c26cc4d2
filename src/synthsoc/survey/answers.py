"""What every response engine returns, and the one interface engines share.

An engine answers for *units*: a unit is a group of identical respondents (the calibrated engine
answers per attribute cell, weighted by how many persons share it) or one sampled persona (the
LLM engine, weighted by the persons it stands for). Per question it gives each unit's answer
probabilities over the question's categories (one-hot for a sampled answer; for a multiple-choice
question, the probability that each option is chosen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import polars as pl

from synthsoc.survey.modelled import Uncovered
from synthsoc.survey.notes import Note
from synthsoc.survey.ppi import PPIEstimate
from synthsoc.survey.questionnaire import Question, Questionnaire


@dataclass
class QuestionAnswers:
    question: Question
    categories: tuple[str, ...]
    probs: np.ndarray  # (n_units, K)
    answered: np.ndarray  # (n_units,) bool: False where a unit gave no usable answer
    source: str
    draws: np.ndarray | None = None  # (B, n_units, K): model-uncertainty draws, when known
    values: np.ndarray | None = None  # numeric answers per unit (NaN where none)
    texts: tuple[str, ...] | None = None  # open-text answers per unit
    reasons: tuple[str, ...] | None = None  # the reason each unit gave, when asked
    # real respondents behind each segment value: segment -> group -> (n, effective n)
    support: dict[str, dict[str, tuple[int, float]]] | None = None
    basis: str | None = None  # fixed basis for every row ("assumed", "llm"), else from support
    # final estimates per (segment, group) when the engine computes them itself (hybrid PPI);
    # None for a group it cannot estimate (reported as too few)
    estimates: dict[tuple[str, str], PPIEstimate | None] | None = None
    # segment groups no data measured (:mod:`synthsoc.survey.modelled`): their rows are
    # ``modelled`` with 0 respondents, and their intervals add the group's own unknown effect
    uncovered: Uncovered | None = None


@dataclass
class SurveyAnswers:
    engine: str
    units: pl.DataFrame  # segment attributes + "weight" (persons each unit stands for)
    questions: dict[str, QuestionAnswers]
    skipped: dict[str, Note] = field(default_factory=dict)  # question id -> why not answered
    diagnostics: dict[str, Any] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)  # English, with the Korean in .ko


class ResponseEngine(Protocol):
    """Answers a questionnaire for a respondent frame (see :mod:`synthsoc.survey.respondents`)."""

    name: str

    def answer(
        self, questionnaire: Questionnaire, respondents: pl.DataFrame, *, seed: int
    ) -> SurveyAnswers: ...


def cell_units(respondents: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, np.ndarray]:
    """Distinct combinations of ``columns`` with their person counts, and each person's unit."""
    if not columns:
        units = pl.DataFrame({"weight": [float(respondents.height)]})
        return units, np.zeros(respondents.height, dtype=np.int64)
    keyed = respondents.select(columns).with_row_index("_row")
    units = (
        keyed.group_by(columns, maintain_order=False)
        .agg(pl.len().cast(pl.Float64).alias("weight"))
        .sort(columns)
        .with_row_index("_unit")
    )
    mapping = keyed.join(units.select([*columns, "_unit"]), on=columns, how="left").sort("_row")
    return units.drop("_unit"), mapping["_unit"].to_numpy().astype(np.int64)
