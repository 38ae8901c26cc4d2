"""Execution backends (issue 13): a sweep and persona building on 1 and 2 local workers and on
Ray, and the overhead of one task on each backend.

* sweep: ``bank_run`` (30 steps) over a 2 x 2 grid x 6 replicates (24 work units) on the
  stand-in population of ``bench_sim_population.py``; the world is built once, outside the timing.
* personas: ``write_personas`` of a stand-in population in chunks.
* overhead: wall time per no-op task (``map`` of 200 tasks returning their item) minus nothing:
  what the backend costs per unit of work.

Ray runs as one local instance with ``--ray-cpus`` CPUs (``ray.init(num_cpus=...)``), started
outside the timings. Every backend's output is checked to be identical to one local worker's.

Usage: PYTHONPATH=src python bench/bench_executor.py [--persons 20000] [--persona-persons 200000]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from synthsoc.atomic import write_json
from synthsoc.executor import Executor, LocalExecutor, RayExecutor
from synthsoc.persona import write_personas
from synthsoc.sim import builtin_scenarios, load_world
from synthsoc.sim.sweep import run_sweep, sweep_from_dict

HERE = Path(__file__).resolve().parent


def _population(folder: Path, persons: int) -> Path:
    spec = importlib.util.spec_from_file_location("pop", HERE / "bench_sim_population.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Path(module.write_population(folder, persons, seed=1, max_emd=300))


def _noop(_shared: Any, item: int) -> int:
    return item


def bench_sweep(pop: Path, executors: dict[str, Executor], tmp: Path) -> list[dict[str, Any]]:
    scenario = builtin_scenarios()["bank_run"].with_overrides(steps=30)
    sweep = sweep_from_dict(
        {"params": {"initial_belief": [0.3, 0.56], "news_noise": [0.0, 0.3]}}, scenario, "bench"
    )
    world = load_world(pop, seed=0)
    rows, reference = [], None
    for name, ex in executors.items():
        folder = tmp / f"sweep-{name}"
        folder.mkdir()
        t0 = time.perf_counter()
        run = run_sweep(sweep, world, replicates=6, seed=1, executor=ex, folder=folder)
        wall = time.perf_counter() - t0
        outcomes = [p.outcomes for p in run.points]
        reference = reference or outcomes
        rows.append({"job": "sweep 4 points x 6 replicates", "backend": name,
                     "units": run.units_run, "wall_s": round(wall, 2),
                     "identical_to_local_1": outcomes == reference})
    return rows


def bench_personas(pop: Path, executors: dict[str, Executor], tmp: Path,
                   chunk_rows: int) -> list[dict[str, Any]]:
    rows, reference = [], None
    for name, ex in executors.items():
        folder = tmp / f"personas-{name}"
        shutil.copytree(pop, folder)
        (folder / "personas.parquet").unlink(missing_ok=True)
        t0 = time.perf_counter()
        summary = write_personas(folder, seed=2, chunk_rows=chunk_rows, executor=ex)
        wall = time.perf_counter() - t0
        data = (folder / "personas.parquet").read_bytes()
        reference = reference or data
        rows.append({"job": f"personas {summary['n_persons']:,} persons, chunks of "
                            f"{chunk_rows:,}", "backend": name,
                     "units": -(-int(str(summary["n_persons"])) // chunk_rows),
                     "wall_s": round(wall, 2), "identical_to_local_1": data == reference})
    return rows


def bench_overhead(executors: dict[str, Executor], tasks: int) -> list[dict[str, Any]]:
    rows = []
    for name, ex in executors.items():
        t0 = time.perf_counter()
        out = ex.map(_noop, list(range(tasks)))
        wall = time.perf_counter() - t0
        rows.append({"job": f"{tasks} no-op tasks", "backend": name, "units": tasks,
                     "wall_s": round(wall, 3), "ms_per_task": round(1000 * wall / tasks, 2),
                     "identical_to_local_1": out == list(range(tasks))})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--persona-persons", type=int, default=200_000)
    parser.add_argument("--chunk-rows", type=int, default=25_000)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--ray-cpus", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "executor.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-executor-"))
    try:
        pop = _population(tmp / "pop", args.persons)
        big = _population(tmp / "pop-big", args.persona_persons)
        t0 = time.perf_counter()
        ray_ex = RayExecutor(workers=args.ray_cpus)
        ray_start = time.perf_counter() - t0
        executors: dict[str, Executor] = {
            "local 1": LocalExecutor(1), "local 2": LocalExecutor(2),
            f"ray ({args.ray_cpus} CPUs)": ray_ex,
        }
        rows = [
            *bench_sweep(pop, executors, tmp),
            *bench_personas(big, executors, tmp, args.chunk_rows),
            *bench_overhead(executors, args.tasks),
        ]
        ray_ex.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    table = Table(title="execution backends")
    for col in ("job", "backend", "units", "wall s", "ms/task", "identical"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["job"], r["backend"], str(r["units"]), f"{r['wall_s']:.2f}",
                      str(r.get("ms_per_task", "")), str(r["identical_to_local_1"]))
    Console().print(table)
    print(f"ray instance start: {ray_start:.1f} s (not in the timings)")
    write_json(args.out, {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared with other jobs",
        "load_average": os.getloadavg(),
        "ray_start_s": round(ray_start, 1),
        "rows": rows,
    })


if __name__ == "__main__":
    main()
