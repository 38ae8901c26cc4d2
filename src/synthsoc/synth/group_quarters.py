"""Foreign, institutional and non-kin group households, built to exact census counts.

For each eup-myeon-dong the census gives the number of such households and their members by
sex; both are met exactly. Member ages are not published for these households. Each member's
age band is drawn from the ASSUMED profiles below (documented in the fit report). Members of
institutional and non-kin group households are Korean residents whom the MOIS register counts
by single year of age (those single years are controls of the run): within its band, such a
member's age is drawn without replacement from the registered residents of the si-gun-gu,
sex and band not yet placed, so the group quarters follow the register's single-year shape
and never hold more people of one age than the register has (a uniform draw over 80-98 put
2.4 times the registered women aged 98 into care homes at full scale). Only where a band
holds more group-quarter members than registered residents are the rest drawn with the
national register's shape (counted in ``SpecialHouseholds.beyond_register``). Households of
foreign nationals keep the assumed profiles uniform within each band (foreigners are not in
the register). The first member of each household is its head and is always an adult.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthsoc.data.reference import SINGLE_AGES

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
    beyond_register: int  # members aged beyond the registered residents left (see module)


@dataclass(frozen=True)
class Register:
    """Registered Korean residents not yet placed, (n_sgg, 2, SINGLE_AGES), drawn down in
    place by every group-quarter kind that takes from it; ``area_sgg`` maps each area of the
    household counts to its si-gun-gu."""

    left: np.ndarray
    area_sgg: np.ndarray


def _age_bands(rng: np.random.Generator, kind: str, sex: np.ndarray,
               adults_only: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each member's age band (lowest and highest age) from the assumed profile."""
    low = np.zeros(sex.size, dtype=np.int64)
    high = np.zeros(sex.size, dtype=np.int64)
    for s in (0, 1):
        for adult in (False, True):
            mask = (sex == s) & (adults_only == adult)
            count = int(mask.sum())
            if not count:
                continue
            bands = [b for b in AGE_PROFILES[kind][s] if not adult or b[1] >= 18]
            weights = np.array([b[2] for b in bands])
            pick = rng.choice(len(bands), size=count, p=weights / weights.sum())
            low[mask] = np.array([max(b[0], 18) if adult else b[0] for b in bands])[pick]
            high[mask] = np.array([b[1] for b in bands])[pick]
    return low, high


def _register_ages(rng: np.random.Generator, sex: np.ndarray, low: np.ndarray,
                   high: np.ndarray, sgg: np.ndarray, register: np.ndarray) -> tuple[np.ndarray,
                                                                                     int]:
    """Ages within each member's band drawn without replacement from ``register`` (drawn
    down in place); members a band's registered residents cannot hold follow the national
    register's shape of the band. One multivariate hypergeometric draw per (si-gun-gu, sex,
    band): table-sized, not person-sized."""
    ages = np.zeros(sex.size, dtype=np.int64)
    national = register.sum(axis=0)
    # One integer per (si-gun-gu, sex, low, high), in the same order as the rows: the
    # groups come out as np.unique(axis=0) lists them, at a tenth of its cost.
    width = SINGLE_AGES + 1
    key = ((sgg.astype(np.int64) * 2 + sex) * width + low) * width + high
    codes, inverse = np.unique(key, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(codes.size + 1))
    rest_code, high_of = np.divmod(codes, width)
    rest_code, low_of = np.divmod(rest_code, width)
    sgg_of, sex_of = np.divmod(rest_code, 2)
    beyond = 0
    for i, (g, s, lo, hi) in enumerate(zip(sgg_of.tolist(), sex_of.tolist(), low_of.tolist(),
                                           high_of.tolist(), strict=True)):
        members = order[bounds[i]:bounds[i + 1]]
        urn = register[g, s, lo:hi + 1]
        taken = rng.multivariate_hypergeometric(urn, min(members.size, int(urn.sum())))
        rest = members.size - int(taken.sum())
        if rest:
            shape = national[s, lo:hi + 1].astype(np.float64) + 1e-12
            taken = taken + rng.multinomial(rest, shape / shape.sum())
            beyond += rest
        register[g, s, lo:hi + 1] = np.maximum(urn - taken, 0)
        ages[members] = rng.permutation(np.repeat(np.arange(lo, hi + 1), taken))
    return ages, beyond


def build_special_households(rng: np.random.Generator, kind: str, households: np.ndarray,
                             members: np.ndarray,
                             register: Register | None = None) -> SpecialHouseholds:
    """Households of ``kind`` per area with exact household and member-by-sex counts; with a
    ``register`` the members' single years are drawn from it (see the module docstring)."""
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
    low, high = _age_bands(rng, kind, p_sex, is_head)
    beyond = 0
    if register is None:
        ages = rng.integers(low, high + 1)
    else:
        if register.left.shape[2] != SINGLE_AGES or high.max(initial=0) >= SINGLE_AGES:
            raise ValueError(f"group quarters: register ages 0..{register.left.shape[2] - 1} "
                             f"do not cover the {kind!r} profile")
        ages, beyond = _register_ages(rng, p_sex, low, high, register.area_sgg[p_area],
                                      register.left)
    by_household = np.argsort(p_hh, kind="stable")
    sizes = np.bincount(p_hh, minlength=int(hh.sum())).astype(np.int32)
    return SpecialHouseholds(
        kind=kind,
        hh_emd=np.repeat(np.arange(n_area, dtype=np.int32), hh),
        hh_size=sizes,
        p_hh=p_hh[by_household],
        p_sex=p_sex[by_household],
        p_age=ages[by_household].astype(np.int16),
        p_is_head=is_head[by_household],
        beyond_register=beyond,
    )
