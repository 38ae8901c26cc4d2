"""A scenario's replicates on each of the K posterior populations of a folder, combined.

``synthsoc populate --draws K`` writes ``posterior_draws.parquet``: per-person draws of
education, marital status, economic activity and occupation. Of these the agents use economic
activity and occupation (``employed`` places a person in a workplace of the ``work`` network
layer, by occupation group); education and marital status reach the language model's persona
descriptions only. The behavioural traits agents read (:data:`synthsoc.sim.agents.
PERSONA_TRAITS`) are drawn from age, sex and other traits, none from a drawn attribute, so
the folder's one ``personas.parquet`` serves every draw.

Draw ``k``'s world is built from its persons with the same seed (its network rebuilt), and the
scenario's R replicates run on it with the same seeds on every draw (common random numbers:
differences between draws are the population's, not the replicates' streams). For each outcome,
draw ``k``'s estimate is the mean over its replicates and the engine's own variance of that
estimate is the squared standard error ``s_k^2 / R``; :func:`synthsoc.synth.over_draws.
combine_over_draws` combines the K of them (Rubin's rules) and says how much of the total
variance the population's uncertainty contributes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synthsoc.sim.replicates import ReplicateRunner
from synthsoc.sim.run import load_world, simulate
from synthsoc.sim.scenario import Scenario
from synthsoc.synth import PopulationFolderError
from synthsoc.synth.over_draws import CombinedEstimate, combine_over_draws
from synthsoc.synth.posterior_draws import DRAWS_FILE, n_draws


@dataclass(frozen=True)
class DrawOutcomes:
    """One draw's replicate values of every outcome."""

    draw: int
    values: dict[str, np.ndarray]  # outcome -> one value per replicate
    agents: int
    employed: int


@dataclass(frozen=True)
class OverDrawsRun:
    """Every outcome combined over the draws, with the per-draw values it came from."""

    scenario: Scenario
    replicates: int
    seed: int
    per_draw: list[DrawOutcomes]
    combined: dict[str, CombinedEstimate]
    level: float
    draws_file: Path
    notes: list[str]

    def rows(self) -> list[dict[str, float | int | str]]:
        """One row per outcome: the combined estimate, its interval and the variance shares."""
        out: list[dict[str, float | int | str]] = []
        for name, c in self.combined.items():
            out.append({
                "outcome": name, "estimate": c.estimate, "ci_low": c.low, "ci_high": c.high,
                "level": self.level, "within_variance": c.within,
                "between_variance": c.between, "total_variance": c.total,
                "population_share": c.population_share,
                "engine_share": 1.0 - c.population_share if c.total > 0 else 0.0,
                "dof": c.dof, "draws": c.draws, "replicates": self.replicates,
            })
        return out

    def per_draw_rows(self) -> list[dict[str, float | int | str]]:
        """One row per draw and outcome: the replicate mean and its squared standard error."""
        return [{"draw": d.draw, "outcome": name, "mean": float(v.mean()),
                 "within_variance": _within(v), "replicates": int(v.size),
                 "agents": d.agents, "employed": d.employed}
                for d in self.per_draw for name, v in d.values.items()]


def _within(values: np.ndarray) -> float:
    """The replicates' variance of their mean: s^2 / R."""
    return float(values.var(ddof=1) / values.size)


def simulate_over_draws(
    scenario: Scenario,
    population: str | Path,
    *,
    replicates: int,
    seed: int = 0,
    level: float = 0.95,
    runner: Callable[[], ReplicateRunner | None] = lambda: None,
    on_draw: Callable[[int, int], None] | None = None,
) -> OverDrawsRun:
    """Run ``scenario`` ``replicates`` times on every posterior population of ``population``.

    ``runner()`` gives each draw's replicate runner (None: this process); ``on_draw(k, K)`` is
    called after draw ``k``."""
    folder = Path(population)
    draws_path = folder / DRAWS_FILE
    if not draws_path.is_file():
        raise PopulationFolderError(
            f"{draws_path}: no posterior draws (run `synthsoc populate --draws K`)")
    if replicates < 2:
        raise ValueError(f"--replicates {replicates}: the engine's own variance on each draw "
                         "needs at least 2 replicates")
    k_total = n_draws(draws_path)
    if k_total < 2:
        raise ValueError(f"{draws_path}: {k_total} draw(s); combining population uncertainty "
                         "needs at least 2 (`synthsoc populate --draws K` with K >= 2)")
    per_draw: list[DrawOutcomes] = []
    for k in range(1, k_total + 1):
        world = load_world(folder, seed=seed, draw=k)
        run = simulate(scenario, world, replicates=replicates, seed=seed, runner=runner())
        per_draw.append(DrawOutcomes(k, run.outcome_values(), world.agents.n,
                                     int(world.agents.employed.sum())))
        if on_draw is not None:
            on_draw(k, k_total)
    combined = {}
    notes = [f"{k_total} posterior populations ({draws_path.name}), {replicates} replicates "
             "each with the same seeds; intervals combine the replicates' variance of the mean "
             "with the spread across populations by Rubin's rules"]
    for name in per_draw[0].values:
        values = [d.values[name] for d in per_draw]
        bad = [d.draw for d, v in zip(per_draw, values, strict=True) if not np.isfinite(v).all()]
        if bad:
            notes.append(f"outcome {name}: left out, a replicate value is not finite in "
                         f"draw(s) {bad}")
            continue
        combined[name] = combine_over_draws([float(v.mean()) for v in values],
                                            [_within(v) for v in values], level=level)
    return OverDrawsRun(scenario, replicates, seed, per_draw, combined, level, draws_path,
                        notes)
