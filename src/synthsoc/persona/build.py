"""Building persona attributes for a whole population, chunk by chunk, and writing them."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from synthsoc import __version__
from synthsoc.atomic import claim_files, write_json, write_text
from synthsoc.executor import Executor, LocalExecutor
from synthsoc.hashing import file_digest, files_digest
from synthsoc.persona.audit import AUDIT_CELL, AuditAccumulator
from synthsoc.persona.audit_rich import RICH_CELL, RichAuditAccumulator
from synthsoc.persona.behavioural import behavioural
from synthsoc.persona.card import render_card
from synthsoc.persona.cognitive import cognitive
from synthsoc.persona.columns import CATEGORICAL, COLUMNS
from synthsoc.persona.inputs import HOUSEHOLD_INPUTS, PERSON_INPUTS, demographics
from synthsoc.persona.linguistic import linguistic
from synthsoc.persona.schedule import schedule
from synthsoc.persona.social import social
from synthsoc.synth import Population, PopulationFolderError, schema

PERSONAS_FILE = "personas.parquet"
CARD_FILE = "persona_card.md"
AUDIT_FILE = "persona_audit.json"
PERSONA_MANIFEST_FILE = "personas_manifest.json"
DEFAULT_CHUNK_ROWS = 2_000_000
WINDOW_ROWS = 4_000_000

# Independent random streams per attribute group, so adding one group never shifts another.
STREAMS: tuple[str, ...] = ("cognitive", "linguistic", "behavioural", "schedule", "social")


def persona_chunk(chunk: pl.DataFrame, seed: int, chunk_index: int) -> pl.DataFrame:
    """Persona attributes for one chunk of persons joined with their household's income."""
    d = demographics(chunk)
    rngs = {
        name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk_index, k)))
        for k, name in enumerate(STREAMS)
    }
    drawn: dict[str, np.ndarray] = {}
    drawn.update(cognitive(d, rngs["cognitive"]))
    drawn.update(linguistic(d, rngs["linguistic"]))
    drawn.update(behavioural(d, rngs["behavioural"]))
    drawn.update(schedule(d, rngs["schedule"]))
    drawn.update(social(d, drawn, rngs["social"]))
    series: list[pl.Series] = [chunk["person_id"]]
    for name in COLUMNS[1:]:
        values = drawn[name]
        if name in CATEGORICAL:
            cats = CATEGORICAL[name]
            codes = pl.Series(name, values.astype(np.uint32))
            series.append(codes.replace_strict(dict(enumerate(cats)), return_dtype=pl.Enum(cats)))
        elif name in ("leave_weekday", "return_weekday"):
            series.append(pl.Series(name, values).set(pl.Series(values < 0), None))
        else:
            series.append(pl.Series(name, values))
    return pl.DataFrame(series)


def _with_income(persons: pl.DataFrame, households: pl.DataFrame) -> pl.DataFrame:
    joined = persons.join(households, on="household_id", how="left", maintain_order="left")
    if joined.height != persons.height:
        raise ValueError(f"{schema.HOUSEHOLDS_FILE}: field household_id has duplicate values")
    return joined


def _population_chunks(population: Population, chunk_rows: int) -> Iterator[pl.DataFrame]:
    households = population.households.select(HOUSEHOLD_INPUTS)
    for start in range(0, population.n_persons, chunk_rows):
        persons = population.persons.slice(start, chunk_rows).select(PERSON_INPUTS)
        yield _with_income(persons, households)


def _count_persons(folder: Path) -> int:
    """Person count of a population folder, after checking it has what personas read."""
    persons_path = folder / schema.PERSONS_FILE
    if not (folder / schema.MANIFEST_FILE).is_file() or not persons_path.is_file():
        raise PopulationFolderError(
            f"{folder}: not a complete population folder (no {schema.MANIFEST_FILE} or "
            f"{schema.PERSONS_FILE}); run `synthsoc populate --out DIR` first"
        )
    scan = pl.scan_parquet(persons_path)
    missing = [c for c in PERSON_INPUTS if c not in scan.collect_schema().names()]
    if missing:
        raise PopulationFolderError(f"{persons_path}: missing columns {missing}")
    return int(scan.select(pl.len()).collect().item())


@dataclass(frozen=True)
class _ChunkInputs:
    """What every chunk task reads: the folder, the households' income and the settings."""

    folder: str
    households: pl.DataFrame
    seed: int
    chunk_rows: int


