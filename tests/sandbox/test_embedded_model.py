"""One short sandbox run against the real embedded SmolLM2 through the real llama.cpp server:
two personas, the plain and the persona-aware system prompt side by side, one turn each."""

from __future__ import annotations

import polars as pl
import pytest

from synthsoc.llm import open_llm
from synthsoc.sandbox import (
    LLMAssistant,
    RunConfig,
    persona_aware_prompt,
    run_sandbox,
    scorecard,
)
from synthsoc.sandbox.scorecard import METRICS
from synthsoc.sandbox.user import Reactions

pytestmark = pytest.mark.integration


def test_sandbox_run_on_the_embedded_model(sample: pl.DataFrame) -> None:
    two = sample.filter(pl.col("dialect") == "gyeongsang").head(1).vstack(
        sample.filter(pl.col("dialect") == "seoul_gyeonggi").head(1))
    with open_llm("local", use_cache=False, max_calls=12) as llm:
        assistants = [LLMAssistant("llm-plain", llm, max_tokens=48),
                      LLMAssistant("llm-persona", llm, persona_aware_prompt, max_tokens=48)]
        run = run_sandbox(two, assistants, RunConfig(seed=1, reactions=Reactions(max_turns=1)))
        calls = llm.usage.calls
    assert run.results.height == 4
    assert calls == int(run.results["calls"].sum())  # every turn was one real call
    assert all(c.messages[1]["content"] for c in run.conversations)  # the model answered
    persona_systems = {persona_aware_prompt(c.profile) for c in run.conversations}
    assert len(persona_systems) == 2  # the persona-aware prompt differs per persona
    card = scorecard(run.results, n_boot=200)
    overall = card.filter(pl.col("segment") == "all")
    assert set(overall["metric"]) == {m.column for m in METRICS if not m.column.startswith(
        "judge_")}
    assert overall.filter(pl.col("metric") == "satisfaction")["mean"].is_between(0, 10).all()
