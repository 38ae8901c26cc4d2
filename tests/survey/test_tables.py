from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthsoc.survey.tables import (
    Margin,
    TablesError,
    choose_partition,
    fit_maxent,
    group_index,
    parse_condition,
    parse_label_map,
    read_kosis_tables,
)

KOSIS = """# source: test fixture
question,group_type,group,answer,value
Q,Total,Total,Total,100.0
Q,Total,Total,Yes,40.0
Q,Total,Total,No,60.0
Q,Age,19~29 years old,Total,100.0
Q,Age,19~29 years old,Yes,30.0
Q,Age,19~29 years old,Yes - Strongly,10.0
Q,Age,19~29 years old,Yes - Somewhat,20.0
Q,Age,19~29 years old,No,70.0
Q,Age,60 years old and over,Yes,50.0
Q,Age,60 years old and over,No,50.0
Q,Age,65 years old and over,Yes,55.0
Q,Age,65 years old and over,No,-
Q,Age*Gender,19~29 years old*Female,Yes,35.0
Q,Age*Gender,19~29 years old*Female,No,65.0
"""


def test_read_kosis_drops_total_and_sub_answers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(KOSIS, encoding="utf-8")
    tables = read_kosis_tables(path)
    qt = tables.question("Q")
    assert qt.answers == ("Yes", "No")
    assert "Total" not in qt.tables
    assert np.allclose(qt.tables["Age"]["19~29 years old"], [0.3, 0.7])
    assert "65 years old and over" not in qt.tables["Age"]  # "-" is missing, never zero
    assert any("65 years old and over" in n and "row 14" in n for n in tables.notes)
    assert qt.one_way_types() == ["Age"]
    assert np.allclose(qt.tables["Age*Gender"]["19~29 years old*Female"], [0.35, 0.65])
    with pytest.raises(TablesError, match="no question 'R'"):
        tables.question("R")


def test_read_kosis_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("question,group,answer,value\nQ,a,b,1\n", encoding="utf-8")
    with pytest.raises(TablesError, match="missing column"):
        read_kosis_tables(bad)
    bad.write_text("question,group_type,group,answer,value\nQ,A,a,Yes,lots\n", encoding="utf-8")
    with pytest.raises(TablesError, match="row 2, field 'value': 'lots'"):
        read_kosis_tables(bad)


def test_overlapping_groups_are_not_double_counted() -> None:
    labels = [
        "19~29 years old",
        "30~59 years old",
        "60 years old and over",
        "65 years old and over",
    ]
    kept, dropped = choose_partition(labels)
    assert dropped == ["65 years old and over"]
    kept, dropped = choose_partition(["60~69", "70 and over", "60 and over", "Male"])
    assert kept == ["60~69", "70 and over", "Male"] and dropped == ["60 and over"]


def test_label_map_conditions_select_persons() -> None:
    frame = pl.DataFrame({"age": [20, 35, 61, 70], "sex": ["M", "F", "F", "M"]})
    maps = parse_label_map(
        {"Age": {"young": "age 19..29", "old": "age 60.."}, "Sex": {"F": "sex F"}}, "map.yaml"
    )
    assert list(group_index(frame, ["young", "old"], maps["Age"])) == [0, -1, 1, 1]
    assert list(group_index(frame, ["F"], maps["Sex"])) == [-1, 0, 0, -1]
    assert parse_condition("sido_code 11,21", "x").values == ("11", "21")
    with pytest.raises(TablesError, match="empty range"):
        parse_condition("age 30..20", "x")


def test_maxent_reproduces_margins_and_recovers_additive_truth() -> None:
    # Truth: log-linear with no A x B interaction -> max-ent on the margins recovers it exactly.
    rng = np.random.default_rng(1)
    alpha, beta = rng.normal(size=(3, 4)), rng.normal(size=(5, 4))
    weights = rng.uniform(1, 10, size=(3, 5))
    eta = alpha[:, None, :] + beta[None, :, :]
    truth = np.exp(eta) / np.exp(eta).sum(axis=2, keepdims=True)
    w = weights.ravel()
    cell_a, cell_b = np.repeat(np.arange(3), 5), np.tile(np.arange(5), 3)
    flat = truth.reshape(15, 4)
    target_a = np.array(
        [np.average(flat[cell_a == a], axis=0, weights=w[cell_a == a]) for a in range(3)]
    )
    target_b = np.array(
        [np.average(flat[cell_b == b], axis=0, weights=w[cell_b == b]) for b in range(5)]
    )
    probs, residuals = fit_maxent(w, [Margin("A", cell_a, target_a), Margin("B", cell_b, target_b)])
    assert max(residuals.values()) < 1e-7
    assert np.allclose(probs, flat, atol=1e-5)
