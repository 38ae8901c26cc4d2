"""A climate-cooperation game: a threshold public good in every si-gun-gu, played by adults.

Each step an adult either contributes to their district's climate effort or not. Contributors are
conditional cooperators (Fischbacher, Gaechter & Fehr 2001): they contribute when the share of
contributors they see among their contacts, mixed with the share in their district, reaches their
own threshold, lower for more prosocial people; a share of free riders never contribute; a little
noise flips decisions. A district whose contributing share reaches ``target`` averts the damage
(the collective-risk game of Milinski et al. 2008); one below it suffers a loss with probability
``risk`` at the deadline. Cooperation is a coordination game: high or low contribution can both
persist, so replicates may split; ``mood_sd`` adds a national mood shock per replicate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthsoc.sim.delegate import DecisionHook
from synthsoc.sim.events import Calendar
from synthsoc.sim.network import LAYERS
from synthsoc.sim.params import param
from synthsoc.sim.world import RunOutput, World, district_shares, segment_shares

GAME_LAYERS = ("household", "work", "neighbourhood", "online")


@dataclass(frozen=True, kw_only=True)
class PublicGoodsParams:
    min_age: int = param(18, low=0, high=120, doc="youngest player")
    free_riders: float = param(0.3, low=0.0, high=1.0, doc="share who never contribute")
    threshold_mean: float = param(
        0.5, low=0.0, high=1.0, doc="mean share of others contributing a cooperator needs"
    )
    mood_sd: float = param(0.0, low=0.0, high=1.0, doc="sd of the national mood shock")
    prosocial_slope: float = param(
        0.6, low=0.0, high=5.0, doc="threshold fall per unit of prosociality above 0.5"
    )
    threshold_sd: float = param(0.1, low=0.0, high=1.0, doc="individual threshold noise")
    noise: float = param(0.02, low=0.0, high=1.0, doc="chance a decision flips per step")
    network_weight: float = param(
        0.6, low=0.0, high=1.0, doc="weight of contacts vs the district share"
    )
    target: float = param(0.5, low=0.0, high=1.0, doc="district share that averts the damage")
    risk: float = param(0.9, low=0.0, high=1.0, doc="chance of damage below target")
    initial: float = param(0.4, low=0.0, high=1.0, doc="initial contributing share")
    layers: tuple[str, ...] = param(GAME_LAYERS, choices=LAYERS, doc="contact layers")


def prepare_public_goods(world: World, params: PublicGoodsParams) -> None:
    world.influencer_counts(params.layers)


def run_public_goods(
    world: World,
    params: PublicGoodsParams,
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
) -> RunOutput:
    agents = world.agents
    counts = world.influencer_counts(params.layers)
    degree = counts.degree()[0]
    player = agents.age >= params.min_age
    free_rider = rng.random(agents.n) < params.free_riders
    # threshold: share of others contributing that a conditional cooperator needs to see
    mood = rng.normal(0.0, params.mood_sd)  # national climate mood
    threshold = np.clip(
        params.threshold_mean
        + mood
        + params.prosocial_slope * (0.5 - agents.prosociality)
        + rng.normal(0.0, params.threshold_sd, agents.n),
        0.0,
        1.0,
    )
    noise = params.noise
    local_w = params.network_weight
    target = params.target
    risk = params.risk
    contributes = player & ~free_rider & (rng.random(agents.n) < params.initial)
    district = agents.sigungu.astype(np.int64)
    k_d = agents.sigungu_codes.size
    players_d = np.maximum(
        np.bincount(district, weights=player.astype(np.float64), minlength=k_d), 1.0
    )
    segment, seg_labels = world.segment()
    out = RunOutput(steps=steps, segment_labels=seg_labels)
    rate = np.zeros(steps)
    met = np.zeros(steps)
    seg = np.zeros((steps, len(seg_labels)))
    for t in range(steps):
        if t > 0:
            local = counts.count(contributes) / degree
            d_share = (
                np.bincount(district, weights=contributes.astype(np.float64), minlength=k_d)
                / players_d
            )
            seen = local_w * local + (1.0 - local_w) * d_share[district]
            act = calendar.agent_multiplier(t, agents, "activity")
            want = seen >= threshold
            decide = player & ~free_rider & want
            if hook is not None:
                ids = np.flatnonzero(player & hook.delegated)
                if ids.size:
                    situation = (
                        f"우리 지역의 기후 대응 공동 기금에 참여할지 정합니다. 주변 사람의 약 "
                        f"{np.mean(seen[ids]) * 100:.0f}%가 참여하고 있고, 지역 참여율이 "
                        f"{target * 100:.0f}%에 못 미치면 피해를 입을 위험이 있습니다. "
                        "참여하시겠습니까?"
                    )
                    decide[ids] = hook.decide(
                        ids, want[ids].astype(np.float64) * 0.9 + 0.05, situation, rng
                    )
            flip = player & (rng.random(agents.n) < noise * act)
            contributes = np.where(flip, ~decide & player & ~free_rider, decide)
        share_d = (
            np.bincount(district, weights=contributes.astype(np.float64), minlength=k_d) / players_d
        )
        present = np.bincount(district, weights=player.astype(np.float64), minlength=k_d) > 0
        rate[t] = contributes[player].mean() if player.any() else 0.0
        met[t] = np.mean(share_d[present] >= target) if present.any() else 0.0
        seg[t] = segment_shares(contributes & player, segment, len(seg_labels))
        out.step_labels.append(calendar.labels(t))
    final_d = (
        np.bincount(district, weights=contributes.astype(np.float64), minlength=k_d) / players_d
    )
    present = np.bincount(district, weights=player.astype(np.float64), minlength=k_d) > 0
    damaged = present & (final_d < target) & (rng.random(k_d) < risk)
    out.series["contribution_rate"] = rate
    out.series["districts_meeting_target"] = met
    out.segment_series["contribution_rate"] = seg
    out.outcomes["contribution_rate_final"] = float(rate[-1])
    out.totals["contributors"] = float(np.count_nonzero(contributes & player))
    out.outcomes["districts_meeting_target"] = float(met[-1])
    out.outcomes["districts_damaged"] = float(damaged[present].mean()) if present.any() else 0.0
    out.district["contribution_rate"] = district_shares(contributes & player, agents)
    out.llm_calls = 0 if hook is None else hook.calls
    return out
