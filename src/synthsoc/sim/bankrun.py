"""A bank run in the spirit of Diamond and Dybvig (1983), with beliefs spreading on the network.

Every agent aged 20+ holds a demand deposit of 1. A share ``impatient`` must withdraw now. A
withdrawal now pays ``r1``; waiting pays ``R (1 - f r1) / (1 - f)`` when a share ``f`` withdraws
early (the bank liquidates long assets to pay them), so a patient depositor prefers to withdraw
once they expect ``f > f* = (R - r1) / (r1 (R - 1))``. Both "no run" (f = impatient share) and
"run" (f near 1) are equilibria. Depositors start with a belief about ``f``; each step they mix it
with what they observe among their contacts (the share who withdrew) and what their contacts
believe (word of mouth), plus the publicly reported share; a patient depositor withdraws when
their belief passes their own threshold (``f*`` shifted by risk aversion). Withdrawal is final.
The public report carries a news shock shared by all (``news_noise``), so near the threshold
replicates can end in either equilibrium.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthsoc.sim.delegate import DecisionHook
from synthsoc.sim.events import Calendar
from synthsoc.sim.network import LAYERS
from synthsoc.sim.params import param
from synthsoc.sim.world import RunOutput, World, district_shares, in_degree, segment_shares

BELIEF_LAYERS = ("household", "neighbourhood", "online")


@dataclass(frozen=True, kw_only=True)
class BankRunParams:
    impatient: float = param(0.1, low=0.0, high=1.0, doc="share of depositors who must withdraw")
    r1: float = param(1.1, low=1.0, doc="pay-out of an early withdrawal per deposit of 1")
    R: float = param(1.3, low=1.0, doc="pay-out of the long asset at maturity")
    initial_belief: float = param(0.2, low=0.0, high=1.0, doc="mean initial expected run share")
    belief_sd: float = param(0.1, low=0.0, high=1.0, doc="spread of initial beliefs")
    learning: float = param(0.5, low=0.0, high=1.0, doc="weight of new evidence per step")
    observation_weight: float = param(
        0.5, low=0.0, high=1.0, doc="weight of contacts' withdrawals vs their beliefs"
    )
    public_weight: float = param(0.2, low=0.0, high=1.0, doc="weight of the public report")
    risk_shift: float = param(
        0.2, low=0.0, high=2.0, doc="threshold shift per unit of risk aversion below 0.5"
    )
    news_noise: float = param(0.0, low=0.0, high=1.0, doc="sd of the common news shock")
    min_age: int = param(20, low=0, high=120, doc="youngest depositor")
    liquidity: float = param(
        1.0, low=0.0, high=10.0, doc="liquid assets per depositor; fails when r1 x share exceeds"
    )
    belief_layers: tuple[str, ...] = param(BELIEF_LAYERS, choices=LAYERS, doc="contact layers")

    def __post_init__(self) -> None:
        if not 1.0 < self.r1 < self.R:
            raise ValueError(f"need 1 < r1 < R, got r1={self.r1}, R={self.R}")


def run_threshold(r1: float, big_r: float) -> float:
    """The early-withdrawal share above which waiting pays less than withdrawing."""
    return (big_r - r1) / (r1 * (big_r - 1.0))


def prepare_bank_run(world: World, params: BankRunParams) -> None:
    world.adjacency(params.belief_layers)


def run_bank_run(
    world: World,
    params: BankRunParams,
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
) -> RunOutput:
    agents = world.agents
    adj = world.adjacency(params.belief_layers)
    degree, has_nb = in_degree(adj)
    depositor = agents.age >= params.min_age
    r1 = params.r1
    f_star = run_threshold(r1, params.R)
    impatient = depositor & (rng.random(agents.n) < params.impatient)
    belief = np.clip(
        rng.normal(params.initial_belief, params.belief_sd, agents.n), 0.0, 1.0
    )
    alpha = params.learning
    w_obs = params.observation_weight
    w_pub = params.public_weight
    threshold = f_star + params.risk_shift * (0.5 - agents.risk_aversion)
    news_sd = params.news_noise
    withdrawn = impatient.copy()
    segment, seg_labels = world.segment()
    out = RunOutput(steps=steps, segment_labels=seg_labels)
    share = np.zeros(steps)
    mean_belief = np.zeros(steps)
    seg = np.zeros((steps, len(seg_labels)))
    for t in range(steps):
        if t > 0:
            # decide on the belief held coming into the step, then learn from what happened
            candidates = depositor & ~withdrawn
            decide = candidates & (belief > threshold)
            if hook is not None:
                ids = np.flatnonzero(candidates & hook.delegated)
                if ids.size:
                    seen = np.asarray(adj @ withdrawn.astype(np.float32)).ravel()[ids]
                    seen = seen / degree[ids]
                    situation = (
                        "주거래 은행에 예금이 있습니다. 주변 사람의 약 "
                        f"{np.mean(seen) * 100:.0f}%가 예금을 인출했고, 은행이 위험하다는 "
                        "소문이 있습니다. 지금 예금을 인출하시겠습니까?"
                    )
                    rule_p = (belief[ids] > threshold[ids]).astype(np.float64)
                    decide[ids] = hook.decide(ids, np.maximum(rule_p, 0.05), situation, rng)
            withdrawn |= decide
            mult = calendar.agent_multiplier(t, agents, "activity")
            obs = np.asarray(adj @ withdrawn.astype(np.float32)).ravel() / degree
            heard = np.asarray(adj @ belief.astype(np.float32)).ravel() / degree
            # the publicly reported share, blurred by a news shock common to everyone
            public = float(
                np.clip(withdrawn[depositor].mean() + rng.normal(0.0, news_sd), 0.0, 1.0)
            )
            social = w_obs * obs + (1.0 - w_obs) * heard
            target = np.where(has_nb, (1.0 - w_pub) * social + w_pub * public, public)
            rate = np.clip(alpha * mult, 0.0, 1.0)
            belief = (1.0 - rate) * belief + rate * target
        share[t] = withdrawn[depositor].mean()
        mean_belief[t] = belief[depositor].mean()
        seg[t] = segment_shares(withdrawn & depositor, segment, len(seg_labels))
        out.step_labels.append(calendar.labels(t))
    out.series["withdrawn"] = share
    out.series["mean_belief"] = mean_belief
    out.series["run_threshold"] = np.full(steps, f_star)
    out.segment_series["withdrawn"] = seg
    out.outcomes["withdrawn_final"] = float(share[-1])
    out.outcomes["bank_failed"] = float(share[-1] * r1 > params.liquidity)
    out.totals["depositors_withdrawn"] = float(np.count_nonzero(withdrawn & depositor))
    out.district["withdrawn"] = district_shares(withdrawn & depositor, agents)
    out.llm_calls = 0 if hook is None else hook.calls
    return out
