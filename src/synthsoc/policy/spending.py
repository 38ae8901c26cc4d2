"""The relief payment's effect on spending, simulated by synthsoc's marketplace (``sim.market``).

Recipients' budgets are raised by their payment and the marketplace simulates purchases over the
weeks after it; the extra spending is the difference between that run and one without the
payment, with the same seed (common random numbers). The simulated marginal propensity to
consume (MPC) of a group is its extra spending over the payments it received.

The marketplace is synthsoc's product model (Bass-style adoption through contacts, affordability
of the price against a monthly category budget, see :mod:`synthsoc.sim.market`), configured here
with one basket good; each buyer (aged 15+) buys it at most once in the run, so a household can
spend at most ``buyers x price`` more. The basket price is an ASSUMPTION (``SpendingParams``).
The weekly purchase hazard (the Bass innovation term) is the one free parameter: it is either the
marketplace's default or fitted so that the overall simulated MPC meets the published six-week
estimate (Kim, Koh & Lyou 2020: 29% of the payment spent in the first six weeks); the MPC by
income bracket is then what the marketplace makes of it, compared with the published figures in
``data/behaviour_anchors.csv`` (KDI's range for all card-usable funds, KDI's 21.7% for the cash
recipients, who are the poorest households).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import polars as pl

from synthsoc.policy.behaviour import anchors, relief_income_rank
from synthsoc.sim.agents import AGE_BAND_LABELS
from synthsoc.sim.events import Calendar
from synthsoc.sim.market import Good, MarketParams, run_market
from synthsoc.sim.world import World
from synthsoc.synth import schema

BASKET = "relief_basket"
# weekly innovation hazards tried by the fit; above about 0.5 nearly everyone buys with or
# without the payment and the MPC falls again
FIT_GRID: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.45)
_MARKET_DEFAULTS: dict[str, float] = {
    f.name: float(f.default) for f in dataclasses.fields(MarketParams)
    if isinstance(f.default, int | float)
}


def _published_horizon_weeks() -> int:
    """The weeks after receipt that the six-week estimate covers (its ``day`` column / 7)."""
    row = anchors().filter(pl.col("indicator") == "relief_mpc_six_weeks")
    return int(row["day"][0]) // 7


@dataclass(frozen=True)
class SpendingParams:
    """How the marketplace is run for the payment (weekly steps)."""

    weeks: int = dataclasses.field(default_factory=_published_horizon_weeks)  # the estimate's
    replicates: int = 5
    price_mkrw: float = 0.3  # ASSUMPTION: one basket purchase costs 300,000 KRW
    innovation: float = _MARKET_DEFAULTS["innovation"]
    imitation: float = _MARKET_DEFAULTS["imitation"]
    price_elasticity: float = _MARKET_DEFAULTS["price_elasticity"]
    budget_share: float = _MARKET_DEFAULTS["budget_share"]

    def __post_init__(self) -> None:
        if self.weeks < 1 or self.replicates < 1:
            raise ValueError(f"weeks and replicates must be at least 1, got {self.weeks}, "
                             f"{self.replicates}")
        if self.price_mkrw <= 0:
            raise ValueError(f"price_mkrw must be positive, got {self.price_mkrw}")

    def market(self) -> MarketParams:
        good = Good(name=BASKET, price=self.price_mkrw, capacity=1.0,
                    affinity=(1.0,) * len(AGE_BAND_LABELS))
        return MarketParams(goods=(good,), innovation=self.innovation, imitation=self.imitation,
                            price_elasticity=self.price_elasticity,
                            budget_share=self.budget_share, price_decline_per_year=0.0)


@dataclass(frozen=True)
class SpendingResult:
    """Extra spending per household (KRW, one row per replicate) and the payments behind it."""

    params: SpendingParams
    payment_krw: np.ndarray  # per household
    extra_krw: np.ndarray  # (replicates, households)
    has_buyer: np.ndarray  # per household: a member aged 15+ (the others cannot spend it)

    def mpc(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Simulated MPC per replicate over the households of ``mask`` (all when None)."""
        keep = np.ones(self.payment_krw.size, dtype=bool) if mask is None else mask
        paid = float(self.payment_krw[keep].sum())
        if paid <= 0:
            return np.full(self.extra_krw.shape[0], np.nan)
        return self.extra_krw[:, keep].sum(axis=1) / paid


