"""Benchmark: the two embedded models (SmolLM2-135M-Instruct, Gemma 3 270M) on the same
narrative prompts: Hangul share, Korean-ness, speech-level adherence judged by the persona
classifier, contradiction rate and tokens per second.

Needs a population folder (``synthsoc populate --scale 0.001 --out DIR``) and the llm extra.
Both models get the same few-shot prompts (one worked example, then the persona's facts), one
request at a time, temperature 0.7, the same seeds, no cache. Prints a table and writes
``bench/results/embedded_models.json``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import polars as pl

from synthsoc.atomic import write_json
from synthsoc.persona import check_narrative, narrative_facts, write_personas
from synthsoc.persona.build import PERSONAS_FILE
from synthsoc.persona.narratives import (
    build_narrative_requests,
    first_paragraph,
    narrative_level,
)
from synthsoc.persona.speech import classify_text, hangul_share, language_problems
from synthsoc.synth import load_population

RESULTS = Path(__file__).resolve().parent / "results" / "embedded_models.json"
MODELS = ("smollm2", "gemma3")


def _score(texts: list[str], facts: pl.DataFrame, tokens: int, seconds: float,
           model: str, name: str) -> dict[str, object]:
    rows = list(facts.iter_rows(named=True))
    korean = [not language_problems(t) for t in texts]
    adherent = []
    contradicted = []
    for text, f in zip(texts, rows, strict=True):
        speech = classify_text(text)
        adherent.append(speech.level is narrative_level(f) and not speech.level_switches)
        problems = [p for p in check_narrative(text, f) if not p.startswith("language:")]
        contradicted.append(bool(problems))
    n = len(texts)
    return {
        "model": model, "name": name, "narratives": n,
        "hangul_share_mean": round(sum(hangul_share(t) for t in texts) / n, 3),
        "korean_share": round(sum(korean) / n, 3),
        "register_adherence": round(sum(adherent) / n, 3),
        "contradiction_rate": round(sum(contradicted) / n, 3),
        "completion_tokens": tokens, "seconds": round(seconds, 1),
        "tokens_per_s": round(tokens / seconds, 1) if seconds else None,
        "examples": texts[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--population", type=Path, required=True)
    parser.add_argument("--n", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    args = parser.parse_args()

    from synthsoc.llm import LLMRequest, open_llm

    if not (args.population / PERSONAS_FILE).is_file():
        write_personas(args.population, args.seed)
    population = load_population(args.population)
    facts = narrative_facts(population, pl.scan_parquet(args.population / PERSONAS_FILE),
                            args.n, args.seed)
    prompts = build_narrative_requests(facts, few_shot=True)
    rows = []
    for model in args.models:
        os.environ["SYNTHSOC_LLM_LOCAL_MODEL"] = model
        with open_llm("local", use_cache=False) as llm:
            texts, tokens, seconds = [], 0, 0.0
            for i, p in enumerate(prompts):
                request = LLMRequest(prompt=p.prompt, system=p.system,
                                     max_tokens=args.max_tokens, seed=args.seed + i)
                start = time.perf_counter()
                response = llm.complete(request)
                seconds += time.perf_counter() - start
                tokens += response.completion_tokens
                texts.append(first_paragraph(response.text))
            rows.append(_score(texts, facts, tokens, seconds, model, llm.name))
    print(f"{'model':<10} {'Hangul':>7} {'Korean':>7} {'register':>9} {'contra.':>8} "
          f"{'tok/s':>7}")
    for r in rows:
        print(f"{r['model']:<10} {r['hangul_share_mean']:>7} {r['korean_share']:>7} "
              f"{r['register_adherence']:>9} {r['contradiction_rate']:>8} {r['tokens_per_s']:>7}")
    speed = {r["model"]: r["tokens_per_s"] for r in rows}
    ratio = (speed["gemma3"] / speed["smollm2"]  # type: ignore[operator]
             if speed.get("gemma3") and speed.get("smollm2") else float("nan"))
    print(f"gemma3 / smollm2 tokens per second: {ratio:.2f}")
    write_json(args.out, {"machine": "2 shared CPU cores, 1 llama.cpp thread", "n": args.n,
                          "max_tokens": args.max_tokens, "seed": args.seed, "models": rows,
                          "speed_ratio_gemma3_over_smollm2": round(ratio, 2)})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
