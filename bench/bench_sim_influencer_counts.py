"""Benchmark: counting influencers in a set (the threshold models' step) by the sparse product
and by :class:`synthsoc.sim.influencer_counts.InfluencerCounts`, on one world.

Usage: ``PYTHONPATH=src python bench/bench_sim_influencer_counts.py --population DIR``.
Prints a table and writes ``bench/results/sim_influencer_counts.json``: seconds (wall and CPU)
per count at several member shares, the same member sets for both, results checked equal.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from synthsoc.sim import load_world

RESULTS = Path(__file__).resolve().parent / "results"
LAYERS = ("household", "work", "neighbourhood", "online")  # the polarisation model's layers


def _timed(fn, repeats: int) -> tuple[float, float, np.ndarray]:  # type: ignore[no-untyped-def]
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(repeats):
        out = fn()
    return (time.perf_counter() - w0) / repeats, (time.process_time() - c0) / repeats, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--population", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    load_at_start = os.getloadavg()[0]
    world = load_world(args.population, seed=0)
    adj = world.adjacency(LAYERS)
    counts = world.influencer_counts(LAYERS)
    counts.count(np.zeros(world.agents.n, dtype=bool))  # numba compile / cache load
    rng = np.random.default_rng(0)
    rows = []
    for share in (0.01, 0.05, 0.2, 0.5, 0.95):
        member = rng.random(world.agents.n) < share
        pw, pc, expected = _timed(
            lambda m=member: np.asarray(adj @ m.astype(np.float32)).ravel(), args.repeats
        )
        cw, cc, got = _timed(lambda m=member: counts.count(m), args.repeats)
        if not np.array_equal(got, expected):
            raise SystemExit(f"counts differ from the sparse product at share {share}")
        rows.append({"share": share, "product_wall_s": pw, "product_cpu_s": pc,
                     "counts_wall_s": cw, "counts_cpu_s": cc,
                     "speedup_wall": pw / cw, "speedup_cpu": pc / cc})
        print(f"share {share:4.2f}: product {pw * 1e3:7.1f} ms ({pc * 1e3:7.1f} CPU)  counts "
              f"{cw * 1e3:7.1f} ms ({cc * 1e3:7.1f} CPU)  speed-up {pw / cw:5.1f}x wall, "
              f"{pc / cc:5.1f}x CPU", flush=True)
    result = {
        "benchmark": "sim_influencer_counts",
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_at_start:.1f} at start of run",
        "population": str(args.population),
        "agents": world.agents.n,
        "arcs": int(counts.indices.size),
        "layers": list(LAYERS),
        "rows": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sim_influencer_counts.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
