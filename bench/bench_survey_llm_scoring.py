"""Calls and wall time per 100 LLM respondents: one sampled JSON answer vs token log-probabilities.

Personas from a population folder answer the concept test's first Likert question through the
embedded SmolLM2-135M (llama.cpp server, started with logits_all so it returns log-probabilities).
`sample` asks one JSON answer with a reason per persona (one draw each); `logprobs+reason` asks
one call per persona that reads the whole answer distribution from the first token's
log-probabilities and then writes a short reason (the engine's default, reason_tokens=60);
`logprobs` is the same call with the label only (reason_tokens=0). All are timed on the same
server in the same run; figures are scaled to 100 respondents (say so when fewer were run).
Prints a table and writes bench/results/survey_llm_scoring.json.

    PYTHONPATH=src python bench/bench_survey_llm_scoring.py POPULATION_DIR [N_SAMPLE] [N_LOGPROBS]
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
    population = load_population(Path(sys.argv[1]))
    n_sample = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    n_logprobs = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    full = load_questionnaire(concept_test_files()[0])
    likert = next(q for q in full.questions if q.type == "likert")
    questionnaire = Questionnaire(full.id, full.title, (likert,), ("age_group",), full.min_age)
    rows = []
    with open_llm("local", use_cache=False, logprobs=True) as llm:
        model = llm.name
        modes = (
            ("logprobs+reason", "logprobs", 60, n_logprobs),
            ("logprobs", "logprobs", 0, n_logprobs),
            ("sample", "sample", 0, n_sample),
        )
        for mode, scoring, reason_tokens, n in modes:
            calls_before = llm.usage.calls
            tokens_before = llm.usage.prompt_tokens + llm.usage.completion_tokens
            started = time.perf_counter()
            result = run_survey(
                questionnaire,
                population,
                LLMEngine(
                    llm,
                    sample_size=n,
                    scoring=scoring,
                    reason_tokens=reason_tokens,
                    concurrency=1,
                ),
                seed=0,
            )
            seconds = time.perf_counter() - started
            calls = llm.usage.calls - calls_before
            tokens = llm.usage.prompt_tokens + llm.usage.completion_tokens - tokens_before
            overall = {r["category"]: r["share"] for r in result.rows if r["segment"] == "all"}
            row = {
                "scoring": mode,
                "personas": n,
                "calls": calls,
                "tokens": tokens,
                "seconds": round(seconds, 1),
                "calls_per_100": round(100 * calls / n, 1),
                "seconds_per_100": round(100 * seconds / n, 1),
                "extrapolated": n != 100,
                "non_response": result.diagnostics["non_response"][likert.id],
                "mean_probability_on_options": result.diagnostics.get(
                    "mean_probability_on_options", {}
                ).get(likert.id),
                "overall_shares": overall,
                "reasons_kept": sum(1 for v in result.verbatims if v["reason"]),
                "example_reasons": [v["reason"] for v in result.verbatims if v["reason"]][:3],
            }
            rows.append(row)
            print(
                f"{mode:15} personas={n:4} calls={calls:4} tokens={tokens:7} "
                f"{seconds:7.1f}s -> per 100: {row['calls_per_100']} calls, "
                f"{row['seconds_per_100']} s{' (extrapolated)' if row['extrapolated'] else ''}; "
                f"non-response {row['non_response']}; shares {overall}",
                flush=True,
            )
            _write(rows, model)  # after each mode: an interrupted run keeps what it measured


def _write(rows: list[dict[str, object]], model: str) -> None:
    per_100 = {str(r["scoring"]): float(r["seconds_per_100"]) for r in rows}  # type: ignore[arg-type]
    base = per_100.get("logprobs+reason")
    ratios = {
        f"{mode}_over_logprobs+reason": round(per_100[mode] / max(base, 1e-9), 2)
        for mode in ("logprobs", "sample")
        if mode in per_100 and base is not None
    }
    for name, value in ratios.items():
        print(f"time ratio {name}: {value:.2f}")
    out = Path(__file__).resolve().parent / "results" / "survey_llm_scoring.json"
    payload = {
        "benchmark": "LLM respondents: sampled JSON answer vs token log-probabilities",
        "model": model,
        "rows": rows,
        "time_ratios_per_respondent": ratios,
        "machine": (
            f"{platform.machine()} {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
        ),
        "date": time.strftime("%Y-%m-%d"),
    }
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
