"""Test fixtures for the sim layer: a small stand-in population (a few thousand persons, seeded)
and the agents of one the size of 1% of Korea (512,086 persons, the size `synthsoc populate
--scale 0.01` makes), for checks that only hold at scale.

The populations come from the benchmark's stand-in generator (bench/bench_sim_population.py), so
tests and benchmarks share one definition; they are NOT the fitted synthesiser (which takes a
minute or more at 1%). Behavioural traits come from the real persona layer in both.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from synthsoc.sim import Agents, World, load_world
from synthsoc.sim.run import load_agents

ONE_PERCENT = 512_086  # persons in `synthsoc populate --scale 0.01 --seed 1`

REPO = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_sim_population", REPO / "bench" / "bench_sim_population.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def population_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pop") / "population"
    return Path(_generator().write_population(folder, 4000, seed=11, max_emd=60))


@pytest.fixture(scope="session")
def world(population_dir: Path) -> World:
    return load_world(population_dir, seed=5)


@pytest.fixture(scope="session")
def agents_1pct(tmp_path_factory: pytest.TempPathFactory) -> Agents:
    folder = tmp_path_factory.mktemp("pop1pct") / "population"
    path = _generator().write_population(folder, ONE_PERCENT, seed=3)
    return load_agents(path, seed=1)[0]
