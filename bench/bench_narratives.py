"""Benchmark: persona narratives per minute with the embedded model at 1, 4 and 8 concurrent
requests, beside the offline Korean templates.

Needs a population folder (``synthsoc populate --scale 0.001 --out DIR``) and the LLM layer
(``synthsoc.llm`` with the embedded llama.cpp model). Every concurrency level uses a fresh
cache folder, so no answer is served from cache. Prints a table and writes
``bench/results/narratives.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from synthsoc.persona import generate_narratives, narrative_facts, write_personas
from synthsoc.persona.build import PERSONAS_FILE
from synthsoc.persona.narratives import NarrativePrompt
from synthsoc.synth import load_population

RESULTS = Path(__file__).resolve().parent / "results" / "narratives.json"


def _row(label: str, result: pl.DataFrame, seconds: float, calls: int) -> dict[str, object]:
    return {
        "writer": label,
        "narratives": result.height,
        "seconds": round(seconds, 2),
        "narratives_per_min": round(result.height / seconds * 60.0, 1),
        "llm_calls": calls,
        "with_contradictions": int((result["n_contradictions"] > 0).sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--population", type=Path, required=True)
    parser.add_argument("--n", type=int, default=16, help="narratives per concurrency level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    from synthsoc.llm import LLMRequest, open_llm

    if not (args.population / PERSONAS_FILE).is_file():
        write_personas(args.population, args.seed)
    population = load_population(args.population)
    facts = narrative_facts(
        population, pl.scan_parquet(args.population / PERSONAS_FILE), args.n, args.seed
    )
    rows: list[dict[str, object]] = []
    start = time.perf_counter()
    templates = generate_narratives(facts, args.seed)
    rows.append(_row("template (offline)", templates, time.perf_counter() - start, 0))

    for concurrency in args.concurrency:
        with (
            tempfile.TemporaryDirectory() as cache,
            open_llm("local", cache_dir=Path(cache)) as llm,
        ):

            def generate(prompts: Sequence[NarrativePrompt], c: int = concurrency) -> list[str]:
                requests = [
                    LLMRequest(prompt=p.prompt, system=p.system, max_tokens=400, seed=args.seed)
                    for p in prompts
                ]
                return [r.text for r in llm.complete_many(requests, concurrency=c)]

            start = time.perf_counter()
            result = generate_narratives(
                facts, args.seed, generate=generate, source=llm.name, regenerate=False
            )
            seconds = time.perf_counter() - start
            rows.append(_row(f"{llm.name}, concurrency {concurrency}", result, seconds,
                             llm.usage.calls))

    report = {
        "rows": rows,
        "machine": f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "note": "no regeneration; each level with an empty cache",
    }
    print(f"{'writer':<50} {'n':>4} {'s':>8} {'per min':>8} {'calls':>6} {'contra':>6}")
    for r in rows:
        print(f"{r['writer']!s:<50} {r['narratives']!s:>4} {r['seconds']!s:>8} "
              f"{r['narratives_per_min']!s:>8} {r['llm_calls']!s:>6} "
              f"{r['with_contradictions']!s:>6}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
