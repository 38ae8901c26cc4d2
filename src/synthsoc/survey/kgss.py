"""KGSS (Korean General Social Survey, 2003-2012) as an answer source for any questionnaire.

The package carries 27 columns of KGSS's 2,936 (core demographics, weights and attitude items
asked in most waves; ``data/kgss/``, cited in each file's ``# source:`` lines) and the codebook
rows for them. :func:`kgss_microdata` turns them into the microdata the calibrated engine reads:

* answers stay KGSS's codes (``1``..``5``); a questionnaire question names its item with
  ``data_column: PARTYLR`` and uses the codes as option ids (:func:`kgss_options` writes them
  with the codebook's Korean labels);
* missing-answer codes (don't know, refused, not asked, not applicable: read from each
  variable's value labels) become empty cells, which the engine drops and counts per question;
* demographics map onto population attributes through ``kgss_map.yaml`` (the ``--map``
  format), survey weights ``FINALWT`` included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path

import polars as pl

from synthsoc.data.kgss import KgssVariable, read_codebook
from synthsoc.survey.mapping import DataMap, MappingError, closest_names, load_data_map
from synthsoc.survey.respondents import age_group_expr

KGSS_DATA = "kgss_2003_2012_core.csv.gz"
KGSS_CODEBOOK = "kgss_codebook_core.csv"
KGSS_MAP = "kgss_map.yaml"
CORE_COLUMNS = ("YEAR", "RESPID", "FINALWT", "SEX", "AGE", "MARITAL", "EDUC", "REGION")


def kgss_folder() -> Path:
    return Path(str(resources.files("synthsoc.survey") / "data" / "kgss"))


def kgss_codebook() -> dict[str, KgssVariable]:
    """Every packaged KGSS variable with its valid answer labels and missing codes."""
    return read_codebook(kgss_folder() / KGSS_CODEBOOK)


def kgss_items() -> list[str]:
    """Names of the packaged attitude items (the non-demographic columns)."""
    return [v for v in kgss_codebook() if v not in CORE_COLUMNS]


def kgss_options(item: str) -> list[dict[str, str]]:
    """Questionnaire options for ``item``: KGSS codes as ids, the codebook's Korean labels."""
    variable = _variable(item)
    return [{"id": code, "ko": label} for code, label in variable.labels.items()]


def _variable(item: str) -> KgssVariable:
    book = kgss_codebook()
    if item not in book:
        raise MappingError(
            f"KGSS: no packaged item {item!r}{closest_names(item, list(book))}; "
            f"items are {kgss_items()}"
        )
    return book[item]


def kgss_microdata(
    items: Sequence[str], *, years: tuple[int, int] | None = None
) -> tuple[pl.DataFrame, DataMap, dict[str, int]]:
    """Respondents (one row each) with ``age_group``, the mapped demographics, the weight and
    ``items`` (missing codes emptied); the map to apply; and counts of what was dropped."""
    book = kgss_codebook()
    for item in items:
        _variable(item)
    path = kgss_folder() / KGSS_DATA
    frame = pl.read_csv(path, comment_prefix="#", infer_schema=False)
    frame = frame.select([*CORE_COLUMNS, *[i for i in items if i not in CORE_COLUMNS]])
    dropped: dict[str, int] = {}
    if years is not None:
        kept = frame.filter(pl.col("YEAR").cast(pl.Int64).is_between(years[0], years[1]))
        dropped["rows_outside_years"] = frame.height - kept.height
        frame = kept
    frame = frame.with_columns(pl.col("AGE").cast(pl.Float64, strict=False).cast(pl.Int64))
    age = pl.col("AGE")
    dropped["rows_under_19_or_no_age"] = frame.filter(age.is_null() | (age < 19)).height
    frame = (
        frame.filter(age >= 19).with_columns(age_group_expr("AGE").alias("age_group")).drop("AGE")
    )
    for column in ("SEX", "EDUC", "MARITAL", *items):
        missing = sorted(book[column].missing) if column in book else []
        frame = frame.with_columns(
            pl.when(pl.col(column).is_in(missing))
            .then(None)
            .otherwise(pl.col(column))
            .alias(column)
        )
    packaged = load_data_map(kgss_folder() / KGSS_MAP)
    # the packaged map covers every wave; keep the labels this selection of years has
    present = {c: set(frame[c].drop_nulls().to_list()) for c in packaged.columns}
    attribute_of = {a: c for c, a in packaged.columns.items()}
    values = {
        attribute: {k: v for k, v in mapping.items() if k in present[attribute_of[attribute]]}
        for attribute, mapping in packaged.values.items()
    }
    data_map = replace(packaged, values=values)
    return frame, data_map, dropped


KGSS_REGIONS = {"1": "Seoul", "2": "Gyeonggi", "3": "Gangwon", "4": "Chungcheong"}
KGSS_REGIONS |= {"5": "Gyeongsang", "6": "Jeolla", "7": "Jeju"}


def kgss_benchmark_frame(item: str, *, years: tuple[int, int] | None = None) -> pl.DataFrame:
    """KGSS respondents as categorical strings for holdout benchmarks: ``sex``, ``age_group``,
    ``education``, ``marital_status`` (mapped as for surveys), KGSS's own seven-area ``region``,
    ``year`` and the item's answer code; missing answers empty."""
    frame, data_map, _ = kgss_microdata([item], years=years)
    frame = frame.rename(data_map.columns).with_columns(
        [
            pl.col(attribute).replace_strict(mapping, default=None)
            for attribute, mapping in data_map.values.items()
        ]
    )
    return frame.select(
        "sex",
        "age_group",
        "education",
        "marital_status",
        pl.col("REGION").replace_strict(KGSS_REGIONS, default=None).alias("region"),
        pl.col("YEAR").alias("year"),
        pl.col(item),
    )
