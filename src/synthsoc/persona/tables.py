"""The official tables bundled in ``persona/data`` (each CSV starts with ``# source:`` lines)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import polars as pl

from synthsoc.persona import params


def _read(name: str) -> pl.DataFrame:
    path = resources.files("synthsoc.persona") / "data" / name
    with resources.as_file(path) as real:
        return pl.read_csv(real, comment_prefix="#", schema_overrides={"sido_code": pl.String})


@cache
def dialect_by_sido() -> dict[str, str]:
    """KOSTAT si-do code -> dialect zone of residence."""
    frame = _read("dialect_zones.csv")
    unknown = set(frame["dialect"]) - set(params.DIALECTS)
    if unknown:
        raise ValueError(f"persona/data/dialect_zones.csv: field dialect has unknown {unknown}")
    return dict(zip(frame["sido_code"], frame["dialect"], strict=True))


@cache
def sns_table() -> pl.DataFrame:
    """KISDI 2018 SNS rows: age_group, sex, indicator, value."""
    return _read("sns_use_2018.csv")


def _value(age_group: str, sex: str, indicator: str) -> float:
    frame = sns_table().filter(
        (pl.col("age_group") == age_group)
        & (pl.col("sex") == sex)
        & (pl.col("indicator") == indicator)
    )
    if frame.height != 1:
        raise ValueError(
            f"persona/data/sns_use_2018.csv: expected one row for {age_group}/{sex}/{indicator}"
        )
    return float(frame["value"][0])


def sns_use_rate(age_label: str, sex: str) -> float:
    """Target SNS use probability for a 10-year age group and sex ('M'/'F').

    The source gives age margins and sex margins only; the sex ratio is applied as a
    multiplier at every age (an assumption recorded in ``params``).
    """
    overall = _value("all", "total", "sns_use_rate")
    by_sex = _value("all", "male" if sex == "M" else "female", "sns_use_rate")
    return min(1.0, _value(age_label, "total", "sns_use_rate") * by_sex / overall / 100.0)


def sns_minutes(age_label: str) -> float:
    """Mean SNS minutes per day among users (0-9 takes 10-19, 70+ takes 60-69)."""
    label = {"0-9": "10-19", "70+": "60-69"}.get(age_label, age_label)
    return _value(label, "total", "sns_minutes_per_day")


@cache
def big_five_correlation() -> np.ndarray:
    """Inter-trait correlation matrix in ``params.BIG_FIVE`` order (KGSS TIPI, Korean adults)."""
    frame = _read("big_five_correlations.csv")
    index = {t: i for i, t in enumerate(params.BIG_FIVE)}
    matrix = np.eye(len(index))
    seen: set[frozenset[str]] = set()
    for a, b, r in frame.iter_rows():
        if a not in index or b not in index or a == b:
            raise ValueError(f"persona/data/big_five_correlations.csv: unknown pair {a!r}, {b!r}")
        if not -1.0 < float(r) < 1.0:
            raise ValueError(f"persona/data/big_five_correlations.csv: field r has value {r!r}")
        matrix[index[a], index[b]] = matrix[index[b], index[a]] = float(r)
        seen.add(frozenset((a, b)))
    if len(seen) != len(index) * (len(index) - 1) // 2:
        raise ValueError("persona/data/big_five_correlations.csv: not every trait pair is given")
    if np.linalg.eigvalsh(matrix).min() <= 0:
        raise ValueError("persona/data/big_five_correlations.csv: matrix is not positive definite")
    return matrix
