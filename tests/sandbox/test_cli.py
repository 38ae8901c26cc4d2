"""`synthsoc sandbox run | recommend` end to end on the real small population."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from synthsoc.atomic import MARKER_FILE
from synthsoc.cli import app
from synthsoc.sandbox.outputs import FILES


def test_run_writes_the_scorecard_and_data(population_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "sb"
    result = CliRunner().invoke(app, [
        "sandbox", "run", str(population_dir), "--out", str(out), "--per-stratum", "1",
        "--assistant", "scripted-good", "--assistant", "scripted-banmal", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {*FILES, MARKER_FILE}  # marker: issue 8
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["personas"] == 24 and summary["assistants"] == ["scripted-good",
                                                                   "scripted-banmal"]
    card = pl.read_parquet(out / "scorecard.parquet")
    speech = card.filter(pl.col("metric") == "speech_level", pl.col("segment") == "all")
    assert dict(zip(speech["assistant"], speech["mean"], strict=True)) == {
        "scripted-good": 1.0, "scripted-banmal": 0.0}
    assert "Sandbox scorecard" in (out / "scorecard.md").read_text(encoding="utf-8")


def test_callable_assistant(population_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "sb"
    result = CliRunner().invoke(app, [
        "sandbox", "run", str(population_dir), "--out", str(out), "--per-stratum", "1",
        "--strata", "dialect", "--assistant", "callable:tests.sandbox.echo_assistant:reply"])
    assert result.exit_code == 0, result.output
    results = pl.read_parquet(out / "results.parquet")
    assert results.height == 6 and (results["task_success"] == 0.0).all()


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sandbox", "run", str(tmp_path / "missing")])
    assert result.exit_code == 1 and "does not exist" in result.output
    result = CliRunner().invoke(app, ["sandbox", "run", str(tmp_path), "--strata", "shoe"])
    assert result.exit_code == 1 and "unknown strata" in result.output


def test_recommend(population_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sandbox", "recommend", str(population_dir), "--out",
                                      str(tmp_path), "--k", "2"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "recommenders.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in report["reports"]] == ["random", "popularity",
                                                      "segment-popularity"]


def test_a_folder_synthsoc_did_not_make_is_refused_and_left_as_it_was(
    population_dir: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "summary.json").write_text("my own notes", encoding="utf-8")
    for command in (["run", "--per-stratum", "1"], ["recommend"]):
        result = CliRunner().invoke(app, ["sandbox", command[0], str(population_dir),
                                          *command[1:], "--out", str(mine)])
        assert result.exit_code == 1, result.output
        assert sorted(p.name for p in mine.iterdir()) == ["summary.json"]
        assert (mine / "summary.json").read_text(encoding="utf-8") == "my own notes"
