"""The JSONL export loads with the `datasets` library (or a schema check), without duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from synthsoc.sandbox import SCRIPTED, RunConfig, run_sandbox
from synthsoc.sandbox.export import (
    ExportError,
    deduplicate,
    dpo_records,
    sft_records,
    validate_jsonl,
    write_jsonl,
)


def test_export_loads_and_is_deduplicated(sample: pl.DataFrame, tmp_path: Path) -> None:
    run = run_sandbox(sample.head(12), [SCRIPTED["scripted-good"](),
                                        SCRIPTED["scripted-banmal"](),
                                        SCRIPTED["scripted-budget-blind"]()], RunConfig(seed=1))
    sft, dropped = deduplicate(sft_records(run.conversations))
    # the banmal conversations never pass; good and budget-blind say the same outside budgets
    assert all(r["metadata"]["assistant"] != "scripted-banmal" for r in sft)
    assert dropped > 0
    texts = [json.dumps(r["messages"], ensure_ascii=False) for r in sft]
    assert len(texts) == len(set(texts))
    dpo, _ = deduplicate(dpo_records(run.conversations))
    assert dpo and all(r["metadata"]["chosen_rating"] > r["metadata"]["rejected_rating"]
                       for r in dpo)
    assert all(r["prompt"][0]["role"] == "user" and r["chosen"][0]["role"] == "assistant"
               for r in dpo)
    write_jsonl(tmp_path / "sft.jsonl", sft)
    write_jsonl(tmp_path / "dpo.jsonl", dpo)
    checked = validate_jsonl(tmp_path / "sft.jsonl", "sft")
    assert checked.rows == len(sft)
    assert validate_jsonl(tmp_path / "dpo.jsonl", "dpo").rows == len(dpo)
    pytest.importorskip("datasets")
    assert checked.loaded_with.startswith("datasets ")
    import datasets

    loaded = datasets.load_dataset("json", data_files=str(tmp_path / "dpo.jsonl"),
                                   split="train", cache_dir=str(tmp_path / "cache"))
    assert loaded.num_rows == len(dpo)
    assert loaded[0]["chosen"][0]["content"] == dpo[0]["chosen"][0]["content"]
    assert loaded[0]["metadata"]["age_group"] == dpo[0]["metadata"]["age_group"]


def test_a_bad_record_names_the_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "sft.jsonl"
    good = {"messages": [{"role": "user", "content": "안녕하세요?"},
                         {"role": "assistant", "content": "네, 안녕하세요."}],
            "metadata": {"person_id": 1, "scenario": "x", "age_group": "75+",
                         "dialect": "jeju"}}
    bad = {**good, "messages": [{"role": "robot", "content": "x"}, good["messages"][1]]}
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"sft.jsonl:2: field messages/0/role"):
        validate_jsonl(path, "sft")
