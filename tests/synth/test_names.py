"""Names: official surname head with a tail below it, cohort given names, foreign origins,
distinct names within families and households."""

from __future__ import annotations

import numpy as np
import pytest

from synthsoc.data.reference import top_surnames
from synthsoc.synth.names import (
    FOREIGN_ORIGINS,
    GIVEN_NAMES,
    OTHER_SURNAMES,
    _duplicates,
    _name_book,
    assign_names,
    surname_table,
    tail_exponent,
)

N = 40_000


def test_surname_head_is_official_and_the_tail_stays_below_it() -> None:
    names, probs = surname_table()
    official = top_surnames()
    assert names[:10].tolist() == official["name_ko"].to_list()
    assert np.allclose(probs[:10], official["share"].to_numpy(), atol=1e-12)
    assert probs[:10].sum() == pytest.approx(0.639, abs=1e-9)  # 63.9% in the census release
    tail = probs[10:]
    assert tail.max() < probs[9] and np.all(np.diff(tail) < 0)
    assert len(set(names.tolist())) == names.size == 10 + len(OTHER_SURNAMES)


def test_tail_exponent_solves_the_remainder() -> None:
    b = tail_exponent(0.017, 0.361, 117)
    ranks = np.arange(11, 128) / 10.0
    assert (0.017 * ranks**-b).sum() == pytest.approx(0.361, rel=1e-9)
    with pytest.raises(ValueError, match="list more surnames"):
        tail_exponent(0.017, 0.361, 5)


def _families(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Households of a father and 1-6 children born 2010-2019, plus singles; foreign 5%."""
    sizes = rng.integers(2, 8, N // 5)
    household = np.repeat(np.arange(sizes.size), sizes)
    first = np.repeat(np.cumsum(sizes) - sizes, sizes)
    inherit = first.copy()
    birth = np.where(np.arange(household.size) == first, 1980, 2010 + rng.integers(0, 10,
                                                                                  household.size))
    foreign = np.repeat(rng.random(sizes.size) < 0.05, sizes)
    return household, inherit, birth, foreign


def test_siblings_never_share_a_full_name_and_share_the_surname() -> None:
    rng = np.random.default_rng(3)
    household, inherit, birth, foreign = _families(rng)
    sex = rng.integers(0, 2, household.size).astype(np.int8)
    codes, dictionary = assign_names(np.random.default_rng(1), birth, sex, foreign, inherit,
                                     household=household)
    names = np.array(dictionary, dtype=object)[codes]
    pairs = {(h, n) for h, n in zip(household.tolist(), names.tolist(), strict=True)}
    assert len(pairs) == household.size  # no household holds one name twice
    korean = ~foreign
    assert all(n.startswith(names[f][0]) for n, f in zip(names[korean][:500],
                                                         inherit[korean][:500], strict=True))
    again, _ = assign_names(np.random.default_rng(1), birth, sex, foreign, inherit,
                            household=household)
    assert np.array_equal(codes, again)


def test_given_names_vary_by_cohort_and_sex() -> None:
    rng = np.random.default_rng(4)
    n = 20_000
    birth = np.where(rng.random(n) < 0.5, 1955, 2015)
    sex = rng.integers(0, 2, n).astype(np.int8)
    codes, dictionary = assign_names(rng, birth, sex, np.zeros(n, bool), np.arange(n))
    given = {(b, s): set() for b in (1955, 2015) for s in (0, 1)}  # type: ignore[var-annotated]
    for code, b, s in zip(codes.tolist(), birth.tolist(), sex.tolist(), strict=True):
        given[(b, s)].add(dictionary[code][1:] if len(dictionary[code]) <= 3 else dictionary[code])
    lists = {start: (m, f) for start, m, f in GIVEN_NAMES}
    assert given[(2015, 0)] <= set(lists[2010][0]) | {n for n in given[(2015, 0)] if len(n) > 2}
    assert len(given[(1955, 1)]) >= 25 and len(given[(2015, 0)]) >= 25
    assert not given[(2015, 1)] & set(lists[1950][1]) - set(lists[2010][1])


def test_foreign_names_come_from_many_origins_and_vary() -> None:
    rng = np.random.default_rng(5)
    n = 20_000
    codes, dictionary = assign_names(rng, np.full(n, 1990), rng.integers(0, 2, n).astype(np.int8),
                                     np.ones(n, bool), np.arange(n))
    names = np.array(dictionary, dtype=object)[codes]
    _, counts = np.unique(names, return_counts=True)
    assert counts.max() / n < 0.01  # no "존 스미스" 1,115 times
    vietnamese = sum(" 반 " in name or " 티 " in name for name in names.tolist())
    assert vietnamese > 0.10 * n  # Vietnam is the second origin after ethnic Korean Chinese
    assert len(FOREIGN_ORIGINS) >= 10


def _first_seen_duplicates(group: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Plain Python: a person is a duplicate when an earlier person holds the same pair."""
    seen: set[tuple[int, int]] = set()
    out = []
    for pair in zip(group.tolist(), code.tolist(), strict=True):
        out.append(pair in seen)
        seen.add(pair)
    return np.array(out, dtype=bool)


@pytest.mark.parametrize("layout", ["households in runs", "scattered groups", "long runs"])
def test_duplicates_are_the_later_holders_of_a_name(layout: str) -> None:
    rng = np.random.default_rng(11)
    n = 5_000
    if layout == "households in runs":
        group = np.repeat(np.arange(n), rng.integers(1, 9, n))[:n]
    elif layout == "scattered groups":
        group = rng.integers(0, 400, n)
    else:
        group = np.repeat(np.arange(n // 100), 100)  # runs longer than the pairwise limit
    code = rng.integers(0, 6, n)
    assert np.array_equal(_duplicates(group, code), _first_seen_duplicates(group, code))


def test_families_spread_over_households_get_distinct_names_in_both() -> None:
    # Families of 12 brothers born the same year (many redraws), each family split over two
    # households that it shares with another family: neither may hold a name twice.
    n_families = 400
    inherit = np.repeat(np.arange(n_families) * 12, 12)
    half = np.tile(np.repeat([0, 1], 6), n_families)
    household = (np.arange(inherit.size) // 12) // 2 * 2 + half  # two families per household
    birth = np.full(inherit.size, 2015)
    sex = np.zeros(inherit.size, dtype=np.int8)
    codes, _ = assign_names(np.random.default_rng(2), birth, sex, np.zeros(inherit.size, bool),
                            inherit, household=household)
    for group in (inherit, household):
        pairs = set(zip(group.tolist(), codes.tolist(), strict=True))
        assert len(pairs) == inherit.size


def test_the_name_book_spells_every_entry_once_and_is_read_only() -> None:
    book = _name_book()
    surnames = surname_table()[0].tolist()
    assert book.n_korean == len(surnames) * len(book.given)
    assert list(book.distinct) == sorted(set(book.distinct))
    # Entry k of the Korean block is surname k // len(given) + given name k % len(given).
    for k in (0, 1, book.n_korean // 2, book.n_korean - 1):
        spelled = surnames[k // len(book.given)] + book.given[k % len(book.given)]
        assert book.distinct[book.canonical[k]] == spelled
    assert book.canonical.size == book.n_korean + book.foreign_origin.size
    assert not book.canonical.flags.writeable and _name_book() is book
