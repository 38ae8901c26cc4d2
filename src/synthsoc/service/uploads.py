"""Uploaded questionnaires, pilot CSVs, column maps, published tables and their label maps:
size-limited, stored under the run's
own inputs folder with fixed names, and checked by the same readers as the command line, so
an upload is refused with the command line's error (file, row, column, value) before any job
starts. The server's folder never appears in a message: it is replaced by the uploaded name."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi import UploadFile

from synthsoc.atomic import write_bytes
from synthsoc.data.readers import ReadError
from synthsoc.policy.reform import ReformError, ReformSpec, load_reform
from synthsoc.survey import CalibratedEngine, CalibrationError, Questionnaire, QuestionnaireError
from synthsoc.survey import load_questionnaire as read_questionnaire
from synthsoc.survey.calibrated import answer_matrix
from synthsoc.survey.mapping import DataMap, MappedMicrodata, MappingError, load_data_map
from synthsoc.survey.respondents import respondent_frame
from synthsoc.survey.tables import TablesError
from synthsoc.synth import Population

CHUNK = 64 * 1024
SAFE_NAME = re.compile(r"[^A-Za-z0-9._\- 가-힣]")


class UploadError(ValueError):
    """An upload refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def shown_name(upload: UploadFile | None, default: str) -> str:
    """The uploaded file's name as shown in messages (no folders, odd characters replaced)."""
    name = Path((upload.filename if upload else None) or default).name or default
    return SAFE_NAME.sub("_", name)[:80]


async def store_upload(upload: UploadFile, target: Path, limit: int, field: str) -> None:
    """Copy an upload to ``target`` (read in chunks); refuse it when it passes ``limit``."""
    data = bytearray()
    while chunk := await upload.read(CHUNK):
        data.extend(chunk)
        if len(data) > limit:
            raise UploadError(
                f"{field} ({shown_name(upload, field)}): larger than the server's limit of "
                f"{limit:,} bytes", status=413)
    if not data:
        raise UploadError(f"{field} ({shown_name(upload, field)}): the file is empty")
    write_bytes(target, bytes(data))


def _shown(message: str, path: Path, name: str) -> str:
    return message.replace(str(path), name).replace(str(path.parent), "")


def check_questionnaire(path: Path, name: str) -> Questionnaire:
    try:
        return read_questionnaire(path)
    except QuestionnaireError as exc:
        raise UploadError(_shown(str(exc), path, name)) from None


def check_map(path: Path, name: str) -> DataMap:
    try:
        return load_data_map(path)
    except (MappingError, ReadError) as exc:
        raise UploadError(_shown(str(exc), path, name)) from None


def _mapped(engine: CalibratedEngine, questionnaire: Questionnaire, population: Population,
            shown: Callable[[str], str]) -> MappedMicrodata:
    """The respondents' data mapped as the calibrated engine will; its error, as ``shown``
    words it (the uploaded name, never the server's path), refuses the upload."""
    respondents = respondent_frame(population, min_age=questionnaire.min_age,
                                   max_age=questionnaire.max_age)
    try:
        mapped, _ = engine.respondent_data(questionnaire, respondents)
    except (CalibrationError, ReadError, MappingError) as exc:
        raise UploadError(shown(str(exc))) from None
    return mapped


def check_pilot(path: Path, name: str, questionnaire: Questionnaire, population: Population,
                data_map: DataMap | None) -> int:
    """Map the pilot's columns and answers as the calibrated engine will; returns its rows."""
    mapped = _mapped(CalibratedEngine(data=path, data_map=data_map), questionnaire, population,
                     lambda message: _shown(message, path, name))
    for question in questionnaire.questions:
        column = question.data_column or question.id
        if question.type == "open_text" or column not in mapped.frame.columns:
            continue
        answers = [str(v) for v in mapped.frame[column].drop_nulls().to_list()]
        try:
            answer_matrix(question, answers, path, column)
        except CalibrationError as exc:
            raise UploadError(_shown(str(exc), path, name)) from None
    if not mapped.features:
        raise UploadError(f"{name}: no column is a population attribute, so answers cannot be "
                          "poststratified; upload a map (columns: {COLUMN: ATTRIBUTE})")
    return int(mapped.frame.height)


def _shown_all(message: str, named: list[tuple[Path, str]]) -> str:
    for path, name in named:
        message = message.replace(str(path), name)
    for path, _ in named:
        message = message.replace(str(path.parent), "")
    return message


def check_tables(tables: Path, tables_name: str, label_map: Path, label_name: str,
                 questionnaire: Questionnaire, population: Population) -> None:
    """Fit the tables once as the job will (two draws instead of the job's), so that a bad
    table row, a group the label map lacks or a condition on no attribute is refused now,
    with the command line's message."""
    engine = CalibratedEngine(tables=tables, label_map=label_map, n_draws=2)
    respondents = respondent_frame(population, min_age=questionnaire.min_age,
                                   max_age=questionnaire.max_age)
    try:
        answers = engine.answer(questionnaire, respondents, seed=0)
    except (CalibrationError, TablesError, ReadError) as exc:
        raise UploadError(_shown_all(str(exc), [(tables, tables_name),
                                                 (label_map, label_name)])) from None
    if not answers.questions:
        raise UploadError(f"{tables_name}: answers none of the questions: "
                          + "; ".join(f"{k}: {v}" for k, v in answers.skipped.items()))


def check_kgss(questionnaire: Questionnaire, population: Population,
               years: tuple[int, int] | None) -> None:
    """Map the packaged KGSS onto the population as the job will: a question whose
    ``data_column`` is no KGSS item is refused with the command line's message."""
    mapped = _mapped(CalibratedEngine(kgss=True, kgss_years=years), questionnaire, population,
                     str)
    asked = [q.data_column or q.id for q in questionnaire.questions if q.type != "open_text"]
    if not any(column in mapped.frame.columns for column in asked):
        raise UploadError(
            f"kgss: no question names a packaged KGSS item (data_column: ITEM); asked "
            f"{asked}")


def check_reform(path: Path, name: str) -> ReformSpec:
    try:
        return load_reform(path)
    except ReformError as exc:
        raise UploadError(_shown(str(exc), path, name)) from None
