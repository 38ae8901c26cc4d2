"""A survey run on each of the K posterior populations of a folder, combined.

``synthsoc populate --draws K`` writes ``posterior_draws.parquet`` beside the base persons
(:mod:`synthsoc.synth.posterior_draws`). Here the questionnaire is asked of each draw's
population with the same engine and seed; every share's K estimates and the engine's own
variance on each (its interval read as normal: ``((high - low) / (2 z))**2``) are combined by
:func:`synthsoc.synth.over_draws.combine_over_draws`, which reports how much of the total
variance the population's uncertainty contributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scipy.stats import norm

from synthsoc.survey.answers import ResponseEngine
from synthsoc.survey.notes import Note
from synthsoc.survey.questionnaire import Questionnaire
from synthsoc.survey.results import SurveyResult
from synthsoc.survey.run import run_survey
from synthsoc.synth import Population
from synthsoc.synth.over_draws import combine_over_draws
from synthsoc.synth.posterior_draws import DRAWS_FILE, draw_persons, n_draws
from synthsoc.synth.small_area import SmallAreaError

KEY = ("question", "segment", "group", "category")


class DrawsError(ValueError):
    """The population folder's posterior draws cannot be surveyed (named file and reason)."""


@dataclass
class DrawsSurveyResult:
    """Combined rows (one per question x segment x group x category) and the per-draw rows.

    ``result`` is the survey result to write (:func:`synthsoc.survey.report.write_outputs`):
    draw 1's result with the combined rows in place of its own and the notes extended."""

    rows: list[dict[str, Any]]
    per_draw: list[list[dict[str, Any]]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    result: SurveyResult | None = None


def run_survey_over_draws(
    questionnaire: Questionnaire,
    population: Population,
    engine: ResponseEngine,
    *,
    draws_path: str | Path | None = None,
    seed: int = 0,
    level: float = 0.95,
    n_boot: int = 1000,
) -> DrawsSurveyResult:
    """Ask ``questionnaire`` of every posterior population; shares with combined intervals.

    Each combined row keeps draw 1's other fields (respondents, basis) with ``population``
    the mean over draws; a row without a share or interval in some draw is kept with none
    (basis ``too_few``) and counted in a note."""
    if draws_path is None:
        if population.path is None:
            raise DrawsError("population has no folder; give draws_path")
        draws_path = population.path / DRAWS_FILE
    draws_path = Path(draws_path)
    if not draws_path.is_file():
        raise DrawsError(f"{draws_path}: no posterior draws (run `synthsoc populate --draws K`)")
    k_total = n_draws(draws_path)
    if k_total < 2:
        raise DrawsError(f"{draws_path}: {k_total} draw(s); combining population uncertainty "
                         "needs at least 2 (`synthsoc populate --draws K` with K >= 2)")
    z = float(norm.ppf(0.5 + level / 2.0))
    per_draw: list[list[dict[str, Any]]] = []
    first_result: SurveyResult | None = None
    for k in range(1, k_total + 1):
        try:
            persons = draw_persons(population.persons, draws_path, k)
        except SmallAreaError as exc:
            raise DrawsError(str(exc)) from None
        drawn = Population(persons, population.households, population.regions, population.manifest,
                           population.path)
        result = run_survey(questionnaire, drawn, engine, seed=seed, level=level,
                            n_boot=n_boot)
        first_result = first_result or result
        per_draw.append(result.rows)
    rows: list[dict[str, Any]] = []
    skipped = 0
    for i, first in enumerate(per_draw[0]):
        same = [d[i] for d in per_draw]
        if any(len(d) != len(per_draw[0]) for d in per_draw) or any(
                tuple(r[c] for c in KEY) != tuple(first[c] for c in KEY) for r in same):
            raise DrawsError(f"{draws_path}: draws gave different result rows at {i} "
                             f"({'/'.join(str(first[c]) for c in KEY)})")
        row = {**first, "population": round(sum(float(r["population"]) for r in same)
                                            / len(same), 3), "draws": k_total}
        if any(r["share"] is None or r["ci_low"] is None or r["ci_high"] is None
               for r in same):
            skipped += 1
            rows.append({**row, "share": None, "ci_low": None, "ci_high": None,
                         "basis": "too_few", "engine_variance": None,
                         "population_variance": None, "population_share_of_variance": None})
            continue
        combined = combine_over_draws(
            [float(r["share"]) for r in same],
            [((float(r["ci_high"]) - float(r["ci_low"])) / (2.0 * z)) ** 2 for r in same],
            level=level)
        rows.append({
            **row,
            "share": round(combined.estimate, 6),
            "ci_low": round(max(0.0, combined.low), 6),
            "ci_high": round(min(1.0, combined.high), 6),
            "engine_variance": combined.within,
            "population_variance": combined.between,
            "population_share_of_variance": round(combined.population_share, 4),
        })
    notes = [Note(
        f"{k_total} posterior populations ({draws_path.name}); intervals combine the "
        "engine's own (read as normal from its interval) with the spread across "
        "populations by Rubin's rules; population_share_of_variance is the populations' "
        "share of the total variance, the rest is the engine's",
        f"모집단 사후 추출 {k_total}개({draws_path.name})에 각각 물었습니다. 구간은 응답 "
        "엔진 자체의 불확실성(구간을 정규분포로 읽음)과 모집단 사이의 차이를 루빈 규칙으로 "
        "합친 것입니다. '모집단 비중'은 전체 분산 가운데 모집단 불확실성의 몫이고, 나머지는 "
        "응답 엔진의 몫입니다.")]
    if skipped:
        notes.append(Note(
            f"{skipped} rows without a share or interval in some draw have no combined share",
            f"어느 사후 추출에서 비율이나 구간이 없는 행 {skipped}개는 결합 비율 없이 "
            "'표본 부족'으로 표시했습니다."))
    assert first_result is not None
    if first_result.numeric:
        notes.append(Note(
            f"{len(first_result.numeric)} numeric means are not combined over the draws and "
            "are left out",
            f"숫자 응답의 평균 {len(first_result.numeric)}개는 사후 추출에 걸쳐 결합하지 "
            "않았으므로 싣지 않았습니다."))
    combined_result = replace(
        first_result, rows=rows, numeric=[], notes=[*first_result.notes, *notes],
        meta={**first_result.meta, "posterior_draws": k_total,
              "draws_file": str(draws_path)})
    return DrawsSurveyResult(rows=rows, per_draw=per_draw, notes=notes, result=combined_result)
