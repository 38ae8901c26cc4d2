"""The demographic inputs of the persona draws, as numpy arrays for one chunk of persons."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from synthsoc.persona import params, tables
from synthsoc.synth import schema

# Person columns and household columns the persona step reads.
PERSON_INPUTS: tuple[str, ...] = (
    "person_id",
    "household_id",
    "relationship",
    "age",
    "sex",
    "sido_code",
    "marital_status",
    "economic_activity",
    "occupation",
    "nationality",
    "education",
)
HOUSEHOLD_INPUTS: tuple[str, ...] = ("household_id", "income_bracket")


@dataclass(frozen=True)
class Demographics:
    """One chunk of persons: the columns every attribute module draws from."""

    age: npt.NDArray[np.int64]
    female: npt.NDArray[np.bool_]
    residence_zone: npt.NDArray[np.int64]  # index into params.DIALECTS
    head_or_spouse: npt.NDArray[np.bool_]
    married: npt.NDArray[np.bool_]
    activity: npt.NDArray[np.int64]  # index into schema.ECONOMIC_ACTIVITIES
    occupation: npt.NDArray[np.int64]  # index into schema.OCCUPATION_GROUPS keys, -1 if null
    income: npt.NDArray[np.int64]  # index into schema.INCOME_BRACKETS
    # Foreign nationals (None: all Korean); they speak standard Korean learned as adults.
    foreign: npt.NDArray[np.bool_] | None = field(default=None)

    @property
    def n(self) -> int:
        return int(self.age.shape[0])


def _codes(frame: pl.DataFrame, column: str, categories: tuple[str, ...], source: str) -> pl.Series:
    values = frame[column]
    bad = values.drop_nulls().filter(~values.drop_nulls().is_in(list(categories)))
    if bad.len():
        raise ValueError(f"{source}: field {column} has unknown value {bad[0]!r}")
    return values.cast(pl.Enum(list(categories))).to_physical()


def demographics(chunk: pl.DataFrame, source: str = "persons.parquet") -> Demographics:
    """Turn a chunk of persons (joined with ``income_bracket``) into integer arrays.

    Coded columns may be strings, categoricals or enums: they are read as strings.
    """
    coded = ("sex", "sido_code", "relationship", "marital_status", "economic_activity",
             "occupation", "income_bracket", "nationality")
    chunk = chunk.with_columns(pl.col(c).cast(pl.String) for c in coded)
    zone_of = tables.dialect_by_sido()
    sido = chunk["sido_code"]
    bad = sido.filter(~sido.is_in(list(zone_of)))
    if bad.len():
        raise ValueError(f"{source}: field sido_code has unknown value {bad[0]!r}")
    zone = sido.replace_strict(zone_of, return_dtype=pl.String)
    occupations = tuple(schema.OCCUPATION_GROUPS)
    return Demographics(
        age=chunk["age"].cast(pl.Int64).to_numpy(),
        female=(_codes(chunk, "sex", schema.SEXES, source) == 1).to_numpy(),
        residence_zone=_codes(chunk.with_columns(zone=zone), "zone", params.DIALECTS, source)
        .cast(pl.Int64)
        .to_numpy(),
        head_or_spouse=chunk["relationship"].is_in(["head", "spouse"]).to_numpy(),
        married=(chunk["marital_status"] == "married").fill_null(False).to_numpy(),
        activity=_codes(chunk, "economic_activity", schema.ECONOMIC_ACTIVITIES, source)
        .cast(pl.Int64)
        .to_numpy(),
        occupation=_codes(chunk, "occupation", occupations, source)
        .cast(pl.Int64)
        .fill_null(-1)
        .to_numpy(),
        income=_codes(chunk, "income_bracket", schema.INCOME_BRACKETS, source)
        .cast(pl.Int64)
        .fill_null(schema.INCOME_BRACKETS.index(params.MISSING_INCOME_BRACKET))
        .to_numpy(),
        foreign=(_codes(chunk, "nationality", schema.NATIONALITIES, source) == 1)
        .fill_null(False)
        .to_numpy(),
    )
