"""LLM answers as distributions: log-probability scoring, plan, progress, resume, too few."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from synthsoc.survey import LLMEngine, parse_questionnaire, run_survey, write_outputs
from synthsoc.survey.llm_run import RunPlan
from synthsoc.synth import load_population

from ..llm.llm_fakes import ScriptedLLM, age_of, by_request

QUESTIONS = {
    "id": "t",
    "segments": ["age_group"],
    "questions": [
        {"id": "like", "type": "likert", "text": "좋아하십니까?", "options": ["1", "2", "3"]},
        {"id": "why", "type": "open_text", "text": "왜요?"},
    ],
}


def _logprob_script(request: Any) -> dict[str, Any]:
    """Young personas: P(1, 2, 3) = (0.1, 0.2, 0.5) plus 0.2 on a non-option token; old: 3 is
    out of the top list. Open text is sampled as JSON."""
    if request.logprobs is None:
        return {"interpretation": "", "answer": "좋아요", "reason": "그냥"}
    if age_of(request) < 40:
        return {
            "top_logprobs": {
                "1": math.log(0.1),
                " 2": math.log(0.2),
                "3": math.log(0.5),
                "The": math.log(0.2),
            }
        }
    return {"top_logprobs": {"1": math.log(0.6), "2": math.log(0.2)}}


def test_logprob_scoring_gives_each_persona_a_distribution(population_dir: Path) -> None:
    q = parse_questionnaire(QUESTIONS)
    llm = ScriptedLLM(by_request(_logprob_script))
    engine = LLMEngine(llm, sample_size=300, scoring="auto")  # type: ignore[arg-type]
    result = run_survey(q, load_population(population_dir), engine, seed=0)
    like = [r for r in llm.requests if r.logprobs is not None]
    assert len(like) == 300  # one call per persona (the probe is persona 0's call, kept)
    # the label, then a short reason in the same call (greedy)
    assert all(r.max_tokens == 1 + engine.reason_tokens and r.temperature == 0.0 for r in like)
    assert "1. " in like[0].prompt and "이유를 한 문장으로" in like[0].prompt
    # renormalised over the options: young (0.1, 0.2, 0.5) / 0.8
    assert result.share("like", "age_group", "19-29", "3") == pytest.approx(0.625)
    assert result.share("like", "age_group", "70+", "1") == pytest.approx(0.75)
    assert result.diagnostics["scoring"] == {"like": "logprobs", "why": "sample"}
    assert 0.8 <= result.diagnostics["mean_probability_on_options"]["like"] <= 0.81
    assert "log-probabilities" in result.notes[0]


def test_sampled_fallback_when_the_server_has_no_logprobs(population_dir: Path) -> None:
    q = parse_questionnaire(QUESTIONS)

    def no_logprobs(request: Any) -> dict[str, Any]:
        if request.json_schema is None:
            return {"no": "logprobs"}
        key = "choice" if "choice" in request.json_schema["properties"] else "answer"
        return {"interpretation": "", key: "2" if key == "choice" else "네", "reason": "이유"}

    engine = LLMEngine(ScriptedLLM(by_request(no_logprobs)), sample_size=30)  # type: ignore[arg-type]
    result = run_survey(q, load_population(population_dir), engine, seed=0)
    assert result.diagnostics["scoring"]["like"] == "sample"
    assert any("no token log-probabilities" in n for n in result.notes)


def test_plan_progress_and_resume_after_interruption(population_dir: Path, tmp_path: Path) -> None:
    q = parse_questionnaire(QUESTIONS)
    pop = load_population(population_dir)
    journal = tmp_path / "answers.jsonl"

    class Interrupted(Exception):
        pass

    class StopsAfter(ScriptedLLM):
        limit: int = 10**9

        def complete(self, request: Any) -> Any:
            if len(self.requests) >= self.limit:
                raise Interrupted
            return super().complete(request)

    first = StopsAfter(by_request(_logprob_script))
    first.limit = 45
    with pytest.raises(Interrupted):
        run_survey(
            q, pop, LLMEngine(first, sample_size=40, scoring="logprobs", journal=journal), seed=0
        )
    assert len(first.requests) == 45
    kept = len(journal.read_text(encoding="utf-8").splitlines())
    assert kept == len(first.requests)  # every answer that arrived before the stop is on disk

    plans: list[RunPlan] = []
    progress: list[tuple[int, int]] = []
    second = ScriptedLLM(by_request(_logprob_script))
    engine = LLMEngine(
        second,  # type: ignore[arg-type]
        sample_size=40,
        scoring="logprobs",
        journal=journal,
        on_plan=plans.append,
        on_progress=lambda done, total: progress.append((done, total)),
    )
    result = run_survey(q, pop, engine, seed=0)
    assert len(second.requests) == 80 - kept  # only what was missing was asked (counted)
    assert plans[0].calls == 80 and plans[0].already_answered == kept
    assert plans[0].seconds_per_call is not None and plans[0].prompt_tokens > 0
    assert "80 calls" in plans[0].summary() and "already answered" in plans[0].summary()
    assert progress[-1] == (80, 80) and progress[0][0] >= kept
    assert result.diagnostics["answers_reused"] == kept + 1  # the timed call, journaled too
    third = ScriptedLLM(by_request(_logprob_script))
    run_survey(
        q, pop, LLMEngine(third, sample_size=40, scoring="logprobs", journal=journal), seed=0
    )  # type: ignore[arg-type]
    assert third.requests == []  # everything answered: nothing is asked again


def test_a_budget_stop_inside_a_batch_keeps_every_answer_that_arrived(
    population_dir: Path, tmp_path: Path
) -> None:
    """The real budget wrapper stops the run in the middle of a 16-request batch: the answers
    the batch already had are journaled, and the rerun asks only the others (counted)."""
    from synthsoc.llm import BudgetExceeded, stack_llm

    q = parse_questionnaire(QUESTIONS)
    pop = load_population(population_dir)
    journal = tmp_path / "answers.jsonl"
    first = ScriptedLLM(by_request(_logprob_script))
    # 1 timed call + 2 whole batches of 16 + 5 calls into the third batch
    limited = stack_llm(first, max_calls=38)
    with pytest.raises(BudgetExceeded, match="max_calls=38"):
        run_survey(
            q, pop, LLMEngine(limited, sample_size=40, scoring="logprobs", journal=journal,
                              on_plan=lambda plan: None), seed=0
        )
    assert first.calls == 38
    kept = len(journal.read_text(encoding="utf-8").splitlines())
    assert kept == 38  # none of the third batch's five answers is lost
    second = ScriptedLLM(by_request(_logprob_script))
    run_survey(
        q, pop, LLMEngine(second, sample_size=40, scoring="logprobs", journal=journal), seed=0
    )  # type: ignore[arg-type]
    assert second.calls == 80 - 38


def test_tiny_segments_are_too_few_and_verbatims_are_written(
    population_dir: Path, tmp_path: Path
) -> None:
    q = parse_questionnaire(QUESTIONS)
    engine = LLMEngine(ScriptedLLM(by_request(_logprob_script)), sample_size=6, scoring="logprobs")  # type: ignore[arg-type]
    result = run_survey(q, load_population(population_dir), engine, seed=0)
    rows = [r for r in result.rows if r["question"] == "like"]
    assert rows and all(r["basis"] == "too_few" and r["share"] is None for r in rows)
    assert any("too few" in n for n in result.notes)
    with pytest.raises(ValueError, match="too few"):
        result.share("like", "all", "all", "1")
    out = write_outputs(result, q, tmp_path / "out")
    answers = pl.read_parquet(out / "answers.parquet")
    why = answers.filter(pl.col("question") == "why")
    assert why.height == 6 and set(why["text"].to_list()) == {"좋아요"}
    assert set(why["reason"].to_list()) == {"그냥"} and "age_group" in answers.columns
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "표본 부족" in report and '"좋아요"' in report


def test_cli_plan_stops_before_the_run_and_hybrid_runs(
    population_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib
    import json
    from collections.abc import Iterator

    import typer
    from typer.testing import CliRunner

    from synthsoc.commands import survey

    llm = ScriptedLLM(by_request(_logprob_script))

    @contextlib.contextmanager
    def fake_llm(engine: str, backend: str, limits: Any = None) -> Iterator[Any]:
        yield llm

    monkeypatch.setattr(survey, "_llm", fake_llm)
    app = typer.Typer()
    survey.register(app)
    q = tmp_path / "q.yaml"
    q.write_text(
        "id: t\nsegments: [age_group]\nquestions:\n"
        "  - {id: like, type: likert, text: 좋아요, options: ['1', '2', '3']}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    base = ["survey", "run", str(q), "--population", str(population_dir), "--out", str(out)]
    planned = CliRunner().invoke(app, [*base, "--engine", "llm", "--sample", "50", "--plan"])
    assert planned.exit_code == 0, planned.output
    assert "plan: 50 calls" in planned.output and "s per call" in planned.output
    assert len(llm.requests) == 1 and not out.exists()  # one timed call, then stop
    data = tmp_path / "m.csv"
    pl.DataFrame({"age_group": ["19-29", "70+"] * 100, "like": ["3", "1"] * 100}).write_csv(data)
    run = CliRunner().invoke(
        app, [*base, "--engine", "hybrid", "--sample", "200", "--data", str(data)]
    )
    assert run.exit_code == 0, run.output
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    young = next(
        r
        for r in payload["shares"]
        if (r["segment"], r["group"], r["category"]) == ("age_group", "19-29", "3")
    )
    assert young["basis"] == "ppi" and young["share"] == pytest.approx(1.0, abs=0.01)
    assert (tmp_path / "out.journal.jsonl").is_file()


def test_logprob_mode_keeps_a_reason_per_persona_in_the_same_call(
    population_dir: Path, tmp_path: Path
) -> None:
    def script(request: Any) -> dict[str, Any]:
        young = age_of(request) < 40
        if young:  # most likely "3", and the text starts with it: the reason is kept
            return {
                "top_logprobs": {"3": math.log(0.7), "1": math.log(0.3)},
                "text": "3. 새로운 것을 좋아해서",
            }
        # most likely "1", but the text does not start with it: no reason is kept for it
        return {"top_logprobs": {"1": math.log(0.6), "2": math.log(0.4)}, "text": "The answer"}

    q = parse_questionnaire({**QUESTIONS, "questions": QUESTIONS["questions"][:1]})
    llm = ScriptedLLM(by_request(script))
    engine = LLMEngine(llm, sample_size=60, scoring="logprobs")  # type: ignore[arg-type]
    result = run_survey(q, load_population(population_dir), engine, seed=0)
    assert len(llm.requests) == 60  # one call per persona: the reasons cost no extra call
    out = write_outputs(result, q, tmp_path / "out")
    answers = pl.read_parquet(out / "answers.parquet")
    assert answers.height == 60 and "age_group" in answers.columns
    young = answers.filter(pl.col("age_group").is_in(["19-29", "30-39"]))
    old = answers.filter(~pl.col("age_group").is_in(["19-29", "30-39"]))
    assert young.height > 0 and old.height > 0
    assert set(young["reason"].to_list()) == {"새로운 것을 좋아해서"}
    assert set(young["answer"].to_list()) == {"3"}
    assert young["answer_probability"].to_list() == pytest.approx([0.7] * young.height)
    assert old["reason"].null_count() == old.height and set(old["answer"].to_list()) == {"1"}
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "### 응답 사례: 연령대별" in report
    assert '- **19-29**: 답: 3 (확률 0.70) "새로운 것을 좋아해서"' in report
    assert "- **70+**" not in report  # nobody there gave a reason to quote


def test_reason_tokens_zero_asks_for_the_label_only(population_dir: Path) -> None:
    q = parse_questionnaire({**QUESTIONS, "questions": QUESTIONS["questions"][:1]})
    llm = ScriptedLLM(by_request(_logprob_script))
    engine = LLMEngine(llm, sample_size=12, scoring="logprobs", reason_tokens=0)  # type: ignore[arg-type]
    result = run_survey(q, load_population(population_dir), engine, seed=0)
    assert all(r.max_tokens == 1 and "번호 하나만" in r.prompt for r in llm.requests)
    assert result.verbatims == []


def test_a_group_with_no_answering_persona_is_a_too_few_row_not_absent(
    population_dir: Path,
) -> None:
    def script(request: Any) -> dict[str, Any]:
        if age_of(request) >= 70:  # no option label at all: non-response
            return {"top_logprobs": {"The": math.log(0.9)}}
        return {"top_logprobs": {"1": math.log(0.5), "2": math.log(0.5)}}

    q = parse_questionnaire({**QUESTIONS, "questions": QUESTIONS["questions"][:1]})
    engine = LLMEngine(ScriptedLLM(by_request(script)), sample_size=200, scoring="logprobs")  # type: ignore[arg-type]
    result = run_survey(q, load_population(population_dir), engine, seed=0)
    old = [r for r in result.rows if (r["segment"], r["group"]) == ("age_group", "70+")]
    persons = pl.read_parquet(population_dir / "persons.parquet")
    assert len(old) == 3  # one row per option, no share, 0 respondents, its persons counted
    assert all(r["basis"] == "too_few" and r["share"] is None for r in old)
    assert all(r["n_respondents"] == 0 and r["n_units"] == 0 for r in old)
    assert old[0]["population"] == persons.filter(pl.col("age") >= 70).height
    assert any("age_group=70+ (no persona answered)" in n for n in result.notes)
    # three personas cannot cover six age groups: every group still has its (too few) rows
    few = run_survey(
        q,
        load_population(population_dir),
        LLMEngine(ScriptedLLM(by_request(script)), sample_size=3, scoring="logprobs"),  # type: ignore[arg-type]
        seed=0,
    )
    groups = {r["group"] for r in few.rows if r["segment"] == "age_group"}
    assert groups == {"19-29", "30-39", "40-49", "50-59", "60-69", "70+"}
