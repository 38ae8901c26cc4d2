"""Template candidate households (the gaps the real rosters leave: ``synth.candidates``) and
the structural rules every candidate, template or roster copy, must keep.

Every candidate is built to satisfy the structural rules by construction, never by clipping:
heads and spouses are adults; a child's age is its mother's (or lone father's) age minus an
age at birth drawn from the official fertility schedule, conditioned on the result being
possible (both parents at least 15 at the birth; a candidate with a child not yet born is
redrawn whole, so that the mother's age at each birth follows the schedule); spouses' ages
differ by a gap drawn from the 2023 first-marriage gap distribution, conditioned on both
being adults. Conditioning is exact (the conditional distribution is inverted), which is the
same as redrawing until the member is possible. ``build`` checks every rule and raises on any
violation. Fitting (``synth.fit``) only re-weights candidates; it never edits them.
Templates enter the pool only where the KGSS rosters (``synth.rosters``) leave a fit cell or
a household size with fewer than ``candidates.MIN_CANDIDATES`` candidates.

The household-type mix by size and the head-age ranges within types are ASSUMPTIONS (KOSTAT's
family-type table was not available offline); they are listed in ``HOUSEHOLD_TEMPLATES``
and reported in the fit report's assumption list. One-person households follow the official
age-by-sex distribution of one-person householders (register-based census 2023).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from synthsoc.data.reference import (
    father_minus_mother_age_at_birth,
    mother_age_at_birth,
    one_person_age_sex_shares,
    spouse_age_gap,
)
from synthsoc.synth.schema import HOUSEHOLD_TYPES, RELATIONSHIPS

MAX_SIZE = 10
MALE, FEMALE = 0, 1
ROLE = {name: code for code, name in enumerate(RELATIONSHIPS)}
HTYPE = {name: code for code, name in enumerate(HOUSEHOLD_TYPES)}

# size -> [(template, share)]: ASSUMPTION (see module docstring).
HOUSEHOLD_TEMPLATES: dict[int, tuple[tuple[str, float], ...]] = {
    2: (("couple", 0.62), ("single_parent", 0.20), ("siblings", 0.05),
        ("grandparent", 0.03), ("non_family", 0.10)),
    3: (("couple_children", 0.72), ("single_parent", 0.12), ("couple_parent", 0.08),
        ("grandparent", 0.03), ("non_family", 0.05)),
    4: (("couple_children", 0.80), ("three_generation", 0.10), ("single_parent", 0.05),
        ("non_family", 0.05)),
    5: (("couple_children", 0.50), ("three_generation", 0.45), ("single_parent", 0.05)),
}
LARGE_TEMPLATES: tuple[tuple[str, float], ...] = (("three_generation", 0.75),
                                                   ("couple_children", 0.25))
POOL_PER_SIZE: dict[int, int] = {1: 6000, 2: 12000, 3: 12000, 4: 10000, 5: 6000}
POOL_LARGE = 1000  # per size 6..MAX_SIZE
MAX_AGE = 105  # oldest candidate member
ADULT = 18


@dataclass(frozen=True)
class SeedPool:
    """Candidate households (``hh_*``) and their members (``p_*``), members contiguous."""

    hh_size: np.ndarray  # int16
    hh_type: np.ndarray  # int8, index into HOUSEHOLD_TYPES
    hh_offset: np.ndarray  # int64, first member index
    p_hh: np.ndarray  # int32
    p_role: np.ndarray  # int8, index into RELATIONSHIPS
    p_sex: np.ndarray  # int8, 0 male 1 female
    p_age: np.ndarray  # int16
    hh_source: np.ndarray  # int32, the roster a candidate copies (synth.rosters); -1: template
    hh_prior: np.ndarray  # float64, the fit's starting weight

    @property
    def n_households(self) -> int:
        return int(self.hh_size.size)


RULES = ("spouse of the same sex as the head", "age outside 0..MAX_AGE",
         "head or spouse under 18", "child less than 15 years younger than a parent",
         "grandchild less than 30 years younger than the head")


def rule_violations(hh: np.ndarray, role: np.ndarray, sex: np.ndarray, age: np.ndarray,
                    n_hh: int) -> dict[str, np.ndarray]:
    """For every structural rule (``RULES``), the members (of households ``hh``) that break
    it. A parent is the head or the spouse (the youngest of them counts); where a household
    lists several heads, the last one listed is its head."""
    if hh.size and (int(hh.min()) < 0 or int(hh.max()) >= n_hh):
        raise ValueError(f"rule_violations: households must lie in [0, {n_hh}), got "
                         f"{int(hh.min())}..{int(hh.max())}")
    broken = _broken_rules(hh.astype(np.int64, copy=False), role.astype(np.int64, copy=False),
                           sex.astype(np.int64, copy=False), age.astype(np.int64, copy=False),
                           n_hh, ROLE["head"], ROLE["spouse"], ROLE["child"],
                           ROLE["grandchild"], MAX_AGE, ADULT)
    return {rule: broken[k] for k, rule in enumerate(RULES)}


@numba.njit(cache=True, nogil=True)
def _broken_rules(hh: np.ndarray, role: np.ndarray, sex: np.ndarray, age: np.ndarray,
                  n_hh: int, head: int, spouse: int, child: int, grandchild: int,
                  max_age: int, adult: int) -> np.ndarray:
    """(rules, members) in the order of ``RULES``: one pass over the members for each
    household's head and youngest parent, one for the rules."""
    head_sex = np.full(n_hh, -1, dtype=np.int64)
    head_age = np.zeros(n_hh, dtype=np.int64)
    youngest = np.full(n_hh, 10_000, dtype=np.int64)
    for i in range(hh.size):
        if role[i] == head:
            head_sex[hh[i]] = sex[i]
            head_age[hh[i]] = age[i]
        if role[i] == head or role[i] == spouse:
            youngest[hh[i]] = min(youngest[hh[i]], age[i])
    out = np.zeros((5, hh.size), dtype=np.bool_)
    for i in range(hh.size):
        h = hh[i]
        parent = role[i] == head or role[i] == spouse
        out[0, i] = role[i] == spouse and sex[i] == head_sex[h]
        out[1, i] = age[i] < 0 or age[i] > max_age
        out[2, i] = parent and age[i] < adult
        out[3, i] = role[i] == child and youngest[h] - age[i] < 15
        out[4, i] = role[i] == grandchild and head_age[h] - age[i] < 30
    return out


