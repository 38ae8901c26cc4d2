from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from synthsoc.commands import bench, survey
from synthsoc.evaluate.tables_holdout import microdata_to_kosis

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _app() -> typer.Typer:
    app = typer.Typer()
    survey.register(app)
    bench.register(app)
    return app


def _microdata(path: Path, n: int = 1500) -> Path:
    rng = np.random.default_rng(0)
    a = rng.choice(["x", "y", "z"], n)
    b = rng.choice(["u", "v"], n)
    yes = rng.random(n) < np.where(a == "x", 0.8, 0.2) + 0.1 * (b == "u")
    pl.DataFrame({"a": a, "b": b, "answer": np.where(yes, "yes", "no")}).write_csv(path)
    return path


def test_bench_survey_json(tmp_path: Path) -> None:
    data = _microdata(tmp_path / "m.csv")
    args = [
        "bench",
        "survey",
        "--data",
        str(data),
        "--target",
        "answer",
        "--features",
        "a,b",
        "--group-by",
        "a,b",
        "--train-frac",
        "0.5",
        "--seeds",
        "2",
        "--min-group",
        "30",
        "--json",
    ]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["n_groups"] == 6
    assert payload["mean_tvd"] < payload["baseline_mean_tvd"]
    assert {"logistic_mean_tvd", "groups"} <= set(payload)


def test_bench_survey_bad_column_is_a_clear_error(tmp_path: Path) -> None:
    data = _microdata(tmp_path / "m.csv")
    args = [
        "bench",
        "survey",
        "--data",
        str(data),
        "--target",
        "nope",
        "--features",
        "a",
        "--group-by",
        "a",
    ]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 1
    assert "nope" in result.output


def test_bench_survey_tables_with_population(population_dir: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    n = 4000
    age = rng.choice(["19~29 years old", "30~39 years old", "40 years old and over"], n)
    sex = rng.choice(["Male", "Female"], n)
    yes = rng.random(n) < 0.2 + 0.3 * (age == "19~29 years old") + 0.2 * (sex == "Female")
    frame = pl.DataFrame({"age": age, "sex": sex, "q": np.where(yes, "Yes", "No")})
    table = tmp_path / "k.csv"
    microdata_to_kosis(frame, "q", {"Age": "age", "Gender": "sex"}, [("Age", "Gender")]).write_csv(
        table
    )
    labels = tmp_path / "labels.yaml"
    labels.write_text(
        "Age:\n  '19~29 years old': age 19..29\n  '30~39 years old': age 30..39\n"
        "  '40 years old and over': age 40..\nGender:\n  Male: sex M\n  Female: sex F\n",
        encoding="utf-8",
    )
    args = [
        "bench",
        "survey-tables",
        "--data",
        str(table),
        "--question",
        "q",
        "--margins",
        "Age,Gender",
        "--joint",
        "Age,Gender",
        "--population",
        str(population_dir),
        "--label-map",
        str(labels),
        "--json",
    ]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["weights"].startswith("population")
    assert payload["n_cells"] == 6
    for key in ("mean_tvd", "baseline_mean_tvd", "baseline_b_mean_tvd", "uniform_weights_mean_tvd"):
        assert 0 <= payload[key] < 1


def test_survey_run_and_validate(population_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(_app(), ["survey", "validate", str(EXAMPLES / "concept_test.yaml")])
    assert result.exit_code == 0 and "concept_a_intent" in result.output
    out = tmp_path / "out"
    args = [
        "survey",
        "run",
        str(EXAMPLES / "concept_test.yaml"),
        "--population",
        str(population_dir),
        "--engine",
        "calibrated",
        "--tables",
        str(EXAMPLES / "concept_test_tables_ILLUSTRATIVE.csv"),
        "--label-map",
        str(EXAMPLES / "concept_test_labels.yaml"),
        "--draws",
        "3",
        "--out",
        str(out),
    ]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0, result.output
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert payload["engine"] == "calibrated" and payload["shares"]
    assert (out / "results.csv").is_file() and (out / "report.md").is_file()
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nsegments: [hat_size]\nquestions: []\n", encoding="utf-8")
    result = runner.invoke(_app(), ["survey", "validate", str(bad)])
    assert result.exit_code == 1


def test_survey_concept_test_command(population_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _app(),
        [
            "survey",
            "concept-test",
            "--population",
            str(population_dir),
            "--out",
            str(tmp_path / "ct"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "ILLUSTRATIVE" in result.output
    assert (tmp_path / "ct" / "charts" / "preference_region.png").is_file()


def test_survey_run_llm_replicates_with_scripted_model(
    population_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib
    from collections.abc import Iterator
    from typing import Any

    from ..llm.llm_fakes import ScriptedLLM, age_of, by_request

    def script(request: Any) -> dict[str, Any]:
        choice = "B" if age_of(request) < 40 else "A"
        return {"interpretation": "", "choice": choice, "reason": "이유"}

    @contextlib.contextmanager
    def fake_llm(engine: str, backend: str, limits: Any = None) -> Iterator[Any]:
        yield ScriptedLLM(by_request(script))

    monkeypatch.setattr(survey, "_llm", fake_llm)
    q = tmp_path / "q.yaml"
    q.write_text(
        "id: t\nsegments: [age_group]\nquestions:\n"
        "  - {id: pick, type: single_choice, text: 고르세요, options: [A, B]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = [
        "survey",
        "run",
        str(q),
        "--population",
        str(population_dir),
        "--engine",
        "llm",
        "--sample",
        "150",
        "--replicates",
        "3",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    replicates = payload["replicates"]
    assert replicates["replicates"] == 3 and replicates["n_shares"] > 0
    young = [r for r in payload["shares"] if r["group"] == "19-29" and r["category"] == "B"]
    assert young and young[0]["share"] == 1.0 and young[0]["basis"] == "llm"
    # all personas agree, yet the interval is not zero-width: Jeffreys on n personas
    n = young[0]["n_respondents"]
    assert n >= 10 and young[0]["ci_low"] < 1.0 - 0.5 / (n + 1)
