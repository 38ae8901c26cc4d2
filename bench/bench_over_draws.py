"""How much of a simulation's and a survey's uncertainty is the population's: both run over
the K posterior populations of a folder (``synthsoc populate --draws K``).

Simulation: a built-in scenario's replicates on every draw (``synthsoc simulate ...
--over-draws``). Survey: the calibrated engine on KGSS 2008-2012 PARTYLR (political
self-placement, 1-5) by education and age group (``synthsoc survey run ... --kgss
--over-draws``). Prints both tables; writes JSON (machine load, UTC time, timings) to --out.

Usage: PYTHONPATH=src python bench/bench_over_draws.py --population DIR
       [--scenario viral_cascade] [--replicates 10] [--out bench/results/over_draws.json]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from synthsoc.atomic import write_json
from synthsoc.sim import resolve_scenario
from synthsoc.sim.over_draws import simulate_over_draws
from synthsoc.survey import CalibratedEngine, parse_questionnaire
from synthsoc.survey.over_draws import run_survey_over_draws
from synthsoc.synth import load_population

QUESTIONS = {
    "id": "ideology_over_draws",
    "segments": ["education", "age_group"],
    "questions": [{"id": "ideology", "type": "likert", "text": "정치적 성향 (1 진보 - 5 보수)",
                   "data_column": "PARTYLR", "options": ["1", "2", "3", "4", "5"]}],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=Path, required=True)
    parser.add_argument("--scenario", default="viral_cascade")
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("bench/results/over_draws.json"))
    args = parser.parse_args()
    started_utc = datetime.now(UTC).isoformat(timespec="seconds")
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    sim = simulate_over_draws(resolve_scenario(args.scenario), args.population,
                              replicates=args.replicates, seed=args.seed)
    sim_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    survey = run_survey_over_draws(
        parse_questionnaire(QUESTIONS), load_population(args.population),
        CalibratedEngine(kgss=True, kgss_years=(2008, 2012), n_draws=200), seed=args.seed)
    survey_s = time.perf_counter() - t1
    survey_rows = [r for r in survey.rows if r["share"] is not None
                   and r["category"] in ("1", "2", "4", "5")]
    report: dict[str, Any] = {
        "population": str(args.population), "scenario": args.scenario,
        "replicates": args.replicates, "draws": len(sim.per_draw),
        "simulation": sim.rows(), "simulation_per_draw": sim.per_draw_rows(),
        "simulation_s": round(sim_s, 1),
        "survey": survey_rows, "survey_s": round(survey_s, 1),
        "survey_notes": [str(n) for n in survey.notes],
        "started_utc": started_utc, "load_before": load_before,
        "load_after": os.getloadavg(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared with other jobs)",
    }
    console = Console()
    table = Table(title=f"{args.scenario}: {args.replicates} replicates x {len(sim.per_draw)} "
                  "posterior populations")
    for col in ("outcome", "estimate", "95% interval", "population share", "engine share"):
        table.add_column(col)
    for r in sim.rows():
        table.add_row(str(r["outcome"]), f"{r['estimate']:.4g}",
                      f"{r['ci_low']:.4g} - {r['ci_high']:.4g}",
                      f"{r['population_share']:.3f}", f"{r['engine_share']:.3f}")
    console.print(table)
    table = Table(title="KGSS PARTYLR over posterior populations (calibrated engine)")
    for col in ("segment", "group", "answer", "share", "95% interval", "population share"):
        table.add_column(col)
    for r in survey_rows:
        table.add_row(str(r["segment"]), str(r["group"]), str(r["category"]),
                      f"{r['share']:.3f}", f"{r['ci_low']:.3f} - {r['ci_high']:.3f}",
                      f"{r['population_share_of_variance']:.3f}")
    console.print(table)
    console.print(f"simulation {sim_s:.1f} s, survey {survey_s:.1f} s")
    write_json(args.out, report)


if __name__ == "__main__":
    main()
