"""A multilayer social network built on a synthetic population, stored as compact CSR arrays.

Layers (agents are the rows of the persons frame):

* ``household``: everyone in a household knows everyone else (complete graph);
* ``work``: employed persons placed in workplaces by work district (own si-gun-gu, or another in
  the same si-do for commuters), occupation group and age; firm sizes drawn from a size mix;
  each worker has a ring of close colleagues (complete within small firms);
* ``school``: ages 6-18 placed in classes by si-gun-gu and single year of age (complete graph);
* ``neighbourhood``: adults linked to a few others living in the same eup-myeon-dong;
* ``online``: among SNS users, mutual friendships (stored as arcs both ways) plus one-way follows
  of popular accounts. Friendships join users close on two rings: one laid out by si-do, age
  band, a random circle of fixed size and a noisy sociability rank, one by interest, circle and
  sociability; each user reaches a few times their own number of ties along the ring, so
  friends share friends (clustering), and users of similar sociability befriend each other
  (degree assortativity). The fixed-size circles keep assortativity from growing with the
  population's size (without them it rose from 0.24 at 1% to 0.33 at a million persons).
  Follows go to accounts drawn in proportion to sociability times a lognormal fitness (hubs).
  Information flows from the followed account to its followers. The defaults put median
  degree, clustering at degree 100 and degree assortativity within stated bands of Facebook's
  (Ugander et al. 2011; bands in ``data/network_reference.csv``).

Construction is vectorised (sorting and segment arithmetic, no loop per person).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np

from synthsoc.sim.agents import Agents

LAYERS: tuple[str, ...] = ("household", "work", "school", "neighbourhood", "online")


@dataclass(frozen=True)
class Graph:
    """Compressed sparse rows: the neighbours of node ``v`` are ``indices[indptr[v]:indptr[v+1]]``.

    Neighbour lists are sorted. An undirected layer stores each edge in both directions.
    """

    indptr: np.ndarray  # int64, n + 1
    indices: np.ndarray  # int32
    directed: bool = False

    @property
    def n(self) -> int:
        return int(self.indptr.size - 1)

    @property
    def n_edges(self) -> int:
        """Stored arcs (twice the edge count for an undirected graph)."""
        return int(self.indices.size)

    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def neighbours(self, v: int) -> np.ndarray:
        return self.indices[self.indptr[v] : self.indptr[v + 1]]

    def transpose(self) -> Graph:
        src = np.repeat(np.arange(self.n, dtype=np.int64), self.degree())
        return csr_from_edges(self.indices.astype(np.int64), src, self.n, symmetric=False)

    def nbytes(self) -> int:
        return int(self.indptr.nbytes + self.indices.nbytes)


def csr_from_edges(src: np.ndarray, dst: np.ndarray, n: int, *, symmetric: bool) -> Graph:
    """Build a CSR graph from edge lists, dropping self-loops and duplicates."""
    ids = np.int32 if n < 2**31 else np.int64  # half the memory of int64 edge lists
    src = np.asarray(src, dtype=ids)
    dst = np.asarray(dst, dtype=ids)
    if symmetric:
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    indptr, indices = _csr_build(src, dst, n)
    return Graph(indptr=indptr, indices=indices, directed=not symmetric)


@numba.njit(cache=True)
def _csr_build(src: np.ndarray, dst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Counting sort by source, then sort and de-duplicate each row; drops self-loops."""
    counts = np.zeros(n + 1, dtype=np.int64)
    for e in range(src.size):
        if src[e] != dst[e]:
            counts[src[e] + 1] += 1
    start = np.cumsum(counts)
    fill = start[:-1].copy()
    buf = np.empty(start[-1], dtype=np.int32)
    for e in range(src.size):
        s = src[e]
        if s != dst[e]:
            buf[fill[s]] = dst[e]
            fill[s] += 1
    indptr = np.zeros(n + 1, dtype=np.int64)
    out = 0
    for v in range(n):
        row = np.sort(buf[start[v] : start[v + 1]])
        last = -1
        for x in row:
            if x != last:
                buf[out] = x
                out += 1
                last = x
        indptr[v + 1] = out
    return indptr, buf[:out].copy()


