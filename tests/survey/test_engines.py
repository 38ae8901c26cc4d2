from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from synthsoc.survey import (
    CalibratedEngine,
    CalibrationError,
    HybridEngine,
    LLMEngine,
    load_questionnaire,
    parse_questionnaire,
    run_survey,
    write_outputs,
)
from synthsoc.survey.respondents import respondent_frame
from synthsoc.synth import load_population

from ..llm.llm_fakes import ScriptedLLM, age_of, by_request

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

QUESTIONS = {
    "id": "t",
    "segments": ["age_group", "sex"],
    "questions": [
        {
            "id": "like",
            "type": "likert",
            "text": "좋아하십니까?",
            "options": ["1", "2", "3", "4", "5"],
        },
        {"id": "pick", "type": "multiple_choice", "text": "무엇을?", "options": ["a", "b", "c"]},
        {"id": "why", "type": "open_text", "text": "왜요?"},
        {
            "id": "pay",
            "type": "numeric",
            "text": "얼마?",
            "min": 0,
            "max": 100,
            "bins": [0, 50, 100],
        },
    ],
}


def _microdata(path: Path, n: int = 600, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    age = rng.choice(["19-29", "30-39", "40-49", "50-59", "60-69", "70+"], n)
    sex = rng.choice(["M", "F"], n)
    young = np.isin(age, ["19-29", "30-39"])
    like = np.where(young, rng.choice(["4", "5"], n), rng.choice(["1", "2"], n))
    pick = np.where(young, "a;b", "c")
    pl.DataFrame({"age_group": age, "sex": sex, "like": like, "pick": pick}).write_csv(path)
    return path


def test_calibrated_microdata_engine_by_segment(population_dir: Path, tmp_path: Path) -> None:
    q = parse_questionnaire(QUESTIONS)
    engine = CalibratedEngine(data=_microdata(tmp_path / "m.csv"), n_draws=4)
    result = run_survey(q, load_population(population_dir), engine, seed=3)
    young = result.share("like", "age_group", "19-29", "5") + result.share(
        "like", "age_group", "19-29", "4"
    )
    old = result.share("like", "age_group", "70+", "1") + result.share(
        "like", "age_group", "70+", "2"
    )
    assert young > 0.9 and old > 0.9
    assert result.share("pick", "age_group", "19-29", "a") > 0.9
    assert result.share("pick", "age_group", "70+", "c") > 0.9
    assert set(result.skipped) == {"why", "pay"}
    for row in result.rows:
        assert row["ci_low"] <= row["share"] <= row["ci_high"]
    out = write_outputs(result, q, tmp_path / "out")
    assert (out / "results.json").is_file() and (out / "report.md").is_file()
    assert (out / "charts" / "like_age_group.png").stat().st_size > 1000
    again = run_survey(q, load_population(population_dir), engine, seed=3)
    assert again.rows == result.rows  # same seed, same output


def test_calibrated_rejects_answers_that_are_not_options(
    population_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    pl.DataFrame({"sex": ["M", "F"], "like": ["5", "excellent"]}).write_csv(path)
    q = parse_questionnaire(QUESTIONS)
    with pytest.raises(
        CalibrationError, match=r"bad.csv: column 'like': answer\(s\) \['excellent'\]"
    ):
        run_survey(q, load_population(population_dir), CalibratedEngine(data=path, n_draws=2))
    with pytest.raises(CalibrationError, match="exactly one of"):
        CalibratedEngine()


def test_calibrated_tables_engine_concept_test(population_dir: Path) -> None:
    q = load_questionnaire(EXAMPLES / "concept_test.yaml")
    engine = CalibratedEngine(
        tables=EXAMPLES / "concept_test_tables_ILLUSTRATIVE.csv",
        label_map=EXAMPLES / "concept_test_labels.yaml",
        n_draws=5,
    )
    result = run_survey(q, load_population(population_dir), engine, seed=0)
    assert set(result.skipped) == {"comment"}
    regions = {r["group"] for r in result.rows if r["segment"] == "region"}
    assert regions == {"Seoul", "Busan", "Gyeonggi-do", "Jeju-do"}
    # a segment no table publishes: age group x region, with an interval
    cross = [r for r in result.rows if r["segment"] == "age_group*region"]
    assert {r["group"] for r in cross} >= {"19-29*Seoul", "70+*Jeju-do"}
    assert all(r["ci_low"] <= r["share"] <= r["ci_high"] for r in cross)
    # the illustrative tables make concept B most popular among the young
    assert result.share("preference", "age_group", "19-29", "B") > result.share(
        "preference", "age_group", "70+", "B"
    )
    assert any("ILLUSTRATIVE" in n or "tables" in n for n in result.notes)


def _script(request: Any) -> dict[str, Any] | None:
    schema = request.json_schema["properties"]
    young = age_of(request) < 40
    base = {"interpretation": "선택지를 읽었다", "reason": "그렇게 생각한다"}
    if "choice" in schema:
        return {**base, "choice": "5" if young else "3"}
    if "choices" in schema:
        return {**base, "choices": ["a"] if young else ["b", "c"]}
    if "value" in schema:
        return {**base, "value": 80 if young else 20}
    if age_of(request) > 80:
        return None  # a failed answer counts as non-response
    return {**base, "answer": "좋아요"}


def test_llm_engine_with_scripted_model(population_dir: Path) -> None:
    q = parse_questionnaire(QUESTIONS)
    llm = ScriptedLLM(by_request(_script))
    result = run_survey(
        q,
        load_population(population_dir),
        LLMEngine(llm, sample_size=200, scoring="sample"),
        seed=1,
    )  # type: ignore[arg-type]
    assert len(llm.requests) == 200 * 4
    prompt = llm.requests[0].prompt
    assert "interpretation" in prompt and "reason" in prompt and "[선택지]" in prompt
    assert llm.requests[0].json_schema["required"] == ["interpretation", "choice", "reason"]
    assert result.share("like", "age_group", "19-29", "5") == 1.0
    assert result.share("like", "age_group", "50-59", "3") == 1.0
    assert result.share("pay", "age_group", "19-29", "50-100") == 1.0
    means = {(r["segment"], r["group"]): r["mean"] for r in result.numeric}
    assert means[("age_group", "19-29")] == 80.0
    assert result.texts["why"][0]["answer"] == "좋아요"
    style = result.diagnostics["response_style"]["like"]
    assert "midpoint_share" in style and "variance_collapse" in style


def test_llm_midpoint_drift_is_reported(population_dir: Path) -> None:
    q = parse_questionnaire(QUESTIONS)

    def middle(request: Any) -> dict[str, Any]:
        return {
            "interpretation": "",
            "choice": "3",
            "choices": ["a"],
            "value": 1.0,
            "answer": "",
            "reason": "",
        }

    result = run_survey(
        q,
        load_population(population_dir),
        LLMEngine(ScriptedLLM(by_request(middle)), sample_size=20, scoring="sample"),
        seed=0,
    )  # type: ignore[arg-type]
    style = result.diagnostics["response_style"]["like"]
    assert style["midpoint_drift"] and style["variance_collapse"] and style["single_answer"]


def _constant_llm(answer: str) -> ScriptedLLM:
    return ScriptedLLM(by_request(
        lambda r: (
            {"interpretation": "", "choice": answer, "reason": ""}
            if r.json_schema is not None and "choice" in r.json_schema["properties"]
            else None
        )
    ))


def test_hybrid_ppi_removes_a_biased_llm_and_says_how_much_it_helped(
    population_dir: Path, tmp_path: Path
) -> None:
    q = parse_questionnaire({**QUESTIONS, "segments": ["age_group", "region"]})
    micro = _microdata(tmp_path / "m.csv")
    pop = load_population(population_dir)
    # An LLM that says "3" to everyone (no real respondent said 3). With a constant f the PPI
    # estimate is f + mean(Y - f) = mean(Y): exactly the real sample's shares, by hand.
    hybrid = HybridEngine(
        LLMEngine(_constant_llm("3"), sample_size=80, scoring="sample"),  # type: ignore[arg-type]
        CalibratedEngine(data=micro, n_draws=3),
    )
    result = run_survey(q, pop, hybrid, seed=2)
    raw = pl.read_csv(micro, infer_schema=False)
    for group in ("19-29", "70+"):
        part = raw.filter(pl.col("age_group") == group)
        for cat in ("1", "3", "5"):
            expected = (part["like"] == cat).mean()
            row = next(
                r
                for r in result.rows
                if (r["question"], r["segment"], r["group"], r["category"])
                == ("like", "age_group", group, cat)
            )
            assert row["share"] == pytest.approx(expected, abs=1e-6)
            assert row["basis"] == "ppi" and row["n_respondents"] == part.height
            # f constant: var(f) = 0 and var(Y - f) = var(Y): the real sample's own interval
            assert row["ci_low"] == pytest.approx(row["real_only_ci_low"], abs=1e-6)
            assert row["ci_high"] == pytest.approx(row["real_only_ci_high"], abs=1e-6)
    assert result.diagnostics["ppi_width_vs_real_alone"]["like"] == pytest.approx(1.0, abs=1e-3)
    assert result.diagnostics["llm_bias_on_real_respondents"]["like"][2] == pytest.approx(-1.0)
    # region is not in the survey data: no real respondent vouches for it, so too few
    assert {r["basis"] for r in result.rows if r["segment"] == "region"} == {"too_few"}
    assert "pick" in " ".join(result.notes)  # multiple choice stays LLM-only, said so


def test_hybrid_ppi_uses_the_real_sample_weights(population_dir: Path, tmp_path: Path) -> None:
    from scipy.stats import norm

    from synthsoc.survey.mapping import parse_data_map

    q = parse_questionnaire({**QUESTIONS, "segments": ["age_group"]})
    micro = _microdata(tmp_path / "m.csv")
    raw = pl.read_csv(micro, infer_schema=False)
    # weights that over-count answer "1" four to one
    raw = raw.with_columns(pl.when(pl.col("like") == "1").then(4.0).otherwise(1.0).alias("wt"))
    raw.write_csv(micro)
    hybrid = HybridEngine(
        LLMEngine(_constant_llm("3"), sample_size=80, scoring="sample"),  # type: ignore[arg-type]
        CalibratedEngine(data=micro, data_map=parse_data_map({"weight": "wt"}, "m"), n_draws=3),
    )
    result = run_survey(q, load_population(population_dir), hybrid, seed=2)
    z = float(norm.ppf(0.975))
    for group in ("70+", "all"):
        part = raw if group == "all" else raw.filter(pl.col("age_group") == group)
        w = part["wt"].to_numpy()
        n = w.size
        yes = (part["like"] == "1").to_numpy().astype(float)
        # by hand: weighted share, Kish n, linearisation variance of the weighted mean
        share = float((w * yes).sum() / w.sum())
        variance = n / (n - 1) * float(((w * (yes - share)) ** 2).sum()) / float(w.sum()) ** 2
        row = next(
            r
            for r in result.rows
            if (r["question"], r["group"], r["category"]) == ("like", group, "1")
        )
        assert row["share"] == pytest.approx(share, abs=1e-6)
        assert row["share"] != pytest.approx(float(yes.mean()), abs=0.01)  # weights matter
        assert row["n_respondents"] == n
        assert row["n_effective"] == pytest.approx(w.sum() ** 2 / (w**2).sum(), abs=0.06)
        # constant LLM: var(f) = 0, so the PPI interval is the weighted real-sample interval
        assert row["ci_high"] - row["share"] == pytest.approx(z * variance**0.5, abs=1e-6)
        assert row["real_only_ci_low"] == pytest.approx(row["ci_low"], abs=1e-6)
    assert any("weighted by wt" in n for n in result.notes)


def test_hybrid_ppi_narrows_the_interval_when_the_llm_knows(
    population_dir: Path, tmp_path: Path
) -> None:
    q = parse_questionnaire(QUESTIONS)
    micro = _microdata(tmp_path / "m.csv")
    # an LLM that knows the rule of the data (young 4/5, old 1/2) but not the coin flip
    knows = LLMEngine(
        ScriptedLLM(by_request(
            lambda r: (
                {
                    "top_logprobs": {
                        ("4" if age_of(r) < 40 else "1"): -0.69315,
                        ("5" if age_of(r) < 40 else "2"): -0.69315,
                    }
                }
                if r.logprobs is not None
                else None
            )
        )),  # type: ignore[arg-type]
        sample_size=3000,  # personas are cheap: PPI gains when they far outnumber real people
        scoring="logprobs",
    )
    result = run_survey(
        q,
        load_population(population_dir),
        HybridEngine(knows, CalibratedEngine(data=micro)),
        seed=0,
    )
    # var(Y - f) / var(Y) is about 0.6 here, so the interval narrows by roughly 20%
    assert result.diagnostics["ppi_width_vs_real_alone"]["like"] < 0.9


def test_respondent_frame_has_every_segment_attribute(population_dir: Path) -> None:
    frame = respondent_frame(load_population(population_dir), min_age=19)
    assert frame["age"].min() >= 19
    assert frame["age_group"].null_count() == 0
    assert set(frame["region"].unique()) <= {"Seoul", "Busan", "Gyeonggi-do", "Jeju-do"}


def test_packaged_concept_test_matches_examples_and_runs(
    population_dir: Path, tmp_path: Path
) -> None:
    from synthsoc.survey.concept_test import concept_test_files, run_concept_test

    for packaged in concept_test_files():
        assert packaged.read_bytes() == (EXAMPLES / packaged.name).read_bytes()
    _, result = run_concept_test(population_dir, tmp_path / "ct", n_draws=3)
    assert "ILLUSTRATIVE" in result.notes[0]
    report = (tmp_path / "ct" / "report.md").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE" in report and "신제품 콘셉트 테스트" in report


def test_llm_failures_count_as_non_response_and_total_failure_raises(
    population_dir: Path,
) -> None:
    from synthsoc.llm import LLMError

    q = parse_questionnaire({**QUESTIONS, "questions": QUESTIONS["questions"][:1]})
    pop = load_population(population_dir)

    class Flaky(ScriptedLLM):
        def complete_many(self, requests: Any, concurrency: int = 4) -> Any:
            raise LLMError("batch failed")

        def complete(self, request: Any) -> Any:
            if age_of(request) >= 50:
                raise LLMError("bad answer")
            return super().complete(request)

    flaky = Flaky(by_request(_script))
    result = run_survey(q, pop, LLMEngine(flaky, sample_size=30, scoring="sample"), seed=0)  # type: ignore[arg-type]
    failed = result.diagnostics["non_response"]["like"]
    assert 0 < failed < 30
    # every 50+ persona failed: those groups are reported as too few, not left out
    older = [
        r
        for r in result.rows
        if r["segment"] == "age_group" and r["group"] in ("50-59", "60-69", "70+")
    ]
    assert {r["group"] for r in older} == {"50-59", "60-69", "70+"}
    assert all(r["basis"] == "too_few" and r["n_respondents"] == 0 for r in older)

    class Down(Flaky):
        def complete(self, request: Any) -> Any:
            raise LLMError("server down")

    with pytest.raises(LLMError, match="server down"):
        run_survey(q, pop, LLMEngine(Down(_script), sample_size=5, scoring="sample"), seed=0)  # type: ignore[arg-type]


def test_persona_attributes_as_segments(population_dir: Path, tmp_path: Path) -> None:
    import shutil

    from synthsoc.persona.columns import CATEGORICAL
    from synthsoc.survey.questionnaire import QuestionnaireError

    folder = tmp_path / "pop"
    shutil.copytree(population_dir, folder)
    q = parse_questionnaire({**QUESTIONS, "segments": ["messenger", "age_group*messenger"]})
    micro = _microdata(tmp_path / "m.csv")
    with pytest.raises(QuestionnaireError, match="run `synthsoc personas`"):
        run_survey(q, load_population(folder), CalibratedEngine(data=micro, n_draws=2))
    persons = pl.read_parquet(folder / "persons.parquet", columns=["person_id"])
    rng = np.random.default_rng(0)
    personas = persons.with_columns(
        [pl.Series(c, rng.choice(list(v), persons.height)) for c, v in CATEGORICAL.items()]
    )
    personas.write_parquet(folder / "personas.parquet")
    result = run_survey(q, load_population(folder), CalibratedEngine(data=micro, n_draws=2))
    groups = {r["group"] for r in result.rows if r["segment"] == "messenger"}
    assert groups <= set(CATEGORICAL["messenger"]) and groups


def test_fine_cells_collapse_to_weighted_averages_on_any_blas_threads() -> None:
    """Segment shares are the weighted averages of their fine cells, computed here by hand,
    and the same bytes under one and two BLAS threads (102 x 1,151 cells, 50 draws)."""
    from threadpoolctl import threadpool_limits

    from synthsoc.survey.calibrated import _collapse

    rng = np.random.default_rng(0)
    n_cells, n_out, k, n_draws = 1151, 102, 5, 50
    mapping = rng.integers(0, n_out, n_cells)
    weights = rng.random(n_cells) * 100
    probs = rng.dirichlet(np.ones(k), n_cells)
    draws = rng.dirichlet(np.ones(k), (n_draws, n_cells))
    results = []
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            results.append(_collapse(probs, draws, weights, mapping, n_out))
    for one, two in zip(results[0], results[1], strict=True):
        assert one.tobytes() == two.tobytes()
    shares, share_draws, unit_w = results[0]
    for cell in (0, 17, n_out - 1):
        members = mapping == cell
        w = weights[members]
        assert unit_w[cell] == pytest.approx(w.sum())
        np.testing.assert_allclose(shares[cell], (w[:, None] * probs[members]).sum(0) / w.sum())
        np.testing.assert_allclose(share_draws[3, cell],
                                   (w[:, None] * draws[3][members]).sum(0) / w.sum())
