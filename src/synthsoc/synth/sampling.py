"""Exact, faster equivalents of two random draws made over tens of millions of people.

* ``smallest_keys_per_group``: ``wanted[g]`` elements of each group ``g`` chosen uniformly at
  random, as the elements with the smallest random keys. The draws of marriage migrants (per
  si-gun-gu) and conscripts (per single year of age) sorted every eligible person by (group,
  key) for that, O(n log n) and most of their time at full scale (about 11 s for some ten
  million people); here one counting pass groups the elements and a selection
  (``np.partition``) finds each group's cut-off key, O(n) in all. The chosen set is exactly
  the one the sort gives: ties at the cut-off go to the lower positions, as a stable sort
  orders them.
* ``weighted_choice``: ``rng.choice(p.size, size=n, p=p)`` value for value, from the same
  random numbers (numpy draws one uniform per element and searches the normalised
  cumulative weights); the search starts from a guide table instead of bisecting the whole
  table, which cost seconds per draw over 51 million names. Its uniforms are drawn a
  chunk at a time (``uniform_chunks``: the same numbers as one call) into an output of the
  caller's integer width, so a draw over 51 million people holds no 400 MB temporaries.
  ``uniforms_at`` keeps only the uniforms at given positions of such a stream.
* ``stable_counting_order``: ``np.argsort(codes, kind="stable")`` for small non-negative
  codes, as 32-bit positions (half the memory of numpy's 64-bit result).
* ``gathered``: ``values[positions]`` for 32-bit positions, without numpy's slow path for
  them or a 64-bit copy of them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numba
import numpy as np


def smallest_keys_per_group(keys: np.ndarray, group: np.ndarray,
                            wanted: np.ndarray) -> np.ndarray:
    """Positions (ascending) of the ``wanted[g]`` elements with the smallest ``keys`` in each
    group ``g`` (all of a group's elements when it has fewer).

    ``group`` holds values in ``[0, wanted.size)``; ``keys`` and ``group`` have one value per
    element. The same set as ``np.lexsort((keys, group))`` ranked within each group.
    """
    keys = np.asarray(keys, dtype=np.float64)
    group = np.asarray(group, dtype=np.int64)
    wanted = np.asarray(wanted, dtype=np.int64)
    if keys.shape != group.shape:
        raise ValueError(f"keys {keys.shape} and group {group.shape} differ in shape")
    if group.size and (group.min() < 0 or group.max() >= wanted.size):
        raise ValueError(f"group values must lie in [0, {wanted.size})")
    return np.flatnonzero(_choose(keys, group, wanted))


@numba.njit(cache=True, nogil=True)
def _choose(keys: np.ndarray, group: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    n_groups = wanted.size
    # Members of each group in ascending position (a stable counting sort).
    members = np.empty(group.size, dtype=np.int64)
    start = _counting_order(group, n_groups, members)
    chosen = np.zeros(group.size, dtype=np.bool_)
    largest = 0
    for g in range(n_groups):
        largest = max(largest, start[g + 1] - start[g])
    segment = np.empty(largest)
    for g in range(n_groups):
        lo, hi = start[g], start[g + 1]
        k = min(wanted[g], hi - lo)
        if k <= 0:
            continue
        if k == hi - lo:
            for j in range(lo, hi):
                chosen[members[j]] = True
            continue
        for j in range(lo, hi):
            segment[j - lo] = keys[members[j]]
        cut = np.partition(segment[:hi - lo], k - 1)[k - 1]
        taken = 0
        for j in range(lo, hi):
            if keys[members[j]] < cut:
                chosen[members[j]] = True
                taken += 1
        for j in range(lo, hi):
            if taken >= k:
                break
            if keys[members[j]] == cut:
                chosen[members[j]] = True
                taken += 1
    return chosen


GUIDE_SIZE = 4096  # a power of two, so that u * GUIDE_SIZE is exact
UNIFORM_CHUNK = 1 << 20  # uniforms drawn at once: 8 MB


def uniform_chunks(rng: np.random.Generator, size: int,
                   chunk: int = UNIFORM_CHUNK) -> Iterator[tuple[int, np.ndarray]]:
    """``rng.random(size)`` in pieces, each with its start: the same numbers, since every
    uniform takes one 64-bit output of the generator, and never more than ``chunk`` of them
    in memory."""
    for start in range(0, size, chunk):
        yield start, rng.random(min(chunk, size - start))


def uniforms_at(rng: np.random.Generator, size: int, positions: np.ndarray) -> np.ndarray:
    """``rng.random(size)[positions]`` without the ``size`` uniforms in memory at once: the
    same numbers, the same ``size`` of them consumed."""
    _check_positions("uniforms_at", positions, size)
    order = np.argsort(positions, kind="stable")
    sorted_positions = positions[order]
    out = np.empty(positions.size, dtype=np.float64)
    for start, u in uniform_chunks(rng, size):
        lo, hi = np.searchsorted(sorted_positions, [start, start + u.size])
        out[order[lo:hi]] = u[sorted_positions[lo:hi] - start]
    return out


def weighted_choice(rng: np.random.Generator, size: int, p: np.ndarray,
                    dtype: type[np.integer] = np.int64) -> np.ndarray:
    """Indices into ``p`` drawn with weights ``p``: the same values as
    ``rng.choice(p.size, size=size, p=p)`` and the same random numbers consumed, as
    ``dtype`` (which must hold ``p.size - 1``)."""
    if p.size - 1 > np.iinfo(dtype).max:
        raise ValueError(f"weighted_choice: {p.size} weights do not fit in {np.dtype(dtype)}")
    cdf, guide = _cdf_and_guide(p)
    out = np.empty(size, dtype=dtype)
    for start, u in uniform_chunks(rng, size):
        out[start:start + u.size] = _search_right(cdf, guide, u)
    return out


def weighted_choice_into(rng: np.random.Generator, p: np.ndarray, values: np.ndarray,
                         positions: np.ndarray, out: np.ndarray) -> None:
    """``out[positions] = values[weighted_choice(rng, positions.size, p)]`` without the
    drawn indices or the gathered values in memory: the same uniforms, the same result."""
    if values.size != p.size:
        raise ValueError(f"weighted_choice_into: {values.size} values for {p.size} weights")
    _check_positions("weighted_choice_into", positions, out.size)
    cdf, guide = _cdf_and_guide(p)
    for start, u in uniform_chunks(rng, positions.size):
        _place_choices(cdf, guide, u, values, positions[start:start + u.size], out)


def _check_positions(caller: str, positions: np.ndarray, size: int) -> None:
    if positions.size and (int(positions.min()) < 0 or int(positions.max()) >= size):
        raise ValueError(f"{caller}: positions must lie in [0, {size}), got "
                         f"{int(positions.min())}..{int(positions.max())}")


def _cdf_and_guide(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cdf = np.asarray(p, dtype=np.float64).cumsum()
    cdf /= cdf[-1]
    # guide[j]: the answer for the lowest uniform of bucket j, a lower bound for the bucket.
    guide = np.searchsorted(cdf, np.arange(GUIDE_SIZE) / GUIDE_SIZE, side="right")
    return cdf, guide


@numba.njit(cache=True, nogil=True)
def _place_choices(cdf: np.ndarray, guide: np.ndarray, u: np.ndarray, values: np.ndarray,
                   positions: np.ndarray, out: np.ndarray) -> None:
    for i in range(u.size):
        out[positions[i]] = values[_search_one(cdf, guide, u[i])]


@numba.njit(cache=True, nogil=True)
def _search_right(cdf: np.ndarray, guide: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``np.searchsorted(cdf, u, side="right")``, each search starting from its bucket."""
    out = np.empty(u.size, dtype=np.int64)
    for i in range(u.size):
        out[i] = _search_one(cdf, guide, u[i])
    return out


@numba.njit(cache=True, nogil=True)
def _search_one(cdf: np.ndarray, guide: np.ndarray, x: float) -> int:
    """``np.searchsorted(cdf, x, side="right")`` from the guide's bucket of ``x``."""
    k = guide[int(x * guide.size)]
    while k < cdf.size and cdf[k] <= x:
        k += 1
    return k


def stable_counting_order(codes: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """``(np.argsort(codes, kind="stable"), bounds)`` for codes in ``[0, n_codes)``: the
    positions as int32 and ``bounds[c]:bounds[c + 1]``, the slice of the order holding code
    ``c``. One counting pass and one placing pass, O(n)."""
    if codes.size >= 2**31:
        raise ValueError(f"stable_counting_order: {codes.size} elements need 64-bit positions")
    if codes.size and (int(codes.min()) < 0 or int(codes.max()) >= n_codes):
        raise ValueError(f"stable_counting_order: codes must lie in [0, {n_codes})")
    order = np.empty(codes.size, dtype=np.int32)
    return order, _counting_order(codes, n_codes, order)


@numba.njit(cache=True, nogil=True)
def _counting_order(codes: np.ndarray, n_codes: int, order: np.ndarray) -> np.ndarray:
    """Fills ``order`` with the stable ascending order of ``codes`` (values in
    ``[0, n_codes)``) and returns the bounds of each code's slice of it."""
    bounds = np.zeros(n_codes + 1, dtype=np.int64)
    for i in range(codes.size):
        bounds[codes[i] + 1] += 1
    for c in range(n_codes):
        bounds[c + 1] += bounds[c]
    fill = bounds[:-1].copy()
    for i in range(codes.size):
        order[fill[codes[i]]] = i
        fill[codes[i]] += 1
    return bounds


def gathered(values: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``values[positions]`` in one compiled pass. Fancy indexing by 32-bit positions takes
    three times as long, and ``np.take`` first copies them to 64 bits (0.4 GB for 51
    million persons); this does neither. Positions must lie in ``[0, values.size)``."""
    out, bad = _gathered(values, positions)
    if bad >= 0:
        raise IndexError(f"gathered: position {int(positions[bad])} outside "
                         f"[0, {values.size})")
    return out


@numba.njit(cache=True, nogil=True)
def _gathered(values: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, int]:
    out = np.empty(positions.size, dtype=values.dtype)
    for i in range(positions.size):
        p = positions[i]
        if p < 0 or p >= values.size:
            return out, i
        out[i] = values[p]
    return out, -1
