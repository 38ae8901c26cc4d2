"""The candidate pool's cell table against the fit's incidence matrix, and its structural
rules checked member by member."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from synthsoc.synth.candidates import _cells
from synthsoc.synth.schema import RELATIONSHIPS
from synthsoc.synth.seeds import (
    ADULT,
    MAX_AGE,
    MAX_SIZE,
    ROLE,
    RULES,
    _cdf,
    _conditional_draw,
    build_template_pool,
    rule_violations,
)
from synthsoc.synth.targets import N_COLUMNS, incidence_cells, pool_incidence


def test_cells_mark_each_cell_a_candidate_falls_in_once_and_its_size() -> None:
    pool = build_template_pool(3)
    rows, columns, members = incidence_cells(pool)
    assert (members >= 1).all()
    # Some cells are listed twice (two members of one sex and single year of age, say):
    # the table still counts each candidate once per cell.
    assert np.unique(rows * N_COLUMNS + columns).size < rows.size
    cells = _cells(pool)
    dense = cells.toarray()
    assert set(np.unique(dense).tolist()) == {0, 1}
    want = np.zeros((pool.n_households, N_COLUMNS + MAX_SIZE), dtype=np.int32)
    want[:, :N_COLUMNS] = pool_incidence(pool).toarray() > 0
    want[np.arange(pool.n_households), N_COLUMNS + pool.hh_size.astype(np.int64) - 1] = 1
    np.testing.assert_array_equal(dense, want)
    assert isinstance(cells, sp.csr_matrix) and cells.has_canonical_format


def test_rule_violations_are_the_rules_checked_member_by_member() -> None:
    rng = np.random.default_rng(0)
    n = 3000
    hh = np.sort(rng.integers(0, 900, n))
    role = rng.integers(0, len(RELATIONSHIPS), n)
    sex = rng.integers(0, 2, n)
    age = rng.integers(-3, MAX_AGE + 5, n)
    got = rule_violations(hh, role, sex, age, 900)
    assert list(got) == list(RULES)
    head, spouse = ROLE["head"], ROLE["spouse"]
    for i in range(n):
        house = np.flatnonzero(hh == hh[i])
        heads = [j for j in house if role[j] == head]
        parents = [age[j] for j in house if role[j] in (head, spouse)]
        head_sex = sex[heads[-1]] if heads else -1  # the last head listed
        head_age = age[heads[-1]] if heads else 0
        youngest = min(parents) if parents else 10_000
        want = [role[i] == spouse and sex[i] == head_sex,
                age[i] < 0 or age[i] > MAX_AGE,
                role[i] in (head, spouse) and age[i] < ADULT,
                role[i] == ROLE["child"] and youngest - age[i] < 15,
                role[i] == ROLE["grandchild"] and head_age - age[i] < 30]
        assert [bool(got[rule][i]) for rule in RULES] == want, i
    assert all(got[rule].any() for rule in RULES)


def test_conditional_draws_follow_the_distribution_cut_to_each_rows_bounds() -> None:
    values = np.arange(15, 50)
    probs = np.exp(-0.5 * ((values - 32.0) / 5.0) ** 2)
    low = np.full(200_000, 20)
    high = np.full(200_000, 29)
    high[::2] = 49  # half the rows admit everything from 20
    got = _conditional_draw(np.random.default_rng(1), values, _cdf(probs), low, high)
    assert ((got >= low) & (got <= high)).all()
    for top, rows in ((29, slice(1, None, 2)), (49, slice(0, None, 2))):
        keep = (values >= 20) & (values <= top)
        want = probs[keep] / probs[keep].sum()
        share = np.bincount(got[rows] - 20, minlength=keep.sum())[:keep.sum()] / 100_000
        # 100,000 draws: a share's standard error is at most 0.0016.
        np.testing.assert_allclose(share, want, atol=0.008)
    with pytest.raises(ValueError, match=r"no admissible value in \[60, 70\]"):
        _conditional_draw(np.random.default_rng(1), values, _cdf(probs), np.array([20, 60]),
                          np.array([30, 70]))


def test_rule_violations_refuse_households_outside_the_count() -> None:
    with pytest.raises(ValueError, match=r"households must lie in \[0, 2\), got 0..2"):
        rule_violations(np.array([0, 2]), np.zeros(2, dtype=int), np.zeros(2, dtype=int),
                        np.full(2, 40), 2)
