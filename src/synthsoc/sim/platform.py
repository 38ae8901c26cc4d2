# ruff: noqa: NPY002
# (numba kernels draw from numba's own generator, seeded from the replicate's Generator)
"""A synthetic social-media platform: posts, a feed, resharing, and offline word of mouth.

Each step (an hour or a day, as the scenario says) every user opens the app with their activity
probability (times the day's event multiplier). The feed holds one item per message shared
recently by the accounts they follow ("shared by k of the accounts you follow", dated by the
latest of those shares), plus ordinary posts that compete for the ``feed_size`` slots; it is
ranked either chronologically or by engagement (recent shares of the message over the whole
platform). A shown message counts one exposure per followed account that shared it; a user
decides once per message whether to reshare it:

* ``independent``: each new exposure is an independent chance ``reshare * appeal``;
* ``complex``: the user reshares with ``reshare * appeal`` only once exposed ``k`` times or more.

A message's appeal may fade: it halves every ``half_life`` steps after the message is first
posted (novelty decays; Wu & Huberman 2007). Without a half-life it stays constant, and any
message spreading faster than it dies out eventually reaches every user it can reach.

One item per message, not one per share: with an item per share, engagement ranking scored
every share of a popular message above everything else, so a user following ``feed_size`` of
its sharers saw nothing else, and a later message (a correction) never reached the feeds.

Messages can block others: a user who has seen the correction no longer shares the rumour.
Sharers also tell their offline contacts (household, work, school, neighbours) with a small
probability per contact, raised or lowered per layer by the event calendar.
"""

from __future__ import annotations

import numba
import numpy as np

RESHARE_RULES: tuple[str, ...] = ("independent", "complex")
RANKINGS: tuple[str, ...] = ("chronological", "engagement")


@numba.njit(cache=True)
def _offline_spread(
    o_indptr: np.ndarray,
    o_indices: np.ndarray,
    o_layer: np.ndarray,
    o_mult: np.ndarray,
    offline_prob: float,
    shared_at: np.ndarray,
    pending: np.ndarray,
    seen_first: np.ndarray,
    t: int,
) -> None:
    n_msg, n = shared_at.shape
    for m in range(n_msg):
        for u in range(n):
            if shared_at[m, u] != t - 1:
                continue
            for e in range(o_indptr[u], o_indptr[u + 1]):
                if np.random.random() < offline_prob * o_mult[o_layer[e]]:
                    w = o_indices[e]
                    pending[m, w] += 1
                    if seen_first[m, w] < 0:
                        seen_first[m, w] = t


