"""The respondent frame: one row per eligible person with every attribute a survey can segment by.

All segment attributes are strings (categorical); ``age`` is kept as an integer for label maps
that select age ranges. ``sigungu_name`` is unique across the country (si-do + si-gun-gu).
Built with polars joins, no per-person Python.
"""

from __future__ import annotations

import polars as pl

from synthsoc.persona.build import PERSONAS_FILE
from synthsoc.persona.columns import CATEGORICAL as PERSONA_CATEGORICAL
from synthsoc.synth import Population, schema

PERSON_ATTRIBUTES: tuple[str, ...] = (
    "sex",
    "marital_status",
    "education",
    "economic_activity",
    "occupation",
    "nationality",
    "relationship",
    "sido_code",
    "sigungu_code",
)
DERIVED_ATTRIBUTES: tuple[str, ...] = (
    "age_group",
    "region",
    "sido_name",
    "sigungu_name",
    "income_bracket",
    "household_type",
    "dwelling_type",
    "household_size",
)
# Persona attributes (from personas.parquet, written by `synthsoc personas`), when present.
PERSONA_ATTRIBUTES: tuple[str, ...] = tuple(PERSONA_CATEGORICAL)
SEGMENT_ATTRIBUTES: tuple[str, ...] = PERSON_ATTRIBUTES + DERIVED_ATTRIBUTES + PERSONA_ATTRIBUTES


AGE_GROUPS: tuple[str, ...] = ("0-18", "19-29", "30-39", "40-49", "50-59", "60-69", "70+")
# Every value an attribute can take in any population (a small population may lack some).
ATTRIBUTE_VALUES: dict[str, tuple[str, ...]] = {
    "sex": schema.SEXES,
    "marital_status": schema.MARITAL_STATUSES,
    "education": schema.EDUCATION_LEVELS,
    "economic_activity": schema.ECONOMIC_ACTIVITIES,
    "nationality": schema.NATIONALITIES,
    "age_group": AGE_GROUPS,
    "income_bracket": schema.INCOME_BRACKETS,
    "household_type": schema.HOUSEHOLD_TYPES,
    "dwelling_type": schema.DWELLING_TYPES,
}


def age_group_expr(column: str = "age") -> pl.Expr:
    """10-year age bands as Korean surveys publish them: 19-29, 30-39, ..., 70+ (0-18 below)."""
    age = pl.col(column)
    return (
        pl.when(age < 19)
        .then(pl.lit("0-18"))
        .when(age < 30)
        .then(pl.lit("19-29"))
        .when(age < 40)
        .then(pl.lit("30-39"))
        .when(age < 50)
        .then(pl.lit("40-49"))
        .when(age < 60)
        .then(pl.lit("50-59"))
        .when(age < 70)
        .then(pl.lit("60-69"))
        .otherwise(pl.lit("70+"))
    )


def district_label_expr(sido: pl.Expr, sigungu: pl.Expr) -> pl.Expr:
    """Unique district label: ``부산광역시 중구`` (six districts are named 중구 alone); a si-do
    without districts (세종특별자치시) is labelled with its own name, never left empty."""
    blank = sigungu.is_null() | (sigungu.str.strip_chars() == "")
    return pl.when(blank).then(sido).otherwise(pl.concat_str([sido, sigungu], separator=" "))


def respondent_frame(
    population: Population, *, min_age: int = 19, max_age: int | None = None
) -> pl.DataFrame:
    """Eligible persons (``min_age`` <= age <= ``max_age``) with all segment attributes.

    Persona attributes are joined when the population folder holds ``personas.parquet``.
    """
    persons = population.persons.filter(pl.col("age") >= min_age)
    if max_age is not None:
        persons = persons.filter(pl.col("age") <= max_age)
    households = population.households.select(
        "household_id",
        pl.col("income_bracket").cast(pl.Utf8),
        pl.col("type").cast(pl.Utf8).alias("household_type"),
        pl.col("dwelling_type").cast(pl.Utf8),
        pl.when(pl.col("size") >= 5)
        .then(pl.lit("5+"))
        .otherwise(pl.col("size").cast(pl.Utf8))
        .alias("household_size"),
    )
    sido = population.regions.select(
        pl.col("sido_code").cast(pl.Utf8),
        pl.col("sido_name").cast(pl.Utf8),
        pl.col("sido_name_en").cast(pl.Utf8).alias("region"),
    ).unique("sido_code")
    sigungu = population.regions.select(
        pl.col("sigungu_code").cast(pl.Utf8),
        district_label_expr(
            pl.col("sido_name").cast(pl.Utf8), pl.col("sigungu_name").cast(pl.Utf8)
        ).alias("sigungu_name"),
    ).unique("sigungu_code")
    frame = (
        persons.select(
            "person_id",
            "household_id",
            pl.col("age").cast(pl.Int64),
            *[pl.col(c).cast(pl.Utf8).fill_null("none") for c in PERSON_ATTRIBUTES],
        )
        .with_columns(age_group_expr().alias("age_group"))
        .join(households, on="household_id", how="left")
        .join(sido, on="sido_code", how="left")
        .join(sigungu, on="sigungu_code", how="left")
        .with_columns([pl.col(c).fill_null("unknown") for c in DERIVED_ATTRIBUTES])
        .sort("person_id")
    )
    frame = frame.select("person_id", "age", *PERSON_ATTRIBUTES, *DERIVED_ATTRIBUTES)
    personas_path = None if population.path is None else population.path / PERSONAS_FILE
    if personas_path is not None and personas_path.is_file():
        personas = pl.read_parquet(personas_path, columns=["person_id", *PERSONA_ATTRIBUTES])
        frame = frame.join(
            personas.with_columns([pl.col(c).cast(pl.Utf8) for c in PERSONA_ATTRIBUTES]),
            on="person_id",
            how="left",
        ).with_columns([pl.col(c).fill_null("unknown") for c in PERSONA_ATTRIBUTES])
    return frame
