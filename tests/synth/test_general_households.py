"""The draw's systematic sampling (against numpy's cumulative sums and searches) and the
refinement: its proposal draw (alias tables against the weights they encode) and its
acceptance of swaps (against squared deficits computed by hand)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from synthsoc.synth.general_households import (
    _accept_improving,
    _alias_tables,
    _by_area_and_gain,
    _draw_proposals,
    _drawn_members,
    _proposal_gains,
    _refine_age_fit,
    _row_squares,
    _rows_in_columns,
    _stratum_cumulative,
    _systematic_draw,
    narrow_rows,
    rows_with_age_groups,
)
from synthsoc.synth.seeds import build_template_pool
from synthsoc.synth.targets import N_COLUMNS, N_SINGLE, pool_incidence, single_year_group


def _numpy_flat(weights: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relative cumulative weights per (area, stratum), offset by stratum and area, and each
    segment's weight, with numpy's cumulative sum."""
    n_areas, n_strata = weights.shape[0], bounds.size - 1
    cumulative = np.concatenate([np.zeros((n_areas, 1)), np.cumsum(weights, axis=1)], axis=1)
    stratum_weight = cumulative[:, bounds[1:]] - cumulative[:, bounds[:-1]]
    idx = np.repeat(np.arange(n_strata), np.diff(bounds))
    total = stratum_weight[:, idx]
    rel = (cumulative[:, 1:] - cumulative[:, bounds[:-1]][:, idx]) / np.where(
        total > 0, total, 1.0)
    return (rel + idx[None, :] + (np.arange(n_areas) * n_strata)[:, None]).ravel(), \
        stratum_weight


def test_systematic_draw_is_numpys_search_of_each_cells_points() -> None:
    rng = np.random.default_rng(12)
    weights = rng.uniform(0.0, 2.0, size=(3, 14))
    weights[1, 4:9] = 0.0  # a stratum without weight in area 1
    weights[2, [0, 10]] = 0.0
    bounds = np.array([0, 4, 4, 9, 14])  # stratum 1 has no candidates
    flat, stratum_weight = _stratum_cumulative(weights, bounds)
    want_flat, want_weight = _numpy_flat(weights, bounds)
    np.testing.assert_array_equal(flat, want_flat)
    np.testing.assert_array_equal(stratum_weight, want_weight)
    row = np.array([0, 0, 2, 2, 1])
    stratum = np.array([0, 3, 2, 3, 0])
    count = np.array([3, 7, 1, 2, 4])
    u = np.array([0.0, 0.3, 0.999, 0.5, 0.25])  # u = 0 lands on the stratum's first edge
    got = _systematic_draw(flat, row, stratum, count, u, bounds, 14)
    points = (np.repeat(u, count) + np.concatenate([np.arange(c) for c in count])) / np.repeat(
        count, count)
    base = np.repeat(row * 4 + stratum, count)
    pos = np.searchsorted(want_flat, base + points, side="left") - np.repeat(row * 14, count)
    lo, hi = np.repeat(bounds[stratum], count), np.repeat(bounds[stratum + 1], count)
    np.testing.assert_array_equal(got, np.clip(pos, lo, hi - 1))
    # Each drawn candidate carries weight in its area, and each cell's draws stay in its
    # stratum.
    area = np.repeat(row, count)
    assert (weights[area, got] > 0).all() and ((got >= lo) & (got < hi)).all()


def test_drawn_members_tally_the_rows_of_the_drawn_households_by_area() -> None:
    # Candidates (rows) of members in 2 columns; six drawn households in three areas.
    a = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0], [1.0, 3.0]]))
    hh_sgg = np.array([0, 0, 1, 2, 2, 2])
    hh_pos = np.array([3, 3, 0, 1, 3, 1])
    # Area 0: candidate 3 twice; area 1: candidate 0; area 2: candidate 1 twice and 3 once.
    want = np.array([[2.0, 6.0], [1.0, 0.0], [1.0, 7.0]])
    np.testing.assert_array_equal(
        _drawn_members(a.indptr, a.indices, a.data, hh_sgg, hh_pos, 3, 2), want)