def check_members(hh: np.ndarray, role: np.ndarray, sex: np.ndarray, age: np.ndarray) -> None:
    """Raise if any candidate breaks a structural rule (they hold by construction)."""
    n_hh = int(hh.max()) + 1 if hh.size else 0
    for rule, bad in rule_violations(hh, role.astype(np.int64), sex.astype(np.int64),
                                     age.astype(np.int64), n_hh).items():
        if bad.any():
            raise AssertionError(f"seed pool: {int(bad.sum())} members break '{rule}'")


class _Builder:
    def __init__(self) -> None:
        self.sizes: list[np.ndarray] = []
        self.types: list[np.ndarray] = []
        self.members: list[np.ndarray] = []  # (n, size, 3): role, sex, age

    def add(self, htype: str, members: np.ndarray) -> None:
        n, size, _ = members.shape
        self.sizes.append(np.full(n, size, dtype=np.int16))
        self.types.append(np.full(n, HTYPE[htype], dtype=np.int8))
        self.members.append(members.reshape(n * size, 3))

    def build(self) -> SeedPool:
        sizes = np.concatenate(self.sizes)
        flat = np.concatenate(self.members)
        check_members(np.repeat(np.arange(sizes.size), sizes), flat[:, 0], flat[:, 1],
                      flat[:, 2])
        offsets = np.zeros(sizes.size, dtype=np.int64)
        np.cumsum(sizes[:-1], out=offsets[1:])
        return SeedPool(
            hh_size=sizes,
            hh_type=np.concatenate(self.types),
            hh_offset=offsets,
            p_hh=np.repeat(np.arange(sizes.size, dtype=np.int32), sizes),
            p_role=flat[:, 0].astype(np.int8),
            p_sex=flat[:, 1].astype(np.int8),
            p_age=flat[:, 2].astype(np.int16),
            hh_source=np.full(sizes.size, -1, dtype=np.int32),
            hh_prior=np.ones(sizes.size),
        )


