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
        # the early-warning indicators need a long run before the transition
        steps = sc.steps if sc.model == "polarisation" else 4
        short = sc.with_overrides(steps=steps)
        short.prepare(world)
        out = short.run(world, np.random.default_rng(0))
        assert out.outcomes and all(np.isfinite(v) for v in out.outcomes.values()), sc.name
        assert set(sc.outcomes) <= set(out.outcomes), sc.name
        assert all(v.shape[0] == steps for v in out.series.values())


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_scenario_and_errors(tmp_path: Path) -> None:
    ok = _write(tmp_path, "name: t\nmodel: bank_run\nsteps: 5\nparams: {initial_belief: 0.2}\n")
    loaded = resolve_scenario(str(ok))
    assert loaded.params.initial_belief == 0.2
    assert loaded.resolved_params()["initial_belief"] == {"value": 0.2, "origin": "yaml"}
    assert loaded.resolved_params()["liquidity"] == {"value": 1.0, "origin": "default"}
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


def test_too_short_polarisation_run_is_an_error(world: World) -> None:
    sc = builtin_scenarios()["backsliding_warning"].with_overrides(steps=20)
    sc.prepare(world)
    with pytest.raises(ValueError, match="fewer than 2 x window"):
        sc.run(world, np.random.default_rng(0))


def test_bad_parameter_names_field() -> None:
    sc = builtin_scenarios()["bank_run"]
    with pytest.raises(ScenarioError, match=r"params\.impatient: 2\.0 out of range .*\[0, 1\]"):
        sc.with_params(impatient=2.0)


BANK = "name: t\nmodel: bank_run\nsteps: 5\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # a misspelt key stops the run, names file and key, and suggests the closest name
        (
            BANK + "params: {initial_belif: 0.58}\n",
            r"s\.yaml: params\.initial_belif: unknown key; did you mean 'initial_belief'\?",
        ),
        # a misspelt outcome-level key of the scenario itself
        (
            BANK + "outcome: {withdrawn_final: 0.05}\n",
            r"s\.yaml: outcome: unknown key; did you mean 'outcomes'\?",
        ),
        # wrong type
        (BANK + "params: {min_age: adult}\n", r"params\.min_age: expected an integer"),
        (BANK + "params: {shuffle: 1}\n", r"params\.shuffle: unknown key"),
        # out of range with the allowed values
        (BANK + "params: {learning: -0.5}\n", r"params\.learning: -0\.5 out of range.*\[0, 1\]"),
        # cross-field rule
        (BANK + "params: {r1: 1.5, R: 1.3}\n", r"need 1 < r1 < R"),
        # nested: a misspelt key inside a list of goods
        (
            "name: t\nmodel: market\nsteps: 5\nparams: {goods: [{name: a, prise: 1.0}]}\n",
            r"params\.goods\[0\]\.prise: unknown key; did you mean 'price'\?",
        ),
        # a choice outside the allowed set
        (
            "name: t\nmodel: cascade\nsteps: 5\nparams: {rule: sir}\n",
            r"params\.rule: 'sir' not allowed \(allowed: independent_cascade",
        ),
        (
            "name: t\nmodel: cascade\nsteps: 5\nparams: {layer_prob: {hosehold: 0.2}}\n",
            r"params\.layer_prob\.hosehold: unknown key; did you mean 'household'\?",
        ),
        (
            BANK + "events: [{preset: chuseok, start_dya: 3}]\n",
            r"events\[0\]\.start_dya: unknown key; did you mean 'start_day'\?",
        ),
    ],
)
def test_typos_wrong_types_and_ranges_stop_the_run(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ScenarioError, match=message):
        load_scenario(_write(tmp_path, text))


def test_every_builtin_parameter_is_documented_and_resolved() -> None:
    import dataclasses

    for sc in builtin_scenarios().values():
        values = sc.resolved_params()
        fields = dataclasses.fields(MODELS[sc.model].params)
        assert set(values) == {f.name for f in fields}, sc.name
        assert all(f.metadata["doc"] for f in fields), sc.name
        for key in sc.raw_params:
            assert values[key]["origin"] == "yaml", (sc.name, key)
