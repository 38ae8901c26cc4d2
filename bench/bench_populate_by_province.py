"""Population synthesis by province (issue 13): one process against one task per si-do on 1
and 2 local workers and on Ray with 1 and 2 CPUs, with the overhead per task.

The synthesis stages are timed (group quarters, the general-household fit and draw, assembly:
what ``synthsoc populate`` runs before it writes), on the national controls and candidate
pool of one run, both built once before the timings:

* ``one process``: the default path of ``populate`` (one random stream, no executor);
* ``by province, <executor>``: :func:`synthsoc.synth.by_province.synthesise_by_province`
  (two rounds of 17 tasks, then the join and the national income stage).

Each by-province variant is checked identical (a hash of every column) to ``local 1``.
Overhead per task = (workers x the rounds' wall - the tasks' own seconds) / tasks: the time a
worker spent on anything but a task's work (start-up, sending the shared inputs and results,
waiting), spread over the tasks. Ray is one local instance per CPU count, started before its
timings (its start is reported apart).

Usage: PYTHONPATH=src RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 python bench/bench_populate_by_province.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from synthsoc.atomic import write_json
from synthsoc.data.census import load_emd_controls
from synthsoc.executor import Executor, LocalExecutor, RayExecutor
from synthsoc.synth.assemble import assemble
from synthsoc.synth.by_province import (
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
    ByProvince,
    synthesise_by_province,
)
from synthsoc.synth.candidates import CandidatePool, build_seed_pool
from synthsoc.synth.controls import RunControls, build_run_controls
from synthsoc.synth.general_households import draw_general_households
from synthsoc.synth.populate import _general_men_targets, _general_person_targets, group_quarters

HERE = Path(__file__).resolve().parent


def _controls(scale: float, seed: int) -> RunControls:
    return build_run_controls(load_emd_controls(2025), scale, seed)


def one_process(controls: RunControls, candidates: CandidatePool, seed: int) -> float:
    """The default path's synthesis stages; seconds."""
    started = time.perf_counter()
    rng = np.random.default_rng(np.random.SeedSequence([seed, 303]))
    special = group_quarters(rng, controls)
    pool = candidates.pool
    targets = _general_person_targets(controls, special, pool)
    general = draw_general_households(rng, pool, controls.size_counts,
                                      controls.emd["sgg_idx"].to_numpy(), targets,
                                      _general_men_targets(controls))
    assemble(rng, controls, pool, general, special)
    return time.perf_counter() - started


def by_province(controls: RunControls, candidates: CandidatePool, seed: int,
                executor: Executor) -> tuple[float, ByProvince]:
    started = time.perf_counter()
    result = synthesise_by_province(
        executor, controls, candidates.pool, seed,
        lambda special: _general_person_targets(controls, special, candidates.pool),
        _general_men_targets(controls))
    return time.perf_counter() - started, result


def digest(result: ByProvince) -> str:
    h = hashlib.sha256()
    for name in HOUSEHOLD_COLUMNS + PERSON_COLUMNS:
        h.update(np.ascontiguousarray(getattr(result.pop, name)).tobytes())
    return h.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.002)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path,
                        default=HERE / "results" / "populate_by_province.json")
    parser.add_argument("--variants", default="one,local1,local2,ray1,ray2",
                        help="comma-separated subset of one, local1, local2, ray1, ray2")
    parser.add_argument("--append", action="store_true",
                        help="keep the rows already in --out (same scale and seed)")
    args = parser.parse_args()
    wanted = args.variants.split(",")
    started = datetime.now(UTC).isoformat(timespec="seconds")
    rows: list[dict[str, Any]] = []
    ray_starts: dict[str, float] = {}
    if args.append and args.out.exists():
        previous = json.loads(args.out.read_text(encoding="utf-8"))
        if (previous["scale"], previous["seed"]) != (args.scale, args.seed):
            raise SystemExit(f"{args.out}: another scale or seed; run without --append")
        rows, ray_starts, started = previous["rows"], previous["ray_start_s"], previous[
            "started"]

    def save() -> None:
        write_json(args.out, {
            "started": started,
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared with other jobs",
            "scale": args.scale, "seed": args.seed,
            "load_average_now": os.getloadavg(), "ray_start_s": ray_starts, "rows": rows,
        })
        print(rows[-1], flush=True)

    controls = _controls(args.scale, args.seed)
    candidates = build_seed_pool(args.seed)
    load = os.getloadavg()[0]
    if "one" in wanted:
        rows.append({"variant": "one process (default draws)", "workers": 1,
                     "wall_s": round(one_process(controls, candidates, args.seed), 2),
                     "load_at_start": round(load, 1), "at": _now(),
                     "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
                     "numba_num_threads": os.environ.get("NUMBA_NUM_THREADS")})
        save()
    reference = next((r["digest"] for r in rows
                      if r["variant"] == "by province, local 1" and "digest" in r), None)
    variants: list[tuple[str, int]] = [("local", 1), ("local", 2), ("ray", 1), ("ray", 2)]
    for kind, workers in variants:
        if f"{kind}{workers}" not in wanted:
            continue
        controls = _controls(args.scale, args.seed)  # fresh repairs, as each run has
        if kind == "local":
            executor: Executor = LocalExecutor(workers)
        else:
            t0 = time.perf_counter()
            executor = RayExecutor(workers=workers)
            ray_starts[f"ray {workers}"] = round(time.perf_counter() - t0, 1)
        load = os.getloadavg()[0]
        try:
            wall, result = by_province(controls, candidates, args.seed, executor)
        finally:
            executor.close()
        code = digest(result)
        reference = reference or code
        t = result.timings
        rounds = t["group_quarters_round_s"] + t["draw_round_s"]
        tasks = 2 * result.provinces
        rows.append({
            "variant": f"by province, {kind} {workers}", "workers": workers,
            "wall_s": round(wall, 2), "load_at_start": round(load, 1),
            "rounds_s": round(rounds, 2), "tasks": tasks,
            "tasks_own_s": round(t["tasks_own_s"], 2), "join_s": round(t["join_s"], 2),
            "overhead_per_task_s": round((workers * rounds - t["tasks_own_s"]) / tasks, 3),
            "persons": int(result.pop.p_age.size),
            "identical_to_local_1": code == reference, "digest": code, "at": _now(),
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
            "numba_num_threads": os.environ.get("NUMBA_NUM_THREADS"),
        })
        save()
    table = Table(title=f"synthesis by province, scale {args.scale}")
    for col in ("variant", "wall s", "load", "rounds s", "tasks' own s", "join s",
                "overhead/task s", "identical"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["variant"], f"{r['wall_s']:.2f}", f"{r['load_at_start']:.1f}",
                      str(r.get("rounds_s", "-")), str(r.get("tasks_own_s", "-")),
                      str(r.get("join_s", "-")), str(r.get("overhead_per_task_s", "-")),
                      str(r.get("identical_to_local_1", "-")))
    Console().print(table)
    print(f"ray instance starts (not in the timings): {ray_starts}")


if __name__ == "__main__":
    main()
