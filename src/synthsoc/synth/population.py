"""Reading a population folder written by :func:`synthsoc.synth.populate`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from synthsoc.data.readers import read_json
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
    manifest = read_json(manifest_path, PopulationFolderError)
    if not isinstance(manifest, dict):
        raise PopulationFolderError(f"{manifest_path}: not a JSON object")
    persons = _parquet(path / schema.PERSONS_FILE, columns)
    missing = [c for c in (columns or schema.PERSON_COLUMNS) if c not in persons.columns]
    if missing:
        raise PopulationFolderError(f"{path / schema.PERSONS_FILE}: missing columns {missing}")
    households = _parquet(path / schema.HOUSEHOLDS_FILE)
    regions = _parquet(path / schema.REGIONS_FILE)
    return Population(persons, households, regions, manifest, path)


def check_population_files(folder: str | Path) -> None:
    """Refuse a population folder whose manifest or Parquet files are missing or damaged,
    without reading the data (Parquet footers only)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(folder)
    if not (path / schema.MANIFEST_FILE).is_file():
        raise PopulationFolderError(
            f"{path}: not a complete population folder (no {schema.MANIFEST_FILE}); "
            "run `synthsoc populate --out DIR` first"
        )
    manifest = read_json(path / schema.MANIFEST_FILE, PopulationFolderError)
    if not isinstance(manifest, dict):
        raise PopulationFolderError(f"{path / schema.MANIFEST_FILE}: not a JSON object")
    for name in (schema.PERSONS_FILE, schema.HOUSEHOLDS_FILE, schema.REGIONS_FILE):
        file = path / name
        if not file.is_file():
            raise PopulationFolderError(f"{file}: missing; the population folder is incomplete")
        try:
            pq.read_metadata(file)
        except (OSError, pa.ArrowException) as error:
            raise PopulationFolderError(
                f"{file}: not a readable Parquet file ({error}); rerun `synthsoc populate`"
            ) from None


def _parquet(path: Path, columns: list[str] | None = None) -> pl.DataFrame:
    """Read a Parquet file of the folder; a missing, truncated or foreign file is named."""
    if not path.is_file():
        raise PopulationFolderError(f"{path}: missing; the population folder is incomplete")
    try:
        return pl.read_parquet(path, columns=columns)
    except (OSError, pl.exceptions.PolarsError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise PopulationFolderError(
            f"{path}: not a readable Parquet file ({first}); rerun `synthsoc populate`"
        ) from None
