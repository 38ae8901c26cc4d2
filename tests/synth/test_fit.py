"""The fitting step on small problems whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from synthsoc.synth.fit import (
    MAX_AREA_BLOCK,
    _patterns_in_order,
    _same_rows,
    area_block,
    fit_weights,
    identical_candidates,
)


def test_one_person_households_reproduce_ipf_independence_solution() -> None:
    # 2 x 3 table, one candidate per cell, uniform prior: the max-entropy answer to row and
    # column margins is r_i * c_j / N.
    rows, cols = np.array([30.0, 70.0]), np.array([20.0, 50.0, 30.0])
    cells = [(i, j) for i in range(2) for j in range(3)]
    incidence = sp.csr_matrix(np.array([[1.0 * (j == c) for c in range(3)] for _, j in cells]))
    classes = np.array([i for i, _ in cells])
    fit = fit_weights(incidence, cols[None, :], classes, rows[None, :], tol=1e-10, max_iter=2000)
    expected = np.outer(rows, cols).ravel() / rows.sum()
    np.testing.assert_allclose(fit.weights[0], expected, rtol=1e-6)


def test_household_and_person_controls_hold_together() -> None:
    # Ye et al. (2009)-style problem: 2 household types, 3 person types, 8 households.
    persons = np.array([
        [1, 1, 1], [1, 0, 1], [2, 1, 0], [1, 1, 2],
        [0, 2, 1], [1, 0, 0], [0, 1, 2], [2, 0, 1],
    ], dtype=float)
    classes = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    truth = np.array([3.0, 5.0, 2.0, 4.0, 1.0, 6.0, 2.0, 3.0])
    person_targets = truth @ persons
    class_targets = np.array([truth[classes == 0].sum(), truth[classes == 1].sum()])
    fit = fit_weights(sp.csr_matrix(persons), person_targets[None, :], classes,
                      class_targets[None, :], tol=1e-9, max_iter=5000)
    w = fit.weights[0]
    np.testing.assert_allclose(w @ persons, person_targets, rtol=1e-6)
    np.testing.assert_allclose([w[classes == 0].sum(), w[classes == 1].sum()], class_targets)
    assert fit.max_rel_error < 1e-6
    assert fit.infeasible == 0


def test_structural_zero_excludes_contributing_households_exactly() -> None:
    persons = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1]], dtype=float)
    classes = np.zeros(5, dtype=int)
    # Nobody of person type 1: households 1 and 2 must get weight exactly 0, not epsilon.
    fit = fit_weights(sp.csr_matrix(persons), np.array([[6.0, 0.0, 5.0]]), classes,
                      np.array([[8.0]]), tol=1e-10, max_iter=5000)
    w = fit.weights[0]
    assert w[1] == 0.0 and w[2] == 0.0
    np.testing.assert_allclose(w, [3.0, 0.0, 0.0, 2.0, 3.0], atol=1e-6)


def test_unreachable_target_is_reported_not_forced() -> None:
    persons = np.array([[1, 0], [2, 0]], dtype=float)
    fit = fit_weights(sp.csr_matrix(persons), np.array([[5.0, 3.0]]), np.zeros(2, dtype=int),
                      np.array([[3.0]]))
    assert fit.infeasible == 1
    assert fit.infeasible_at.tolist() == [[0, 1]]
    assert not fit.infeasible_in_pool[0]  # no candidate holds a person of type 1
    assert np.all(np.isfinite(fit.weights))


def test_target_cut_off_by_a_structural_zero_is_reported_with_its_cause() -> None:
    # Type 2 is held only by household 1, which also holds a type 1 person; type 1 has a
    # zero target in area 0 (not in area 1), so type 2 is unreachable in area 0 only.
    persons = np.array([[1, 0, 0], [0, 1, 1]], dtype=float)
    fit = fit_weights(sp.csr_matrix(persons), np.array([[4.0, 0.0, 2.0], [4.0, 2.0, 2.0]]),
                      np.zeros(2, dtype=int), np.array([[6.0], [6.0]]))
    assert fit.infeasible == 1
    assert fit.infeasible_at.tolist() == [[0, 2]]
    assert fit.infeasible_in_pool.tolist() == [True]


def test_areas_are_fitted_independently_in_one_call() -> None:
    persons = np.array([[1, 0], [0, 1], [1, 1]], dtype=float)
    classes = np.array([0, 0, 1])
    person_targets = np.array([[4.0, 6.0], [7.0, 3.0]])
    class_targets = np.array([[6.0, 2.0], [8.0, 1.0]])
    fit = fit_weights(sp.csr_matrix(persons), person_targets, classes, class_targets,
                      tol=1e-10, max_iter=5000)
    np.testing.assert_allclose(fit.weights @ persons, person_targets, rtol=1e-6)


def test_each_area_is_fitted_as_if_alone_across_blocks_of_areas() -> None:
    # Forty areas span several of the kernel's blocks on any thread count (at most 16 areas
    # a block); every area's weights must be exactly those of fitting it alone, whether it
    # converges early or runs to max_iter.
    rng = np.random.default_rng(3)
    persons = rng.integers(0, 3, size=(12, 4)).astype(float)
    classes = np.arange(12) % 2
    truth = rng.uniform(0.5, 5.0, size=(40, 12))
    truth[::2] = 1.0 + 0.01 * rng.random((20, 12))  # near the prior: converge at sweep 10
    person_targets = truth @ persons
    class_targets = np.stack([truth[:, classes == k].sum(axis=1) for k in (0, 1)], axis=1)
    together = fit_weights(sp.csr_matrix(persons), person_targets, classes, class_targets,
                           tol=1e-3, max_iter=40)
    sweeps = []
    for g in range(40):
        alone = fit_weights(sp.csr_matrix(persons), person_targets[g:g + 1], classes,
                            class_targets[g:g + 1], tol=1e-3, max_iter=40)
        sweeps.append(alone.iterations)
        np.testing.assert_array_equal(together.weights[g], alone.weights[0])
    assert all(sweeps[g] == 10 for g in range(0, 40, 2))
    assert 40 in sweeps and together.iterations == 40


def test_candidates_out_of_class_order_get_the_weights_of_the_sorted_problem() -> None:
    # The kernel sweeps each class as one run of candidates: a caller's candidates in any
    # order get exactly the weights of the same problem listed class by class.
    rng = np.random.default_rng(8)
    persons = rng.integers(0, 3, size=(30, 5)).astype(float)
    classes = rng.integers(0, 3, size=30)
    prior = rng.uniform(0.5, 2.0, size=30)
    truth = rng.uniform(0.5, 5.0, size=(3, 30))
    class_targets = np.stack([truth[:, classes == k].sum(axis=1) for k in range(3)], axis=1)
    shuffled = fit_weights(sp.csr_matrix(persons), truth @ persons, classes, class_targets,
                           prior=prior, tol=1e-6, max_iter=60)
    by_class = np.argsort(classes, kind="stable")
    assert not np.array_equal(by_class, np.arange(30))
    ordered = fit_weights(sp.csr_matrix(persons[by_class]), truth @ persons,
                          classes[by_class], class_targets, prior=prior[by_class],
                          tol=1e-6, max_iter=60)
    np.testing.assert_array_equal(shuffled.weights[:, by_class], ordered.weights)
    assert shuffled.iterations == ordered.iterations
    np.testing.assert_allclose([shuffled.weights[:, classes == k].sum(axis=1)
                                for k in range(3)], class_targets.T)


def test_reported_errors_are_those_of_the_weights_recounted_with_numpy() -> None:
    # Stopped after 3 sweeps, far from the targets: the largest absolute and relative misses
    # over the reachable cells, recounted from the returned weights by a dense product.
    rng = np.random.default_rng(4)
    persons = rng.integers(0, 3, size=(50, 6)).astype(float)
    persons[:, 5] = 0.0  # a column no candidate reaches
    classes = np.sort(rng.integers(0, 3, size=50))
    truth = rng.uniform(0.5, 5.0, size=(4, 50))
    targets = truth @ persons + rng.uniform(0.0, 3.0, size=(4, 6))
    targets[1, 2] = 0.0  # a structural zero: its cell is not measured
    class_targets = np.stack([truth[:, classes == k].sum(axis=1) for k in range(3)], axis=1)
    fit = fit_weights(sp.csr_matrix(persons), targets, classes, class_targets, max_iter=3,
                      tol=1e-9)
    measured = (targets > 0) & (persons.sum(axis=0) > 0)[None, :]
    miss = np.abs(fit.weights @ persons - targets)[measured]
    assert fit.max_abs_error == pytest.approx(miss.max(), rel=1e-12)
    assert fit.max_rel_error == pytest.approx(
        (miss / np.maximum(targets[measured], 1.0)).max(), rel=1e-12)
    assert fit.max_abs_error > 0.1 and fit.infeasible == 4


def test_identical_candidates_are_found_in_order_whatever_their_class_or_values() -> None:
    rows = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0], [1.0, 0.0, 2.0], [1.0, 0.0, 2.0],
                     [0.0, 1.0, 0.0], [1.0, 0.0, 3.0]])
    classes = np.array([0, 0, 0, 1, 1, 1])  # rows 0, 2 alike; 3 has another class
    first, pattern = identical_candidates(sp.csr_matrix(rows), classes)
    assert first.tolist() == [0, 1, 3, 4, 5]
    assert pattern.tolist() == [0, 1, 0, 2, 3, 4]
    a = sp.csr_matrix(rows)
    assert _same_rows(a.indptr, a.indices, a.data, classes, np.array([0, 1, 0, 3, 4, 5]))
    # What a hash collision would propose is refused cell by cell.
    assert not _same_rows(a.indptr, a.indices, a.data, classes, np.array([0, 1, 0, 3, 4, 0]))
    assert not _same_rows(a.indptr, a.indices, a.data, classes, np.array([0, 1, 0, 0, 4, 5]))


def test_patterns_in_order_match_numpys_unique_by_first_appearance() -> None:
    rng = np.random.default_rng(2)
    # Keys sharing their low bits (one slot of the table), repeated, and zero.
    keys = (rng.integers(0, 40, size=500).astype(np.uint64) << np.uint64(20)) | np.uint64(5)
    keys[::9] = 0
    first, rank = _patterns_in_order(keys)
    _, where, inverse = np.unique(keys, return_index=True, return_inverse=True)
    by_first = np.argsort(where)
    np.testing.assert_array_equal(first, where[by_first])
    np.testing.assert_array_equal(keys[first][rank], keys)
    assert (np.diff(first) > 0).all() and rank[0] == 0 and inverse.max() + 1 == first.size
    assert _patterns_in_order(np.zeros(0, dtype=np.uint64))[0].size == 0


def test_identical_candidates_share_their_patterns_weight_by_prior() -> None:
    # Each of 8 distinct candidates is listed twice with priors splitting 1 as p and 1 - p:
    # every copy ends with its prior's share of the weight the candidate gets alone.
    rng = np.random.default_rng(6)
    persons = rng.integers(0, 3, size=(8, 4)).astype(float)
    persons[:, 0] += 1.0  # no two candidates alike, no empty household
    classes = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    truth = rng.uniform(0.5, 4.0, size=(3, 8))
    targets = truth @ persons
    class_targets = np.stack([truth[:, classes == k].sum(axis=1) for k in range(3)], axis=1)
    alone = fit_weights(sp.csr_matrix(persons), targets, classes, class_targets, tol=1e-9,
                        max_iter=400)
    assert identical_candidates(sp.csr_matrix(persons), classes)[0].size == 8
    split = rng.uniform(0.1, 0.9, size=8)
    twice = fit_weights(sp.csr_matrix(np.repeat(persons, 2, axis=0)), targets,
                        np.repeat(classes, 2), class_targets,
                        prior=np.stack([split, 1.0 - split], axis=1).ravel(),
                        tol=1e-9, max_iter=400)
    np.testing.assert_allclose(twice.weights[:, 0::2], alone.weights * split, rtol=1e-12)
    np.testing.assert_allclose(twice.weights[:, 1::2], alone.weights * (1.0 - split),
                               rtol=1e-12)
    assert twice.iterations == alone.iterations
    assert twice.max_rel_error == pytest.approx(alone.max_rel_error, rel=1e-9)


def test_a_negative_missing_or_misshapen_prior_is_refused() -> None:
    args = (sp.csr_matrix(np.eye(2)), np.ones((1, 2)), np.zeros(2, dtype=int),
            np.array([[2.0]]))
    for prior in (np.array([1.0, -1.0]), np.array([1.0, np.nan])):
        with pytest.raises(ValueError, match="prior weights must be finite and non-negative"):
            fit_weights(*args, prior=prior)
    # Too long: with the candidates out of class order it must not be cut silently either.
    for classes in (np.array([0, 0]), np.array([1, 0])):
        with pytest.raises(ValueError, match=r"prior must give one weight per candidate"):
            fit_weights(args[0], args[1], classes, np.array([[1.0, 1.0]]),
                        prior=np.ones(3))


def test_area_blocks_share_out_evenly_over_the_threads() -> None:
    # (areas, threads) -> areas a block, worked by hand: as wide as 16 allows, as many
    # blocks on every thread.
    assert MAX_AREA_BLOCK == 16
    assert area_block(25, 2) == 13  # 2 blocks: 13 + 12
    assert area_block(252, 2) == 16  # 16 blocks, 8 a thread
    assert area_block(252, 16) == 16  # 16 blocks, 1 a thread
    assert area_block(40, 16) == 3  # 16 lanes of at most 3 areas
    assert area_block(1, 4) == 1
    assert area_block(0, 2) == 1
