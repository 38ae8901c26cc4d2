"""The relief payment's spending through the marketplace (``policy/spending.py``), on the sim
layer's stand-in world: extra spending against an expectation worked out by hand from the
marketplace's purchase rule, no payment no extra spending, same seed same result."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from synthsoc.policy import spending
from synthsoc.sim import World
from synthsoc.sim.events import Calendar
from synthsoc.sim.market import run_market


def _relief_by_size(world: World) -> np.ndarray:
    """The 2020 amounts by household size (40만 / 60만 / 80만 / 100만원), per household."""
    size = np.bincount(world.agents.household)
    return np.select([size == 1, size == 2, size == 3], [4e5, 6e5, 8e5], 1e6).astype(float)


def test_without_a_payment_nothing_extra_is_spent(standin_world: World) -> None:
    hh = standin_world.agents.household
    result = spending.simulate_spending(standin_world, hh, np.zeros(hh.max() + 1),
                                        spending.SpendingParams(replicates=2), seed=3)
    assert np.all(result.extra_krw == 0.0)
    assert np.all(np.isnan(result.mpc()))


def test_one_week_of_purchases_matches_the_hand_computed_expectation(
        standin_world: World) -> None:
    """One purchase step, no imitation: a buyer with budget b buys with probability
    p / (1 + (price / b)^e); with the same random numbers the payment adds a purchase with
    probability h1 - h0 exactly, so the extra spending has a known mean and variance."""
    agents = standin_world.agents
    hh = agents.household
    payment = _relief_by_size(standin_world)
    params = spending.SpendingParams(weeks=2, replicates=8, innovation=0.3, imitation=0.0,
                                     price_mkrw=0.3, price_elasticity=1.5, budget_share=0.05)
    result = spending.simulate_spending(standin_world, hh, payment, params, seed=7)

    size = np.bincount(hh)[hh]
    buyer = agents.age >= 15
    buyers = np.bincount(hh, weights=buyer.astype(float))[hh]
    budget = agents.income_mkrw.astype(float) / 12.0 * 0.05 / size * 2.0
    extra = np.where(buyer, payment[hh] / np.maximum(buyers, 1) / 1e6, 0.0)

    def hazard(b: np.ndarray) -> np.ndarray:
        return np.where(buyer, 0.3 / (1.0 + (0.3 / b) ** 1.5), 0.0)

    delta = hazard(budget + extra) - hazard(budget)
    expected = float((delta * 0.3e6).sum())
    sd = float(np.sqrt((delta * (1 - delta)).sum()) * 0.3e6)
    simulated = result.extra_krw.sum(axis=1)
    assert np.all(np.abs(simulated - expected) < 4.5 * sd)
    assert abs(simulated.mean() - expected) < 4.5 * sd / np.sqrt(params.replicates)
    assert 0.0 < result.mpc().mean() < 1.0


def test_poorer_households_spend_more_of_it(standin_world: World) -> None:
    hh = standin_world.agents.household
    income = np.bincount(hh, weights=standin_world.agents.income_mkrw) / np.bincount(hh)
    result = spending.simulate_spending(standin_world, hh, _relief_by_size(standin_world),
                                        spending.SpendingParams(innovation=0.2, replicates=3),
                                        seed=1)
    low, high = result.mpc(income < 30).mean(), result.mpc(income >= 60).mean()
    assert low > high + 0.05


def test_same_seed_same_spending(standin_world: World) -> None:
    hh = standin_world.agents.household
    payment = _relief_by_size(standin_world)
    params = spending.SpendingParams(replicates=2, innovation=0.1)
    first = spending.simulate_spending(standin_world, hh, payment, params, seed=4)
    again = spending.simulate_spending(standin_world, hh, payment, params, seed=4)
    assert np.array_equal(first.extra_krw, again.extra_krw)
    table = spending.mpc_table(first, np.where(np.arange(hh.max() + 1) % 2 == 0, "a", "b"),
                               ("a", "b"))
    assert table["group"].to_list() == ["all", "a", "b"]
    assert table["payment_krw"][0] == pytest.approx(payment.sum())
    # households without a member aged 15+ are counted and stated
    no_buyer = np.bincount(hh, weights=standin_world.agents.age >= 15) == 0
    assert table["households_without_buyer"][0] == int(no_buyer.sum())


def test_an_unchanged_budget_leaves_the_market_run_as_it_was(standin_world: World) -> None:
    market = spending.SpendingParams().market()
    plain = run_market(standin_world, market, Calendar(), 6, np.random.default_rng(2), None)
    zero = run_market(standin_world, market, Calendar(), 6, np.random.default_rng(2), None,
                      extra_budget=np.zeros(standin_world.agents.n))
    assert np.array_equal(plain.series["sales_any"], zero.series["sales_any"])
    assert "spent_mkrw" not in plain.agent_values
    assert zero.agent_values["spent_mkrw"].sum() == pytest.approx(
        zero.totals[f"revenue_bn_krw_{spending.BASKET}"] * 1000.0)


def test_the_published_figures_are_read_from_the_bundled_file() -> None:
    published = spending.published_mpc()
    assert published["relief_mpc_six_weeks"] == 0.29
    assert published["relief_mpc_cash_recipients"] == 0.217
    assert spending.SpendingParams().weeks == 6


def test_a_payment_vector_of_another_population_is_refused(standin_world: World) -> None:
    with pytest.raises(ValueError, match="not the same population"):
        spending.simulate_spending(standin_world, np.zeros(3, dtype=np.int64), np.ones(1),
                                   dataclasses.replace(spending.SpendingParams(), replicates=1),
                                   seed=1)


def test_the_table_states_the_published_figure_and_the_gap(standin_world: World) -> None:
    hh = standin_world.agents.household
    payment = _relief_by_size(standin_world)
    income = np.bincount(hh, weights=standin_world.agents.income_mkrw) / np.bincount(hh)
    brackets = np.where(income < 30, "10_30m", "30_50m")
    table, result = spending.spending_by_bracket(
        standin_world, hh, payment, brackets, ("10_30m", "30_50m"), income,
        spending.SpendingParams(replicates=2, innovation=0.1), seed=2, weight=100.0)
    assert table["group"].to_list()[:3] == ["all", "10_30m", "30_50m"]
    row = table.row(0, named=True)
    assert row["published_mpc"] == 0.29
    assert row["gap"] == pytest.approx(row["mpc"] - 0.29)
    assert row["payment_krw"] == pytest.approx(payment.sum() * 100.0)
    assert table["published_mpc"][1] is None
    cash = table.row(3, named=True)
    assert cash["published_mpc"] == 0.217
    # the poorest paid households by rank, the published automatic share of them
    assert cash["households"] == pytest.approx(round(0.132 * (payment > 0).sum()) * 100.0)
    assert result.extra_krw.shape == (2, payment.size)
