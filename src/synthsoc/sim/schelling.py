# ruff: noqa: NPY002
# (numba kernels draw from numba's own generator, seeded from the replicate's Generator)
"""Schelling's segregation model on sites with neighbour lists: a torus grid (the classic model)
or the real district geography (each eup-myeon-dong a block of housing sites).

An agent is unhappy when fewer than ``tolerance`` of its occupied neighbouring sites hold its own
group; each step every agent, in random order, checks this and an unhappy one moves to a random
vacant site (Schelling 1971; the rule of Mesa's Schelling example). Segregation is reported as the
mean share of like neighbours and, on districts, Duncan's dissimilarity index across them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numba
import numpy as np

from synthsoc.sim.cascade import seed_numba
from synthsoc.sim.delegate import DecisionHook
from synthsoc.sim.events import Calendar
from synthsoc.sim.params import param
from synthsoc.sim.world import RunOutput, World


@dataclass(frozen=True, kw_only=True)
class SchellingParams:
    group: Literal["income", "age"] = param(
        "income", doc="income: above the median; age: a member aged 60+"
    )
    tolerance: float = param(
        0.3, low=0.0, high=1.0, doc="share of like neighbours below which a household moves"
    )
    vacancy: float = param(0.1, low=0.01, high=0.9, doc="share of vacant housing sites")
    shuffle_start: bool = param(False, doc="start from a random placement")


def grid_sites(width: int, height: int, radius: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Moore neighbourhoods on a ``width x height`` torus as CSR ``(indptr, indices)``."""
    gx, gy = np.meshgrid(np.arange(width), np.arange(height), indexing="xy")
    x, y = gx.ravel(), gy.ravel()
    offs = [
        (dx, dy)
        for dy in range(-radius, radius + 1)
        for dx in range(-radius, radius + 1)
        if dx or dy
    ]
    cols = [((y + dy) % height) * width + (x + dx) % width for dx, dy in offs]
    indices = np.stack(cols, axis=1).ravel().astype(np.int32)
    indptr = np.arange(0, indices.size + 1, len(offs), dtype=np.int64)
    return indptr, indices


