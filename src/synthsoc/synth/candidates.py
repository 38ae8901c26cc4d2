"""The candidate pool of general households: real rosters first, templates only for the gaps.

Every KGSS roster that keeps the structural rules enters as ``rosters.VARIANTS_PER_ROSTER``
age-shifted copies (``synth.rosters``). Templates (``synth.seeds``) are added only where the
rosters leave a cell thin: for every column of the general-household fit (``synth.targets``:
persons by sex x single year, persons living with a spouse by sex x 5-year age, one-person
householders by sex x 10-year age) and every household size with fewer than
``MIN_CANDIDATES`` distinct roster candidates, template candidates that fall in that cell are
added until it has ``MIN_CANDIDATES`` (or the templates run out, which ``PoolCoverage``
reports). A template's prior weight is the median prior of the roster candidates of its size.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from synthsoc.synth.rosters import Rosters, load_rosters, roster_candidates
from synthsoc.synth.seeds import MAX_SIZE, SeedPool, build_template_pool
from synthsoc.synth.targets import N_COLUMNS, incidence_cells

MIN_CANDIDATES = 100


@dataclass(frozen=True)
class PoolCoverage:
    n_roster_candidates: int
    n_template_candidates: int
    rosters_used: int
    rosters_left_out: int  # break a structural rule at every age shift
    cells_topped_up: int  # fit columns and sizes the rosters left under MIN_CANDIDATES
    min_candidates_per_column: int  # distinct candidates in the thinnest fit column
    min_candidates_per_size: int
    cells_short: int  # columns and sizes still under MIN_CANDIDATES after the templates
    cells_structurally_empty: int  # fit columns no household can fall in (couples under 15)


@dataclass(frozen=True)
class CandidatePool:
    pool: SeedPool
    coverage: PoolCoverage


def _concat(a: SeedPool, b: SeedPool) -> SeedPool:
    return SeedPool(
        hh_size=np.concatenate([a.hh_size, b.hh_size]),
        hh_type=np.concatenate([a.hh_type, b.hh_type]),
        hh_offset=np.concatenate([a.hh_offset, b.hh_offset + a.p_hh.size]),
        p_hh=np.concatenate([a.p_hh, b.p_hh + a.n_households]).astype(np.int32),
        p_role=np.concatenate([a.p_role, b.p_role]),
        p_sex=np.concatenate([a.p_sex, b.p_sex]),
        p_age=np.concatenate([a.p_age, b.p_age]),
        hh_source=np.concatenate([a.hh_source, b.hh_source]),
        hh_prior=np.concatenate([a.hh_prior, b.hh_prior]),
    )


def _subset(pool: SeedPool, keep: np.ndarray) -> SeedPool:
    """The candidates ``keep``, in that order, members renumbered."""
    size = pool.hh_size[keep].astype(np.int64)
    starts = np.cumsum(size) - size
    within = np.arange(int(size.sum())) - np.repeat(starts, size)
    src = np.repeat(pool.hh_offset[keep], size) + within
    return SeedPool(
        hh_size=pool.hh_size[keep], hh_type=pool.hh_type[keep],
        hh_offset=starts.astype(np.int64),
        p_hh=np.repeat(np.arange(keep.size, dtype=np.int32), size),
        p_role=pool.p_role[src], p_sex=pool.p_sex[src], p_age=pool.p_age[src],
        hh_source=pool.hh_source[keep], hh_prior=pool.hh_prior[keep],
    )


def _cells(pool: SeedPool) -> sp.csr_matrix:
    """(candidates, fit columns + sizes), 1 where the candidate falls in the cell."""
    rows, columns, _ = incidence_cells(pool)  # every entry holds a member
    n = pool.n_households
    cells = sp.csr_matrix(
        (np.ones(rows.size + n, dtype=np.int32),
         (np.concatenate([rows, np.arange(n)]),
          np.concatenate([columns, N_COLUMNS + pool.hh_size.astype(np.int64) - 1]))),
        shape=(n, N_COLUMNS + MAX_SIZE))
    cells.data[:] = 1  # a cell listed twice is one cell
    return cells


def _gap_templates(rng: np.random.Generator, cells: sp.csr_matrix, have: np.ndarray,
                   minimum: int) -> np.ndarray:
    """Template candidates (rows of ``cells``) that bring every cell to ``minimum``
    candidates where the rosters have ``have``; cells are served thinnest first, and a
    template already chosen counts for every cell it falls in."""
    n = cells.shape[0]
    chosen = np.zeros(n, dtype=bool)
    in_chosen = np.zeros(cells.shape[1], dtype=np.int64)  # chosen templates in each cell
    by_cell = cells.tocsc()
    by_cell.sort_indices()
    rank = rng.permutation(n)
    for j in np.argsort(have, kind="stable"):
        need = minimum - int(have[j]) - int(in_chosen[j])
        if need <= 0:
            continue
        rows = by_cell.indices[by_cell.indptr[j]:by_cell.indptr[j + 1]]
        rows = rows[~chosen[rows]]
        new = rows[np.argsort(rank[rows])[:need]]
        chosen[new] = True
        in_chosen += np.bincount(cells[new].indices, minlength=cells.shape[1])
    return np.flatnonzero(chosen)


def build_seed_pool(seed: int, rosters: Rosters | None = None,
                    minimum: int = MIN_CANDIDATES) -> CandidatePool:
    """Roster candidates plus the templates for what they leave thin; deterministic for a
    given ``seed``. ``rosters`` defaults to the bundled KGSS rosters."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 102]))
    real = roster_candidates(rng, load_rosters() if rosters is None else rosters)
    templates = build_template_pool(seed)
    have = np.bincount(_cells(real.pool).indices,  # distinct roster candidates per cell
                       minlength=N_COLUMNS + MAX_SIZE)
    template_cells = _cells(templates)
    picked = _gap_templates(rng, template_cells, have, minimum)
    median = np.zeros(MAX_SIZE)
    for k in range(1, MAX_SIZE + 1):
        of_size = real.pool.hh_prior[real.pool.hh_size == k]
        median[k - 1] = float(np.median(of_size)) if of_size.size else 1.0
    added = _subset(templates, picked)
    added = replace(added, hh_prior=median[added.hh_size - 1])
    pool = _concat(real.pool, added)
    # Candidates of one size next to each other: the fit rescales each size class in one
    # sequential pass over its weights.
    pool = _subset(pool, np.argsort(pool.hh_size, kind="stable"))
    total = have + np.bincount(template_cells[picked].indices, minlength=have.size)
    # Cells no roster or template can fall in break a rule by definition (couples under 15).
    possible = (have + np.bincount(template_cells.indices, minlength=have.size)) > 0
    column = possible.copy()
    column[N_COLUMNS:] = False
    size = possible.copy()
    size[:N_COLUMNS] = False
    coverage = PoolCoverage(
        n_roster_candidates=real.pool.n_households,
        n_template_candidates=added.n_households,
        rosters_used=int(np.unique(real.pool.hh_source).size),
        rosters_left_out=real.rosters_left_out,
        cells_topped_up=int(np.count_nonzero(possible & (have < minimum))),
        min_candidates_per_column=int(total[column].min()),
        min_candidates_per_size=int(total[size].min()),
        cells_short=int(np.count_nonzero(possible & (total < minimum))),
        cells_structurally_empty=int(np.count_nonzero(~possible)),
    )
    return CandidatePool(pool=pool, coverage=coverage)
