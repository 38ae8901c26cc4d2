"""Information diffusion models: a rumour and its correction on the social-media platform, and
contagion rules (independent cascade, linear threshold, complex contagion) on the multilayer
network."""

from __future__ import annotations

from typing import Any

import numpy as np

from synthsoc.sim import params as P
from synthsoc.sim.cascade import (
    RULES,
    Contagion,
    cascade_sizes,
    linear_threshold_weights,
    seed_numba,
)
from synthsoc.sim.delegate import DecisionHook
from synthsoc.sim.events import Calendar
from synthsoc.sim.network import LAYERS
from synthsoc.sim.platform import Platform
from synthsoc.sim.world import RunOutput, World, district_shares, layer_tuple, segment_shares

OFFLINE = ("household", "work", "school", "neighbourhood")


def _seeds(world: World, spec: Any, rng: np.random.Generator, where: str) -> np.ndarray:
    """Seed accounts: ``N`` random SNS users, or ``"hubs:N"`` the N most-followed accounts."""
    followers = world.derived("followers", world.network.followers)
    if isinstance(spec, str) and spec.startswith("hubs:"):
        k = int(spec.split(":", 1)[1])
        return np.argsort(-followers.degree(), kind="stable")[:k].astype(np.int64)
    try:
        k = int(spec)
    except (TypeError, ValueError):
        raise P.ScenarioError(
            f"{where}.seeds: expected a count or 'hubs:N', got {spec!r}"
        ) from None
    users = np.flatnonzero(world.agents.sns_user)
    pool = users if users.size >= k else np.arange(world.agents.n)
    return rng.choice(pool, size=min(k, pool.size), replace=False).astype(np.int64)


def prepare_diffusion(world: World, params: dict[str, Any]) -> None:
    world.derived("followers", world.network.followers)
    offline = layer_tuple(params.get("offline_layers", OFFLINE), "params.offline_layers")
    world.derived("spread:" + ",".join(offline), lambda: world.network.spread_graph(offline))


def run_diffusion(
    world: World,
    params: dict[str, Any],
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
) -> RunOutput:
    """Messages (e.g. a rumour and its correction) spreading on the platform."""
    agents = world.agents
    seed_numba(int(rng.integers(2**31)))
    messages = params.get("messages")
    if not isinstance(messages, list) or not messages:
        raise P.ScenarioError(
            "params.messages: need a list of messages (name, appeal, seeds, start)"
        )
    names = [str(m.get("name", f"message{i}")) for i, m in enumerate(messages)]
    appeal = np.array(
        [P.get(m, "appeal", 1.0, where=f"messages[{i}]") for i, m in enumerate(messages)]
    )
    blocks = np.zeros((len(names), len(names)), dtype=bool)
    for pair in params.get("blocks", []):
        try:
            blocks[names.index(pair[0]), names.index(pair[1])] = True
        except (ValueError, IndexError, TypeError):
            raise P.ScenarioError(
                f"params.blocks: {pair!r} must name two messages of {names}"
            ) from None
    offline = layer_tuple(params.get("offline_layers", OFFLINE), "params.offline_layers")
    o_graph = world.derived(
        "spread:" + ",".join(offline), lambda: world.network.spread_graph(offline)
    )
    follows = world.network.layers["online"]
    platform = Platform(
        follows.indptr,
        follows.indices,
        o_graph,
        activity=agents.online_activity,
        reshare=agents.reshare,
        appeal=appeal,
        blocks=blocks,
        rule=P.get(params, "reshare_rule", "independent"),
        k_needed=P.get(params, "k_needed", 2),
        ranking=P.get(params, "ranking", "chronological"),
        feed_size=P.get(params, "feed_size", 10),
        window=P.get(params, "window", 3),
        post_rate=P.get_range(params, "post_rate", 0.3, 0.0, 1.0),
        post_popularity=P.get(params, "post_popularity", 5.0),
        offline_prob=P.get_range(params, "offline_prob", 0.02, 0.0, 1.0),
        delegated=None if hook is None else hook.delegated,
    )
    starts = [P.get(m, "start", 0, where=f"messages[{i}]") for i, m in enumerate(messages)]
    seeds = [
        _seeds(world, m.get("seeds", 10), rng, f"messages[{i}]") for i, m in enumerate(messages)
    ]
    segment, seg_labels = world.segment()
    k = len(seg_labels)
    out = RunOutput(steps=steps, segment_labels=seg_labels)
    reach = np.zeros((steps, len(names)))
    sharers = np.zeros((steps, len(names)))
    misinformed = np.zeros(steps)
    seg_reach = np.zeros((steps, len(names), k))
    layer_mult = np.ones(len(LAYERS))
    for t in range(steps):
        for m, start in enumerate(starts):
            if t == start:
                platform.post(m, seeds[m], t)
        if t > 0:
            layer_mult = calendar.layer_multipliers(t)
            act = calendar.agent_multiplier(t, agents, "activity")
            deferred = platform.step(t, float(np.mean(act)), layer_mult)
            if hook is not None and deferred.size:
                _delegate_shares(platform, hook, deferred, names, t, rng)
        seen = platform.seen_first >= 0
        reach[t] = seen.mean(axis=1)
        sharers[t] = (platform.shared_at >= 0).mean(axis=1)
        for m in range(len(names)):
            seg_reach[t, m] = segment_shares(seen[m], segment, k)
        misinformed[t] = _misinformed(seen, blocks).mean()
        out.step_labels.append(calendar.labels(t))
    for m, name in enumerate(names):
        out.series[f"reach_{name}"] = reach[:, m]
        out.series[f"sharers_{name}"] = sharers[:, m]
        out.segment_series[f"reach_{name}"] = seg_reach[:, m, :]
        out.outcomes[f"reach_{name}"] = float(reach[-1, m])
        out.outcomes[f"sharers_{name}"] = float(sharers[-1, m])
        out.distributions[f"first_seen_step_{name}"] = platform.seen_first[m][
            platform.seen_first[m] >= 0
        ]
    final_mis = _misinformed(platform.seen_first >= 0, blocks)
    out.series["misinformed"] = misinformed
    out.outcomes["misinformed_final"] = float(misinformed[-1])
    out.outcomes["misinformed_peak"] = float(misinformed.max())
    out.district["misinformed"] = district_shares(final_mis, agents)
    out.llm_calls = 0 if hook is None else hook.calls
    return out


