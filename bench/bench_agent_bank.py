"""The agent bank on held-out KGSS questions: individual-level accuracy of generative agents
grounded in real respondents (their own answers + a life sketch) against three baselines (the
majority answer, a demographics-only agent, a statistical model trained on the respondent's other
answers), per question, with the embedded model; beside genagents' published figures.

The KGSS respondents of ``--waves`` (default 2010; a bank of several waves keeps the items all
of them asked) are split (seeded) into training (75%) and test (25%); the statistical model and
the majority answer are fitted on training respondents and scored on every test respondent; the
two model-backed agents are asked of the first ``--llm-agents`` test respondents (model calls =
2 x agents x held-out items), and all four methods are compared on those same people. Each
agent's items go in one prefix-ordered batch (``ask_bank_items``): the server evaluates only what
follows the prompt shared with the previous request (``bench_agent_bank_order.py`` measures
what that saves). With ``--cache DIR`` a run cut short resumes where it stopped.

``--scoring logprobs`` (the default) asks for one label token and reads the agent's whole
distribution from its log-probabilities (one short call; the answer is the most probable code);
``--scoring json`` has the model write its choice in a JSON schema. The embedded model is
SmolLM2-135M unless ``SYNTHSOC_LLM_LOCAL_MODEL=gemma3`` picks Gemma 3 270M.

Usage: PYTHONPATH=src python bench/bench_agent_bank.py [--llm-agents 6] [--llm local|none]
       [--scoring logprobs|json] [--k 4] [--seed 1] [--waves 2010 [2011 2012]] [--cache DIR]
       [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from synthsoc.agents import E5Embedder
from synthsoc.agents.bank import (
    DEFAULT_WAVES,
    SCORING,
    WAVES,
    ask_bank_items,
    build_agents,
    load_bank,
)
from synthsoc.agents.bank_eval import (
    majority_answer,
    per_respondent_accuracy,
    score,
    split_bank,
    statistical_predictions,
)
from synthsoc.atomic import write_json
from synthsoc.evaluate.convergence import bootstrap_interval
from synthsoc.llm import open_llm

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "agent_bank.json"
METHODS = ("agent", "demographics_agent", "statistical", "majority")


def published() -> dict[str, float]:
    with (HERE / "data" / "genagents_published.csv").open(encoding="utf-8") as handle:
        return {r["method"]: float(r["normalised_accuracy"]) for r in csv.DictReader(
            line for line in handle if not line.startswith("#"))}


def summarise(hits: np.ndarray, seed: int) -> dict[str, float]:
    per = per_respondent_accuracy(hits)
    low, high = bootstrap_interval(per, seed=seed) if per.size > 1 else (float("nan"),) * 2
    return {"respondents": int(per.size), "mean_accuracy": float(per.mean()),
            "ci95_low": low, "ci95_high": high}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm-agents", type=int, default=6)
    parser.add_argument("--llm", default="local", help="local | openai | none (baselines only)")
    parser.add_argument("--k", type=int, default=4, help="memories retrieved per question")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, help="replay cache (default: a temporary one)")
    parser.add_argument("--scoring", default="logprobs", choices=SCORING)
    parser.add_argument("--waves", type=int, nargs="+", default=list(DEFAULT_WAVES),
                        choices=WAVES, help="KGSS waves of the bank (items all of them asked)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    bank = load_bank(args.waves)
    HELD_OUT_ITEMS, MEMORY_ITEMS = bank.held_out_items, bank.memory_items  # noqa: N806
    split = split_bank(bank, 0.25, args.seed)
    test = split.test
    sub = test[: args.llm_agents] if args.llm != "none" else ()
    started = time.perf_counter()
    full_hits = {m: np.full((len(test), len(HELD_OUT_ITEMS)), np.nan)
                 for m in ("statistical", "majority")}
    predictions: dict[str, dict[str, list[str | None]]] = {m: {} for m in METHODS}
    for j, item in enumerate(HELD_OUT_ITEMS):
        predictions["majority"][item] = [majority_answer(split.train, item)] * len(test)
        predictions["statistical"][item] = list(statistical_predictions(
            split.train, test, item, MEMORY_ITEMS, args.seed))
        for m in full_hits:
            full_hits[m][:, j] = score(test, item, m, predictions[m][item])[1]
    baseline_s = time.perf_counter() - started
    llm_info: dict[str, Any] = {"backend": args.llm, "agents": len(sub)}
    console = Console()
    if sub:
        with tempfile.TemporaryDirectory() as tmp:
            cache = args.cache or Path(tmp) / "cache"
            embedder = E5Embedder()
            agents = build_agents(bank, sub, embedder)
            started = time.perf_counter()
            failures = {"agent": 0, "demographics_agent": 0}
            own_probability: dict[str, list[float]] = {m: [] for m in failures}
            for method in failures:
                predictions[method] = {item: [] for item in HELD_OUT_ITEMS}
            with open_llm(args.llm, cache_dir=cache,
                          logprobs=args.scoring == "logprobs") as llm:
                # agent by agent, each agent's items in one prefix-ordered batch, so that
                # llama.cpp evaluates only what follows the prompt shared with the previous one
                items = [bank.item(i) for i in HELD_OUT_ITEMS]
                for n, agent in enumerate(agents):
                    for method, memories in (("demographics_agent", False), ("agent", True)):
                        for answers in ask_bank_items([agent], items, llm, embedder,
                                                      with_memories=memories, k=args.k,
                                                      scoring=args.scoring):
                            predictions[method][answers.item] += answers.codes
                            failures[method] += answers.failures
                            own = agent.respondent.answers.get(answers.item)
                            for d in answers.distributions or ():
                                if d is not None and own is not None:
                                    own_probability[method].append(d[own])
                    console.print(f"{n + 1}/{len(agents)} respondents, {llm.usage.calls} calls, "
                                  f"{time.perf_counter() - started:.0f} s")
                usage = llm.usage
                wall = time.perf_counter() - started
                llm_info |= {"model": llm.name, "calls": usage.calls,
                             "s_per_call": wall / usage.calls if usage.calls else None,
                             "prompt_tokens": usage.prompt_tokens,
                             "completion_tokens": usage.completion_tokens,
                             "wall_s": wall,
                             "malformed_answers": failures, "embedder": embedder.name,
                             "scoring": args.scoring,
                             # mean probability the model put on the respondent's own answer
                             # (log-probability scoring only): above 1/options is signal
                             "mean_probability_on_own_answer": {
                                 m: float(np.mean(v)) if v else None
                                 for m, v in own_probability.items()}}
    rows = []
    sub_hits = {m: np.full((len(sub), len(HELD_OUT_ITEMS)), np.nan) for m in METHODS}
    for j, item in enumerate(HELD_OUT_ITEMS):
        label = bank.item(item).label
        full = {m: score(test, item, m, predictions[m][item])[0] for m in full_hits}
        row: dict[str, Any] = {"item": item, "label": label, "options": len(
            bank.item(item).labels), "test_answered": full["majority"].answered,
            "statistical_full": full["statistical"].accuracy,
            "majority_full": full["majority"].accuracy}
        if sub:
            for m in METHODS:
                item_score, hits = score(sub, item, m, predictions[m][item][: len(sub)])
                sub_hits[m][:, j] = hits
                row[m] = item_score.accuracy
                row[f"{m}_missing"] = item_score.missing
            row["sub_answered"] = item_score.answered
        rows.append(row)
    # what the model-backed agents chose, over all items (answer codes: 1 is each item's first
    # option): a model stuck on one option or on the midpoint shows here
    chosen = {m: dict(sorted(Counter(str(c) for item in HELD_OUT_ITEMS
                                     for c in predictions[m][item]).items()))
              for m in ("agent", "demographics_agent") if sub}
    truth = dict(sorted(Counter(r.answers[i] for r in sub for i in HELD_OUT_ITEMS
                                if i in r.answers).items()))
    result = {
        "chosen_codes": chosen, "true_codes_of_llm_subset": truth,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared with other jobs)",
        "data": f"KGSS waves {', '.join(map(str, bank.waves))} ({len(bank.respondents):,} "
                "respondents), bundled in synthsoc/agents/data/kgss",
        "waves": list(bank.waves), "load_average_at_end": list(os.getloadavg()),
        "split": {"train": len(split.train), "test": len(test), "seed": args.seed},
        "memory_items": len(MEMORY_ITEMS), "held_out_items": list(HELD_OUT_ITEMS), "k": args.k,
        "baselines_wall_s": baseline_s, "llm": llm_info, "items": rows,
        "full_test": {m: summarise(h, args.seed) for m, h in full_hits.items()},
        "llm_subset": {m: summarise(h, args.seed) for m, h in sub_hits.items()} if sub else {},
        "genagents_published_normalised": published(),
        "normalisation": "raw accuracy; KGSS has no retest, so genagents' denominator (own "
                         "two-week retest accuracy, at most 1) is unknown: raw is a lower bound",
    }
    write_json(args.out, result)
    table = Table(title=f"agent bank: accuracy on held-out KGSS items ({result['data']})")
    for column in ("item", "options", "n test", "statistical", "majority", *(
            ("n llm", "agent", "demographics agent", "statistical (same)", "majority (same)")
            if sub else ())):
        table.add_column(column)
    for row in rows:
        cells = [row["item"], str(row["options"]), str(row["test_answered"]),
                 f"{row['statistical_full']:.3f}", f"{row['majority_full']:.3f}"]
        if sub:
            cells += [str(row["sub_answered"]), f"{row['agent']:.3f}",
                      f"{row['demographics_agent']:.3f}", f"{row['statistical']:.3f}",
                      f"{row['majority']:.3f}"]
        table.add_row(*cells)
    console.print(table)
    for scope in ("full_test", "llm_subset"):
        for method, s in result[scope].items():
            console.print(f"{scope:10} {method:19} mean accuracy over {s['respondents']} "
                          f"respondents {s['mean_accuracy']:.3f} (95% {s['ci95_low']:.3f}-"
                          f"{s['ci95_high']:.3f})")
    console.print(f"model: {llm_info}")
    console.print(f"codes chosen: {chosen}; the respondents' own: {truth}")
    console.print(f"-> {args.out}")


if __name__ == "__main__":
    main()
