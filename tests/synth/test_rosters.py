"""Candidate households from hand-made rosters, and the disclosure measures on them."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synthsoc.synth.candidates import build_seed_pool
from synthsoc.synth.disclosure import (
    _TABLE,
    N_AGES,
    Members,
    _closest,
    _identical,
    closest_record_distance,
    disclosure_risk,
    household_hash,
    roster_index,
    source_keys,
)
from synthsoc.synth.rosters import AGE_SHIFTS, roster_candidates, rosters_from_frame
from synthsoc.synth.schema import MARITAL_STATUSES, RELATIONSHIPS
from synthsoc.synth.seeds import MAX_AGE, SeedPool, check_members

ROWS = [
    # roster, weight, type, member, relationship, sex, age, marital, employed
    (0, 1.2, "couple_children", 0, "head", "M", 45, "married", 1),
    (0, 1.2, "couple_children", 1, "spouse", "F", 43, "married", 0),
    (0, 1.2, "couple_children", 2, "child", "F", 12, "never_married", 0),
    (1, 0.8, "one_person", 0, "head", "F", 70, "widowed", 0),
    (2, 0.5, "single_parent", 0, "head", "F", 30, "divorced", 1),
    (2, 0.5, "single_parent", 1, "child", "M", 20, "never_married", 0),  # 10 years: impossible
    (3, 1.0, "couple", 0, "head", "M", 18, "married", 1),  # shifts below 0 make him a minor
    (3, 1.0, "couple", 1, "spouse", "F", 19, "married", 0),
    (4, 1.0, "couple", 0, "head", "M", 50, "married", 1),
    (4, 1.0, "couple", 1, "spouse", "M", 48, "married", 1),  # same sex as the head: left out
]


def _frame(rows: list[tuple[object, ...]] = ROWS) -> pl.DataFrame:
    return pl.DataFrame(rows, orient="row", schema=[
        "roster_id", "weight", "household_type", "member", "relationship", "sex", "age",
        "marital_status", "employed"])


def test_rosters_become_shifted_copies_and_impossible_ones_are_left_out() -> None:
    rosters = rosters_from_frame(_frame(), "hand.csv")
    out = roster_candidates(np.random.default_rng(3), rosters, variants=4)
    pool = out.pool
    # The mother 10 years older than her son and the husband recorded as a man, never patched.
    assert out.rosters_left_out == 2
    assert {2, 4}.isdisjoint(pool.hh_source.tolist())
    check_members(pool.p_hh, pool.p_role, pool.p_sex, pool.p_age)
    for c in range(pool.n_households):
        src = int(pool.hh_source[c])
        members = slice(pool.hh_offset[c], pool.hh_offset[c] + pool.hh_size[c])
        roster = slice(rosters.hh_offset[src], rosters.hh_offset[src] + rosters.hh_size[src])
        shift = pool.p_age[members] - rosters.p_age[roster]
        assert np.all(shift == shift[0]) and shift[0] in AGE_SHIFTS and shift[0] != 0
        assert np.array_equal(pool.p_role[members], rosters.p_role[roster])
        assert np.array_equal(pool.p_sex[members], rosters.p_sex[roster])
    copies = np.bincount(pool.hh_source, minlength=5)
    assert copies.tolist() == [4, 4, 0, 3, 0]  # roster 3 has only the shifts +1, +2, +3
    young = pool.p_age[pool.hh_offset[pool.hh_source == 3]]
    assert sorted(young.tolist()) == [19, 20, 21]
    # The prior weight of a roster is shared among its copies.
    prior = np.bincount(pool.hh_source, weights=pool.hh_prior, minlength=5)
    assert np.allclose(prior, [1.2, 0.8, 0.0, 1.0, 0.0])


def test_same_seed_same_candidates() -> None:
    rosters = rosters_from_frame(_frame(), "hand.csv")
    a = roster_candidates(np.random.default_rng(5), rosters).pool
    b = roster_candidates(np.random.default_rng(5), rosters).pool
    assert np.array_equal(a.p_age, b.p_age) and np.array_equal(a.hh_source, b.hh_source)


@pytest.mark.parametrize(("row", "field", "value", "message"), [
    (3, "relationship", "cousin", "row 4: relationship 'cousin'"),
    (0, "age", -1, "row 1: age -1"),
    (4, "sex", "X", "row 5: sex 'X'"),
    (1, "relationship", "head", "row 2: relationship 'head'"),
])
def test_bad_roster_names_file_row_and_field(row: int, field: str, value: object,
                                             message: str) -> None:
    rows = [list(r) for r in ROWS]
    names = ["roster_id", "weight", "household_type", "member", "relationship", "sex", "age",
             "marital_status", "employed"]
    rows[row][names.index(field)] = value
    with pytest.raises(ValueError, match=f"hand.csv: {message}"):
        rosters_from_frame(_frame([tuple(r) for r in rows]), "hand.csv")


def _distinct_per_single_age(pool: SeedPool) -> np.ndarray:
    """Distinct candidates with a member of each sex x single age (0..100+), tallied here."""
    cell = pool.p_sex.astype(np.int64) * 101 + np.minimum(pool.p_age, 100)
    pairs = np.unique(np.stack([pool.p_hh.astype(np.int64), cell]), axis=1)
    return np.bincount(pairs[1], minlength=202)


def test_templates_fill_only_what_the_rosters_leave_thin() -> None:
    rosters = rosters_from_frame(_frame(), "hand.csv")
    bare = build_seed_pool(1, rosters=rosters, minimum=0)
    assert bare.coverage.n_template_candidates == 0
    assert np.all(bare.pool.hh_source >= 0)
    filled = build_seed_pool(1, rosters=rosters, minimum=5)
    pool = filled.pool
    check_members(pool.p_hh, pool.p_role, pool.p_sex, pool.p_age)
    assert filled.coverage.n_roster_candidates == bare.pool.n_households
    # Every single age 0..99 of both sexes has at least 5 distinct candidates (templates
    # reach 100+ rarely, which the coverage reports).
    distinct = _distinct_per_single_age(pool)
    assert distinct.reshape(2, 101)[:, :100].min() >= 5
    # Households of every size 1..10 have at least 5 candidates.
    assert np.bincount(pool.hh_size, minlength=11)[1:].min() >= 5
    assert pool.p_age.max() <= MAX_AGE


def _members(rows: list[list[tuple[str, str, int, str, int]]]) -> Members:
    size = np.array([len(r) for r in rows])
    flat = [m for r in rows for m in r]
    return Members(
        hh_start=np.cumsum(size) - size,
        role=np.array([RELATIONSHIPS.index(m[0]) for m in flat], dtype=np.int8),
        sex=np.array([0 if m[1] == "M" else 1 for m in flat], dtype=np.int8),
        age=np.array([m[2] for m in flat], dtype=np.int16),
        marital=np.array([MARITAL_STATUSES.index(m[3]) for m in flat], dtype=np.int8),
        employed=np.array([m[4] for m in flat], dtype=bool),
    )


def test_household_hash_is_the_wrap_around_sum_of_its_members_codes() -> None:
    rows = [
        [("head", "M", 40, "married", 1), ("spouse", "F", 38, "married", 0)],
        [("head", "F", 130, "widowed", 0)],  # ages from N_AGES - 1 up share a code
        [("spouse", "F", 38, "married", 0), ("head", "M", 40, "married", 1)],
        [("head", "F", 127, "widowed", 0)],
    ]
    members = _members(rows)
    n_status = len(MARITAL_STATUSES) * 2
    want_full, want_structure = [], []
    for household in rows:
        full = structure = 0
        for role, sex, age, marital, employed in household:
            code = ((RELATIONSHIPS.index(role) * 2 + (sex == "F")) * N_AGES
                    + min(age, N_AGES - 1)) * n_status
            full += int(_TABLE[0][code + MARITAL_STATUSES.index(marital) * 2 + employed])
            structure += int(_TABLE[1][code])
        want_full.append(full % 2**64)
        want_structure.append(structure % 2**64)
    assert household_hash(members).tolist() == want_full
    no_status = Members(members.hh_start, members.role, members.sex, members.age)
    assert household_hash(no_status).tolist() == want_structure
    assert want_full[0] == want_full[2] and want_full[1] == want_full[3]


def test_disclosure_shares_and_closest_record_by_hand() -> None:
    source_rows = [
        (0, 1.0, "couple", 0, "head", "M", 40, "married", 1),
        (0, 1.0, "couple", 1, "spouse", "F", 38, "married", 0),
        (1, 1.0, "one_person", 0, "head", "F", 70, "widowed", 0),
        (2, 1.0, "one_person", 0, "head", "F", 70, "widowed", 0),  # same as roster 1
    ]
    rosters = rosters_from_frame(_frame(source_rows), "hand.csv")
    synthetic = _members([
        [("spouse", "F", 38, "married", 0), ("head", "M", 40, "married", 1)],  # = roster 0
        [("head", "F", 70, "widowed", 0)],  # = rosters 1 and 2: not unique
        [("head", "M", 40, "married", 0), ("spouse", "F", 38, "married", 0)],  # works differs
        [("head", "F", 73, "widowed", 0)],
    ])
    hashes = household_hash(synthetic)
    assert hashes[0] != hashes[2]
    # The pool: candidate 0 is roster 0 as is, 1 is roster 0 two years older, 2 is a woman
    # of 73 living alone, 3 a man of 50 living alone (no roster has a man alone).
    pool = SeedPool(
        hh_size=np.array([2, 2, 1, 1], dtype=np.int16),
        hh_type=np.zeros(4, dtype=np.int8),
        hh_offset=np.array([0, 2, 4, 5]),
        p_hh=np.array([0, 0, 1, 1, 2, 3], dtype=np.int32),
        p_role=np.array([0, 1, 0, 1, 0, 0], dtype=np.int8),
        p_sex=np.array([0, 1, 0, 1, 1, 0], dtype=np.int8),
        p_age=np.array([40, 38, 42, 40, 73, 50], dtype=np.int16),
        hh_source=np.array([0, 0, -1, -1], dtype=np.int32),
        hh_prior=np.ones(4),
    )
    dcr = closest_record_distance(pool, np.arange(4), rosters)
    assert dcr.tolist() == [0.0, 4.0, 3.0, np.inf]
    # Only the candidates asked for, in the order asked.
    assert closest_record_distance(pool, np.array([3, 1]), rosters).tolist() == [np.inf, 4.0]
    risk = disclosure_risk(synthetic, pool, np.array([0, 0, 1, 2, 3, 3]), rosters)
    assert risk["share_identical"] == pytest.approx(2 / 4)
    assert risk["share_identical_to_unique_roster"] == pytest.approx(1 / 4)
    assert risk["share_identical_structure"] == pytest.approx(2 / 6)  # candidate 0, twice
    assert risk["share_drawn_from_roster_candidates"] == pytest.approx(3 / 6)
    closest = risk["distance_to_closest_record"]
    assert closest["share_0"] == pytest.approx(2 / 6)
    assert closest["share_le_5"] == pytest.approx(4 / 6)
    assert closest["share_no_roster_of_same_membership"] == pytest.approx(2 / 6)
    assert closest["median"] == pytest.approx(1.5)  # of 0, 0, 4, 3
    assert risk["source_rosters_sharing_their_quasi_identifiers"] == pytest.approx(2 / 3)


def test_disclosure_shares_of_no_assessed_household_are_unknown_not_zero() -> None:
    # A run without general households: nothing was compared, so no share may read 0.
    rosters = rosters_from_frame(_frame([(0, 1.0, "one_person", 0, "head", "F", 70,
                                          "widowed", 0)]), "hand.csv")
    synthetic = _members([[("head", "F", 70, "widowed", 0)]])
    pool = SeedPool(
        hh_size=np.array([1], dtype=np.int16), hh_type=np.zeros(1, dtype=np.int8),
        hh_offset=np.array([0]), p_hh=np.array([0], dtype=np.int32),
        p_role=np.array([0], dtype=np.int8), p_sex=np.array([1], dtype=np.int8),
        p_age=np.array([70], dtype=np.int16), hh_source=np.array([0], dtype=np.int32),
        hh_prior=np.ones(1))
    risk = disclosure_risk(synthetic, pool, np.zeros(0, dtype=np.int64), rosters,
                           assessed=np.zeros(1, dtype=bool))
    assert risk["n_general_households"] == 0
    closest = risk["distance_to_closest_record"]
    for share in (risk["share_identical"], risk["share_identical_to_unique_roster"],
                  risk["share_identical_structure"], risk["share_drawn_from_roster_candidates"],
                  closest["share_0"], closest["share_le_5"],
                  closest["share_no_roster_of_same_membership"], closest["median"]):
        assert np.isnan(share)


def test_identical_hashes_found_through_the_guide_match_a_plain_search() -> None:
    rng = np.random.default_rng(3)
    source = rng.integers(0, 2**63, 400, dtype=np.uint64) * np.uint64(2)
    source[:40] = source[40:80]  # hashes seen twice in the source
    source[80] = np.uint64(2**64 - 1)  # the top bucket
    source[81] = np.uint64(0)
    synthetic = np.concatenate([source[::3], rng.integers(0, 2**63, 300, dtype=np.uint64),
                                source[[80, 81]] + np.uint64(0), [np.uint64(2**64 - 2)]])
    hit, unique = _identical(synthetic, source_keys(source))
    values, counts = np.unique(source, return_counts=True)
    seen = dict(zip(values.tolist(), counts.tolist(), strict=True))
    np.testing.assert_array_equal(hit, [h in seen for h in synthetic.tolist()])
    np.testing.assert_array_equal(unique, [seen.get(h) == 1 for h in synthetic.tolist()])
    assert not _identical(synthetic, source_keys(np.zeros(0, dtype=np.uint64)))[0].any()


def test_closest_rows_are_the_brute_force_minimum() -> None:
    # The search stops early (a row no closer than the best so far, a distance of zero):
    # the minima must be those of comparing every pair.
    rng = np.random.default_rng(9)
    ages = rng.integers(0, 90, size=(60, 5)).astype(np.int16)
    source = rng.integers(0, 90, size=(300, 5)).astype(np.int16)
    source[17] = ages[3]  # an exact match
    lo = rng.integers(0, 300, size=60)
    hi = np.minimum(lo + rng.integers(0, 80, size=60), 300)
    got = _closest(ages, source, lo, hi)
    for i in range(60):
        rows = source[lo[i]:hi[i]].astype(int)
        want = np.abs(rows - ages[i].astype(int)).sum(axis=1).min() if rows.size else np.inf
        assert got[i] == want
    assert np.isinf(got[hi == lo]).all()


def test_roster_look_ups_are_built_once_per_set_of_rosters() -> None:
    rosters = rosters_from_frame(_frame([(0, 1.0, "one_person", 0, "head", "F", 70,
                                          "widowed", 0)]), "hand.csv")
    other = rosters_from_frame(_frame([(0, 1.0, "one_person", 0, "head", "F", 70,
                                        "widowed", 0)]), "hand.csv")
    assert roster_index(rosters) is roster_index(rosters)
    assert roster_index(other) is not roster_index(rosters)  # compared by identity
    assert roster_index(rosters).full.keys.tolist() == roster_index(other).full.keys.tolist()
