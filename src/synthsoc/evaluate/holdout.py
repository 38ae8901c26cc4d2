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
from typing import Any, Literal

import numpy as np
import polars as pl

from synthsoc.data.readers import read_csv
from synthsoc.evaluate.distance import tvd
from synthsoc.survey.multilevel import fit_multilevel_logit, posterior_draws, predict_draws_codes

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
    return microdata_from_frame(frame, target, features, group_by, str(path))


def microdata_from_frame(
    frame: pl.DataFrame,
    target: str,
    features: Sequence[str],
    group_by: Sequence[str] = (),
    source: str = "<frame>",
) -> Microdata:
    """:func:`read_microdata` for a frame already in memory (e.g. the packaged KGSS)."""
    path = source
    frame = frame.with_columns(pl.all().cast(pl.Utf8))
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
    return Microdata(kept, target, tuple(features), answers, frame.height - kept.height, path)


def holdout_benchmark(
    data: Microdata,
    group_by: Sequence[str],
    *,
    train_frac: float = 0.5,
    seeds: int = 5,
    min_group: int = 30,
    engine: str = "calibrated",
    max_order: int = 2,
    n_draws: int = 200,
    coverage_level: float = 0.9,
    fixed_penalty: float | None = None,
    precisions: Literal["posterior", "plug_in"] = "posterior",
) -> dict[str, Any]:
    """Run the benchmark; returns the JSON-ready summary (see the module docstring).

    ``fixed_penalty`` (a diagnostic) gives every effect of the calibrated model that prior
    precision instead of the empirical-Bayes estimates, to see what the estimated precisions
    do to accuracy and to interval coverage. ``precisions`` chooses how the intervals treat the
    estimated precisions (:func:`synthsoc.survey.multilevel.posterior_draws`): integrated over
    their posterior (the engine's default) or plugged in as known (the diagnostic that shows
    what the integration adds).
    """
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
    converged: list[bool] = []
    settled: list[bool] = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        order = rng.permutation(frame.height)
        n_train = int(round(train_frac * frame.height))
        train, test = np.sort(order[:n_train]), np.sort(order[n_train:])
        y_train = y[train]
        marginal = np.bincount(y_train, minlength=k) / train.size

        train_values = [[v[i] for i in train] for v in feature_values]
        test_values = [[v[i] for i in test] for v in feature_values]
        model = fit_multilevel_logit(
            data.features, train_values, y_train, k, max_order=max_order, penalty=fixed_penalty
        )
        penalties.append(model.penalties_by_term())
        converged.append(model.converged)
        settled.append(model.penalties_settled)
        p_model = model.predict(test_values)
        theta = posterior_draws(
            model, train_values, y_train, n_draws, rng, precisions=precisions
        )
        cells, cell_of_test = np.unique(
            model.encoding.codes(test_values), axis=0, return_inverse=True
        )
        cell_draws = predict_draws_codes(model, theta, cells)  # (B, cells, K)
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
            cell_counts = np.bincount(cell_of_test.ravel()[members], minlength=cells.shape[0])
            group_draws = np.einsum("c,bck->bk", cell_counts, cell_draws) / members.sum()
            covered, covered_model = interval_coverage(
                group_draws, observed, int(sizes[g]), level=coverage_level, rng=rng
            )
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
                    "covered": covered,
                    "covered_model_only": covered_model,
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
        "interval_precisions": (
            "fixed" if fixed_penalty is not None else precisions
        ),
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
        "verdict": verdict(rows, column),
        "coverage": coverage_summary(rows, coverage_level),
        "all_fits_converged": all(converged),
        "share_fits_with_settled_penalties": float(np.mean(settled)),
        "prior_precisions": penalties,
        "groups": _per_group(rows),
    }


def interval_coverage(
    group_draws: np.ndarray,
    observed: np.ndarray,
    n_test: int,
    *,
    level: float,
    rng: np.random.Generator,
) -> tuple[list[bool], list[bool]]:
    """Does the ``level`` interval cover the test group's observed share, per answer?

    The held-out truth is itself a sample of ``n_test`` respondents, so the interval it is
    checked against is the posterior *predictive* one: for each posterior draw of the group's
    answer distribution, ``n_test`` answers are drawn (multinomial) and their shares taken; the
    interval is the central ``level`` of those shares. Also returned: coverage by the posterior
    interval alone (model uncertainty only), which must fall short when test groups are small.
    """
    alpha = (1.0 - level) / 2.0
    probs = np.clip(group_draws, 0.0, None)
    probs = probs / probs.sum(axis=1, keepdims=True)
    simulated = np.stack([rng.multinomial(n_test, p) for p in probs]) / n_test
    low, high = np.quantile(simulated, [alpha, 1.0 - alpha], axis=0)
    model_low, model_high = np.quantile(group_draws, [alpha, 1.0 - alpha], axis=0)
    tol = 1e-12
    covered = ((observed >= low - tol) & (observed <= high + tol)).tolist()
    covered_model = ((observed >= model_low - tol) & (observed <= model_high + tol)).tolist()
    return [bool(c) for c in covered], [bool(c) for c in covered_model]


