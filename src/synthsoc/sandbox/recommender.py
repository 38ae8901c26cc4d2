"""Recommenders evaluated on the population's simulated choices.

Every adult of the population chooses one item of a catalogue category (data/catalogue.csv)
by a random-utility draw (Gumbel noise, seeded), vectorised over people:

    utility = style_weight[consumption_style] * price / budget      (taste for dearer items)
              - over_budget_penalty * max(0, price / budget - 1)     (budget from income)
              + peer_weight * share of the person's si-do x age group choosing the item
                in a first, peer-free draw                           (peers)

The weights (:class:`ChoiceModel`) are ASSUMPTIONS. A :class:`Recommender` is fitted on half the
people (seeded split) and recommends ``k`` items to the other half; the evaluation reports the
hit rate (the chosen item is among the ``k``) per segment with bootstrap intervals, catalogue
coverage, and regional and age fairness (the gap between the best and worst segment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import polars as pl

from synthsoc.sandbox.catalogue import budgets, items_in
from synthsoc.sandbox.scorecard import share_interval

FAIRNESS_SEGMENTS = ("dialect", "age_group")
REPORT_SEGMENTS = ("age_group", "dialect", "income", "education_group", "digital")


@dataclass(frozen=True)
class ChoiceModel:
    """ASSUMPTION weights of the simulated choice."""

    style_weight: dict[str, float] = field(default_factory=lambda: {
        "premium": 2.0, "experience": 1.0, "convenience": 0.5, "value_seeking": 0.0,
        "frugal": -2.0})
    over_budget_penalty: float = 4.0
    peer_weight: float = 2.0
    peer_cell: tuple[str, ...] = ("sido_code", "age_group")


def _budget_column(users: pl.DataFrame, category: str) -> np.ndarray:
    table = {k[0]: v for k, v in budgets().items() if k[1] == category}
    return users["income_bracket"].replace_strict(table, return_dtype=pl.Float64).to_numpy()


def simulate_choices(users: pl.DataFrame, category: str, seed: int,
                     model: ChoiceModel | None = None) -> pl.DataFrame:
    """``users`` with a ``chosen`` column: the index of the item each person picks."""
    model = model or ChoiceModel()
    items = items_in(category)
    if not items:
        raise ValueError(f"sandbox: the catalogue has no category {category!r}")
    unknown = set(users["consumption_style"].unique().to_list()) - set(model.style_weight)
    if unknown:
        raise ValueError(f"sandbox: no style weight for consumption_style {sorted(unknown)}")
    price = np.array([i.price_manwon for i in items], dtype=float)
    ratio = price[None, :] / _budget_column(users, category)[:, None]
    style = users["consumption_style"].replace_strict(model.style_weight,
                                                      return_dtype=pl.Float64).to_numpy()
    base = style[:, None] * np.minimum(ratio, 1.0) - model.over_budget_penalty * np.maximum(
        ratio - 1.0, 0.0)
    rng = np.random.default_rng(seed)
    first = (base + rng.gumbel(size=base.shape)).argmax(axis=1)
    cells = users.select(model.peer_cell).with_columns(pl.Series("_c", first))
    onehot = np.eye(len(items))[first]
    shares = pl.DataFrame(onehot, schema=[f"_i{j}" for j in range(len(items))]).with_columns(
        cells.select(model.peer_cell)).select(
        pl.col(f"_i{j}").mean().over(model.peer_cell) for j in range(len(items))).to_numpy()
    chosen = (base + model.peer_weight * shares + rng.gumbel(size=base.shape)).argmax(axis=1)
    return users.with_columns(pl.Series("chosen", chosen, dtype=pl.Int64))


class Recommender(Protocol):
    name: str

    def fit(self, train: pl.DataFrame, n_items: int) -> None: ...

    def recommend(self, users: pl.DataFrame, k: int) -> np.ndarray:
        """(len(users), k) item indices, best first."""
        ...


def _top_k(counts: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-counts, axis=-1, kind="stable")[..., :k]


@dataclass
class PopularityRecommender:
    """The items chosen most often in the training half, the same for everyone."""

    name: str = "popularity"
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def fit(self, train: pl.DataFrame, n_items: int) -> None:
        self.counts = np.bincount(train["chosen"].to_numpy(), minlength=n_items).astype(float)

    def recommend(self, users: pl.DataFrame, k: int) -> np.ndarray:
        return np.tile(_top_k(self.counts, k), (users.height, 1))


@dataclass
class SegmentPopularityRecommender:
    """The items most chosen by training users of the same segment cell (global fallback)."""

    by: tuple[str, ...] = ("income", "age_group")
    name: str = "segment-popularity"
    cells: pl.DataFrame = field(default_factory=pl.DataFrame)
    counts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def fit(self, train: pl.DataFrame, n_items: int) -> None:
        grouped = train.group_by(list(self.by), maintain_order=True).agg(pl.col("chosen"))
        self.cells = grouped.select(self.by).with_row_index("_cell")
        overall = np.bincount(train["chosen"].to_numpy(), minlength=n_items).astype(float)
        per_cell = [np.bincount(np.asarray(c, dtype=np.int64), minlength=n_items)
                    for c in grouped["chosen"].to_list()]
        self.counts = np.vstack([*per_cell, overall]).astype(float)  # last row: fallback

    def recommend(self, users: pl.DataFrame, k: int) -> np.ndarray:
        cell = users.select(self.by).join(self.cells, on=list(self.by), how="left",
                                          maintain_order="left")["_cell"]
        index = cell.fill_null(len(self.counts) - 1).to_numpy().astype(np.int64)
        return _top_k(self.counts[index], k)


@dataclass
class RandomRecommender:
    seed: int = 0
    name: str = "random"
    n_items: int = 0

    def fit(self, train: pl.DataFrame, n_items: int) -> None:
        self.n_items = n_items

    def recommend(self, users: pl.DataFrame, k: int) -> np.ndarray:
        keys = np.random.default_rng(self.seed).random((users.height, self.n_items))
        return _top_k(keys, k)


@dataclass(frozen=True)
class RecommenderReport:
    name: str
    k: int
    n_test: int
    hit_rate: float
    hit_rate_ci: tuple[float, float]
    coverage: float  # share of catalogue items recommended to at least one test user
    fairness_gap: dict[str, float]  # segment kind -> best minus worst segment hit rate
    segments: pl.DataFrame  # segment, value, n, hit_rate, ci_low, ci_high (worst first)


def evaluate_recommender(recommender: Recommender, choices: pl.DataFrame, n_items: int,
                         k: int = 2, seed: int = 0) -> RecommenderReport:
    """Fit on a seeded half of ``choices`` and score on the other half."""
    if not 1 <= k <= n_items:
        raise ValueError(f"sandbox: k must be between 1 and {n_items}, got {k}")
    test_mask = np.random.default_rng(seed).random(choices.height) < 0.5
    train, test = choices.filter(~test_mask), choices.filter(test_mask)
    recommender.fit(train, n_items)
    recommended = recommender.recommend(test, k)
    hits = (recommended == test["chosen"].to_numpy()[:, None]).any(axis=1).astype(float)
    scored = test.with_columns(pl.Series("hit", hits))
    rows = []
    for segment in REPORT_SEGMENTS:
        for (value,), frame in scored.group_by(segment, maintain_order=True):
            values = frame["hit"].to_numpy()
            low, high = share_interval(values, seed=seed)
            rows.append({"segment": segment, "value": str(value), "n": len(values),
                         "hit_rate": float(values.mean()), "ci_low": low, "ci_high": high})
    segments = pl.DataFrame(rows).sort(["segment", "hit_rate", "value"])
    gaps = {}
    for kind in FAIRNESS_SEGMENTS:
        rates = segments.filter(pl.col("segment") == kind)["hit_rate"].to_numpy()
        gaps[kind] = float(rates.max() - rates.min())
    return RecommenderReport(
        name=recommender.name, k=k, n_test=test.height, hit_rate=float(hits.mean()),
        hit_rate_ci=share_interval(hits, seed=seed),
        coverage=len(np.unique(recommended)) / n_items, fairness_gap=gaps, segments=segments)
