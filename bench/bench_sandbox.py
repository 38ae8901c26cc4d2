"""Sandbox throughput: personas evaluated per minute and calls per persona.

Three rows on the same sample: the five scripted assistants (the sandbox's own cost: rendering,
classifying and scoring, no model), and the embedded model (SmolLM2-135M-Instruct through the
llama-cpp-python server) with the plain and with the persona-aware system prompt. The peer in
the same run is the model itself: the share of the LLM rows' wall time spent waiting on
completions (sum of response latencies / wall time); the rest is sandbox overhead.

Usage: PYTHONPATH=src python bench/bench_sandbox.py POPULATION [--personas 4] [--max-tokens 48]
       [--max-turns 2] [--skip-llm]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from synthsoc.atomic import write_json
from synthsoc.llm import LLM, LLMRequest, LLMResponse, Usage, open_llm
from synthsoc.sandbox import (
    SCRIPTED,
    Assistant,
    LLMAssistant,
    RunConfig,
    SampleSpec,
    load_users,
    persona_aware_prompt,
    run_sandbox,
    sample_users,
)
from synthsoc.sandbox.user import Reactions


@dataclass
class TimedLLM:
    """Sums the latency of every completion of ``inner`` (the peer figure)."""

    inner: LLM
    latency_s: float = 0.0
    name: str = field(init=False)

    def __post_init__(self) -> None:
        self.name = self.inner.name

    def complete(self, request: LLMRequest) -> LLMResponse:
        response = self.inner.complete(request)
        self.latency_s += response.latency_s
        return response

    def complete_many(self, requests: Sequence[LLMRequest],
                      concurrency: int = 4) -> list[LLMResponse]:
        return [self.complete(r) for r in requests]

    @property
    def usage(self) -> Usage:
        return self.inner.usage


def measure(label: str, sample: pl.DataFrame, assistants: list[Assistant], config: RunConfig,
            timed: TimedLLM | None = None) -> dict[str, object]:
    started = time.perf_counter()
    run = run_sandbox(sample, assistants, config)
    wall = time.perf_counter() - started
    evaluated = run.results.height  # persona x assistant evaluations
    calls = int(run.results["calls"].sum())
    return {
        "row": label, "assistants": len(assistants), "personas": sample.height,
        "evaluations": evaluated, "wall_s": round(wall, 2),
        "evaluations_per_min": round(60 * evaluated / wall, 1),
        "calls_per_evaluation": round(calls / evaluated, 2),
        "llm_time_share": round(timed.latency_s / wall, 3) if timed else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("population", type=Path)
    parser.add_argument("--personas", type=int, default=4, help="Personas in the LLM rows.")
    parser.add_argument("--scripted-per-stratum", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--max-turns", type=int, default=2)
    parser.add_argument("--skip-llm", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("bench/results/sandbox.json"))
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    users = load_users(args.population)
    config = RunConfig(seed=1, reactions=Reactions(max_turns=args.max_turns))
    scripted_sample = sample_users(users, SampleSpec(args.scripted_per_stratum, seed=1))
    rows = [measure("scripted x5", scripted_sample, [c() for c in SCRIPTED.values()], config)]
    if not args.skip_llm:
        small = sample_users(users, SampleSpec(1, ("dialect",), seed=1)).head(args.personas)
        with open_llm("local", use_cache=False) as llm:
            llm.complete(LLMRequest(prompt="안녕", max_tokens=4))  # warm-up
            for label, prompt in (("embedded, plain prompt", None),
                                  ("embedded, persona-aware", persona_aware_prompt)):
                timed = TimedLLM(llm)
                assistant = (LLMAssistant(label, timed, max_tokens=args.max_tokens)
                             if prompt is None else
                             LLMAssistant(label, timed, prompt, max_tokens=args.max_tokens))
                rows.append(measure(label, small, [assistant], config, timed))
    load_after = os.getloadavg()[0]
    table = Table(title="Sandbox throughput (evaluation = one persona x one assistant)")
    for column in rows[0]:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    Console(width=140).print(table)
    write_json(args.out, {
        "benchmark": "sandbox",
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                    "load_average_1min_before": round(load_before, 2),
                    "load_average_1min_after": round(load_after, 2)},
        "population": str(args.population), "max_tokens": args.max_tokens,
        "max_turns": args.max_turns, "rows": rows,
    })
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
