"""Which general-household fit constraints no candidate can reach, at any scale.

    python bench/bench_population_feasibility.py [--scale 1.0] [--seed 1]

Builds what ``populate`` builds before the fit (controls, group quarters, candidate pool,
targets), runs one sweep of the fit (enough to find the constraints with a positive target
that no candidate can reach) and prints them grouped as the fit report does, with the
group-quarter residents aged 95+. The full population is not drawn, so this runs at full
scale in a few minutes. Prints a table and writes
bench/results/population_feasibility_scale_X.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from synthsoc.data.census import load_emd_controls
from synthsoc.synth import populate as pipeline
from synthsoc.synth.candidates import build_seed_pool
from synthsoc.synth.controls import build_run_controls
from synthsoc.synth.fit import fit_weights
from synthsoc.synth.fit_report import infeasible_constraints
from synthsoc.synth.targets import pool_incidence

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    load_before = os.getloadavg()
    started = time.perf_counter()
    controls = build_run_controls(load_emd_controls(2025), args.scale, args.seed)
    rng = np.random.default_rng(np.random.SeedSequence([args.seed, 303]))
    special = pipeline.group_quarters(rng, controls)
    pool = build_seed_pool(args.seed).pool
    targets = pipeline._general_person_targets(controls, special, pool)
    class_targets = np.zeros((targets.shape[0], controls.size_counts.shape[1]))
    np.add.at(class_targets, controls.emd["sgg_idx"].to_numpy(), controls.size_counts)
    fit = fit_weights(pool_incidence(pool), targets, pool.hh_size - 1, class_targets,
                      prior=pool.hh_prior, max_iter=1)
    rows = infeasible_constraints(fit, targets)
    oldest = {block.kind: int(np.count_nonzero(block.p_age >= 95)) for block in special}
    row = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "scale": args.scale,
        "seed": args.seed,
        "wall_seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "infeasible_constraints": fit.infeasible,
        "by_constraint": rows,
        "group_quarter_members_aged_95_plus": oldest,
        "group_quarter_members_beyond_registered_residents_of_their_age": controls.repairs[
            "group_quarter_members_beyond_registered_residents_of_their_age"],
    }
    print(f"scale {args.scale}: {fit.infeasible} infeasible constraints "
          f"({row['wall_seconds']} s, {row['peak_rss_mb']} MB)")
    for item in rows:
        print(f"  {item['constraint']:<55} {item['si_gun_gu']:>4} si-gun-gu "
              f"{item['target_missed']:>10.3f} persons  {item['cause'][:40]}")
    print(f"group-quarter members aged 95+: {oldest}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"population_feasibility_scale_{args.scale:g}.json"
    out.write_text(json.dumps(row, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
