from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from synthsoc.cli import app

from .llm_fakes import serving


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]) -> None:
    for key in list(os.environ):
        if key.startswith("SYNTHSOC_LLM_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)


def test_check_against_an_openai_compatible_server(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving() as server:
        monkeypatch.setenv("SYNTHSOC_LLM_BASE_URL", server.url)
        monkeypatch.setenv("SYNTHSOC_LLM_MODEL", "test-model")
        result = CliRunner().invoke(
            app, ["llm", "check", "--backend", "openai"], env={"COLUMNS": "200"}
        )
    assert result.exit_code == 0, result.output
    assert "openai:test-model" in result.output
    assert f"{server.url}/chat/completions" in result.output
    assert "안녕하세요" in result.output
    assert "12 prompt + 3 completion" in result.output
    assert server.bodies[0]["temperature"] == 0.0


def test_check_without_an_endpoint_says_what_to_set() -> None:
    result = CliRunner().invoke(
        app, ["llm", "check", "--backend", "openai"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 1
    assert "SYNTHSOC_LLM_BASE_URL" in result.output