def _extra_budget(world: World, person_household: np.ndarray, payment_krw: np.ndarray,
                  min_age: int) -> np.ndarray:
    """Each household's payment shared equally among its buyers, million KRW per agent."""
    agents = world.agents
    if person_household.size != agents.n:
        raise ValueError(f"person_household has {person_household.size} persons, the world "
                         f"{agents.n}: not the same population")
    buyer = agents.age >= min_age
    buyers = np.bincount(person_household, weights=buyer.astype(np.float64),
                         minlength=payment_krw.size)
    share = np.divide(payment_krw, buyers, out=np.zeros_like(payment_krw), where=buyers > 0)
    return np.where(buyer, share[person_household] / 1e6, 0.0)


def simulate_spending(world: World, person_household: np.ndarray, payment_krw: np.ndarray,
                      params: SpendingParams, seed: int) -> SpendingResult:
    """Extra spending of every household over ``params.weeks`` after its payment.

    ``payment_krw`` is per household (index of ``person_household``); households with no buyer
    (everyone under 15) cannot spend it and count with their payment and no extra spending.
    """
    market = params.market()
    extra_budget = _extra_budget(world, person_household, payment_krw.astype(np.float64),
                                 market.min_age)
    zero = np.zeros(world.agents.n)
    extra = np.zeros((params.replicates, payment_krw.size))
    for r in range(params.replicates):
        spent = []
        for budget in (zero, extra_budget):
            rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5BE1, r]))
            out = run_market(world, market, Calendar(), params.weeks, rng, None,
                             extra_budget=budget)
            spent.append(out.agent_values["spent_mkrw"])
        extra[r] = np.bincount(person_household, weights=(spent[1] - spent[0]) * 1e6,
                               minlength=payment_krw.size)
    has_buyer = np.bincount(person_household, weights=world.agents.age >= market.min_age,
                            minlength=payment_krw.size) > 0
    return SpendingResult(params=params, payment_krw=payment_krw.astype(np.float64),
                          extra_krw=extra, has_buyer=has_buyer)


def published_mpc() -> dict[str, float]:
    """The published MPC figures of ``data/behaviour_anchors.csv`` by indicator."""
    table = anchors().filter(pl.col("indicator").str.starts_with("relief_mpc"))
    return dict(zip(table["indicator"].to_list(), table["value"].to_list(), strict=True))


def fit_innovation(world: World, person_household: np.ndarray, payment_krw: np.ndarray,
                   params: SpendingParams, seed: int, target: float | None = None,
                   grid: tuple[float, ...] | None = None) -> tuple[SpendingParams, float]:
    """The innovation hazard on ``grid`` whose overall MPC (mean over replicates) is closest to
    ``target`` (default: the published six-week estimate), and that MPC."""
    goal = published_mpc()["relief_mpc_six_weeks"] if target is None else target
    best: tuple[float, SpendingParams, float] | None = None
    for value in FIT_GRID if grid is None else grid:
        trial = dataclasses.replace(params, innovation=value)
        mpc = float(simulate_spending(world, person_household, payment_krw, trial,
                                      seed).mpc().mean())
        if best is None or abs(mpc - goal) < best[0]:
            best = (abs(mpc - goal), trial, mpc)
    assert best is not None
    return best[1], best[2]


def mpc_table(result: SpendingResult, brackets: np.ndarray, labels: tuple[str, ...],
              recipients_first: np.ndarray | None = None) -> pl.DataFrame:
    """Simulated MPC by income bracket (and overall, and the automatically paid poorest
    households when ``recipients_first`` marks them), mean and 5th-95th percentile over
    replicates, with the payments and extra spending behind them (KRW, sample)."""
    rows = []
    groups: list[tuple[str, np.ndarray]] = [("all", np.ones(brackets.size, dtype=bool))]
    groups += [(label, brackets == label) for label in labels]
    if recipients_first is not None:
        groups.append(("cash recipients (poorest, paid without applying)", recipients_first))
    for name, mask in groups:
        mpc = result.mpc(mask)
        rows.append({
            "group": name, "households": int(mask.sum()),
            "households_without_buyer": int((mask & ~result.has_buyer).sum()),
            "payment_krw": float(result.payment_krw[mask].sum()),
            "extra_spending_krw": float(result.extra_krw[:, mask].sum(axis=1).mean()),
            "mpc": float(np.mean(mpc)), "mpc_p05": float(np.percentile(mpc, 5)),
            "mpc_p95": float(np.percentile(mpc, 95)),
        })
    return pl.DataFrame(rows)


