"""`synthsoc personas DIR` end to end (templates offline; the embedded model when available)."""

from __future__ import annotations

import shutil
import sys
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from synthsoc.cli import app


def _folder(population_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "pop"
    shutil.copytree(population_dir, folder)
    return folder


def test_personas_command_writes_files_and_template_narratives(
    population_dir: Path, tmp_path: Path
) -> None:
    folder = _folder(population_dir, tmp_path)
    result = CliRunner().invoke(app, ["personas", str(folder), "--narratives", "3", "--seed", "9"])
    assert result.exit_code == 0, result.output
    for name in ("personas.parquet", "persona_card.md", "persona_audit.json",
                 "narratives.parquet"):
        assert (folder / name).is_file(), name
    personas = pl.read_parquet(folder / "personas.parquet")
    assert personas.height == pl.read_parquet(folder / "persons.parquet").height
    assert {"person_id", "dialect"} <= set(personas.columns)
    narratives = pl.read_parquet(folder / "narratives.parquet")
    assert narratives.columns == ["person_id", "narrative", "source", "contradictions",
                                  "n_contradictions", "attempts"]
    assert narratives.height == 3 and (narratives["source"] == "template").all()
    assert narratives["n_contradictions"].sum() == 0


def test_personas_command_rejects_bad_input(population_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["personas", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "not a complete population folder" in missing.output
    bad_llm = runner.invoke(app, ["personas", str(population_dir), "--llm", "gpt9"])
    assert bad_llm.exit_code != 0 and "--llm must be one of" in bad_llm.output


@dataclass(frozen=True)
class _Request:
    prompt: str
    system: str | None = None
    max_tokens: int = 256
    temperature: float = 0.7
    seed: int | None = None


@dataclass(frozen=True)
class _Response:
    text: str


class _ScriptedLLM:
    """Answers with the persona's age wrong first, then right when re-asked."""

    name = "fake:scripted"

    def __init__(self) -> None:
        self.batches: list[tuple[int, int]] = []

    def complete_many(self, requests: Sequence[Any], concurrency: int = 4) -> list[_Response]:
        self.batches.append((len(requests), concurrency))
        answers = []
        for request in requests:
            age = request.prompt.split("나이: ")[1].split("살")[0]
            retry = "고쳐서 다시 쓰세요" in request.prompt
            answers.append(_Response(f"저는 올해 {age if retry else 200}살이에요."))
        return answers


def test_personas_command_wires_the_llm_layer(
    population_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _ScriptedLLM()
    opened: list[str] = []

    @contextmanager
    def open_llm(backend: str = "local", **_: Any) -> Iterator[_ScriptedLLM]:
        opened.append(backend)
        yield fake

    module = types.ModuleType("synthsoc.llm")
    module.open_llm = open_llm  # type: ignore[attr-defined]
    module.LLMRequest = _Request  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "synthsoc.llm", module)
    folder = _folder(population_dir, tmp_path)
    result = CliRunner().invoke(app, ["personas", str(folder), "--narratives", "4", "--llm",
                                      "openai", "--concurrency", "2", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert opened == ["openai"] and fake.batches == [(4, 2), (4, 2)]
    narratives = pl.read_parquet(folder / "narratives.parquet")
    assert (narratives["source"] == "fake:scripted").all()
    assert narratives["attempts"].to_list() == [2, 2, 2, 2]
    assert narratives["n_contradictions"].sum() == 0


@pytest.mark.integration
def test_personas_command_with_the_embedded_model(population_dir: Path, tmp_path: Path) -> None:
    llm = pytest.importorskip("synthsoc.llm")
    if not hasattr(llm, "open_llm"):
        pytest.skip("synthsoc.llm is not merged into this branch yet")
    folder = _folder(population_dir, tmp_path)
    result = CliRunner().invoke(
        app, ["personas", str(folder), "--narratives", "3", "--llm", "local", "--seed", "9"]
    )
    assert result.exit_code == 0, result.output
    narratives = pl.read_parquet(folder / "narratives.parquet")
    assert narratives.height == 3
    assert narratives["source"].str.starts_with("local:").all()
    assert (narratives["narrative"].str.len_chars() > 0).all()
    assert narratives["contradictions"].dtype == pl.List(pl.String)
