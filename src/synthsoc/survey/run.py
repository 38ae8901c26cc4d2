"""Run a questionnaire on a population with one engine: respondents -> answers -> results."""

from __future__ import annotations

from synthsoc.survey.answers import ResponseEngine
from synthsoc.survey.questionnaire import Questionnaire, QuestionnaireError
from synthsoc.survey.respondents import respondent_frame
from synthsoc.survey.results import SurveyResult, population_groups, summarise
from synthsoc.synth import Population


def run_survey(
    questionnaire: Questionnaire,
    population: Population,
    engine: ResponseEngine,
    *,
    seed: int = 0,
    level: float = 0.95,
    n_boot: int = 1000,
) -> SurveyResult:
    """Ask ``questionnaire`` of ``population`` through ``engine``; results by segment."""
    respondents = respondent_frame(
        population, min_age=questionnaire.min_age, max_age=questionnaire.max_age
    )
    if respondents.height == 0:
        raise QuestionnaireError(
            f"{questionnaire.source}: nobody in the population is aged "
            f"{questionnaire.min_age}..{questionnaire.max_age or ''} (the universe)"
        )
    missing = [a for a in questionnaire.segment_attributes if a not in respondents.columns]
    if missing:
        raise QuestionnaireError(
            f"{questionnaire.source}: segments {missing} are persona attributes and the "
            f"population has no personas.parquet (run `synthsoc personas` on it first)"
        )
    answers = engine.answer(questionnaire, respondents, seed=seed)
    result = summarise(
        answers,
        questionnaire.segments,
        questionnaire_id=questionnaire.id,
        level=level,
        n_boot=n_boot,
        seed=seed,
        population_groups=population_groups(respondents, questionnaire.segments),
    )
    result.meta.update(
        {
            "population": None if population.path is None else str(population.path),
            "n_respondents": respondents.height,
            "universe": {"min_age": questionnaire.min_age, "max_age": questionnaire.max_age},
            "segments": list(questionnaire.segments),
        }
    )
    return result
