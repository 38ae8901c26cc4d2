"""Bank run equilibria, market and climate-game behaviour, diffusion and the event calendar."""

from __future__ import annotations

import numpy as np
import pytest

from synthsoc.sim import World, builtin_scenarios
from synthsoc.sim.bankrun import run_threshold
from synthsoc.sim.events import Calendar, event_from_spec
from synthsoc.sim.network import LAYERS
from synthsoc.sim.params import ScenarioError


def _run(world: World, name: str, steps: int | None = None, seed: int = 0, **params: object):  # type: ignore[no-untyped-def]
    sc = builtin_scenarios()[name]
    sc = sc.with_params(**params).with_overrides(steps=steps or sc.steps)
    sc.prepare(world)
    return sc.run(world, np.random.default_rng(seed))


def test_run_threshold_formula() -> None:
    assert run_threshold(1.1, 1.3) == pytest.approx(0.2 / 0.33)


def test_bank_run_has_both_equilibria(world: World) -> None:
    calm = _run(world, "bank_run", initial_belief=0.1, news_noise=0.0)
    panic = _run(world, "bank_run", initial_belief=0.9, news_noise=0.0)
    assert calm.outcomes["withdrawn_final"] == pytest.approx(0.1, abs=0.03)  # only the impatient
    assert calm.outcomes["bank_failed"] == 0.0
    assert panic.outcomes["withdrawn_final"] > 0.95
    assert panic.outcomes["bank_failed"] == 1.0


def test_market_adoption_grows_and_scarcity_raises_price(world: World) -> None:
    out = _run(world, "product_launch", steps=30)
    adoption = out.series["adoption_any"]
    assert np.all(np.diff(adoption) >= 0) and adoption[-1] > adoption[1]
    scarce = _run(
        world,
        "product_launch",
        steps=30,
        goods=[{"name": "x", "price": 0.3, "capacity": 0.0003, "affinity": [2.0] * 7}],
        innovation=0.05,
    )
    assert scarce.outcomes["price_change_x"] > 0.0
    assert out.segment_series["adoption_any"].shape == (30, 7)


def test_market_rejects_bad_goods(world: World) -> None:
    with pytest.raises(ScenarioError, match="affinity"):
        _run(world, "product_launch", goods=[{"name": "x", "affinity": [1.0, 2.0]}])


def test_climate_game_tips_with_the_threshold(world: World) -> None:
    easy = _run(world, "climate_cooperation", threshold_mean=0.1, mood_sd=0.0)
    hard = _run(world, "climate_cooperation", threshold_mean=0.8, mood_sd=0.0)
    assert easy.outcomes["contribution_rate_final"] > 0.5
    assert hard.outcomes["contribution_rate_final"] < 0.1


def test_rumour_correction_spreads_and_correction_blocks(world: World) -> None:
    out = _run(world, "rumour_correction", steps=15)
    assert out.series["reach_rumour"][-1] > out.series["reach_rumour"][0]
    assert out.series["reach_correction"][3] == 0.0 and out.series["reach_correction"][-1] > 0
    assert out.outcomes["misinformed_final"] <= out.outcomes["misinformed_peak"]
    chrono = _run(world, "rumour_correction", steps=15, ranking="chronological")
    assert chrono.series["reach_rumour"][-1] > 0


def test_viral_cascade_rules(world: World) -> None:
    for rule in ("independent_cascade", "linear_threshold", "complex_contagion"):
        out = _run(world, "viral_cascade", steps=10, rule=rule, single_seed_cascades=50)
        assert out.series["adopted"][-1] >= out.series["adopted"][0] > 0, rule
        assert out.distributions["cascade_size"].min() >= 1
    with pytest.raises(ScenarioError, match="rule"):
        _run(world, "viral_cascade", rule="sir")


def test_calendar_multipliers() -> None:
    cal = Calendar((event_from_spec({"preset": "chuseok", "start_day": 2}),))
    assert np.all(cal.layer_multipliers(1) == 1.0)
    mult = cal.layer_multipliers(3)
    assert mult[LAYERS.index("household")] == 3.0 and mult[LAYERS.index("school")] == 0.0
    assert cal.labels(4) == "추석 연휴" and cal.labels(5) == ""
    with pytest.raises(ValueError, match="unknown event"):
        event_from_spec({"preset": "christmas", "start_day": 1})
    with pytest.raises(ValueError, match="layer"):
        event_from_spec({"name": "x", "start_day": 1, "layers": {"church": 2}})


def test_regional_event_changes_only_its_residents(world: World) -> None:
    code = str(world.agents.sigungu_codes[0])
    cal = Calendar(
        (event_from_spec({"preset": "local_festival", "start_day": 0, "regions": [code]}),)
    )
    mult = cal.agent_multiplier(0, world.agents, "activity")
    assert isinstance(mult, np.ndarray)
    inside = world.agents.sigungu == 0
    assert np.all(mult[inside] == 1.5) and np.all(mult[~inside] == 1.0)
