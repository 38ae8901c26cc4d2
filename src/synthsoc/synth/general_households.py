"""General (private) households: fit candidate weights per si-gun-gu, then draw them per area.

1. ``fit.fit_weights`` weights the national candidate pool for every si-gun-gu at once so
   that households by size and the person constraints of ``synth.targets`` (persons by sex x
   single year of age, persons living with a spouse by sex x 5-year age, one-person
   householders by sex x 10-year age) match that si-gun-gu.
2. Each eup-myeon-dong then splits its census count of households of every size across
   strata of candidates with the same number of men, tilting its si-gun-gu's weights
   exponentially so that the expected number of men matches the area's census count (one
   Newton solve per area, all areas at once).
3. Within each stratum the households are drawn by systematic sampling from the si-gun-gu's
   weighted candidates (ordered by type and head age), so the drawn mix stays close to the
   weights, in one compiled pass over the cells (no Python loop over areas or households).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import scipy.sparse as sp

from synthsoc.synth.fit import FitResult, fit_weights
from synthsoc.synth.seeds import MAX_SIZE, SeedPool
from synthsoc.synth.targets import (
    N_SINGLE,
    pool_incidence,
    single_year_group,
    with_age_group_targets,
)

# Strata: (size k, men m) for k in 1..MAX_SIZE and m in 0..k.
STRATUM_START = np.concatenate([[0], np.cumsum(np.arange(2, MAX_SIZE + 2))])
N_STRATA = int(STRATUM_START[-1])


@dataclass(frozen=True)
class GeneralHouseholds:
    hh_emd: np.ndarray  # int32 area of each household
    hh_seed: np.ndarray  # int32 candidate drawn for each household
    fit: FitResult


def _men_per_candidate(pool: SeedPool) -> np.ndarray:
    return np.bincount(pool.p_hh, weights=pool.p_sex == 0,
                       minlength=pool.n_households).astype(np.int64)


def _tilted(p: np.ndarray, men: np.ndarray, lam: np.ndarray) -> np.ndarray:
    expo = np.exp(np.clip(lam[:, None] * men[None, :], -50.0, 50.0)) * p
    z = _class_sums(expo)
    return np.divide(expo, z, out=np.zeros_like(expo), where=z > 0)


def _tilt(p: np.ndarray, men: np.ndarray, n: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Exponential tilt per area so that the expected number of men matches ``target``.

    ``p`` (areas, strata) holds each stratum's share within its size class, ``men`` the men
    per stratum and ``n`` (areas, strata) the households of that stratum's size class.
    Returns the tilted within-class shares. Unreachable targets end at the nearest bound.
    """
    lam = np.zeros(p.shape[0])
    men_f = men.astype(np.float64)
    for _ in range(40):
        q = _tilted(p, men_f, lam)
        mean = _weighted(q, men_f, n)
        if np.all(np.abs(target - mean) < 0.01):
            break
        var = _weighted(q, men_f**2, n) - _class_second(q, men_f, n)
        step = np.divide(target - mean, var, out=np.zeros_like(mean), where=var > 1e-9)
        lam = np.clip(lam + np.clip(step, -1.0, 1.0), -8.0, 8.0)
    return _tilted(p, men_f, lam)


