"""Real 1% populations (the fitted synthesiser, national) for totals and command tests, and a
small stand-in world for the marketplace spending tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from synthsoc.sim import World, load_world
from synthsoc.synth import Population, load_population
from synthsoc.synth.populate import populate

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def population_2020_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("policy") / "pop2020"
    populate(out, year=2020, scale=0.01, seed=1, progress=False, html=False)
    return out


@pytest.fixture(scope="session")
def population_2025_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("policy") / "pop2025"
    populate(out, year=2025, scale=0.01, seed=1, progress=False, html=False)
    return out


@pytest.fixture(scope="session")
def population_2020(population_2020_dir: Path) -> Population:
    return load_population(population_2020_dir)


@pytest.fixture(scope="session")
def population_2025(population_2025_dir: Path) -> Population:
    return load_population(population_2025_dir)


@pytest.fixture(scope="session")
def standin_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The sim layer's small stand-in population (4,000 persons, the benchmark's generator, not
    the fitted synthesiser) as a world with its network, for the marketplace spending tests."""
    path = REPO / "bench" / "bench_sim_population.py"
    spec = importlib.util.spec_from_file_location("bench_sim_population", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("policy_standin") / "population"
    return load_world(Path(module.write_population(folder, 4000, seed=11, max_emd=60)), seed=5)