COVERAGE_BAND = 0.05  # "about nominal": within 5 points of it
COVERAGE_BOOTSTRAP = 2000  # resamples of the held-out groups for the coverage's own interval


def _coverage_flags(flags: list[bool]) -> list[bool]:
    """A row's coverage flags, binary answers counted once (their two shares move together)."""
    return flags[1:] if len(flags) == 2 else flags


def coverage_summary(rows: list[dict[str, Any]], level: float) -> dict[str, Any]:
    """Share of (group, seed, answer) intervals covering the held-out share; binary answers
    count once (their two shares are covered together).

    The coverage is itself an estimate from a finite number of correlated intervals (the same
    group in every seed, the answers of one group together), so it comes with its own 95%
    interval: a percentile bootstrap that resamples whole held-out groups (every seed and answer
    of a group together; seed 0, so the same rows give the same interval). With few groups the
    interval is coarse, which is the point: it says how far the measured coverage can be from
    the true one.
    """
    flags = [c for r in rows for c in _coverage_flags(r["covered"])]
    model = [c for r in rows for c in _coverage_flags(r["covered_model_only"])]
    rate = float(np.mean(flags))
    by_group: dict[tuple[tuple[str, str], ...], list[bool]] = {}
    for r in rows:
        by_group.setdefault(tuple(r["group"].items()), []).extend(_coverage_flags(r["covered"]))
    hits = np.array([sum(v) for v in by_group.values()], dtype=np.float64)
    counts = np.array([len(v) for v in by_group.values()], dtype=np.float64)
    picks = np.random.default_rng(0).integers(0, hits.size, (COVERAGE_BOOTSTRAP, hits.size))
    resampled = hits[picks].sum(axis=1) / counts[picks].sum(axis=1)
    low, high = np.quantile(resampled, [0.025, 0.975])
    band = [level - COVERAGE_BAND, level + COVERAGE_BAND]
    return {
        "nominal": level,
        "predictive_coverage": rate,
        "model_only_coverage": float(np.mean(model)),
        "n_intervals": len(flags),
        "n_groups": int(hits.size),
        "interval_95": [float(low), float(high)],
        "interval_method": (
            f"percentile bootstrap over the {hits.size} held-out groups "
            f"({COVERAGE_BOOTSTRAP} resamples, all seeds and answers of a group together)"
        ),
        "band": band,
        "within_band": bool(abs(rate - level) <= COVERAGE_BAND),
        "band_consistent": bool(low <= band[1] and high >= band[0]),
    }


def verdict(rows: list[dict[str, Any]], column: str) -> str:
    """One line a reader cannot miss: does the model beat the marginal and the logistic?

    Against logistic regression the paired (group, seed) difference decides: within two
    standard errors it is a tie, beyond it a win or a loss.
    """
    model = _mean(rows, column)
    marginal = _mean(rows, "baseline_tvd")
    logistic = _mean(rows, "logistic_tvd")
    if model >= marginal:
        return (
            f"LOSES to the marginal baseline (TVD {model:.4f} vs {marginal:.4f}): the attributes "
            "do not predict this answer out of sample; do not use it by segment"
        )
    head = f"beats the marginal ({model:.4f} vs {marginal:.4f})"
    if column == "logistic_tvd":
        return head
    diff = _paired_difference(rows, column, "logistic_tvd")
    margin = 2.0 * diff["se"] if np.isfinite(diff["se"]) else 0.0
    detail = f"({model:.4f} vs {logistic:.4f}, difference {diff['mean']:+.5f} +- {diff['se']:.5f})"
    if diff["mean"] > margin:
        return f"{head} but LOSES to logistic regression {detail}"
    if diff["mean"] < -margin:
        return f"{head} and beats logistic regression {detail}"
    return f"{head} and ties logistic regression within noise {detail}"


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
                "coverage": float(
                    np.mean([c for m in members for c in _coverage_flags(m["covered"])])
                ),
            }
        )
    return out
