"""The `synthsoc simulate` command: listing, a run folder with series, outcomes and verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from synthsoc.cli import app
from synthsoc.sim import builtin_scenarios

runner = CliRunner()


def test_list_prints_one_scenario_per_line_name_first() -> None:
    result = runner.invoke(app, ["simulate", "--list"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [ln.split("\t")[0] for ln in lines] == list(builtin_scenarios())


def test_run_writes_series_outcomes_summary_and_charts(
    population_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        [
            "simulate",
            "bank_run",
            "--population",
            str(population_dir),
            "--replicates",
            "3",
            "--steps",
            "6",
            "--workers",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    verdict = summary["outcomes"]["withdrawn_final"]
    # three runs are below the minimum: no verdict is claimed, and the rule says why
    assert verdict["verdict"] == "insufficient replicates" and len(verdict["values"]) == 3
    assert "R >= 10" in verdict["rule"] and "dip test" in verdict["rule"]
    assert "insufficient" in result.output and "rule for withdrawn_final: R >= 10" in result.output
    # every parameter actually used is recorded with where it came from
    params = summary["scenario"]["params"]
    assert params["initial_belief"] == {"value": 0.54, "origin": "yaml"}
    assert params["liquidity"] == {"value": 1.0, "origin": "default"}
    assert params["min_age"] == {"value": 20, "origin": "default"}
    assert summary["seeding"] == "numpy.random.SeedSequence(0).spawn(3)"
    ts = pl.read_parquet(out / "timeseries.parquet")
    assert set(ts["replicate"].unique()) == {0, 1, 2} and ts["step"].max() == 5
    assert {"withdrawn", "mean_belief"} <= set(ts["metric"].unique())
    assert (out / "charts" / "series.png").is_file()
    assert (out / "charts" / "map_withdrawn.png").is_file()
    assert summary["network"]["comparison"]


def test_same_seed_same_outputs(population_dir: Path, tmp_path: Path) -> None:
    args = [
        "simulate",
        "product_launch",
        "--population",
        str(population_dir),
        "--replicates",
        "2",
        "--steps",
        "5",
        "--no-charts",
    ]
    runner.invoke(app, [*args, "--out", str(tmp_path / "a"), "--workers", "1"])
    runner.invoke(app, [*args, "--out", str(tmp_path / "b"), "--workers", "2"])
    for name in ("timeseries.parquet", "outcomes.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_typo_in_a_scenario_file_stops_the_run(population_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(
        "name: t\nmodel: bank_run\nsteps: 5\nparams: {initial_belif: 0.58}\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["simulate", str(path), "--population", str(population_dir), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "typo.yaml: params.initial_belif: unknown key; did you mean 'initial_belief'?" in (
        " ".join(result.output.split())
    )
    assert not (tmp_path / "summary.json").exists()


def test_errors_are_clear(population_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "nope", "--population", str(population_dir)])
    assert result.exit_code == 2 and "unknown scenario" in result.output
    result = runner.invoke(app, ["simulate", "bank_run", "--population", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "does not exist" in result.output


class _AlwaysHigh:
    def choose(self, prompts):  # type: ignore[no-untyped-def]
        return ["높음" for _ in prompts]


def test_run_scenario_with_a_decision_model_counts_llm_calls(
    population_dir: Path, tmp_path: Path
) -> None:
    from synthsoc.commands.simulate import run_scenario
    from synthsoc.sim.delegate import DelegationConfig

    sc = builtin_scenarios()["bank_run"].with_overrides(
        steps=4, delegation=DelegationConfig(mode="archetype")
    )
    summary = run_scenario(
        sc,
        population_dir,
        tmp_path / "d",
        replicates=2,
        seed=0,
        workers=1,
        charts=False,
        network_stats=False,
        decision_model=_AlwaysHigh(),
    )
    assert summary["llm_calls"] > 0
    assert summary["scenario"]["delegation"] == "archetype"


def test_bad_delegation_mode_is_an_error(population_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "simulate",
            "bank_run",
            "--population",
            str(population_dir),
            "--delegate",
            "everyone",
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert result.exit_code == 2 and "delegation.mode" in result.output


def test_totals_are_scaled_to_the_population_the_sample_stands_for(
    population_dir: Path, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "pop"
    shutil.copytree(population_dir, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**manifest, "scale": 0.002}))
    out = tmp_path / "run"
    args = ["simulate", "bank_run", "--population", str(folder), "--replicates", "4",
            "--steps", "5", "--workers", "1", "--no-charts", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    t = summary["totals"]["totals"]["depositors_withdrawn"]
    # the sample count is the withdrawn share times the depositors counted in persons.parquet
    depositors = pl.read_parquet(folder / "persons.parquet").filter(pl.col("age") >= 20).height
    shares = summary["outcomes"]["withdrawn_final"]["values"]
    assert t["sample"]["mean"] == pytest.approx(np.mean(shares) * depositors)
    assert t["population"]["mean"] == pytest.approx(t["sample"]["mean"] / 0.002)
    assert t["population"]["ci_low"] <= t["population"]["mean"] <= t["population"]["ci_high"]
    assert summary["totals"]["scaled_to"] == "Korea" and "scale 0.002" in summary["totals"]["rule"]
    assert "one agent per 500 residents" in " ".join(result.output.split())
