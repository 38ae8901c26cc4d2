"""A survey run on each of the K posterior populations of a folder, combined.

``synthsoc populate --draws K`` writes ``posterior_draws.parquet`` beside the base persons
(:mod:`synthsoc.synth.posterior_draws`). Here the questionnaire is asked of each draw's
population with the same engine and seed; every share's K estimates and the engine's own
variance on each (its interval read as normal: ``((high - low) / (2 z))**2``) are combined by
:func:`synthsoc.synth.over_draws.combine_over_draws`, which reports how much of the total
variance the population's uncertainty contributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scipy.stats import norm

from synthsoc.survey.answers import ResponseEngine
from synthsoc.survey.questionnaire import Questionnaire
from synthsoc.survey.run import run_survey
from synthsoc.synth import Population
from synthsoc.synth.over_draws import combine_over_draws
from synthsoc.synth.posterior_draws import DRAWS_FILE, draw_persons, n_draws

KEY = ("question", "segment", "group", "category")


@dataclass
class DrawsSurveyResult:
    """Combined rows (one per question x segment x group x category) and the per-draw rows."""

    rows: list[dict[str, Any]]
    per_draw: list[list[dict[str, Any]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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
    """Ask ``questionnaire`` of every posterior population; shares with combined intervals."""
    if draws_path is None:
        if population.path is None:
            raise ValueError("population has no folder; give draws_path")
        draws_path = population.path / DRAWS_FILE
    draws_path = Path(draws_path)
    if not draws_path.is_file():
        raise ValueError(f"{draws_path}: no posterior draws (run `synthsoc populate --draws K`)")
    k_total = n_draws(draws_path)
    z = float(norm.ppf(0.5 + level / 2.0))
    per_draw: list[list[dict[str, Any]]] = []
    for k in range(1, k_total + 1):
        drawn = Population(draw_persons(population.persons, draws_path, k),
                           population.households, population.regions, population.manifest,
                           population.path)
        result = run_survey(questionnaire, drawn, engine, seed=seed, level=level,
                            n_boot=n_boot)
        per_draw.append(result.rows)
    rows: list[dict[str, Any]] = []
    skipped = 0
    for i, first in enumerate(per_draw[0]):
        same = [d[i] for d in per_draw]
        if any(tuple(r[c] for c in KEY) != tuple(first[c] for c in KEY) for r in same):
            raise ValueError(f"{draws_path}: draws gave different result rows at {i}")
        if any(r["share"] is None or r["ci_low"] is None or r["ci_high"] is None
               for r in same):
            skipped += 1
            continue
        combined = combine_over_draws(
            [float(r["share"]) for r in same],
            [((float(r["ci_high"]) - float(r["ci_low"])) / (2.0 * z)) ** 2 for r in same],
            level=level)
        rows.append({
            **{c: first[c] for c in KEY},
            "share": round(combined.estimate, 6),
            "ci_low": round(max(0.0, combined.low), 6),
            "ci_high": round(min(1.0, combined.high), 6),
            "engine_variance": combined.within,
            "population_variance": combined.between,
            "population_share_of_variance": round(combined.population_share, 4),
            "draws": combined.draws,
        })
    notes = [f"{k_total} posterior populations ({draws_path.name}); intervals combine the "
             "engine's own (read as normal from its interval) with the spread across "
             "populations by Rubin's rules"]
    if skipped:
        notes.append(f"{skipped} rows without a share or interval in some draw are left out")
    return DrawsSurveyResult(rows=rows, per_draw=per_draw, notes=notes)
