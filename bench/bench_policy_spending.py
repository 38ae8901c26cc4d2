"""The 2020 relief payment's effect on spending through the marketplace, by income bracket,
against the published marginal propensities to consume (``policy/data/behaviour_anchors.csv``).

Recipients' budgets are raised by their payment; the marketplace (``synthsoc.sim.market``, one
basket good) simulates six weeks of purchases with and without it, same seed; the MPC of a group
is its extra spending over its payments, mean and 5th-95th percentile over replicates. Two
settings: the marketplace's default purchase hazard, and the hazard fitted (on a grid, with
``--fit-replicates``) so that the overall MPC meets the published six-week estimate; then the
universal payment and the bottom-70% plan with the fitted hazard.

Usage: python bench/bench_policy_spending.py --population DIR (a 2020 population)
           [--replicates 5] [--fit-replicates 2] [--out bench/results/policy_spending.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

from synthsoc.atomic import write_json
from synthsoc.policy.behaviour import relief_income_rank
from synthsoc.policy.reform import load_reform
from synthsoc.policy.run import RunConfig, run_policy
from synthsoc.policy.spending import (
    FIT_GRID,
    SpendingParams,
    fit_innovation,
    spending_by_bracket,
)
from synthsoc.policy.units import build_units
from synthsoc.sim import load_world
from synthsoc.synth import load_population, schema

REFORM = Path(__file__).resolve().parents[1] / "src/synthsoc/policy/reforms/relief_bottom_70.yaml"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--population", type=Path, required=True)
    parser.add_argument("--replicates", type=int, default=5)
    parser.add_argument("--fit-replicates", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/results/policy_spending.json"))
    args = parser.parse_args()
    load_before = os.getloadavg()
    started = time.perf_counter()
    cpu0 = time.process_time()
    pop = load_population(args.population)
    config = RunConfig(draws=1, seed=args.seed, rule_years={"emergency_relief": 2020})
    run = run_policy(pop, load_reform(REFORM), config)
    units = build_units(pop)
    world = load_world(args.population, seed=args.seed)
    setup_s = time.perf_counter() - started
    brackets = run.households["income_bracket"].to_numpy()
    rank = relief_income_rank(run.households, args.seed)
    universal = run.baseline["emergency_relief"][0]
    plan = run.reform["emergency_relief"][0]
    labels = schema.INCOME_BRACKETS

    def table(payment: np.ndarray, params: SpendingParams) -> pl.DataFrame:
        return spending_by_bracket(world, units.household, payment, brackets, labels, rank,
                                   params, args.seed, run.weight)[0]

    t0 = time.perf_counter()
    default = SpendingParams(replicates=args.replicates)
    default_table = table(universal, default)
    default_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fitted, fit_mpc = fit_innovation(world, units.household, universal,
                                     dataclasses.replace(default, replicates=args.fit_replicates),
                                     args.seed)
    fit_s = time.perf_counter() - t0
    fitted = dataclasses.replace(fitted, replicates=args.replicates)
    t0 = time.perf_counter()
    fitted_table = table(universal, fitted)
    plan_table = table(plan, fitted)
    fitted_s = time.perf_counter() - t0
    cpu_s = time.process_time() - cpu0
    load_after = os.getloadavg()

    view = Table(title=f"relief payment spent through the marketplace, {fitted.weeks} weeks "
                       f"({pop.n_persons:,} persons, scale {pop.manifest.get('scale')}), MPC "
                       f"mean [p05, p95] over {args.replicates} replicates")
    for col in ("group", "households", "MPC, market default hazard",
                f"MPC, fitted hazard {fitted.innovation:g}", "published", "gap (fitted)"):
        view.add_column(col, justify="right")
    for d, f in zip(default_table.iter_rows(named=True), fitted_table.iter_rows(named=True),
                    strict=True):
        view.add_row(f["group"], f"{f['households']:,.0f}",
                     f"{_pct(d['mpc'])} [{_pct(d['mpc_p05'])}, {_pct(d['mpc_p95'])}]",
                     f"{_pct(f['mpc'])} [{_pct(f['mpc_p05'])}, {_pct(f['mpc_p95'])}]",
                     _pct(f["published_mpc"]), _pct(f["gap"]))
    console = Console()
    console.print(view)
    for name, frame in (("universal", fitted_table), ("bottom 70% plan", plan_table)):
        row = frame.row(0, named=True)
        console.print(f"{name}: payments {row['payment_krw'] / 1e12:,.2f} trillion KRW, extra "
                      f"spending {row['extra_spending_krw'] / 1e12:,.2f} trillion, MPC "
                      f"{_pct(row['mpc'])} [{_pct(row['mpc_p05'])}, {_pct(row['mpc_p95'])}]")
    console.print(f"set-up {setup_s:.0f} s, default {default_s:.0f} s, fit {fit_s:.0f} s "
                  f"(grid {FIT_GRID}), fitted runs {fitted_s:.0f} s; CPU {cpu_s:.0f} s; load "
                  f"{load_before[0]:.1f} -> {load_after[0]:.1f}")
    write_json(args.out, {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "note": "shared with other jobs"},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "population": {"source": str(args.population), "persons": pop.n_persons,
                       "households": pop.n_households, "scale": pop.manifest.get("scale"),
                       "year": pop.manifest.get("year")},
        "seed": args.seed, "replicates": args.replicates, "fit_replicates": args.fit_replicates,
        "fit_grid": FIT_GRID, "fit_mpc": fit_mpc,
        "params_default": dataclasses.asdict(default),
        "params_fitted": dataclasses.asdict(fitted),
        "default": default_table.to_dicts(), "fitted": fitted_table.to_dicts(),
        "bottom_70_plan_fitted": plan_table.to_dicts(),
        "seconds": {"setup": setup_s, "default": default_s, "fit": fit_s, "fitted": fitted_s},
        "cpu_s": cpu_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    })


if __name__ == "__main__":
    main()
