"""Benchmark: what the per-user LLM budget costs a job, and how long the fit map takes.

1. budget: ``--calls`` calls of a scripted model (no network, no model: the wrapper's own cost)
   through the client stack ``open_llm`` builds, three ways in one run: no budget (the peer),
   the in-process :class:`synthsoc.llm.BudgetedLLM` (``max_calls``), and the server's per-user
   counter (:mod:`synthsoc.llm.host_budget`: a locked JSON file, two locked updates per call);
   microseconds per call and the ratio to the peer;
2. fit map: :func:`synthsoc.service.populations.fit_map` on ``--population`` by si-gun-gu and
   by si-do (TVD with its 200-sample sampling reference, and the total's relative error).

Prints a table and writes ``bench/results/service_budget.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from synthsoc.llm import LLMBase, LLMRequest, LLMResponse, Usage, stack_llm
from synthsoc.llm.host_budget import host_budget

RESULTS = Path(__file__).resolve().parent / "results" / "service_budget.json"


class Instant(LLMBase):
    """Answers at once (the cost measured is the wrappers')."""

    name = "bench:instant"
    endpoint = "bench://instant"

    @property
    def usage(self) -> Usage:
        return Usage()

    def complete(self, request: LLMRequest) -> LLMResponse:
        return LLMResponse(text="A", data=None, prompt_tokens=10, completion_tokens=1,
                           cached=False, latency_s=0.0)


def _per_call_us(llm: LLMBase, calls: int) -> float:
    request = LLMRequest(prompt="가나다라마바사", max_tokens=4)
    started = time.perf_counter()
    for _ in range(calls):
        llm.complete(request)
    return (time.perf_counter() - started) / calls * 1e6


def bench_budget(calls: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        ways = {
            "no budget (peer)": stack_llm(Instant()),
            "in-process max_calls": stack_llm(Instant(), max_calls=calls + 1),
            "per-user counter file": stack_llm(Instant(), host=host_budget(
                Path(tmp) / "llm_calls.json", calls + 1)),
        }
        out = {name: _per_call_us(llm, calls) for name, llm in ways.items()}
    peer = out["no budget (peer)"]
    return {name: {"us_per_call": us, "ratio_to_peer": us / peer} for name, us in out.items()}


def bench_fit_map(folder: Path) -> dict[str, Any]:
    from synthsoc.service import populations

    started = time.perf_counter()
    loaded = populations.PopulationCache().get(folder)
    load_s = time.perf_counter() - started
    out: dict[str, Any] = {"load_s": load_s, "persons": loaded.population.n_persons}
    for level, metric in (("sigungu", "age_sex_tvd"), ("sido", "total_error")):
        started = time.perf_counter()
        answer = populations.fit_map(loaded, level, metric)  # type: ignore[arg-type]
        out[f"{level}/{metric}"] = {"seconds": time.perf_counter() - started,
                                    "areas": len(answer["areas"])}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--population", type=Path, default=None)
    args = parser.parse_args()
    result: dict[str, Any] = {
        "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, python {sys.version.split()[0]}",
        "load_average": os.getloadavg(),
        "calls": args.calls,
        "budget": bench_budget(args.calls),
    }
    print(f"{'client stack':<26} {'us/call':>10} {'x peer':>8}")
    for name, row in result["budget"].items():
        print(f"{name:<26} {row['us_per_call']:>10.1f} {row['ratio_to_peer']:>8.2f}")
    if args.population is not None:
        result["fit_map"] = bench_fit_map(args.population)
        fit = result["fit_map"]
        print(f"fit map on {args.population} ({fit['persons']:,} persons; "
              f"load {fit['load_s']:.2f} s)")
        for key, row in fit.items():
            if isinstance(row, dict):
                print(f"  {key:<24} {row['seconds']:>7.2f} s  {row['areas']} areas")
    result["load_average_end"] = os.getloadavg()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"-> {RESULTS}")


if __name__ == "__main__":
    main()