def cash_recipients(payment_krw: np.ndarray, income_rank: np.ndarray) -> np.ndarray:
    """The poorest paid households that were paid in cash without applying: the published
    automatic share of the paid households, lowest ``income_rank`` first (as the take-up model
    pays them on day 0)."""
    share = float(anchors().filter(pl.col("indicator") == "relief_paid_share_automatic")
                  ["value"][0])
    paid = np.flatnonzero(payment_krw > 0)
    first = paid[np.argsort(income_rank[paid], kind="stable")[:int(round(share * paid.size))]]
    mask = np.zeros(payment_krw.size, dtype=bool)
    mask[first] = True
    return mask


def spending_by_bracket(world: World, person_household: np.ndarray, payment_krw: np.ndarray,
                        brackets: np.ndarray, labels: tuple[str, ...], income_rank: np.ndarray,
                        params: SpendingParams, seed: int, weight: float
                        ) -> tuple[pl.DataFrame, SpendingResult]:
    """:func:`mpc_table` of one payment, with the published MPC beside each group it exists for
    and the gap, and the extra spending scaled by ``weight`` (persons per synthetic person)."""
    result = simulate_spending(world, person_household, payment_krw, params, seed)
    table = mpc_table(result, brackets, labels, cash_recipients(payment_krw, income_rank))
    published = published_mpc()
    by_group = {"all": published["relief_mpc_six_weeks"],
                "cash recipients (poorest, paid without applying)":
                    published["relief_mpc_cash_recipients"]}
    table = table.with_columns(
        pl.col("group").replace_strict(by_group, default=None, return_dtype=pl.Float64)
        .alias("published_mpc"),
        (pl.col("households") * weight).alias("households"),
        (pl.col("households_without_buyer") * weight).alias("households_without_buyer"),
        (pl.col("payment_krw") * weight).alias("payment_krw"),
        (pl.col("extra_spending_krw") * weight).alias("extra_spending_krw"),
    ).with_columns((pl.col("mpc") - pl.col("published_mpc")).alias("gap"))
    return table, result


@dataclass(frozen=True)
class ReliefSpending:
    """The marketplace spending of a policy run's relief payment, baseline and reform."""

    params: SpendingParams
    fitted: bool  # innovation fitted to the published six-week estimate (else given)
    fit_mpc: float | None  # the overall MPC the fit reached (replicates of the fit)
    table: pl.DataFrame  # scenario + :func:`spending_by_bracket` columns


def relief_spending(households: pl.DataFrame, payments: dict[str, np.ndarray], world: World,
                    person_household: np.ndarray, seed: int, weight: float,
                    innovation: float | None = None, replicates: int = 5) -> ReliefSpending:
    """Marketplace spending of each scenario's relief payment (``payments``: scenario -> KRW per
    household, the first draw), by income bracket; the purchase hazard is ``innovation`` or,
    when None, fitted on the first scenario (2 replicates per grid point)."""
    params = SpendingParams(replicates=replicates)
    first = next(iter(payments.values()))
    fit_mpc = None
    if innovation is None:
        fitted, fit_mpc = fit_innovation(world, person_household, first,
                                         dataclasses.replace(params, replicates=2), seed)
        params = dataclasses.replace(fitted, replicates=replicates)
    else:
        params = dataclasses.replace(params, innovation=innovation)
    brackets = households["income_bracket"].cast(pl.Utf8).to_numpy()
    rank = relief_income_rank(households, seed)
    frames = []
    for scenario, payment in payments.items():
        table, _ = spending_by_bracket(world, person_household, payment, brackets,
                                       schema.INCOME_BRACKETS, rank, params, seed, weight)
        frames.append(table.select(pl.lit(scenario).alias("scenario"), pl.all()))
    return ReliefSpending(params=params, fitted=innovation is None, fit_mpc=fit_mpc,
                          table=pl.concat(frames))
