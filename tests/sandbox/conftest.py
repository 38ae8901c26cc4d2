"""A small real population (the real `synthsoc populate` and `synthsoc personas` commands at the
smallest scale) shared read-only by the sandbox tests, and its stratified sample."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from synthsoc.cli import app
from synthsoc.sandbox import SampleSpec, load_users, sample_users


@pytest.fixture(scope="session")
def population_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sandbox") / "pop"
    runner = CliRunner()
    made = runner.invoke(app, ["populate", "--out", str(folder), "--scale", "0.001",
                               "--seed", "5", "--no-html"])
    assert made.exit_code == 0, made.output
    personas = runner.invoke(app, ["personas", str(folder)])
    assert personas.exit_code == 0, personas.output
    return folder


@pytest.fixture(scope="session")
def users(population_dir: Path) -> pl.DataFrame:
    return load_users(population_dir)


@pytest.fixture(scope="session")
def sample(users: pl.DataFrame) -> pl.DataFrame:
    return sample_users(users, SampleSpec(per_stratum=2, seed=3))
