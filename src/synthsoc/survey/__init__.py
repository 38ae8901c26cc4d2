"""Layer: survey. Questionnaires, response engines and results by segment.

``load_questionnaire`` reads a YAML questionnaire; an engine (``CalibratedEngine``,
``LLMEngine``, ``HybridEngine``) answers it for a population's respondents; ``run_survey``
returns a ``SurveyResult`` of shares by segment with intervals; ``write_outputs`` writes JSON,
CSV and a Markdown report with charts.
"""

from synthsoc.survey.answers import QuestionAnswers, ResponseEngine, SurveyAnswers
from synthsoc.survey.calibrated import CalibratedEngine, CalibrationError
from synthsoc.survey.concept_test import run_concept_test
from synthsoc.survey.hybrid import HybridEngine
from synthsoc.survey.llm_engine import LLMEngine
from synthsoc.survey.questionnaire import (
    Question,
    Questionnaire,
    QuestionnaireError,
    load_questionnaire,
    parse_questionnaire,
)
from synthsoc.survey.report import write_outputs
from synthsoc.survey.results import SurveyResult, summarise
from synthsoc.survey.run import run_survey

__all__ = [
    "CalibratedEngine",
    "CalibrationError",
    "HybridEngine",
    "LLMEngine",
    "Question",
    "QuestionAnswers",
    "Questionnaire",
    "QuestionnaireError",
    "ResponseEngine",
    "SurveyAnswers",
    "SurveyResult",
    "load_questionnaire",
    "parse_questionnaire",
    "run_concept_test",
    "run_survey",
    "summarise",
    "write_outputs",
]
