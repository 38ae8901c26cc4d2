"""Sandbox users: persons joined with their personas and households, the segments they fall in,
and a sample stratified by segment.

Segments (the scorecard's rows) are derived from population columns by the rules below; the
thresholds are ASSUMPTIONS stated in docs/sandbox.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from synthsoc.persona.build import PERSONAS_FILE
from synthsoc.sandbox.catalogue import UNKNOWN_INCOME
from synthsoc.synth import PopulationFolderError, load_population

MIN_AGE = 20  # the sandbox's users are adults
SEGMENTS: tuple[str, ...] = ("age_group", "dialect", "income", "education", "digital")
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("20-39", 20, 39), ("40-59", 40, 59), ("60-74", 60, 74), ("75+", 75, 200))
INCOME_GROUPS: dict[str, str] = {
    "under_10m": "low (<30m)", "10_30m": "low (<30m)",
    "30_50m": "middle (30-70m)", "50_70m": "middle (30-70m)",
    "70_100m": "high (70m+)", "100m_plus": "high (70m+)", UNKNOWN_INCOME: "unknown",
}
EDUCATION_GROUPS: dict[str, str] = {
    "none": "middle school or less", "elementary": "middle school or less",
    "middle": "middle school or less", "high": "high school", "college": "tertiary",
    "university": "tertiary", "graduate": "tertiary",
}
PERSON_COLUMNS = ["person_id", "household_id", "age", "sex", "sido_code", "education",
                  "nationality"]
PERSONA_COLUMNS = ["person_id", "dialect", "dialect_strength", "register_elders",
                   "register_peers", "register_juniors", "messenger", "uses_sns",
                   "online_shopping", "consumption_style", "portal"]


@dataclass(frozen=True)
class SampleSpec:
    """How many users to draw: ``per_stratum`` from each cell of the ``strata`` columns."""

    per_stratum: int = 2
    strata: tuple[str, ...] = ("age_group", "dialect")
    seed: int = 0

    def __post_init__(self) -> None:
        if self.per_stratum < 1:
            raise ValueError(f"sandbox: per_stratum must be at least 1, got {self.per_stratum}")
        unknown = set(self.strata) - set(SEGMENTS)
        if unknown:
            raise ValueError(f"sandbox: unknown strata {sorted(unknown)} (expected {SEGMENTS})")


def _age_group() -> pl.Expr:
    expr = pl.lit(None, dtype=pl.String)
    for label, low, high in reversed(AGE_GROUPS):
        expr = pl.when(pl.col("age").is_between(low, high)).then(pl.lit(label)).otherwise(expr)
    return expr.alias("age_group")


def _digital() -> pl.Expr:
    """low: no messenger or never shops online; high: SNS user shopping online weekly."""
    low = (pl.col("messenger") == "none") | (pl.col("online_shopping") == "never")
    high = pl.col("uses_sns") & (pl.col("online_shopping") == "weekly")
    return (pl.when(low).then(pl.lit("low")).when(high).then(pl.lit("high"))
            .otherwise(pl.lit("medium")).alias("digital"))


def load_users(folder: Path) -> pl.DataFrame:
    """Adults of the population folder with persona, household and segment columns."""
    population = load_population(folder, columns=PERSON_COLUMNS)
    personas_path = folder / PERSONAS_FILE
    if not personas_path.is_file():
        raise PopulationFolderError(
            f"{personas_path}: no personas; run `synthsoc personas {folder}` first")
    personas = pl.read_parquet(personas_path)
    missing = [c for c in PERSONA_COLUMNS if c not in personas.columns]
    if missing:
        raise PopulationFolderError(f"{personas_path}: missing columns {missing}")
    households = population.households.select(
        "household_id", pl.col("size").cast(pl.Int32).alias("household_size"),
        pl.col("type").cast(pl.String).alias("household_type"),
        pl.col("income_bracket").cast(pl.String).fill_null(UNKNOWN_INCOME))
    frame = (
        population.persons.filter(pl.col("age") >= MIN_AGE)
        .with_columns(pl.col(c).cast(pl.String) for c in ("sex", "sido_code", "education",
                                                           "nationality"))
        .join(personas.select(PERSONA_COLUMNS).with_columns(
            pl.col(c).cast(pl.String) for c in PERSONA_COLUMNS[1:] if c != "uses_sns"),
            on="person_id", how="inner")
        .join(households, on="household_id", how="left")
        .with_columns(pl.col("income_bracket").fill_null(UNKNOWN_INCOME),
                      pl.col("household_size").fill_null(1))
    )
    unknown_education = set(frame["education"].unique().to_list()) - set(EDUCATION_GROUPS)
    if unknown_education:
        raise PopulationFolderError(
            f"{folder / 'persons.parquet'}: unknown education value(s) {sorted(unknown_education)}")
    return frame.with_columns(
        _age_group(),
        pl.col("income_bracket").replace_strict(INCOME_GROUPS).alias("income"),
        pl.col("education").replace_strict(EDUCATION_GROUPS).alias("education_group"),
        _digital(),
    ).sort("person_id")


def sample_users(users: pl.DataFrame, spec: SampleSpec) -> pl.DataFrame:
    """``spec.per_stratum`` users drawn at random (seeded) from each stratum present.

    Strata with fewer users than asked give all they have; the ``stratum_size`` column keeps
    each stratum's population count so the shortfall is visible.
    """
    strata = ["education_group" if s == "education" else s for s in spec.strata]
    key = np.random.default_rng(spec.seed).random(users.height)
    return (
        users.sort("person_id").with_columns(pl.Series("_key", key),
                                             pl.len().over(strata).alias("stratum_size"))
        .sort([*strata, "_key"])
        .group_by(strata, maintain_order=True).head(spec.per_stratum)
        .drop("_key").sort("person_id")
    )