def _class_sums(values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over each size class, broadcast back to its strata."""
    sums = np.add.reduceat(values, STRATUM_START[:-1], axis=1)
    return np.repeat(sums, np.diff(STRATUM_START), axis=1)


def _weighted(q: np.ndarray, values: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Sum over strata of households x within-class share x value."""
    return (n * q * values[None, :]).sum(axis=1)


def _class_second(q: np.ndarray, men: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Sum over classes of households x (within-class mean men)^2, for the variance."""
    class_mean = np.add.reduceat(q * men[None, :], STRATUM_START[:-1], axis=1)
    class_n = n[:, STRATUM_START[:-1]]
    return (class_n * class_mean**2).sum(axis=1)


def draw_general_households(
    rng: np.random.Generator,
    pool: SeedPool,
    size_counts: np.ndarray,
    emd_sgg: np.ndarray,
    person_targets: np.ndarray,
    men_targets: np.ndarray,
    incidence: sp.csr_matrix | None = None,
) -> GeneralHouseholds:
    """Fit and draw.

    ``size_counts`` (n_emd, MAX_SIZE) households by size; ``person_targets`` (n_sgg,
    targets.N_COLUMNS); ``men_targets`` (n_emd,) men in each area's general households;
    ``incidence`` is ``targets.pool_incidence(pool)``, found from ``pool`` where not given.
    """
    n_sgg = person_targets.shape[0]
    class_targets = np.zeros((n_sgg, MAX_SIZE))
    np.add.at(class_targets, emd_sgg, size_counts)
    if incidence is None:
        incidence = pool_incidence(pool)
    fit = fit_weights(incidence, person_targets, pool.hh_size - 1, class_targets,
                      prior=pool.hh_prior, max_iter=25, tol=1e-3)
    men = _men_per_candidate(pool)
    stratum = STRATUM_START[pool.hh_size - 1] + men
    head_age = pool.p_age[pool.hh_offset]
    order = np.lexsort((head_age, pool.hh_type, stratum))
    weights = np.take(fit.weights, order, axis=1)  # a tenth of the time of [:, order]
    stratum_sorted = stratum[order]
    bounds = np.searchsorted(stratum_sorted, np.arange(N_STRATA + 1))

    # Stage 1: households per (area, stratum).
    flat, stratum_weight = _stratum_cumulative(weights, bounds)
    class_weight = _class_sums(stratum_weight)
    share = np.divide(stratum_weight, class_weight, out=np.zeros_like(stratum_weight),
                      where=class_weight > 0)
    men_of_stratum = np.concatenate([np.arange(k + 1) for k in range(1, MAX_SIZE + 1)])
    n_of_stratum = np.repeat(size_counts, np.diff(STRATUM_START), axis=1)
    tilted = _tilt(share[emd_sgg], men_of_stratum, n_of_stratum, men_targets)
    counts = _round_within_classes(rng, n_of_stratum * tilted, size_counts)
    counts = _match_men(counts, men_of_stratum, share[emd_sgg] > 0, men_targets)

    # Stage 2: systematic sampling within each (si-gun-gu, stratum).
    cells = np.flatnonzero(counts.ravel())
    c = counts.ravel()[cells]
    cell_emd, cell_stratum = np.divmod(cells, N_STRATA)
    hh_emd = np.repeat(cell_emd.astype(np.int32), c)
    hh_pos = _systematic_draw(flat, emd_sgg[cell_emd].astype(np.int64), cell_stratum, c,
                              rng.random(cells.size), bounds, order.size)
    hh_pos = _refine_age_fit(rng, rows_with_age_groups(incidence, order), hh_pos,
                             emd_sgg[hh_emd], with_age_group_targets(person_targets), weights,
                             stratum_sorted, bounds)
    return GeneralHouseholds(hh_emd=hh_emd, hh_seed=order[hh_pos].astype(np.int32), fit=fit)


def rows_with_age_groups(incidence: sp.csr_matrix, order: np.ndarray) -> sp.csr_matrix:
    """The rows ``order`` of ``incidence``, columns sorted, each with the sex x 5-year age
    sums of its single-year cells appended as columns ``incidence.shape[1] + group``
    (``targets.single_year_group``), as ``with_age_group_targets`` appends them to the
    targets; one compiled pass (the pool of seed 1 in a shuffled order: 6.4 ms against 8.3 ms
    for scipy's product, stacking and row selection)."""
    a = incidence if incidence.has_sorted_indices else incidence.sorted_indices()
    group = single_year_group()
    n_groups = int(group.max()) + 1
    if order.size and a.nnz * 2 >= 2**31:
        raise ValueError("rows_with_age_groups: too many cells for 32-bit indices")
    indptr, indices, data = _append_group_sums(a.indptr, a.indices, a.data, order, group,
                                               N_SINGLE, a.shape[1], n_groups)
    rows = sp.csr_matrix((data, indices, indptr), shape=(order.size, a.shape[1] + n_groups))
    rows.has_sorted_indices = True
    return rows


@numba.njit(cache=True)
def _append_group_sums(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
                       order: np.ndarray, group: np.ndarray, n_single: int, n_columns: int,
                       n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays (32-bit indices) of the rows ``order`` of a CSR matrix with sorted
    columns, each followed by its group sums: the single-year columns of a row come in
    ascending order, so their groups do too, and a group's sum is the run of its columns."""
    out_ptr = np.zeros(order.size + 1, dtype=np.int32)
    size = 0
    for i in range(order.size):
        size += 2 * (indptr[order[i] + 1] - indptr[order[i]])
    cols = np.empty(size, dtype=np.int32)
    vals = np.empty(size)
    group_cols = np.empty(n_single, dtype=np.int32)
    group_vals = np.empty(n_single)
    o = 0
    for i in range(order.size):
        r = order[i]
        n = 0
        for k in range(indptr[r], indptr[r + 1]):
            cols[o] = indices[k]
            vals[o] = data[k]
            o += 1
            if indices[k] < n_single:
                g = n_columns + group[indices[k]]
                if n > 0 and group_cols[n - 1] == g:
                    group_vals[n - 1] += data[k]
                else:
                    group_cols[n] = g
                    group_vals[n] = data[k]
                    n += 1
        for t in range(n):
            cols[o] = group_cols[t]
            vals[o] = group_vals[t]
            o += 1
        out_ptr[i + 1] = o
    return out_ptr, cols[:o].copy(), vals[:o].copy()


@numba.njit(cache=True, parallel=True)
def _stratum_cumulative(weights: np.ndarray,
                        bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each (area, stratum) segment's weights as relative cumulative weights, offset by
    stratum and area so that all of them form one sorted array (``flat``, areas x candidates
    raveled: candidate ``j`` of stratum ``s`` in area ``g`` holds ``(its cumulative weight
    within the stratum) / (the stratum's weight) + s + g * strata``), and each segment's
    weight (areas x strata). The cumulative sums run along each area's whole row, in order,
    as ``np.cumsum`` adds them."""
    n_areas, n_cand = weights.shape
    n_strata = bounds.size - 1
    flat = np.empty((n_areas, n_cand))
    stratum_weight = np.empty((n_areas, n_strata))
    for g in numba.prange(n_areas):
        cum = np.empty(n_cand + 1)
        cum[0] = 0.0
        for j in range(n_cand):
            cum[j + 1] = cum[j] + weights[g, j]
        for s in range(n_strata):
            lo, hi = bounds[s], bounds[s + 1]
            total = cum[hi] - cum[lo]
            stratum_weight[g, s] = total
            divisor = total if total > 0.0 else 1.0
            for j in range(lo, hi):
                flat[g, j] = ((cum[j + 1] - cum[lo]) / divisor + s) + g * n_strata
    return flat.ravel(), stratum_weight


@numba.njit(cache=True)
def _rows_in_columns(indptr: np.ndarray, indices: np.ndarray,
                     columns: np.ndarray) -> np.ndarray:
    """Which rows of a CSR matrix store a value in one of the marked ``columns``."""
    out = np.zeros(indptr.size - 1, dtype=np.bool_)
    for r in range(indptr.size - 1):
        for k in range(indptr[r], indptr[r + 1]):
            if columns[indices[k]]:
                out[r] = True
                break
    return out


@numba.njit(cache=True)
def _row_squares(indptr: np.ndarray, data: np.ndarray) -> np.ndarray:
    """The sum of squares of each row's stored values (whole member counts: exact in any
    order), the rows of a CSR matrix."""
    out = np.zeros(indptr.size - 1)
    for r in range(indptr.size - 1):
        for k in range(indptr[r], indptr[r + 1]):
            out[r] += data[k] * data[k]
    return out


@numba.njit(cache=True)
def _drawn_members(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
                   hh_sgg: np.ndarray, hh_pos: np.ndarray, n_sgg: int,
                   n_columns: int) -> np.ndarray:
    """Members of the drawn households in every column of every si-gun-gu (areas x columns):
    the rows ``hh_pos`` of the incidence (``indptr``, ``indices``, ``data``) summed by area
    ``hh_sgg``. The counts are whole numbers, so any order of the sums gives the same."""
    out = np.zeros((n_sgg, n_columns))
    for i in range(hh_pos.size):
        g, p = hh_sgg[i], hh_pos[i]
        for k in range(indptr[p], indptr[p + 1]):
            out[g, indices[k]] += data[k]
    return out


@numba.njit(cache=True, parallel=True)
def _systematic_draw(flat: np.ndarray, row: np.ndarray, stratum: np.ndarray, count: np.ndarray,
                     u: np.ndarray, bounds: np.ndarray, n_cand: int) -> np.ndarray:
    """Systematic sampling of ``count[i]`` households in cell ``i`` (si-gun-gu ``row[i]``,
    stratum ``stratum[i]``): points ``(u[i] + k) / count[i]`` on the stratum's cumulative
    weight (``flat``: each row's relative cumulative weights offset by stratum and row, in
    one sorted array). Returns each household's candidate position in stratum order, cell
    after cell: ``np.searchsorted(flat, point, side="left")`` clipped to the stratum, found
    within the cell's own stretch of ``flat``, each point searched from the one before."""
    start = np.zeros(count.size + 1, dtype=np.int64)
    for i in range(count.size):
        start[i + 1] = start[i] + count[i]
    out = np.empty(start[-1], dtype=np.int64)
    n_strata = bounds.size - 1
    for i in numba.prange(count.size):  # cells write disjoint stretches: any thread count
        c = count[i]
        base = row[i] * n_strata + stratum[i]
        first = bounds[stratum[i]]
        last = bounds[stratum[i] + 1] - 1
        lo = row[i] * n_cand + first
        hi = row[i] * n_cand + last + 1
        p = lo
        for k in range(c):
            point = base + (u[i] + k) / c
            p += np.searchsorted(flat[p:hi], point, side="left")
            out[start[i] + k] = min(p - row[i] * n_cand, last)
    return out


def _refine_age_fit(
    rng: np.random.Generator,
    incidence: sp.csr_matrix,
    hh_pos: np.ndarray,
    hh_sgg: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray,
    stratum: np.ndarray,
    bounds: np.ndarray,
    rounds: int = 30,
    per_round: int = 400_000,
    min_gain: float = 0.01,
) -> np.ndarray:
    """Swap drawn households for other candidates of the same stratum (same size and number
    of men, so every area's households by size and men stay exact) where the swap brings the
    si-gun-gu's person constraints (all columns of ``targets``) closer to their targets.

    Each round proposes one swap for each household of a sample (below). The proposal comes
    from the si-gun-gu's own weighted candidates (``weights``, areas x candidates in stratum
    order, ``bounds`` each stratum's candidates), drawn in constant time from alias tables
    built once (Walker 1977; Vose 1991), and is scored against the round's deficit. Then
    each si-gun-gu, on its own core, takes its promising proposals in decreasing order of
    score and accepts a swap only if it still lowers the squared deficit exactly (both
    households' members counted, overlap included) given every swap accepted before it, so
    the total never rises and no round has to be undone. Refinement stops when a round
    lowers the total squared deficit by less than ``min_gain`` of a full pass's share, or
    after ``rounds`` rounds (a national 1% run stops after about 20, full scale at 30).
    A swap never changes an area's count in a cell whose target there is under one person:
    whole households cannot meet a fraction, and the search would only take such persons out
    (against 0.15 of a man aged 95 in a si-gun-gu, as in a national 1% run, drawing him
    costs 0.72 in squared deficit and leaving him out 0.02; at 1% the search left 63 men
    aged 95+ of 131 registered, and 571 aged 90-94 of 712). Those cells keep the draw's
    count, which follows the fitted weights.
    Scores are computed from the sparse member rows of the two candidates only; the rare-cell
    check walks the two rows in step only where either candidate holds a member in a rare cell.
    """
    n_sgg = weights.shape[0]
    a = sp.csr_matrix(incidence)
    a.sort_indices()  # the exact gain and the rare-cell check walk two rows in column order
    indices, data = narrow_rows(a)
    rare = targets < 1.0
    in_rare = _rows_in_columns(a.indptr, indices, np.asarray(rare.any(axis=0)))
    prob, alias = _alias_tables(weights, bounds)
    squares = _row_squares(a.indptr, a.data)
    synthetic = _drawn_members(a.indptr, indices, data, hh_sgg, hh_pos, n_sgg, a.shape[1])
    # Each round proposes a systematic sample of the households: every `passes`-th from a
    # start taken in random order, so the rounds of one pass are disjoint and cover every
    # household once. The households are in area order, and so is each sample, which keeps
    # the proposals of one si-gun-gu together in memory (swaps change neither).
    passes = max(1, -(-hh_pos.size // per_round))  # one, for an area with no households
    starts = rng.permutation(passes)
    previous = np.inf
    for r in range(rounds):
        deficit = targets - synthetic
        total = float((deficit**2).sum())
        if total > previous * (1.0 - min_gain / passes):
            break
        previous = total
        pick = slice(starts[r % passes], None, passes)  # views, copied only when strided
        g = np.ascontiguousarray(hh_sgg[pick])
        current = hh_pos[pick].copy()
        proposal = _draw_proposals(prob, alias, bounds, stratum, g, current,
                                   rng.random(g.size))
        gain = _proposal_gains(a.indptr, indices, data, squares, g, current, proposal,
                               deficit, rare, in_rare)
        order, group_ptr = _by_area_and_gain(g, gain, n_sgg)
        accepted = _accept_improving(a.indptr, indices, data, synthetic, targets, rare,
                                     order, group_ptr, g, current, proposal)
        hh_pos[pick][accepted] = proposal[accepted]
    return hh_pos


def narrow_rows(a: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """The column indices and values of ``a`` in the narrowest types that hold them exactly:
    16-bit columns below 2**15 columns, 8-bit values where every value is a whole number
    from -128 to 127 (members of a household in a cell), as stored otherwise.

    The refinement reads two candidate rows for every proposal, scattered over the pool:
    3 bytes a member cell instead of 12 keep the whole incidence in a core's cache (Seoul
    at 5%: 470,000 cells, 1.4 MB against 5.6 MB; the rounds' scoring took 42 ms against
    62 ms). The kernels compute in float64 from either type, so the results are the same.
    """
    indices = a.indices.astype(np.int16) if a.shape[1] < 2**15 else a.indices
    small = a.data.size == 0 or (np.all(a.data == np.round(a.data))
                                 and a.data.min() >= -128 and a.data.max() <= 127)
    return indices, a.data.astype(np.int8) if small else a.data


@numba.njit(cache=True, parallel=True)
def _by_area_and_gain(g: np.ndarray, gain: np.ndarray,
                      n_areas: int) -> tuple[np.ndarray, np.ndarray]:
    """The proposals with a positive gain, in the order of ``good[np.lexsort((-gain[good],
    g[good]))]`` for ``good = np.flatnonzero(gain > 0)`` (by area, then by decreasing gain,
    ties in index order), and each area's bounds in it: a stable counting sort by area of
    the positive gains (as ``sampling._counting_order``), then a stable sort of each area's
    gains, the areas in parallel: a least-significant-digit radix sort on the bits of the
    gains (positive floats order as their bits do), which is stable as a merge sort is and
    a third of its time on Seoul's 98,000 positive gains of a first round."""
    bits = gain.view(np.uint64)
    ptr = np.zeros(n_areas + 1, dtype=np.int64)
    for i in range(g.size):
        if gain[i] > 0.0:
            ptr[g[i] + 1] += 1
    for q in range(n_areas):
        ptr[q + 1] += ptr[q]
    order = np.empty(ptr[-1], dtype=np.int64)
    fill = ptr[:-1].copy()
    for i in range(g.size):
        if gain[i] > 0.0:
            order[fill[g[i]]] = i
            fill[g[i]] += 1
    for q in numba.prange(n_areas):
        _by_decreasing_bits(order[ptr[q]:ptr[q + 1]], bits)
    return order, ptr


@numba.njit(cache=True)
def _by_decreasing_bits(items: np.ndarray, bits: np.ndarray) -> None:
    """Sort ``items`` in place, stably, by decreasing ``bits[item]``: byte by byte from the
    lowest, on the complemented bits, skipping the bytes every item shares."""
    n = items.size
    if n < 2:
        return
    keys = np.empty(n, dtype=np.uint64)
    for t in range(n):
        keys[t] = ~bits[items[t]]
    current = items.copy()
    next_keys = np.empty(n, dtype=np.uint64)
    following = np.empty(n, dtype=items.dtype)
    count = np.empty(257, dtype=np.int64)
    for shift in range(0, 64, 8):
        count[:] = 0
        for t in range(n):
            count[((keys[t] >> np.uint64(shift)) & np.uint64(255)) + 1] += 1
        if count.max() == n:
            continue  # every item has this byte
        for b in range(256):
            count[b + 1] += count[b]
        for t in range(n):
            b = (keys[t] >> np.uint64(shift)) & np.uint64(255)
            next_keys[count[b]] = keys[t]
            following[count[b]] = current[t]
            count[b] += 1
        keys, next_keys = next_keys, keys
        current, following = following, current
    items[:] = current


@numba.njit(cache=True, parallel=True)
def _accept_improving(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
                      synthetic: np.ndarray, targets: np.ndarray, rare: np.ndarray,
                      order: np.ndarray, group_ptr: np.ndarray, g: np.ndarray,
                      current: np.ndarray, proposal: np.ndarray) -> np.ndarray:
    """Accept, si-gun-gu by si-gun-gu in the order ``order`` (grouped by si-gun-gu, bounds
    ``group_ptr``), each swap ``current[i] -> proposal[i]`` whose exact gain
    ``2 (a_p - a_c) . deficit - |a_p - a_c|^2`` is positive given the swaps accepted before
    it; ``synthetic`` is updated in place. Returns which proposals were accepted. Each
    si-gun-gu is processed in sequence on one thread: the same result on any thread count."""
    accepted = np.zeros(g.size, dtype=np.bool_)
    for q in numba.prange(group_ptr.size - 1):
        lo, hi = group_ptr[q], group_ptr[q + 1]
        if lo == hi:
            continue
        gi = g[order[lo]]
        d = targets[gi] - synthetic[gi]
        for t in range(lo, hi):
            i = order[t]
            p, c = proposal[i], current[i]
            dot, squared, _ = _swap_change(indptr, indices, data, p, c, d, rare[gi])
            if 2.0 * dot - squared > 1e-9:
                accepted[i] = True
                for k in range(indptr[p], indptr[p + 1]):
                    d[indices[k]] -= data[k]
                    synthetic[gi, indices[k]] += data[k]
                for k in range(indptr[c], indptr[c + 1]):
                    d[indices[k]] += data[k]
                    synthetic[gi, indices[k]] -= data[k]
    return accepted


@numba.njit(cache=True, parallel=True)
def _alias_tables(weights: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias tables of every (area, stratum) segment of ``weights`` (areas x
    candidates in stratum order; ``bounds`` the strata): a draw takes slot ``j`` of the
    segment uniformly and keeps it with probability ``prob[g, j]``, else takes
    ``alias[g, j]`` (a candidate position). A segment without weight has alias -1.
    Candidates without weight are never drawn."""
    n_areas, n_cand = weights.shape
    prob = np.zeros((n_areas, n_cand))
    alias = np.full((n_areas, n_cand), -1, dtype=np.int32)
    for g in numba.prange(n_areas):
        small = np.empty(n_cand, dtype=np.int64)
        large = np.empty(n_cand, dtype=np.int64)
        for s in range(bounds.size - 1):
            lo, hi = bounds[s], bounds[s + 1]
            total = weights[g, lo:hi].sum()
            if hi == lo or total <= 0.0:
                continue
            n_small = n_large = 0
            for j in range(lo, hi):
                prob[g, j] = weights[g, j] * (hi - lo) / total
                alias[g, j] = j
                if prob[g, j] < 1.0:
                    small[n_small] = j
                    n_small += 1
                else:
                    large[n_large] = j
                    n_large += 1
            while n_small > 0 and n_large > 0:
                n_small -= 1
                j = small[n_small]
                k = large[n_large - 1]
                alias[g, j] = k
                prob[g, k] -= 1.0 - prob[g, j]
                if prob[g, k] < 1.0:
                    n_large -= 1
                    small[n_small] = k
                    n_small += 1
            # Slots left by rounding keep themselves, unless they have no weight.
            first = lo
            while weights[g, first] <= 0.0:
                first += 1
            for j in range(lo, hi):
                if weights[g, j] <= 0.0 and alias[g, j] == j:
                    prob[g, j] = 0.0
                    alias[g, j] = first
                elif alias[g, j] == j:
                    prob[g, j] = 1.0
    return prob, alias


@numba.njit(cache=True, parallel=True)
def _draw_proposals(prob: np.ndarray, alias: np.ndarray, bounds: np.ndarray,
                    stratum: np.ndarray, g: np.ndarray, current: np.ndarray,
                    u: np.ndarray) -> np.ndarray:
    """For every drawn household ``current[i]`` of si-gun-gu ``g[i]``: a proposal from the
    same stratum drawn with the si-gun-gu's weights (uniform ``u[i]`` through the alias
    tables), or -1 where the stratum has no weight there."""
    n = current.size
    proposal = np.empty(n, dtype=np.int64)
    for i in numba.prange(n):  # independent proposals: the same result on any thread count
        gi = g[i]
        s = stratum[current[i]]
        lo, hi = bounds[s], bounds[s + 1]
        x = u[i] * (hi - lo)
        j = min(lo + int(x), hi - 1)
        if alias[gi, j] < 0:
            proposal[i] = -1
        else:
            proposal[i] = j if x - (j - lo) < prob[gi, j] else alias[gi, j]
    return proposal


@numba.njit(cache=True, parallel=True)
def _proposal_gains(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
                    squares: np.ndarray, g: np.ndarray, current: np.ndarray,
                    proposal: np.ndarray, deficit: np.ndarray, rare: np.ndarray,
                    in_rare: np.ndarray) -> np.ndarray:
    """A lower bound on the gain in squared deficit of swapping ``current[i]`` for
    ``proposal[i]`` in si-gun-gu ``g[i]``, which ignores the overlap of their members
    (``-inf`` where the swap changes a ``rare`` cell). A proposal of -1 (no weight in the
    stratum) becomes the current household itself, with gain ``-inf``. ``in_rare`` marks
    the candidates with a member in a column rare in some area (``rare.any(axis=0)``):
    only where one of the two is marked are the cells looked up in ``rare``.

    Drawing every proposal first (``_draw_proposals``) and scoring them here in a second
    pass halves the time of doing both in one loop: each loop's look-ups no longer wait on
    the other's (Seoul at 5%: 8 against 15 ms a round)."""
    n = current.size
    gain = np.empty(n)
    for i in numba.prange(n):  # independent proposals: the same result on any thread count
        gi, cur, prop = g[i], current[i], proposal[i]
        if prop < 0:
            proposal[i] = cur
            gain[i] = -np.inf
            continue
        dot = 0.0
        near_rare = False
        look = in_rare[prop] or in_rare[cur]
        for k in range(indptr[prop], indptr[prop + 1]):
            dot += data[k] * deficit[gi, indices[k]]
            if look:
                near_rare |= rare[gi, indices[k]]
        for k in range(indptr[cur], indptr[cur + 1]):
            dot -= data[k] * deficit[gi, indices[k]]
            if look:
                near_rare |= rare[gi, indices[k]]
        if near_rare and _swap_change(indptr, indices, data, prop, cur, deficit[gi],
                                      rare[gi])[2]:
            gain[i] = -np.inf
        else:
            gain[i] = 2.0 * dot - squares[prop] - squares[cur]
    return gain


@numba.njit(cache=True)
def _swap_change(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, p: int, c: int,
                 deficit: np.ndarray, rare: np.ndarray) -> tuple[float, float, bool]:
    """Rows ``p`` and ``c`` (column indices sorted) walked in step: ``(a_p - a_c) . deficit``,
    ``|a_p - a_c|^2`` and whether they differ in a ``rare`` column."""
    i, i_end = indptr[p], indptr[p + 1]
    j, j_end = indptr[c], indptr[c + 1]
    dot = 0.0
    squared = 0.0
    changes_rare = False
    while i < i_end or j < j_end:
        col_i = indices[i] if i < i_end else rare.size
        col_j = indices[j] if j < j_end else rare.size
        if col_i == col_j:
            diff, col = data[i] - data[j], col_i
            i += 1
            j += 1
        elif col_i < col_j:
            diff, col = data[i], col_i
            i += 1
        else:
            diff, col = -data[j], col_j
            j += 1
        dot += diff * deficit[col]
        squared += diff * diff
        changes_rare |= rare[col] and diff != 0.0
    return dot, squared, changes_rare


def _match_men(counts: np.ndarray, men: np.ndarray, available: np.ndarray,
               target: np.ndarray, max_iter: int = 200) -> np.ndarray:
    """Move households to the neighbouring stratum of their size class (one more or one fewer
    man) until each area's men equal ``target`` or no allowed move is left.

    Rounding the tilted stratum shares leaves each area a few men off; each step moves, in
    every area still off, one household out of its most populated stratum that has a
    neighbour in the right direction with candidates in the si-gun-gu (``available``).
    """
    counts = counts.copy()
    last = np.r_[STRATUM_START[1:] - 1]
    first = STRATUM_START[:-1]
    can_up = np.ones(N_STRATA, dtype=bool)
    can_up[last] = False  # already all men in the household
    can_down = np.ones(N_STRATA, dtype=bool)
    can_down[first] = False  # already no men
    up_ok = available & np.roll(available, -1, axis=1) & can_up[None, :]
    down_ok = available & np.roll(available, 1, axis=1) & can_down[None, :]
    rows = np.arange(counts.shape[0])
    for _ in range(max_iter):
        diff = target - counts @ men
        moved = False
        for direction, ok, wanted in ((1, up_ok, diff > 0), (-1, down_ok, diff < 0)):
            score = np.where(ok & (counts > 0), counts, -1)
            best = score.argmax(axis=1)
            go = wanted & (score[rows, best] > 0)
            if go.any():
                counts[rows[go], best[go]] -= 1
                counts[rows[go], best[go] + direction] += 1
                moved = True
        if not moved:
            break
    return counts


def _round_within_classes(rng: np.random.Generator, expected: np.ndarray,
                          size_counts: np.ndarray) -> np.ndarray:
    """Integer households per (area, stratum) whose class sums equal ``size_counts``.

    Systematic rounding of the cumulative expected counts within each size class.
    """
    out = np.zeros(expected.shape, dtype=np.int64)
    u = np.asarray(rng.random(expected.shape[0]))
    for k in range(MAX_SIZE):
        lo, hi = STRATUM_START[k], STRATUM_START[k + 1]
        block = expected[:, lo:hi]
        total = block.sum(axis=1, keepdims=True)
        scaled = np.divide(block * size_counts[:, k:k + 1], total, out=np.zeros_like(block),
                           where=total > 0)
        cum = np.floor(np.cumsum(scaled, axis=1) + u[:, None]).astype(np.int64)
        cum[:, -1] = size_counts[:, k]
        out[:, lo:hi] = np.diff(cum, axis=1, prepend=0)
    return out
