"""Published aggregate tables (KOSIS shape) and the maximum-entropy answer model fitted to them.

Statistical offices publish answer shares by one attribute at a time (by sex, by age group, ...),
sometimes by two. Input is a long CSV ``question, group_type, group, answer, value`` (value in
percent), as KOSIS exports it:

* answers named ``Total`` are dropped (they are the 100% row); an answer ``X - Y`` is a sub-answer
  of ``X`` and is dropped in favour of its parent, so shares are not counted twice;
* two-way tables have ``group_type`` ``A*B`` and ``group`` ``a*b``;
* overlapping groups of one type (``60 years old and over`` beside ``65 years old and over``) are
  reduced to one non-overlapping set (finest groups first, see :func:`choose_partition`).

The model: every population cell c (a combination of the published attributes) answers with
P(k | c) = softmax_k(sum over published tables t of alpha_t[group_t(c), k]). The alphas are fitted
by iterative proportional scaling so that each published table is reproduced exactly as the
population-weighted average over its cells. This is the maximum-entropy joint distribution
consistent with all tables and with the population's own cell sizes (raking with the synthetic
population as the seed); cells no table publishes (age group x region) get the additive
log-linear combination of their margins, which is the partial-pooling assumption of MRP with
no interaction left unexplained.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synthsoc.data.readers import parse_numbers, read_csv, read_yaml, reject_duplicates, where
from synthsoc.survey.notes import Note

TOTAL_LABELS = frozenset({"total", "합계", "계", "전체", "소계"})
REQUIRED_COLUMNS = ("question", "group_type", "group", "answer", "value")
TOTAL_TOLERANCE_PP = 1.5  # percentage points of rounding allowed when shares are summed


class TablesError(ValueError):
    """A table or label-map file is malformed; the message names the file, row and value."""


@dataclass(frozen=True)
class QuestionTables:
    """All published tables of one question: shares (fractions) per group, per group type."""

    question: str
    answers: tuple[str, ...]
    tables: dict[str, dict[str, np.ndarray]]

    def one_way_types(self) -> list[str]:
        return [t for t in self.tables if "*" not in t]


@dataclass(frozen=True)
class KosisTables:
    source: str
    questions: dict[str, QuestionTables]
    notes: tuple[Note, ...] = ()  # groups left out of the fit (missing values), in words

    def question(self, name: str) -> QuestionTables:
        if name not in self.questions:
            raise TablesError(
                f"{self.source}: no question {name!r}; questions are {sorted(self.questions)}"
            )
        return self.questions[name]


def read_kosis_tables(path: str | Path) -> KosisTables:
    """Read a long KOSIS-shaped CSV (comment lines starting with ``#`` are allowed).

    Encodings, number styles and KOSIS marks are read by :mod:`synthsoc.data.readers`. A value
    marked missing (``-``, ``X``, ``...``, blank) or an answer a group lacks leaves that group
    out of the fit, and :attr:`KosisTables.notes` says so; it is never read as 0%. A group whose
    shares do not add up to its ``Total`` row (or 100) within ``TOTAL_TOLERANCE_PP`` points is
    refused, naming its rows; so are duplicate rows.
    """
    path = Path(path)
    table = read_csv(path, required=REQUIRED_COLUMNS, error=TablesError)
    cols = {c: table.column(c) for c in REQUIRED_COLUMNS}
    values = parse_numbers(cols["value"], table.lines, path, "value", error=TablesError)
    keys = REQUIRED_COLUMNS[:4]
    reject_duplicates(zip(*(cols[c] for c in keys), strict=True), table.lines, path, keys,
                      TablesError)
    raw: dict[str, dict[str, dict[str, dict[str, tuple[float | None, int]]]]] = {}
    totals: dict[tuple[str, str, str], tuple[float | None, int]] = {}
    answer_order: dict[str, list[str]] = {}
    for i, line in enumerate(table.lines):
        question, gtype, group, answer = (cols[c][i] for c in keys)
        for name, text in zip(keys, (question, gtype, group, answer), strict=True):
            if not text:
                raise TablesError(f"{where(path, line, name)}: empty")
        if answer.lower() in TOTAL_LABELS:
            totals[(question, gtype, group)] = (values[i], line)
            continue
        shares = raw.setdefault(question, {}).setdefault(gtype, {}).setdefault(group, {})
        shares[answer] = (values[i], line)
        order = answer_order.setdefault(question, [])
        if answer not in order:
            order.append(answer)
    questions = {}
    notes: list[Note] = []
    for question, by_type in raw.items():
        answers = _top_level_answers(answer_order[question])
        tables: dict[str, dict[str, np.ndarray]] = {}
        for gtype, groups in by_type.items():
            if gtype.lower() in TOTAL_LABELS:
                continue
            out: dict[str, np.ndarray] = {}
            for group, shares in groups.items():
                if group.lower() in TOTAL_LABELS:
                    continue
                vec = _group_shares(path, question, gtype, group, answers, shares,
                                    totals.get((question, gtype, group)), notes)
                if vec is not None:
                    out[group] = vec
            if out:
                tables[gtype] = out
        questions[question] = QuestionTables(question, answers, tables)
    return KosisTables(str(path), questions, tuple(notes))


def _group_shares(
    path: Path,
    question: str,
    gtype: str,
    group: str,
    answers: Sequence[str],
    shares: Mapping[str, tuple[float | None, int]],
    total: tuple[float | None, int] | None,
    notes: list[Note],
) -> np.ndarray | None:
    """One group's shares as fractions, None (with a note) when a value is missing."""
    label = f"{path}: {question!r} / {gtype} / {group}"
    gaps = [f"{a!r} is missing (row {shares[a][1]})" if a in shares else f"{a!r} has no row"
            for a in answers if a not in shares or shares[a][0] is None]
    gaps_ko = [f"{a!r} 값 없음({shares[a][1]}행)" if a in shares else f"{a!r} 행 없음"
               for a in answers if a not in shares or shares[a][0] is None]
    if gaps:
        notes.append(Note(f"{label}: left out of the fit, {', '.join(gaps)}",
                          f"{label}: 적합에서 제외했습니다({', '.join(gaps_ko)})."))
        return None
    vec = np.array([shares[a][0] for a in answers], dtype=float)
    expected, against = 100.0, "100"
    if total is not None and total[0] is not None:
        expected, against = total[0], f"its Total {total[0]:g} (row {total[1]})"
    if abs(vec.sum() - expected) > TOTAL_TOLERANCE_PP or vec.sum() <= 0:
        rows = sorted(shares[a][1] for a in answers)
        raise TablesError(
            f"{label}: the shares in rows {rows} add up to {vec.sum():g}, not {against}; "
            "values must be the percentages of one single-answer question"
        )
    result: np.ndarray = vec / vec.sum()
    return result


def _top_level_answers(answers: Sequence[str]) -> tuple[str, ...]:
    """Drop ``X - Y`` sub-answers whose parent ``X`` is itself an answer."""
    names = set(answers)
    kept = []
    for a in answers:
        parent = a.split(" - ", 1)[0].strip() if " - " in a else None
        if parent is not None and parent in names:
            continue
        kept.append(a)
    return tuple(kept)


# ----------------------------------------------------------------------------- label maps


@dataclass(frozen=True)
class Condition:
    """Which persons a published group covers: ``age 19..29``, ``age 60..``, ``sex F``."""

    attribute: str
    values: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None

    @property
    def is_range(self) -> bool:
        return not self.values

    def expr(self) -> pl.Expr:
        col = pl.col(self.attribute)
        if self.values:
            return col.cast(pl.Utf8).is_in(list(self.values))
        expr = pl.lit(True)
        if self.low is not None:
            expr = expr & (col >= self.low)
        if self.high is not None:
            expr = expr & (col <= self.high)
        return expr

    def interval(self) -> tuple[float, float] | None:
        if not self.is_range:
            return None
        return (
            -math.inf if self.low is None else self.low,
            math.inf if self.high is None else self.high,
        )


_RANGE = re.compile(r"^(-?\d+(?:\.\d+)?)?\s*\.\.\s*(-?\d+(?:\.\d+)?)?$")


def parse_condition(spec: str, where: str) -> Condition:
    """Parse ``ATTRIBUTE VALUE[,VALUE...]`` or ``ATTRIBUTE LOW..HIGH`` (either end open)."""
    parts = str(spec).strip().split(None, 1)
    if len(parts) != 2:
        raise TablesError(
            f"{where}: expected 'attribute value' or 'attribute lo..hi', got {spec!r}"
        )
    attribute, rest = parts[0], parts[1].strip()
    match = _RANGE.match(rest)
    if match and (match.group(1) or match.group(2)):
        low = float(match.group(1)) if match.group(1) else None
        high = float(match.group(2)) if match.group(2) else None
        if low is not None and high is not None and low > high:
            raise TablesError(f"{where}: empty range {rest!r}")
        return Condition(attribute, (), low, high)
    values = tuple(v.strip() for v in rest.split(",") if v.strip())
    return Condition(attribute, values)


IGNORE_KEY = "ignore"


def load_label_map(path: str | Path) -> dict[str, dict[str, Condition]]:
    """Read a label map YAML ``{group_type: {group label: condition}}``.

    ``ignore: [GroupType, ...]`` lists group types of the tables deliberately left unused (they
    map to an empty dict); any other group type of a table that the map lacks is an error.
    """
    path = Path(path)
    if not path.is_file():
        raise TablesError(f"{path}: label map not found")
    return parse_label_map(read_yaml(path, TablesError), str(path))


def parse_label_map(raw: Any, source: str) -> dict[str, dict[str, Condition]]:
    if not isinstance(raw, Mapping):
        raise TablesError(
            f"{source}: a label map is a mapping {{group_type: {{label: condition}}}}"
        )
    out: dict[str, dict[str, Condition]] = {}
    ignored = raw.get(IGNORE_KEY, [])
    if not isinstance(ignored, list):
        raise TablesError(f"{source}: `{IGNORE_KEY}` must be a list of group types left unused")
    for gtype in ignored:
        out[str(gtype)] = {}  # deliberately unused: recorded as dropped, never an error
    for gtype, labels in raw.items():
        if gtype == IGNORE_KEY:
            continue
        if not isinstance(labels, Mapping):
            raise TablesError(f"{source}: {gtype}: expected a mapping of labels to conditions")
        out[str(gtype)] = {
            str(label): parse_condition(spec, f"{source}: {gtype}: {label!r}")
            for label, spec in labels.items()
        }
    return out


def label_interval(label: str) -> tuple[float, float] | None:
    """Age-like interval a published label covers, when it can be read from the label."""
    text = label.lower()
    m = re.search(r"(\d+)\s*[~\-–]\s*(\d+)", text)
    if m:
        return float(m.group(1)), float(m.group(2))
    m = re.search(r"(\d+)[^\d]*(and over|or over|or older|and older|이상|\+)", text)
    if m:
        return float(m.group(1)), math.inf
    m = re.search(r"(under|less than|below)\s*(\d+)", text)
    if m:
        return -math.inf, float(m.group(2)) - 1
    m = re.search(r"(\d+)[^\d]*(미만)", text)
    if m:
        return -math.inf, float(m.group(1)) - 1
    return None


def choose_partition(
    labels: Sequence[str], conditions: Mapping[str, Condition] | None = None
) -> tuple[list[str], list[str]]:
    """Pick non-overlapping groups: returns (kept, dropped).

    Intervals come from the label map when given, else from the label text; groups without an
    interval (categories such as ``Male``) never overlap. Among intervals, the finest groups win:
    scanning by lower bound, then by width, a group is kept when it starts after the last kept
    one ends, so ``60 years old and over`` is kept and ``65 years old and over`` dropped, while
    ``60~69`` plus ``70 and over`` beat ``60 and over``.
    """
    intervals: dict[str, tuple[float, float]] = {}
    for label in labels:
        cond = conditions.get(label) if conditions else None
        interval = cond.interval() if cond is not None else label_interval(label)
        if interval is not None:
            intervals[label] = interval
    ordered = sorted(
        intervals, key=lambda lb: (intervals[lb][0], intervals[lb][1] - intervals[lb][0])
    )
    kept_set: set[str] = set()
    last_high = -math.inf
    for label in ordered:
        low, high = intervals[label]
        if low > last_high:
            kept_set.add(label)
            last_high = high
    kept = [lb for lb in labels if lb not in intervals or lb in kept_set]
    dropped = [lb for lb in labels if lb in intervals and lb not in kept_set]
    return kept, dropped


# ----------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Margin:
    """One published table seen from the cells: each cell's group (-1: none) and the shares."""

    name: str
    group_of_cell: np.ndarray
    targets: np.ndarray


def fit_maxent(
    cell_weights: np.ndarray,
    margins: Sequence[Margin],
    *,
    max_iter: int = 2000,
    tol: float = 1e-9,
    base_logits: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, float]]:
    """Answer probabilities per cell (C, K) reproducing every margin; also the fit residuals.

    Published tables of one survey agree on the overall answer distribution, but with population
    weights that differ from the survey's they need not: the targets are first reconciled to one
    common overall distribution (:func:`reconcile_margins`), else no joint distribution could
    reproduce them all and scaling would cycle. Residuals are measured against the targets as
    published, so any inconsistency shows.

    Iterative proportional scaling on the log-linear parameters: for each margin and group,
    alpha[group] += log(target / current), where current is the cell-weighted average answer
    distribution of the group. Residuals are the largest absolute share error per margin.
    ``base_logits`` (C, K) is the seed: the fit is then the distribution closest to the seed in
    KL divergence that reproduces the margins (uniform seed without it).
    """
    weights = np.asarray(cell_weights, dtype=np.float64)
    if not margins:
        raise TablesError("no published table to fit")
    published = list(margins)
    margins = reconcile_margins(weights, margins)
    k = margins[0].targets.shape[1]
    alphas = [np.zeros((m.targets.shape[0] + 1, k)) for m in margins]  # last row: "no group"
    eta = np.zeros((weights.size, k)) if base_logits is None else np.array(base_logits, float)
    probs = np.exp(eta - eta.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    floor = 1e-9
    for _ in range(max_iter):
        worst = 0.0
        for m, alpha in zip(margins, alphas, strict=True):
            groups = np.where(m.group_of_cell >= 0, m.group_of_cell, m.targets.shape[0])
            current = np.zeros((m.targets.shape[0] + 1, k))
            np.add.at(current, groups, weights[:, None] * probs)
            mass = current.sum(axis=1, keepdims=True)
            share = current[:-1] / np.maximum(mass[:-1], floor)
            active = mass[:-1, 0] > 0
            step = np.zeros_like(alpha)
            step[:-1][active] = np.log(np.maximum(m.targets[active], floor)) - np.log(
                np.maximum(share[active], floor)
            )
            worst = max(worst, float(np.abs(share[active] - m.targets[active]).max(initial=0.0)))
            alpha += step
            eta += step[groups]
            z = eta - eta.max(axis=1, keepdims=True)
            probs = np.exp(z)
            probs /= probs.sum(axis=1, keepdims=True)
        if worst < tol:
            break
    residuals = {}
    for m in published:
        groups = np.where(m.group_of_cell >= 0, m.group_of_cell, m.targets.shape[0])
        current = np.zeros((m.targets.shape[0] + 1, k))
        np.add.at(current, groups, weights[:, None] * probs)
        mass = current[:-1].sum(axis=1, keepdims=True)
        active = mass[:, 0] > 0
        err = np.abs(current[:-1][active] / mass[active] - m.targets[active])
        residuals[m.name] = float(err.max(initial=0.0))
    return probs, residuals


def reconcile_margins(cell_weights: np.ndarray, margins: Sequence[Margin]) -> list[Margin]:
    """Rescale each table's shares so all imply the same population-wide answer distribution.

    Each table implies an overall distribution T_m (its group shares averaged with the cells'
    weights); the common target T is their mass-weighted mean. Every group's shares of table m
    are multiplied by T / T_m and renormalised, repeated until T_m = T. Consistent tables are
    returned unchanged.
    """
    weights = np.asarray(cell_weights, dtype=np.float64)

    def implied(m: Margin, targets: np.ndarray) -> tuple[np.ndarray, float]:
        ok = m.group_of_cell >= 0
        mass = np.bincount(m.group_of_cell[ok], weights[ok], targets.shape[0])
        total = float(mass.sum())
        return (mass @ targets) / max(total, 1e-300), total

    current = [m.targets.copy() for m in margins]
    for _ in range(200):
        overall = [implied(m, t) for m, t in zip(margins, current, strict=True)]
        masses = np.array([tot for _, tot in overall])
        common = sum(o * tot for o, tot in overall) / max(masses.sum(), 1e-300)
        worst = max(float(np.abs(o - common).max()) for o, _ in overall)
        if worst < 1e-12:
            break
        for i, (o, _) in enumerate(overall):
            ratio = np.where(o > 0, common / np.maximum(o, 1e-300), 1.0)
            scaled = current[i] * ratio
            current[i] = scaled / np.maximum(scaled.sum(axis=1, keepdims=True), 1e-300)
    return [Margin(m.name, m.group_of_cell, t) for m, t in zip(margins, current, strict=True)]


def group_index(
    frame: pl.DataFrame, labels: Sequence[str], conditions: Mapping[str, Condition]
) -> np.ndarray:
    """Index (into ``labels``) of the group each row falls in, -1 for none (vectorised)."""
    for label in labels:
        if label not in conditions:
            raise TablesError(f"label map has no entry for group {label!r}")
    expr = pl.lit(-1, dtype=pl.Int64)
    for i in reversed(range(len(labels))):
        expr = pl.when(conditions[labels[i]].expr()).then(pl.lit(i, dtype=pl.Int64)).otherwise(expr)
    return frame.select(expr.alias("g")).to_series().to_numpy()


def joint_parts(gtype: str) -> tuple[str, str] | None:
    if "*" not in gtype:
        return None
    a, b = gtype.split("*", 1)
    return a.strip(), b.strip()
