"""The ``town`` engine: the generative agents of a town run answer a questionnaire.

Each agent of the run folder (``synthsoc town run``) answers every question of the
questionnaire (single and multiple choice, Likert, numeric, open text) in character, from the
memories it retrieves for the question (what it saw, heard and said in the town) and its
self-description (name, age, sex, dong), through the model: one request per agent and
question, one batch per question, through the llm layer's cache and budget, in the same JSON
schema as the ``llm`` engine (interpretation, answer, reason; the reasons are written with the
answers). The respondents are the town's agents only: each stands for (residents of the dong,
all ages) / (agents in the questionnaire's universe), so shares describe the neighbourhood from
a handful to a few hundred people, and intervals cover that sampling only, not the model's
bias. An answer that stays malformed counts as non-response.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from synthsoc.agents import LLMJudge, load_checkpoint
from synthsoc.agents.checkpoint import embedder_of
from synthsoc.data.readers import ReadError
from synthsoc.survey.answers import QuestionAnswers, SurveyAnswers
from synthsoc.survey.llm_engine import answer_schema, parse_answers, question_body
from synthsoc.survey.notes import Note
from synthsoc.survey.questionnaire import Questionnaire

if TYPE_CHECKING:
    from synthsoc.llm import LLM


class TownEngine:
    """Answers from the agents of the town run in ``run_dir``."""

    name = "town"

    def __init__(self, run_dir: Path, llm: LLM, *, max_tokens: int = 220) -> None:
        self.run_dir = Path(run_dir)
        self.llm = llm
        self.max_tokens = max_tokens

    def answer(
        self, questionnaire: Questionnaire, respondents: pl.DataFrame, *, seed: int
    ) -> SurveyAnswers:
        try:
            town = load_checkpoint(self.run_dir, embedder_of(self.run_dir), LLMJudge(self.llm))
        except (FileNotFoundError, ValueError) as error:
            raise ReadError(f"--town {self.run_dir}: {error}") from error
        agents = respondents.filter(pl.col("person_id").is_in(town.ids)).sort("person_id")
        if agents.height == 0:
            raise ReadError(
                f"{self.run_dir}: none of the town's {len(town.ids)} agents is in this "
                "population's respondents (another population, or all outside the universe "
                f"{questionnaire.min_age}..{questionnaire.max_age or ''})"
            )
        pids = [int(p) for p in agents["person_id"]]
        questions: dict[str, QuestionAnswers] = {}
        for q in questionnaire.questions:
            query = q.text.ko if q.context is None else f"{q.context.ko} {q.text.ko}"
            answers = town.survey_many(pids, query, question_body(q), answer_schema(q),
                                       self.max_tokens)
            questions[q.id] = replace(parse_answers(q, answers), source="town agents")
        share = (town.hood.background_persons + len(town.ids)) / agents.height
        units = agents.with_columns(pl.lit(share).alias("weight"))
        notes = [
            Note(
                f"answers: the {agents.height} agents of town run {self.run_dir} "
                f"({town.hood.emd_name}) in the questionnaire's universe answered through "
                f"{self.llm.name} from their retrieved memories; each stands for {share:.1f} "
                "residents of the dong (all ages); intervals cover the sampling of agents only, "
                "not the model's own bias",
                f"응답: 마을 실행 {self.run_dir}({town.hood.emd_name})의 조사 대상 에이전트 "
                f"{agents.height}명이 떠올린 기억을 바탕으로 {self.llm.name} 모델로 답했습니다. "
                f"에이전트 한 명이 이 동 주민(전 연령) {share:.1f}명을 대표하며, 구간은 "
                "에이전트 표본의 불확실성만 반영하고 모델 자체의 편향은 반영하지 않습니다.",
            )
        ]
        return SurveyAnswers(
            engine=self.name,
            units=units,
            questions=questions,
            diagnostics={"agents": agents.height, "malformed_answers": town.judge.failures},
            notes=notes,
        )
