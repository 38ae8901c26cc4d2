"""A virtual marketplace: a product launch with budgets, peer adoption and price adjustment.

Buyers are persons aged 15+; each has a monthly budget for the category, a share of household
income. Each step a non-owner buys with a Bass-style hazard ``(innovation + imitation x share of
contacts who own one)`` scaled by their age band's affinity for the goods, affordability
(``budget / price`` through a logistic curve) and the calendar's spending multiplier; a buyer picks
among the goods by a logit on affinity and price. Sellers have a capacity per step: when demand
exceeds it, buyers are rationed at random and the price rises; when demand falls short of half
of it, the price falls (both by ``price_adjustment`` per step, bounded).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synthsoc.sim import params as P
from synthsoc.sim.agents import AGE_BAND_LABELS
from synthsoc.sim.delegate import DecisionHook
from synthsoc.sim.events import Calendar
from synthsoc.sim.world import RunOutput, World, district_shares, layer_tuple, segment_shares

PEER_LAYERS = ("household", "work", "school", "neighbourhood", "online")


def prepare_market(world: World, params: dict[str, Any]) -> None:
    world.adjacency(layer_tuple(params.get("peer_layers", PEER_LAYERS), "params.peer_layers"))


def _goods(params: dict[str, Any]) -> list[dict[str, Any]]:
    goods = params.get("goods")
    if not isinstance(goods, list) or not goods:
        raise P.ScenarioError(
            "params.goods: need a list of goods (name, price, capacity, affinity)"
        )
    out = []
    for i, g in enumerate(goods):
        where = f"params.goods[{i}]"
        affinity = g.get("affinity", [1.0] * len(AGE_BAND_LABELS))
        if len(affinity) != len(AGE_BAND_LABELS):
            raise P.ScenarioError(
                f"{where}.affinity: need {len(AGE_BAND_LABELS)} values "
                f"(age bands {AGE_BAND_LABELS})"
            )
        out.append(
            {
                "name": str(g.get("name", f"good{i}")),
                "price": P.get(g, "price", 1.0, where=where),
                "capacity": P.get_range(g, "capacity", 0.01, 0.0, 1.0, where=where),
                "affinity": np.asarray(affinity, dtype=np.float64),
                "launch": P.get(g, "launch", 0, where=where),
            }
        )
    return out


def run_market(
    world: World,
    params: dict[str, Any],
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
) -> RunOutput:
    agents = world.agents
    goods = _goods(params)
    n_goods = len(goods)
    adj = world.adjacency(layer_tuple(params.get("peer_layers", PEER_LAYERS), "params.peer_layers"))
    degree = np.maximum(np.asarray(adj.sum(axis=1)).ravel(), 1.0)
    buyer = agents.age >= P.get(params, "min_age", 15)
    budget = agents.income_mkrw / 12.0 * P.get_range(params, "budget_share", 0.05, 0.0, 1.0)
    budget = budget / np.maximum(np.bincount(agents.household)[agents.household], 1) * 2.0
    p_innov = P.get_range(params, "innovation", 0.003, 0.0, 1.0)
    q_imit = P.get_range(params, "imitation", 0.3, 0.0, 5.0)
    elasticity = P.get(params, "price_elasticity", 1.5)
    adjust = P.get_range(params, "price_adjustment", 0.03, 0.0, 1.0)
    price = np.array([g["price"] for g in goods])
    price0 = price.copy()
    affinity = np.stack([g["affinity"][agents.age_band] for g in goods])  # (goods, n)
    capacity = np.array([g["capacity"] for g in goods]) * buyer.sum()
    owns = np.full(agents.n, -1, dtype=np.int64)
    segment, seg_labels = world.segment()
    k = len(seg_labels)
    out = RunOutput(steps=steps, segment_labels=seg_labels)
    adoption = np.zeros((steps, n_goods))
    prices = np.zeros((steps, n_goods))
    seg_adoption = np.zeros((steps, k))
    revenue = np.zeros(n_goods)
    for t in range(steps):
        if t > 0:
            launched = np.array([g["launch"] <= t for g in goods])
            peer_share = np.asarray(adj @ (owns >= 0).astype(np.float32)).ravel() / degree
            spend = calendar.agent_multiplier(t, agents, "spending")
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
                        f"{g['name']} {price[i]:.2f}백만 원" for i, g in enumerate(goods)
                    )
                    situation = (
                        f"신제품이 출시되었습니다 ({names}). 주변 사람의 "
                        f"{np.mean(peer_share[ids]) * 100:.0f}%가 이미 구매했습니다. "
                        "이번 주에 구매하시겠습니까?"
                    )
                    buys[ids] = hook.decide(ids, hazard[ids], situation, rng)
            who = np.flatnonzero(buys)
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
                    owns[takers] = g
                    revenue[g] += takers.size * price[g]
                    if demand > cap:
                        price[g] *= 1.0 + adjust
                    elif demand < 0.5 * cap and launched[g]:
                        price[g] *= 1.0 - adjust
                    price[g] = float(np.clip(price[g], 0.5 * price0[g], 2.0 * price0[g]))
        for g in range(n_goods):
            adoption[t, g] = np.mean(owns[buyer] == g)
        prices[t] = price
        # share of the segment's buyers (persons old enough to buy) who own one
        seg_adoption[t] = segment_shares(owns[buyer] >= 0, segment[buyer], k)
        out.step_labels.append(calendar.labels(t))
    for g, good in enumerate(goods):
        out.series[f"adoption_{good['name']}"] = adoption[:, g]
        out.series[f"price_{good['name']}"] = prices[:, g]
        out.outcomes[f"adoption_{good['name']}"] = float(adoption[-1, g])
        out.outcomes[f"price_change_{good['name']}"] = float(price[g] / price0[g] - 1.0)
        out.outcomes[f"revenue_bn_krw_{good['name']}"] = float(revenue[g] / 1000.0)
    out.series["adoption_any"] = adoption.sum(axis=1)
    out.segment_series["adoption_any"] = seg_adoption
    out.outcomes["adoption_any"] = float(adoption[-1].sum())
    out.district["adoption_any"] = district_shares(owns >= 0, agents)
    out.llm_calls = 0 if hook is None else hook.calls
    return out