@numba.njit(cache=True)
def _feed_step(
    f_indptr: np.ndarray,
    f_indices: np.ndarray,
    activity: np.ndarray,
    activity_mult: float,
    reshare: np.ndarray,
    appeal: np.ndarray,
    blocks: np.ndarray,
    popularity: np.ndarray,
    shared_at: np.ndarray,
    recent: np.ndarray,
    exposures: np.ndarray,
    pending: np.ndarray,
    seen_first: np.ndarray,
    delegated: np.ndarray,
    rule: int,
    k_needed: int,
    ranking: np.ndarray,
    feed_size: int,
    window: int,
    post_rate: float,
    post_popularity: float,
    t: int,
    deferred: np.ndarray,
) -> int:
    """One step of the platform for every user; returns how many decisions were deferred."""
    n_msg, n = shared_at.shape
    n_def = 0
    max_items = 4096
    score = np.empty(max_items, dtype=np.float64)
    work = np.empty(2 * max_items, dtype=np.float64)
    item_msg = np.empty(max_items, dtype=np.int64)
    sharers = np.zeros(n_msg, dtype=np.int64)
    latest = np.full(n_msg, -1, dtype=np.int64)
    for v in range(n):
        if activity[v] <= 0.0 or np.random.random() >= activity[v] * activity_mult:
            continue
        rank_v = ranking[v]
        # the feed's message items: one per message (a platform shows a post once, "shared by
        # k of the accounts you follow"), dated by its latest share among the followed accounts
        for m in range(n_msg):
            sharers[m] = 0
            latest[m] = -1
        for e in range(f_indptr[v], f_indptr[v + 1]):
            u = f_indices[e]
            if not recent[u]:
                continue
            for m in range(n_msg):
                s = shared_at[m, u]
                if s < 0 or s >= t or t - s > window:
                    continue
                sharers[m] += 1
                if s > latest[m]:
                    latest[m] = s
        n_items = 0
        for m in range(n_msg):
            if sharers[m] == 0:
                continue
            age = t - latest[m]
            if rank_v == 0:
                score[n_items] = -age + np.random.random() * 0.5
            else:
                score[n_items] = popularity[m] / (1.0 + age) + np.random.random() * 1e-6
            item_msg[n_items] = m
            n_items += 1
        if n_items > 0:
            # ordinary posts by followed accounts compete for the feed's slots
            deg = f_indptr[v + 1] - f_indptr[v]
            n_posts = min(np.random.binomial(deg, post_rate), max_items)
            total = n_items + n_posts
            cutoff = -np.inf
            if total > feed_size:
                # the feed shows the feed_size best-scored items: find the score a message item
                # must reach (the feed_size-th best of messages and posts together)
                work[:n_items] = score[:n_items]
                for j in range(n_items, total):
                    age = 1 + int(np.random.random() * window)
                    if rank_v == 0:
                        work[j] = -age + np.random.random() * 0.5
                    else:
                        work[j] = post_popularity / (1.0 + age) + np.random.random() * 1e-6
                part = work[:total]
                part.sort()
                cutoff = part[total - feed_size]
            for i in range(n_items):
                if score[i] >= cutoff:
                    m = item_msg[i]
                    # each followed sharer is one exposure (for the reshare rules)
                    exposures[m, v] += sharers[m]
                    pending[m, v] += sharers[m]
                    if seen_first[m, v] < 0:
                        seen_first[m, v] = t
        for m in range(n_msg):
            new = pending[m, v]
            if new == 0:
                continue
            pending[m, v] = 0
            if shared_at[m, v] >= 0:
                continue
            blocked = False
            for b in range(n_msg):
                if blocks[b, m] and seen_first[b, v] >= 0:
                    blocked = True
            if blocked:
                continue
            if delegated[v]:
                deferred[n_def, 0] = v
                deferred[n_def, 1] = m
                n_def += 1
                continue
            p = reshare[v] * appeal[m]
            if rule == 0:
                fire = np.random.random() < 1.0 - (1.0 - min(p, 1.0)) ** new
            else:
                fire = exposures[m, v] >= k_needed and np.random.random() < p
            if fire:
                shared_at[m, v] = t
    return n_def


