"""Real 1% populations (the fitted synthesiser, national) for totals and command tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthsoc.synth import Population, load_population
from synthsoc.synth.populate import populate


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
