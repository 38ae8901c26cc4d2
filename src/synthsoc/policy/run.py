"""A policy run: baseline and reform evaluated on every household, once per draw of money."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from synthsoc.policy.evaluate_rules import DEFAULT_RULE_YEARS, evaluate_rules
from synthsoc.policy.imputation import ImputationParams, default_imputation, draw_money
from synthsoc.policy.reform import ReformSpec, build_reform
from synthsoc.policy.system import RULES, korea_system
from synthsoc.policy.units import PolicyUnits, build_units
from synthsoc.synth import Population

AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("<30", 0, 29), ("30-39", 30, 39), ("40-49", 40, 49), ("50-59", 50, 59),
    ("60-69", 60, 69), ("70+", 70, 200),
)


@dataclass(frozen=True)
class RunConfig:
    """What one `synthsoc policy` run evaluates."""

    draws: int = 20
    seed: int = 1
    rule_years: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RULE_YEARS))

    def __post_init__(self) -> None:
        if self.draws < 1:
            raise ValueError(f"draws must be at least 1, got {self.draws}")
        unknown = sorted(set(self.rule_years) - set(RULES))
        if unknown:
            raise ValueError(f"unknown rules {unknown}; known: {sorted(RULES)}")


@dataclass(frozen=True)
class PolicyRun:
    """Amounts per (draw, household) for each rule, baseline and reform, in KRW per year."""

    config: RunConfig
    households: pl.DataFrame  # dense order: reporting keys
    weight: float  # persons represented by one synthetic person (1 / scale)
    baseline: dict[str, np.ndarray]
    reform: dict[str, np.ndarray]
    baseline_recipients: dict[str, np.ndarray]
    reform_recipients: dict[str, np.ndarray]
    reform_spec: ReformSpec | None
    imputation: ImputationParams
    seconds_per_draw: float
    population_year: int | None = None  # census year of the population (manifest)
    scale_stated: bool = True  # False: the manifest gives no scale and the weight is 1


def reporting_keys(pop: Population, units: PolicyUnits) -> pl.DataFrame:
    """Household keys the report groups by: income bracket, type, head's age group, district."""
    head_age = np.zeros(units.households.height, dtype=np.int64)
    head_age[units.household[units.is_head]] = units.age[units.is_head]
    labels = np.array([g[0] for g in AGE_GROUPS])
    bounds = np.array([g[1] for g in AGE_GROUPS])
    age_group = labels[np.searchsorted(bounds, head_age, side="right") - 1]
    names = pop.regions.select(
        pl.col("sigungu_code").cast(pl.Utf8), pl.col("sigungu_name").fill_null(""),
        pl.col("sido_name"),
    ).unique("sigungu_code")
    frame = units.households.select(
        "household_id", pl.col("income_bracket").cast(pl.Utf8), pl.col("type").cast(pl.Utf8),
        pl.col("sigungu_code").cast(pl.Utf8), pl.col("size"),
    ).with_columns(pl.Series("age_group", age_group))
    return frame.join(names, on="sigungu_code", how="left", maintain_order="left").with_columns(
        pl.concat_str([pl.col("sido_name"), pl.col("sigungu_name")], separator=" ")
        .str.strip_chars().alias("district")
    )


def run_policy(pop: Population, reform: ReformSpec | None, config: RunConfig,
               imputation: ImputationParams | None = None,
               baseline_system: TaxBenefitSystem | None = None) -> PolicyRun:
    """Evaluate every rule of ``config`` for the baseline and the reform, ``config.draws`` times."""
    import time

    units = build_units(pop)
    params = imputation or default_imputation()
    base = baseline_system or korea_system()
    reformed = build_reform(base, reform) if reform is not None else base
    n_hh = units.households.height
    shape = (config.draws, n_hh)
    out = {name: {r: np.zeros(shape) for r in config.rule_years}
           for name in ("base", "reform", "base_n", "reform_n")}
    started = time.perf_counter()
    for d in range(config.draws):
        money = draw_money(units, params, config.seed, d)
        base_amounts = evaluate_rules(base, units, money, config.rule_years)
        reform_amounts = (base_amounts if reform is None
                          else evaluate_rules(reformed, units, money, config.rule_years))
        for rule in config.rule_years:
            b, r = base_amounts[rule], reform_amounts[rule]
            out["base"][rule][d], out["base_n"][rule][d] = b.amount, b.recipients
            out["reform"][rule][d], out["reform_n"][rule][d] = r.amount, r.recipients
    seconds = (time.perf_counter() - started) / config.draws
    scale_stated = bool(pop.manifest.get("scale"))
    scale = float(pop.manifest["scale"]) if scale_stated else 1.0
    year = pop.manifest.get("year")
    return PolicyRun(
        config=config, households=reporting_keys(pop, units), weight=1.0 / scale,
        baseline=out["base"], reform=out["reform"], baseline_recipients=out["base_n"],
        reform_recipients=out["reform_n"], reform_spec=reform, imputation=params,
        seconds_per_draw=seconds, population_year=int(year) if year else None,
        scale_stated=scale_stated,
    )
