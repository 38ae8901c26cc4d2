"""Fit time, draw time and disk of the posterior draws of the sampled attributes.

Copies a population folder's persons.parquet and manifest.json into --work (the source folder
is never written), then fits the three province models (one NUTS run) and writes K per-person
draws there. Prints a table; writes JSON (with the machine load and UTC time) to --out.

Usage: PYTHONPATH=src python bench/bench_posterior_draws.py --population DIR --work DIR
       [--draws 10] [--seed 1] [--out bench/results/posterior_draws_1pct.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from synthsoc.atomic import write_json
from synthsoc.synth import schema
from synthsoc.synth.posterior_draws import DRAWS_REPORT_FILE, write_posterior_draws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/results/posterior_draws.json"))
    args = parser.parse_args()
    if args.work.resolve() == args.population.resolve():
        raise SystemExit("--work must differ from --population (the source is not written)")
    args.work.mkdir(parents=True, exist_ok=True)
    for name in (schema.PERSONS_FILE, schema.MANIFEST_FILE):
        shutil.copy(args.population / name, args.work / name)
    started_utc = datetime.now(UTC).isoformat(timespec="seconds")
    load_before = os.getloadavg()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = write_posterior_draws(args.work, draws=args.draws, seed=args.seed)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    report = json.loads((args.work / DRAWS_REPORT_FILE).read_text(encoding="utf-8"))
    manifest = json.loads((args.work / schema.MANIFEST_FILE).read_text(encoding="utf-8"))
    persons_bytes = (args.work / schema.PERSONS_FILE).stat().st_size
    row = {
        "population": str(args.population), "scale": manifest.get("scale"),
        "n_persons": manifest.get("n_persons"), "draws": args.draws,
        "fit_s": round(result.fit_seconds, 1), "draw_s": round(result.draw_seconds, 1),
        "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
        "max_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2),
        "draws_bytes": result.bytes, "persons_bytes": persons_bytes,
        "changed_share": result.changed_share,
        "models": {k: {"max_r_hat": m["max_r_hat"], "min_ess": m["min_ess"],
                       "sigma_area_mean": m["sigma_area_mean"],
                       "ppc_inside_90": m["predictive_checks"][
                           "provinces_in_90pct_predictive_interval"],
                       "ppc_chi_square_p": m["predictive_checks"]["chi_square_p"]}
                   for k, m in report["models"].items()},
        "started_utc": started_utc, "load_before": load_before, "load_after": os.getloadavg(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared with other jobs)",
    }
    table = Table(title="posterior draws")
    for key in ("n_persons", "draws", "fit_s", "draw_s", "wall_s", "cpu_s", "max_rss_gb",
                "draws_bytes", "persons_bytes"):
        table.add_column(key, justify="right")
    table.add_row(*[f"{row[k]:,}" if isinstance(row[k], int) else str(row[k]) for k in (
        "n_persons", "draws", "fit_s", "draw_s", "wall_s", "cpu_s", "max_rss_gb",
        "draws_bytes", "persons_bytes")])
    Console().print(table)
    Console().print(row["models"])
    write_json(args.out, row)


if __name__ == "__main__":
    main()
