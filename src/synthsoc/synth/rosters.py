"""Real household rosters (KGSS 2003-2012) as candidate households.

Each roster is one real household: every member's relationship to the householder, sex, age,
marital status and whether employed, with the respondent's survey weight
(``data/reference/kgss_household_rosters_2003_2012.csv``, made by
``scripts/extract_kgss_rosters.py``). A candidate is a roster with every member's age moved
by the same number of years (``AGE_SHIFTS``: never zero, so no candidate repeats a surveyed
household's ages exactly; ages gaps, relationships and sexes are kept). A shifted roster that
breaks a structural rule of the pool (``seeds.rule_violations``) is never repaired: another
shift is drawn instead, and a roster that breaks a rule at every shift (for example a child
less than 15 years younger than its parent, as a step-child can be, or a spouse recorded with
the head's sex) is left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from synthsoc.data.reference import read_reference_csv
from synthsoc.synth.schema import HOUSEHOLD_TYPES, MARITAL_STATUSES, RELATIONSHIPS
from synthsoc.synth.seeds import MAX_SIZE, SeedPool, rule_violations

ROSTER_FILE = "kgss_household_rosters_2003_2012.csv"
AGE_SHIFTS = np.array([-3, -2, -1, 1, 2, 3])
VARIANTS_PER_ROSTER = 4
COLUMNS = ("roster_id", "weight", "household_type", "member", "relationship", "sex", "age",
           "marital_status", "employed")


@dataclass(frozen=True, eq=False)
class Rosters:
    """Source rosters, members contiguous and head first (``p_*`` per member). Compared
    and hashed by identity: their look-ups are cached per object
    (``disclosure.roster_index``)."""

    hh_size: np.ndarray  # int16
    hh_type: np.ndarray  # int8, index into HOUSEHOLD_TYPES
    hh_offset: np.ndarray  # int64
    hh_weight: np.ndarray  # float64, survey weight
    p_hh: np.ndarray  # int32
    p_role: np.ndarray  # int8, index into RELATIONSHIPS
    p_sex: np.ndarray  # int8, 0 male 1 female
    p_age: np.ndarray  # int16
    p_marital: np.ndarray  # int8, index into MARITAL_STATUSES
    p_employed: np.ndarray  # bool

    @property
    def n_households(self) -> int:
        return int(self.hh_size.size)


def _codes(frame: pl.DataFrame, column: str, values: tuple[str, ...], source: str) -> np.ndarray:
    index = {v: i for i, v in enumerate(values)}
    raw = frame[column].cast(pl.Utf8).to_list()
    bad = [(i, v) for i, v in enumerate(raw) if v not in index]
    if bad:
        row, value = bad[0]
        raise ValueError(f"{source}: row {row + 1}: {column} {value!r} is not one of {values}")
    return np.array([index[v] for v in raw], dtype=np.int8)


def rosters_from_frame(frame: pl.DataFrame, source: str) -> Rosters:
    """Rosters from a table with ``COLUMNS`` (one row per member, rows of a roster together,
    head first). Bad input raises naming ``source``, the row and the field."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{source}: missing columns {missing}")
    null = [c for c in COLUMNS if frame[c].null_count()]
    if null:
        raise ValueError(f"{source}: empty values in column {null[0]!r}")
    frame = frame.with_row_index("_row")
    roster = frame["roster_id"].to_numpy()
    start = np.flatnonzero(np.r_[True, roster[1:] != roster[:-1]])
    size = np.diff(np.r_[start, roster.size])
    if np.unique(roster).size != start.size:
        raise ValueError(f"{source}: the rows of a roster_id must be contiguous")
    member = frame["member"].to_numpy()
    within = np.arange(roster.size) - np.repeat(start, size)
    if np.any(member != within):
        row = int(np.flatnonzero(member != within)[0])
        raise ValueError(f"{source}: row {row + 1}: member {member[row]} (members count 0, 1, "
                         "... within a roster, head first)")
    if np.any(size > MAX_SIZE):
        raise ValueError(f"{source}: a roster has more than {MAX_SIZE} members")
    role = _codes(frame, "relationship", RELATIONSHIPS, source)
    head = role == RELATIONSHIPS.index("head")
    if np.any(head != (within == 0)):
        row = int(np.flatnonzero(head != (within == 0))[0])
        raise ValueError(f"{source}: row {row + 1}: relationship {RELATIONSHIPS[role[row]]!r}: "
                         "each roster has exactly one head, listed first")
    age = frame["age"].to_numpy()
    if np.any((age < 0) | (age > 120)):
        row = int(np.flatnonzero((age < 0) | (age > 120))[0])
        raise ValueError(f"{source}: row {row + 1}: age {age[row]} outside 0..120")
    weight = frame["weight"].cast(pl.Float64).to_numpy()
    if np.any(~(weight > 0)):
        row = int(np.flatnonzero(~(weight > 0))[0])
        raise ValueError(f"{source}: row {row + 1}: weight {weight[row]} must be positive")
    employed = frame["employed"].to_numpy()
    if np.any((employed != 0) & (employed != 1)):
        row = int(np.flatnonzero((employed != 0) & (employed != 1))[0])
        raise ValueError(f"{source}: row {row + 1}: employed {employed[row]} (0 or 1)")
    offset = start.astype(np.int64)
    return Rosters(
        hh_size=size.astype(np.int16),
        hh_type=_codes(frame, "household_type", HOUSEHOLD_TYPES, source)[start],
        hh_offset=offset,
        hh_weight=weight[start],
        p_hh=np.repeat(np.arange(start.size, dtype=np.int32), size),
        p_role=role,
        p_sex=_codes(frame, "sex", ("M", "F"), source),
        p_age=age.astype(np.int16),
        p_marital=_codes(frame, "marital_status", MARITAL_STATUSES, source),
        p_employed=employed.astype(bool),
    )


