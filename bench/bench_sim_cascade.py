"""Benchmark: independent cascade on the million-agent multilayer graph, synthsoc vs cynetdiff.

Both engines get the same CSR graph (all layers, in the direction of influence), the same
uniform activation probability and the same seed sets, and run each cascade to completion.
Times are wall-clock and process CPU time (the machine is shared). Numba compilation happens on
a tiny graph first and is reported separately; so is each engine's set-up (cynetdiff's model
construction, our per-arc weight array), done once before the timed cascades.

Usage: ``PYTHONPATH=src python bench/bench_sim_cascade.py [--population DIR] [--runs 5]``.
Writes ``bench/results/sim_cascade.json``.
"""

from __future__ import annotations

import argparse
import array
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from cynetdiff.models import IndependentCascadeModel

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sim_population import write_population  # noqa: E402
from synthsoc.sim import load_world  # noqa: E402
from synthsoc.sim.cascade import Contagion, seed_numba  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def ours(indptr, indices, layer, weight, seeds) -> int:  # type: ignore[no-untyped-def]
    """A fresh contagion (state per node) on the shared graph and arc weights, run to the end."""
    c = Contagion(indptr, indices, weight, layer)
    c.start(seeds)
    return c.run(max_steps=10_000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--population", type=Path)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--prob", type=float, default=0.05)
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    load_at_start = os.getloadavg()[0]

    t0 = time.perf_counter()
    seed_numba(0)
    tiny_ptr = np.array([0, 1, 2, 2], dtype=np.int64)
    tiny_w = np.full(2, 0.5, dtype=np.float32)
    ours(tiny_ptr, np.array([1, 2], dtype=np.int32), np.zeros(2, np.uint8), tiny_w, np.array([0]))
    warmup_s = time.perf_counter() - t0

    tmp = Path(tempfile.mkdtemp(prefix="bench_sim_"))
    pop = args.population or write_population(tmp / "pop", args.persons, seed=7)
    world = load_world(pop, seed=0)
    indptr, indices, layer = world.network.spread_graph()
    n = world.agents.n
    starts = array.array("I")
    starts.frombytes(indptr[:-1].astype(np.uint32).tobytes())
    edges = array.array("I")
    edges.frombytes(indices.astype(np.uint32).tobytes())
    rng = np.random.default_rng(3)
    seed_sets = [rng.choice(n, args.seeds, replace=False) for _ in range(args.runs)]

    t0 = time.perf_counter()
    peer = IndependentCascadeModel(starts, edges, activation_prob=args.prob)
    peer_setup_s = time.perf_counter() - t0
    t0 = time.perf_counter()  # our set-up: the arc weights (a per-arc rule allows any)
    weight = np.full(indices.size, args.prob, dtype=np.float32)
    ours_setup_s = time.perf_counter() - t0
    peer_wall, peer_cpu, peer_sizes = 0.0, 0.0, []
    ours_wall, ours_cpu, ours_sizes = 0.0, 0.0, []
    seed_numba(5)
    for seeds in seed_sets:  # interleave the engines so load changes hit both alike
        w0, c0 = time.perf_counter(), time.process_time()
        peer.set_seeds(seeds.tolist())
        peer.advance_until_completion()
        peer_sizes.append(peer.get_num_activated_nodes())
        peer_wall += time.perf_counter() - w0
        peer_cpu += time.process_time() - c0
        w0, c0 = time.perf_counter(), time.process_time()
        ours_sizes.append(ours(indptr, indices, layer, weight, seeds))
        ours_wall += time.perf_counter() - w0
        ours_cpu += time.process_time() - c0

    result = {
        "benchmark": "sim_cascade",
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_at_start:.1f} at start of run",
        "agents": n,
        "arcs": int(indices.size),
        "activation_prob": args.prob,
        "seeds_per_cascade": args.seeds,
        "runs": args.runs,
        "synthsoc_s_per_cascade": ours_wall / args.runs,
        "synthsoc_cpu_s_per_cascade": ours_cpu / args.runs,
        "cynetdiff_s_per_cascade": peer_wall / args.runs,
        "cynetdiff_cpu_s_per_cascade": peer_cpu / args.runs,
        "ratio_wall_synthsoc_over_cynetdiff": ours_wall / peer_wall,
        "ratio_cpu_synthsoc_over_cynetdiff": ours_cpu / peer_cpu,
        "mean_final_size_synthsoc": float(np.mean(ours_sizes)),
        "mean_final_size_cynetdiff": float(np.mean(peer_sizes)),
        "cynetdiff_model_setup_s": peer_setup_s,
        "synthsoc_setup_s": ours_setup_s,
        "numba_warmup_s": warmup_s,
    }
    shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sim_cascade.json").write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        print(f"{key:40s} {value}")


if __name__ == "__main__":
    main()
