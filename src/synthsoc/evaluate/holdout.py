"""Holdout benchmark of the calibrated answer model on any respondent microdata CSV.

For each seed the respondents are split at random; the model is trained on one part and asked
for the answer distribution of every test group (a combination of the ``group_by`` columns)
with at least ``min_group`` test respondents. A group's prediction is the mean of the model's
per-respondent probabilities over the group's test members, i.e. the model poststratified onto
the group's own attribute mix. It is compared with the group's observed answers by TVD.

Reference predictions computed on the same splits:

* ``baseline``: the training marginal (ignores every attribute);
* ``logistic``: a plain one-hot multinomial logistic regression with main effects only and the
  L2 penalty of scikit-learn's default ``LogisticRegression(C=1)`` (same objective, fitted by
  the same L-BFGS code as the model, so the comparison isolates the pooling structure);
* ``raw``: the training group's own answer shares (no pooling; falls back to the marginal for
  a group absent from training).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synthsoc.data.readers import read_csv
from synthsoc.evaluate.distance import tvd
from synthsoc.survey.multilevel import fit_multilevel_logit

ENGINES: tuple[str, ...] = ("calibrated", "logistic")


class HoldoutError(ValueError):
    """Bad benchmark input (file, column or option)."""


@dataclass(frozen=True)
class Microdata:
    """Respondents with categorical attributes and one categorical answer column."""

    frame: pl.DataFrame
    target: str
    features: tuple[str, ...]
    answers: tuple[str, ...]
    n_dropped: int
    source: str


def read_microdata(
    path: str | Path, target: str, features: Sequence[str], group_by: Sequence[str] = ()
) -> Microdata:
    """Read a respondent CSV as strings; rows missing the target or any attribute are dropped."""
    path = Path(path)
    if not path.is_file():
        raise HoldoutError(f"{path}: microdata file not found")
    frame = read_csv(path, error=HoldoutError).frame()
    needed = [target, *features, *[g for g in group_by if g not in features]]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise HoldoutError(f"{path}: no column(s) {missing}; columns are {frame.columns}")
    if target in features:
        raise HoldoutError(f"{path}: target {target!r} is also listed as a feature")
    frame = frame.select(needed)
    null_like = pl.any_horizontal(
        [
            pl.col(c).is_null() | pl.col(c).str.strip_chars().is_in(["", "NA", "NaN", "nan"])
            for c in needed
        ]
    )
    kept = frame.filter(~null_like)
    if kept.height == 0:
        raise HoldoutError(f"{path}: no respondent has {needed} all present")
    answers = tuple(sorted(kept[target].unique().to_list()))
    if len(answers) < 2:
        raise HoldoutError(f"{path}: column {target!r} has fewer than two distinct answers")
    return Microdata(kept, target, tuple(features), answers, frame.height - kept.height, str(path))


def holdout_benchmark(
    data: Microdata,
    group_by: Sequence[str],
    *,
    train_frac: float = 0.5,
    seeds: int = 5,
    min_group: int = 30,
    engine: str = "calibrated",
    max_order: int = 2,
) -> dict[str, Any]:
    """Run the benchmark; returns the JSON-ready summary (see the module docstring)."""
    if engine not in ENGINES:
        raise HoldoutError(f"--engine must be one of {ENGINES}, got {engine!r}")
    if not 0.0 < train_frac < 1.0:
        raise HoldoutError(f"--train-frac must be in (0, 1), got {train_frac}")
    if seeds < 1 or min_group < 1:
        raise HoldoutError("--seeds and --min-group must be positive")
    if not group_by:
        raise HoldoutError("--group-by needs at least one column")
    frame = data.frame
    k = len(data.answers)
    answer_code = {a: i for i, a in enumerate(data.answers)}
    y = np.fromiter((answer_code[a] for a in frame[data.target]), np.int64, frame.height)
    feature_values = [frame[c].to_list() for c in data.features]
    group_key = frame.select(pl.concat_str([pl.col(c) for c in group_by], separator="\x1f"))
    group_labels, group_of_row = np.unique(group_key.to_series().to_numpy(), return_inverse=True)
    eye = np.eye(k)

    rows: list[dict[str, Any]] = []
    penalties: list[dict[str, float]] = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        order = rng.permutation(frame.height)
        n_train = int(round(train_frac * frame.height))
        train, test = np.sort(order[:n_train]), np.sort(order[n_train:])
        y_train = y[train]
        marginal = np.bincount(y_train, minlength=k) / train.size

        model = fit_multilevel_logit(
            data.features,
            [[v[i] for i in train] for v in feature_values],
            y_train,
            k,
            max_order=max_order,
        )
        penalties.append(model.penalties_by_term())
        p_model = model.predict([[v[i] for i in test] for v in feature_values])
        logistic = fit_multilevel_logit(
            data.features,
            [[v[i] for i in train] for v in feature_values],
            y_train,
            k,
            max_order=1,
            penalty=sklearn_equivalent_penalty(k),
        )
        p_logit = logistic.predict([[v[i] for i in test] for v in feature_values])

        train_group_counts = np.zeros((group_labels.size, k))
        np.add.at(train_group_counts, (group_of_row[train], y_train), 1.0)
        test_groups = group_of_row[test]
        sizes = np.bincount(test_groups, minlength=group_labels.size)
        for g in np.flatnonzero(sizes >= min_group):
            members = test_groups == g
            observed = eye[y[test][members]].mean(axis=0)
            raw_total = train_group_counts[g].sum()
            raw = train_group_counts[g] / raw_total if raw_total > 0 else marginal
            predicted = p_model[members].mean(axis=0)
            rows.append(
                {
                    "seed": seed,
                    "group": dict(zip(group_by, str(group_labels[g]).split("\x1f"), strict=True)),
                    "n_test": int(sizes[g]),
                    "n_train": int(raw_total),
                    "tvd": float(tvd(predicted, observed)),
                    "logistic_tvd": float(tvd(p_logit[members].mean(axis=0), observed)),
                    "baseline_tvd": float(tvd(marginal, observed)),
                    "raw_tvd": float(tvd(raw, observed)),
                    "predicted": predicted.round(4).tolist(),
                    "observed": observed.round(4).tolist(),
                }
            )
    if not rows:
        raise HoldoutError(
            f"no test group reaches --min-group {min_group}; lower it or group by fewer columns"
        )
    column = "logistic_tvd" if engine == "logistic" else "tvd"
    return {
        "data": data.source,
        "target": data.target,
        "answers": list(data.answers),
        "features": list(data.features),
        "group_by": list(group_by),
        "engine": engine,
        "train_frac": train_frac,
        "seeds": seeds,
        "min_group": min_group,
        "n_respondents": frame.height,
        "n_dropped_missing": data.n_dropped,
        "n_groups": len({tuple(r["group"].items()) for r in rows}),
        "n_group_seeds": len(rows),
        "mean_tvd": _mean(rows, column),
        "logistic_mean_tvd": _mean(rows, "logistic_tvd"),
        "baseline_mean_tvd": _mean(rows, "baseline_tvd"),
        "raw_group_mean_tvd": _mean(rows, "raw_tvd"),
        "minus_logistic": _paired_difference(rows, "tvd", "logistic_tvd"),
        "share_groups_under_0_15": float(np.mean([r[column] < 0.15 for r in rows])),
        "prior_precisions": penalties,
        "groups": _per_group(rows),
    }


def sklearn_equivalent_penalty(n_answers: int) -> float:
    """Ridge precision that reproduces scikit-learn's ``LogisticRegression(C=1)``.

    With three or more answers scikit-learn fits the same multinomial objective (precision 1).
    With two it fits one logit difference b = w1 - w0; our symmetric two-class fit has
    w1 = -w0 = b / 2, so its penalty lambda/4 * b^2 equals scikit-learn's b^2 / 2 at lambda 2.
    """
    return 2.0 if n_answers == 2 else 1.0


def _mean(rows: list[dict[str, Any]], key: str) -> float:
    return float(np.mean([r[key] for r in rows]))


def _paired_difference(rows: list[dict[str, Any]], a: str, b: str) -> dict[str, float]:
    """Mean of a - b over (group, seed) pairs, with its standard error (pairs as independent)."""
    diff = np.array([r[a] - r[b] for r in rows])
    se = float(diff.std(ddof=1) / np.sqrt(diff.size)) if diff.size > 1 else float("nan")
    return {"mean": float(diff.mean()), "se": se}


def _per_group(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per group: metrics averaged over the seeds in which it qualified."""
    by_group: dict[tuple[tuple[str, str], ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_group.setdefault(tuple(row["group"].items()), []).append(row)
    out = []
    for key, members in sorted(by_group.items()):
        out.append(
            {
                "group": dict(key),
                "n_seeds": len(members),
                "mean_n_test": float(np.mean([m["n_test"] for m in members])),
                "tvd": _mean(members, "tvd"),
                "logistic_tvd": _mean(members, "logistic_tvd"),
                "baseline_tvd": _mean(members, "baseline_tvd"),
                "raw_tvd": _mean(members, "raw_tvd"),
                "observed": members[0]["observed"],
                "predicted": members[0]["predicted"],
            }
        )
    return out