class Platform:
    """Platform state for ``n_msg`` messages over ``n`` users (arrays, updated in place)."""

    def __init__(
        self,
        follows_indptr: np.ndarray,
        follows_indices: np.ndarray,
        offline: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
        activity: np.ndarray,
        reshare: np.ndarray,
        appeal: np.ndarray,
        blocks: np.ndarray,
        *,
        rule: str = "independent",
        k_needed: int = 2,
        ranking: str = "chronological",
        feed_size: int = 10,
        window: int = 3,
        post_rate: float = 0.3,
        post_popularity: float = 5.0,
        offline_prob: float = 0.02,
        delegated: np.ndarray | None = None,
        half_life: np.ndarray | None = None,
    ) -> None:
        if rule not in RESHARE_RULES:
            raise ValueError(f"reshare_rule: unknown {rule!r}; choose one of {RESHARE_RULES}")
        if ranking not in RANKINGS:
            raise ValueError(f"ranking: unknown {ranking!r}; choose one of {RANKINGS}")
        n = follows_indptr.size - 1
        n_msg = appeal.size
        self.f_indptr, self.f_indices = follows_indptr, follows_indices
        if offline is None:
            offline = (
                np.zeros(n + 1, dtype=np.int64),
                np.empty(0, np.int32),
                np.empty(0, np.uint8),
            )
        self.o_indptr, self.o_indices, self.o_layer = offline
        self.activity = activity.astype(np.float32)
        self.reshare = reshare.astype(np.float32)
        self.appeal = appeal.astype(np.float64)
        # steps over which a message's appeal halves from its first post (inf: no decay)
        self.half_life = (
            np.full(n_msg, np.inf) if half_life is None else half_life.astype(np.float64)
        )
        self.first_post = np.full(n_msg, -1, dtype=np.int64)
        self.blocks = blocks.astype(np.bool_)
        self.rule = RESHARE_RULES.index(rule)
        self.k_needed = int(k_needed)
        # feed ranking per user (index into RANKINGS): an A/B test sets some users apart
        self.ranking = np.full(n, RANKINGS.index(ranking), dtype=np.int8)
        self.feed_size = int(feed_size)
        self.window = int(window)
        self.post_rate = float(post_rate)
        self.post_popularity = float(post_popularity)
        self.offline_prob = float(offline_prob)
        self.delegated = np.zeros(n, dtype=np.bool_) if delegated is None else delegated
        self.shared_at = np.full((n_msg, n), -1, dtype=np.int32)
        self.seen_first = np.full((n_msg, n), -1, dtype=np.int32)
        self.exposures = np.zeros((n_msg, n), dtype=np.int32)
        self.pending = np.zeros((n_msg, n), dtype=np.int32)
        self._deferred = np.empty((1024, 2), dtype=np.int64)

    @property
    def n(self) -> int:
        return int(self.activity.size)

    def post(self, message: int, users: np.ndarray, t: int) -> None:
        """``users`` post ``message`` at step ``t`` (seeds, an official correction)."""
        self.shared_at[message, users] = t
        if self.first_post[message] < 0:
            self.first_post[message] = t
        fresh = users[self.seen_first[message, users] < 0]
        self.seen_first[message, fresh] = t

    def appeal_at(self, t: int) -> np.ndarray:
        """Each message's appeal at step ``t``: halved every ``half_life`` steps since its first
        post (novelty fades)."""
        age = np.maximum(t - self.first_post, 0).astype(np.float64)
        return np.asarray(self.appeal * 0.5 ** (age / self.half_life))

    def _recent(self, t: int) -> np.ndarray:
        """(messages, users): shared within the feed window before step ``t``."""
        return (self.shared_at >= 0) & (self.shared_at >= t - self.window) & (self.shared_at < t)

    def popularity(self, t: int) -> np.ndarray:
        return self._recent(t).sum(axis=1).astype(np.float64)

    def step(
        self, t: int, activity_mult: float = 1.0, layer_mult: np.ndarray | None = None
    ) -> np.ndarray:
        """Advance one step; returns deferred ``(user, message)`` decisions for delegated users."""
        mult = np.ones(256, dtype=np.float64)
        if layer_mult is not None:
            mult[: layer_mult.size] = layer_mult
        _offline_spread(
            self.o_indptr,
            self.o_indices,
            self.o_layer,
            mult,
            self.offline_prob,
            self.shared_at,
            self.pending,
            self.seen_first,
            t,
        )
        need = int(self.delegated.sum()) * self.appeal.size
        if self._deferred.shape[0] < need:
            self._deferred = np.empty((need, 2), dtype=np.int64)
        recent = self._recent(t)
        recent_any: np.ndarray = np.asarray(recent.any(axis=0))
        n_def = _feed_step(
            self.f_indptr,
            self.f_indices,
            self.activity,
            float(activity_mult),
            self.reshare,
            self.appeal_at(t),
            self.blocks,
            recent.sum(axis=1).astype(np.float64),
            self.shared_at,
            recent_any,
            self.exposures,
            self.pending,
            self.seen_first,
            self.delegated,
            self.rule,
            self.k_needed,
            self.ranking,
            self.feed_size,
            self.window,
            self.post_rate,
            self.post_popularity,
            t,
            self._deferred,
        )
        return self._deferred[:n_def].copy()