def _misinformed(seen: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """Agents who saw a message that another (a correction) blocks, without seeing the blocker."""
    flag = np.zeros(seen.shape[1], dtype=bool)
    for b, m in zip(*np.nonzero(blocks), strict=True):
        flag |= seen[m] & ~seen[b]
    return flag


def _delegate_shares(
    platform: Platform,
    hook: DecisionHook,
    deferred: np.ndarray,
    names: list[str],
    t: int,
    rng: np.random.Generator,
) -> None:
    for m, name in enumerate(names):
        ids = deferred[deferred[:, 1] == m, 0]
        if ids.size == 0:
            continue
        p = np.clip(platform.reshare[ids] * platform.appeal[m], 0.0, 1.0)
        situation = (
            f"SNS 피드에서 '{name}' 게시물을 보았습니다. 이 게시물을 공유(리트윗)하시겠습니까?"
        )
        share = hook.decide(ids, p, situation, rng)
        platform.shared_at[m, ids[share]] = t


def prepare_cascade(world: World, params: dict[str, Any]) -> None:
    layers = layer_tuple(params.get("layers", LAYERS), "params.layers")
    world.derived("spread:" + ",".join(layers), lambda: world.network.spread_graph(layers))
    world.derived("followers", world.network.followers)


def run_cascade(
    world: World,
    params: dict[str, Any],
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
) -> RunOutput:
    """A contagion (IC, LT or complex) across the chosen layers, plus a cascade-size distribution
    of single-seed independent cascades on the follower graph."""
    agents = world.agents
    seed_numba(int(rng.integers(2**31)))
    rule = P.get(params, "rule", "independent_cascade")
    if rule not in RULES:
        raise P.ScenarioError(f"params.rule: unknown {rule!r}; choose one of {RULES}")
    layers = layer_tuple(params.get("layers", LAYERS), "params.layers")
    indptr, indices, arc_layer = world.derived(
        "spread:" + ",".join(layers), lambda: world.network.spread_graph(layers)
    )
    layer_p = params.get("layer_prob", {})
    base = np.array([float(layer_p.get(name, 0.05)) for name in LAYERS], dtype=np.float32)
    arc_base = base[arc_layer]
    threshold: np.ndarray | None = None
    if rule == "linear_threshold":
        arc_weight = world.derived(
            "lt:" + ",".join(layers), lambda: linear_threshold_weights(indptr, indices, arc_base)
        )
        threshold = rng.random(agents.n)
    else:
        arc_weight = arc_base
        if rule == "complex_contagion":
            threshold = np.full(agents.n, float(P.get(params, "k_needed", 2)))
    contagion = Contagion(
        indptr,
        indices,
        arc_weight,
        arc_layer,
        rule=rule,
        sender=agents.reshare / max(float(agents.reshare.mean()), 1e-9),
        threshold=threshold,
    )
    # seeds: a count, or a share of the population when below 1 (scales with population size)
    seeds = P.get(params, "seeds", 20.0)
    n_seeds = int(round(seeds * agents.n)) if seeds < 1 else int(seeds)
    contagion.start(rng.choice(agents.n, size=max(1, min(n_seeds, agents.n)), replace=False))
    segment, seg_labels = world.segment()
    out = RunOutput(steps=steps, segment_labels=seg_labels)
    active = np.zeros(steps)
    seg = np.zeros((steps, len(seg_labels)))
    for t in range(steps):
        if t > 0:
            contagion.step(t, calendar.layer_multipliers(t))
        flag = contagion.activated_at >= 0
        active[t] = flag.mean()
        seg[t] = segment_shares(flag, segment, len(seg_labels))
        out.step_labels.append(calendar.labels(t))
    out.series["adopted"] = active
    out.segment_series["adopted"] = seg
    out.outcomes["adopted_final"] = float(active[-1])
    out.district["adopted"] = district_shares(contagion.activated_at >= 0, agents)
    followers = world.derived("followers", world.network.followers)
    n_single = P.get(params, "single_seed_cascades", 500)
    users = np.flatnonzero(agents.sns_user)
    if users.size and n_single > 0:
        sizes = cascade_sizes(
            followers.indptr,
            followers.indices,
            P.get(params, "single_seed_prob", 0.02),
            rng.choice(users, size=n_single),
        )
        out.distributions["cascade_size"] = sizes
        out.outcomes["cascade_size_mean"] = float(sizes.mean())
    return out