@dataclass(frozen=True)
class NetworkConfig:
    """Parameters of the network builder (defaults are stated assumptions, not fitted)."""

    colleagues: int = 8  # close colleagues per worker (complete within firms up to this + 1)
    commute_share: float = 0.25  # workers employed in another si-gun-gu of their si-do
    # person-weighted firm-size mix (persons working in firms of each size class)
    firm_sizes: tuple[int, ...] = (2, 4, 8, 20, 60, 200)
    firm_size_weights: tuple[float, ...] = (0.15, 0.15, 0.15, 0.2, 0.15, 0.2)
    class_size: int = 24
    school_ages: tuple[int, int] = (6, 18)
    neighbours: int = 4
    adult_age: int = 15
    # online: mutual friendships on two rings of users (si-do x age band; interest), each
    # sorted by a noisy sociability rank, plus one-way follows of popular accounts
    # (chosen by hand so that the Facebook statistics fall in their bands at 1% of Korea)
    friends_median: float = 110.0  # median target friends of an SNS user
    friends_sigma: float = 0.9  # lognormal spread of the target
    friends_max: int = 5000  # Facebook's friend limit
    sociability_noise: float = 0.35  # noise on the sociability rank (lower: more assortative)
    local_share: float = 0.7  # share of friendships on the si-do x age-band ring
    local_window: float = 1.3  # ring reach as a multiple of a user's ties on it (clustering)
    interest_window: float = 30.0  # the same on the interest ring (wide: few shared friends)
    # users of a ring pool (si-do x age band; interest) are split at random into circles of
    # about this many users before sorting by sociability, so the range of sociability a user's
    # ring neighbours span does not narrow as the population grows (scale-free assortativity)
    # (chosen by hand like the rest: in band at 1% and at a million persons)
    local_circle: int = 4000
    interest_circle: int = 25000
    follows_mean: float = 3.0  # one-way follows of popular accounts per user
    fitness_sigma: float = 1.5


