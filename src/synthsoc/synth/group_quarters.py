"""Foreign, institutional and non-kin group households, built to exact census counts.

For each eup-myeon-dong the census gives the number of such households and their members by
sex; both are met exactly. Member ages are not published for these households, so they are
drawn from the ASSUMED age profiles below (documented in the fit report). The first member
of each household is its head and is always an adult.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# kind -> sex -> ((age_low, age_high, weight), ...): ASSUMPTIONS.
AGE_PROFILES: dict[str, tuple[tuple[tuple[int, int, float], ...], ...]] = {
    # Institutions: barracks and dormitories (young men), care homes (older women).
    "inst": (
        ((0, 17, 0.04), (18, 24, 0.30), (25, 39, 0.10), (40, 64, 0.16), (65, 79, 0.15),
         (80, 100, 0.25)),
        ((0, 17, 0.03), (18, 24, 0.12), (25, 39, 0.05), (40, 64, 0.10), (65, 79, 0.20),
         (80, 100, 0.50)),
    ),
    # Six or more unrelated people sharing a dwelling: mostly young working adults.
    "nonkin": (
        ((18, 24, 0.30), (25, 34, 0.35), (35, 49, 0.20), (50, 69, 0.15)),
        ((18, 24, 0.30), (25, 34, 0.35), (35, 49, 0.20), (50, 69, 0.15)),
    ),
    # Households of foreign nationals: mostly working-age migrants.
    "for": (
        ((0, 17, 0.06), (18, 29, 0.30), (30, 39, 0.25), (40, 49, 0.17), (50, 64, 0.18),
         (65, 90, 0.04)),
        ((0, 17, 0.07), (18, 29, 0.30), (30, 39, 0.25), (40, 49, 0.16), (50, 64, 0.17),
         (65, 90, 0.05)),
    ),
}
MIN_MEMBERS = {"inst": 1, "nonkin": 6, "for": 1}


@dataclass(frozen=True)
class SpecialHouseholds:
    """Households of one kind: ``hh_emd`` per household, ``p_*`` per member (by household)."""

    kind: str
    hh_emd: np.ndarray  # int32
    hh_size: np.ndarray  # int32
    p_hh: np.ndarray  # int64 household index within this kind
    p_sex: np.ndarray  # int8
    p_age: np.ndarray  # int16
    p_is_head: np.ndarray  # bool


def _draw_ages(rng: np.random.Generator, kind: str, sex: np.ndarray,
               adults_only: np.ndarray) -> np.ndarray:
    ages = np.zeros(sex.size, dtype=np.int16)
    for s in (0, 1):
        for adult in (False, True):
            mask = (sex == s) & (adults_only == adult)
            count = int(mask.sum())
            if not count:
                continue
            bands = [b for b in AGE_PROFILES[kind][s] if not adult or b[1] >= 18]
            weights = np.array([b[2] for b in bands])
            pick = rng.choice(len(bands), size=count, p=weights / weights.sum())
            low = np.array([max(b[0], 18) if adult else b[0] for b in bands])[pick]
            high = np.array([b[1] for b in bands])[pick]
            ages[mask] = rng.integers(low, high + 1)
    return ages


def build_special_households(rng: np.random.Generator, kind: str, households: np.ndarray,
                             members: np.ndarray) -> SpecialHouseholds:
    """Households of ``kind`` per area with exact household and member-by-sex counts."""
    n_area = households.size
    total = members.sum(axis=1)
    active = (households > 0) & (total > 0)
    hh = np.where(active, households, 0)
    mem = np.where(active[:, None], members, 0)
    per_area = mem.sum(axis=1)
    p_area = np.repeat(np.arange(n_area, dtype=np.int64), per_area)
    # Sexes in area order: males then females, then shuffled within the area.
    first_f = np.repeat(mem[:, 0], per_area)
    start = np.repeat(np.cumsum(per_area) - per_area, per_area)
    rank = np.arange(p_area.size) - start
    p_sex = (rank >= first_f).astype(np.int8)
    order = np.lexsort((rng.random(p_area.size), p_area))
    p_sex = p_sex[order]
    # Household within the area: the first m * H members fill households evenly,
    # the rest join a random household of the area.
    h_of = np.repeat(hh, per_area)
    m = np.maximum(1, np.minimum(MIN_MEMBERS[kind], per_area // np.maximum(hh, 1)))
    m_of = np.repeat(m, per_area)
    local = np.where(rank < m_of * h_of, rank // m_of,
                     (rng.random(p_area.size) * h_of).astype(np.int64))
    local = np.minimum(local, h_of - 1)
    hh_start = np.cumsum(hh) - hh
    p_hh = hh_start[p_area] + local
    is_head = np.where(m_of == 1, rank < h_of, (rank % m_of == 0) & (rank < m_of * h_of))
    ages = _draw_ages(rng, kind, p_sex, is_head)
    by_household = np.argsort(p_hh, kind="stable")
    sizes = np.bincount(p_hh, minlength=int(hh.sum())).astype(np.int32)
    return SpecialHouseholds(
        kind=kind,
        hh_emd=np.repeat(np.arange(n_area, dtype=np.int32), hh),
        hh_size=sizes,
        p_hh=p_hh[by_household],
        p_sex=p_sex[by_household],
        p_age=ages[by_household],
        p_is_head=is_head[by_household],
    )
