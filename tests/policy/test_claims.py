"""Take-up below 100% of the standing benefits, on small hand-made networks."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from synthsoc.policy import claims


def _random_network(n: int, p: float, seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((n, n)) < p, k=1)
    return sp.csr_matrix((upper | upper.T).astype(np.float32))


def test_published_rates_are_the_cited_counts() -> None:
    rates = claims.takeup_rates()
    # the figures of the cited sources, re-typed here from their text
    assert rates["basic_pension"] == pytest.approx(6_238_798 / 6_475_081)
    assert rates["earned_income_tax_credit"] == pytest.approx(0.92)
    assert rates["parent_benefit"] == pytest.approx(2_300_000 / 2_530_000)
    assert set(rates) == set(claims.CLAIM_RULES)


@pytest.mark.parametrize("rule", claims.CLAIM_RULES)
def test_fit_reaches_the_published_rate_and_the_ineligible_never_claim(rule: str) -> None:
    n = 1500
    adjacency = _random_network(n, 0.01, 3)
    person_household = np.arange(n)
    eligible = np.random.default_rng(4).random(n) < 0.4
    params = claims.fit_claims(rule, eligible, person_household, adjacency, seed=1)
    assert params.fitted_rate == pytest.approx(claims.takeup_rates()[rule], abs=0.01)
    assert params.peer == pytest.approx(params.base * claims.peer_ratio())
    claimed, share = claims.claims(eligible, person_household, adjacency, params.base,
                                   params.peer, params.rounds, seed=1, stream=0)
    assert not claimed[~eligible].any()
    assert share == pytest.approx(claimed[eligible].mean())


def test_claims_spread_through_contacts() -> None:
    n = 1500
    person_household = np.arange(n)
    eligible = np.ones(n, dtype=bool)
    base = 0.02
    peer = base * claims.peer_ratio()
    connected = _random_network(n, 0.01, 3)
    alone = sp.csr_matrix((n, n), dtype=np.float32)
    _, with_peers = claims.claims(eligible, person_household, connected, base, peer, 12, 1, 0)
    _, without = claims.claims(eligible, person_household, alone, base, peer, 12, 1, 0)
    # alone, only the base rate acts: 1 - (1 - base)^12 claimed by the end of the year
    assert without == pytest.approx(1 - (1 - base) ** 12, abs=0.03)
    assert with_peers > without + 0.2


def test_same_seed_same_claims_and_streams_differ() -> None:
    n = 800
    adjacency = _random_network(n, 0.01, 5)
    person_household = np.arange(n)
    eligible = np.ones(n, dtype=bool)
    a, _ = claims.claims(eligible, person_household, adjacency, 0.05, 0.3, 12, 7, 0)
    b, _ = claims.claims(eligible, person_household, adjacency, 0.05, 0.3, 12, 7, 0)
    c, _ = claims.claims(eligible, person_household, adjacency, 0.05, 0.3, 12, 7, 1)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
