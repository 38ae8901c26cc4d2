"""The embedded model is chosen by name; an unknown name is an error naming the setting."""

from __future__ import annotations

import os

import pytest

from synthsoc.llm import LLMError
from synthsoc.llm.config import load_config
from synthsoc.llm.embedded_server import EMBEDDED_MODELS, find_embedded_model


def test_unknown_model_names_the_setting() -> None:
    with pytest.raises(LLMError, match="SYNTHSOC_LLM_LOCAL_MODEL"):
        find_embedded_model("gpt-9")


def test_local_model_setting_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
                                     ) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SYNTHSOC_LLM_LOCAL_MODEL", "gemma3")
    assert load_config().local.model == "gemma3"
    assert EMBEDDED_MODELS == ("smollm2", "gemma3")


def test_both_models_resolve_to_gguf_files() -> None:
    pytest.importorskip("llama_cpp")
    for choice in EMBEDDED_MODELS:
        path = find_embedded_model(choice)
        assert path.is_file() and path.suffix == ".gguf" and path.stat().st_size > 50_000_000


def test_gemma_gets_its_chat_template() -> None:
    from pathlib import Path

    from synthsoc.llm.embedded_server import CHAT_FORMATS, EmbeddedServer

    server = EmbeddedServer(Path("model.gguf"), alias="m", chat_format=CHAT_FORMATS["gemma3"])
    command = server.command()
    assert command[command.index("--chat_format") + 1] == "gemma"
    assert "--chat_format" not in EmbeddedServer(Path("model.gguf"), alias="m").command()
