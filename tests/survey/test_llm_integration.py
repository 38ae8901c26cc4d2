"""The LLM engine against the real embedded model (llama.cpp server + SmolLM2)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from synthsoc.survey import LLMEngine, parse_questionnaire, run_survey
from synthsoc.synth import load_population

pytestmark = pytest.mark.integration

QUESTIONS = {
    "id": "it",
    "segments": ["age_group"],
    "questions": [
        {
            "id": "like",
            "type": "likert",
            "text": "이 제품이 마음에 드십니까?",
            "options": ["1", "2", "3", "4", "5"],
        },
    ],
}


def test_llm_engine_with_embedded_model_sampled(population_dir: Path, tmp_path: Path) -> None:
    from synthsoc.llm import open_llm

    q = parse_questionnaire(QUESTIONS)
    with open_llm("local", cache_dir=tmp_path / "cache") as llm:
        engine = LLMEngine(llm, sample_size=2, max_tokens=160, scoring="sample")
        result = run_survey(q, load_population(population_dir), engine, seed=0)
    assert result.diagnostics["sample_size"] == 2
    answered = 2 - result.diagnostics["non_response"]["like"]
    assert answered >= 1  # constrained output: the small model's answers parse
    overall = [r for r in result.rows if r["segment"] == "all"]
    # two personas are far too few for a share: stated, not printed as 100.0 (100.0-100.0)
    assert overall and all(r["basis"] == "too_few" and r["share"] is None for r in overall)


def test_logprob_distributions_from_the_real_server(population_dir: Path, tmp_path: Path) -> None:
    from synthsoc.llm import open_llm
    from synthsoc.llm.choice import choice_request, option_distribution, option_labels

    q = parse_questionnaire(QUESTIONS)
    with open_llm("local", use_cache=False, logprobs=True) as llm:
        # the raw layer: the server's top-20 log-probabilities of the first token
        response = llm.complete(choice_request("1, 2 또는 3 중 하나를 고르세요. 답:"))
        assert response.top_logprobs is not None and len(response.top_logprobs) == 1
        first = response.top_logprobs[0]
        assert 1 < len(first) <= 20 and all(lp <= 1e-6 for lp in first.values())
        assert sum(math.exp(lp) for lp in first.values()) <= 1.0 + 1e-6
        found = option_distribution(response, option_labels(3))
        assert sum(found.probs) == pytest.approx(1.0) and 0.0 <= found.mass <= 1.0
        # the engine: one call per persona gives a whole distribution (label only here, fast)
        engine = LLMEngine(
            llm, sample_size=12, scoring="auto", journal=tmp_path / "j.jsonl", reason_tokens=0
        )
        result = run_survey(q, load_population(population_dir), engine, seed=0)
        calls = llm.usage.calls
        # with a reason: the same single call per persona goes on after the label
        before, generated = llm.usage.calls, llm.usage.completion_tokens
        engine = LLMEngine(llm, sample_size=2, scoring="logprobs", reason_tokens=12)
        with_reasons = run_survey(q, load_population(population_dir), engine, seed=1)
        reason_calls = llm.usage.calls - before
        reason_tokens = llm.usage.completion_tokens - generated
    assert reason_calls == 2 and reason_tokens > 2  # one call each, more than the label
    verbatims = with_reasons.verbatims
    assert len(verbatims) == 2 and all(v["answer"] in q.questions[0].categories for v in verbatims)
    # greedy at temperature 0: the small model starts with the label and goes on
    assert any(v["reason"] for v in verbatims)
    assert result.diagnostics["scoring"] == {"like": "logprobs"}
    assert calls == 1 + 12  # the raw request above, then one per persona (the probe is kept)
    qa_rows = [r for r in result.rows if r["segment"] == "all"]
    shares = np.array([r["share"] for r in qa_rows], dtype=float)
    assert shares.sum() == pytest.approx(1.0, abs=1e-5)
    assert (shares > 0).sum() >= 2  # a distribution, not a one-hot draw
    assert all(r["ci_low"] < r["share"] < r["ci_high"] for r in qa_rows if r["share"] > 0)
    assert 0.0 < result.diagnostics["mean_probability_on_options"]["like"] <= 1.0