def district_sites(counts: np.ndarray, vacancy: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sites for districts holding ``counts`` agents: each district gets a square-ish lattice of
    ``ceil(count / (1 - vacancy))`` sites with Moore neighbours inside it.

    Returns ``(indptr, indices, district_of_site)``.
    """
    cap = np.ceil(counts / (1.0 - vacancy)).astype(np.int64)
    cap = np.where(counts > 0, np.maximum(cap, counts + 1), 0)
    width = np.maximum(np.ceil(np.sqrt(cap)).astype(np.int64), 1)
    district = np.repeat(np.arange(counts.size), cap)
    start = np.repeat(np.cumsum(cap) - cap, cap)
    pos = np.arange(district.size) - start
    w = width[district]
    x, y = pos % w, pos // w
    src_parts, dst_parts = [], []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dx == 0 and dy == 0:
                continue
            nx_, ny_ = x + dx, y + dy
            npos = ny_ * w + nx_
            ok = (nx_ >= 0) & (nx_ < w) & (ny_ >= 0) & (npos < cap[district])
            src_parts.append(np.flatnonzero(ok))
            dst_parts.append((start + npos)[ok])
    src = np.concatenate(src_parts)
    dst = np.concatenate(dst_parts)
    order = np.lexsort((dst, src))
    indptr = np.zeros(district.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=district.size), out=indptr[1:])
    return indptr, dst[order].astype(np.int32), district


@numba.njit(cache=True)
def _like_share(
    indptr: np.ndarray, indices: np.ndarray, site_group: np.ndarray, site: int
) -> float:
    g = site_group[site]
    like = 0
    occ = 0
    for e in range(indptr[site], indptr[site + 1]):
        h = site_group[indices[e]]
        if h >= 0:
            occ += 1
            if h == g:
                like += 1
    if occ == 0:
        return 1.0
    return like / occ


@numba.njit(cache=True)
def _shuffle(order: np.ndarray) -> None:
    """Random activation order: an in-place Fisher-Yates shuffle of ``order`` (int32)."""
    for k in range(order.size - 1, 0, -1):
        j = np.random.randint(k + 1)
        order[k], order[j] = order[j], order[k]


@numba.njit(cache=True)
def _move_to_random_vacancy(
    a: int, site: int, position: np.ndarray, site_group: np.ndarray, empties: np.ndarray
) -> None:
    """Move agent ``a`` from ``site`` to a random vacant site; ``site`` becomes vacant."""
    j = np.random.randint(empties.size)
    new = empties[j]
    empties[j] = site
    site_group[new] = site_group[site]
    site_group[site] = -1
    position[a] = new


@numba.njit(cache=True)
def schelling_step(
    indptr: np.ndarray,
    indices: np.ndarray,
    site_group: np.ndarray,
    position: np.ndarray,
    tolerance: np.ndarray,
    empties: np.ndarray,
    order: np.ndarray,
) -> int:
    """One sweep: every agent in random order moves to a random vacant site if unhappy.

    ``site_group`` holds the group of each site's occupant (-1 when vacant); ``empties`` lists
    the vacant sites. Both are updated in place. Returns the number of moves.
    """
    _shuffle(order)
    moves = 0
    for k in range(position.size):
        a = order[k]
        site = position[a]
        if _like_share(indptr, indices, site_group, site) >= tolerance[a]:
            continue
        _move_to_random_vacancy(a, site, position, site_group, empties)
        moves += 1
    return moves


@numba.njit(cache=True)
def _like_share_torus(width: int, height: int, site_group: np.ndarray, site: int) -> float:
    """Like :func:`_like_share` for a torus grid, neighbours computed from coordinates."""
    g = site_group[site]
    y = site // width
    x = site - y * width
    # wrap without modulo (integer division is the slow part of this loop)
    xs = (x - 1 if x > 0 else width - 1, x, x + 1 if x < width - 1 else 0)
    rows = (
        (y - 1 if y > 0 else height - 1) * width,
        y * width,
        (y + 1 if y < height - 1 else 0) * width,
    )
    like = 0
    occ = 0
    for i in range(3):
        row = rows[i]
        for j in range(3):
            if i == 1 and j == 1:
                continue
            h = site_group[row + xs[j]]
            if h >= 0:
                occ += 1
                if h == g:
                    like += 1
    if occ == 0:
        return 1.0
    return like / occ


@numba.njit(cache=True)
def schelling_torus_step(
    width: int,
    height: int,
    site_group: np.ndarray,
    position: np.ndarray,
    tolerance: np.ndarray,
    empties: np.ndarray,
    order: np.ndarray,
) -> int:
    """:func:`schelling_step` on a ``width x height`` torus with Moore neighbourhoods (the
    neighbour lists of :func:`grid_sites`, computed instead of read)."""
    _shuffle(order)
    moves = 0
    for k in range(position.size):
        a = order[k]
        site = position[a]
        if _like_share_torus(width, height, site_group, site) >= tolerance[a]:
            continue
        _move_to_random_vacancy(a, site, position, site_group, empties)
        moves += 1
    return moves


@numba.njit(cache=True)
def mean_like_share(
    indptr: np.ndarray, indices: np.ndarray, site_group: np.ndarray, position: np.ndarray
) -> float:
    total = 0.0
    for a in range(position.size):
        total += _like_share(indptr, indices, site_group, position[a])
    return total / max(position.size, 1)


def dissimilarity(group: np.ndarray, district: np.ndarray, n_districts: int) -> float:
    """Duncan's dissimilarity index of a two-group split across districts."""
    a = np.bincount(district[group == 1], minlength=n_districts).astype(np.float64)
    b = np.bincount(district[group == 0], minlength=n_districts).astype(np.float64)
    if a.sum() == 0 or b.sum() == 0:
        return 0.0
    return float(0.5 * np.abs(a / a.sum() - b / b.sum()).sum())


class Schelling:
    """Schelling state on given sites; agents are placed on ``initial`` sites (or at random)."""

    def __init__(
        self,
        indptr: np.ndarray,
        indices: np.ndarray,
        group: np.ndarray,
        tolerance: float | np.ndarray,
        rng: np.random.Generator,
        initial: np.ndarray | None = None,
        torus: tuple[int, int] | None = None,
    ) -> None:
        """``torus=(width, height)`` says the sites are :func:`grid_sites` of that grid, so the
        step can compute neighbours instead of reading them."""
        n_sites = indptr.size - 1
        if torus is not None and torus[0] * torus[1] != n_sites:
            raise ValueError(f"Schelling: torus {torus} does not match {n_sites} sites")
        self.torus = torus
        n = group.size
        if n >= n_sites:
            raise ValueError(f"Schelling: {n} agents need more than {n_sites} sites (no vacancy)")
        self.indptr, self.indices = indptr, indices
        self.group = group.astype(np.int8)
        self.tolerance = np.broadcast_to(np.asarray(tolerance, dtype=np.float32), (n,)).copy()
        self.position = (
            rng.choice(n_sites, size=n, replace=False) if initial is None else initial
        ).astype(np.int32)
        self.order = np.arange(n, dtype=np.int32)
        self.site_group = np.full(n_sites, -1, dtype=np.int8)
        self.site_group[self.position] = self.group
        self.empties = np.flatnonzero(self.site_group < 0).astype(np.int32)
        seed_numba(int(rng.integers(2**31)))

    def step(self) -> int:
        if self.torus is not None:
            return int(
                schelling_torus_step(
                    self.torus[0],
                    self.torus[1],
                    self.site_group,
                    self.position,
                    self.tolerance,
                    self.empties,
                    self.order,
                )
            )
        return int(
            schelling_step(
                self.indptr,
                self.indices,
                self.site_group,
                self.position,
                self.tolerance,
                self.empties,
                self.order,
            )
        )

    def like_share(self) -> float:
        return float(mean_like_share(self.indptr, self.indices, self.site_group, self.position))


def _household_groups(world: World, attribute: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per household: its group (0/1), its district (emd index) and its si-gun-gu index."""
    agents = world.agents
    n_hh = int(agents.household.max()) + 1
    first = np.full(n_hh, agents.n, dtype=np.int64)
    np.minimum.at(first, agents.household, np.arange(agents.n))
    if attribute == "income":
        income = agents.income_mkrw[first]
        group = (income >= np.median(income)).astype(np.int8)
    elif attribute == "age":
        oldest = np.zeros(n_hh, dtype=np.int64)
        np.maximum.at(oldest, agents.household, agents.age.astype(np.int64))
        group = (oldest >= 60).astype(np.int8)
    else:
        raise ValueError(f"group: unknown {attribute!r}; choose 'income' or 'age'")
    return group, agents.emd[first].astype(np.int64), agents.sigungu[first].astype(np.int64)


def prepare_schelling(world: World, params: SchellingParams) -> None:
    _district_setup(world, params)


def _district_setup(world: World, params: SchellingParams) -> dict[str, Any]:
    attribute = params.group
    vacancy = params.vacancy

    def build() -> dict[str, Any]:
        group, emd, sgg = _household_groups(world, attribute)
        counts = np.bincount(emd, minlength=world.agents.emd_codes.size)
        indptr, indices, site_district = district_sites(counts, vacancy)
        order = np.argsort(emd, kind="stable")
        cap = np.bincount(site_district, minlength=counts.size)
        first_site = np.cumsum(cap) - cap
        rank = np.arange(emd.size) - (np.cumsum(counts) - counts)[emd[order]]
        initial = np.empty(emd.size, dtype=np.int64)
        initial[order] = first_site[emd[order]] + rank
        sgg_of_emd = np.zeros(counts.size, dtype=np.int64)
        sgg_of_emd[emd] = sgg
        return {
            "group": group,
            "indptr": indptr,
            "indices": indices,
            "site_district": site_district,
            "initial": initial,
            "sgg_of_emd": sgg_of_emd,
        }

    return dict(world.derived(f"schelling:{attribute}:{vacancy}", build))


def run_schelling(
    world: World,
    params: SchellingParams,
    calendar: Calendar,
    steps: int,
    rng: np.random.Generator,
    hook: DecisionHook | None,
) -> RunOutput:
    """Households (grouped by income or age) moving between sites of the real districts."""
    setup = _district_setup(world, params)
    group = setup["group"]
    initial = setup["initial"]
    if params.shuffle_start:
        # start from a random placement over all sites instead of where households live
        initial = rng.permutation(setup["indptr"].size - 1)[: group.size]
    model = Schelling(
        setup["indptr"],
        setup["indices"],
        group,
        params.tolerance,
        rng,
        initial=initial,
    )
    n_emd = world.agents.emd_codes.size
    out = RunOutput(steps=steps, segment_labels=("group 0", "group 1"))
    like = np.zeros(steps)
    dis = np.zeros(steps)
    moved = np.zeros(steps)
    for t in range(steps):
        if t > 0:
            moved[t] = model.step() / group.size
        like[t] = model.like_share()
        dis[t] = dissimilarity(group, setup["site_district"][model.position], n_emd)
        out.step_labels.append(calendar.labels(t))
    out.series["like_share"] = like
    out.series["dissimilarity"] = dis
    out.series["moved"] = moved
    out.outcomes["like_share_final"] = float(like[-1])
    out.outcomes["dissimilarity_final"] = float(dis[-1])
    out.totals["household_moves"] = float(moved.sum() * group.size)
    emd_now = setup["site_district"][model.position]
    sgg = setup["sgg_of_emd"][emd_now]
    k = world.agents.sigungu_codes.size
    tot = np.bincount(sgg, minlength=k)
    hi = np.bincount(sgg, weights=group.astype(np.float64), minlength=k)
    out.district["group1_share"] = np.divide(hi, tot, out=np.full(k, np.nan), where=tot > 0)
    return out
