"""How a user's respondent file maps onto the population: columns, labels, and what was dropped.

Nothing in a data file is ignored silently. Every column of a microdata CSV is one of:

* a **feature**: a population attribute (``age_group``, ``sex``, ``region``, ...), under its own
  name or renamed by the map's ``columns`` block;
* an **answer** column: some question's ``data_column`` (default: the question id);
* the survey **weight** column the map names;
* listed under the map's ``ignore``.

Anything else stops the run with the file, the column and the closest valid names. Every value of
a feature column must be a value the population has (after the map's ``values`` block, e.g.
``20대 -> 19-29``); a value that is not stops the run likewise, naming the value, how many rows
carry it, and the nearest population values. Empty cells are missing answers: those rows are
dropped per question and counted. A map entry that matches nothing in the file is an error too
(it is almost always a typo).

The map is a YAML file (``--map``)::

    columns: {agegrp: age_group, 성별: sex}      # file column -> population attribute
    values:
      age_group: {20대: 19-29, 30대: 30-39, 70대 이상: 70+}
      sex: {남자: M, 여자: F}
      q1: {매우 그렇다: "5"}                      # answer labels -> option ids
    weight: wt                                  # survey weight column (optional)
    ignore: [respondent_id, interviewer]        # columns deliberately not used

:class:`InputRecord` is what a run used and dropped; it is written beside the results.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from synthsoc.survey.questionnaire import Questionnaire
from synthsoc.survey.respondents import ATTRIBUTE_VALUES, SEGMENT_ATTRIBUTES

_MAP_KEYS = {"columns", "values", "weight", "ignore"}
MISSING_LABELS = frozenset({"", "NA", "NaN", "nan", "N/A", "null", "None"})


class MappingError(ValueError):
    """A data column, label or map entry that maps to nothing; names file, column and value."""


@dataclass(frozen=True)
class DataMap:
    """The user's explicit mapping of file columns and labels onto population attributes."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    weight: str | None = None
    ignore: tuple[str, ...] = ()
    source: str = "(no map)"


