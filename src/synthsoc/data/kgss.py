"""KGSS (Korean General Social Survey, 2003-2012) files as the package bundles them: a codebook
(variable, Korean label, valid answers, years asked, value labels) and respondent rows of
numeric codes, each with its ``# source:`` lines. Shared by every layer that reads KGSS (the
survey layer's answer source, the agents layer's agent bank), so the parsing of value labels and
missing codes lives once.

A code is *missing* when its value label says so (don't know, refused, not asked, not
applicable, can't choose: :data:`MISSING_WORDS`); the other labelled codes are answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

MISSING_WORDS = ("DK", "IAP", "모르겠다", "무응답", "비해당", "Refusal", "선택할 수 없음")


@dataclass(frozen=True)
class KgssVariable:
    name: str
    label: str
    years: tuple[int, ...]
    labels: dict[str, str]  # answer code -> Korean label (missing codes excluded)
    missing: frozenset[str]


def parse_value_labels(value_labels: str) -> tuple[dict[str, str], frozenset[str]]:
    """``"-8=DK; 1=남자; 2=여자"`` -> ({"1": "남자", "2": "여자"}, {"-8"})."""
    labels: dict[str, str] = {}
    missing: set[str] = set()
    for part in (value_labels or "").split("; "):
        if "=" not in part:
            continue
        code, text = part.split("=", 1)
        if any(word in text for word in MISSING_WORDS):
            missing.add(code.strip())
        else:
            labels[code.strip()] = text.strip()
    return labels, frozenset(missing)


def read_codebook(path: Path) -> dict[str, KgssVariable]:
    """Every variable of a bundled KGSS codebook with its answer labels and missing codes."""
    book = pl.read_csv(path, comment_prefix="#", infer_schema=False)
    out = {}
    for name, label, years, value_labels in book.select(
        "variable", "label", "years_asked", "value_labels"
    ).iter_rows():
        labels, missing = parse_value_labels(value_labels or "")
        out[name] = KgssVariable(
            name, label, tuple(int(y) for y in (years or "").split() if y.isdigit()), labels,
            missing,
        )
    return out


def read_respondents(path: Path, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """Respondent rows of a bundled KGSS file, every cell as its code (text); an unknown column
    is an error naming the file and the column."""
    frame = pl.read_csv(path, comment_prefix="#", infer_schema=False)
    if columns is None:
        return frame
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        raise ValueError(f"{path}: no KGSS column(s) {unknown}")
    return frame.select(list(columns))