def _implied(prob: np.ndarray, alias: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Each candidate's draw probability, computed by hand from one segment's table."""
    n = hi - lo
    out = np.zeros(hi - lo)
    for j in range(lo, hi):
        out[j - lo] += prob[j] / n
        out[alias[j] - lo] += (1.0 - prob[j]) / n
    return out


def test_alias_tables_draw_each_candidate_with_its_weight_share() -> None:
    rng = np.random.default_rng(11)
    weights = rng.uniform(0.0, 3.0, size=(3, 12))
    weights[0, 2] = weights[1, 5:9] = 0.0  # candidates without weight in one area
    weights[2, 9:12] = 0.0  # a whole stratum without weight in area 2
    bounds = np.array([0, 1, 5, 9, 12])
    prob, alias = _alias_tables(weights, bounds)
    for g in range(3):
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            total = weights[g, lo:hi].sum()
            if total == 0:
                assert (alias[g, lo:hi] == -1).all()
                continue
            assert ((alias[g, lo:hi] >= lo) & (alias[g, lo:hi] < hi)).all()
            np.testing.assert_allclose(_implied(prob[g], alias[g], lo, hi),
                                       weights[g, lo:hi] / total, atol=1e-12)
            # Zero weight is never drawn: not kept, and no slot aliases to it.
            empty = np.flatnonzero(weights[g, lo:hi] == 0) + lo
            assert (prob[g, empty] == 0).all() and not np.isin(alias[g, lo:hi], empty).any()


def test_swaps_that_overshoot_together_are_not_both_accepted() -> None:
    # One si-gun-gu, columns (age 30, age 31). Candidate 0 holds a person aged 30, candidate
    # 1 a person aged 31, candidate 2 one of each. Target: one more person aged 30 than
    # drawn. Two drawn households of candidate 1 each propose candidate 0: each swap alone
    # gains 2 * (1 * 1 - 1 * (-1)) - 2 = 2, but after the first the deficit is (0, 0) and the
    # second would cost 2. A third household proposes candidate 2 (gain bound 0: skipped).
    a = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    synthetic = np.array([[3.0, 6.0]])
    targets = np.array([[4.0, 5.0]])  # deficit (1, -1)
    current = np.array([1, 1, 1])
    proposal = np.array([0, 0, 2])
    g = np.zeros(3, dtype=np.int64)
    order = np.array([0, 1])  # the promising proposals, best first
    accepted = _accept_improving(a.indptr, a.indices, a.data, synthetic, targets,
                                 targets < 1.0, order, np.array([0, 2]), g, current, proposal)
    assert accepted.tolist() == [True, False, False]
    np.testing.assert_array_equal(synthetic, [[4.0, 5.0]])


def test_the_exact_gain_counts_the_members_both_households_share() -> None:
    # Swapping candidate 0 (ages 30 and 31) for candidate 1 (ages 30 and 32) changes only
    # ages 31 and 32: the gain is 2 * (1 - (-1)) - 2 = 2 > 0 (deficit 31: -1, 32: +1); the
    # bound that ignores the shared member aged 30 would be 2 * 2 - 2 - 2 = 0.
    a = sp.csr_matrix(np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]]))
    synthetic = np.array([[2.0, 2.0, 0.0]])
    targets = np.array([[2.0, 1.0, 1.0]])
    accepted = _accept_improving(a.indptr, a.indices, a.data, synthetic, targets,
                                 targets < 1.0, np.array([0]), np.array([0, 1]),
                                 np.zeros(1, dtype=np.int64), np.array([0]), np.array([1]))
    assert accepted.tolist() == [True]
    np.testing.assert_array_equal(synthetic, targets)


def test_refinement_without_households_returns_an_empty_draw() -> None:
    # A region and scale can leave a si-gun-gu's general households empty.
    hh_pos = _refine_age_fit(np.random.default_rng(1), sp.csr_matrix(np.eye(3)),
                             np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                             np.ones((1, 3)), np.ones((1, 3)), np.zeros(3, dtype=np.int64),
                             np.array([0, 3]))
    assert hh_pos.size == 0


def test_areas_and_gains_are_ordered_as_numpys_lexsort() -> None:
    # Areas out of order, an empty area (2), equal gains (ties keep index order), and
    # proposals without gain (zero, negative, -inf), which are left out.
    rng = np.random.default_rng(5)
    g = rng.integers(0, 5, size=400)
    g[g == 2] = 3
    gain = rng.integers(-2, 6, size=400).astype(float) / 4.0
    gain[::7] = -np.inf
    order, ptr = _by_area_and_gain(g, gain, 5)
    good = np.flatnonzero(gain > 0)
    expected = good[np.lexsort((-gain[good], g[good]))]
    assert 0 < expected.size < 400
    np.testing.assert_array_equal(order, expected)
    np.testing.assert_array_equal(ptr, np.searchsorted(g[expected], np.arange(6)))
    # Gains of every size (each byte of their bits differs somewhere), some repeated.
    g = rng.integers(0, 3, size=5000)
    gain = rng.lognormal(0.0, 6.0, size=5000) * rng.choice([-1.0, 1.0], size=5000)
    gain[1::5] = gain[::5]
    order, ptr = _by_area_and_gain(g, gain, 3)
    good = np.flatnonzero(gain > 0)
    np.testing.assert_array_equal(order, good[np.lexsort((-gain[good], g[good]))])


def test_proposal_gains_are_the_bound_computed_by_hand() -> None:
    # Three candidates of one stratum, columns (age 30, age 31, age 95); the cell of age 95
    # is rare (target under one person). Deficit (2, -1, 0.5).
    dense = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 0.0, 1.0]])
    a = sp.csr_matrix(dense)
    squares = (dense**2).sum(axis=1)
    deficit = np.array([[2.0, -1.0, 0.5]])
    rare = np.array([[False, False, True]])
    current = np.array([1, 0, 0, 2])
    proposal = np.array([0, 1, 2, -1])  # the last: no weight in its stratum
    in_rare = _rows_in_columns(a.indptr, a.indices, rare.any(axis=0))
    assert in_rare.tolist() == [False, False, True]
    gain = _proposal_gains(a.indptr, a.indices, a.data, squares, np.zeros(4, dtype=np.int64),
                           current, proposal, deficit, rare, in_rare)
    # 1 -> 0: 2 * (2 - (-2)) - 1 - 4 = 3; 0 -> 1: 2 * (-2 - 2) - 4 - 1 = -13; 0 -> 2 adds a
    # person aged 95: -inf; no proposal: the household itself, -inf.
    assert gain.tolist() == [3.0, -13.0, -np.inf, -np.inf]
    assert proposal.tolist() == [0, 1, 2, 2]


def test_proposals_follow_the_alias_tables_and_skip_weightless_strata() -> None:
    # Stratum 0: candidates 0-2 (weights 1, 0, 3); stratum 1: candidate 3 without weight.
    weights = np.array([[1.0, 0.0, 3.0, 0.0]])
    bounds = np.array([0, 3, 4])
    prob, alias = _alias_tables(weights, bounds)
    stratum = np.array([0, 0, 0, 1])
    u = np.linspace(0.0, 1.0, 4000, endpoint=False)
    current = np.zeros(u.size, dtype=np.int64)
    drawn = _draw_proposals(prob, alias, bounds, stratum, np.zeros(u.size, dtype=np.int64),
                            current, u)
    np.testing.assert_array_equal(np.bincount(drawn, minlength=3), [1000, 0, 3000])
    none = _draw_proposals(prob, alias, bounds, stratum, np.zeros(1, dtype=np.int64),
                           np.array([3]), np.array([0.5]))
    assert none.tolist() == [-1]


def test_narrow_rows_keep_every_value_and_fall_back_where_a_type_cannot_hold_it() -> None:
    a = sp.csr_matrix(np.array([[1.0, 0.0, 7.0], [0.0, 2.0, 0.0]]))
    indices, data = narrow_rows(a)
    assert indices.dtype == np.int16 and data.dtype == np.int8
    assert indices.tolist() == [0, 2, 1] and data.tolist() == [1, 7, 2]
    # A fraction, a count over 127 and 2**15 columns each keep the stored type.
    assert narrow_rows(sp.csr_matrix(np.array([[0.5, 1.0]])))[1].dtype == np.float64
    assert narrow_rows(sp.csr_matrix(np.array([[128.0, 1.0]])))[1].dtype == np.float64
    wide = sp.csr_matrix(([1.0], ([0], [2**15])), shape=(1, 2**15 + 1))
    assert narrow_rows(wide)[0].dtype == np.int32
    assert narrow_rows(sp.csr_matrix((0, 3)))[1].dtype == np.int8


def test_the_refinement_kernels_give_the_same_on_narrow_and_stored_rows() -> None:
    # Random member counts, deficits with fractions: gains, acceptances and tallies must be
    # the same floats whether the rows are read as int16/int8 or int32/float64.
    rng = np.random.default_rng(3)
    dense = rng.integers(0, 4, size=(40, 9)).astype(float) * (rng.random((40, 9)) < 0.4)
    a = sp.csr_matrix(dense)
    indices, data = narrow_rows(a)
    assert data.dtype == np.int8
    squares = (dense**2).sum(axis=1)
    g = rng.integers(0, 3, size=200)
    current = rng.integers(0, 40, size=200)
    deficit = rng.normal(0.0, 3.0, size=(3, 9))
    rare = rng.random((3, 9)) < 0.2
    proposal = rng.permutation(np.tile(np.arange(40), 5))
    gains = [_proposal_gains(a.indptr, ind, dat, squares, g, current, proposal.copy(),
                             deficit, rare, _rows_in_columns(a.indptr, ind, rare.any(axis=0)))
             for ind, dat in ((a.indices, a.data), (indices, data))]
    np.testing.assert_array_equal(gains[0], gains[1])
    # Marking every candidate (every cell looked up) gives the same gains.
    every = np.ones(40, dtype=bool)
    np.testing.assert_array_equal(gains[0], _proposal_gains(
        a.indptr, a.indices, a.data, squares, g, current, proposal.copy(), deficit, rare,
        every))
    assert np.isfinite(gains[0]).any() and np.isinf(gains[0]).any()
    order = np.lexsort((-gains[0], g))
    ptr = np.searchsorted(g[order], np.arange(4))
    results = []
    for ind, dat in ((a.indices, a.data), (indices, data)):
        synthetic = _drawn_members(a.indptr, ind, dat, g, current, 3, 9)
        targets = synthetic + deficit
        accepted = _accept_improving(a.indptr, ind, dat, synthetic, targets, rare, order,
                                     ptr, g, current, proposal)
        results.append((accepted, synthetic))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert results[0][0].any()


def test_row_squares_are_the_dense_rows_sums_of_squares() -> None:
    dense = np.array([[1.0, 0.0, 3.0], [0.0, 0.0, 0.0], [2.0, 2.0, 0.0]])
    a = sp.csr_matrix(dense)
    assert _row_squares(a.indptr, a.data).tolist() == [10.0, 0.0, 8.0]
    assert _row_squares(a.indptr, narrow_rows(a)[1]).tolist() == [10.0, 0.0, 8.0]


def test_rows_with_age_groups_are_scipys_product_stacked_and_selected() -> None:
    pool = build_template_pool(2)
    incidence = pool_incidence(pool)
    order = np.random.default_rng(4).permutation(pool.n_households)
    # scipy's construction: the single-year block times a 0/1 merge, stacked, rows selected.
    merge = sp.csr_matrix((np.ones(N_SINGLE), (np.arange(N_SINGLE), single_year_group())))
    want = sp.hstack([incidence, incidence[:, :N_SINGLE] @ merge], format="csr")[order]
    want.sort_indices()
    got = rows_with_age_groups(incidence, order)
    assert got.shape == want.shape and got.has_sorted_indices
    np.testing.assert_array_equal(got.indptr, want.indptr)
    np.testing.assert_array_equal(got.indices, want.indices)
    np.testing.assert_array_equal(got.data, want.data)
    assert (got.data[got.indices >= N_COLUMNS] > 1).any()  # sums over several members
