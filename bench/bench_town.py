"""Cost of the town: model requests, tokens and wall time per agent per game hour with the
embedded model (SmolLM2-135M through llama.cpp, one thread), a replay of the same run from the
cache, and memory growth over several game days; beside Smallville's published figures.

Part 1 runs ``--agents`` residents of one dong for ``--hours`` game hours from 17:00 on day 0
(the evening, when people are home and the 18:00 gathering is on) with a fresh cache, then
replays it. Part 2 runs the same town for ``--days`` game days with judgments by rule (no
model; memory content and growth do not depend on which judge runs) and real e5 embeddings.

Usage: PYTHONPATH=src python bench/bench_town.py [--population DIR] [--emd 평창동]
       [--agents 6] [--hours 2] [--days 3]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from synthsoc.agents import (
    E5Embedder,
    LLMJudge,
    RuleJudge,
    Town,
    TownParams,
    load_neighbourhood,
    save_checkpoint,
)
from synthsoc.atomic import write_json
from synthsoc.llm import open_llm

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "town.json"


def smallville() -> dict[str, float]:
    with (HERE / "data" / "smallville_costs.csv").open(encoding="utf-8") as handle:
        rows = {r["quantity"]: float(r["value"]) for r in csv.DictReader(
            line for line in handle if not line.startswith("#"))}
    hours = rows["steps"] * rows["seconds_per_step"] / 3600.0
    agent_hours = rows["agents"] * hours
    return {"agents": rows["agents"], "game_hours": hours, "requests": rows["requests"],
            "tokens": rows["tokens"], "requests_per_agent_hour": rows["requests"] / agent_hours,
            "tokens_per_agent_hour": rows["tokens"] / agent_hours}


def population(folder: Path | None, work: Path) -> Path:
    if folder is not None:
        return folder
    from synthsoc.persona import write_personas
    from synthsoc.synth.populate import populate

    out = work / "pop"
    populate(out, scale=0.01, seed=1, region="종로구", progress=False, html=False)
    write_personas(out, 1)
    return out


def embedded_run(pop: Path, emd: str, agents: int, hours: float, cache: Path) -> dict[str, Any]:
    hood = load_neighbourhood(pop, emd, agents, seed=1)
    params = TownParams(emd=emd, n_agents=agents, seed=1, start_minute=17 * 60)
    embedder = E5Embedder()
    out: dict[str, Any] = {}
    for label in ("first run", "replay"):
        with open_llm("local", cache_dir=cache) as llm:
            town = Town(params, hood, embedder, LLMJudge(llm))
            started = time.perf_counter()
            town.run_until(town.minute + round(hours * 60))
            wall = time.perf_counter() - started
            usage = llm.usage
        agent_hours = town.agent_hours()
        summary = town.summary()
        out[label] = {
            "agents": len(town.ids), "game_hours": hours, "agent_hours": agent_hours,
            "judgments": summary["judgment_requests"], "model_calls": usage.calls,
            "cache_hits": usage.cache_hits, "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens, "wall_s": wall,
            "judgments_per_agent_hour": summary["judgment_requests"] / agent_hours,
            "calls_per_agent_hour": usage.calls / agent_hours,
            "tokens_per_agent_hour": (usage.prompt_tokens + usage.completion_tokens)
            / agent_hours,
            "wall_s_per_agent_hour": wall / agent_hours,
            "judgment_failures": summary["judgment_failures"],
            "model_lines": summary["model_lines"], "line_fallbacks": summary["line_fallbacks"],
            "heard": summary["heard"], "came": summary["came"],
        }
    return out


def memory_growth(pop: Path, emd: str, agents: int, days: int, work: Path) -> list[dict[str, Any]]:
    hood = load_neighbourhood(pop, emd, agents, seed=1)
    town = Town(TownParams(emd=emd, n_agents=agents, seed=1, start_minute=0), hood,
                E5Embedder(), RuleJudge())
    rows = []
    for day in range(days):
        started = time.perf_counter()
        town.run_until((day + 1) * 1440)
        wall = time.perf_counter() - started
        save_checkpoint(town, work / "growth")
        size = sum(p.stat().st_size for p in (work / "growth").iterdir())
        counts = [len(s) for s in town.streams.values()]
        rows.append({"day": day, "memories": sum(counts), "max_per_agent": max(counts),
                     "per_agent": sum(counts) / len(counts), "checkpoint_mb": size / 1e6,
                     "wall_s": wall, "rule_judgments": sum(town.request_kinds.values())})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=Path)
    parser.add_argument("--emd", default="평창동")
    parser.add_argument("--agents", type=int, default=6)
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pop = population(args.population, work)
        embedded = embedded_run(pop, args.emd, args.agents, args.hours, work / "cache")
        growth = memory_growth(pop, args.emd, args.agents, args.days, work)
    peer = smallville()
    ours = embedded["first run"]
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared with other jobs)",
        "emd": args.emd, "embedded": embedded, "memory_growth": growth, "smallville": peer,
        "requests_ratio_smallville_over_ours": peer["requests_per_agent_hour"]
        / max(ours["calls_per_agent_hour"], 1e-9),
    }
    write_json(RESULTS, result)
    console = Console()
    table = Table(title="requests, tokens and wall time per agent per game hour")
    for column in ("run", "agents", "game h", "calls", "judgments", "calls/agent-h",
                   "tokens/agent-h", "wall s/agent-h", "failures"):
        table.add_column(column)
    for label, row in embedded.items():
        table.add_row(label, str(row["agents"]), f"{row['game_hours']:g}",
                      str(row["model_calls"]), str(row["judgments"]),
                      f"{row['calls_per_agent_hour']:.2f}", f"{row['tokens_per_agent_hour']:.0f}",
                      f"{row['wall_s_per_agent_hour']:.1f}", str(row["judgment_failures"]))
    table.add_row("Smallville (published)", f"{peer['agents']:.0f}", f"{peer['game_hours']:.1f}",
                  f"{peer['requests']:.0f}", "-", f"{peer['requests_per_agent_hour']:.1f}",
                  f"{peer['tokens_per_agent_hour']:.0f}", "-", "-")
    console.print(table)
    console.print("lines the model wrote: said (right level) / replaced by the template: "
                  + ", ".join(f"{k} {r['model_lines']}/{r['line_fallbacks']}"
                              for k, r in embedded.items()))
    console.print(f"Smallville / ours, requests per agent-hour: "
                  f"{result['requests_ratio_smallville_over_ours']:.1f}x")
    growth_table = Table(title="memory growth (judgments by rule, e5 embeddings)")
    for column in ("day", "memories", "per agent", "max per agent", "checkpoint MB", "wall s"):
        growth_table.add_column(column)
    for row in growth:
        growth_table.add_row(str(row["day"]), str(row["memories"]), f"{row['per_agent']:.1f}",
                             str(row["max_per_agent"]), f"{row['checkpoint_mb']:.2f}",
                             f"{row['wall_s']:.1f}")
    console.print(growth_table)
    console.print(f"-> {RESULTS}")


if __name__ == "__main__":
    main()
