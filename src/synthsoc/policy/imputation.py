"""Money the population does not hold, drawn from stated distributions (one draw = one world).

The population knows each household's income bracket (synth) and who is employed, but not the
income within the bracket, how it splits between members, or assets. Each draw:

* household income: uniform within its bracket; the open top bracket (100 million KRW and more,
  20% of households, so about the top quintile) is Pareto with its shape set so that its mean is
  the published top-quintile mean;
* the earned and business share of income (published means) goes to employed members, split by
  Gamma(``earner_weight_shape``) weights; the rest (property, transfers) to the head; a household
  without an employed member has only other income;
* net assets: log-normal through two published points of the net-asset distribution (share
  below 300 million, share of 1 billion or more), correlated with the household's income rank
  by ``asset_income_correlation`` (an assumption, no published figure found).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import polars as pl
from scipy import stats

from synthsoc.policy.units import FAMILY_ROLE_APPLICANT, PolicyUnits
from synthsoc.synth import schema

MANWON = 10_000.0

# bracket bounds in KRW per year, by synth/schema.py INCOME_BRACKETS
BRACKET_BOUNDS: dict[str, tuple[float, float]] = {
    "under_10m": (0.0, 10e6),
    "10_30m": (10e6, 30e6),
    "30_50m": (30e6, 50e6),
    "50_70m": (50e6, 70e6),
    "70_100m": (70e6, 100e6),
    "100m_plus": (100e6, np.inf),
}


def anchors() -> dict[str, float]:
    """The cited anchors in ``data/imputation_anchors.csv``."""
    path = files("synthsoc.policy") / "data" / "imputation_anchors.csv"
    frame = pl.read_csv(str(path), comment_prefix="#")
    return dict(zip(frame["indicator"].to_list(), frame["value"].to_list(), strict=True))


@dataclass(frozen=True)
class ImputationParams:
    """How unknown money is drawn; the first three are read from cited anchors by default."""

    labour_share: float
    top_pareto_shape: float
    log_assets_mu: float
    log_assets_sigma: float
    earner_weight_shape: float = 2.0  # ASSUMPTION: spread of earnings among a household's earners
    asset_income_correlation: float = 0.5  # ASSUMPTION: no published rank correlation found


@cache
def default_imputation() -> ImputationParams:
    a = anchors()
    labour = (a["mean_earned_income"] + a["mean_business_income"]) / a["mean_household_income"]
    top_mean = a["top_quintile_mean_income"] * MANWON
    shape = top_mean / (top_mean - 100e6)  # Pareto mean = shape * x_m / (shape - 1)
    z_low = stats.norm.ppf(a["share_net_assets_below_30000"])
    z_high = stats.norm.ppf(1.0 - a["share_net_assets_100000_or_more"])
    sigma = (np.log(100_000 * MANWON) - np.log(30_000 * MANWON)) / (z_high - z_low)
    mu = np.log(30_000 * MANWON) - sigma * z_low
    return ImputationParams(labour_share=float(labour), top_pareto_shape=float(shape),
                            log_assets_mu=float(mu), log_assets_sigma=float(sigma))


def implied_mean_net_assets(params: ImputationParams) -> float:
    """Mean of the fitted log-normal: compare with the published mean (a check, not a fit)."""
    return float(np.exp(params.log_assets_mu + params.log_assets_sigma**2 / 2))


@dataclass(frozen=True)
class MoneyDraw:
    earnings: np.ndarray  # per person, KRW per year
    other_income: np.ndarray  # per person
    family_assets: np.ndarray  # per benefit unit
    household_income: np.ndarray  # per synthsoc household


def draw_money(units: PolicyUnits, params: ImputationParams, seed: int, draw: int) -> MoneyDraw:
    """One draw of income and assets for every household, reproducible from (seed, draw)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x501C, draw]))
    brackets = units.households["income_bracket"].cast(pl.Utf8).to_numpy()
    n_hh = brackets.size
    unknown = sorted(set(brackets.tolist()) - set(schema.INCOME_BRACKETS))
    if unknown:
        raise ValueError(f"households.parquet: income_bracket values {unknown} are not in "
                         f"{list(schema.INCOME_BRACKETS)}")
    low = np.empty(n_hh)
    high = np.empty(n_hh)
    for name, (lo, hi) in BRACKET_BOUNDS.items():
        mask = brackets == name
        low[mask], high[mask] = lo, hi
    u = rng.random(n_hh)
    top = ~np.isfinite(high)
    income = np.where(top, 0.0, low + u * (high - low))
    income[top] = low[top] * (1.0 - u[top]) ** (-1.0 / params.top_pareto_shape)

    hh = units.household
    weight = np.where(units.employed, rng.gamma(params.earner_weight_shape, size=hh.size), 0.0)
    weight_sum = np.bincount(hh, weights=weight, minlength=n_hh)
    has_earner = weight_sum > 0
    labour = np.where(has_earner, income * params.labour_share, 0.0)
    earnings = labour[hh] * np.divide(weight, weight_sum[hh], out=np.zeros(hh.size),
                                      where=weight_sum[hh] > 0)
    is_head = units.is_head
    other = np.where(is_head, (income - labour)[hh], 0.0)

    rank = (np.argsort(np.argsort(income, kind="stable"), kind="stable") + 0.5) / n_hh
    z = params.asset_income_correlation * stats.norm.ppf(rank) + np.sqrt(
        1 - params.asset_income_correlation**2
    ) * rng.standard_normal(n_hh)
    assets_hh = np.exp(params.log_assets_mu + params.log_assets_sigma * z)
    family_assets = np.zeros(units.n_families)
    head_rows = np.flatnonzero(is_head & (units.family_role == FAMILY_ROLE_APPLICANT))
    family_assets[units.family[head_rows]] = assets_hh[hh[head_rows]]
    return MoneyDraw(earnings=earnings, other_income=other, family_assets=family_assets,
                     household_income=income)


def given_money(units: PolicyUnits, earnings: np.ndarray, other_income: np.ndarray,
                household_assets: np.ndarray) -> MoneyDraw:
    """Known money instead of a draw: per-person earnings and other income (KRW per year) and
    per-household net assets (held by the head's unit), e.g. for hand-written households."""
    if earnings.size != units.n_persons or other_income.size != units.n_persons:
        raise ValueError(f"earnings and other_income need one value per person "
                         f"({units.n_persons})")
    if household_assets.size != units.households.height:
        raise ValueError(f"household_assets needs one value per household "
                         f"({units.households.height})")
    family_assets = np.zeros(units.n_families)
    head_rows = np.flatnonzero(units.is_head & (units.family_role == FAMILY_ROLE_APPLICANT))
    family_assets[units.family[head_rows]] = household_assets[units.household[head_rows]]
    income = np.bincount(units.household, weights=earnings + other_income,
                         minlength=units.households.height)
    return MoneyDraw(earnings=earnings.astype(np.float64),
                     other_income=other_income.astype(np.float64),
                     family_assets=family_assets, household_income=income)