@cache
def load_rosters() -> Rosters:
    """The bundled KGSS rosters."""
    return rosters_from_frame(read_reference_csv(ROSTER_FILE), ROSTER_FILE)


@dataclass(frozen=True)
class RosterCandidates:
    pool: SeedPool  # hh_source holds the roster of every candidate
    rosters_left_out: int  # rosters breaking a structural rule at every shift


def roster_candidates(rng: np.random.Generator, rosters: Rosters,
                      variants: int = VARIANTS_PER_ROSTER) -> RosterCandidates:
    """Up to ``variants`` age-shifted copies of every roster (distinct shifts drawn at random
    among those that keep every rule); the prior weight of a copy is the roster's survey
    weight shared among its copies."""
    n_shift = AGE_SHIFTS.size
    n_r = rosters.n_households
    # Every (roster, shift) pair, members laid out shift-major.
    hh = np.tile(rosters.p_hh.astype(np.int64), n_shift) + np.repeat(
        np.arange(n_shift) * n_r, rosters.p_hh.size)
    age = np.tile(rosters.p_age.astype(np.int64), n_shift) + np.repeat(AGE_SHIFTS,
                                                                       rosters.p_hh.size)
    role = np.tile(rosters.p_role.astype(np.int64), n_shift)
    sex = np.tile(rosters.p_sex.astype(np.int64), n_shift)
    bad_member = np.zeros(age.size, dtype=bool)
    for broken in rule_violations(hh, role, sex, age, n_shift * n_r).values():
        bad_member |= broken
    bad = np.zeros(n_shift * n_r, dtype=bool)
    bad[hh[bad_member]] = True
    # Draw distinct shifts per roster among the possible ones (a random key per pair; the
    # impossible pairs never come first).
    key = rng.random((n_shift, n_r))
    key[bad.reshape(n_shift, n_r)] = np.inf
    rank = np.argsort(np.argsort(key, axis=0), axis=0)
    chosen = (rank < variants) & np.isfinite(key)
    pair = np.flatnonzero(chosen.ravel())  # shift-major pair index
    shift_of, roster_of = np.divmod(pair, n_r)
    copies = chosen.sum(axis=0)
    # Members of the chosen pairs, contiguous per candidate.
    c_size = rosters.hh_size[roster_of].astype(np.int64)
    starts = np.cumsum(c_size) - c_size
    within = np.arange(int(c_size.sum())) - np.repeat(starts, c_size)
    src = np.repeat(rosters.hh_offset[roster_of], c_size) + within
    pool = SeedPool(
        hh_size=c_size.astype(np.int16),
        hh_type=rosters.hh_type[roster_of].astype(np.int8),
        hh_offset=starts.astype(np.int64),
        p_hh=np.repeat(np.arange(pair.size, dtype=np.int32), c_size),
        p_role=rosters.p_role[src].astype(np.int8),
        p_sex=rosters.p_sex[src].astype(np.int8),
        p_age=(rosters.p_age[src] + np.repeat(AGE_SHIFTS[shift_of], c_size)).astype(np.int16),
        hh_source=roster_of.astype(np.int32),
        hh_prior=rosters.hh_weight[roster_of] / copies[roster_of],
    )
    return RosterCandidates(pool=pool, rosters_left_out=int(np.count_nonzero(copies == 0)))
