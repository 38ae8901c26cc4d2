"""`synthsoc simulate SCENARIO --sweep FILE`: a grid of parameters x replicates into one folder.

The folder follows issue 8's rules (:mod:`synthsoc.atomic`): it is created (or a previous sweep
replaced) in one step holding ``sweep.json`` (what the results depend on) and an empty
``points.jsonl``; finished grid points are appended as they arrive and ``outcomes.csv`` (one row
per grid point and outcome, with its verdict) is rewritten atomically after each one. Run again
with the same arguments after an interruption and only the missing grid points run; with other
arguments the previous sweep is replaced.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from synthsoc.atomic import (
    check_output_folder,
    claim_files,
    read_marker,
    staged_directory,
    write_json,
    write_text,
)
from synthsoc.evaluate.sweep_table import sweep_table
from synthsoc.executor import Executor, ExecutorSpec, executor
from synthsoc.hashing import files_digest
from synthsoc.sim.run import load_world
from synthsoc.sim.scenario import Scenario
from synthsoc.sim.sweep import (
    POINTS_FILE,
    PointResult,
    Sweep,
    load_sweep,
    run_sweep,
    sweep_identity,
)

OUTPUT_KIND = "sweep"
SPEC_FILE = "sweep.json"
TABLE_FILE = "outcomes.csv"
SUMMARY_FILE = "summary.json"
console = Console(stderr=True)


def _same_sweep(out: Path, identity: dict[str, Any]) -> bool:
    marker = read_marker(out)
    if marker is None or marker.get("kind") != OUTPUT_KIND or not (out / SPEC_FILE).is_file():
        return False
    try:
        return bool(json.loads((out / SPEC_FILE).read_text(encoding="utf-8")) == identity)
    except (OSError, ValueError):
        return False


def run_sweep_folder(
    scenario: Scenario,
    sweep_file: Path,
    population: Path,
    out: Path,
    *,
    replicates: int,
    seed: int,
    spec: ExecutorSpec,
    force: bool = False,
) -> dict[str, Any]:
    """Run (or resume) the sweep into ``out``; returns the summary written there."""
    t0 = time.perf_counter()
    sweep = load_sweep(sweep_file, scenario)
    reps = sweep.replicates or replicates
    inputs = [population, sweep_file,
              scenario.source if Path(scenario.source or "-").is_file() else None]
    check_output_folder(out, kind=OUTPUT_KIND, inputs=inputs, force=force)
    pop_files = files_digest(population / n for n in ("persons.parquet", "households.parquet"))
    identity = sweep_identity(sweep, scenario, replicates=reps, seed=seed,
                              population={"folder": str(population), **pop_files})
    with executor(spec) as ex:  # an unreachable cluster stops here, before anything is written
        return _run(ex, scenario, sweep, identity, population, out, inputs, reps, seed, force, t0)


def _run(
    ex: Executor, scenario: Scenario, sweep: Sweep, identity: dict[str, Any], population: Path,
    out: Path, inputs: list[Any], reps: int, seed: int, force: bool, t0: float,
) -> dict[str, Any]:
    if not _same_sweep(out, identity):
        with staged_directory(out, kind=OUTPUT_KIND, inputs=inputs, force=force) as folder:
            write_json(folder / SPEC_FILE, identity)
            write_text(folder / POINTS_FILE, "")
    world = load_world(population, seed=seed)
    t1 = time.perf_counter()

    def write_table(points: list[PointResult]) -> None:
        write_text(out / TABLE_FILE, sweep_table(scenario, points, seed=seed).write_csv())

    def on_point(point: PointResult, finished: list[PointResult]) -> None:
        write_table(finished)
        console.print(f"grid point {point.point + 1}/{len(sweep.points)} {point.params}")

    claim_files(out, OUTPUT_KIND, [TABLE_FILE, SUMMARY_FILE])
    run = run_sweep(sweep, world, replicates=reps, seed=seed, executor=ex, folder=out,
                    on_point=on_point)
    write_table(run.points)
    summary = {
        "sweep": identity,
        "grid_points": len(sweep.points),
        "points_run": run.points_run,
        "points_resumed": run.points_resumed,
        "units_run": run.units_run,
        "dropped_partial_line": run.dropped_line,
        "executor": ex.description,
        "timings_s": {"world_s": t1 - t0, "sweep_s": time.perf_counter() - t1},
        "files": [SPEC_FILE, POINTS_FILE, TABLE_FILE, SUMMARY_FILE],
    }
    write_json(out / SUMMARY_FILE, summary)
    return summary
