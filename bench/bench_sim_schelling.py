"""Benchmark: Schelling agent-steps per second, synthsoc's numba kernel vs Mesa.

Two comparisons at the same size (a ``side x side`` grid, Moore neighbourhoods, density 0.9, two
equal groups, homophily 0.4: an agent moves to a random empty cell when fewer than 40% of its
neighbours share its group):

* **like for like** (the headline ratio): a Mesa model written to the same rule as synthsoc's
  kernel: a torus (``OrthogonalMooreGrid(torus=True)``), each agent in random order checks its
  neighbours when activated and moves if unhappy, an agent with no neighbours is happy, and no
  data collection on either side;
* **Mesa's shipped example** (``mesa.examples.basic.schelling``), for reference: it differs in
  three ways (a non-wrapping grid, a DataCollector of model and agent reporters every step, an
  agent without neighbours counted unhappy, and happiness computed once per step before moves).

Agent-steps per second = agents x steps / time. Numba compilation is excluded and reported.

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
from mesa.discrete_space import CellAgent, OrthogonalMooreGrid
from mesa.examples.basic.schelling.model import Schelling as MesaSchelling

from synthsoc.sim.schelling import Schelling, grid_sites

RESULTS = Path(__file__).resolve().parent / "results"


class SameRuleAgent(CellAgent):  # type: ignore[misc]
    """synthsoc's rule in Mesa: check on activation, no neighbours counts as happy."""

    def __init__(self, model: mesa.Model, cell: object, group: int, homophily: float) -> None:
        super().__init__(model)
        self.cell = cell
        self.group = group
        self.homophily = homophily

    def step(self) -> None:
        neighbours = list(self.cell.neighborhood.agents)
        if neighbours:
            like = sum(1 for a in neighbours if a.group == self.group) / len(neighbours)
            if like < self.homophily:
                self.cell = self.model.grid.select_random_empty_cell()


class SameRuleSchelling(mesa.Model):  # type: ignore[misc]
    """A torus, random activation, no data collection: synthsoc's grid model in Mesa."""

    def __init__(self, side: int, density: float, homophily: float, seed: int) -> None:
        super().__init__(seed=seed)
        self.grid = OrthogonalMooreGrid(
            (side, side), torus=True, capacity=1, random=self.random
        )
        for cell in self.grid.all_cells:
            if self.random.random() < density:
                SameRuleAgent(self, cell, int(self.random.random() < 0.5), homophily)

    def step(self) -> None:
        self.agents.shuffle_do("step")


def _time(step: object, steps: int) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()  # type: ignore[operator]
    return time.perf_counter() - w0, time.process_time() - c0


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
    mesa_wall, mesa_cpu = _time(mesa_model.step, args.steps)
    same = SameRuleSchelling(args.side, args.density, args.homophily, seed=42)
    n_same = len(same.agents)
    same_wall, same_cpu = _time(same.step, args.steps)

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
    rng = np.random.default_rng(43)
    group_same = (rng.random(n_same) < 0.5).astype(np.int8)
    same_ours = Schelling(
        indptr, indices, group_same, args.homophily, rng, torus=(args.side, args.side)
    )
    same_ours_wall, same_ours_cpu = _time(same_ours.step, args.steps)

    result = {
        "benchmark": "sim_schelling",
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_at_start:.1f} at start of run",
        "mesa_version": mesa.__version__,
        "grid": f"{args.side}x{args.side}",
        "agents": n,
        "steps": args.steps,
        "like_for_like": {
            "rule": "torus, check on activation, no neighbours = happy, no data collection",
            "agents": n_same,
            "mesa_agent_steps_per_s": n_same * args.steps / same_wall,
            "synthsoc_agent_steps_per_s": n_same * args.steps / same_ours_wall,
            "ratio_wall": same_wall / same_ours_wall,
            "ratio_cpu": same_cpu / same_ours_cpu,
        },
        "shipped_example_differences": "non-wrapping grid, DataCollector every step, no "
        "neighbours = unhappy, happiness computed before the moves",
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
