"""From a population folder to replicate outputs: the steps the ``simulate`` command chains."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synthsoc.executor import Executor
from synthsoc.persona import write_personas
from synthsoc.persona.build import PERSONAS_FILE
from synthsoc.sim.agents import Agents, build_agents
from synthsoc.sim.network import NetworkConfig, build_network
from synthsoc.sim.outputs import outcome_values
from synthsoc.sim.replicates import ReplicateRunner, run_replicates
from synthsoc.sim.scenario import Scenario
from synthsoc.sim.world import RunOutput, World
from synthsoc.synth import PopulationFolderError, load_population
from synthsoc.synth.posterior_draws import DRAWS_FILE, draw_persons
from synthsoc.synth.small_area import SmallAreaError

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
# described to a language model when the population has them (persona.describe)
DESCRIBED_COLUMNS = ["education", "marital_status"]


def load_agents(
    population: str | Path, *, seed: int = 0, draw: int | None = None
) -> tuple[Agents, dict[str, Any]]:
    """The agents of a population folder, with what :func:`load_world` records about the load.

    Behavioural traits come from the folder's ``personas.parquet``; when it is missing it is
    built first (``synthsoc personas`` with the same seed). ``draw``: the sampled attributes
    (education, marital status, economic activity, occupation) of posterior draw ``draw`` of
    the folder's ``posterior_draws.parquet`` replace the base ones (``synthsoc populate
    --draws K``); the persona traits agents read do not depend on them
    (:data:`synthsoc.sim.agents.PERSONA_TRAITS`), so one ``personas.parquet`` serves every draw.
    """
    folder = Path(population)
    pop = load_population(folder)
    base = pop.persons
    if draw is not None:
        draws_path = folder / DRAWS_FILE
        if not draws_path.is_file():
            raise PopulationFolderError(
                f"{draws_path}: no posterior draws (run `synthsoc populate --draws K`)")
        try:
            base = draw_persons(base, draws_path, draw)
        except SmallAreaError as exc:
            raise PopulationFolderError(str(exc)) from None
    persons = base.select(
        [*PERSON_COLUMNS, *(c for c in DESCRIBED_COLUMNS if c in base.columns)]
    )
    t0 = time.perf_counter()
    built = not (folder / PERSONAS_FILE).is_file()
    if built:
        write_personas(folder, seed)
    personas = pl.read_parquet(folder / PERSONAS_FILE)
    t1 = time.perf_counter()
    agents = build_agents(persons, pop.households, personas, seed=seed,
                          source=str(folder / PERSONAS_FILE))
    loaded = {
        "population": pop,
        "persons": persons,
        "personas": personas,
        "personas_s": t1 - t0,
        "agents_s": time.perf_counter() - t1,
        "personas_record": {"file": str(folder / PERSONAS_FILE), "built_now": built, "seed": seed},
    }
    return agents, loaded


def load_world(
    population: str | Path,
    *,
    seed: int = 0,
    network: NetworkConfig | None = None,
    draw: int | None = None,
) -> World:
    """Agents and their multilayer network from a population folder, reproducibly from ``seed``.

    Behavioural traits come from the folder's ``personas.parquet``; when it is missing it is
    built first (``synthsoc personas`` with the same seed), which the world records in
    ``world.derived("personas")``. ``draw``: the persons of that posterior draw
    (:func:`load_agents`); the network is rebuilt from them with the same seed.
    """
    agents, loaded = load_agents(population, seed=seed, draw=draw)
    pop, persons, personas = loaded["population"], loaded["persons"], loaded["personas"]
    t2 = time.perf_counter()
    net = build_network(agents, network, seed=seed)
    world = World(
        agents=agents, network=net, regions=pop.regions,
        profiles=_profiles(persons, pop.households, pop.regions, personas),
        scale=_scale(pop.manifest),
        region=pop.manifest.get("region"),
    )
    world.derived(
        "timings",
        lambda: {
            "personas_s": loaded["personas_s"],
            "agents_s": loaded["agents_s"],
            "network_s": time.perf_counter() - t2,
        },
    )
    world.derived("personas", lambda: loaded["personas_record"])
    return world


def _scale(manifest: dict[str, Any]) -> float | None:
    """Synthetic persons per resident from the manifest; None when it does not say."""
    scale = manifest.get("scale")
    if isinstance(scale, int | float) and not isinstance(scale, bool) and 0 < scale <= 1:
        return float(scale)
    return None


def _profiles(
    persons: pl.DataFrame, households: pl.DataFrame, regions: pl.DataFrame, personas: pl.DataFrame
) -> pl.DataFrame:
    """One row per agent with what :func:`synthsoc.persona.describe.describe_person` reads:
    demographics, household income, the Korean names of the si-do and si-gun-gu, the persona."""
    names = regions.select(
        pl.col("sigungu_code").cast(pl.Utf8), "sigungu_name", "sido_name"
    ).unique("sigungu_code", keep="first")
    return (
        persons.with_columns(pl.col("sigungu_code").cast(pl.Utf8))
        .join(households.select("household_id", "income_bracket"), on="household_id",
              how="left", maintain_order="left")
        .join(names, on="sigungu_code", how="left", maintain_order="left")
        .join(personas, on="person_id", how="left", maintain_order="left")
    )


@dataclass
class SimulationRun:
    scenario: Scenario
    outputs: list[RunOutput]
    seed: int
    wall_s: float
    meta: dict[str, Any] = field(default_factory=dict)

    def outcome_values(self) -> dict[str, np.ndarray]:
        return outcome_values(self.outputs)

    def total_values(self) -> dict[str, np.ndarray]:
        names = list(self.outputs[0].totals)
        return {k: np.array([o.totals[k] for o in self.outputs]) for k in names}


def simulate(
    scenario: Scenario,
    world: World,
    *,
    replicates: int,
    seed: int = 0,
    runner: ReplicateRunner | None = None,
    decision_model: Any = None,
    on_done: Any = None,
    executor: Executor | None = None,
) -> SimulationRun:
    """Run the scenario's replicates on ``world`` (with ``executor``: as its work units)."""
    t0 = time.perf_counter()
    outputs = run_replicates(
        scenario,
        world,
        replicates=replicates,
        seed=seed,
        runner=runner,
        decision_model=decision_model,
        on_done=on_done,
        executor=executor,
    )
    return SimulationRun(
        scenario,
        outputs,
        seed,
        time.perf_counter() - t0,
        meta={"llm_calls": int(sum(o.llm_calls for o in outputs))},
    )
