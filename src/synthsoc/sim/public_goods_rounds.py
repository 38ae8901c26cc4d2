"""A repeated linear public-goods game with and without peer punishment (Fehr & Gaechter 2000).

Adults are split at random into two arms, with and without a punishment stage
(``treatment: both``; or all in one arm), so one run shows both; within an arm they are matched
into groups of ``group_size`` (new random groups every round: the "stranger" design, or fixed
groups: "partner"). Each round a player puts a share of
the endowment into the group account, which returns ``mpcr`` per unit to every member.

Behaviour follows the evidence on conditional cooperation (Fischbacher, Gaechter & Fehr 2001;
Fischbacher & Gaechter 2010): the least prosocial ``free_riders`` share of players (persona
``prosociality``) contribute nothing beyond noise; the others contribute ``cc_slope`` times their
belief about the others' contribution, a belief that moves by ``belief_learning`` towards what
they saw. Because conditional cooperators match less than fully, contributions decay over rounds.
In the punishment arm, players above the ``punisher_share`` prosociality quantile spend points
on group members who gave less than the group mean (``punish_rate`` points per unit of shortfall
as a share of the endowment); each point costs the punisher 1 and the target ``punish_effect``.
A punished player raises their contributions from the next round on by ``punish_response`` per
unit of loss relative to the endowment, cumulatively (the deterrence observed in the
experiments: punished free riders keep contributing more).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from synthsoc.sim.delegate import DecisionHook
from synthsoc.sim.events import Calendar
from synthsoc.sim.params import param
from synthsoc.sim.world import RunOutput, World, district_shares


@dataclass(frozen=True, kw_only=True)
class PublicGoodsRoundsParams:
    min_age: int = param(18, low=0, high=120, doc="youngest player")
    group_size: int = param(4, low=2, high=100, doc="players per group (4 in Fehr & Gaechter)")
    endowment: float = param(20.0, low=1e-6, doc="tokens per player and round")
    mpcr: float = param(0.4, low=0.0, high=1.0, doc="marginal per-capita return of the account")
    treatment: Literal["both", "none", "punishment"] = param(
        "both", doc="both: half the groups with punishment; none / punishment: all groups"
    )
    matching: Literal["stranger", "partner"] = param(
        "stranger", doc="stranger: new random groups each round; partner: fixed groups"
    )
    free_riders: float = param(
        0.3, low=0.0, high=1.0, doc="least prosocial share who free ride (about 30%, FGF 2001)"
    )
    initial_mean: float = param(0.5, low=0.0, high=1.0, doc="mean first-round contribution share")
    initial_sd: float = param(0.25, low=0.0, high=1.0, doc="spread of first-round contributions")
    cc_slope: float = param(
        0.9, low=0.0, high=2.0, doc="conditional cooperators' contribution per unit of belief"
    )
    belief_learning: float = param(
        0.5, low=0.0, high=1.0, doc="weight of the last round's observation in the belief"
    )
    noise_sd: float = param(0.05, low=0.0, high=1.0, doc="noise of each contribution (share)")
    punisher_share: float = param(
        0.6, low=0.0, high=1.0, doc="most prosocial share who punish in the punishment arm"
    )
    punish_rate: float = param(
        5.0, low=0.0, doc="points per unit of shortfall below the group mean (share units)"
    )
    punish_effect: float = param(3.0, low=0.0, doc="tokens a point takes from its target")
    punish_response: float = param(
        0.45, low=0.0, doc="rise of later contribution shares per unit of loss / endowment"
    )


def prepare_public_goods_rounds(world: World, params: PublicGoodsRoundsParams) -> None:
    """Nothing to build once: groups are drawn per replicate (and per round when strangers)."""


def _partition(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """A random partition of ``n`` players into groups of ``size`` (a last group of one player
    joins the group before it)."""
    order = rng.permutation(n)
    group = np.empty(n, dtype=np.int64)
    group[order] = np.arange(n) // size
    last = (n - 1) // size
    if n % size == 1 and last > 0:
        group[group == last] = last - 1
    return group


def _groups(arm: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Groups formed within each treatment arm (players never meet the other arm)."""
    group = np.empty(arm.size, dtype=np.int64)
    offset = 0
    for value in (False, True):
        members = np.flatnonzero(arm == value)
        if members.size:
            part = _partition(members.size, size, rng)
            group[members] = part + offset
            offset += int(part.max()) + 1
    return group


