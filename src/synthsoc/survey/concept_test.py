"""The demo concept test: two product concepts asked of a population, by age group and region.

The questionnaire and its answer model ship with the package (``survey/data/``, the same files
as ``examples/``). The answer model is the aggregate-tables mode fitted to
``concept_test_tables_ILLUSTRATIVE.csv``: shares **invented for the demo** by a formula, in the
shape a KOSIS export has. They are not survey data; replace them with real published tables
(or microdata) for real use. Every output says so.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from synthsoc.atomic import check_output_folder
from synthsoc.survey.calibrated import CalibratedEngine
from synthsoc.survey.notes import Note
from synthsoc.survey.questionnaire import Questionnaire, load_questionnaire
from synthsoc.survey.report import write_outputs
from synthsoc.survey.results import SurveyResult
from synthsoc.survey.run import run_survey
from synthsoc.synth import load_population

ILLUSTRATIVE_NOTE = Note(
    "ILLUSTRATIVE: the answer model of this concept test is fitted to invented tables "
    "(concept_test_tables_ILLUSTRATIVE.csv), not to survey data",
    "ILLUSTRATIVE(예시): 이 콘셉트 테스트의 응답 모형은 조사 자료가 아니라 지어낸 표"
    "(concept_test_tables_ILLUSTRATIVE.csv)에 적합한 것입니다.",
)

# on every output people read (report, chart titles) and in every CSV row and JSON
ILLUSTRATIVE_BANNER = "ILLUSTRATIVE (예시: 지어낸 응답 모형, 실제 조사 자료 아님)"


def concept_test_files() -> tuple[Path, Path, Path]:
    """Paths of the packaged questionnaire, illustrative tables and label map."""
    folder = Path(str(resources.files("synthsoc.survey") / "data"))
    return (
        folder / "concept_test.yaml",
        folder / "concept_test_tables_ILLUSTRATIVE.csv",
        folder / "concept_test_labels.yaml",
    )


def run_concept_test(
    population: str | Path, out: str | Path, *, seed: int = 0, n_draws: int = 30,
    force: bool = False,
) -> tuple[Questionnaire, SurveyResult]:
    """Run the demo concept test on a population folder and write results to ``out``."""
    questionnaire_path, tables, labels = concept_test_files()
    check_output_folder(out, kind="survey", inputs=[population], force=force)
    questionnaire = load_questionnaire(questionnaire_path)
    engine = CalibratedEngine(tables=tables, label_map=labels, n_draws=n_draws)
    result = run_survey(questionnaire, load_population(population), engine, seed=seed)
    result.notes.insert(0, ILLUSTRATIVE_NOTE)
    write_outputs(result, questionnaire, Path(out), banner=ILLUSTRATIVE_BANNER, force=force)
    return questionnaire, result
