"""Take-up through a network and the spending anchor, on small hand-made networks."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import scipy.sparse as sp

from synthsoc.policy import behaviour


def test_mean_field_fit_reproduces_the_published_curve() -> None:
    params = behaviour.fit_takeup()
    published = behaviour.anchors().filter(pl.col("indicator") == "relief_paid_share")
    assert params.fit_rmse < 0.02  # within 2 points of each published share
    assert params.automatic_share == 0.132
    assert published.height == 4


def _complete(n: int) -> sp.csr_matrix:
    dense = np.ones((n, n), dtype=np.float32) - np.eye(n, dtype=np.float32)
    return sp.csr_matrix(dense)


def test_peers_speed_take_up_and_the_ineligible_never_apply() -> None:
    n = 400
    person_household = np.arange(n)
    eligible = np.ones(n, dtype=bool)
    eligible[:40] = False
    income = np.arange(n, dtype=np.float64)
    params = dataclasses.replace(behaviour.fit_takeup(), base=0.02, peer=0.5)
    connected = _complete(n)
    alone = sp.csr_matrix((n, n), dtype=np.float32)
    day_c, curve_c = behaviour.simulate_takeup(eligible, income, person_household, connected,
                                               params, np.random.default_rng(1))
    day_a, curve_a = behaviour.simulate_takeup(eligible, income, person_household, alone,
                                               params, np.random.default_rng(1))
    assert np.all(day_c[:40] == -1) and np.all(day_a[:40] == -1)
    # the automatic share goes to the poorest eligible households on day 0
    assert np.all(day_c[40:40 + 48] == 0)
    assert curve_c[0] == curve_a[0] == 48 / 360
    assert curve_c[params.days] > curve_a[params.days]
    assert np.all(np.diff(curve_c) >= 0)


def test_mpc_range_is_the_kdi_estimate() -> None:
    assert behaviour.mpc_range() == (0.262, 0.361)
