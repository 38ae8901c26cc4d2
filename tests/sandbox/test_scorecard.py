"""The scorecard against hand-computed means, with intervals, NA counts and worst-first order."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from synthsoc.sandbox.scorecard import METRICS, scorecard, scorecard_markdown
from synthsoc.sandbox.segments import SEGMENTS


def _results() -> pl.DataFrame:
    rows = []
    for i in range(12):
        rows.append({
            "assistant": "a", "person_id": i, "age_group": "20-39" if i < 6 else "75+",
            "dialect": "jeju" if i % 2 else "seoul_gyeonggi", "income": "low (<30m)",
            "education": "tertiary", "digital": "high",
            "speech_level": 1.0, "dialect_understanding": (1.0 if i % 3 else 0.0) if i % 2
            else None,
            "age_fit": 1.0 if i < 6 else float(i % 2), "socio_fit": None,
            "task_success": 1.0, "satisfaction": float(i % 11),
        })
    return pl.DataFrame(rows, schema_overrides={"socio_fit": pl.Float64})


def test_means_intervals_and_not_applicable() -> None:
    card = scorecard(_results(), n_boot=500)
    age = card.filter(pl.col("metric") == "age_fit", pl.col("segment") == "age_group")
    # hand: ages 20-39 are i = 0..5, all pass; 75+ are i = 6..11, odd i pass -> 3 of 6
    assert age["value"].to_list() == ["75+", "20-39"]  # worst first
    assert age["mean"].to_list() == [0.5, 1.0]
    low, high = age.row(0, named=True)["ci_low"], age.row(0, named=True)["ci_high"]
    assert 0.0 <= low < 0.5 < high <= 1.0
    dialect = card.filter(pl.col("metric") == "dialect_understanding", pl.col("segment") == "all")
    # odd i (jeju) only: i = 1,3,5,7,9,11 -> i % 3 != 0 for 1,5,7,11 -> 4 of 6
    assert dialect["n"][0] == 6 and dialect["n_not_applicable"][0] == 6
    assert dialect["mean"][0] == pytest.approx(4 / 6)
    socio = card.filter(pl.col("metric") == "socio_fit", pl.col("segment") == "all")
    assert socio["mean"][0] is None and "applies to no persona" in socio["note"][0]
    sat = card.filter(pl.col("metric") == "satisfaction", pl.col("segment") == "all")
    assert sat["mean"][0] == pytest.approx(np.mean([i % 11 for i in range(12)]))


def test_every_segment_kind_and_metric_is_reported() -> None:
    card = scorecard(_results(), n_boot=100)
    assert set(card["segment"]) == {"all", *SEGMENTS}
    assert set(card["metric"]) == {m.column for m in METRICS if not m.column.startswith("judge_")}
    text = scorecard_markdown(card)
    assert "## a: segments, worst first" in text and "interval unreliable" not in text.split(
        "## Definitions")[0]
    assert all(m.definition[:30] in text for m in METRICS if not m.column.startswith("judge_"))


def test_small_segments_are_flagged() -> None:
    card = scorecard(_results().head(3), n_boot=100)
    notes = card.filter(pl.col("segment") == "all", pl.col("metric") == "speech_level")["note"]
    assert "only 3 persona(s)" in notes[0]


def test_share_interval_matches_the_resampling_bootstrap() -> None:
    from synthsoc.evaluate.convergence import bootstrap_interval
    from synthsoc.sandbox.scorecard import share_interval

    values = (np.random.default_rng(1).random(400) < 0.3).astype(float)
    fast = share_interval(values, n_boot=20_000, seed=2)
    slow = bootstrap_interval(values, n_boot=20_000, seed=2)
    assert fast == pytest.approx(slow, abs=0.006)
