"""The fast draws give exactly what the numpy sorts and draws they replace give."""

from __future__ import annotations

import numpy as np
import pytest

from synthsoc.synth.attributes import _runs_started, age_sex_cells, draw_small_table
from synthsoc.synth.sampling import (
    UNIFORM_CHUNK,
    gathered,
    smallest_keys_per_group,
    stable_counting_order,
    uniform_chunks,
    uniforms_at,
    weighted_choice,
    weighted_choice_into,
)


def _by_lexsort(keys: np.ndarray, group: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The selection as the draws made it before: sort by (group, key), rank in the group."""
    order = np.lexsort((keys, group))
    ranked = group[order]
    rank = np.arange(order.size) - np.searchsorted(ranked, ranked, side="left")
    return np.sort(order[rank < wanted[ranked]])


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize(("n", "groups"), [(0, 3), (1, 1), (500, 7), (20_000, 250)])
def test_smallest_keys_per_group_is_the_sorted_selection(n: int, groups: int,
                                                        ties: bool) -> None:
    rng = np.random.default_rng(n + groups)
    keys = rng.random(n)
    if ties:
        keys = np.round(keys, 1)  # many equal keys at every cut-off
    group = rng.integers(0, groups, n)
    wanted = rng.integers(0, max(2 * n // groups, 1) + 1, groups)
    wanted[0] = 0
    if groups > 1:
        wanted[1] = n  # more than the group holds: all of it
    got = smallest_keys_per_group(keys, group, wanted)
    np.testing.assert_array_equal(got, _by_lexsort(keys, group, wanted))
    counts = np.bincount(group[got], minlength=groups)
    np.testing.assert_array_equal(counts, np.minimum(wanted, np.bincount(group, minlength=groups)))


def test_smallest_keys_per_group_names_a_bad_group() -> None:
    with pytest.raises(ValueError, match=r"group values must lie in \[0, 2\)"):
        smallest_keys_per_group(np.zeros(3), np.array([0, 1, 2]), np.array([1, 1]))


@pytest.mark.parametrize("n_weights", [1, 2, 9, 300])
def test_weighted_choice_matches_numpy_choice(n_weights: int) -> None:
    p = np.random.default_rng(n_weights).random(n_weights)
    if n_weights > 2:
        p[[0, n_weights // 2]] = 0.0  # zero weights are never drawn
    p /= p.sum()
    ours, theirs = np.random.default_rng(7), np.random.default_rng(7)
    got = weighted_choice(ours, 50_000, p)
    np.testing.assert_array_equal(got, theirs.choice(n_weights, size=50_000, p=p))
    assert ours.random() == theirs.random()  # the same random numbers consumed


def test_weighted_choice_over_several_chunks_in_a_narrow_type_matches_numpy_choice() -> None:
    p = np.random.default_rng(3).random(40)
    p /= p.sum()
    n = 2 * UNIFORM_CHUNK + 17  # three chunks of uniforms, the last a partial one
    ours, theirs = np.random.default_rng(8), np.random.default_rng(8)
    got = weighted_choice(ours, n, p, dtype=np.int8)
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, theirs.choice(40, size=n, p=p))
    assert ours.random() == theirs.random()
    with pytest.raises(ValueError, match="200 weights do not fit in int8"):
        weighted_choice(ours, 5, np.full(200, 1 / 200), dtype=np.int8)


def test_weighted_choice_into_places_numpys_choices_at_the_positions() -> None:
    p = np.array([0.5, 0.0, 0.2, 0.3])
    values = np.array([10, 11, 12, 13])
    positions = np.random.default_rng(2).permutation(UNIFORM_CHUNK + 9)[:UNIFORM_CHUNK + 3]
    out = np.full(UNIFORM_CHUNK + 9, -1, dtype=np.int32)
    ours, theirs = np.random.default_rng(10), np.random.default_rng(10)
    weighted_choice_into(ours, p, values, positions, out)
    want = np.full(out.size, -1, dtype=np.int32)
    want[positions] = values[theirs.choice(4, size=positions.size, p=p)]
    np.testing.assert_array_equal(out, want)
    assert ours.random() == theirs.random()


def test_uniforms_in_chunks_and_at_positions_are_the_uniforms_of_one_call() -> None:
    n = UNIFORM_CHUNK + 1000
    whole = np.random.default_rng(4).random(n)
    rng = np.random.default_rng(4)
    pieces = list(uniform_chunks(rng, n, chunk=300_000))
    assert [start for start, _ in pieces] == [0, 300_000, 600_000, 900_000]
    np.testing.assert_array_equal(np.concatenate([u for _, u in pieces]), whole)
    positions = np.random.default_rng(5).integers(0, n, 5000)
    positions[:3] = [n - 1, 0, n - 1]  # both ends, one of them twice
    rng = np.random.default_rng(4)
    np.testing.assert_array_equal(uniforms_at(rng, n, positions), whole[positions])
    assert rng.random() == np.random.default_rng(4).random(n + 1)[-1]  # n consumed


@pytest.mark.parametrize("n", [0, 1, 10_000])
def test_stable_counting_order_is_the_stable_argsort(n: int) -> None:
    codes = np.random.default_rng(n).integers(0, 7, n).astype(np.int8)
    order, bounds = stable_counting_order(codes, 9)  # codes 7 and 8 occur nowhere
    assert order.dtype == np.int32
    np.testing.assert_array_equal(order, np.argsort(codes, kind="stable"))
    np.testing.assert_array_equal(bounds, np.searchsorted(np.sort(codes), np.arange(10)))
    with pytest.raises(ValueError, match=r"codes must lie in \[0, 3\)"):
        stable_counting_order(np.array([0, 3], dtype=np.int8), 3)


def test_draw_small_table_draws_each_row_from_its_group_cumulative_shares() -> None:
    table = np.array([[1.0, 1.0, 2.0], [0.0, 2.0, 0.0], [0.0, 3.0, 1.0]])
    group = np.random.default_rng(6).integers(0, 3, UNIFORM_CHUNK + 5)
    got = draw_small_table(np.random.default_rng(9), group, table)
    u = np.random.default_rng(9).random(group.size)  # by hand: the uniform against the cuts
    cuts = np.array([[0.25, 0.5], [0.0, 1.0], [0.0, 0.75]])[group]
    np.testing.assert_array_equal(got, (u[:, None] >= cuts).sum(axis=1))


def _by_argsort(score: np.ndarray, first: np.ndarray) -> np.ndarray:
    by_position = np.zeros(score.size, dtype=np.int64)
    for bound in first:
        by_position[bound:] += 1
    out = np.empty(score.size, dtype=np.int64)
    out[np.argsort(score, kind="stable")] = by_position
    return out


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("n", [1, 40, 30_000])
def test_income_cut_offs_match_the_stable_ranking(n: int, ties: bool) -> None:
    rng = np.random.default_rng(n)
    score = rng.normal(size=n)
    if ties:
        score = np.round(score, 1)
    first = np.sort(rng.integers(0, n, 9))
    first[3] = first[2]  # an empty bracket
    np.testing.assert_array_equal(_runs_started(score, first), _by_argsort(score, first))


def test_positioned_draws_refuse_positions_and_values_that_do_not_fit() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError,
                       match=r"uniforms_at: positions must lie in \[0, 10\), got 0..10"):
        uniforms_at(rng, 10, np.array([0, 10]))
    out = np.zeros(4, dtype=np.int32)
    p = np.array([0.5, 0.5])
    with pytest.raises(ValueError, match="3 values for 2 weights"):
        weighted_choice_into(rng, p, np.array([1, 2, 3]), np.array([0, 1]), out)
    with pytest.raises(ValueError, match=r"weighted_choice_into: positions must lie in \[0, 4\)"):
        weighted_choice_into(rng, p, np.array([1, 2]), np.array([-1, 2]), out)
    assert (out == 0).all()  # nothing written before the refusal


def test_age_sex_cells_are_the_table_rows_and_refuse_an_unknown_area() -> None:
    age = np.array([0, 4, 5, 37, 99, 120], dtype=np.int16)
    sex = np.array([0, 1, 0, 1, 0, 1], dtype=np.int8)
    area = np.array([1, 0, 1, 0, 1, 1], dtype=np.int8)
    rows = np.array([5, 2])  # area 0 is table row 5, area 1 row 2
    want = (rows[area] * 2 + sex) * 21 + np.minimum(age // 5, 20)
    np.testing.assert_array_equal(age_sex_cells(rows, area, sex, age, 21), want)
    with pytest.raises(ValueError, match=r"areas must lie in \[0, 2\), got 0..2"):
        age_sex_cells(rows, np.array([0, 2]), sex[:2], age[:2], 21)


def test_gathered_is_fancy_indexing_for_any_value_type_and_refuses_outside_positions() -> None:
    rng = np.random.default_rng(8)
    positions = rng.integers(0, 500, size=3000).astype(np.int32)
    for values in (rng.integers(-100, 100, 500).astype(np.int8), rng.random(500) < 0.3,
                   rng.integers(0, 9, 500).astype(np.int16), rng.random(500)):
        got = gathered(values, positions)
        assert got.dtype == values.dtype
        np.testing.assert_array_equal(got, values[positions])
    assert gathered(np.arange(3), np.zeros(0, dtype=np.int32)).size == 0
    with pytest.raises(IndexError, match=r"position 500 outside \[0, 500\)"):
        gathered(np.zeros(500), np.array([3, 500], dtype=np.int32))
    with pytest.raises(IndexError, match="position -1"):
        gathered(np.zeros(500), np.array([-1], dtype=np.int64))
