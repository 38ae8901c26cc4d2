"""From a population folder to replicate outputs: the steps the ``simulate`` command chains."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from synthsoc.sim.agents import build_agents
from synthsoc.sim.network import NetworkConfig, build_network
from synthsoc.sim.outputs import outcome_values
from synthsoc.sim.replicates import ReplicateRunner, run_replicates
from synthsoc.sim.scenario import Scenario
from synthsoc.sim.world import RunOutput, World
from synthsoc.synth import load_population

PERSON_COLUMNS = [
    "person_id",
    "household_id",
    "age",
    "sex",
    "sido_code",
    "sigungu_code",
    "emd_code",
    "economic_activity",
    "occupation",
]


def load_world(
    population: str | Path, *, seed: int = 0, network: NetworkConfig | None = None
) -> World:
    """Agents and their multilayer network from a population folder, reproducibly from ``seed``."""
    pop = load_population(population, columns=PERSON_COLUMNS)
    t0 = time.perf_counter()
    agents = build_agents(pop.persons, pop.households, seed=seed)
    t1 = time.perf_counter()
    net = build_network(agents, network, seed=seed)
    world = World(agents=agents, network=net, regions=pop.regions)
    world.derived("timings", lambda: {"agents_s": t1 - t0, "network_s": time.perf_counter() - t1})
    return world


@dataclass
class SimulationRun:
    scenario: Scenario
    outputs: list[RunOutput]
    seed: int
    wall_s: float
    meta: dict[str, Any] = field(default_factory=dict)

    def outcome_values(self) -> dict[str, np.ndarray]:
        return outcome_values(self.outputs)


def simulate(
    scenario: Scenario,
    world: World,
    *,
    replicates: int,
    seed: int = 0,
    runner: ReplicateRunner | None = None,
    decision_model: Any = None,
    on_done: Any = None,
) -> SimulationRun:
    """Run the scenario's replicates on ``world``."""
    t0 = time.perf_counter()
    outputs = run_replicates(
        scenario,
        world,
        replicates=replicates,
        seed=seed,
        runner=runner,
        decision_model=decision_model,
        on_done=on_done,
    )
    return SimulationRun(
        scenario,
        outputs,
        seed,
        time.perf_counter() - t0,
        meta={"llm_calls": int(sum(o.llm_calls for o in outputs))},
    )
