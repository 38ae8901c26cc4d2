"""A sweep: a grid of scenario parameters x replicates, run as one job on any executor.

Sweep file (YAML)::

    params:                 # model parameters of the scenario; each a list of values
      initial_belief: [0.3, 0.5, 0.56]
      news_noise: [0.0, 0.3]
    replicates: 10          # optional; the command's --replicates otherwise

The grid is the product of the lists, in file order (the last parameter varies fastest). Every
grid point is validated by the scenario's typed parameters before anything runs
(:meth:`Scenario.with_params`), so a misspelt parameter or a value out of range stops the sweep
with the file and key named.

Seeding: replicate ``r`` of every grid point uses the r-th seed of
``numpy.random.SeedSequence(seed).spawn(replicates)``, the seeds ``synthsoc simulate
--replicates R --seed S`` uses (common random numbers across the grid): a grid point gives
exactly what a single run with its parameters gives, whatever the executor.

The work units are (grid point, replicate) pairs; the world (agents, network and every derived
structure the grid's scenarios prepare) is built once, here, and shared by the executor (forked
processes, or Ray's object store). Each finished grid point is appended at once to
``points.jsonl`` (one JSON line, flushed and synced); a resumed sweep reads it back and runs only
the grid points not there.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synthsoc.atomic import write_text
from synthsoc.data.readers import read_yaml
from synthsoc.executor import Executor
from synthsoc.sim.params import ScenarioError, check_keys
from synthsoc.sim.replicates import replicate_seeds
from synthsoc.sim.scenario import Scenario
from synthsoc.sim.world import World

POINTS_FILE = "points.jsonl"
SWEEP_KEYS: tuple[str, ...] = ("params", "replicates")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the grid's parameter names, their values and one scenario per point."""

    names: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]
    points: tuple[Scenario, ...]
    replicates: int | None
    source: str

    def point_params(self, index: int) -> dict[str, Any]:
        combo = list(itertools.product(*self.values))[index]
        return dict(zip(self.names, combo, strict=True))


def sweep_from_dict(data: Any, scenario: Scenario, source: str) -> Sweep:
    """Validate a parsed sweep file against ``scenario``; errors name the file and key."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a sweep must be a mapping with 'params'")
    check_keys(data, list(SWEEP_KEYS), source, sep=": ")
    grid = data.get("params")
    if not isinstance(grid, dict) or not grid:
        raise ScenarioError(f"{source}: params must map parameter names to lists of values")
    names: list[str] = []
    values: list[tuple[Any, ...]] = []
    for name, options in grid.items():
        if not isinstance(options, list) or not options:
            raise ScenarioError(
                f"{source}: params.{name}: expected a non-empty list of values, got {options!r}"
            )
        names.append(str(name))
        values.append(tuple(options))
    replicates = data.get("replicates")
    if replicates is not None and (
        isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1
    ):
        raise ScenarioError(f"{source}: replicates must be a positive integer, got {replicates!r}")
    if scenario.delegation.mode != "none":
        raise ScenarioError(
            f"{source}: scenario {scenario.name!r} delegates decisions to a language model "
            f"({scenario.delegation.mode}); sweeps run scenarios without delegation"
        )
    points = []
    for combo in itertools.product(*values):
        changes = dict(zip(names, combo, strict=True))
        try:
            point = scenario.with_params(**changes)
        except ScenarioError as error:
            raise ScenarioError(f"{source}: grid point {changes}: {error}") from None
        points.append(point)
    return Sweep(tuple(names), tuple(values), tuple(points), replicates, source)


def load_sweep(path: str | Path, scenario: Scenario) -> Sweep:
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: sweep file does not exist")
    return sweep_from_dict(read_yaml(path, ScenarioError), scenario, str(path))


@dataclass(frozen=True)
class SweepShared:
    """What every work unit reads: the world and the scenario of each grid point."""

    world: World
    points: tuple[Scenario, ...]
    seeds: tuple[np.random.SeedSequence, ...]


def _unit(shared: SweepShared, unit: tuple[int, int]) -> dict[str, dict[str, float]]:
    """One replicate of one grid point: its outcomes and totals (small, to keep transfers
    cheap)."""
    point, replicate = unit
    scenario = shared.points[point]
    scenario.prepare(shared.world)  # memoised on the world: built before it was shared
    output = scenario.run(shared.world, np.random.default_rng(shared.seeds[replicate]))
    return {"outcomes": dict(output.outcomes), "totals": dict(output.totals)}


@dataclass
class PointResult:
    """A finished grid point: its parameters and each outcome's and total's replicate values."""

    point: int
    params: dict[str, Any]
    outcomes: dict[str, list[float]]
    totals: dict[str, list[float]]

    def to_json(self) -> str:
        return json.dumps(
            {"point": self.point, "params": self.params, "outcomes": self.outcomes,
             "totals": self.totals}, ensure_ascii=False,
        )


@dataclass(frozen=True)
class SweepRun:
    """Every grid point's result, in grid order, and what this call ran."""

    points: list[PointResult]
    points_run: int  # grid points run by this call
    points_resumed: int  # grid points read back from points.jsonl
    units_run: int  # (grid point, replicate) work units run by this call
    dropped_line: bool  # a torn last line of points.jsonl (an interrupted write) was dropped