def _member(role: str, sex: np.ndarray, age: np.ndarray) -> np.ndarray:
    return np.stack([np.full(sex.shape, ROLE[role]), sex, age], axis=-1)


def _conditional_draw(rng: np.random.Generator, values: np.ndarray, cdf: np.ndarray,
                      low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """One draw per row from ``values`` (ascending) with cumulative probabilities ``cdf``
    (``_cdf``), conditioned on ``low <= value <= high`` by inverting the conditional
    distribution (exactly what redrawing until the value is admissible gives). Raises if a
    row admits nothing. The uniforms come from ``rng``; the rest is one compiled pass."""
    u = rng.random(low.size)
    out, bad = _invert_conditional(values, cdf, low, high, u)
    if bad >= 0:
        raise ValueError(f"no admissible value in [{low[bad]}, {high[bad]}]")
    return out


def _cdf(probs: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(probs / probs.sum())])


@numba.njit(cache=True, nogil=True)
def _invert_conditional(values: np.ndarray, cdf: np.ndarray, low: np.ndarray,
                        high: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, int]:
    """``_conditional_draw`` for uniforms ``u``, and the first row that admits nothing (-1
    when none)."""
    out = np.empty(low.size, dtype=values.dtype)
    for i in range(low.size):
        lo = np.searchsorted(values, low[i], side="left")
        hi = np.searchsorted(values, high[i], side="right")
        mass = cdf[hi] - cdf[lo]
        if not mass > 0.0:
            return out, i
        point = cdf[lo] + u[i] * mass
        idx = np.searchsorted(cdf, point, side="right") - 1
        # ``point`` can equal an edge of the admissible block only by rounding: stay in it.
        out[i] = values[min(max(idx, lo), hi - 1)]
    return out, -1


@dataclass(frozen=True)
class _Schedules:
    birth_ages: np.ndarray  # mother's age at a birth
    birth_cdf: np.ndarray  # their cumulative probabilities (``_cdf``)
    father_shift: int  # fathers are this many years older at a birth, on average
    gaps: np.ndarray  # husband minus wife
    gap_cdf: np.ndarray


def _schedules() -> _Schedules:
    ages, probs = mother_age_at_birth()
    gaps, gap_probs = spouse_age_gap()
    return _Schedules(ages, _cdf(probs), father_minus_mother_age_at_birth(), gaps,
                      _cdf(gap_probs))


