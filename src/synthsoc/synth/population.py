"""Reading a population folder written by :func:`synthsoc.synth.populate`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from synthsoc.synth import schema


class PopulationFolderError(ValueError):
    """A population folder is missing, incomplete or malformed."""


@dataclass(frozen=True)
class Population:
    """A synthetic population: persons, households, region names and the run's manifest."""

    persons: pl.DataFrame
    households: pl.DataFrame
    regions: pl.DataFrame
    manifest: dict[str, Any]
    path: Path | None = None

    @property
    def n_persons(self) -> int:
        return self.persons.height

    @property
    def n_households(self) -> int:
        return self.households.height


def load_population(folder: str | Path, columns: list[str] | None = None) -> Population:
    """Load a complete population folder; ``columns`` limits the person columns read."""
    path = Path(folder)
    manifest_path = path / schema.MANIFEST_FILE
    if not path.is_dir():
        raise PopulationFolderError(f"{path}: population folder does not exist")
    if not manifest_path.is_file():
        raise PopulationFolderError(
            f"{path}: no {schema.MANIFEST_FILE}; the folder is not a complete population "
            "(run `synthsoc populate --out DIR` first)"
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    persons = pl.read_parquet(path / schema.PERSONS_FILE, columns=columns)
    missing = [c for c in (columns or schema.PERSON_COLUMNS) if c not in persons.columns]
    if missing:
        raise PopulationFolderError(f"{path / schema.PERSONS_FILE}: missing columns {missing}")
    households = pl.read_parquet(path / schema.HOUSEHOLDS_FILE)
    regions = pl.read_parquet(path / schema.REGIONS_FILE)
    return Population(persons, households, regions, manifest, path)