def _chunk_task(shared: _ChunkInputs, index: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Chunk ``index``: its persona frame and the audit cells of its persons (a work unit of
    :mod:`synthsoc.executor`; reads only its own slice of ``persons.parquet``)."""
    scan = pl.scan_parquet(Path(shared.folder) / schema.PERSONS_FILE)
    persons = scan.slice(index * shared.chunk_rows, shared.chunk_rows).select(PERSON_INPUTS)
    chunk = _with_income(persons.collect(), shared.households)
    cells = chunk.select(list(dict.fromkeys([*AUDIT_CELL, *RICH_CELL])))
    return persona_chunk(chunk, shared.seed, index), cells


def _check_chunk_rows(chunk_rows: int) -> None:
    if chunk_rows <= 0:
        raise ValueError(f"chunk_rows must be positive, got {chunk_rows}")


def iter_persona_chunks(
    population: Population, seed: int, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[pl.DataFrame]:
    """Persona frames of at most ``chunk_rows`` persons, in person order."""
    _check_chunk_rows(chunk_rows)
    for index, chunk in enumerate(_population_chunks(population, chunk_rows)):
        yield persona_chunk(chunk, seed, index)


def build_personas(
    population: Population, seed: int, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> pl.DataFrame:
    """One row per person: ``person_id`` plus every persona attribute (see ``persona_card.md``).

    The draws depend on ``seed`` and ``chunk_rows`` (each chunk has its own random streams).
    """
    return pl.concat(list(iter_persona_chunks(population, seed, chunk_rows)), rechunk=True)


def write_personas(
    folder: str | Path,
    seed: int,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> dict[str, object]:
    """Write ``personas.parquet``, ``persona_audit.json`` and ``persona_card.md`` into ``folder``.

    Persons are read and processed ``chunk_rows`` at a time and streamed into one Parquet file
    (written under a temporary name and renamed), so memory stays bounded. ``progress(done,
    total)`` is called after each chunk. Returns the summary written to
    ``personas_manifest.json``. Gives the same bytes as ``build_personas`` on the loaded
    population with the same seed and chunk size.

    Chunks are work units of ``executor`` (:mod:`synthsoc.executor`; default: this process):
    each has its own random streams and is written in chunk order, so the files are
    byte-identical whatever the number of workers or nodes.
    """
    _check_chunk_rows(chunk_rows)
    path = Path(folder)
    total = _count_persons(path)
    if total == 0:
        raise PopulationFolderError(f"{path / schema.PERSONS_FILE}: the population has no persons")
    audit = AuditAccumulator()
    rich = RichAuditAccumulator(audit.min_cell_size)
    target = path / PERSONAS_FILE
    # no manifest while the files change: a killed run can never look like a finished one
    (path / PERSONA_MANIFEST_FILE).unlink(missing_ok=True)
    inputs = population_digest(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=path)
    os.close(fd)
    writer: pq.ParquetWriter | None = None
    done = 0
    runner = executor or LocalExecutor(1)
    shared = _ChunkInputs(
        str(path),
        pl.read_parquet(path / schema.HOUSEHOLDS_FILE, columns=list(HOUSEHOLD_INPUTS)),
        seed,
        chunk_rows,
    )
    n_chunks = -(-total // chunk_rows)
    # chunks in memory at once (written in order as they finish): two per worker, or as many
    # as make WINDOW_ROWS persons, whichever is more (fewer pools to start for small chunks)
    window = max(2 * runner.workers, WINDOW_ROWS // chunk_rows)
    try:
        for first in range(0, n_chunks, window):
            indices = list(range(first, min(first + window, n_chunks)))
            for personas, cells in runner.map(_chunk_task, indices, shared=shared,
                                               start="spawn"):
                table = personas.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                writer.write_table(table)
                audit.add(pl.concat([cells.select(AUDIT_CELL), personas], how="horizontal"))
                rich.add(pl.concat([cells.select(RICH_CELL), personas], how="horizontal"))
                done += personas.height
                if progress is not None:
                    progress(done, total)
        if writer is not None:
            writer.close()
            writer = None
        os.replace(tmp, target)
    finally:
        if writer is not None:
            writer.close()
        Path(tmp).unlink(missing_ok=True)
    report = audit.report()
    report["rich"] = rich.report()
    write_json(path / AUDIT_FILE, report)
    write_text(path / CARD_FILE, render_card(report, seed=seed, n_persons=done))
    files = [PERSONAS_FILE, AUDIT_FILE, CARD_FILE]
    summary: dict[str, object] = {
        "seed": seed,
        "n_persons": done,
        "chunk_rows": chunk_rows,
        "synthsoc_version": __version__,
        "inputs": inputs,
        "files": files,
        "digests": files_digest(path / f for f in files),
        "audit_flags": len(report["flags"]),
    }
    write_json(path / PERSONA_MANIFEST_FILE, summary)
    claim_files(path, "population", [*files, PERSONA_MANIFEST_FILE])
    return summary


def population_digest(folder: Path) -> dict[str, str]:
    """Content hashes of the population files personas are drawn from."""
    return files_digest(folder / name for name in (schema.PERSONS_FILE, schema.HOUSEHOLDS_FILE))


def reusable_personas(folder: str | Path, seed: int, chunk_rows: int) -> tuple[bool, str]:
    """Whether the personas in ``folder`` are exactly what ``seed`` and ``chunk_rows`` would
    build from the population there now, and why not: the manifest's parameters, synthsoc
    version and population hashes must match, and every listed file its recorded hash."""
    path = Path(folder)
    try:
        previous = read_persona_manifest(path)
    except ValueError as error:
        return False, str(error)
    if previous is None:
        return False, f"no {PERSONA_MANIFEST_FILE}"
    wanted = {"seed": seed, "chunk_rows": chunk_rows, "synthsoc_version": __version__}
    for key, value in wanted.items():
        if previous.get(key) != value:
            return False, f"{PERSONA_MANIFEST_FILE}: {key} {previous.get(key)!r}, asked {value!r}"
    if previous.get("inputs") != population_digest(path):
        return False, "the population files changed since the personas were built"
    digests = previous.get("digests")
    if not isinstance(digests, dict) or set(digests) != {PERSONAS_FILE, AUDIT_FILE, CARD_FILE}:
        return False, f"{PERSONA_MANIFEST_FILE}: no content hashes"
    for name, digest in digests.items():
        file = path / name
        if not file.is_file() or file_digest(file) != digest:
            return False, f"{file}: missing or changed since it was written"
    return True, "parameters and content hashes match"


def read_persona_manifest(folder: str | Path) -> dict[str, object] | None:
    """The summary of the last ``write_personas`` in ``folder``, or None."""
    path = Path(folder) / PERSONA_MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: unreadable ({error})") from None
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: not a JSON object")
    return loaded
