"""Weighting candidate households so that household and person controls hold at once.

The problem is the one solved by iterative proportional updating (IPU, Ye et al. 2009) and
entropy list balancing: find non-negative weights ``w[g, s]`` for every area ``g`` and
candidate household ``s`` such that

* household-class totals hold exactly: ``sum(w[g, s] for s in class k) == class_targets[g, k]``
  (the classes partition the candidates, e.g. household size), and
* person-level totals hold: ``sum(w[g, s] * A[s, j]) == targets[g, j]`` where ``A[s, j]``
  counts the members of household ``s`` in person category ``j`` (e.g. sex x age group).

IPU sweeps the constraints in turn; each step scales the weights of the candidates that
contribute to one constraint by target/current. Areas are independent problems: a compiled
kernel fits them in blocks of up to 16 (``area_block``), in parallel, each block's weights
gathered a candidate row at a time while every constraint walks its candidates (no Python
loop over areas or households), and each area stops when its own constraints are within the
tolerance. Household classes are rescaled last in every sweep, so they hold exactly. A zero
target sets the weight of every candidate that would contribute to it to zero (a structural
zero is never replaced by a small epsilon); a positive target that no remaining candidate can
reach is reported as infeasible rather than forced. Candidates alike in class and members
(``identical_candidates``) are fitted once, as one pattern carrying the sum of their priors,
and share its weight by prior: every step scales them alike, so the weights are the same up
to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import numba
import numpy as np
import scipy.sparse as sp

CHECK_EVERY = 10  # sweeps between convergence checks (each costs about half a sweep)
MAX_AREA_BLOCK = 16  # areas swept together at most: 16 x 8 bytes per candidate row


@dataclass(frozen=True)
class FitResult:
    weights: np.ndarray  # (n_areas, n_candidates)
    iterations: int
    max_abs_error: float  # largest |fitted - target| over reachable person constraints
    max_rel_error: float  # the same relative to the target (targets >= 1 only)
    infeasible: int  # person constraints with a positive target no candidate can reach
    infeasible_at: np.ndarray  # (infeasible, 2) area and column of each of them
    infeasible_in_pool: np.ndarray  # (infeasible,) bool: some candidate holds such a person,
    # but every one of them also holds a person whose cell has a zero target in the area


def fit_weights(
    incidence: sp.csr_matrix,
    targets: np.ndarray,
    classes: np.ndarray,
    class_targets: np.ndarray,
    prior: np.ndarray | None = None,
    *,
    max_iter: int = 300,
    tol: float = 1e-4,
) -> FitResult:
    """Fit weights; see the module docstring for the problem solved.

    ``incidence`` is (n_candidates, n_person_categories), ``targets`` (n_areas,
    n_person_categories), ``classes`` (n_candidates,) with values in [0, n_classes) and
    ``class_targets`` (n_areas, n_classes). ``prior`` (n_candidates,) sets the starting
    weights (uniform when omitted); the solution is the one closest to it in entropy terms.
    """
    a = sp.csr_matrix(incidence, dtype=np.float64)
    n_cand, n_cat = a.shape
    targets = np.asarray(targets, dtype=np.float64)
    class_targets = np.asarray(class_targets, dtype=np.float64)
    n_areas = targets.shape[0]
    if targets.shape != (n_areas, n_cat):
        raise ValueError(f"targets shape {targets.shape} != ({n_areas}, {n_cat})")
    if classes.shape != (n_cand,):
        raise ValueError("classes must give one class per candidate")
    if np.any(targets < 0) or np.any(class_targets < 0):
        raise ValueError("targets must be non-negative")
    base = np.ones(n_cand) if prior is None else np.asarray(prior, dtype=np.float64)
    if base.shape != (n_cand,):
        raise ValueError(f"prior must give one weight per candidate: shape {base.shape}, "
                         f"{n_cand} candidates")
    if not np.all(np.isfinite(base)) or np.any(base < 0):
        raise ValueError("prior weights must be finite and non-negative")
    by_class = np.argsort(classes, kind="stable")
    if np.any(by_class != np.arange(n_cand)):
        # The kernel sweeps each household class as one run of candidates: fit them in
        # class order (the candidate pool is built so) and give the weights back in the
        # caller's order.
        fit = fit_weights(a[by_class], targets, classes[by_class], class_targets,
                          base[by_class], max_iter=max_iter, tol=tol)
        weights = np.empty_like(fit.weights)
        weights[:, by_class] = fit.weights
        return replace(fit, weights=weights)
    first, pattern = identical_candidates(a, classes)
    if first.size < n_cand:
        # Candidates with the same class and members in every cell get the same factor at
        # every step, so each keeps its prior's share of their pattern's weight: fit the
        # distinct patterns, each with the sum of its candidates' priors, and share the
        # weights out (Seoul at 5%: 32,685 patterns of 57,122 candidates, 203,457 member
        # cells of 301,414). The weights are those of the full problem up to rounding.
        total = np.bincount(pattern, weights=base, minlength=first.size)
        fit = _fit_distinct(a[first], targets, classes[first], class_targets, total,
                            max_iter, tol)
        share = np.divide(base, total[pattern], out=np.zeros(n_cand),
                          where=total[pattern] > 0)
        return replace(fit, weights=_shared_out(fit.weights.T, pattern, share))
    return _fit_distinct(a, targets, classes, class_targets, base, max_iter, tol)


def _fit_distinct(a: sp.csr_matrix, targets: np.ndarray, classes: np.ndarray,
                  class_targets: np.ndarray, base: np.ndarray, max_iter: int,
                  tol: float) -> FitResult:
    """``fit_weights`` on candidates sorted by class, no two alike, with prior ``base``."""
    n_areas = targets.shape[0]
    n_classes = class_targets.shape[1]
    # Candidate-major layout: each update gathers whole rows (all areas of one candidate).
    weights = np.tile(base[:, None], (1, n_areas))

    # Structural zeros: a zero person target excludes every candidate contributing to it.
    contributes = (a > 0).astype(np.float64)
    zero_hits = np.asarray(contributes @ (targets == 0).astype(np.float64).T)
    weights[zero_hits > 0] = 0.0
    reachable = np.asarray((contributes.T @ (weights > 0).astype(np.float64)) > 0).T
    infeasible_at = np.argwhere((targets > 0) & ~reachable)
    infeasible = int(infeasible_at.shape[0])
    in_pool = np.asarray(contributes.sum(axis=0)).ravel() > 0
    active = (targets > 0) & reachable

    csc = a.tocsc()
    keep = np.flatnonzero(active.any(axis=0))
    col_ptr = np.concatenate([[0], np.cumsum(np.diff(csc.indptr)[keep])]).astype(np.int64)
    col_rows = np.concatenate([csc.indices[csc.indptr[j]:csc.indptr[j + 1]] for j in keep]
                              or [np.zeros(0, np.int32)]).astype(np.int64)
    col_data = np.concatenate([csc.data[csc.indptr[j]:csc.indptr[j + 1]] for j in keep]
                              or [np.zeros(0)]).astype(np.float64)
    class_ptr = np.concatenate([[0], np.cumsum(np.bincount(classes, minlength=n_classes))]
                               ).astype(np.int64)
    constraints = _Constraints(col_ptr, col_rows, col_data,
                               np.ascontiguousarray(targets[:, keep].T),
                               np.ascontiguousarray(active[:, keep].T), class_ptr,
                               np.ascontiguousarray(class_targets.T), base)
    area_sweeps = _fit_kernel(weights, *constraints, max_iter, CHECK_EVERY, tol,
                              area_block(n_areas, numba.get_num_threads()))
    # The fitted totals of the constraints some area holds (every active cell is one).
    fitted = _fitted_totals(weights, col_ptr, col_rows, col_data).T
    err = np.abs(fitted - targets[:, keep])[active[:, keep]]
    rel = err / np.maximum(targets[:, keep][active[:, keep]], 1.0)
    return FitResult(
        weights=weights.T,
        iterations=int(area_sweeps.max()) if n_areas else 0,
        max_abs_error=float(err.max()) if err.size else 0.0,
        max_rel_error=float(rel.max()) if rel.size else 0.0,
        infeasible=infeasible,
        infeasible_at=infeasible_at,
        infeasible_in_pool=in_pool[infeasible_at[:, 1]],
    )


@numba.njit(cache=True, parallel=True)
def _shared_out(pattern_weights: np.ndarray, pattern: np.ndarray,
                share: np.ndarray) -> np.ndarray:
    """(areas, candidates): each candidate's share of its pattern's weight, from the
    patterns' weights laid out pattern by pattern (patterns, areas), in one pass."""
    n_areas = pattern_weights.shape[1]
    out = np.empty((n_areas, pattern.size))
    for g in numba.prange(n_areas):
        for j in range(pattern.size):
            out[g, j] = pattern_weights[pattern[j], g] * share[j]
    return out


