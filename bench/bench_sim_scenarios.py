"""Benchmark: every built-in scenario end to end (network, replicates, verdicts, outputs).

Usage: ``PYTHONPATH=src python bench/bench_sim_scenarios.py --population DIR --replicates R
[--workers W] [--label NAME]``. Writes ``bench/results/sim_scenarios_<label>.json`` with the
wall time of each scenario and its verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from synthsoc.commands.simulate import run_scenario
from synthsoc.sim import builtin_scenarios

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--population", type=Path, required=True)
    ap.add_argument("--replicates", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--label", default="run")
    ap.add_argument("--only", nargs="*", help="these scenarios, in this order")
    args = ap.parse_args()
    load_at_start = os.getloadavg()[0]
    out_root = Path(tempfile.mkdtemp(prefix="sim_scen_"))
    rows = {}
    scenarios = builtin_scenarios()
    unknown = sorted(set(args.only or ()) - set(scenarios))
    if unknown:
        ap.error(f"--only: unknown scenario(s) {unknown}; known: {sorted(scenarios)}")
    for name in args.only or list(scenarios):
        scenario = scenarios[name]
        load = os.getloadavg()[0]
        started = time.strftime("%H:%M", time.gmtime())
        w0, c0 = time.perf_counter(), _cpu_s()
        summary = run_scenario(
            scenario,
            args.population,
            out_root / name,
            replicates=args.replicates,
            seed=0,
            workers=args.workers,
            charts=False,
            network_stats=False,
        )
        rows[name] = {
            "wall_s": time.perf_counter() - w0,
            # this process and its finished worker processes (user + system)
            "cpu_s": _cpu_s() - c0,
            "load_average_at_start": load,
            "started_utc": started,
            "agents": summary["population"]["agents"],
            "steps": scenario.steps,
            "timings_s": summary["timings_s"],
            "verdicts": {
                k: {
                    "label": v["label"],
                    "reason": v["reason"],
                    "rule": v["rule"],
                    "mean": v["mean"],
                    "modes": [(m["n_runs"], m["center"]) for m in v["modes"]],
                }
                for k, v in summary["outcomes"].items()
            },
            "totals": summary["totals"],
            "regularities": [
                {k: r[k] for k in ("statistic", "median", "runs_5_95", "band", "within")}
                for r in summary["regularities"]
            ],
        }
        print(
            f"{name:22s} {rows[name]['wall_s']:8.1f} s wall {rows[name]['cpu_s']:8.1f} s CPU  "
            + ", ".join(f"{k}={v['label']}" for k, v in rows[name]["verdicts"].items())
            + "".join(
                f"; {r['statistic']}={r['median']:.3g} {'in' if r['within'] else 'OUT'} {r['band']}"
                for r in rows[name]["regularities"]
            ),
            flush=True,
        )
        _write(args, load_at_start, rows)  # after every scenario, so a cut-off run keeps them
    _write(args, load_at_start, rows)
    shutil.rmtree(out_root, ignore_errors=True)


def _cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _write(args: argparse.Namespace, load_at_start: float, rows: dict[str, Any]) -> None:
    result = {
        "benchmark": "sim_scenarios",
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_at_start:.1f} at start of run",
        "population": str(args.population),
        "replicates": args.replicates,
        "workers": args.workers,
        "scenarios": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"sim_scenarios_{args.label}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