def load_data_map(path: str | Path) -> DataMap:
    """Read a ``--map`` YAML file (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise MappingError(f"{path}: map file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {exc}") from exc
    return parse_data_map(raw, str(path))


def parse_data_map(raw: Any, source: str) -> DataMap:
    if raw is None:
        return DataMap(source=source)
    if not isinstance(raw, Mapping):
        raise MappingError(f"{source}: a map is a mapping with keys {sorted(_MAP_KEYS)}")
    unknown = sorted(str(k) for k in raw if k not in _MAP_KEYS)
    if unknown:
        raise MappingError(f"{source}: unknown key(s) {unknown}; allowed: {sorted(_MAP_KEYS)}")
    columns_raw = raw.get("columns") or {}
    if not isinstance(columns_raw, Mapping):
        raise MappingError(f"{source}: `columns` must map file columns to attributes")
    columns = {str(k): str(v) for k, v in columns_raw.items()}
    for column, attribute in columns.items():
        if attribute not in SEGMENT_ATTRIBUTES:
            raise MappingError(
                f"{source}: columns: {column!r} -> {attribute!r}: not a population attribute"
                f"{closest_names(attribute, SEGMENT_ATTRIBUTES)}"
            )
    values_raw = raw.get("values") or {}
    if not isinstance(values_raw, Mapping) or not all(
        isinstance(v, Mapping) for v in values_raw.values()
    ):
        raise MappingError(f"{source}: `values` must be {{column: {{label: value}}}}")
    values = {str(c): {str(k): str(v) for k, v in m.items()} for c, m in values_raw.items()}
    ignore_raw = raw.get("ignore") or []
    if not isinstance(ignore_raw, list):
        raise MappingError(f"{source}: `ignore` must be a list of column names")
    weight = raw.get("weight")
    return DataMap(
        columns=columns,
        values=values,
        weight=None if weight is None else str(weight),
        ignore=tuple(str(c) for c in ignore_raw),
        source=source,
    )


@dataclass
class InputRecord:
    """What one run read from its data and what it left out (written as ``inputs.json``)."""

    file: str
    map: str
    n_rows: int
    columns: list[dict[str, str]] = field(default_factory=list)
    relabelled: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "map": self.map,
            "n_rows": self.n_rows,
            "columns": self.columns,
            "relabelled": self.relabelled,
            "dropped": self.dropped,
        }


@dataclass(frozen=True)
class MappedMicrodata:
    """Microdata with population attribute names and values; answers still as labelled."""

    frame: pl.DataFrame
    features: tuple[str, ...]
    weight: str | None
    record: InputRecord


def map_microdata(
    frame: pl.DataFrame,
    path: Path,
    questionnaire: Questionnaire,
    respondents: pl.DataFrame,
    data_map: DataMap,
    features: Sequence[str] | None = None,
) -> MappedMicrodata:
    """Rename, relabel and check every column of ``frame`` (see the module docstring)."""
    record = InputRecord(str(path), data_map.source, frame.height)
    for column in [*data_map.columns, *data_map.ignore]:
        if column not in frame.columns:
            raise MappingError(
                f"{data_map.source}: column {column!r} is not in {path}"
                f"{closest_names(column, frame.columns)}; columns are {frame.columns}"
            )
    if data_map.weight is not None and data_map.weight not in frame.columns:
        raise MappingError(
            f"{data_map.source}: weight column {data_map.weight!r} is not in {path}"
            f"{closest_names(data_map.weight, frame.columns)}"
        )
    renamed = {c: a for c, a in data_map.columns.items()}
    clash = sorted(a for a in renamed.values() if a in frame.columns and a not in renamed)
    if clash:
        raise MappingError(
            f"{data_map.source}: columns maps onto {clash}, which {path} already has"
        )
    frame = frame.rename(renamed)
    attributes = [a for a in SEGMENT_ATTRIBUTES if a in respondents.columns]
    answer_columns = {q.data_column or q.id for q in questionnaire.questions}
    if features is not None:
        for f in features:
            if f not in frame.columns:
                raise MappingError(
                    f"{path}: no feature column {f!r}{closest_names(f, frame.columns)}"
                )
            if f not in attributes:
                raise MappingError(
                    f"{path}: feature {f!r} is not a population attribute"
                    f"{closest_names(f, attributes)}"
                )
    chosen: list[str] = []
    original = {a: c for c, a in renamed.items()}
    for column in frame.columns:
        source_name = original.get(column, column)
        if column == data_map.weight:
            role = "weight"
        elif source_name in data_map.ignore:
            role = "ignored (map)"
        elif column in answer_columns:
            role = f"answer:{column}"
        elif column in attributes and (features is None or column in features):
            role = f"feature:{column}"
            chosen.append(column)
        elif column in attributes:
            role = "ignored (not among --features)"
        elif column in SEGMENT_ATTRIBUTES:
            raise MappingError(
                f"{path}: column {column!r} is a persona attribute but the population has no "
                "personas.parquet (run `synthsoc personas` first, or list it under ignore)"
            )
        else:
            hint = closest_names(column, [*attributes, *sorted(answer_columns)])
            raise MappingError(
                f"{path}: column {source_name!r} is neither a population attribute nor a "
                f"question's data column{hint}"
                f". Map it in --map (columns: {{{source_name}: ATTRIBUTE}}) or list it under "
                "ignore"
            )
        record.columns.append({"column": source_name, "used_as": role})
    for column in data_map.values:
        if column not in frame.columns:
            raise MappingError(
                f"{data_map.source}: values: {column!r} is not a column of {path} (after "
                f"renaming){closest_names(column, frame.columns)}"
            )
    frame = _relabel(frame, data_map, path, record)
    for column in chosen:
        _check_levels(frame, column, respondents, path, data_map)
    weight = data_map.weight
    if weight is not None:
        frame = _numeric_weight(frame, weight, path)
    return MappedMicrodata(frame, tuple(chosen), weight, record)


def _relabel(
    frame: pl.DataFrame, data_map: DataMap, path: Path, record: InputRecord
) -> pl.DataFrame:
    exprs = []
    for column, mapping in data_map.values.items():
        present = frame[column].cast(pl.Utf8).str.strip_chars()
        counts = dict(present.value_counts().iter_rows())
        unused = sorted(k for k in mapping if k not in counts)
        if unused:
            raise MappingError(
                f"{data_map.source}: values: {column}: label(s) {unused} never occur in {path}"
                f"{closest_names(unused[0], [str(k) for k in counts if k is not None])}"
            )
        for label, value in mapping.items():
            record.relabelled.append(
                {"column": column, "from": label, "to": value, "rows": int(counts[label])}
            )
        exprs.append(present.replace(mapping).alias(column))
    return frame.with_columns(exprs) if exprs else frame


def _check_levels(
    frame: pl.DataFrame, column: str, respondents: pl.DataFrame, path: Path, data_map: DataMap
) -> None:
    valid = sorted(
        set(respondents[column].cast(pl.Utf8).to_list()) | set(ATTRIBUTE_VALUES.get(column, ()))
    )
    values = frame[column].cast(pl.Utf8).str.strip_chars()
    counts = values.value_counts()
    bad = [
        (str(v), int(n))
        for v, n in counts.iter_rows()
        if v is not None and v not in MISSING_LABELS and v not in valid
    ]
    if bad:
        value, n = sorted(bad, key=lambda x: -x[1])[0]
        others = f" (and {len(bad) - 1} more: {[b[0] for b in bad[1:6]]})" if len(bad) > 1 else ""
        raise MappingError(
            f"{path}: column {column!r}: value {value!r} ({n} rows) is not a value of the "
            f"population's {column}{closest_names(value, valid)}{others}; valid values are "
            f"{valid[:20]}. Map it in --map (values: {{{column}: {{{value}: VALUE}}}})"
        )


def _numeric_weight(frame: pl.DataFrame, column: str, path: Path) -> pl.DataFrame:
    weights = frame[column].cast(pl.Utf8).str.strip_chars().cast(pl.Float64, strict=False)
    bad = frame.filter(weights.is_null() | (weights <= 0) | ~weights.is_finite())
    if bad.height:
        raise MappingError(
            f"{path}: weight column {column!r}: {bad.height} rows are not positive numbers "
            f"(first: {bad[column][0]!r})"
        )
    return frame.with_columns(weights.alias(column))


def is_missing(column: str) -> pl.Expr:
    """Rows whose ``column`` is empty or a missing marker."""
    text = pl.col(column).cast(pl.Utf8).str.strip_chars()
    return text.is_null() | text.is_in(list(MISSING_LABELS))


_DECADE = re.compile(r"^(\d{2})\s*대")


def closest_names(value: str, candidates: Sequence[str]) -> str:
    """``; closest: a, b`` for the nearest names (difflib), plus a reading of ``20대``."""
    names = [str(c) for c in candidates]
    close = difflib.get_close_matches(str(value), names, n=3, cutoff=0.5)
    decade = _DECADE.match(str(value))
    if decade:
        low = int(decade.group(1))
        close += [c for c in names if c.startswith(f"{low}-") or c.startswith(f"{low - 1}-")]
    close = list(dict.fromkeys(close))
    return f"; closest: {', '.join(close)}" if close else ""
