"""The LLM engine against the real embedded model (llama.cpp server + SmolLM2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthsoc.survey import LLMEngine, parse_questionnaire, run_survey
from synthsoc.synth import load_population


@pytest.mark.integration
def test_llm_engine_with_embedded_model(population_dir: Path, tmp_path: Path) -> None:
    from synthsoc.llm import open_llm

    q = parse_questionnaire(
        {
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
    )
    with open_llm("local", cache_dir=tmp_path / "cache") as llm:
        engine = LLMEngine(llm, sample_size=2, max_tokens=160)
        result = run_survey(q, load_population(population_dir), engine, seed=0)
    assert result.diagnostics["sample_size"] == 2
    answered = 2 - result.diagnostics["non_response"]["like"]
    assert answered >= 1  # constrained output: the small model's answers parse
    overall = [r for r in result.rows if r["segment"] == "all"]
    assert sum(r["share"] for r in overall) == pytest.approx(1.0)
