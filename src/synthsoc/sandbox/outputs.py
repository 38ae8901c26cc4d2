"""Write a sandbox run: results, scorecard (Parquet and Markdown), conversations, training data
and a summary with the settings, counts, export checks and judge agreement. Every file is
written atomically; nothing else in the folder is touched."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import polars as pl

from synthsoc.atomic import write_json, write_parquet, write_text
from synthsoc.sandbox.export import (
    ExportCheck,
    deduplicate,
    dpo_records,
    sft_records,
    validate_jsonl,
    write_jsonl,
)
from synthsoc.sandbox.run import SandboxRun
from synthsoc.sandbox.scorecard import scorecard, scorecard_markdown

FILES = ("results.parquet", "scorecard.parquet", "scorecard.md", "conversations.jsonl",
         "sft.jsonl", "dpo.jsonl", "summary.json")


def conversation_records(run: SandboxRun) -> list[dict[str, Any]]:
    return [{"assistant": c.assistant, "person_id": c.profile.person_id, "scenario": c.scenario,
             "version": c.version, "dialect": c.dialect, "rating": c.rating,
             "satisfied": c.satisfied, "messages": list(c.messages),
             "checks": [asdict(check) for check in c.checks]} for c in run.conversations]


def write_run(run: SandboxRun, results: pl.DataFrame, out: Path, *, seed: int,
              summary: dict[str, Any]) -> dict[str, Any]:
    """Write the run's files under ``out``; returns the summary written to summary.json."""
    out.mkdir(parents=True, exist_ok=True)
    card = scorecard(results, seed=seed)
    write_parquet(out / "results.parquet", results)
    write_parquet(out / "scorecard.parquet", card)
    write_text(out / "scorecard.md", scorecard_markdown(card))
    write_text(out / "conversations.jsonl", "".join(
        json.dumps(r, ensure_ascii=False) + "\n" for r in conversation_records(run)))
    sft, sft_dupes = deduplicate(sft_records(run.conversations))
    dpo, dpo_dupes = deduplicate(dpo_records(run.conversations))
    write_jsonl(out / "sft.jsonl", sft)
    write_jsonl(out / "dpo.jsonl", dpo)
    checks: list[ExportCheck] = [validate_jsonl(out / "sft.jsonl", "sft"),
                                 validate_jsonl(out / "dpo.jsonl", "dpo")]
    full = {
        **summary,
        "personas": int(results["person_id"].n_unique()),
        "assistants": results["assistant"].unique(maintain_order=True).to_list(),
        "calls_by_assistant": {str(r["assistant"]): int(r["calls"]) for r in results.group_by(
            "assistant", maintain_order=True).agg(pl.col("calls").sum()).to_dicts()},
        "export": {"sft_records": len(sft), "sft_duplicates_dropped": sft_dupes,
                   "sft_rule": "only conversations that passed every rule",
                   "dpo_pairs": len(dpo), "dpo_duplicates_dropped": dpo_dupes,
                   "checks": [asdict(c) for c in checks]},
    }
    write_json(out / "summary.json", full)
    return full
