# ruff: noqa: NPY002
# (the numba kernel draws from numba's own generator, seeded from the replicate's Generator)
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

import numba
import numpy as np

from synthsoc.sim.cascade import seed_numba
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


@numba.njit(cache=True)
def _wants(g: int, x: int, hold: np.ndarray, accept: np.ndarray, kind: np.ndarray) -> bool:
    """Whether trader ``x`` takes good ``g``: its consumption good (its type), or the indirect
    good (type + 2) when it holds its own product (type + 1) and accepts indirect exchange."""
    k = kind[x]
    if g == k:
        return True
    return accept[x] and hold[x] == (k + 1) % 3 and g == (k + 2) % 3


@numba.njit(cache=True)
def _trade_kernel(
    by_district: np.ndarray,
    district_start: np.ndarray,
    kind: np.ndarray,
    kind_members: np.ndarray,
    kind_start: np.ndarray,
    cost: np.ndarray,
    utility: float,
    accept: np.ndarray,
    hold: np.ndarray,
    steps: int,
    revision_every: int,
    noise: float,
    mutation: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All steps of the model, in place on ``accept`` and ``hold``; returns per step the share of
    each type accepting indirect exchange, indirect trades by good, and consumptions per trader.

    Each step the traders of every district are shuffled (Fisher-Yates) and paired in order (an
    odd one out waits); strategies are revised together every ``revision_every`` steps.
    """
    n = kind.size
    payoff = np.zeros(n)
    accept_share = np.zeros((steps, 3))
    medium = np.zeros((steps, 3))
    consumed = np.zeros(steps)
    order = by_district.copy()
    new_accept = accept.copy()
    for t in range(steps):
        eaten = 0
        for d in range(district_start.size - 1):
            lo = district_start[d]
            hi = district_start[d + 1]
            for i in range(hi - 1, lo, -1):
                j = lo + np.random.randint(0, i - lo + 1)
                order[i], order[j] = order[j], order[i]
            for i in range(lo, hi - 1, 2):
                a = order[i]
                b = order[i + 1]
                ga = hold[a]
                gb = hold[b]
                if ga == gb:
                    continue
                if not (_wants(gb, a, hold, accept, kind) and _wants(ga, b, hold, accept, kind)):
                    continue
                hold[a] = gb
                hold[b] = ga
                for x in (a, b):
                    g = hold[x]
                    if g == kind[x]:  # consume at once and produce a new unit
                        payoff[x] += utility
                        hold[x] = (kind[x] + 1) % 3
                        eaten += 1
                    else:
                        medium[t, g] += 1.0
        for x in range(n):
            payoff[x] -= cost[hold[x]]
        consumed[t] = eaten / n
        if (t + 1) % revision_every == 0:
            for x in range(n):
                k = kind[x]
                lo = kind_start[k]
                peer = kind_members[lo + np.random.randint(0, kind_start[k + 1] - lo)]
                diff = (payoff[peer] - payoff[x]) / revision_every
                keep = accept[x]
                if np.random.random() < 1.0 / (1.0 + np.exp(-diff / noise)):
                    keep = accept[peer]
                if np.random.random() < mutation:
                    keep = not keep
                new_accept[x] = keep
            accept[:] = new_accept
            payoff[:] = 0.0
        counts = np.zeros(3)
        for x in range(n):
            if accept[x]:
                counts[kind[x]] += 1.0
        for k in range(3):
            accept_share[t, k] = counts[k] / max(kind_start[k + 1] - kind_start[k], 1)
    return accept_share, medium, consumed


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
    # traders laid out by district, so each market's shuffles and trades stay in one block
    district = agents.sigungu[traders].astype(np.int64)
    layout = np.argsort(district, kind="stable")
    traders, district = traders[layout], district[layout]
    kind = rng.permutation(np.arange(n) % N_GOODS).astype(np.int64)
    by_district = np.arange(n, dtype=np.int64)
    district_start = np.flatnonzero(np.r_[True, district[1:] != district[:-1], True]).astype(
        np.int64
    )
    kind_members = np.argsort(kind, kind="stable").astype(np.int64)
    kind_start = np.searchsorted(kind[kind_members], np.arange(N_GOODS + 1)).astype(np.int64)
    hold = ((kind + 1) % N_GOODS).astype(np.int64)
    accept = rng.random(n) < params.initial_accept
    seed_numba(int(rng.integers(2**31)))
    accept_share, medium, consumed_rate = _trade_kernel(
        by_district,
        district_start,
        kind,
        kind_members,
        kind_start,
        np.asarray(params.storage_cost, dtype=np.float64),
        float(params.utility),
        accept,
        hold,
        steps,
        params.revision_every,
        float(params.noise),
        float(params.mutation),
    )
    out = RunOutput(steps=steps, segment_labels=("type 0", "type 1", "type 2"))
    out.step_labels.extend(calendar.labels(t) for t in range(steps))
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
