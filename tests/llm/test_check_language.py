"""`synthsoc llm check` says when the model's answer is not Korean or is garbled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from synthsoc.cli import app
from synthsoc.commands import llm as llm_command

from .llm_fakes import ScriptedLLM


def _serve(answer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    @contextmanager
    def fake_open(backend: str, use_cache: bool = True) -> Iterator[ScriptedLLM]:
        yield ScriptedLLM(lambda request, number: answer)

    monkeypatch.setattr(llm_command, "open_llm", fake_open)


@pytest.mark.parametrize("answer", [
    "YouTube, 예제리, 말투: 싱각타답 The 50 Most Influential Women in the World",
    "東京の朝は早いです。서울",
])
def test_garbled_answer_is_reported(answer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _serve(answer, monkeypatch)
    result = CliRunner().invoke(app, ["llm", "check", "--backend", "openai"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "not usable Korean" in result.output


def test_korean_answer_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    _serve("아침 일곱 시에 지하철을 타고 출근해요.", monkeypatch)
    result = CliRunner().invoke(app, ["llm", "check", "--backend", "openai"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Hangul 100% of letters; speech level haeyo" in result.output