def _birth_age(rng: np.random.Generator, sch: _Schedules, sex: np.ndarray,
               low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Parent's age at a birth (mother's schedule; fathers' shifted), within [low, high]."""
    shift = np.where(sex == MALE, sch.father_shift, 0)
    return _conditional_draw(rng, sch.birth_ages, sch.birth_cdf, low - shift,
                             high - shift) + shift


def _couple(rng: np.random.Generator, sch: _Schedules, n: int,
            head_age: np.ndarray) -> list[np.ndarray]:
    """Head and spouse of opposite sex; the head is the husband in 85% (ASSUMPTION)."""
    head_sex = (rng.random(n) >= 0.85).astype(np.int64)
    male_head = head_sex == MALE
    # husband - wife gap such that the spouse is an adult and at most MAX_AGE.
    low = np.where(male_head, head_age - MAX_AGE, ADULT - head_age)
    high = np.where(male_head, head_age - ADULT, MAX_AGE - head_age)
    gap = _conditional_draw(rng, sch.gaps, sch.gap_cdf, low, high)
    spouse_age = np.where(male_head, head_age - gap, head_age + gap)
    return [_member("head", head_sex, head_age), _member("spouse", 1 - head_sex, spouse_age)]


def _children_of_couple(rng: np.random.Generator, sch: _Schedules, parents: list[np.ndarray],
                        k: int, role: str = "child") -> list[np.ndarray]:
    """``k`` children of a couple: mother's age minus her age at each birth, with the
    father also at least 15 at the birth. The age at birth is not conditioned on the
    child being born: a candidate with an unborn child is redrawn whole
    (``_possible_candidates``), so a mother's age at every birth follows the schedule."""
    wife = np.where(parents[0][:, 1] == FEMALE, parents[0][:, 2], parents[1][:, 2])
    husband = np.where(parents[0][:, 1] == MALE, parents[0][:, 2], parents[1][:, 2])
    low = np.maximum(15, 15 + wife - husband)
    high = np.full(wife.size, 49)
    n = wife.size
    female = np.full(n, FEMALE)
    return [_member(role, rng.integers(0, 2, n), wife - _birth_age(rng, sch, female, low, high))
            for _ in range(k)]


def _children_of_parent(rng: np.random.Generator, sch: _Schedules, sex: np.ndarray,
                        age: np.ndarray, k: int) -> list[np.ndarray]:
    low = np.full(age.size, 15)
    high = np.full(age.size, 49 + sch.father_shift)  # unborn children: see _possible_candidates
    return [_member("child", rng.integers(0, 2, age.size),
                    age - _birth_age(rng, sch, sex, low, high)) for _ in range(k)]


def _stack(parts: list[np.ndarray]) -> np.ndarray:
    return np.stack(parts, axis=1)


def _elders(rng: np.random.Generator, sch: _Schedules, head_age: np.ndarray,
            two: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The head's parent(s): a father (when ``two``) and a mother, or one parent (70%
    mothers, ASSUMPTION); each at least 15 at the head's birth and at most MAX_AGE."""
    n = head_age.size
    first_sex = np.where(two, MALE, (rng.random(n) < 0.7).astype(np.int64))
    top = np.minimum(MAX_AGE - head_age, 49 + sch.father_shift)
    b = _birth_age(rng, sch, first_sex, np.full(n, 15), top)
    first = _member("parent", first_sex, head_age + b)
    # The mother of a two-elder household: husband-wife gap such that she was 15..49 at
    # the head's birth and is at most MAX_AGE.
    low = np.maximum(b - 49, head_age + b - MAX_AGE)
    high = b - 15
    gap = _conditional_draw(rng, sch.gaps, sch.gap_cdf, low, high)
    second = _member("parent", np.full(n, FEMALE), head_age + b - gap)
    return first, second


def _template(rng: np.random.Generator, sch: _Schedules, name: str, n: int,
              size: int) -> tuple[str, np.ndarray]:
    if name == "couple":
        head_age = np.where(rng.random(n) < 0.25, rng.integers(22, 45, n),
                            rng.integers(45, 95, n))
        return "couple", _stack(_couple(rng, sch, n, head_age))
    if name == "couple_children":
        parents = _couple(rng, sch, n, rng.integers(22, 81, n))
        return "couple_children", _stack(parents + _children_of_couple(rng, sch, parents,
                                                                       size - 2))
    if name == "single_parent":
        sex = (rng.random(n) < 0.75).astype(np.int64)
        age = rng.integers(22, 91, n)
        head = _member("head", sex, age)
        return "single_parent", _stack([head, *_children_of_parent(rng, sch, sex, age,
                                                                   size - 1)])
    if name == "couple_parent":
        parents = _couple(rng, sch, n, rng.integers(25, 71, n))
        elder, _ = _elders(rng, sch, parents[0][:, 2], np.zeros(n, dtype=bool))
        return "three_generation" if size > 3 else "other_family", _stack(parents + [elder])
    if name == "three_generation":
        two = (rng.random(n) < 0.3) if size >= 5 else np.zeros(n, dtype=bool)
        parents = _couple(rng, sch, n, rng.integers(28, 71, n))
        kids = _children_of_couple(rng, sch, parents, size - 4)
        elder_a, elder_b = _elders(rng, sch, parents[0][:, 2], two)
        # Households with one elder get one more child instead of the second elder.
        extra = _children_of_couple(rng, sch, parents, 1)[0]
        second = np.where(two[:, None], elder_b, extra)
        return "three_generation", _stack(parents + kids + [elder_a, second])
    if name == "siblings":
        age = rng.integers(20, 70, n)
        other = age - _conditional_draw(rng, np.arange(-11, 12), _cdf(np.ones(23)),
                                        age - MAX_AGE, age - 15)
        return "other_family", _stack([_member("head", rng.integers(0, 2, n), age),
                                       _member("sibling", rng.integers(0, 2, n), other)])
    if name == "grandparent":
        age = rng.integers(55, 96, n)
        sex = (rng.random(n) < 0.7).astype(np.int64)
        head = _member("head", sex, age)
        kids = []
        for _ in range(size - 1):
            b1 = _birth_age(rng, sch, sex, np.full(n, 15), np.minimum(age - 15, 60))
            b2 = _birth_age(rng, sch, np.full(n, FEMALE), np.full(n, 15),
                            np.minimum(age - b1, 49))
            kids.append(_member("grandchild", rng.integers(0, 2, n), age - b1 - b2))
        return "other_family", _stack([head, *kids])
    if name == "non_family":
        ages = [rng.integers(20, 65, n) for _ in range(size)]
        members = [_member("head", rng.integers(0, 2, n), ages[0])]
        members += [_member("non_relative", rng.integers(0, 2, n), a) for a in ages[1:]]
        return "non_family", _stack(members)
    raise KeyError(name)


def _possible_candidates(rng: np.random.Generator, sch: _Schedules, name: str, n: int,
                         size: int) -> tuple[str, np.ndarray]:
    """``n`` candidates of a template, every candidate with a child not yet born (age < 0)
    redrawn whole until all are possible. Conditioning each child's age at birth on its
    parent's age instead (at most the parent's age) made young mothers' children far too
    young: the mothers of infants in the pool averaged 27.9 years against the schedule's
    32.7. Redrawing the household keeps the schedule for every birth."""
    parts: list[np.ndarray] = []
    htype = ""
    left = n
    for _ in range(10_000):
        htype, members = _template(rng, sch, name, left, size)
        possible = (members[:, :, 2] >= 0).all(axis=1)
        parts.append(members[possible])
        left -= int(possible.sum())
        if left == 0:
            return htype, np.concatenate(parts)
    raise RuntimeError(f"seed pool: template {name!r} of size {size} kept drawing unborn "
                       "children")


def build_template_pool(seed: int) -> SeedPool:
    """Draw the template candidates (``synth.candidates`` takes from them only what the real
    rosters do not cover). Deterministic for a given ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 101]))
    sch = _schedules()
    builder = _Builder()
    # One-person households: official age x sex shares of one-person householders.
    shares = one_person_age_sex_shares()
    n1 = POOL_PER_SIZE[1]
    cell = rng.choice(len(shares), size=n1, p=shares["share"].to_numpy())
    low = shares["age_low"].to_numpy()[cell]
    high = shares["age_high"].to_numpy()[cell]
    age = rng.integers(low, high + 1)
    sex = shares["sex_code"].to_numpy()[cell]
    builder.add("one_person", _member("head", sex, age)[:, None, :])
    plans = {size: HOUSEHOLD_TEMPLATES[size] for size in range(2, 6)}
    counts = {size: POOL_PER_SIZE[size] for size in range(2, 6)}
    for size in range(6, MAX_SIZE + 1):
        plans[size] = LARGE_TEMPLATES
        counts[size] = POOL_LARGE
    for size, plan in plans.items():
        names = [name for name, _ in plan]
        probs = np.array([share for _, share in plan])
        picks = rng.choice(len(names), size=counts[size], p=probs / probs.sum())
        for idx, name in enumerate(names):
            n = int((picks == idx).sum())
            if n:
                htype, members = _possible_candidates(rng, sch, name, n, size)
                builder.add(htype, members)
    return builder.build()
