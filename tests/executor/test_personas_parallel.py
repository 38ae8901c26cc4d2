"""Persona building by chunk as executor tasks: byte-identical files whatever the workers."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from synthsoc.executor import Executor, LocalExecutor, RayExecutor
from synthsoc.persona import build_personas, write_personas
from synthsoc.synth import load_population

FILES = ("personas.parquet", "persona_audit.json", "persona_card.md")


def _write(population_dir: Path, folder: Path, executor: Executor) -> dict[str, bytes]:
    shutil.copytree(population_dir, folder)
    (folder / "personas.parquet").unlink(missing_ok=True)
    write_personas(folder, seed=3, chunk_rows=700, executor=executor)
    return {name: (folder / name).read_bytes() for name in FILES}


@pytest.mark.slow
def test_chunks_on_two_workers_give_the_same_bytes(population_dir: Path, tmp_path: Path) -> None:
    one = _write(population_dir, tmp_path / "one", LocalExecutor(1))
    two = _write(population_dir, tmp_path / "two", LocalExecutor(2))
    assert one == two
    # and the same personas as the in-memory builder, which never goes through an executor
    built = build_personas(load_population(tmp_path / "one"), seed=3, chunk_rows=700)
    assert pl.read_parquet(tmp_path / "one" / "personas.parquet").equals(built)
    assert built.height == pl.read_parquet(population_dir / "persons.parquet").height


@pytest.mark.integration
def test_chunks_on_two_ray_nodes_give_the_same_bytes(
    ray_cluster: Any, population_dir: Path, tmp_path: Path
) -> None:
    local = _write(population_dir, tmp_path / "local", LocalExecutor(1))
    on_ray = _write(population_dir, tmp_path / "ray", RayExecutor(workers=2))
    assert local == on_ray
