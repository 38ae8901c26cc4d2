"""Raw completions per minute of the embedded model at 1, 4 and 8 concurrent requests.

The embedded backend is llama-cpp-python's OpenAI-compatible server (SmolLM2-135M-Instruct
GGUF Q4_1, n_ctx 2048, one CPU thread; one extra row with two threads). That server has no
parallel decoding slots (no ``n_parallel`` option: one model instance behind a lock), so
concurrent requests queue; the figure shows what concurrency does on this backend. The cache is
off and every request has its own seed.

Usage: PYTHONPATH=src python bench/bench_llm_throughput.py [--requests 16] [--max-tokens 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from synthsoc.atomic import write_json
from synthsoc.llm import LLMBase, LLMRequest, open_llm

SYSTEM = "당신은 한국 사회를 잘 아는 작가입니다. 자연스러운 한국어로 답하세요."
PROMPT = (
    "다음 인물의 하루를 세 문장의 짧은 이야기로 써 주세요. 인물: 대구 수성구에 사는 47세 "
    "여성, 고등학교 국어 교사, 기혼, 자녀 둘, 아침에는 지하철로 출근하고 저녁에는 시장에 들른다."
)

HEADERS = (
    "threads",
    "conc.",
    "requests",
    "wall s",
    "compl./min",
    "tok/s",
    "tok/compl.",
    "median s",
)


def measure(llm: LLMBase, requests: int, max_tokens: int, concurrency: int) -> dict[str, float]:
    batch = [
        LLMRequest(prompt=PROMPT, system=SYSTEM, max_tokens=max_tokens, temperature=0.7, seed=i)
        for i in range(requests)
    ]
    started = time.perf_counter()
    answers = llm.complete_many(batch, concurrency=concurrency)
    wall = time.perf_counter() - started
    tokens = sum(a.completion_tokens for a in answers)
    return {
        "concurrency": concurrency,
        "requests": requests,
        "wall_s": round(wall, 2),
        "completions_per_min": round(60 * requests / wall, 1),
        "completion_tokens_per_s": round(tokens / wall, 1),
        "mean_completion_tokens": round(tokens / requests, 1),
        "median_latency_s": round(statistics.median(a.latency_s for a in answers), 2),
    }


def run(threads: int, requests: int, max_tokens: int, levels: list[int]) -> list[dict[str, float]]:
    """Rows for each concurrency level, with the server on ``threads`` CPU threads."""
    os.environ["SYNTHSOC_LLM_LOCAL_N_THREADS"] = str(threads)
    with open_llm("local", use_cache=False) as llm:
        llm.complete(LLMRequest(prompt="안녕", max_tokens=4))  # warm-up
        return [
            {"n_threads": threads, **measure(llm, requests, max_tokens, level)} for level in levels
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=16, help="Completions per level.")
    parser.add_argument("--max-tokens", type=int, default=100)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument(
        "--compare-threads",
        type=int,
        default=2,
        help="Also time this many server threads at concurrency 1 (half the requests); 0: skip.",
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results/llm_throughput.json"))
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows = run(1, args.requests, args.max_tokens, args.levels)
    if args.compare_threads:
        rows += run(args.compare_threads, max(1, args.requests // 2), args.max_tokens, [1])
    load_after = os.getloadavg()[0]

    table = Table(title="Embedded model (SmolLM2-135M-Instruct, llama-cpp-python server)")
    for column in HEADERS:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(str(value) for value in row.values()))
    Console(width=110).print(table)
    write_json(
        args.out,
        {
            "benchmark": "llm_throughput",
            "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "platform": platform.platform(),
                "cpu_count": os.cpu_count(),
                "load_average_1min_before": round(load_before, 2),
                "load_average_1min_after": round(load_after, 2),
            },
            "backend": "llama-cpp-python 0.3.36 server, n_ctx 2048, no parallel slots",
            "max_tokens": args.max_tokens,
            "rows": rows,
        },
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