def read_points(folder: Path, sweep: Sweep, replicates: int) -> tuple[list[PointResult], bool]:
    """Finished grid points recorded in ``folder/points.jsonl``; a torn last line (a write cut
    by a kill) is dropped and the file rewritten without it. A line that does not match the
    sweep is an error naming file and line."""
    path = folder / POINTS_FILE
    if not path.is_file():
        return [], False
    lines = path.read_text(encoding="utf-8").split("\n")
    complete, tail = lines[:-1], lines[-1]  # a finished line always ends with a newline
    found: list[PointResult] = []
    for number, line in enumerate(complete, start=1):
        try:
            entry = json.loads(line)
            result = PointResult(int(entry["point"]), dict(entry["params"]),
                                 dict(entry["outcomes"]), dict(entry["totals"]))
        except (ValueError, KeyError, TypeError) as error:
            raise ScenarioError(f"{path}, line {number}: not a sweep result ({error})") from None
        if not 0 <= result.point < len(sweep.points) or \
                result.params != sweep.point_params(result.point):
            raise ScenarioError(
                f"{path}, line {number}: grid point {result.point} {result.params} is not in "
                f"the sweep {sweep.source}"
            )
        if any(len(v) != replicates for v in result.outcomes.values()):
            raise ScenarioError(f"{path}, line {number}: not {replicates} replicates")
        found.append(result)
    dropped = tail.strip() != ""
    if dropped:
        log.warning("%s: dropped a partial last line (an interrupted write)", path)
        write_text(path, "".join(line + "\n" for line in complete))
    return found, dropped


def _append_line(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def run_sweep(
    sweep: Sweep,
    world: World,
    *,
    replicates: int,
    seed: int,
    executor: Executor,
    folder: Path,
    on_point: Callable[[PointResult, list[PointResult]], None] | None = None,
) -> SweepRun:
    """Run the grid points not yet in ``folder/points.jsonl`` and append each as it finishes;
    ``on_point(point, finished)`` is then called with every grid point finished so far."""
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    done, dropped = read_points(folder, sweep, replicates)
    finished = {p.point: p for p in done}
    todo = [i for i in range(len(sweep.points)) if i not in finished]
    for i in todo:  # derived structures are built once here and travel with the world
        sweep.points[i].prepare(world)
    units = [(i, r) for i in todo for r in range(replicates)]
    pending: dict[int, dict[int, dict[str, dict[str, float]]]] = {i: {} for i in todo}

    def collect(k: int, result: dict[str, dict[str, float]]) -> None:
        point, replicate = units[k]
        pending[point][replicate] = result
        if len(pending[point]) < replicates:
            return
        by_replicate = pending.pop(point)
        runs = [by_replicate[r] for r in range(replicates)]
        entry = PointResult(
            point,
            sweep.point_params(point),
            _columns(runs, "outcomes"),
            _columns(runs, "totals"),
        )
        _append_line(folder / POINTS_FILE, entry.to_json())
        finished[point] = entry
        if on_point is not None:
            on_point(entry, [finished[i] for i in sorted(finished)])

    if units:
        shared = SweepShared(world, sweep.points, tuple(replicate_seeds(seed, replicates)))
        executor.map(_unit, units, shared=shared, on_result=collect)
    return SweepRun(
        points=[finished[i] for i in range(len(sweep.points))],
        points_run=len(todo),
        points_resumed=len(done),
        units_run=len(units),
        dropped_line=dropped,
    )


def _columns(runs: list[dict[str, dict[str, float]]], part: str) -> dict[str, list[float]]:
    names = list(runs[0][part])
    return {name: [float(run[part][name]) for run in runs] for name in names}


def sweep_identity(
    sweep: Sweep, scenario: Scenario, *, replicates: int, seed: int,
    population: Mapping[str, Any],
) -> dict[str, Any]:
    """What a sweep's results depend on; a folder is resumed only when this is unchanged."""
    return {
        "scenario": scenario.name,
        "model": scenario.model,
        "steps": scenario.steps,
        "params": scenario.resolved_params(),
        "events": list(scenario.events),
        "grid": {name: list(v) for name, v in zip(sweep.names, sweep.values, strict=True)},
        "replicates": replicates,
        "seed": seed,
        "seeding": f"numpy.random.SeedSequence({seed}).spawn({replicates}), same at every point",
        "population": dict(population),
    }
