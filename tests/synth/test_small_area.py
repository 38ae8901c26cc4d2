"""Small-area model: recovery of known rates, coverage on held-out census areas, same seed."""

from __future__ import annotations

import numpy as np
import pytest

from synthsoc.synth.small_area import (
    AreaData,
    FitSettings,
    PosteriorRates,
    SmallAreaError,
    fit_rates,
)
from synthsoc.synth.small_area_validation import SurveyDesign, validate

pytestmark = pytest.mark.slow

FAST = FitSettings(chains=2, warmup=200, samples=200, seed=3)


def _simulated(seed: int, areas: int = 240, groups: int = 24) -> tuple[AreaData, np.ndarray,
                                                                    dict[str, object]]:
    """Data drawn from the model itself with stated true values."""
    rng = np.random.default_rng(seed)
    truth = {"alpha": 0.2, "beta": np.array([0.5, -0.3]), "sigma_mid": 0.3, "sigma_area": 0.25}
    mid = rng.integers(0, groups, size=areas)
    parent = rng.uniform(0.2, 0.4, size=areas)
    x = rng.standard_normal((areas, 2))
    w = rng.standard_normal(groups)
    v = rng.standard_normal(areas)
    eta = (np.log(parent / (1 - parent)) + truth["alpha"] + x @ truth["beta"]
           + truth["sigma_mid"] * w[mid] + truth["sigma_area"] * v)
    rate = 1 / (1 + np.exp(-eta))
    n = rng.integers(5, 60, size=areas)
    n[rng.choice(areas, size=areas // 4, replace=False)] = 0  # a quarter of areas unsampled
    y = rng.binomial(n, rate)
    data = AreaData(tuple(f"A{i:03d}" for i in range(areas)), mid.astype(np.int64), parent, x,
                    ("x1", "x2"), n.astype(np.int64), y.astype(np.int64))
    return data, rate, truth


@pytest.fixture(scope="module")
def recovered() -> tuple[AreaData, np.ndarray, dict[str, object], PosteriorRates]:
    data, rate, truth = _simulated(seed=11)
    return data, rate, truth, fit_rates(data, FAST)


def test_recovers_known_rates_and_hyperparameters(
        recovered: tuple[AreaData, np.ndarray, dict[str, object], PosteriorRates]) -> None:
    data, rate, truth, post = recovered
    lo, hi = post.interval(0.9)
    covered = (rate >= lo) & (rate <= hi)
    # 240 areas: a binomial 90% coverage has sd 0.02; the band is about +-3 sd.
    assert 0.82 <= covered.mean() <= 0.97
    unsampled = data.sample_n == 0
    assert 0.75 <= covered[unsampled].mean() <= 1.0
    # Unsampled areas are less certain than sampled ones.
    assert (hi - lo)[unsampled].mean() > (hi - lo)[~unsampled].mean()
    for name in ("alpha", "sigma_mid", "sigma_area"):
        q = np.quantile(post.hyper[name], [0.005, 0.995])
        assert q[0] <= truth[name] <= q[1], name  # type: ignore[operator]
    beta_q = np.quantile(post.hyper["beta"], [0.005, 0.995], axis=0)
    assert np.all((beta_q[0] <= truth["beta"]) & (truth["beta"] <= beta_q[1]))
    assert post.max_r_hat < 1.05
    assert post.min_ess > 30  # worst element (sigma_mid, 24 groups) of 400 draws


def test_same_seed_gives_identical_draws(
        recovered: tuple[AreaData, np.ndarray, dict[str, object], PosteriorRates]) -> None:
    data, _, _, first = recovered
    again = fit_rates(data, FAST)
    assert np.array_equal(first.rates, again.rates)
    assert np.array_equal(first.draws(5, seed=2), again.draws(5, seed=2))
    assert not np.array_equal(first.draws(5, seed=2), first.draws(5, seed=3))


def test_bad_inputs_name_the_field_and_area(
        recovered: tuple[AreaData, np.ndarray, dict[str, object], PosteriorRates]) -> None:
    data, _, _, post = recovered
    with pytest.raises(SmallAreaError, match="parent_rate: area A000"):
        AreaData(data.area_codes, data.mid_index, np.r_[1.0, data.parent_rate[1:]],
                 data.covariates, data.covariate_names, data.sample_n, data.sample_y)
    too_many = data.sample_n.copy() + 1
    with pytest.raises(SmallAreaError, match="sample_y: area"):
        AreaData(data.area_codes, data.mid_index, data.parent_rate, data.covariates,
                 data.covariate_names, data.sample_n * 0, too_many)
    with pytest.raises(SmallAreaError, match="no area has a sample"):
        fit_rates(AreaData(data.area_codes, data.mid_index, data.parent_rate, data.covariates,
                           data.covariate_names, data.sample_n * 0, data.sample_y * 0))
    with pytest.raises(SmallAreaError, match="the fit holds 400 posterior draws"):
        post.draws(401, seed=0)
    with pytest.raises(SmallAreaError, match="level 1.5"):
        post.interval(1.5)


def test_held_out_census_areas_beat_the_province_baseline_with_honest_intervals() -> None:
    """Daejeon, Ulsan and Jeju: 2020 census one-person shares per eup-myeon-dong as truth."""
    result = validate(SurveyDesign(households=6_000, held_out_share=0.3, seed=4,
                                   provinces=("25", "26", "39")), FAST)
    rows = {(r.estimator.split(" ")[0], r.areas.split(" ")[0]): r for r in result.rows}
    for areas in ("sampled", "held"):
        model, baseline = rows[("hierarchical", areas)], rows[("province", areas)]
        assert model.mae < baseline.mae, areas
        assert model.coverage_90 is not None
        # About 40-130 areas per set: +-3 binomial sd around 0.9 is roughly 0.75-1.0.
        assert 0.75 <= model.coverage_90 <= 1.0, (areas, model.coverage_90)
    # An area with no respondents is less certain than a sampled one.
    assert (rows[("hierarchical", "held")].mean_width_90 or 0) > (
        rows[("hierarchical", "sampled")].mean_width_90 or 0)
    assert result.posterior.max_r_hat < 1.05
