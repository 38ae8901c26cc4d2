"""The origin of money from barter: Kiyotaki & Wright's (1989) model A, learned by imitation.

Adults are producers of three types (at random, a third each; a stated assumption: the types
stand for specialisations, not for occupations). Type i consumes good i and produces good i+1
(mod 3); holding a good costs ``storage_cost[g]`` per step, lowest for good 0. Each step agents
meet a random partner in their own si-gun-gu (local markets of the synthetic population) and
swap goods when both want the other's: a good is wanted when it is one's consumption good
(consumed at once for utility ``utility``, and a new unit of one's own good is produced) or,
when one accepts indirect exchange, the good one's type can pass on: type 0 holding good 1
may take good 2, type 1 holding good 2 may take good 0, type 2 holding good 0 may take good 1.

Whether to accept that indirect trade is each agent's strategy. Every ``revision_every`` steps an
agent compares its mean payoff since the last revision (utility minus storage costs) with that
of a random agent of its type and copies that agent's strategy with the Fermi probability
``1 / (1 + exp(-(difference) / noise))``; a share ``mutation`` flip at random.

In the fundamental equilibrium of model A only type 1 trades indirectly, accepting good 0, the
good cheapest to store: good 0 becomes a medium of exchange (commodity money). Marimon,
McGrattan & Sargent (1990) found artificially intelligent agents converge to it, and Duffy &
Ochs (1999) found experimental subjects mostly play it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthsoc.sim.delegate import DecisionHook
from synthsoc.sim.events import Calendar
from synthsoc.sim.params import param
from synthsoc.sim.world import RunOutput, World, district_shares

N_GOODS = 3


@dataclass(frozen=True, kw_only=True)
class MoneyParams:
    min_age: int = param(18, low=0, high=120, doc="youngest trader")
    storage_cost: tuple[float, float, float] = param(
        (0.1, 0.5, 2.5), low=0.0, doc="storage cost per step of goods 0, 1, 2 (increasing)"
    )
    utility: float = param(3.0, low=0.0, doc="utility of consuming one's good")
    initial_accept: float = param(
        0.5, low=0.0, high=1.0, doc="share who accept indirect trade at the start"
    )
    revision_every: int = param(10, low=1, doc="steps between strategy revisions")
    noise: float = param(0.5, low=1e-6, doc="Fermi noise of imitation (payoff units)")
    mutation: float = param(0.01, low=0.0, high=1.0, doc="chance of a random flip per revision")

    def __post_init__(self) -> None:
        c = self.storage_cost
        if not c[0] < c[1] < c[2]:
            raise ValueError(f"storage_cost must increase from good 0 to good 2, got {list(c)}")


def prepare_money(world: World, params: MoneyParams) -> None:
    """Nothing to build once: matching is drawn per step."""


def _pairs(district: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random pairs of traders within the same district (an odd one out waits)."""
    order = np.lexsort((rng.random(district.size), district))
    d = district[order]
    first = np.arange(0, order.size - 1, 2)
    same = d[first] == d[first + 1]
    return order[first[same]], order[first[same] + 1]


def _wants(
    x: np.ndarray,
    offered: np.ndarray,
    hold: np.ndarray,
    accept: np.ndarray,
    consume: np.ndarray,
    produce: np.ndarray,
    indirect: np.ndarray,
) -> np.ndarray:
    """Whether traders ``x`` take the ``offered`` goods: their consumption good, or the indirect
    good when they hold their own product and accept indirect exchange."""
    direct = offered == consume[x]
    swap = accept[x] & (hold[x] == produce[x]) & (offered == indirect[x])
    return np.asarray(direct | swap)


def run_money(
    world: World,
    params: MoneyParams,
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
) -> RunOutput:
    agents = world.agents
    traders = np.flatnonzero(agents.age >= params.min_age)
    n = traders.size
    if n < 6:
        raise ValueError(f"money: {n} adults are too few to trade")
    kind = rng.permutation(np.arange(n) % N_GOODS)
    consume = kind
    produce = (kind + 1) % N_GOODS
    indirect = (kind + 2) % N_GOODS  # the good a type may accept in place of what it holds
    cost = np.asarray(params.storage_cost)
    district = agents.sigungu[traders].astype(np.int64)
    hold = produce.copy()
    accept = rng.random(n) < params.initial_accept
    payoff = np.zeros(n)
    out = RunOutput(steps=steps, segment_labels=("type 0", "type 1", "type 2"))
    accept_share = np.zeros((steps, N_GOODS))
    medium = np.zeros((steps, N_GOODS))
    consumed_rate = np.zeros(steps)
    for t in range(steps):
        a, b = _pairs(district, rng)
        wants_a = _wants(a, hold[b], hold, accept, consume, produce, indirect)
        wants_b = _wants(b, hold[a], hold, accept, consume, produce, indirect)
        trade = (hold[a] != hold[b]) & wants_a & wants_b
        ta, tb = a[trade], b[trade]
        got_a, got_b = hold[tb].copy(), hold[ta].copy()
        hold[ta], hold[tb] = got_a, got_b
        takers = np.concatenate([ta, tb])
        goods = np.concatenate([got_a, got_b])
        as_money = goods != consume[takers]
        medium[t] = np.bincount(goods[as_money], minlength=N_GOODS)
        eats = takers[~as_money]
        gain = np.zeros(n)
        gain[eats] = params.utility
        hold[eats] = produce[eats]
        payoff += gain - cost[hold]
        consumed_rate[t] = eats.size / n
        if (t + 1) % params.revision_every == 0:
            mean = payoff / params.revision_every
            peer = np.empty(n, dtype=np.int64)
            for k in range(N_GOODS):
                members = np.flatnonzero(kind == k)
                peer[members] = members[rng.integers(0, members.size, members.size)]
            p = 1.0 / (1.0 + np.exp(-(mean[peer] - mean) / params.noise))
            copy = rng.random(n) < p
            accept = np.where(copy, accept[peer], accept)
            accept ^= rng.random(n) < params.mutation
            payoff[:] = 0.0
        for k in range(N_GOODS):
            accept_share[t, k] = accept[kind == k].mean()
        out.step_labels.append(calendar.labels(t))
    for k in range(N_GOODS):
        out.series[f"type{k}_accepts_good{(k + 2) % N_GOODS}"] = accept_share[:, k]
        out.outcomes[f"type{k}_accepts_good{(k + 2) % N_GOODS}"] = float(accept_share[-1, k])
        out.series[f"good{k}_as_medium"] = medium[:, k]
    out.series["consumption_rate"] = consumed_rate
    tail = medium[-max(steps // 5, 1) :].sum(axis=0)
    out.outcomes["good0_share_of_indirect_trades"] = (
        float(tail[0] / tail.sum()) if tail.sum() > 0 else 0.0
    )
    out.outcomes["consumption_rate"] = float(consumed_rate[-max(steps // 5, 1) :].mean())
    out.segment_series["accepts_indirect"] = accept_share
    flag = np.zeros(agents.n, dtype=bool)
    flag[traders] = hold == 0
    out.district["holding_good0"] = district_shares(flag, agents)
    out.totals["traders_holding_good0"] = float(np.count_nonzero(hold == 0))
    return out
