"""`synthsoc personas DIR` end to end (templates offline; the embedded model when available)."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from synthsoc.cli import app


def _folder(population_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "pop"
    shutil.copytree(population_dir, folder)
    return folder


def test_personas_command_writes_files_and_template_narratives(
    population_dir: Path, tmp_path: Path
) -> None:
    folder = _folder(population_dir, tmp_path)
    result = CliRunner().invoke(app, ["personas", str(folder), "--narratives", "3", "--seed", "9"])
    assert result.exit_code == 0, result.output
    for name in ("personas.parquet", "persona_card.md", "persona_audit.json",
                 "narratives.parquet"):
        assert (folder / name).is_file(), name
    personas = pl.read_parquet(folder / "personas.parquet")
    assert personas.height == pl.read_parquet(folder / "persons.parquet").height
    assert {"person_id", "dialect"} <= set(personas.columns)
    narratives = pl.read_parquet(folder / "narratives.parquet")
    assert narratives.columns == ["person_id", "narrative", "source", "contradictions",
                                  "n_contradictions", "attempts"]
    assert narratives.height == 3 and (narratives["source"] == "template").all()
    assert narratives["n_contradictions"].sum() == 0


def test_personas_command_rejects_bad_input(population_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["personas", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "not a complete population folder" in missing.output
    bad_llm = runner.invoke(app, ["personas", str(population_dir), "--llm", "gpt9"])
    assert bad_llm.exit_code != 0 and "--llm must be one of" in bad_llm.output


@pytest.mark.integration
def test_personas_command_with_the_embedded_model(population_dir: Path, tmp_path: Path) -> None:
    llm = pytest.importorskip("synthsoc.llm")
    if not hasattr(llm, "open_llm"):
        pytest.skip("synthsoc.llm is not merged into this branch yet")
    folder = _folder(population_dir, tmp_path)
    result = CliRunner().invoke(
        app, ["personas", str(folder), "--narratives", "3", "--llm", "local", "--seed", "9"]
    )
    assert result.exit_code == 0, result.output
    narratives = pl.read_parquet(folder / "narratives.parquet")
    assert narratives.height == 3
    assert narratives["source"].str.starts_with("local:").all()
    assert (narratives["narrative"].str.len_chars() > 0).all()
    assert narratives["contradictions"].dtype == pl.List(pl.String)
