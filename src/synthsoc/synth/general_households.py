"""General (private) households: fit candidate weights per si-gun-gu, then draw them per area.

1. ``fit.fit_weights`` weights the national candidate pool for every si-gun-gu at once so
   that households by size and persons by sex x 5-year age group match that si-gun-gu.
2. Each eup-myeon-dong then draws exactly its census count of households of every size from
   its si-gun-gu's weighted candidates by systematic sampling (candidates ordered by type
   and head age), which keeps the drawn mix close to the weights without a loop per area.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from synthsoc.data.reference import AGE_GROUPS
from synthsoc.synth.fit import FitResult, fit_weights
from synthsoc.synth.seeds import MAX_SIZE, SeedPool

N_AGE = len(AGE_GROUPS)


@dataclass(frozen=True)
class GeneralHouseholds:
    hh_emd: np.ndarray  # int32 area of each household
    hh_seed: np.ndarray  # int32 candidate drawn for each household
    fit: FitResult


def person_category(sex: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Index of the sex x 5-year age group cell (0..2*21-1)."""
    group = np.minimum(age // 5, N_AGE - 1)
    return sex.astype(np.int64) * N_AGE + group


def candidate_incidence(pool: SeedPool) -> sp.csr_matrix:
    """Members of each candidate household by sex x age group."""
    cat = person_category(pool.p_sex, pool.p_age)
    return sp.csr_matrix(
        (np.ones(cat.size), (pool.p_hh.astype(np.int64), cat)),
        shape=(pool.n_households, 2 * N_AGE),
    )


def draw_general_households(
    rng: np.random.Generator,
    pool: SeedPool,
    size_counts: np.ndarray,
    emd_sgg: np.ndarray,
    person_targets: np.ndarray,
) -> GeneralHouseholds:
    """Fit and draw. ``size_counts`` (n_emd, MAX_SIZE); ``person_targets`` (n_sgg, 42)."""
    n_sgg = person_targets.shape[0]
    class_targets = np.zeros((n_sgg, MAX_SIZE))
    np.add.at(class_targets, emd_sgg, size_counts)
    fit = fit_weights(candidate_incidence(pool), person_targets, pool.hh_size - 1,
                      class_targets, max_iter=100, tol=1e-3)
    # Candidates ordered by size, type, head age: the order systematic sampling walks.
    head_age = pool.p_age[pool.hh_offset]
    order = np.lexsort((head_age, pool.hh_type, pool.hh_size))
    sizes_sorted = pool.hh_size[order]
    class_start = np.searchsorted(sizes_sorted, np.arange(1, MAX_SIZE + 1))
    class_end = np.searchsorted(sizes_sorted, np.arange(1, MAX_SIZE + 1), side="right")

    hh_emd_parts, hh_seed_parts = [], []
    weights = fit.weights[:, order]
    for k in range(MAX_SIZE):
        lo, hi = int(class_start[k]), int(class_end[k])
        need = size_counts[:, k]
        if hi <= lo or need.sum() == 0:
            continue
        w = weights[:, lo:hi]
        totals = w.sum(axis=1, keepdims=True)
        cum = np.cumsum(w, axis=1) / np.where(totals > 0, totals, 1.0)
        cum[:, -1] = 1.0
        areas = np.flatnonzero(need)
        n = need[areas]
        owner = np.repeat(areas, n)
        within = np.arange(owner.size) - np.repeat(np.cumsum(n) - n, n)
        start = rng.random(areas.size)
        points = (np.repeat(start, n) + within) / np.repeat(n, n)
        sgg = emd_sgg[owner]
        # One global search: row r of `cum` occupies the interval [r, r + 1).
        flat = (cum + np.arange(n_sgg)[:, None]).ravel()
        pos = np.searchsorted(flat, sgg + points, side="right")
        pick = np.minimum(pos - sgg * (hi - lo), hi - lo - 1)
        hh_emd_parts.append(owner.astype(np.int32))
        hh_seed_parts.append(order[lo + pick].astype(np.int32))
    hh_emd = np.concatenate(hh_emd_parts) if hh_emd_parts else np.zeros(0, np.int32)
    hh_seed = np.concatenate(hh_seed_parts) if hh_seed_parts else np.zeros(0, np.int32)
    by_area = np.argsort(hh_emd, kind="stable")
    return GeneralHouseholds(hh_emd=hh_emd[by_area], hh_seed=hh_seed[by_area], fit=fit)
