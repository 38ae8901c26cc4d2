"""A national pool of candidate general households, each a complete set of members.

Every candidate is built to satisfy the structural rules by construction (heads and spouses
at least 18, parents at least 20 years older than their children, grandparents at least 40
years older than grandchildren), so the fitted population cannot contain an impossible
household. Fitting (``synth.fit``) only re-weights candidates; it never edits them.

The household-type mix by size and the age patterns within types are ASSUMPTIONS (KOSTAT's
family-type table was not available offline); they are listed in ``HOUSEHOLD_TEMPLATES``
and reported in the fit report's assumption list. One-person households follow the official
age-by-sex distribution of one-person householders (register-based census 2023).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthsoc.data.reference import one_person_age_sex_shares
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
POOL_PER_SIZE: dict[int, int] = {1: 2000, 2: 3000, 3: 3000, 4: 2500, 5: 2000}
POOL_LARGE = 500  # per size 6..MAX_SIZE


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

    @property
    def n_households(self) -> int:
        return int(self.hh_size.size)


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
        )


def _member(role: str, sex: np.ndarray, age: np.ndarray) -> np.ndarray:
    return np.stack([np.full(sex.shape, ROLE[role]), sex, np.clip(age, 0, 105)], axis=-1)


def _couple(rng: np.random.Generator, n: int, head_age: np.ndarray) -> list[np.ndarray]:
    """Head and spouse of opposite sex; the head is the husband in 85% (ASSUMPTION)."""
    head_sex = (rng.random(n) >= 0.85).astype(np.int64)
    gap = np.clip(np.rint(rng.normal(2.5, 3.0, n)), -8, 10).astype(np.int64)
    spouse_age = np.where(head_sex == MALE, head_age - gap, head_age + gap)
    spouse_age = np.maximum(spouse_age, 22)
    return [_member("head", head_sex, head_age), _member("spouse", 1 - head_sex, spouse_age)]


def _children(rng: np.random.Generator, youngest_parent: np.ndarray, k: int,
              role: str = "child", min_gap: int = 20, max_gap: int = 42) -> list[np.ndarray]:
    n = youngest_parent.size
    out = []
    for _ in range(k):
        age = youngest_parent - rng.integers(min_gap, max_gap + 1, n)
        out.append(_member(role, rng.integers(0, 2, n), np.maximum(age, 0)))
    return out


def _stack(parts: list[np.ndarray]) -> np.ndarray:
    return np.stack(parts, axis=1)


def _template(rng: np.random.Generator, name: str, n: int, size: int) -> tuple[str, np.ndarray]:
    if name == "couple":
        head_age = np.where(rng.random(n) < 0.3, rng.integers(27, 41, n), rng.integers(45, 90, n))
        return "couple", _stack(_couple(rng, n, head_age))
    if name == "couple_children":
        head_age = rng.integers(30, 76, n)
        parents = _couple(rng, n, head_age)
        youngest = np.minimum(parents[0][:, 2], parents[1][:, 2])
        return "couple_children", _stack(parents + _children(rng, youngest, size - 2))
    if name == "single_parent":
        sex = (rng.random(n) < 0.75).astype(np.int64)
        age = rng.integers(32, 90, n)
        head = _member("head", sex, age)
        return "single_parent", _stack([head, *_children(rng, age, size - 1)])
    if name == "couple_parent":
        head_age = rng.integers(30, 66, n)
        parents = _couple(rng, n, head_age)
        old = head_age + rng.integers(22, 36, n)
        return "three_generation" if size > 3 else "other_family", _stack(
            parents + [_member("parent", (rng.random(n) < 0.7).astype(np.int64), old)])
    if name == "three_generation":
        n_old = np.where(rng.random(n) < 0.7, 1, 2) if size >= 5 else np.ones(n, dtype=np.int64)
        head_age = rng.integers(32, 62, n)
        parents = _couple(rng, n, head_age)
        youngest = np.minimum(parents[0][:, 2], parents[1][:, 2])
        old_age = head_age + rng.integers(22, 36, n)
        elder_a_sex = np.where(n_old == 2, MALE, (rng.random(n) < 0.7).astype(np.int64))
        elder_a = _member("parent", elder_a_sex, old_age)
        elder_b = _member("parent", np.ones(n, dtype=np.int64),
                          np.maximum(old_age - rng.integers(0, 6, n), head_age + 20))
        kids = _children(rng, youngest, size - 4)
        # Households with one elder get one more child instead of the second elder.
        extra = _children(rng, youngest, 1)[0]
        second = np.where((n_old == 2)[:, None], elder_b, extra)
        return "three_generation", _stack(parents + kids + [elder_a, second])
    if name == "siblings":
        age = rng.integers(20, 70, n)
        other = np.maximum(age - rng.integers(0, 12, n), 15)
        return "other_family", _stack([_member("head", rng.integers(0, 2, n), age),
                                       _member("sibling", rng.integers(0, 2, n), other)])
    if name == "grandparent":
        age = rng.integers(62, 92, n)
        head = _member("head", (rng.random(n) < 0.7).astype(np.int64), age)
        kids = _children(rng, age, size - 1, role="grandchild", min_gap=42, max_gap=62)
        return "other_family", _stack([head, *kids])
    if name == "non_family":
        ages = [rng.integers(20, 65, n) for _ in range(size)]
        members = [_member("head", rng.integers(0, 2, n), ages[0])]
        members += [_member("non_relative", rng.integers(0, 2, n), a) for a in ages[1:]]
        return "non_family", _stack(members)
    raise KeyError(name)


def build_seed_pool(seed: int) -> SeedPool:
    """Draw the candidate pool. Deterministic for a given ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 101]))
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
                htype, members = _template(rng, name, n, size)
                builder.add(htype, members)
    return builder.build()