def run_public_goods_rounds(
    world: World,
    params: PublicGoodsRoundsParams,
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
) -> RunOutput:
    agents = world.agents
    players = np.flatnonzero(agents.age >= params.min_age)
    n = players.size
    if n < 2 * params.group_size:
        raise ValueError(f"public_goods_rounds: {n} adults are too few for groups")
    prosocial = agents.prosociality[players].astype(np.float64)
    rank = np.argsort(np.argsort(prosocial, kind="stable"), kind="stable") / max(n - 1, 1)
    free_rider = rank < params.free_riders
    punisher = rank >= 1.0 - params.punisher_share
    share = np.clip(rng.normal(params.initial_mean, params.initial_sd, n), 0.0, 1.0)
    belief = np.full(n, params.initial_mean)
    boost = np.zeros(n)
    # the treatment arm of each player is fixed, as in a session of the experiment
    if params.treatment == "both":
        arm = rng.permutation(n) < n // 2
    else:
        arm = np.full(n, params.treatment == "punishment")
    if params.treatment == "both" and min(arm.sum(), (~arm).sum()) < params.group_size:
        raise ValueError(f"public_goods_rounds: {n} adults are too few for two arms")
    groups = _groups(arm, params.group_size, rng)
    segment, seg_labels = world.segment()
    seg_players = segment[players]
    out = RunOutput(steps=steps, segment_labels=seg_labels)
    arms = {"no_punishment": np.zeros(steps), "punishment": np.zeros(steps)}
    points_series = np.zeros(steps)
    payoff_series = np.zeros(steps)
    seg = np.zeros((steps, len(seg_labels)))
    for t in range(steps):
        if t > 0 and params.matching == "stranger":
            groups = _groups(arm, params.group_size, rng)
        k = int(groups.max()) + 1
        punish_group = np.zeros(k, dtype=bool)
        punish_group[groups[arm]] = True
        if t > 0:
            rule = np.where(free_rider, 0.0, params.cc_slope * belief)
            share = np.clip(rule + boost + rng.normal(0.0, params.noise_sd, n), 0.0, 1.0)
        size = np.bincount(groups, minlength=k).astype(np.float64)
        total = np.bincount(groups, weights=share, minlength=k)
        others = (total[groups] - share) / np.maximum(size[groups] - 1.0, 1.0)
        belief = (1.0 - params.belief_learning) * belief + params.belief_learning * others
        payoff = params.endowment * (1.0 - share + params.mpcr * total[groups])
        # punishment stage: punishers fine members below the group mean, in punishment groups
        mean = total / size
        shortfall = np.maximum(mean[groups] - share, 0.0) * punish_group[groups]
        punishers_in = np.bincount(groups, weights=punisher.astype(np.float64), minlength=k)
        others_punishing = punishers_in[groups] - punisher
        received = params.punish_rate * shortfall * others_punishing
        given = np.bincount(groups, weights=received, minlength=k)
        spent = np.where(
            punisher, given[groups] / np.maximum(punishers_in[groups], 1.0), 0.0
        ) * punish_group[groups]
        payoff = payoff - spent - params.punish_effect * received
        # deterrence accumulates: a punished player keeps giving more in later rounds
        boost = boost + params.punish_response * params.punish_effect * received / params.endowment
        in_punish = punish_group[groups]
        if in_punish.any():
            arms["punishment"][t] = share[in_punish].mean()
        if (~in_punish).any():
            arms["no_punishment"][t] = share[~in_punish].mean()
        points_series[t] = received.mean()
        payoff_series[t] = payoff.mean()
        seg[t] = np.bincount(seg_players, weights=share, minlength=len(seg_labels)) / np.maximum(
            np.bincount(seg_players, minlength=len(seg_labels)), 1
        )
        out.step_labels.append(calendar.labels(t))
    present = {"none": ["no_punishment"], "punishment": ["punishment"]}.get(
        params.treatment, ["no_punishment", "punishment"]
    )
    for name in present:
        out.series[f"contribution_{name}"] = arms[name]
        out.outcomes[f"contribution_first_{name}"] = float(arms[name][0])
        out.outcomes[f"contribution_last_{name}"] = float(arms[name][-1])
    out.series["punishment_points"] = points_series
    out.series["payoff"] = payoff_series
    out.segment_series["contribution"] = seg
    flag = np.zeros(agents.n, dtype=bool)
    flag[players] = share >= 0.5
    out.district["contributing_half_or_more"] = district_shares(flag, agents)
    out.totals["tokens_contributed_last_round"] = float(share.sum() * params.endowment)
    return out
