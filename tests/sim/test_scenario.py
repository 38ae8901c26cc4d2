"""Scenario files: built-ins load and run, bad files get errors naming the file and field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from synthsoc.sim import MODELS, World, builtin_scenarios, load_scenario, resolve_scenario
from synthsoc.sim.params import ScenarioError


def test_builtins_cover_every_model_and_run(world: World) -> None:
    scenarios = builtin_scenarios()
    assert {sc.model for sc in scenarios.values()} == set(MODELS)
    for sc in scenarios.values():
        short = sc.with_overrides(steps=4)
        short.prepare(world)
        out = short.run(world, np.random.default_rng(0))
        assert out.outcomes and all(np.isfinite(v) for v in out.outcomes.values()), sc.name
        assert set(sc.outcomes) <= set(out.outcomes), sc.name
        assert all(v.shape[0] == 4 for v in out.series.values())


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_scenario_and_errors(tmp_path: Path) -> None:
    ok = _write(tmp_path, "name: t\nmodel: bank_run\nsteps: 5\nparams: {initial_belief: 0.2}\n")
    assert resolve_scenario(str(ok)).params == {"initial_belief": 0.2}
    with pytest.raises(ScenarioError, match=r"s\.yaml: model 'sir' unknown"):
        load_scenario(_write(tmp_path, "name: t\nmodel: sir\nsteps: 5\n"))
    with pytest.raises(ScenarioError, match="missing field 'steps'"):
        load_scenario(_write(tmp_path, "name: t\nmodel: bank_run\n"))
    with pytest.raises(ScenarioError, match="events"):
        load_scenario(
            _write(
                tmp_path,
                "name: t\nmodel: bank_run\nsteps: 5\nevents: [{preset: xmas, start_day: 1}]\n",
            )
        )
    with pytest.raises(ScenarioError, match="delegation"):
        load_scenario(
            _write(tmp_path, "name: t\nmodel: bank_run\nsteps: 5\ndelegation: {mode: all}\n")
        )
    with pytest.raises(ScenarioError, match="unknown scenario"):
        resolve_scenario("no_such_scenario")


def test_bad_parameter_names_field(world: World) -> None:
    sc = builtin_scenarios()["bank_run"]
    bad = sc.with_overrides(params={**sc.params, "impatient": 2.0})
    bad.prepare(world)
    with pytest.raises(ScenarioError, match=r"params\.impatient"):
        bad.run(world, np.random.default_rng(0))
