"""Seconds per agent-bank call with the embedded server: the old call order against prefix order.

The same requests (one respondent's 10 held-out items, as the generative agent and as the
demographics-only agent, scored by log-probabilities) are sent to the real embedded
llama-cpp-python server in two orders, with no replay cache:

* ``item``: as ``bench_agent_bank.py`` sent them before: item by item, the demographics-only
  prompt then the agent's prompt (consecutive prompts share the system prompt and the sketch);
* ``prefix``: :func:`synthsoc.agents.bank.ask_bank_items`, i.e. the respondent's requests sorted
  by prompt, so that the ten sketch-only prompts run back to back and the agent's prompts that
  open with the same retrieved answers follow each other.

llama-cpp-python's server keeps one context and evaluates only what follows the longest common
token prefix with the previous prompt (``Llama.generate``), so the order changes the cost and
never the answer: the script checks that both orders give the same distributions. The two
orders alternate per respondent (A: item then prefix, B: prefix then item) so that a change of
machine load hits both.

Usage: PYTHONPATH=src python bench/bench_agent_bank_order.py [--respondents 2] [--skip 8]
       [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from synthsoc.agents import E5Embedder
from synthsoc.agents.bank import (
    HELD_OUT_ITEMS,
    BankAgent,
    BankAnswers,
    ask_bank,
    ask_bank_items,
    build_agents,
    load_bank,
)
from synthsoc.agents.bank_eval import split_bank
from synthsoc.atomic import write_json
from synthsoc.llm import LLM, open_llm

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "agent_bank_order.json"
MODES = (False, True)  # demographics-only agent, generative agent


def item_order(agent: BankAgent, bank: Any, llm: LLM, embedder: E5Embedder,
               ) -> dict[tuple[bool, str], BankAnswers]:
    out = {}
    for item in HELD_OUT_ITEMS:
        for memories in MODES:
            out[memories, item] = ask_bank([agent], bank.item(item), llm, embedder,
                                           with_memories=memories, scoring="logprobs")
    return out


def prefix_order(agent: BankAgent, bank: Any, llm: LLM, embedder: E5Embedder,
                 ) -> dict[tuple[bool, str], BankAnswers]:
    out = {}
    items = [bank.item(i) for i in HELD_OUT_ITEMS]
    for memories in MODES:
        for answers in ask_bank_items([agent], items, llm, embedder, with_memories=memories,
                                      scoring="logprobs"):
            out[memories, answers.item] = answers
    return out


def load() -> float:
    return os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=2)
    parser.add_argument("--skip", type=int, default=8,
                        help="test respondents to skip (the first ones are in other runs)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    bank = load_bank()
    test = split_bank(bank, 0.25, args.seed).test[args.skip: args.skip + args.respondents]
    embedder = E5Embedder()
    agents = build_agents(bank, test, embedder)
    runs: list[dict[str, Any]] = []
    largest_difference, differing = 0.0, 0
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    with open_llm("local", use_cache=False, logprobs=True) as llm:
        for n, agent in enumerate(agents):
            orders = (("item", item_order), ("prefix", prefix_order))
            found: dict[str, dict[tuple[bool, str], BankAnswers]] = {}
            for name, run in orders if n % 2 == 0 else orders[::-1]:
                calls, tokens, load_before = llm.usage.calls, llm.usage.prompt_tokens, load()
                started = time.perf_counter()
                found[name] = run(agent, bank, llm, embedder)
                wall = time.perf_counter() - started
                made = llm.usage.calls - calls
                runs.append({"respondent": agent.respondent.respid, "order": name,
                             "calls": made, "prompt_tokens": llm.usage.prompt_tokens - tokens,
                             "wall_s": wall, "s_per_call": wall / made,
                             "load_before": load_before, "load_after": load()})
                Console().print(runs[-1])
            for key, answers in found["item"].items():
                other = found["prefix"][key]
                differing += answers.codes != other.codes
                for a, b in zip(answers.distributions or (), other.distributions or (),
                                strict=True):
                    if a is not None and b is not None:
                        largest_difference = max(largest_difference,
                                                 *(abs(a[c] - b[c]) for c in a))
        model = llm.name
    summary = {}
    for name in ("item", "prefix"):
        mine = [r for r in runs if r["order"] == name]
        calls = sum(r["calls"] for r in mine)
        summary[name] = {"calls": calls, "wall_s": sum(r["wall_s"] for r in mine),
                         "s_per_call": sum(r["wall_s"] for r in mine) / calls}
    result = {
        "started": started_at, "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared with other jobs)",
        "model": model, "server": "llama-cpp-python (embedded), logits_all for log-probabilities",
        "respondents": [a.respondent.respid for a in agents], "runs": runs, "summary": summary,
        "speedup": summary["item"]["s_per_call"] / summary["prefix"]["s_per_call"],
        "answers_differing_between_orders": differing,
        "largest_probability_difference": largest_difference,
    }
    write_json(args.out, result)
    Console().print(summary, f"speed-up {result['speedup']:.2f}x; {differing} answers differ; "
                    f"largest probability difference {largest_difference:.2e}", f"-> {args.out}")


if __name__ == "__main__":
    main()
