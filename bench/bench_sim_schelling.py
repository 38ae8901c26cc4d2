"""Benchmark: Schelling agent-steps per second, synthsoc's numba kernel vs Mesa's own example.

Both run the same model at the same size: a ``side x side`` torus with Moore neighbourhoods,
density 0.9, two equal groups, homophily 0.4 (an agent moves to a random empty cell when fewer
than 40% of its neighbours share its group). Mesa's ``mesa.examples.basic.schelling`` model is
used as shipped. Agent-steps per second = agents x steps / time. Numba compilation is excluded
and reported.

Usage: ``PYTHONPATH=src python bench/bench_sim_schelling.py [--side 200] [--steps 10]``.
Writes ``bench/results/sim_schelling.json``.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import time
from pathlib import Path

import mesa
import numpy as np
from mesa.examples.basic.schelling.model import Schelling as MesaSchelling

from synthsoc.sim.schelling import Schelling, grid_sites

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--side", type=int, default=200)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--density", type=float, default=0.9)
    ap.add_argument("--homophily", type=float, default=0.4)
    args = ap.parse_args()
    load_at_start = os.getloadavg()[0]

    t0 = time.perf_counter()
    ip, ix = grid_sites(10, 10)
    warm = Schelling(
        ip, ix, np.array([0, 1] * 40, dtype=np.int8), 0.4, np.random.default_rng(0), torus=(10, 10)
    )
    warm.step()
    warm.like_share()
    warmup_s = time.perf_counter() - t0

    # Mesa 3.5 takes ``rng=``, 3.3 (the last release for Python 3.11) ``seed=``
    seed_kw = "rng" if "rng" in inspect.signature(MesaSchelling.__init__).parameters else "seed"
    mesa_model = MesaSchelling(
        height=args.side,
        width=args.side,
        density=args.density,
        minority_pc=0.5,
        homophily=args.homophily,
        radius=1,
        **{seed_kw: 42},
    )
    n_mesa = len(mesa_model.agents)
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        mesa_model.step()
    mesa_wall, mesa_cpu = time.perf_counter() - w0, time.process_time() - c0

    rng = np.random.default_rng(42)
    indptr, indices = grid_sites(args.side, args.side)
    n = n_mesa  # the same number of agents on the same grid
    group = (rng.random(n) < 0.5).astype(np.int8)
    model = Schelling(indptr, indices, group, args.homophily, rng, torus=(args.side, args.side))
    start_share = model.like_share()
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        model.step()
    ours_wall, ours_cpu = time.perf_counter() - w0, time.process_time() - c0

    result = {
        "benchmark": "sim_schelling",
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_at_start:.1f} at start of run",
        "mesa_version": mesa.__version__,
        "grid": f"{args.side}x{args.side}",
        "agents": n,
        "steps": args.steps,
        "mesa_agent_steps_per_s": n * args.steps / mesa_wall,
        "mesa_agent_steps_per_cpu_s": n * args.steps / mesa_cpu,
        "synthsoc_agent_steps_per_s": n * args.steps / ours_wall,
        "synthsoc_agent_steps_per_cpu_s": n * args.steps / ours_cpu,
        "ratio_wall": mesa_wall / ours_wall,
        "ratio_cpu": mesa_cpu / ours_cpu,
        "synthsoc_like_share_start_end": [start_share, model.like_share()],
        "numba_warmup_s": warmup_s,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sim_schelling.json").write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        print(f"{key:34s} {value}")


if __name__ == "__main__":
    main()
