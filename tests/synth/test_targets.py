"""The fit's target inputs computed from the candidate pool, against values worked by hand."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from synthsoc.synth.candidates import build_seed_pool
from synthsoc.synth.seeds import ROLE, SeedPool
from synthsoc.synth.targets import young_children_of_couples_share


def test_young_children_of_couples_share_by_hand() -> None:
    # Household 0: a couple (35, 33) and their child aged 2, prior 1. Household 1: a mother
    # aged 30 and her child aged 1, prior 3. Household 2: a man of 40 alone, prior 1.
    # Weighted persons aged 0-4: 1 + 3 = 4, of whom 1 lives with a couple: 0.25.
    role = [ROLE["head"], ROLE["spouse"], ROLE["child"], ROLE["head"], ROLE["child"],
            ROLE["head"]]
    pool = SeedPool(
        hh_size=np.array([3, 2, 1], dtype=np.int16), hh_type=np.zeros(3, dtype=np.int8),
        hh_offset=np.array([0, 3, 5]), p_hh=np.array([0, 0, 0, 1, 1, 2], dtype=np.int32),
        p_role=np.array(role, dtype=np.int8), p_sex=np.array([0, 1, 1, 1, 0, 0], dtype=np.int8),
        p_age=np.array([35, 33, 2, 30, 1, 40], dtype=np.int16),
        hh_source=np.full(3, -1, dtype=np.int32), hh_prior=np.array([1.0, 3.0, 1.0]))
    assert young_children_of_couples_share(pool) == 0.25


def test_young_children_share_does_not_depend_on_blas_threads() -> None:
    # As two BLAS dot products over the 57,122 candidates it was 0.845254149637189 on one
    # OpenBLAS thread and 0.8452541496371889 on two.
    pool = build_seed_pool(1).pool
    shares = []
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            shares.append(young_children_of_couples_share(pool))
    assert shares[0] == shares[1]
