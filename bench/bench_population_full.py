"""Full-scale synthesis: wall time, persons per second and peak memory.

    python bench/bench_population_full.py [--scale 1.0] [--seed 1] [--out /tmp/pop_full]

Prints a table and writes bench/results/population_full.json (or population_scale_X.json).
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

from synthsoc.synth.populate import populate

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("/tmp/synthsoc_bench_population"))
    args = parser.parse_args()
    load_before = os.getloadavg()
    started = time.perf_counter()
    result = populate(args.out, scale=args.scale, seed=args.seed, progress=True)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024.0
    row = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "scale": args.scale,
        "n_persons": result.n_persons,
        "n_households": result.n_households,
        "wall_seconds": round(wall, 1),
        # CPU of this process (all its threads), the steadier figure on a shared machine.
        "cpu_user_seconds": round(usage.ru_utime, 1),
        "cpu_system_seconds": round(usage.ru_stime, 1),
        "persons_per_second": round(result.n_persons / wall),
        "peak_rss_mb": round(peak_mb),
        "max_control_tvd": result.summary["max_control_tvd"],
        "worst_control": result.summary["worst_control"],
        "mean_control_srmse": result.summary["mean_control_srmse"],
    }
    width = max(len(k) for k in row)
    for key, value in row.items():
        print(f"{key:<{width}}  {value}")
    RESULTS.mkdir(exist_ok=True)
    name = "population_full.json" if args.scale == 1.0 else f"population_scale_{args.scale}.json"
    (RESULTS / name).write_text(json.dumps(row, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
