"""Time to evaluate the four policy rules on a 1% population, extrapolated to full scale, and
the official-total comparison.

Measures, on a fitted 1% national population (built here unless --population is given):
building the entity mapping, one draw of income and assets, and each rule's OpenFisca
evaluation, repeated --repeats times (median). Peer in the same run: the relief payment written
directly in NumPy (np.select on household size), as the ratio OpenFisca / NumPy, to show the
rules engine's overhead. Full scale is NOT run on the shared machine: the extrapolation is
linear in persons (every step is vectorised over persons, households and units), stated as such.

Usage: PYTHONPATH=src python bench/bench_policy.py [--population DIR] [--repeats 3] [--draws 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from synthsoc.atomic import write_json
from synthsoc.policy.evaluate_rules import DEFAULT_RULE_YEARS, evaluate_rule, evaluate_rules
from synthsoc.policy.imputation import default_imputation, draw_money
from synthsoc.policy.system import korea_system
from synthsoc.policy.units import build_units
from synthsoc.policy.validation import validate
from synthsoc.synth import load_population
from synthsoc.synth.populate import populate

FULL_PERSONS = 51_000_000  # order of the full population (the run's own scale is recorded)


def _median_time(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--population", type=Path)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench/results/policy_2025.json"))
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.population
        if folder is None:
            folder = Path(tmp) / "pop"
            populate(folder, year=args.year, scale=0.01, seed=1, progress=False, html=False)
        pop = load_population(folder)
        scale = float(pop.manifest.get("scale", 1.0))
        units = build_units(pop)
        params = default_imputation()
        money = draw_money(units, params, 1, 0)
        system = korea_system()
        steps: dict[str, float] = {
            "entity mapping": _median_time(lambda: build_units(pop), args.repeats),
            "draw of income and assets": _median_time(
                lambda: draw_money(units, params, 1, 0), args.repeats),
        }
        for rule, year in DEFAULT_RULE_YEARS.items():
            steps[f"{rule} ({year}), own simulation"] = _median_time(
                lambda r=rule, y=year: evaluate_rule(system, units, money, r, y), args.repeats)
        relief_hh = units.relief_household

        def numpy_relief() -> np.ndarray:
            n = np.bincount(relief_hh)
            return np.select([n == 1, n == 2, n == 3], [4e5, 6e5, 8e5], 1e6)

        numpy_s = _median_time(numpy_relief, args.repeats)
        steps["one simulation, all rules"] = _median_time(
            lambda: evaluate_rules(system, units, money, DEFAULT_RULE_YEARS), args.repeats)
        total = steps["draw of income and assets"] + steps["one simulation, all rules"]
        t0 = time.perf_counter()
        table = validate(pop, draws=args.draws)
        validate_s = time.perf_counter() - t0
    factor = FULL_PERSONS / pop.n_persons
    view = Table(title=f"policy rules at scale {scale:g} ({pop.n_persons:,} persons, "
                       f"{pop.n_households:,} households)")
    for col in ("step", "seconds (median)", f"x{factor:.0f} extrapolated s"):
        view.add_column(col, justify="right")
    for name, sec in steps.items():
        view.add_row(name, f"{sec:.3f}", f"{sec * factor:.0f}")
    view.add_row("one draw + all rules", f"{total:.3f}", f"{total * factor:.0f}")
    view.add_row("relief in NumPy (peer)", f"{numpy_s:.4f}", f"{numpy_s * factor:.1f}")
    console.print(view)
    relief_s = steps["emergency_relief (2020), own simulation"]
    console.print(f"OpenFisca / NumPy for the relief payment: {relief_s / numpy_s:.0f}x; "
                  f"validation ({args.draws} draws): {validate_s:.1f} s")
    console.print(table.drop("causes"))
    write_json(args.out, {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "note": "shared with other jobs"},
        "population": {"scale": scale, "persons": pop.n_persons,
                       "households": pop.n_households, "year": pop.manifest.get("year")},
        "steps_s": steps, "one_draw_all_rules_s": total,
        "numpy_relief_s": numpy_s, "openfisca_over_numpy_relief": relief_s / numpy_s,
        "extrapolation_factor_persons": factor,
        "extrapolated_full_scale_one_draw_s": total * factor,
        "validation_s": validate_s, "validation": table.to_dicts(),
    })


if __name__ == "__main__":
    main()