@dataclass(frozen=True)
class MultilayerNetwork:
    """The network's layers; ``online`` holds follows (user -> followed account)."""

    n: int
    layers: dict[str, Graph]
    timings_s: dict[str, float] = field(default_factory=dict)

    def followers(self) -> Graph:
        """The online layer in the direction information flows (account -> its followers)."""
        return self.layers["online"].transpose()

    def nbytes(self) -> int:
        return sum(g.nbytes() for g in self.layers.values())

    def spread_graph(
        self, layers: tuple[str, ...] = LAYERS
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One CSR over the chosen layers in the direction of influence, with a layer id per arc.

        Returns ``(indptr, indices, layer_of_arc)``; ``layer_of_arc`` indexes :data:`LAYERS`.
        """
        srcs, dsts, lids = [], [], []
        for name in layers:
            graph = self.followers() if name == "online" else self.layers[name]
            srcs.append(np.repeat(np.arange(self.n, dtype=np.int64), graph.degree()))
            dsts.append(graph.indices.astype(np.int64))
            lids.append(np.full(graph.n_edges, LAYERS.index(name), dtype=np.uint8))
        src = np.concatenate(srcs)
        dst = np.concatenate(dsts)
        lid = np.concatenate(lids)
        order = np.lexsort((dst, src))
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=self.n), out=indptr[1:])
        return indptr, dst[order].astype(np.int32), lid[order]


def group_edges(
    members: np.ndarray, group: np.ndarray, order_key: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Edges inside groups: complete when a group has at most ``k + 1`` members, otherwise a ring
    lattice where each member links to the ``k // 2`` next members on each side.

    Members are laid out by ``(group, order_key)``, so a ring joins members with close keys.
    """
    if members.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    order = np.lexsort((order_key, group))
    nodes = members[order].astype(np.int64)
    g = group[order]
    m = g.size
    starts_mask = np.ones(m, dtype=bool)
    starts_mask[1:] = g[1:] != g[:-1]
    start_idx = np.flatnonzero(starts_mask)
    sizes = np.diff(np.append(start_idx, m))
    seg = np.cumsum(starts_mask) - 1
    start = start_idx[seg]
    size = sizes[seg]
    pos = np.arange(m) - start
    small = size <= k + 1
    src_parts, dst_parts = [], []
    for d in range(1, k + 1):
        j = np.arange(m) + d
        ok = small & (pos + d < size)
        src_parts.append(nodes[ok])
        dst_parts.append(nodes[j[ok]])
    for d in range(1, k // 2 + 1):
        big = ~small
        partner = start[big] + (pos[big] + d) % size[big]
        src_parts.append(nodes[big])
        dst_parts.append(nodes[partner])
    return np.concatenate(src_parts), np.concatenate(dst_parts)


def _chunk_ids(
    m: int, sizes: np.ndarray, weights: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Cut ``m`` consecutive positions into chunks whose sizes follow a person-weighted mix."""
    if m == 0:
        return np.empty(0, dtype=np.int64)
    # a person-weighted mix: number of chunks of each size ~ weight / size
    p = weights / sizes
    p = p / p.sum()
    mean_size = float((p * sizes).sum())
    n_chunks = int(m / mean_size * 1.3) + 16
    drawn = rng.choice(sizes, size=n_chunks, p=p)
    while drawn.sum() < m:
        drawn = np.concatenate([drawn, rng.choice(sizes, size=n_chunks, p=p)])
    bounds = np.cumsum(drawn)
    return np.searchsorted(bounds, np.arange(m), side="right").astype(np.int64)


def _work_layer(agents: Agents, cfg: NetworkConfig, rng: np.random.Generator) -> Graph:
    n = agents.n
    workers = np.flatnonzero(agents.employed)
    if workers.size == 0:
        return csr_from_edges(np.empty(0), np.empty(0), n, symmetric=True)
    # work district: own si-gun-gu, or (commuters) that of a random worker of the same si-do
    by_sido = workers[np.argsort(agents.sido[workers], kind="stable")]
    sido_sorted = agents.sido[by_sido]
    lo = np.searchsorted(sido_sorted, agents.sido[workers], side="left")
    hi = np.searchsorted(sido_sorted, agents.sido[workers], side="right")
    pick = by_sido[lo + (rng.random(workers.size) * (hi - lo)).astype(np.int64)]
    commute = rng.random(workers.size) < cfg.commute_share
    work_sgg = np.where(commute, agents.sigungu[pick], agents.sigungu[workers]).astype(np.int64)
    # firms are consecutive runs of workers laid out by (si-do, work si-gun-gu, occupation, age):
    # homogeneous where the population is dense, merging neighbouring strata where it is sparse
    age_key = agents.age[workers] + rng.normal(0.0, 8.0, workers.size)
    order = np.lexsort((age_key, agents.occupation[workers], work_sgg, agents.sido[workers]))
    chunk = _chunk_ids(
        workers.size,
        np.asarray(cfg.firm_sizes, dtype=np.float64),
        np.asarray(cfg.firm_size_weights, dtype=np.float64),
        rng,
    )
    firm = np.empty(workers.size, dtype=np.int64)
    firm[order] = chunk
    src, dst = group_edges(workers, firm, age_key, cfg.colleagues)
    return csr_from_edges(src, dst, n, symmetric=True)


def _school_layer(agents: Agents, cfg: NetworkConfig, rng: np.random.Generator) -> Graph:
    n = agents.n
    low, high = cfg.school_ages
    pupils = np.flatnonzero((agents.age >= low) & (agents.age <= high))
    # classes are consecutive runs of pupils laid out by (si-do, school level, si-gun-gu, age),
    # cut within each (si-do, school level): same district and year where the population is dense
    age = agents.age[pupils].astype(np.int64)
    level = np.searchsorted(np.array([12, 15]), age, side="right")
    outer = agents.sido[pupils].astype(np.int64) * 4 + level
    key = rng.random(pupils.size)
    order = np.lexsort((key, age, agents.sigungu[pupils], outer))
    st = outer[order]
    starts = np.ones(st.size, dtype=bool)
    starts[1:] = st[1:] != st[:-1]
    seg = np.cumsum(starts) - 1
    pos = np.arange(st.size) - np.flatnonzero(starts)[seg]
    cls = np.empty(pupils.size, dtype=np.int64)
    cls[order] = seg.astype(np.int64) * 1_000_000 + pos // cfg.class_size
    src, dst = group_edges(pupils, cls, key, cfg.class_size)
    return csr_from_edges(src, dst, n, symmetric=True)


def _layout_ties(
    order: np.ndarray, ties: np.ndarray, window: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Ties of users laid out on a ring in ``order``: user ``order[k]`` makes ``ties[k]`` ties
    to users at a uniform distance of 1..``window[k]`` positions on either side.

    Users close on the ring share most of their neighbours (clustering); the layout key decides
    who is close (homophily, and degree correlation when it includes sociability).
    """
    m = order.size
    pos = np.repeat(np.arange(m, dtype=np.int64), ties)
    w = np.maximum(window[pos], 1.0)
    offset = 1 + (rng.random(pos.size) * w).astype(np.int64)
    sign = np.where(rng.random(pos.size) < 0.5, -1, 1)
    partner = (pos + sign * offset) % m
    return order[pos], order[partner]


def _circles(pool: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """A random circle for each user within their pool: a pool of ``P`` users is split into
    ``max(1, round(P / size))`` circles of about equal expected size.

    Without circles a pool's users are sorted by sociability along one ring, and a user's ring
    neighbours span ``window / P`` of the pool's sociability range: the larger the population,
    the more alike in sociability friends become and the degree assortativity grows with
    population size (0.24 at 1% of Korea, 0.33 at a million persons). Within circles of a fixed
    size the span, and with it the assortativity, no longer depends on the population's size.
    Where no pool is split (small populations) nothing is drawn, so their networks are the same
    as without circles.
    """
    _, inverse, counts = np.unique(pool, return_inverse=True, return_counts=True)
    n_circles = np.maximum(1, np.rint(counts / size)).astype(np.int64)
    if np.all(n_circles == 1):
        return np.zeros(pool.size, dtype=np.int64)
    return (rng.random(pool.size) * n_circles[inverse]).astype(np.int64)


def online_layer(agents: Agents, cfg: NetworkConfig, rng: np.random.Generator) -> Graph:
    """The online layer (friendships both ways, one-way follows); see the module docstring."""
    n = agents.n
    users = np.flatnonzero(agents.sns_user)
    m = users.size
    if m < 2:
        return csr_from_edges(np.empty(0), np.empty(0), n, symmetric=False)
    # each user's target number of friends (lognormal, Facebook's cap) and a noisy sociability
    # rank: users of similar sociability sit close on both layouts (degree assortativity)
    target = np.clip(
        rng.lognormal(np.log(cfg.friends_median), cfg.friends_sigma, m), 1.0,
        min(cfg.friends_max, m - 1),
    )
    sociability = np.log(target) + rng.normal(0.0, cfg.sociability_noise, m)
    # an edge is made by one of its two ends: a user makes half their target
    made = rng.poisson(target / 2.0)
    local = rng.binomial(made, cfg.local_share)
    src_parts, dst_parts = [], []
    band = agents.age_band[users].astype(np.int64)
    local_pool = agents.sido[users].astype(np.int64) * 256 + band
    interest_pool = agents.interest[users].astype(np.int64)
    layouts = (
        # local ring: si-do x age band, a random circle within it, then sociability
        (
            np.lexsort((sociability, _circles(local_pool, cfg.local_circle, rng), local_pool)),
            local,
            cfg.local_window,
        ),
        # interest ring across the country: interest, a random circle, then sociability
        (
            np.lexsort(
                (sociability, _circles(interest_pool, cfg.interest_circle, rng), interest_pool)
            ),
            made - local,
            cfg.interest_window,
        ),
    )
    for order, ties, spread in layouts:
        counts = ties[order]
        s, d = _layout_ties(order, counts, spread * np.maximum(counts, 1), rng)
        src_parts.append(s)
        dst_parts.append(d)
    friend_src = users[np.concatenate(src_parts)]
    friend_dst = users[np.concatenate(dst_parts)]
    # one-way follows of popular accounts: preferential to sociability times a lognormal fitness
    n_follow = rng.poisson(cfg.follows_mean, m)
    weight = target * rng.lognormal(0.0, cfg.fitness_sigma, m)
    cum = np.cumsum(weight)
    followed = np.searchsorted(cum, rng.random(int(n_follow.sum())) * cum[-1], side="right")
    follower = np.repeat(np.arange(m, dtype=np.int64), n_follow)
    return csr_from_edges(
        np.concatenate([friend_src, friend_dst, users[follower]]),
        np.concatenate([friend_dst, friend_src, users[np.minimum(followed, m - 1)]]),
        n,
        symmetric=False,
    )


def build_network(
    agents: Agents, config: NetworkConfig | None = None, *, seed: int = 0
) -> MultilayerNetwork:
    """Build all layers from the agents' arrays, reproducibly from ``seed``."""
    import time

    cfg = config or NetworkConfig()
    rng = np.random.default_rng([seed, 0x4E7])
    n = agents.n
    timings: dict[str, float] = {}
    layers: dict[str, Graph] = {}

    t0 = time.perf_counter()
    everyone = np.arange(n, dtype=np.int64)
    hh_src, hh_dst = group_edges(everyone, agents.household.astype(np.int64), agents.age, 11)
    layers["household"] = csr_from_edges(hh_src, hh_dst, n, symmetric=True)
    timings["household"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    layers["work"] = _work_layer(agents, cfg, rng)
    timings["work"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    layers["school"] = _school_layer(agents, cfg, rng)
    timings["school"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    adults = np.flatnonzero(agents.age >= cfg.adult_age)
    nb_src, nb_dst = group_edges(
        adults, agents.emd[adults].astype(np.int64), rng.random(adults.size), cfg.neighbours
    )
    layers["neighbourhood"] = csr_from_edges(nb_src, nb_dst, n, symmetric=True)
    timings["neighbourhood"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    layers["online"] = online_layer(agents, cfg, rng)
    timings["online"] = time.perf_counter() - t0
    return MultilayerNetwork(n=n, layers=layers, timings_s=timings)


def describe_config(config: NetworkConfig) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(config)
