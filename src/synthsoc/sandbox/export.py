"""Training data from simulated interactions: JSONL that fine-tuning tools read.

- ``sft.jsonl``: one conversation per line as chat ``messages`` (user and assistant turns; the
  user's closing line is left out, so every record ends on an assistant turn), by default only
  conversations that passed every rule;
- ``dpo.jsonl``: preference pairs in the conversational ``prompt`` / ``chosen`` / ``rejected``
  form (TRL's DPOTrainer reads it): two assistants' first answers to the same opening request,
  the one whose conversation the simulated user rated higher chosen; ties and identical answers
  are skipped.
Each record carries ``metadata`` (persona id, segments, scenario, assistant, rating) for
stratified splits. Records are de-duplicated on their content. :func:`validate_jsonl` checks
every line against a JSON schema and, when the ``datasets`` library is installed, loads the
file with it (offline, into a temporary cache).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

import jsonschema

from synthsoc.atomic import write_text
from synthsoc.sandbox.run import Conversation

Kind = Literal["sft", "dpo"]
_MESSAGE = {"type": "object", "required": ["role", "content"], "additionalProperties": False,
            "properties": {"role": {"enum": ["system", "user", "assistant"]},
                           "content": {"type": "string", "minLength": 1}}}
_METADATA = {"type": "object", "required": ["person_id", "scenario", "age_group", "dialect"]}
SCHEMAS: dict[str, dict[str, Any]] = {
    "sft": {"type": "object", "required": ["messages", "metadata"], "additionalProperties": False,
            "properties": {"messages": {"type": "array", "minItems": 2, "items": _MESSAGE},
                           "metadata": _METADATA}},
    "dpo": {"type": "object", "required": ["prompt", "chosen", "rejected", "metadata"],
            "additionalProperties": False,
            "properties": {"prompt": {"type": "array", "minItems": 1, "items": _MESSAGE},
                           "chosen": {"type": "array", "minItems": 1, "items": _MESSAGE},
                           "rejected": {"type": "array", "minItems": 1, "items": _MESSAGE},
                           "metadata": _METADATA}},
}


class ExportError(ValueError):
    """An export file that does not load; the message names the file, line and field."""


def _metadata(conversation: Conversation) -> dict[str, Any]:
    profile = conversation.profile
    return {"person_id": profile.person_id, "scenario": conversation.scenario,
            "version": conversation.version, "spoken_dialect": conversation.dialect,
            "age": profile.age, **profile.segments}


def passed(conversation: Conversation) -> bool:
    checks = conversation.checks
    return checks[-1].served and all(c.speech_ok and c.socio_ok and c.age_fit_ok
                                     for c in checks)


def sft_records(conversations: Iterable[Conversation], only_passing: bool = True
                ) -> list[dict[str, Any]]:
    return [{"messages": list(c.messages[:-1]),
             "metadata": {**_metadata(c), "assistant": c.assistant, "rating": c.rating}}
            for c in conversations if passed(c) or not only_passing]


def dpo_records(conversations: Iterable[Conversation]) -> list[dict[str, Any]]:
    by_task: dict[tuple[int, str, str], list[Conversation]] = {}
    for c in conversations:
        by_task.setdefault((c.profile.person_id, c.scenario, c.version), []).append(c)
    records: list[dict[str, Any]] = []
    for group in by_task.values():
        for a, b in combinations(sorted(group, key=lambda c: c.assistant), 2):
            if a.rating == b.rating or a.messages[1]["content"] == b.messages[1]["content"]:
                continue
            chosen, rejected = (a, b) if a.rating > b.rating else (b, a)
            records.append({
                "prompt": [chosen.messages[0]],
                "chosen": [chosen.messages[1]],
                "rejected": [rejected.messages[1]],
                "metadata": {**_metadata(chosen), "chosen_assistant": chosen.assistant,
                             "rejected_assistant": rejected.assistant,
                             "chosen_rating": chosen.rating, "rejected_rating": rejected.rating},
            })
    return records


def _content_key(record: dict[str, Any]) -> str:
    content = {k: v for k, v in record.items() if k != "metadata"}
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True)
                          .encode("utf-8")).hexdigest()


def deduplicate(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Records with distinct content (first kept), and how many duplicates were dropped."""
    seen: set[str] = set()
    kept = []
    for record in records:
        key = _content_key(record)
        if key not in seen:
            seen.add(key)
            kept.append(record)
    return kept, len(records) - len(kept)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


@dataclass(frozen=True)
class ExportCheck:
    path: str
    kind: str
    rows: int
    loaded_with: str  # "datasets X.Y.Z" or "json + jsonschema"


def validate_jsonl(path: Path, kind: Kind) -> ExportCheck:
    """Check every line of ``path`` against the ``kind`` schema; load it with ``datasets`` too
    when that library is installed."""
    validator = jsonschema.Draft202012Validator(SCHEMAS[kind])
    rows = 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ExportError(f"{path}:{number}: not JSON: {error}") from error
            problem = next(iter(validator.iter_errors(record)), None)
            if problem is not None:
                field = "/".join(str(p) for p in problem.absolute_path) or "(record)"
                raise ExportError(f"{path}:{number}: field {field}: {problem.message}")
            rows += 1
    loaded_with = "json + jsonschema"
    if importlib.util.find_spec("datasets") is not None and rows:
        os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import datasets

        datasets.disable_progress_bars()
        with tempfile.TemporaryDirectory(prefix="synthsoc-datasets-") as cache:
            loaded = datasets.load_dataset("json", data_files=str(path), split="train",
                                           cache_dir=cache)
            if loaded.num_rows != rows or set(SCHEMAS[kind]["required"]) - set(
                    loaded.column_names):
                raise ExportError(f"{path}: datasets loaded {loaded.num_rows} rows with columns "
                                  f"{loaded.column_names}; expected {rows} rows")
        loaded_with = f"datasets {datasets.__version__} + jsonschema"
    return ExportCheck(str(path), kind, rows, loaded_with)
