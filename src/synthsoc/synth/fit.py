"""Weighting candidate households so that household and person controls hold at once.

The problem is the one solved by iterative proportional updating (IPU, Ye et al. 2009) and
entropy list balancing: find non-negative weights ``w[g, s]`` for every area ``g`` and
candidate household ``s`` such that

* household-class totals hold exactly: ``sum(w[g, s] for s in class k) == class_targets[g, k]``
  (the classes partition the candidates, e.g. household size), and
* person-level totals hold: ``sum(w[g, s] * A[s, j]) == targets[g, j]`` where ``A[s, j]``
  counts the members of household ``s`` in person category ``j`` (e.g. sex x age group).

IPU sweeps the constraints in turn; each step scales the weights of the candidates that
contribute to one constraint by target/current, for all areas at once (a compiled kernel
walks each constraint's candidates once per sweep; no Python loop over areas or
households). Household classes are rescaled last in every sweep, so they hold exactly. A
zero target sets the weight of every candidate that would contribute to it to zero (a
structural zero is never replaced by a small epsilon); a positive target that no remaining
candidate can reach is reported as infeasible rather than forced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import scipy.sparse as sp

CHECK_EVERY = 10  # sweeps between convergence checks (each costs about one sweep)


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
    n_classes = class_targets.shape[1]
    base = np.ones(n_cand) if prior is None else np.asarray(prior, dtype=np.float64)
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
    col_targets = np.ascontiguousarray(targets[:, keep].T)
    col_active = np.ascontiguousarray(active[:, keep].T)
    order = np.argsort(classes, kind="stable").astype(np.int64)
    class_ptr = np.concatenate([[0], np.cumsum(np.bincount(classes, minlength=n_classes))]
                               ).astype(np.int64)
    class_t = np.ascontiguousarray(class_targets.T)
    _rescale_classes(weights, order, class_ptr, class_t, base)
    a_t = a.T.tocsr()
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported below
        _sweep(weights, col_ptr, col_rows, col_data, col_targets, col_active)
        _rescale_classes(weights, order, class_ptr, class_t, base)
        if iterations % CHECK_EVERY == 0 and iterations < max_iter:
            rel = _relative_errors(weights, a_t, targets, active)
            if rel.size == 0 or rel.max() < tol:
                break
    fitted = np.asarray(a_t @ weights).T
    err = np.abs(fitted - targets)[active]
    rel = err / np.maximum(targets[active], 1.0)
    return FitResult(
        weights=weights.T,
        iterations=iterations,
        max_abs_error=float(err.max()) if err.size else 0.0,
        max_rel_error=float(rel.max()) if rel.size else 0.0,
        infeasible=infeasible,
        infeasible_at=infeasible_at,
        infeasible_in_pool=in_pool[infeasible_at[:, 1]],
    )


def _relative_errors(
    weights: np.ndarray, a_t: sp.csr_matrix, targets: np.ndarray, active: np.ndarray
) -> np.ndarray:
    fitted = np.asarray(a_t @ weights).T
    return np.abs(fitted - targets)[active] / np.maximum(targets[active], 1.0)


def _sweep(weights: np.ndarray, col_ptr: np.ndarray, col_rows: np.ndarray,
           col_data: np.ndarray, col_targets: np.ndarray, col_active: np.ndarray) -> None:
    """One IPU sweep over the person constraints, in place, the areas split over the cores
    (each area's arithmetic is the same in any split, so the result is too)."""
    _sweep_kernel(weights, col_ptr, col_rows, col_data, col_targets, col_active,
                  _area_blocks(weights.shape[1]))


def _rescale_classes(weights: np.ndarray, order: np.ndarray, class_ptr: np.ndarray,
                     class_targets: np.ndarray, base: np.ndarray) -> None:
    """Scale each household class to its exact total, in place (prior where all are 0).

    ``order`` lists the candidates class by class; ``class_ptr`` bounds each class in it;
    ``class_targets`` is (n_classes, n_areas).
    """
    _rescale_kernel(weights, order, class_ptr, class_targets, base,
                    _area_blocks(weights.shape[1]))


def _area_blocks(n_areas: int) -> np.ndarray:
    """Bounds of one contiguous block of areas per core."""
    return np.linspace(0, n_areas, min(n_areas, numba.get_num_threads()) + 1).astype(np.int64)


@numba.njit(cache=True, parallel=True)
def _sweep_kernel(weights: np.ndarray, col_ptr: np.ndarray, col_rows: np.ndarray,
                  col_data: np.ndarray, col_targets: np.ndarray, col_active: np.ndarray,
                  blocks: np.ndarray) -> None:
    for b in numba.prange(blocks.size - 1):
        g0, g1 = blocks[b], blocks[b + 1]
        current = np.empty(g1 - g0)
        factor = np.empty(g1 - g0)
        for c in range(col_ptr.size - 1):
            current[:] = 0.0
            for i in range(col_ptr[c], col_ptr[c + 1]):
                row, count = col_rows[i], col_data[i]
                for g in range(g0, g1):
                    current[g - g0] += count * weights[row, g]
            for g in range(g0, g1):
                ok = col_active[c, g] and current[g - g0] > 0.0
                factor[g - g0] = col_targets[c, g] / current[g - g0] if ok else 1.0
            for i in range(col_ptr[c], col_ptr[c + 1]):
                row = col_rows[i]
                for g in range(g0, g1):
                    weights[row, g] *= factor[g - g0]


@numba.njit(cache=True, parallel=True)
def _rescale_kernel(weights: np.ndarray, order: np.ndarray, class_ptr: np.ndarray,
                    class_targets: np.ndarray, base: np.ndarray, blocks: np.ndarray) -> None:
    for b in numba.prange(blocks.size - 1):
        g0, g1 = blocks[b], blocks[b + 1]
        total = np.empty(g1 - g0)
        for k in range(class_ptr.size - 1):
            lo, hi = class_ptr[k], class_ptr[k + 1]
            if hi == lo:
                continue
            total[:] = 0.0
            for i in range(lo, hi):
                for g in range(g0, g1):
                    total[g - g0] += weights[order[i], g]
            for g in range(g0, g1):
                if total[g - g0] <= 0.0 and class_targets[k, g] > 0.0:
                    # Every candidate of a needed class was excluded: fall back to the prior.
                    for i in range(lo, hi):
                        weights[order[i], g] = base[order[i]]
                        total[g - g0] += base[order[i]]
            for g in range(g0, g1):
                f = class_targets[k, g] / total[g - g0] if total[g - g0] > 0.0 else 0.0
                for i in range(lo, hi):
                    weights[order[i], g] *= f
