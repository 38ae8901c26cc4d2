"""A virtual marketplace: a product launch with budgets, peer adoption and a price path.

Buyers are persons aged 15+; each has a monthly budget for the category, a share of household
income. Each step a non-owner buys with a Bass-style hazard ``(innovation + imitation x share of
contacts who own one)`` scaled by their age band's affinity for the goods, affordability
(``budget / price`` through a logistic curve) and the calendar's spending multiplier; a buyer picks
among the goods by a logit on affinity and price. Sellers have a capacity per step: when demand
exceeds it, buyers are rationed at random.

Prices follow the published pattern of a smartphone's retail life (Strategy Analytics 2012:
retail prices cut by 34% on average over a two-year life): from its launch a good's price falls
by ``price_decline_per_year`` (compounded per step), and a seller sold out in a step skips that
step's cut. A price never rises above its launch price.

The Chuseok spending multiplier of the calendar (``events.PRESETS``, from
``data/market_reference.csv``) shows in ``sales_any``: the ``launch`` regularity compares the
sales of the event's steps with those of the steps around it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthsoc.sim.agents import AGE_BAND_LABELS
from synthsoc.sim.delegate import DecisionHook
from synthsoc.sim.events import Calendar
from synthsoc.sim.market_reference import annual_price_decline
from synthsoc.sim.network import LAYERS
from synthsoc.sim.params import param
from synthsoc.sim.world import RunOutput, World, district_shares, segment_shares

PEER_LAYERS = ("household", "work", "school", "neighbourhood", "online")


@dataclass(frozen=True, kw_only=True)
class Good:
    name: str = param(doc="name of the good (used in outcome names)")
    price: float = param(1.0, low=1e-6, doc="launch price, million KRW")
    capacity: float = param(
        0.01, low=0.0, high=1.0, doc="units sellable per step, as a share of buyers"
    )
    affinity: tuple[float, ...] = param(
        (1.0,) * len(AGE_BAND_LABELS), low=0.0, doc=f"appeal per age band {AGE_BAND_LABELS}"
    )
    launch: int = param(0, low=0, doc="step of launch")

    def __post_init__(self) -> None:
        if len(self.affinity) != len(AGE_BAND_LABELS):
            raise ValueError(
                f"goods {self.name!r}: affinity needs {len(AGE_BAND_LABELS)} values "
                f"(age bands {AGE_BAND_LABELS}), got {len(self.affinity)}"
            )


@dataclass(frozen=True, kw_only=True)
class MarketParams:
    goods: tuple[Good, ...] = param(doc="the goods on sale (at least one)")
    min_age: int = param(15, low=0, high=120, doc="youngest buyer")
    budget_share: float = param(
        0.05, low=0.0, high=1.0, doc="share of monthly household income for the category"
    )
    innovation: float = param(0.003, low=0.0, high=1.0, doc="Bass innovation hazard per step")
    imitation: float = param(0.3, low=0.0, high=5.0, doc="Bass imitation hazard per step")
    price_elasticity: float = param(1.5, low=0.0, high=20.0, doc="slope of affordability")
    price_decline_per_year: float = param(
        annual_price_decline(),
        low=0.0,
        high=1.0,
        doc="yearly price cut from launch (default: 34% over two years, Strategy Analytics 2012)",
    )
    steps_per_year: float = param(52.0, low=1e-6, doc="model steps per year (weekly: 52)")
    peer_layers: tuple[str, ...] = param(PEER_LAYERS, choices=LAYERS, doc="contact layers")

    def __post_init__(self) -> None:
        if not self.goods:
            raise ValueError("goods: need at least one good")
        names = [g.name for g in self.goods]
        if len(set(names)) != len(names):
            raise ValueError(f"goods: names must be distinct, got {names}")


def prepare_market(world: World, params: MarketParams) -> None:
    world.influencer_counts(params.peer_layers)


def run_market(
    world: World,
    params: MarketParams,
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
    *,
    extra_budget: np.ndarray | None = None,
) -> RunOutput:
    """One replicate. ``extra_budget`` (million KRW per agent, optional) is added to each
    agent's category budget for the whole run (a payment received, for example); when it is
    given, what each agent spent (million KRW) is returned in ``agent_values["spent_mkrw"]``."""
    agents = world.agents
    goods = params.goods
    n_goods = len(goods)
    counts = world.influencer_counts(params.peer_layers)
    degree = counts.degree()[0]
    buyer = agents.age >= params.min_age
    budget = agents.income_mkrw / 12.0 * params.budget_share
    budget = budget / np.maximum(np.bincount(agents.household)[agents.household], 1) * 2.0
    if extra_budget is not None:
        if extra_budget.shape != (agents.n,):
            raise ValueError(f"extra_budget: one value per agent ({agents.n}), got shape "
                             f"{extra_budget.shape}")
        budget = budget + extra_budget
    spent = np.zeros(agents.n)
    p_innov = params.innovation
    q_imit = params.imitation
    elasticity = params.price_elasticity
    cut = (1.0 - params.price_decline_per_year) ** (1.0 / params.steps_per_year)
    price = np.array([g.price for g in goods])
    price0 = price.copy()
    affinity = np.stack([np.asarray(g.affinity)[agents.age_band] for g in goods])  # (goods, n)
    capacity = np.array([g.capacity for g in goods]) * buyer.sum()
    owns = np.full(agents.n, -1, dtype=np.int64)
    segment, seg_labels = world.segment()
    k = len(seg_labels)
    out = RunOutput(steps=steps, segment_labels=seg_labels)
    adoption = np.zeros((steps, n_goods))
    prices = np.zeros((steps, n_goods))
    seg_adoption = np.zeros((steps, k))
    sales = np.zeros((steps, n_goods))
    spending = np.ones(steps)
    revenue = np.zeros(n_goods)
    for t in range(steps):
        if t > 0:
            launched = np.array([g.launch <= t for g in goods])
            peer_share = counts.count(owns >= 0) / degree
            spend = calendar.agent_multiplier(t, agents, "spending")
            spending[t] = float(np.mean(spend))
            afford = 1.0 / (
                1.0
                + np.exp(-elasticity * (np.log(budget[None, :] + 1e-9) - np.log(price[:, None])))
            )
            weight = affinity * afford * launched[:, None]
            total = weight.sum(axis=0)
            hazard = (p_innov + q_imit * peer_share) * (total / max(n_goods, 1)) * spend
            hazard = np.clip(hazard, 0.0, 1.0)
            candidates = buyer & (owns < 0) & (total > 0)
            buys = candidates & (rng.random(agents.n) < hazard)
            if hook is not None:
                ids = np.flatnonzero(candidates & hook.delegated)
                if ids.size:
                    names = ", ".join(
                        f"{g.name} {price[i]:.2f}백만 원" for i, g in enumerate(goods)
                    )
                    situation = (
                        f"신제품이 출시되었습니다 ({names}). 주변 사람의 "
                        f"{np.mean(peer_share[ids]) * 100:.0f}%가 이미 구매했습니다. "
                        "이번 주에 구매하시겠습니까?"
                    )
                    buys[ids] = hook.decide(ids, hazard[ids], situation, rng)
            who = np.flatnonzero(buys)
            sold_out = np.zeros(n_goods, dtype=bool)
            if who.size:
                cum = np.cumsum(weight[:, who], axis=0)
                u = rng.random(who.size) * cum[-1]
                choice = (cum < u[None, :]).sum(axis=0)
                for g in range(n_goods):
                    takers = who[choice == g]
                    cap = int(capacity[g])
                    demand = takers.size
                    if demand > cap:
                        takers = rng.choice(takers, size=cap, replace=False)
                        sold_out[g] = True
                    owns[takers] = g
                    spent[takers] = price[g]
                    sales[t, g] = takers.size
                    revenue[g] += takers.size * price[g]
            for g in range(n_goods):  # the seller's markdown, skipped in a sold-out step
                if launched[g] and t > goods[g].launch and not sold_out[g]:
                    price[g] *= cut
        for g in range(n_goods):
            adoption[t, g] = np.mean(owns[buyer] == g)
        prices[t] = price
        # share of the segment's buyers (persons old enough to buy) who own one
        seg_adoption[t] = segment_shares(owns[buyer] >= 0, segment[buyer], k)
        out.step_labels.append(calendar.labels(t))
    for g, good in enumerate(goods):
        out.series[f"adoption_{good.name}"] = adoption[:, g]
        out.series[f"price_{good.name}"] = prices[:, g]
        out.series[f"sales_{good.name}"] = sales[:, g]
        out.outcomes[f"adoption_{good.name}"] = float(adoption[-1, g])
        out.outcomes[f"price_change_{good.name}"] = float(price[g] / price0[g] - 1.0)
        out.totals[f"buyers_{good.name}"] = float(np.count_nonzero(owns == g))
        out.totals[f"revenue_bn_krw_{good.name}"] = float(revenue[g] / 1000.0)
    out.series["adoption_any"] = adoption.sum(axis=1)
    out.series["sales_any"] = sales.sum(axis=1)
    out.series["spending_multiplier"] = spending
    out.segment_series["adoption_any"] = seg_adoption
    out.outcomes["adoption_any"] = float(adoption[-1].sum())
    out.district["adoption_any"] = district_shares(owns >= 0, agents)
    out.llm_calls = 0 if hook is None else hook.calls
    if extra_budget is not None:
        out.agent_values["spent_mkrw"] = spent
    return out
