"""Benchmark: multilayer network construction and 100 diffusion steps on a million agents.

Usage: ``PYTHONPATH=src python bench/bench_sim_network.py [--persons 1000000] [--population DIR]``.
Without ``--population`` a stand-in population (bench/bench_sim_population.py) is generated.
Numba compilation is done on a tiny world first and reported separately (not in the timings).
Prints a table and writes ``bench/results/sim_network.json`` and a chart of the online layer's
statistics against the published figures and their bands
(``bench/results/sim_network_published.png``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sim_population import write_population  # noqa: E402
from synthsoc.sim import builtin_scenarios, load_world, network_report  # noqa: E402
from synthsoc.sim.cascade import seed_numba  # noqa: E402
from synthsoc.sim.network_chart import published_comparison_chart  # noqa: E402
from synthsoc.sim.platform import Platform  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def platform_for(world, rng: np.random.Generator) -> Platform:  # type: ignore[no-untyped-def]
    sc = builtin_scenarios()["rumour_correction"]
    offline = world.network.spread_graph(("household", "work", "school", "neighbourhood"))
    follows = world.network.layers["online"]
    plat = Platform(
        follows.indptr,
        follows.indices,
        offline,
        activity=world.agents.online_activity,
        reshare=world.agents.reshare,
        appeal=np.array([m.appeal for m in sc.params.messages], dtype=np.float64),
        blocks=np.array([[False, False], [True, False]]),
        ranking="engagement",
        feed_size=10,
        window=3,
        offline_prob=0.01,
    )
    users = np.flatnonzero(world.agents.sns_user)
    plat.post(0, rng.choice(users, 500, replace=False), 0)
    return plat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--population", type=Path)
    ap.add_argument("--steps", type=int, default=100)
    args = ap.parse_args()
    load_at_start = os.getloadavg()[0]

    tmp = Path(tempfile.mkdtemp(prefix="bench_sim_"))
    t0 = time.perf_counter()
    warm_world = load_world(write_population(tmp / "warm", 3000, seed=1, max_emd=40), seed=0)
    warm = platform_for(warm_world, np.random.default_rng(0))
    for t in range(1, 4):
        warm.step(t)
    warmup_s = time.perf_counter() - t0

    pop = args.population or write_population(tmp / "pop", args.persons, seed=7)
    t0 = time.perf_counter()
    world = load_world(pop, seed=0)
    build_s = time.perf_counter() - t0
    timings = dict(world.derived("timings", dict))
    rss_after_network = peak_rss_mb()
    layer_arcs = {k: g.n_edges for k, g in world.network.layers.items()}

    rng = np.random.default_rng(1)
    seed_numba(1)
    plat = platform_for(world, rng)
    t0 = time.perf_counter()
    for t in range(1, args.steps + 1):
        plat.step(t)
    steps_s = time.perf_counter() - t0
    reached = float((plat.seen_first[0] >= 0).mean())

    t0 = time.perf_counter()
    report = network_report(world.network, world.agents)
    stats_s = time.perf_counter() - t0

    result = {
        "benchmark": "sim_network",
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_at_start:.1f} at start of run",
        "agents": world.agents.n,
        "population": str(pop),
        "arcs_per_layer": layer_arcs,
        "network_bytes_mb": world.network.nbytes() / 1e6,
        "load_and_agents_s": build_s - timings["network_s"],
        "network_build_s": timings["network_s"],
        "network_layers_s": world.network.timings_s,
        "peak_rss_after_network_mb": rss_after_network,
        "diffusion_steps": args.steps,
        "diffusion_s": steps_s,
        "diffusion_ms_per_step": steps_s / args.steps * 1000,
        "agent_steps_per_s": world.agents.n * args.steps / steps_s,
        "rumour_reach_after_steps": reached,
        "peak_rss_mb": peak_rss_mb(),
        "numba_warmup_s": warmup_s,
        "network_stats_s": stats_s,
        "comparison_with_published": report["comparison"],
    }
    shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sim_network.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    )
    fig = published_comparison_chart(
        report["comparison"], f"online layer vs Facebook, {world.agents.n:,} agents"
    )
    fig.savefig(RESULTS / "sim_network_published.png", dpi=120)
    print(f"{'agents':34s} {result['agents']:,}")
    for key in (
        "network_build_s",
        "diffusion_s",
        "diffusion_ms_per_step",
        "agent_steps_per_s",
        "network_bytes_mb",
        "peak_rss_after_network_mb",
        "peak_rss_mb",
        "numba_warmup_s",
    ):
        print(f"{key:34s} {result[key]:,.2f}")
    print("layer arcs:", layer_arcs)
    for row in report["comparison"]:
        print(
            f"  {row['layer']:12s} {row['statistic']:28s} sim {row['simulated']:8.3f}  "
            f"published {row['published']:8.3f}"
        )


if __name__ == "__main__":
    main()
