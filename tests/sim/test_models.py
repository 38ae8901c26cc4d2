"""Bank run equilibria, market and climate-game behaviour, diffusion and the event calendar."""

from __future__ import annotations

import numpy as np
import pytest

from synthsoc.sim import World, builtin_scenarios, run_replicates
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


def test_market_prices_follow_the_retail_markdown_and_pause_when_sold_out(world: World) -> None:
    """A price is cut each step by the yearly decline compounded (34% over two years, Strategy
    Analytics 2012: 1 - 0.66 ** 0.5 a year), never rises, and is not cut in a sold-out step."""
    out = _run(world, "product_launch", steps=30)
    adoption = out.series["adoption_any"]
    assert np.all(np.diff(adoption) >= 0) and adoption[-1] > adoption[1]
    weekly = (1.0 - 0.34) ** (0.5 / 52)  # hand-computed from the published figure
    price = out.series["price_new_phone"]
    assert price[0] == pytest.approx(1.3)
    assert price[-1] == pytest.approx(1.3 * weekly**29, rel=1e-9)  # cut in steps 1..29
    scarce = _run(
        world,
        "product_launch",
        steps=30,
        goods=[{"name": "x", "price": 0.3, "capacity": 0.0003, "affinity": [2.0] * 7}],
        innovation=0.05,
    )
    # about one unit a step for hundreds of willing buyers: sold out every step, never cut
    assert np.all(scarce.series["sales_x"][1:] == 1)
    assert np.allclose(scarce.series["price_x"], 0.3)
    assert out.segment_series["adoption_any"].shape == (30, 7)


def test_chuseok_spending_spike_shows_in_weekly_sales(world: World) -> None:
    """Sales in the Chuseok week over the three weeks on each side, pooled over replicates,
    match the scenario's stated spending multiplier (1.31, KB Kookmin Card, from
    data/market_reference.csv) within three Poisson standard errors."""
    from synthsoc.sim.market_reference import market_reference

    sc = builtin_scenarios()["product_launch"]
    stated = market_reference()["chuseok_week_spending_ratio"]
    outputs = run_replicates(sc.with_params(innovation=0.02), world, replicates=40, seed=3)
    sales = np.sum([o.series["sales_any"] for o in outputs], axis=0)
    mult = outputs[0].series["spending_multiplier"]
    assert np.flatnonzero(mult != 1.0).tolist() == [38] and mult[38] == pytest.approx(stated)
    event, base = sales[38], sales[[35, 36, 37, 39, 40, 41]].mean()
    ratio = event / base
    se = ratio * np.sqrt(1.0 / event + 1.0 / (6 * base))
    assert abs(ratio - stated) < 3 * se, (ratio, se)
    assert ratio > 1.0 + 1.5 * se  # visible: above a flat week


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
