"""Personas are reused only when parameters and content hashes prove they are what was asked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from synthsoc.persona.build import PERSONA_MANIFEST_FILE, PERSONAS_FILE, reusable_personas
from synthsoc.synth.populate import populate
from tests.reliability.conftest import REGION, SCALE, invoke, succeeded


def _personas(folder: Path, seed: int) -> str:
    outcome = invoke(["personas", folder, "--seed", seed])
    succeeded(outcome)
    return " ".join(outcome.output.split())


def _built(folder: Path) -> pl.DataFrame:
    return pl.read_parquet(folder / PERSONAS_FILE)


def test_same_request_is_reused(fresh_pop: Path) -> None:
    _personas(fresh_pop, 1)
    assert "reusing" in _personas(fresh_pop, 1)


@pytest.mark.parametrize("damage", [
    "other-seed", "truncated", "garbled-manifest", "manifest-not-object", "file-swapped",
    "no-hashes", "old-version", "population-changed", "deleted-card",
])
def test_damaged_or_different_personas_are_rebuilt(fresh_pop: Path, tmp_path: Path,
                                                   damage: str) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(fresh_pop, reference)
    _personas(reference, 1)
    expected = _built(reference)
    _personas(fresh_pop, 1)
    manifest = fresh_pop / PERSONA_MANIFEST_FILE
    data = json.loads(manifest.read_text())
    target = fresh_pop / PERSONAS_FILE
    if damage == "other-seed":
        _personas(fresh_pop, 2)
    elif damage == "truncated":
        target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    elif damage == "garbled-manifest":
        manifest.write_text('{"seed": 1, "chunk')
    elif damage == "manifest-not-object":
        manifest.write_text("[1, 2]")
    elif damage == "file-swapped":  # a killed run: new-seed file, old manifest
        other = tmp_path / "other"
        shutil.copytree(fresh_pop, other)
        _personas(other, 5)
        shutil.copy(other / PERSONAS_FILE, target)
    elif damage == "no-hashes":
        data.pop("digests")
        manifest.write_text(json.dumps(data))
    elif damage == "old-version":
        data["synthsoc_version"] = "0.0.1"
        manifest.write_text(json.dumps(data))
    elif damage == "population-changed":
        populate(fresh_pop, scale=SCALE, seed=99, region=REGION, progress=False, html=False)
        shutil.copytree(fresh_pop, reference, dirs_exist_ok=True)
        (reference / PERSONA_MANIFEST_FILE).unlink(missing_ok=True)
        _personas(reference, 1)
        expected = _built(reference)
    elif damage == "deleted-card":
        (fresh_pop / "persona_card.md").unlink()
    ok, why = reusable_personas(fresh_pop, 1, data["chunk_rows"])
    assert not ok and why
    text = _personas(fresh_pop, 1)
    assert "reusing" not in text
    assert _built(fresh_pop).equals(expected)
    assert reusable_personas(fresh_pop, 1, data["chunk_rows"])[0]


def test_replacing_a_population_removes_its_personas(fresh_pop: Path) -> None:
    _personas(fresh_pop, 1)
    (fresh_pop / "my_notes.txt").write_text("kept")
    populate(fresh_pop, scale=SCALE, seed=99, region=REGION, progress=False, html=False)
    assert not (fresh_pop / PERSONAS_FILE).exists()
    assert (fresh_pop / "my_notes.txt").read_text() == "kept"
