"""Response style of the embedded LLM as survey respondents (midpoint drift, variance collapse).

Personas sampled from a population folder answer the two Likert questions of the concept test
through `synthsoc.llm` (default: the embedded SmolLM2-135M). Prints the diagnostics of
`synthsoc.survey.diagnostics.response_style` (basis: a uniform spread over the scale, since the
concept test has no real reference) and writes bench/results/survey_llm_style.json.

    PYTHONPATH=src python bench/bench_survey_llm_style.py POPULATION_DIR [N_PERSONAS]
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

from synthsoc.llm import open_llm
from synthsoc.survey import LLMEngine, load_questionnaire, run_survey
from synthsoc.survey.concept_test import concept_test_files
from synthsoc.survey.questionnaire import Questionnaire
from synthsoc.synth import load_population


def main() -> None:
    population = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    full = load_questionnaire(concept_test_files()[0])
    likert = tuple(q for q in full.questions if q.type == "likert")
    questionnaire = Questionnaire(full.id, full.title, likert, ("age_group",), full.min_age)
    started = time.perf_counter()
    with open_llm("local", use_cache=False) as llm:
        result = run_survey(
            questionnaire, load_population(population), LLMEngine(llm, sample_size=n), seed=0
        )
        model = llm.name
    seconds = time.perf_counter() - started
    styles = result.diagnostics["response_style"]
    for qid, style in styles.items():
        print(
            f"{qid}: shares={style['shares']} midpoint={style['midpoint_share']} "
            f"variance_ratio={style['variance_ratio']} top={style['top_share']} "
            f"drift={style['midpoint_drift']} collapse={style['variance_collapse']}"
        )
    print(f"non-response: {result.diagnostics['non_response']}; {seconds:.0f} s")
    out = Path(__file__).resolve().parent / "results" / "survey_llm_style.json"
    payload = {
        "benchmark": "LLM respondents' response style on the concept test Likert questions",
        "model": model,
        "personas": n,
        "non_response": result.diagnostics["non_response"],
        "response_style": styles,
        "seconds": round(seconds, 1),
        "machine": (
            f"{platform.machine()} {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f}"
        ),
        "date": time.strftime("%Y-%m-%d"),
    }
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
