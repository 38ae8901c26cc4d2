"""Disclosure risk of general households seeded from real rosters.

Quasi-identifiers of a household: for every member, relationship to the head, sex, single
year of age, marital status and whether employed (everything a KGSS roster records;
regions are not compared: the survey codes only 7 broad regions and the synthetic
households are placed by the census fit). Two households are identical when they have the
same multiset of members on all of these. Households are compared through a multiset hash
(the wrap-around sum of a fixed random 64-bit code per member value), so the comparison is
exact up to a hash collision, about 1 in 10^19 per pair.

* ``share_identical``: synthetic general households identical to at least one source roster;
* ``share_identical_to_unique_roster``: identical to a roster that no other roster matches
  (the records an attacker could single out);
* ``share_identical_structure``: the same on relationship, sex and age only;
* distance to the closest record (DCR): the smallest sum of absolute age differences to a
  source roster with the same members by relationship and sex (members of a relationship and
  sex paired by age order), over a simple random sample of ``DCR_SAMPLE`` drawn households
  (fixed seed; standard error of a share at most 1.1 points); households whose membership
  no roster has are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numba
import numpy as np

from synthsoc.synth.assemble import Assembled, concatenated_ranges
from synthsoc.synth.rosters import ROSTER_FILE, Rosters
from synthsoc.synth.schema import (
    ECONOMIC_ACTIVITIES,
    HOUSEHOLD_KINDS,
    MARITAL_STATUSES,
    RELATIONSHIPS,
)
from synthsoc.synth.seeds import MAX_SIZE, SeedPool

N_AGES = 128
N_MARITAL = len(MARITAL_STATUSES)
N_CODES = len(RELATIONSHIPS) * 2 * N_AGES * N_MARITAL * 2
_TABLE = np.random.default_rng(20261201).integers(0, 2**63, size=(2, N_CODES), dtype=np.uint64)
DCR_SAMPLE = 2_000  # drawn households whose closest record is searched (all when fewer)


@dataclass(frozen=True)
class Members:
    """Members of households, contiguous per household (``hh_start`` per household)."""

    hh_start: np.ndarray
    role: np.ndarray
    sex: np.ndarray
    age: np.ndarray
    marital: np.ndarray | None = None  # None: structure (relationship, sex, age) only
    employed: np.ndarray | None = None


def population_members(pop: Assembled) -> tuple[Members, np.ndarray]:
    """Every household of a population as written (views of the person columns) and which
    of them are general households."""
    employed = pop.p_activity == ECONOMIC_ACTIVITIES.index("employed")
    members = Members(hh_start=pop.hh_head, role=pop.p_role, sex=pop.p_sex, age=pop.p_age,
                      marital=pop.p_marital, employed=employed)
    return members, pop.hh_kind == HOUSEHOLD_KINDS.index("general")


def household_hash(m: Members) -> np.ndarray:
    """One uint64 per household: equal for equal multisets of member quasi-identifiers.
    One compiled pass over the members, without temporaries (51 million members at full
    scale); the wrap-around sums are exact in any order."""
    if m.marital is not None and m.employed is not None:
        return _member_hash_sums(m.hh_start, m.role.size, m.role, m.sex, m.age, m.marital,
                                 m.employed, _TABLE[0], True)
    none = np.zeros(0, dtype=np.int8)
    return _member_hash_sums(m.hh_start, m.role.size, m.role, m.sex, m.age, none, none,
                             _TABLE[1], False)


@numba.njit(cache=True, parallel=True)
def _member_hash_sums(hh_start: np.ndarray, n_members: int, role: np.ndarray,
                      sex: np.ndarray, age: np.ndarray, marital: np.ndarray,
                      employed: np.ndarray, table: np.ndarray, full: bool) -> np.ndarray:
    """Per household (members ``hh_start[h]`` up to the next start): the wrap-around sum of
    ``table`` at each member's code, ((relationship x sex) x age up to ``N_AGES - 1``) x
    (marital status x employed), the last two 0 unless ``full``."""
    n_hh = hh_start.size
    statuses = N_MARITAL * 2
    out = np.zeros(n_hh, dtype=np.uint64)
    for h in numba.prange(n_hh):
        end = hh_start[h + 1] if h + 1 < n_hh else n_members
        total = np.uint64(0)
        for p in range(hh_start[h], end):
            years = np.int64(age[p])
            code = ((np.int64(role[p]) * 2 + np.int64(sex[p])) * N_AGES
                    + (years if years < N_AGES else N_AGES - 1)) * statuses
            if full:
                code += np.int64(marital[p]) * 2 + np.int64(employed[p])
            total += table[code]
        out[h] = total
    return out


def _roster_members(r: Rosters, *, full: bool) -> Members:
    return Members(r.hh_offset, r.p_role, r.p_sex, r.p_age,
                   r.p_marital if full else None, r.p_employed if full else None)


class SourceKeys(NamedTuple):
    """The distinct source hashes, sorted, how often each occurs, and a guide on their top
    16 bits (``guide[b]`` the first key whose top bits are ``b`` or more)."""

    keys: np.ndarray
    counts: np.ndarray
    guide: np.ndarray


def source_keys(source: np.ndarray) -> SourceKeys:
    """The distinct hashes of ``source`` with their counts and guide, found once for all
    the look-ups in them."""
    keys, counts = np.unique(source, return_counts=True)
    # guide[b]: the keys whose top 16 bits are below b (the keys are sorted).
    guide = np.zeros(2**16 + 1, dtype=np.int64)
    np.cumsum(np.bincount((keys >> np.uint64(48)).astype(np.int64), minlength=2**16),
              out=guide[1:])
    return SourceKeys(keys, counts, guide)


def _identical(synthetic: np.ndarray, source: SourceKeys) -> tuple[np.ndarray, np.ndarray]:
    """Per synthetic hash: identical to some source hash; identical to a unique one.

    Each synthetic hash looks only among the few source hashes that share its top 16 bits
    (``source.guide``), not by a binary search over all of them (23 million look-ups at full
    scale)."""
    return _look_up(source.keys, source.counts, source.guide, synthetic)


@numba.njit(cache=True, parallel=True)
def _look_up(keys: np.ndarray, counts: np.ndarray, guide: np.ndarray,
             synthetic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hit = np.zeros(synthetic.size, dtype=np.bool_)
    unique = np.zeros(synthetic.size, dtype=np.bool_)
    for i in numba.prange(synthetic.size):
        h = synthetic[i]
        bucket = h >> np.uint64(48)
        for k in range(guide[bucket], guide[bucket + 1]):
            if keys[k] == h:
                hit[i] = True
                unique[i] = counts[k] == 1
                break
            if keys[k] > h:
                break
    return hit, unique


def _aligned_ages(hh: np.ndarray, role: np.ndarray, sex: np.ndarray, age: np.ndarray,
                  n_hh: int) -> tuple[np.ndarray, np.ndarray]:
    """Per household: a composition hash (multiset of relationship x sex) and the ages of
    its members ordered by (relationship, sex, age), padded with -1 to MAX_SIZE."""
    order = np.lexsort((age, sex, role, hh))
    hh_o = hh[order]
    start = np.searchsorted(hh_o, np.arange(n_hh))
    slot = np.arange(hh_o.size) - start[hh_o]
    ages = np.full((n_hh, MAX_SIZE), -1, dtype=np.int16)
    ages[hh_o, slot] = age[order]
    comp_code = role.astype(np.int64) * 2 + sex
    comp = np.zeros(n_hh, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.add.at(comp, hh, _TABLE[1][comp_code])
    return comp, ages


def closest_record_distance(pool: SeedPool, used: np.ndarray, rosters: Rosters) -> np.ndarray:
    """DCR of every candidate in ``used`` (indices into ``pool``); ``inf`` where no roster
    has the same members by relationship and sex."""
    members = concatenated_ranges(pool.hh_offset[used], pool.hh_size[used].astype(np.int64))
    c_comp, c_ages = _aligned_ages(
        np.repeat(np.arange(used.size, dtype=np.int64), pool.hh_size[used]),
        pool.p_role[members], pool.p_sex[members], pool.p_age[members].astype(np.int64),
        used.size)
    index = roster_index(rosters)
    return _closest(c_ages, index.ages, np.searchsorted(index.composition, c_comp),
                    np.searchsorted(index.composition, c_comp, "right"))


class RosterIndex(NamedTuple):
    """What every disclosure assessment looks up in one set of source rosters."""

    full: SourceKeys  # households on every quasi-identifier
    structure: SourceKeys  # households on relationship, sex and age
    composition: np.ndarray  # sorted composition hashes (relationship x sex multisets)
    ages: np.ndarray  # each household's ages aligned as in ``_aligned_ages``, in that order


@lru_cache(maxsize=4)
def roster_index(rosters: Rosters) -> RosterIndex:
    """The look-ups of ``rosters``, built once per set of rosters in a process (the
    bundled rosters are loaded once: ``rosters.load_rosters``)."""
    comp, ages = _aligned_ages(rosters.p_hh.astype(np.int64), rosters.p_role, rosters.p_sex,
                               rosters.p_age.astype(np.int64), rosters.n_households)
    order = np.argsort(comp, kind="stable")
    sorted_ages = ages[order]
    composition = comp[order]
    for values in (sorted_ages, composition):
        values.flags.writeable = False
    return RosterIndex(
        full=source_keys(household_hash(_roster_members(rosters, full=True))),
        structure=source_keys(household_hash(_roster_members(rosters, full=False))),
        composition=composition, ages=sorted_ages)


@numba.njit(cache=True, parallel=True)
def _closest(ages: np.ndarray, source: np.ndarray, lo: np.ndarray,
             hi: np.ndarray) -> np.ndarray:
    """For each row of ``ages``, the smallest sum of absolute differences to the rows
    ``lo[i]:hi[i]`` of ``source`` (``inf`` where there are none)."""
    out = np.full(ages.shape[0], np.inf)
    for i in numba.prange(ages.shape[0]):
        best = -1
        for r in range(lo[i], hi[i]):
            d = 0
            for k in range(ages.shape[1]):
                d += abs(int(ages[i, k]) - int(source[r, k]))
                if 0 <= best <= d:
                    break  # no closer than the closest so far
            if best < 0 or d < best:
                best = d
                if best == 0:
                    break
        if best >= 0:
            out[i] = best
    return out


def _share(part: float, whole: float) -> float:
    """``part / whole``; NaN where nothing was assessed (a share of none is unknown, not 0)."""
    return float(part) / float(whole) if whole > 0 else float("nan")


def disclosure_risk(synthetic: Members, pool: SeedPool, hh_seed: np.ndarray,
                    rosters: Rosters, assessed: np.ndarray | None = None) -> dict[str, Any]:
    """The disclosure section of the fit report. ``synthetic`` holds the households as
    written (with marital status and employment), ``assessed`` marks the general ones (all
    when omitted); ``hh_seed`` the candidate each general household was drawn from (any
    order)."""
    index = roster_index(rosters)
    hashes = household_hash(synthetic)
    if assessed is not None:
        hashes = hashes[assessed]
    n = int(hashes.size)
    distinct = index.full
    full_hit, unique_hit = _identical(hashes, distinct)
    draws = np.bincount(hh_seed, minlength=pool.n_households)
    used = np.flatnonzero(draws)
    starts = pool.hh_offset
    structure = household_hash(Members(starts, pool.p_role, pool.p_sex, pool.p_age))
    struct_hit, _ = _identical(structure[used], index.structure)
    weight = draws[used].astype(np.float64)
    total = float(weight.sum())
    sample = np.random.default_rng(DCR_SAMPLE).choice(
        hh_seed.size, size=min(DCR_SAMPLE, hh_seed.size), replace=False)
    s_draws = np.bincount(hh_seed[sample], minlength=pool.n_households)
    s_used = np.flatnonzero(s_draws)
    dcr = closest_record_distance(pool, s_used, rosters)
    s_weight = s_draws[s_used].astype(np.float64)
    s_total = float(s_weight.sum())
    comparable = np.isfinite(dcr)
    w_cmp = s_weight[comparable]
    sorted_dcr = np.sort(np.repeat(dcr[comparable], s_draws[s_used][comparable]))
    median = float(np.median(sorted_dcr)) if sorted_dcr.size else float("nan")
    from_roster = pool.hh_source[used] >= 0
    return {
        "source": ROSTER_FILE,
        "n_source_rosters": rosters.n_households,
        "source_rosters_sharing_their_quasi_identifiers": float(
            (distinct.counts[distinct.counts > 1].sum()) / max(distinct.counts.sum(), 1)),
        "n_distinct_source_keys": int(distinct.keys.size),
        "quasi_identifiers": ["relationship", "sex", "age", "marital_status", "employed"],
        "n_general_households": n,
        "share_drawn_from_roster_candidates": _share(weight[from_roster].sum(), total),
        "share_identical": _share(full_hit.sum(), n),
        "share_identical_to_unique_roster": _share(unique_hit.sum(), n),
        "share_identical_structure": _share(weight[struct_hit].sum(), total),
        "distance_to_closest_record": {
            "definition": "sum of absolute age differences to the closest roster with the "
                          "same members by relationship and sex (years)",
            "n_households_sampled": int(sample.size),
            "share_0": _share(w_cmp[dcr[comparable] == 0].sum(), s_total),
            "share_le_2": _share(w_cmp[dcr[comparable] <= 2].sum(), s_total),
            "share_le_5": _share(w_cmp[dcr[comparable] <= 5].sum(), s_total),
            "median": median,
            "share_no_roster_of_same_membership": _share(s_weight[~comparable].sum(), s_total),
        },
    }