def identical_candidates(a: sp.csr_matrix, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first candidate of each distinct (class, members in every cell) pattern, in
    candidate order, and each candidate's pattern. Rows are compared through a 64-bit hash
    and then cell by cell, so a collision cannot merge different candidates."""
    a = a if a.has_sorted_indices else a.sorted_indices()
    keys = _row_hashes(a.indptr, a.indices, a.data.view(np.uint64),
                       classes.astype(np.int64, copy=False))
    first, pattern = _patterns_in_order(keys)
    if not _same_rows(a.indptr, a.indices, a.data, classes.astype(np.int64, copy=False),
                      first[pattern]):
        return np.arange(a.shape[0]), np.arange(a.shape[0])  # a collision: no merging
    return first, pattern


@numba.njit(cache=True)
def _patterns_in_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first position of each distinct key, in order of first appearance, and each
    position's rank among them: one pass through an open-addressing table (the keys are
    hashes already, so their low bits index it)."""
    n = keys.size
    size = 2
    while size < 2 * n:
        size *= 2
    mask = np.uint64(size - 1)
    slot_key = np.zeros(size, dtype=np.uint64)
    slot_rank = np.full(size, -1, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    m = 0
    for r in range(n):
        j = keys[r] & mask
        while slot_rank[j] >= 0 and slot_key[j] != keys[r]:
            j = (j + np.uint64(1)) & mask
        if slot_rank[j] < 0:
            slot_rank[j] = m
            slot_key[j] = keys[r]
            first[m] = r
            m += 1
        rank[r] = slot_rank[j]
    return first[:m].copy(), rank


@numba.njit(cache=True)
def _row_hashes(indptr: np.ndarray, indices: np.ndarray, bits: np.ndarray,
                classes: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row's class, columns and value bits (splitmix64 steps)."""
    out = np.empty(indptr.size - 1, dtype=np.uint64)
    for r in range(indptr.size - 1):
        h = _mix(np.uint64(classes[r]) + np.uint64(0x9E3779B97F4A7C15))
        for k in range(indptr[r], indptr[r + 1]):
            h = _mix(h ^ np.uint64(indices[k]))
            h = _mix(h ^ bits[k])
        out[r] = h
    return out


@numba.njit(cache=True)
def _mix(x: np.uint64) -> np.uint64:
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@numba.njit(cache=True)
def _same_rows(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
               classes: np.ndarray, other: np.ndarray) -> bool:
    """Whether every row ``r`` equals row ``other[r]`` in class, columns and values."""
    for r in range(indptr.size - 1):
        o = other[r]
        if classes[r] != classes[o] or indptr[r + 1] - indptr[r] != indptr[o + 1] - indptr[o]:
            return False
        for k in range(indptr[r + 1] - indptr[r]):
            if (indices[indptr[r] + k] != indices[indptr[o] + k]
                    or data[indptr[r] + k] != data[indptr[o] + k]):
                return False
    return True


def area_block(n_areas: int, threads: int) -> int:
    """Areas swept together by one thread: as many as ``MAX_AREA_BLOCK`` allows, in blocks
    of equal size that share out evenly over the threads.

    Each constraint gathers whole candidate rows of the block, so the wider the block the
    fewer rows are fetched per area (a 64-byte line holds 8 areas); equal blocks, as many
    per thread, keep every thread busy to the end. Seoul's 25 si-gun-gu on 2 threads are
    swept as 2 blocks of 13 and 12 (0.12 s against 0.20 s in blocks of 4), the 252 of a
    national run as 16 blocks of 16 (1.3 s against 2.1 s at 1%). The result does not depend on
    the block.
    """
    threads = max(1, threads)
    per_thread = max(1, -(-n_areas // (threads * MAX_AREA_BLOCK)))  # blocks on each thread
    return max(1, -(-n_areas // (threads * per_thread)))


class _Constraints(NamedTuple):
    """The fit's constraints in the compiled kernel's layout."""

    col_ptr: np.ndarray  # bounds of each person constraint's candidates in col_rows
    col_rows: np.ndarray  # candidates contributing to each constraint, constraint by constraint
    col_data: np.ndarray  # members of that constraint's category in each of them
    col_targets: np.ndarray  # (constraints, areas)
    col_active: np.ndarray  # (constraints, areas) positive and reachable
    class_ptr: np.ndarray  # bounds of each household class (candidates sorted by class)
    class_targets: np.ndarray  # (classes, areas)
    base: np.ndarray  # (candidates,) prior weights


@numba.njit(cache=True, parallel=True)
def _fit_kernel(weights: np.ndarray, col_ptr: np.ndarray, col_rows: np.ndarray,
                col_data: np.ndarray, col_targets: np.ndarray, col_active: np.ndarray,
                class_ptr: np.ndarray, class_targets: np.ndarray, base: np.ndarray,
                max_iter: int, check_every: int, tol: float, block: int) -> np.ndarray:
    """IPU on ``weights`` (candidates, areas), in place; returns each area's sweeps.

    Areas are independent problems: each block of ``block`` areas is copied out, swept to
    convergence and copied back, so its weights stay in the cache while every constraint
    walks its candidates. An area stops at the first check (every ``check_every`` sweeps)
    where its largest relative error is below ``tol``. Each area's arithmetic is the same
    in any block and on any thread, and so is the result.
    """
    n_cand, n_areas = weights.shape
    sweeps = np.zeros(n_areas, dtype=np.int64)
    for b in numba.prange((n_areas + block - 1) // block):
        g0 = b * block
        nb = min(n_areas, g0 + block) - g0
        w = np.ascontiguousarray(weights[:, g0:g0 + nb])
        live = np.ones(nb, dtype=np.bool_)
        _rescale_block(w, class_ptr, class_targets[:, g0:g0 + nb], base, live)
        for it in range(1, max_iter + 1):
            sweeps[g0:g0 + nb][live] = it
            _sweep_block(w, col_ptr, col_rows, col_data, col_targets[:, g0:g0 + nb],
                         col_active[:, g0:g0 + nb], live)
            _rescale_block(w, class_ptr, class_targets[:, g0:g0 + nb], base, live)
            if it % check_every == 0 and it < max_iter:
                worst = _worst_errors(w, col_ptr, col_rows, col_data,
                                      col_targets[:, g0:g0 + nb], col_active[:, g0:g0 + nb])
                live &= worst >= tol
                if not live.any():
                    break
        weights[:, g0:g0 + nb] = w
    return sweeps


@numba.njit(cache=True, parallel=True)
def _fitted_totals(weights: np.ndarray, col_ptr: np.ndarray, col_rows: np.ndarray,
                   col_data: np.ndarray) -> np.ndarray:
    """Each constraint's fitted total in every area (constraints x areas), its candidates
    summed in order as in the sweeps; the constraints in parallel."""
    out = np.zeros((col_ptr.size - 1, weights.shape[1]))
    for c in numba.prange(col_ptr.size - 1):
        _column_sums(weights, col_ptr, col_rows, col_data, c, out[c])
    return out


@numba.njit(cache=True)
def _column_sums(w: np.ndarray, col_ptr: np.ndarray, col_rows: np.ndarray,
                 col_data: np.ndarray, c: int, out: np.ndarray) -> None:
    """Fitted total of constraint ``c`` in every area of the block, into ``out``."""
    out[:] = 0.0
    for i in range(col_ptr[c], col_ptr[c + 1]):
        row, count = col_rows[i], col_data[i]
        for j in range(out.size):
            out[j] += count * w[row, j]


@numba.njit(cache=True)
def _sweep_block(w: np.ndarray, col_ptr: np.ndarray, col_rows: np.ndarray,
                 col_data: np.ndarray, col_targets: np.ndarray, col_active: np.ndarray,
                 live: np.ndarray) -> None:
    """One IPU sweep over the person constraints: scale each constraint's candidates by
    target / current, one constraint after the other."""
    nb = w.shape[1]
    current = np.empty(nb)
    factor = np.empty(nb)
    for c in range(col_ptr.size - 1):
        _column_sums(w, col_ptr, col_rows, col_data, c, current)
        for j in range(nb):
            ok = live[j] and col_active[c, j] and current[j] > 0.0
            factor[j] = col_targets[c, j] / current[j] if ok else 1.0
        for i in range(col_ptr[c], col_ptr[c + 1]):
            row = col_rows[i]
            for j in range(nb):
                w[row, j] *= factor[j]


@numba.njit(cache=True)
def _worst_errors(w: np.ndarray, col_ptr: np.ndarray, col_rows: np.ndarray,
                  col_data: np.ndarray, col_targets: np.ndarray,
                  col_active: np.ndarray) -> np.ndarray:
    """Largest |fitted - target| / max(target, 1) over each area's active constraints."""
    nb = w.shape[1]
    current = np.empty(nb)
    worst = np.zeros(nb)
    for c in range(col_ptr.size - 1):
        _column_sums(w, col_ptr, col_rows, col_data, c, current)
        for j in range(nb):
            if col_active[c, j]:
                t = col_targets[c, j]
                worst[j] = max(worst[j], abs(current[j] - t) / max(t, 1.0))
    return worst


@numba.njit(cache=True)
def _rescale_block(w: np.ndarray, class_ptr: np.ndarray, class_targets: np.ndarray,
                   base: np.ndarray, live: np.ndarray) -> None:
    """Scale each household class (candidates ``class_ptr[k]:class_ptr[k + 1]``) to its
    exact total in the block's live areas (the prior where every candidate of a needed
    class was excluded). ``class_targets`` is (classes, areas of the block). The
    candidates of a class are one run of rows, each row summed and then scaled in all areas
    at once (Seoul at 5%: 10 ms for the sweeps of 13 areas, against 36 ms through a list of
    positions, a column at a time)."""
    nb = w.shape[1]
    total = np.empty(nb)
    factor = np.empty(nb)
    for k in range(class_ptr.size - 1):
        lo, hi = class_ptr[k], class_ptr[k + 1]
        if hi == lo:
            continue
        total[:] = 0.0
        for i in range(lo, hi):
            for j in range(nb):
                total[j] += w[i, j]
        for j in range(nb):
            factor[j] = 1.0
            if not live[j]:
                continue
            if total[j] <= 0.0 and class_targets[k, j] > 0.0:
                for i in range(lo, hi):
                    w[i, j] = base[i]
                    total[j] += base[i]
            factor[j] = class_targets[k, j] / total[j] if total[j] > 0.0 else 0.0
        for i in range(lo, hi):
            for j in range(nb):
                w[i, j] *= factor[j]
