"""What each step of the population synthesis costs, and what each added fit costs.

    python bench/bench_population_stages.py [--scale 0.01] [--seed 1] [--no-variants]

Times every stage of ``populate`` on the same inputs (controls, seed pool, general-household
fit and draw, attributes, person tally, disclosure risk, fit report, HTML report; one after
the other, where populate overlaps the pool with the census tables and the reports with the
Parquet files, and without the files) in wall and CPU seconds of this process
(CPU is the steadier figure on a shared machine), then (unless ``--no-variants``) refits
the general households with the person constraints added one block at a time (sex x
5-year age as before issue 16; sex x single year; + persons living with a spouse by sex x
age; + one-person householders by sex x age) and reports seconds and the fit's own error
for each. Prints a table and writes bench/results/population_stages_scale_X.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from synthsoc.data.census import load_emd_controls
from synthsoc.synth import populate as pipeline
from synthsoc.synth.assemble import assemble
from synthsoc.synth.candidates import build_seed_pool
from synthsoc.synth.controls import build_run_controls
from synthsoc.synth.fit import fit_weights
from synthsoc.synth.fit_report import build_fit_report
from synthsoc.synth.general_households import draw_general_households
from synthsoc.synth.person_tally import tally_persons
from synthsoc.synth.regions import region_table
from synthsoc.synth.report_html import write_html_report
from synthsoc.synth.targets import (
    CHILD_GAP_START,
    COUPLE_START,
    GAP_START,
    N_AGE5,
    N_SINGLE,
    ONE_START,
    pool_incidence,
)

RESULTS = Path(__file__).resolve().parent / "results"


def _age5_columns(incidence: sp.csr_matrix, targets: np.ndarray) -> tuple[sp.csr_matrix,
                                                                          np.ndarray]:
    """The single-year block summed to sex x 5-year age groups (the pre-issue-16 fit)."""
    single = np.arange(N_SINGLE)
    group = (single // 101) * N_AGE5 + np.minimum((single % 101) // 5, N_AGE5 - 1)
    merge = sp.csr_matrix((np.ones(N_SINGLE), (single, group)), shape=(N_SINGLE, 2 * N_AGE5))
    return incidence[:, :N_SINGLE] @ merge, targets[:, :N_SINGLE] @ merge.toarray()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-variants", action="store_true",
                        help="skip the refits by constraint set")
    args = parser.parse_args()
    load_before = os.getloadavg()
    stages: dict[str, float] = {}
    cpu_stages: dict[str, float] = {}
    clock, cpu_clock = time.perf_counter(), time.process_time()

    def lap(name: str) -> None:
        nonlocal clock, cpu_clock
        now, cpu_now = time.perf_counter(), time.process_time()
        stages[name] = round(now - clock, 2)
        cpu_stages[name] = round(cpu_now - cpu_clock, 2)
        clock, cpu_clock = now, cpu_now

    census = load_emd_controls(2025)
    controls = build_run_controls(census, args.scale, args.seed)
    lap("census tables and controls")
    rng = np.random.default_rng(np.random.SeedSequence([args.seed, 303]))
    special = pipeline.group_quarters(rng, controls)
    lap("group quarters")
    candidates = build_seed_pool(args.seed)
    pool = candidates.pool
    lap(f"seed pool ({pool.n_households:,} candidates)")
    targets = pipeline._general_person_targets(controls, special, pool)
    lap("fit targets")
    general = draw_general_households(rng, pool, controls.size_counts,
                                      controls.emd["sgg_idx"].to_numpy(), targets,
                                      pipeline._general_men_targets(controls))
    lap("general households: fit, draw, refine")
    pop = assemble(rng, controls, pool, general, special)
    lap("attributes (marital, education, work, occupation, migrants, names)")
    # As in populate: persons counted once for the report and the HTML charts.
    tally = tally_persons(pop, controls)
    lap("person tally")
    disclosure = pipeline._disclosure(pop, candidates, general.hh_seed)
    lap("disclosure risk")
    report = build_fit_report(controls, pop, general.fit, census, targets,
                              disclosure=disclosure, tally=tally)
    report["run"] = {"year": 2025, "scale": args.scale, "seed": args.seed, "region": None}
    lap("fit report")
    with tempfile.TemporaryDirectory() as tmp:
        write_html_report(Path(tmp), report, pop, controls, region_table(controls), tally)
    lap("html report")

    incidence = pool_incidence(pool)
    emd_sgg = controls.emd["sgg_idx"].to_numpy()
    class_targets = np.zeros((targets.shape[0], controls.size_counts.shape[1]))
    np.add.at(class_targets, emd_sgg, controls.size_counts)
    classes = pool.hh_size - 1
    variants = {
        "sex x 5-year age (before issue 16)": _age5_columns(incidence, targets),
        "sex x single year": (incidence[:, :N_SINGLE], targets[:, :N_SINGLE]),
        "+ living with a spouse by sex x 5-year age": (incidence[:, :ONE_START],
                                                       targets[:, :ONE_START]),
        "+ one-person householders by sex x 10-year age": (incidence[:, :GAP_START],
                                                            targets[:, :GAP_START]),
        "+ couples by wife's 5-year age (20-49) x spouse gap": (
            incidence[:, :CHILD_GAP_START], targets[:, :CHILD_GAP_START]),
        "+ children 0-4 of couples by parents' gap (current)": (incidence, targets),
    }
    fits = {}
    for name, (a, t) in ({} if args.no_variants else variants).items():
        started = time.perf_counter()
        fit = fit_weights(a, t, classes, class_targets, max_iter=40, tol=1e-3)
        fits[name] = {"seconds": round(time.perf_counter() - started, 2),
                      "columns": int(a.shape[1]), "iterations": fit.iterations,
                      "max_rel_error": round(fit.max_rel_error, 4)}
    row = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "scale": args.scale, "n_persons": int(pop.p_age.size),
        "candidates": pool.n_households, "couple_columns_start": COUPLE_START,
        "stages_seconds": stages, "stages_cpu_seconds": cpu_stages, "fit_variants": fits,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0),
    }
    print(f"scale {args.scale}: {row['n_persons']:,} persons, load {row['load_average_before']}")
    print(f"  {'stage':<70} {'wall':>9} {'CPU':>9}")
    for name, seconds in stages.items():
        print(f"  {name:<70} {seconds:>7.2f} s {cpu_stages[name]:>7.2f} s")
    print("general-household fit (40 IPU sweeps at most) by constraint set:")
    for name, f in fits.items():
        print(f"  {name:<60} {f['seconds']:>6.2f} s  {f['columns']:>4} columns  "
              f"max rel error {f['max_rel_error']:.3f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"population_stages_scale_{args.scale}.json").write_text(
        json.dumps(row, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
