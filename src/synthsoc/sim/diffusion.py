"""Information diffusion models: a rumour and its correction on the social-media platform, and
contagion rules (independent cascade, linear threshold, complex contagion) on the multilayer
network."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
from synthsoc.sim.params import param
from synthsoc.sim.platform import RANKINGS, RESHARE_RULES, Platform
from synthsoc.sim.world import RunOutput, World, district_shares, segment_shares

OFFLINE = ("household", "work", "school", "neighbourhood")


@dataclass(frozen=True, kw_only=True)
class Message:
    name: str = param(doc="message name (used in outcome names)")
    appeal: float = param(1.0, low=0.0, high=100.0, doc="multiplier of the reshare probability")
    seeds: int | str = param(10, low=0, doc="N random SNS users, or 'hubs:N' the most followed")
    start: int = param(0, low=0, doc="step the seeds post it")
    half_life: float | None = param(
        None, low=1e-9, doc="steps over which its appeal halves after it is posted (None: never)"
    )

    def __post_init__(self) -> None:
        if isinstance(self.seeds, str):
            head, _, count = self.seeds.partition(":")
            if head != "hubs" or not count.isdigit():
                raise ValueError(
                    f"messages {self.name!r}: seeds must be a count or 'hubs:N', got {self.seeds!r}"
                )


@dataclass(frozen=True, kw_only=True)
class DiffusionParams:
    messages: tuple[Message, ...] = param(doc="messages posted on the platform (at least one)")
    blocks: tuple[tuple[str, str], ...] = param(
        (), doc="pairs [blocker, blocked]: who saw the first no longer shares the second"
    )
    reshare_rule: str = param("independent", choices=RESHARE_RULES, doc="reshare decision rule")
    k_needed: int = param(2, low=1, doc="complex rule: exposures needed")
    ranking: str = param(
        "chronological",
        choices=(*RANKINGS, "ab_test"),
        doc="feed ranking; ab_test: a random half of users get engagement ranking, the rest "
        "chronological, and reach is reported per arm",
    )
    feed_size: int = param(10, low=1, doc="items shown per feed opening")
    window: int = param(3, low=1, doc="steps a share stays in feeds")
    post_rate: float = param(0.3, low=0.0, high=1.0, doc="chance a followed account posts")
    post_popularity: float = param(5.0, low=0.0, doc="engagement score of ordinary posts")
    offline_prob: float = param(0.02, low=0.0, high=1.0, doc="word of mouth per offline contact")
    offline_layers: tuple[str, ...] = param(OFFLINE, choices=LAYERS, doc="word-of-mouth layers")

    def __post_init__(self) -> None:
        if not self.messages:
            raise ValueError("messages: need at least one message")
        names = [m.name for m in self.messages]
        if len(set(names)) != len(names):
            raise ValueError(f"messages: names must be distinct, got {names}")
        for pair in self.blocks:
            if pair[0] not in names or pair[1] not in names:
                raise ValueError(f"blocks: {list(pair)} must name two messages of {names}")


def _seeds(world: World, spec: int | str, rng: np.random.Generator) -> np.ndarray:
    """Seed accounts: ``N`` random SNS users, or ``"hubs:N"`` the N most-followed accounts."""
    followers = world.derived("followers", world.network.followers)
    if isinstance(spec, str):
        k = int(spec.split(":", 1)[1])
        return np.argsort(-followers.degree(), kind="stable")[:k].astype(np.int64)
    users = np.flatnonzero(world.agents.sns_user)
    pool = users if users.size >= spec else np.arange(world.agents.n)
    return rng.choice(pool, size=min(spec, pool.size), replace=False).astype(np.int64)


def _spread(world: World, layers: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return world.derived(
        "spread:" + ",".join(layers), lambda: world.network.spread_graph(layers)
    )


def prepare_diffusion(world: World, params: DiffusionParams) -> None:
    world.derived("followers", world.network.followers)
    _spread(world, params.offline_layers)


def run_diffusion(
    world: World,
    params: DiffusionParams,
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
) -> RunOutput:
    """Messages (e.g. a rumour and its correction) spreading on the platform."""
    agents = world.agents
    seed_numba(int(rng.integers(2**31)))
    messages = params.messages
    names = [m.name for m in messages]
    appeal = np.array([m.appeal for m in messages])
    blocks = np.zeros((len(names), len(names)), dtype=bool)
    for pair in params.blocks:
        blocks[names.index(pair[0]), names.index(pair[1])] = True
    o_graph = _spread(world, params.offline_layers)
    follows = world.network.layers["online"]
    platform = Platform(
        follows.indptr,
        follows.indices,
        o_graph,
        activity=agents.online_activity,
        reshare=agents.reshare,
        appeal=appeal,
        blocks=blocks,
        rule=params.reshare_rule,
        k_needed=params.k_needed,
        ranking="chronological" if params.ranking == "ab_test" else params.ranking,
        feed_size=params.feed_size,
        window=params.window,
        post_rate=params.post_rate,
        post_popularity=params.post_popularity,
        offline_prob=params.offline_prob,
        delegated=None if hook is None else hook.delegated,
        half_life=np.array([np.inf if m.half_life is None else m.half_life for m in messages]),
    )
    engagement_arm = np.zeros(agents.n, dtype=bool)
    if params.ranking == "ab_test":
        engagement_arm = rng.random(agents.n) < 0.5
        platform.ranking[:] = engagement_arm.astype(np.int8) * RANKINGS.index("engagement")
    starts = [m.start for m in messages]
    seeds = [_seeds(world, m.seeds, rng) for m in messages]
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
        out.totals[f"persons_reached_{name}"] = float(np.count_nonzero(platform.seen_first[m] >= 0))
        if params.ranking == "ab_test":
            seen = platform.seen_first[m] >= 0
            users = agents.sns_user
            for arm, mask in (("chronological", ~engagement_arm), ("engagement", engagement_arm)):
                denominator = max(int(np.count_nonzero(mask & users)), 1)
                out.outcomes[f"reach_{name}_{arm}"] = float(
                    np.count_nonzero(seen & mask & users) / denominator
                )
        out.distributions[f"first_seen_step_{name}"] = platform.seen_first[m][
            platform.seen_first[m] >= 0
        ]
    final_mis = _misinformed(platform.seen_first >= 0, blocks)
    out.series["misinformed"] = misinformed
    out.outcomes["misinformed_final"] = float(misinformed[-1])
    out.outcomes["misinformed_peak"] = float(misinformed.max())
    out.totals["persons_misinformed"] = float(np.count_nonzero(final_mis))
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
        p = np.clip(platform.reshare[ids] * platform.appeal_at(t)[m], 0.0, 1.0)
        situation = (
            f"SNS 피드에서 '{name}' 게시물을 보았습니다. 이 게시물을 공유(리트윗)하시겠습니까?"
        )
        share = hook.decide(ids, p, situation, rng)
        platform.shared_at[m, ids[share]] = t


@dataclass(frozen=True, kw_only=True)
class LayerProb:
    """Base probability (IC) or weight (LT) of an arc, per layer."""

    household: float = param(0.05, low=0.0, high=1.0, doc="household arcs")
    work: float = param(0.05, low=0.0, high=1.0, doc="work arcs")
    school: float = param(0.05, low=0.0, high=1.0, doc="school arcs")
    neighbourhood: float = param(0.05, low=0.0, high=1.0, doc="neighbourhood arcs")
    online: float = param(0.05, low=0.0, high=1.0, doc="online arcs")

    def array(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in LAYERS], dtype=np.float32)


@dataclass(frozen=True, kw_only=True)
class CascadeParams:
    rule: str = param("independent_cascade", choices=RULES, doc="contagion rule")
    layers: tuple[str, ...] = param(LAYERS, choices=LAYERS, doc="layers the contagion uses")
    layer_prob: LayerProb = param(LayerProb(), doc="per-layer arc probability / weight")
    k_needed: int = param(2, low=1, doc="complex contagion: active contacts needed")
    seeds: float = param(
        20.0, low=0.0, doc="initial adopters: a share of the population below 1, else a count"
    )
    single_seed_cascades: int = param(500, low=0, doc="single-seed cascades for the size law")
    single_seed_prob: float = param(
        0.02, low=0.0, high=1.0, doc="arc probability of the single-seed cascades"
    )

    def __post_init__(self) -> None:
        if self.seeds >= 1 and not float(self.seeds).is_integer():
            raise ValueError(f"seeds: a count (>= 1) must be whole, got {self.seeds}")


def prepare_cascade(world: World, params: CascadeParams) -> None:
    _spread(world, params.layers)
    world.derived("followers", world.network.followers)


def run_cascade(
    world: World,
    params: CascadeParams,
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
) -> RunOutput:
    """A contagion (IC, LT or complex) across the chosen layers, plus a cascade-size distribution
    of single-seed independent cascades on the follower graph."""
    agents = world.agents
    seed_numba(int(rng.integers(2**31)))
    rule = params.rule
    layers = params.layers
    indptr, indices, arc_layer = _spread(world, layers)
    base = params.layer_prob.array()
    arc_base = base[arc_layer]
    threshold: np.ndarray | None = None
    if rule == "linear_threshold":
        # keyed on everything the weights depend on: the layers (which fix the graph) and the
        # base weight of every layer (a sweep over layer_prob on one world must not reuse them)
        key = "lt:" + ",".join(layers) + ":" + base.tobytes().hex()
        arc_weight = world.derived(
            key, lambda: linear_threshold_weights(indptr, indices, arc_base)
        )
        threshold = rng.random(agents.n)
    else:
        arc_weight = arc_base
        if rule == "complex_contagion":
            threshold = np.full(agents.n, float(params.k_needed))
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
    seeds = params.seeds
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
    out.totals["adopters"] = float(np.count_nonzero(contagion.activated_at >= 0))
    out.district["adopted"] = district_shares(contagion.activated_at >= 0, agents)
    followers = world.derived("followers", world.network.followers)
    n_single = params.single_seed_cascades
    users = np.flatnonzero(agents.sns_user)
    if users.size and n_single > 0:
        sizes = cascade_sizes(
            followers.indptr,
            followers.indices,
            params.single_seed_prob,
            rng.choice(users, size=n_single),
        )
        out.distributions["cascade_size"] = sizes
        out.outcomes["cascade_size_mean"] = float(sizes.mean())
    return out
