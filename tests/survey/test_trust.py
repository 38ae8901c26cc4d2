"""Nothing silent, measured versus modelled: the cases a market researcher hit (issue 9)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from synthsoc.commands import survey
from synthsoc.survey import CalibratedEngine, CalibrationError, parse_questionnaire, run_survey
from synthsoc.survey.concept_test import run_concept_test
from synthsoc.survey.kgss import kgss_folder
from synthsoc.survey.mapping import parse_data_map
from synthsoc.survey.respondents import respondent_frame
from synthsoc.synth import load_population

QUESTIONS = {
    "id": "pilot",
    "segments": ["age_group", "region"],
    "questions": [
        {"id": "buy", "type": "single_choice", "text": "사시겠습니까?", "options": ["yes", "no"]}
    ],
}
AGES = ["19-29", "30-39", "40-49", "50-59", "60-69", "70+"]
KOREAN_AGES = {"19-29": "20대", "30-39": "30대", "40-49": "40대", "50-59": "50대"}
KOREAN_AGES |= {"60-69": "60대", "70+": "70대 이상"}


def _pilot(path: Path, *, age_column: str = "age_group", korean: bool = False) -> Path:
    """Young people say yes (80%), old people no (80% no); regions as given, no Jeju."""
    rng = np.random.default_rng(5)
    counts = {"Seoul": 300, "Gyeonggi-do": 300, "Busan": 40}
    region = np.repeat(list(counts), list(counts.values()))
    age = rng.choice(AGES, region.size)
    young = np.isin(age, ["19-29", "30-39"])
    yes = rng.random(region.size) < np.where(young, 0.8, 0.2)
    labels = [KOREAN_AGES[a] for a in age] if korean else age.tolist()
    pl.DataFrame(
        {age_column: labels, "region": region, "buy": np.where(yes, "yes", "no")}
    ).write_csv(path)
    return path


def _row(result: object, segment: str, group: str, category: str = "yes") -> dict[str, object]:
    rows = result.rows  # type: ignore[attr-defined]
    return next(
        r for r in rows if (r["segment"], r["group"], r["category"]) == (segment, group, category)
    )


def test_unmapped_column_stops_the_run_naming_file_column_and_closest(
    population_dir: Path, tmp_path: Path
) -> None:
    data = _pilot(tmp_path / "pilot.csv", age_column="agegrp")
    q = parse_questionnaire(QUESTIONS)
    with pytest.raises(CalibrationError) as info:
        run_survey(q, load_population(population_dir), CalibratedEngine(data=data, n_draws=5))
    message = str(info.value)
    assert "pilot.csv" in message and "'agegrp'" in message and "closest: age_group" in message
    assert "--map" in message


def test_explicit_map_renames_columns_and_keeps_the_age_effect(
    population_dir: Path, tmp_path: Path
) -> None:
    data = _pilot(tmp_path / "pilot.csv", age_column="agegrp")
    q = parse_questionnaire(QUESTIONS)
    data_map = parse_data_map({"columns": {"agegrp": "age_group"}}, "map.yaml")
    engine = CalibratedEngine(data=data, data_map=data_map, n_draws=20)
    result = run_survey(q, load_population(population_dir), engine, seed=1)
    young, old = (
        result.share("buy", "age_group", "19-29", "yes"),
        result.share("buy", "age_group", "70+", "yes"),
    )
    assert young > 0.6 and old < 0.4  # the pilot: 80% vs 20%; not the near-equal silent drop
    used = result.diagnostics["inputs"]["columns"]
    assert {"column": "agegrp", "used_as": "feature:age_group"} in used
    assert {"column": "buy", "used_as": "answer:buy"} in used


def test_korean_labels_fail_with_suggestion_or_map_explicitly(
    population_dir: Path, tmp_path: Path
) -> None:
    data = _pilot(tmp_path / "pilot.csv", korean=True)
    q = parse_questionnaire(QUESTIONS)
    pop = load_population(population_dir)
    with pytest.raises(CalibrationError) as info:
        run_survey(q, pop, CalibratedEngine(data=data, n_draws=5))
    message = str(info.value)
    assert "column 'age_group'" in message and "대" in message and "closest:" in message
    values = {v: k for k, v in KOREAN_AGES.items()}
    engine = CalibratedEngine(
        data=data, data_map=parse_data_map({"values": {"age_group": values}}, "m"), n_draws=20
    )
    result = run_survey(q, pop, engine, seed=0)
    assert result.share("buy", "age_group", "19-29", "yes") > 0.6
    relabelled = result.diagnostics["inputs"]["relabelled"]
    assert {r["from"] for r in relabelled} == set(KOREAN_AGES.values())
    assert sum(int(r["rows"]) for r in relabelled) == 640
    # a map entry that matches nothing is a typo, and an error
    typo = parse_data_map({"values": {"age_group": {**values, "80대": "70+"}}}, "m")
    with pytest.raises(CalibrationError, match="80대"):
        run_survey(q, pop, CalibratedEngine(data=data, data_map=typo, n_draws=5))


def test_unsurveyed_region_is_modelled_and_wider_than_a_surveyed_one(
    population_dir: Path, tmp_path: Path
) -> None:
    # Jeju (10% of the fixture population) has no respondent; Busan (20%) has only 40.
    data = _pilot(tmp_path / "pilot.csv")
    q = parse_questionnaire(QUESTIONS)
    result = run_survey(
        q, load_population(population_dir), CalibratedEngine(data=data, n_draws=200), seed=2
    )
    jeju, busan, seoul = (_row(result, "region", g) for g in ("Jeju-do", "Busan", "Seoul"))
    assert (jeju["n_respondents"], jeju["basis"]) == (0, "modelled")
    assert (busan["n_respondents"], busan["basis"]) == (40, "measured")
    assert seoul["n_respondents"] == 300
    width = {
        g: float(r["ci_high"]) - float(r["ci_low"])
        for g, r in [("jeju", jeju), ("busan", busan), ("seoul", seoul)]
    }
    assert width["jeju"] > width["busan"] > width["seoul"]
    assert result.diagnostics["fit"]["buy"]["converged"] is True
    assert result.diagnostics["fit"]["buy"]["levels_without_respondents"]["region"] == ["Jeju-do"]


def test_an_optimiser_that_stops_short_says_so(
    population_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one L-BFGS step cannot reach the tolerance: the fit's status, a note and the report say so
    from synthsoc.survey import multilevel, write_outputs

    real = multilevel.minimize_lbfgs
    monkeypatch.setattr(
        multilevel, "minimize_lbfgs", lambda f, x0, **kw: real(f, x0, **{**kw, "max_iter": 1})
    )
    q = parse_questionnaire(QUESTIONS)
    result = run_survey(
        q, load_population(population_dir),
        CalibratedEngine(data=_pilot(tmp_path / "pilot.csv"), n_draws=20), seed=2,
    )
    assert result.diagnostics["fit"]["buy"]["converged"] is False
    assert "buy: the optimiser did not reach its tolerance (see diagnostics)" in result.notes
    report = (write_outputs(result, q, tmp_path / "out") / "report.md").read_text("utf-8")
    assert "- buy: 최적화가 허용 오차에 도달하지 못했습니다(진단 참조)." in report
    assert "- `fit.buy.converged`: `False`" in report


def test_district_labels_are_unique_and_sejong_is_named(
    population_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "pop"
    shutil.copytree(population_dir, folder)
    regions = pl.read_parquet(folder / "regions.parquet")
    regions = regions.with_columns(
        pl.when(pl.col("sigungu_code").is_in(["11010", "21010"]))
        .then(pl.lit("중구"))
        .when(pl.col("sigungu_code") == "39010")
        .then(pl.lit(""))
        .otherwise(pl.col("sigungu_name"))
        .alias("sigungu_name"),
        pl.when(pl.col("sido_code") == "39")
        .then(pl.lit("세종특별자치시"))
        .otherwise(pl.col("sido_name"))
        .alias("sido_name"),
    )
    regions.write_parquet(folder / "regions.parquet")
    frame = respondent_frame(load_population(folder))
    names = set(frame["sigungu_name"].to_list())
    assert {"서울특별시 중구", "부산광역시 중구", "세종특별자치시"} <= names
    assert "" not in names and "중구" not in names
    per_code = frame.group_by("sigungu_code").agg(pl.col("sigungu_name").n_unique())
    assert per_code["sigungu_name"].max() == 1
    assert frame["sigungu_name"].n_unique() == frame["sigungu_code"].n_unique()


def _tables(path: Path, extra_type: str | None = None) -> Path:
    rows = ["question,group_type,group,answer,value"]
    for group, yes in [("Male", 40), ("Female", 60)]:
        rows += [f"Q,Sex,{group},yes,{yes}", f"Q,Sex,{group},no,{100 - yes}"]
    if extra_type:
        rows += [f"Q,{extra_type},a,yes,50", f"Q,{extra_type},a,no,50"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_table_group_types_and_labels_must_map(population_dir: Path, tmp_path: Path) -> None:
    q = parse_questionnaire(
        {
            "id": "t",
            "segments": ["sex"],
            "questions": [
                {
                    "id": "q",
                    "type": "single_choice",
                    "text": "질문",
                    "table_question": "Q",
                    "options": ["yes", "no"],
                }
            ],
        }
    )
    pop = load_population(population_dir)
    labels = tmp_path / "labels.yaml"
    labels.write_text("Sex: {Male: sex M, Female: sex F}\n", encoding="utf-8")
    tables = _tables(tmp_path / "t.csv", extra_type="Education")
    with pytest.raises(CalibrationError, match="group type 'Education' is not in the label map"):
        run_survey(q, pop, CalibratedEngine(tables=tables, label_map=labels, n_draws=3))
    labels.write_text("Sex: {Male: sex M, Female: sex F}\nignore: [Education]\n", "utf-8")
    result = run_survey(q, pop, CalibratedEngine(tables=tables, label_map=labels, n_draws=3))
    assert {"question": "Q", "group_type": "Education", "why": "ignored (map)"} in (
        result.diagnostics["inputs"]["dropped"]
    )
    assert _row(result, "sex", "F")["basis"] == "assumed"
    labels.write_text("Sex: {Man: sex M, Female: sex F}\n", encoding="utf-8")
    with pytest.raises(CalibrationError, match="'Male' has no entry.*closest: .*Man"):
        run_survey(q, pop, CalibratedEngine(tables=_tables(tmp_path / "u.csv"), label_map=labels))
    labels.write_text("Sex: {Male: gender M, Female: sex F}\n", encoding="utf-8")
    with pytest.raises(CalibrationError, match="'gender' is not a population attribute"):
        run_survey(q, pop, CalibratedEngine(tables=_tables(tmp_path / "v.csv"), label_map=labels))


def _app() -> typer.Typer:
    app = typer.Typer()
    survey.register(app)
    return app


def test_cli_replicates_with_calibrated_and_in_sample_reference(
    population_dir: Path, tmp_path: Path
) -> None:
    data = _pilot(tmp_path / "pilot.csv")
    q = tmp_path / "q.yaml"
    q.write_text(json.dumps(QUESTIONS, ensure_ascii=False), encoding="utf-8")
    base = ["survey", "run", str(q), "--population", str(population_dir), "--data", str(data)]
    out = tmp_path / "out"
    refused = CliRunner().invoke(_app(), [*base, "--replicates", "3", "--out", str(out)])
    assert refused.exit_code != 0 and "--draws" in refused.output
    run = CliRunner().invoke(
        _app(), [*base, "--draws", "20", "--reference", str(data), "--out", str(out)]
    )
    assert run.exit_code == 0, run.output
    assert "IN-SAMPLE" in run.output
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert payload["comparison"]["in_sample"] is True
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "표본 내 비교(IN-SAMPLE)" in report and "응답자 수(유효)" in report
    inputs = json.loads((out / "inputs.json").read_text(encoding="utf-8"))
    assert inputs["file"] == str(data) and inputs["n_rows"] == 640


def test_illustrative_demo_marks_every_output(population_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ct"
    run_concept_test(population_dir, out, n_draws=4)
    assert json.loads((out / "results.json").read_text(encoding="utf-8"))["banner"].startswith(
        "ILLUSTRATIVE"
    )
    csv = pl.read_csv(out / "results.csv", infer_schema=False)
    assert csv["banner"].str.starts_with("ILLUSTRATIVE").all()
    assert json.loads((out / "inputs.json").read_text(encoding="utf-8"))["banner"]
    charts = sorted((out / "charts").glob("*.png"))
    assert charts and all(b"ILLUSTRATIVE" in p.read_bytes() for p in charts)
    assert (out / "report.md").read_text(encoding="utf-8").startswith("> **ILLUSTRATIVE")


KGSS_QUESTIONS = {
    "id": "kgss",
    "segments": ["age_group", "sex", "region"],
    "questions": [
        {
            "id": "ideology",
            "type": "likert",
            "text": "정치적 성향",
            "data_column": "PARTYLR",
            "options": ["1", "2", "3", "4", "5"],
        },
        {"id": "none_such", "type": "single_choice", "text": "?", "options": ["a", "b"]},
    ],
}


def test_kgss_item_answers_a_questionnaire_question(population_dir: Path) -> None:
    q = parse_questionnaire(KGSS_QUESTIONS)
    engine = CalibratedEngine(kgss=True, kgss_years=(2010, 2012), n_draws=30)
    result = run_survey(q, load_population(population_dir), engine, seed=0)
    # hand count from the packaged file, independent of the engine: KGSS 2010-2012 respondents
    # aged 19+ with a valid PARTYLR (1..5), weighted by FINALWT, share calling themselves
    # progressive (1 or 2) among the 19-29 versus among the 60-69
    raw = pl.read_csv(
        Path(kgss_folder()) / "kgss_2003_2012_core.csv.gz", comment_prefix="#", infer_schema=False
    ).with_columns(
        pl.col("AGE").cast(pl.Float64).alias("age"),
        pl.col("FINALWT").cast(pl.Float64).alias("w"),
        pl.col("YEAR").cast(pl.Int64).alias("year"),
    )
    valid = raw.filter(
        pl.col("year").is_between(2010, 2012)
        & (pl.col("age") >= 19)
        & pl.col("PARTYLR").is_in(["1", "2", "3", "4", "5"])
    )

    def progressive(lo: int, hi: int) -> float:
        part = valid.filter(pl.col("age").is_between(lo, hi))
        return float(part.filter(pl.col("PARTYLR").is_in(["1", "2"]))["w"].sum() / part["w"].sum())

    young = result.share("ideology", "age_group", "19-29", "1") + result.share(
        "ideology", "age_group", "19-29", "2"
    )
    old = result.share("ideology", "age_group", "60-69", "1") + result.share(
        "ideology", "age_group", "60-69", "2"
    )
    # poststratified onto the fixture population's education/marital mix: close, not equal
    assert young == pytest.approx(progressive(19, 29), abs=0.08)
    assert old == pytest.approx(progressive(60, 69), abs=0.08)
    assert young > old
    row = _row(result, "age_group", "19-29", "1")
    assert row["basis"] == "measured" and int(row["n_respondents"]) > 300
    assert float(row["n_effective"]) < int(row["n_respondents"])  # weights cost precision
    assert _row(result, "region", "Seoul", "1")["basis"] == "modelled"  # KGSS has no provinces
    assert any(n.startswith("segments by region: not in") for n in result.notes)
    assert "none_such" in result.skipped
    assert "KGSS" in result.notes[0]
    inputs = result.diagnostics["inputs"]
    assert inputs["dropped"][0]["kgss"]["rows_outside_years"] > 0
    assert {"column": "FINALWT", "used_as": "weight"} in inputs["columns"]


def test_charts_speak_korean(population_dir: Path, tmp_path: Path) -> None:
    """Chart titles carry the question's Korean wording and the segment's Korean name, drawn in
    the bundled Korean font (PNG text chunks hold the title as written)."""
    from PIL import Image

    out = tmp_path / "ct"
    questionnaire, _ = run_concept_test(population_dir, out, n_draws=4)
    chart = out / "charts" / f"{questionnaire.questions[0].id}_age_group.png"
    title = Image.open(chart).text["Title"]
    assert questionnaire.questions[0].text.ko in title and "연령대별" in title
