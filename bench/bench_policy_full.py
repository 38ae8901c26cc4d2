"""Time to evaluate all four policy rules once (one draw) on a population, measured, not
extrapolated: meant for the full population (51 million persons), run once under the
full-scale lock with /usr/bin/time -v.

Steps timed: loading the population folder, the entity mapping (`build_units`), one draw of
income and assets, and all four rules in one OpenFisca simulation (`evaluate_rules`), with the
load average before and after and the peak memory of this process. Peer in the same run: the
relief payment written directly in NumPy, as the ratio OpenFisca (all rules) / NumPy (relief).

Usage: flock /tmp/fullscale.lock /usr/bin/time -v python bench/bench_policy_full.py \\
           --population DIR [--out bench/results/policy_full.json] [--tile K] [--chunks K]

The rules are evaluated for the years of the official figures (``validation.COMPARISONS``) and
the totals are compared with them (one draw: no interval; the bottom-70% plan is not run here).

``--chunks K`` evaluates the households in K parts (household id modulo K, so each part is a
spread sample of the whole country), one after another, to bound the memory: every rule applies
to one household or benefit unit at a time, so each household's amounts are those of a whole
run, except what ranks households against each other: the income draw's rank that the assets
are correlated with, and the relief payment's income-rank ceiling (1.0 as enacted: no effect),
are ranks within the part. Each part draws its money from its own stream (draw index = part).

``--tile K`` evaluates K copies of the population side by side (ids offset, scale x K): a
timing stand-in for a larger population when building one is not possible, stated as such in
the output. It measures the cost of the same number of persons, households and units; the
copies' households are identical, so the totals are K times those of the one population.
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
from synthsoc.policy.evaluate_rules import evaluate_rules
from synthsoc.policy.imputation import default_imputation, draw_money
from synthsoc.policy.system import RULE_LABELS, korea_system
from synthsoc.policy.units import build_units
from synthsoc.policy.validation import COMPARISONS, compare, official_totals
from synthsoc.synth import Population, load_population


def tiled(pop: Population, copies: int) -> Population:
    """``copies`` copies of ``pop`` with person and household ids offset, scale x copies."""
    step_p = int(pop.persons["person_id"].max()) + 1
    step_h = int(pop.households["household_id"].max()) + 1
    persons = pl.concat([pop.persons.with_columns(pl.col("person_id") + k * step_p,
                                                  pl.col("household_id") + k * step_h)
                         for k in range(copies)])
    households = pl.concat([pop.households.with_columns(
        pl.col("household_id") + k * step_h, pl.col("head_person_id") + k * step_p)
        for k in range(copies)])
    manifest = dict(pop.manifest)
    manifest["scale"] = float(manifest.get("scale", 1.0)) * copies
    return dataclasses.replace(pop, persons=persons, households=households, manifest=manifest)


def part(pop: Population, k: int, parts: int) -> Population:
    """The households with id modulo ``parts`` equal to ``k``, and their persons."""
    return dataclasses.replace(
        pop, persons=pop.persons.filter(pl.col("household_id") % parts == k),
        households=pop.households.filter(pl.col("household_id") % parts == k))


RULE_YEARS = {c.rule: c.year for c in COMPARISONS}
MAPPING = "entity mapping (build_units)"
DRAW = "one draw of income and assets"
RULES = "all four rules, one OpenFisca simulation"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--population", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("bench/results/policy_full.json"))
    parser.add_argument("--tile", type=int, default=1)
    parser.add_argument("--chunks", type=int, default=1)
    args = parser.parse_args()
    load_before = os.getloadavg()
    steps: dict[str, float] = {}

    t0 = time.perf_counter()
    pop = load_population(args.population)
    if args.tile > 1:
        pop = tiled(pop, args.tile)
    steps["load population"] = time.perf_counter() - t0
    system = korea_system()
    totals = {rule: {"cost_krw": 0.0, "recipients": 0.0} for rule in RULE_YEARS}
    for name in (MAPPING, DRAW, RULES):
        steps[name] = 0.0
    numpy_relief_s = 0.0
    for k in range(args.chunks):
        piece = part(pop, k, args.chunks) if args.chunks > 1 else pop
        t0 = time.perf_counter()
        units = build_units(piece)
        steps[MAPPING] += time.perf_counter() - t0
        t0 = time.perf_counter()
        money = draw_money(units, default_imputation(), 1, k)
        steps[DRAW] += time.perf_counter() - t0
        t0 = time.perf_counter()
        amounts = evaluate_rules(system, units, money, RULE_YEARS)
        steps[RULES] += time.perf_counter() - t0
        for rule, a in amounts.items():
            totals[rule]["cost_krw"] += float(a.amount.sum())
            totals[rule]["recipients"] += float(a.recipients.sum())
        t0 = time.perf_counter()
        sizes = np.bincount(units.relief_household)
        np.select([sizes == 1, sizes == 2, sizes == 3], [4e5, 6e5, 8e5], 1e6)
        numpy_relief_s += time.perf_counter() - t0
        del units, money, amounts, piece
    load_after = os.getloadavg()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    scale = float(pop.manifest.get("scale", 1.0))
    tiles = f", {args.tile} tiled copies of {args.population}" if args.tile > 1 else ""
    tiles += f", in {args.chunks} parts" if args.chunks > 1 else ""
    view = Table(title=f"policy rules, one draw, scale {scale:g} ({pop.n_persons:,} persons, "
                       f"{pop.n_households:,} households{tiles})")
    view.add_column("step")
    view.add_column("seconds", justify="right")
    for name, sec in steps.items():
        view.add_row(name, f"{sec:.1f}")
    total = steps[DRAW] + steps[RULES]
    view.add_row("one draw + all rules", f"{total:.1f}")
    view.add_row("relief payment in NumPy (peer)", f"{numpy_relief_s:.2f}")
    console = Console()
    console.print(view)
    for row in totals.values():
        row["cost_krw"] /= scale
        row["recipients"] /= scale
    for rule, row in totals.items():
        console.print(f"{RULE_LABELS[rule]} ({RULE_YEARS[rule]}): "
                      f"{row['cost_krw'] / 1e12:,.3f} trillion KRW, "
                      f"{row['recipients']:,.0f} recipients")
    official = official_totals()
    comparison = []
    for c in COMPARISONS:
        if c.scenario == "bottom_70pct_plan":
            continue
        measure = "cost_krw" if c.measure == "krw" else "recipients"
        row = compare(c, official, np.array([totals[c.rule][measure]]))
        comparison.append(row)
        console.print(f"  {c.rule} {c.year} {c.scenario} {c.measure}: official "
                      f"{row['official']:,.0f}, simulated {row['simulated']:,.0f}, gap "
                      f"{row['gap'] * 100:+.1f}%, within: {row['within']}")
    console.print(f"peak memory {peak_mb:,.0f} MB; load average {load_before[0]:.1f} -> "
                  f"{load_after[0]:.1f}")
    write_json(args.out, {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "note": "shared with other jobs"},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "population": {"scale": scale, "persons": pop.n_persons,
                       "households": pop.n_households, "year": pop.manifest.get("year"),
                       "source": str(args.population), "tiled_copies": args.tile,
                       "parts": args.chunks},
        "steps_s": steps, "one_draw_all_rules_s": total,
        "numpy_relief_s": numpy_relief_s,
        "openfisca_all_rules_over_numpy_relief": steps[RULES] / numpy_relief_s,
        "cpu_s": time.process_time(),
        "peak_rss_mb": peak_mb, "rule_years": RULE_YEARS, "totals": totals,
        "official_comparison": comparison,
    })


if __name__ == "__main__":
    main()
