"""Benchmark: the online layer alone against Facebook's published figures, on a population folder.

Builds the agents (personas read or built) and only the online layer, then its median degree,
clustering at degree 100, degree assortativity and in-degree tail exponent beside the bundled
published figures and bands (``synthsoc/sim/data/network_reference.csv``), its homophily on age
band, si-do and interest, and the build time.

Usage: ``PYTHONPATH=src python bench/bench_sim_online.py --population DIR [--label NAME]``.
Writes ``bench/results/sim_online_<label>.json`` and ``bench/results/sim_online_<label>.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from synthsoc.sim.network import NetworkConfig, online_layer
from synthsoc.sim.network_chart import published_comparison_chart
from synthsoc.sim.network_stats import (
    compare_with_reference,
    homophily,
    online_statistics,
    reference_figures,
)
from synthsoc.sim.run import load_agents

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--population", type=Path, required=True)
    ap.add_argument("--label", default="run")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    load_at_start = os.getloadavg()[0]
    agents, _ = load_agents(args.population, seed=args.seed)
    w0, c0 = time.perf_counter(), time.process_time()
    graph = online_layer(agents, NetworkConfig(), np.random.default_rng([args.seed, 0x4E7]))
    build_wall, build_cpu = time.perf_counter() - w0, time.process_time() - c0
    stats = online_statistics(graph, graph.transpose(), seed=args.seed)
    comparison = []
    for ref in reference_figures():
        if ref["layer"] != "online":
            continue
        comparison.append(compare_with_reference(ref, stats[ref["statistic"]]))
    result = {
        "benchmark": "sim_online",
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_at_start:.1f} at start of run",
        "population": str(args.population),
        "agents": agents.n,
        "sns_users": int(agents.sns_user.sum()),
        "arcs": graph.n_edges,
        "build_wall_s": build_wall,
        "build_cpu_s": build_cpu,
        "homophily_index": {
            name: homophily(graph, values)["index"]
            for name, values in (
                ("age_band", agents.age_band), ("sido", agents.sido), ("interest", agents.interest)
            )
        },
        "comparison_with_published": comparison,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"sim_online_{args.label}.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    )
    fig = published_comparison_chart(
        comparison, f"online layer vs Facebook, {agents.n:,} agents ({args.label})"
    )
    fig.savefig(RESULTS / f"sim_online_{args.label}.png", dpi=120)
    print(f"agents {agents.n:,}, SNS users {result['sns_users']:,}, arcs {graph.n_edges:,}, "
          f"built in {build_wall:.1f} s wall / {build_cpu:.1f} s CPU")
    for row in comparison:
        band = "" if row["band"] is None else f" band {row['band']} within={row['within']}"
        print(f"  {row['statistic']:30s} sim {row['simulated']:8.3f}  "
              f"published {row['published']:8.3f}{band}")
    print("homophily index:", {k: round(v, 3) for k, v in result["homophily_index"].items()})


if __name__ == "__main__":
    main()
