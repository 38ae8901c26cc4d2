"""Recommenders on the population's simulated choices, against independent expectations."""

from __future__ import annotations

import polars as pl
import pytest

from synthsoc.sandbox import (
    PopularityRecommender,
    RandomRecommender,
    SegmentPopularityRecommender,
    evaluate_recommender,
    simulate_choices,
)
from synthsoc.sandbox.catalogue import budget_for, items_in


@pytest.fixture(scope="module")
def choices(users: pl.DataFrame) -> pl.DataFrame:
    return simulate_choices(users, "청소기", seed=2)


def test_choices_are_reproducible_and_mostly_affordable(users: pl.DataFrame,
                                                        choices: pl.DataFrame) -> None:
    assert simulate_choices(users, "청소기", seed=2)["chosen"].equals(choices["chosen"])
    items = items_in("청소기")
    price = choices["chosen"].map_elements(lambda i: items[i].price_manwon, return_dtype=pl.Int64)
    budget = choices["income_bracket"].map_elements(lambda b: budget_for(b, "청소기"),
                                                    return_dtype=pl.Int64)
    assert float((price <= budget).mean()) > 0.8  # type: ignore[arg-type]


def test_random_hit_rate_is_k_over_n(choices: pl.DataFrame) -> None:
    n = len(items_in("청소기"))
    report = evaluate_recommender(RandomRecommender(seed=1), choices, n, k=2, seed=3)
    assert report.hit_rate_ci[0] - 0.02 <= 2 / n <= report.hit_rate_ci[1] + 0.02
    assert report.coverage == 1.0


def test_popularity_beats_random_with_low_coverage(choices: pl.DataFrame) -> None:
    n = len(items_in("청소기"))
    random = evaluate_recommender(RandomRecommender(seed=1), choices, n, k=2, seed=3)
    popular = evaluate_recommender(PopularityRecommender(), choices, n, k=2, seed=3)
    segment = evaluate_recommender(SegmentPopularityRecommender(), choices, n, k=2, seed=3)
    assert popular.hit_rate > random.hit_rate
    assert popular.coverage == pytest.approx(2 / n)
    assert segment.hit_rate >= popular.hit_rate - 0.01 and segment.coverage >= popular.coverage
    assert set(popular.fairness_gap) == {"dialect", "age_group"}
    age = popular.segments.filter(pl.col("segment") == "age_group")
    assert popular.fairness_gap["age_group"] == pytest.approx(
        float(age["hit_rate"].max()) - float(age["hit_rate"].min()))  # type: ignore[arg-type]


def test_bad_k_is_refused(choices: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match="k must be between 1 and 6"):
        evaluate_recommender(PopularityRecommender(), choices, 6, k=7)
