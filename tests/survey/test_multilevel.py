from __future__ import annotations

import numpy as np
import pytest

from synthsoc.evaluate.holdout import sklearn_equivalent_penalty
from synthsoc.survey.multilevel import (
    fit_multilevel_logit,
    minimize_lbfgs,
    posterior_draws,
    predict_draws,
)


def _data(n: int, seed: int) -> tuple[list[list[str]], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.choice(["a0", "a1", "a2"], n)
    b = rng.choice(["b0", "b1"], n)
    # P(yes) depends on both, with an a x b interaction in cell (a2, b1)
    p = 0.2 + 0.2 * (a == "a1") + 0.4 * (b == "b1") * (a == "a2")
    y = (rng.random(n) < p).astype(np.int64)
    return [a.tolist(), b.tolist()], y, p


def test_recovers_cell_probabilities_with_interaction() -> None:
    values, y, _ = _data(6000, 0)
    model = fit_multilevel_logit(["a", "b"], values, y, 2)
    cells = [["a0", "a1", "a2", "a2"], ["b0", "b0", "b0", "b1"]]
    probs = model.predict(cells)[:, 1]
    assert np.allclose(probs, [0.2, 0.4, 0.2, 0.6], atol=0.04)
    assert model.penalties_by_term()["a:b"] < 1e4  # the real interaction is kept


def test_unseen_levels_fall_back_to_pooled_effects() -> None:
    values, y, _ = _data(2000, 1)
    model = fit_multilevel_logit(["a", "b"], values, y, 2)
    probs = model.predict([["a9"], ["b0"]])
    assert probs.shape == (1, 2) and np.isclose(probs.sum(), 1.0)


def test_fixed_penalty_main_effects_is_plain_logistic() -> None:
    values, y, _ = _data(3000, 2)
    model = fit_multilevel_logit(["a", "b"], values, y, 2, max_order=1, penalty=1.0)
    assert set(model.penalties_by_term()) == {"a", "b"}
    assert all(v == 1.0 for v in model.penalties_by_term().values())


def test_lbfgs_minimises_a_quadratic() -> None:
    target = np.array([1.0, -2.0, 3.0])

    def f(x: np.ndarray) -> tuple[float, np.ndarray]:
        d = x - target
        return float(d @ d), 2 * d

    found = minimize_lbfgs(f, np.zeros(3))
    assert np.allclose(found.x, target, atol=1e-6)
    assert found.converged and found.iterations > 0
    scale = np.array([1.0, 10.0, 100.0])

    def g(x: np.ndarray) -> tuple[float, np.ndarray]:
        d = x - target
        return float(scale @ d**2), 2 * scale * d

    stopped = minimize_lbfgs(g, np.zeros(3), max_iter=1)  # one step cannot reach the minimum
    assert not stopped.converged and stopped.iterations == 1


def test_posterior_draws_match_binomial_spread_and_prior_for_unseen_levels() -> None:
    # One binary attribute, no pooling left to do: the posterior sd of each group's share must
    # be close to the binomial sqrt(p (1 - p) / n); a level nobody has gets the prior's spread
    # (main-effect precision 1, i.e. logit sd 1), far wider.
    rng = np.random.default_rng(3)
    n = 6000
    a = rng.choice(["x", "y"], n)
    p = np.where(a == "x", 0.7, 0.3)
    y = (rng.random(n) < p).astype(np.int64)
    model = fit_multilevel_logit(["a"], [a.tolist()], y, 2, extra_levels=[["unseen"]])
    theta = posterior_draws(model, [a.tolist()], y, 2000, rng)
    draws = predict_draws(model, theta, [["x", "y", "unseen"]])[:, :, 1]
    for i, level in enumerate(["x", "y"]):
        members = a == level
        share = y[members].mean()
        expected = np.sqrt(share * (1 - share) / members.sum())
        assert draws[:, i].std() == pytest.approx(expected, rel=0.15)
        assert draws[:, i].mean() == pytest.approx(share, abs=0.01)
    assert draws[:, 2].std() > 5 * draws[:, 0].std()


@pytest.mark.parametrize("n_answers", [2, 3])
def test_logistic_baseline_matches_scikit_learn_default(n_answers: int) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import OneHotEncoder

    values, y, _ = _data(1500, 3)
    if n_answers == 3:
        y = np.where(np.array(values[1]) == "b1", y + 1, y)  # a third answer
    x = np.array(values, dtype=object).T
    encoder = OneHotEncoder().fit(x)
    reference = LogisticRegression(C=1.0, max_iter=5000, tol=1e-10).fit(encoder.transform(x), y)
    ours = fit_multilevel_logit(
        ["a", "b"], values, y, n_answers, max_order=1, penalty=sklearn_equivalent_penalty(n_answers)
    )
    expected = reference.predict_proba(encoder.transform(x))
    assert np.allclose(ours.predict(values), expected, atol=1e-4)


def test_a_large_fit_is_the_same_on_one_and_two_blas_threads() -> None:
    """12,185 parameters: long enough that a BLAS dot product is split over threads. The
    optimiser's dot products are pairwise sums, so the fit is byte for byte the same."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(3)
    n = 20_000
    a, b, c = (rng.integers(0, k, n) for k in (60, 30, 6))
    eta = (a % 5 == 0) * 0.8 + (c - 3) * 0.2
    y = np.clip(np.round(2 + eta + rng.normal(0, 1.2, n)), 0, 4).astype(np.int64)
    values = [[f"{v}" for v in x] for x in (a, b, c)]
    fits = []
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            fits.append(fit_multilevel_logit(["a", "b", "c"], values, y, 5, em_iterations=2))
    assert fits[0].coef.size + fits[0].intercept.size > 10_000
    assert fits[0].coef.tobytes() == fits[1].coef.tobytes()
    assert fits[0].intercept.tobytes() == fits[1].intercept.tobytes()
    assert fits[0].term_penalties == fits[1].term_penalties
