"""LLM fan-out (issue 13): completions per minute from one embedded model server against a pool
of two (``synthsoc.llm.pool.EndpointPool``), same requests, cache off.

Each server is the embedded llama-cpp-python server (SmolLM2-135M-Instruct, one thread, no
parallel slots: concurrent requests to one server queue behind its lock). The pool gives each
endpoint a concurrency limit of 2 and the batch runs with 4 in flight, so one server sees at most
2 at once either way. On a 2-core machine the two servers compete for the same cores, so the
figure bounds what a pool gains here; on a cluster each server has its own machine.

Usage: PYTHONPATH=src python bench/bench_llm_fanout.py [--requests 16] [--max-tokens 48]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from synthsoc.atomic import write_json
from synthsoc.llm import LLMRequest
from synthsoc.llm.embedded_server import CHAT_FORMATS, EmbeddedServer, find_embedded_model
from synthsoc.llm.pool import EndpointConfig, EndpointPool

HERE = Path(__file__).resolve().parent
SYSTEM = "당신은 한국 사회를 잘 아는 작가입니다. 자연스러운 한국어로 답하세요."
PROMPT = "서울에 사는 30대 회사원의 아침을 두 문장으로 써 주세요."


def measure(pool: EndpointPool, requests: int, max_tokens: int) -> dict[str, Any]:
    batch = [LLMRequest(prompt=PROMPT, system=SYSTEM, max_tokens=max_tokens, seed=i)
             for i in range(requests)]
    t0 = time.perf_counter()
    answers = pool.complete_many(batch, concurrency=4)
    wall = time.perf_counter() - t0
    tokens = sum(a.completion_tokens for a in answers)
    return {"requests": requests, "wall_s": round(wall, 2),
            "completions_per_min": round(60 * requests / wall, 1),
            "tokens_per_s": round(tokens / wall, 1),
            "calls_per_endpoint": [h["calls"] for h in pool.health()]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "llm_fanout.json")
    args = parser.parse_args()
    model = find_embedded_model("smollm2")
    name = model.name.removesuffix(".gguf")
    rows = []
    with ExitStack() as stack:
        servers = [
            stack.enter_context(EmbeddedServer(model, alias=name, n_threads=1,
                                               chat_format=CHAT_FORMATS.get("smollm2")))
            for _ in range(2)
        ]
        for n in (1, 2, 1, 2):  # interleaved, so a change of machine load hits both
            pool = EndpointPool([EndpointConfig(s.base_url, 2) for s in servers[:n]],
                                model=name, name=f"local:{name}", response_format="json_object")
            row = measure(pool, args.requests, args.max_tokens)
            pool.close()
            rows.append({"servers": n, **row})
    table = Table(title="LLM fan-out: one embedded server vs a pool of two")
    for col in ("servers", "requests", "wall s", "compl./min", "tok/s", "calls per endpoint"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["servers"]), str(r["requests"]), f"{r['wall_s']:.2f}",
                      f"{r['completions_per_min']:.1f}", f"{r['tokens_per_s']:.1f}",
                      str(r["calls_per_endpoint"]))
    Console().print(table)
    write_json(args.out, {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared with other jobs",
        "load_average": os.getloadavg(), "model": name, "max_tokens": args.max_tokens,
        "rows": rows,
    })


if __name__ == "__main__":
    main()
