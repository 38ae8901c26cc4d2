"""Sweeps: a grid point gives what a single run gives, whatever the executor; an interrupted
sweep resumes without rerunning finished grid points; one outcome table with verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from synthsoc.cli import app
from synthsoc.commands.sweep import run_sweep_folder
from synthsoc.executor import ExecutorSpec, LocalExecutor
from synthsoc.sim import Scenario, World, builtin_scenarios, run_replicates
from synthsoc.sim.params import ScenarioError
from synthsoc.sim.sweep import POINTS_FILE, run_sweep, sweep_from_dict
from tests.executor.conftest import unused_address

GRID = {"params": {"initial_belief": [0.1, 0.56], "news_noise": [0.0, 0.3]}}
runner = CliRunner()


def _bank() -> Scenario:
    return builtin_scenarios()["bank_run"].with_overrides(steps=12)


def test_grid_points_equal_single_runs_whatever_the_workers(world: World, tmp_path: Path) -> None:
    sweep = sweep_from_dict(GRID, _bank(), "grid.yaml")
    assert len(sweep.points) == 4 and sweep.point_params(1) == {"initial_belief": 0.1,
                                                                 "news_noise": 0.3}
    runs = {}
    for workers in (1, 2):
        folder = tmp_path / f"w{workers}"
        folder.mkdir()
        runs[workers] = run_sweep(sweep, world, replicates=3, seed=4,
                                  executor=LocalExecutor(workers), folder=folder)
    assert [p.outcomes for p in runs[1].points] == [p.outcomes for p in runs[2].points]
    assert (tmp_path / "w1" / POINTS_FILE).read_bytes() != b""
    for point in runs[1].points:  # the same as `simulate` with that point's parameters
        single = run_replicates(_bank().with_params(**point.params), world, replicates=3, seed=4)
        assert point.outcomes["withdrawn_final"] == [o.outcomes["withdrawn_final"] for o in single]
    finals = [np.mean(p.outcomes["withdrawn_final"]) for p in runs[1].points]
    assert finals[0] < 0.5 < finals[3]  # the grid matters: a settled bank and a run


def test_interrupted_sweep_resumes_without_rerunning_finished_points(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep = sweep_from_dict(GRID, _bank(), "grid.yaml")
    whole = tmp_path / "whole"
    whole.mkdir()
    reference = run_sweep(sweep, world, replicates=3, seed=4, executor=LocalExecutor(1),
                          folder=whole)
    folder = tmp_path / "cut"
    folder.mkdir()

    def stop_after_two(_point: Any, finished: list[Any]) -> None:
        if len(finished) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep, world, replicates=3, seed=4, executor=LocalExecutor(1), folder=folder,
                  on_point=stop_after_two)
    with (folder / POINTS_FILE).open("a") as handle:
        handle.write('{"point": 3, "par')  # a write cut by a kill
    calls = []
    original = Scenario.run

    def counting(self: Scenario, *args: Any, **kwargs: Any) -> Any:
        calls.append(self.params)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Scenario, "run", counting)
    resumed = run_sweep(sweep, world, replicates=3, seed=4, executor=LocalExecutor(1),
                        folder=folder)
    assert (resumed.points_resumed, resumed.points_run, resumed.units_run) == (2, 2, 6)
    assert len(calls) == 6 and resumed.dropped_line  # only the two missing grid points ran
    assert [p.outcomes for p in resumed.points] == [p.outcomes for p in reference.points]
    assert len((folder / POINTS_FILE).read_text().splitlines()) == 4


def test_sweep_file_is_validated_by_the_scenario_parameters() -> None:
    with pytest.raises(ScenarioError, match=r"grid.yaml: grid point .*news_nois.*did you mean"):
        sweep_from_dict({"params": {"news_nois": [0.1]}}, _bank(), "grid.yaml")
    with pytest.raises(ScenarioError, match=r"grid.yaml: grid point .*initial_belief"):
        sweep_from_dict({"params": {"initial_belief": [0.5, 7.0]}}, _bank(), "grid.yaml")
    with pytest.raises(ScenarioError, match="non-empty list"):
        sweep_from_dict({"params": {"initial_belief": 0.5}}, _bank(), "grid.yaml")
    with pytest.raises(ScenarioError, match="unknown key"):
        sweep_from_dict({"params": {"initial_belief": [0.5]}, "replicate": 3}, _bank(), "g.yaml")


@pytest.mark.slow
def test_simulate_sweep_command_writes_one_table_and_resumes(
    population_dir: Path, tmp_path: Path
) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text("params:\n  initial_belief: [0.1, 0.56]\nreplicates: 10\n")
    out = tmp_path / "sweep"
    args = ["simulate", "bank_run", "--population", str(population_dir), "--sweep", str(grid),
            "--steps", "8", "--out", str(out), "--workers", "2", "--seed", "2"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    table = pl.read_csv(out / "outcomes.csv")
    assert table.height == 2 * len(json.loads((out / "points.jsonl").read_text().splitlines()[0])
                                   ["outcomes"])
    assert set(table["param.initial_belief"]) == {0.1, 0.56}
    assert table["verdict"].str.contains("converging|diverging").all()
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["points_run"], summary["points_resumed"]) == (0, 2)
    assert pl.read_csv(out / "outcomes.csv").equals(table)
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    refused = runner.invoke(app, [*args[:-6], "--out", str(foreign), "--seed", "2"])
    assert refused.exit_code == 2 and "not empty" in refused.output
    assert (foreign / "notes.txt").read_text() == "keep"


@pytest.mark.integration
def test_sweep_on_two_ray_nodes_gives_the_same_table(
    ray_cluster: Any, population_dir: Path, tmp_path: Path
) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text("params:\n  initial_belief: [0.1, 0.56]\n")
    tables = {}
    for name, spec in {"local1": ExecutorSpec("local", 1), "local2": ExecutorSpec("local", 2),
                       "ray": ExecutorSpec("ray", 2)}.items():
        summary = run_sweep_folder(_bank(), grid, population_dir, tmp_path / name,
                                   replicates=3, seed=9, spec=spec)
        tables[name] = (tmp_path / name / "outcomes.csv").read_bytes()
        if name == "ray":
            assert "2 nodes" in summary["executor"]
    assert tables["local1"] == tables["local2"] == tables["ray"]


def test_unreachable_cluster_stops_the_sweep_before_anything_is_written(
    population_dir: Path, tmp_path: Path
) -> None:
    pytest.importorskip("ray")
    address = unused_address()
    grid = tmp_path / "grid.yaml"
    grid.write_text("params:\n  initial_belief: [0.1]\n")
    out = tmp_path / "sweep"
    result = runner.invoke(app, ["simulate", "bank_run", "--population", str(population_dir),
                                 "--sweep", str(grid), "--out", str(out), "--address", address])
    assert result.exit_code == 2
    assert f"cannot reach the Ray cluster at {address} (from --address)" in " ".join(
        result.output.split())
    assert not out.exists()
    single = runner.invoke(app, ["simulate", "bank_run", "--population", str(population_dir),
                                 "--out", str(out), "--address", address])  # plain replicates
    assert single.exit_code == 2
    assert f"cannot reach the Ray cluster at {address}" in " ".join(single.output.split())
    assert not out.exists()
