"""Test fixtures for the sim layer: a small stand-in population (a few thousand persons, seeded).

The population comes from the benchmark's stand-in generator (bench/bench_sim_population.py), so
tests and benchmarks share one definition; it is NOT the fitted synthesiser.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from synthsoc.sim import World, load_world

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
