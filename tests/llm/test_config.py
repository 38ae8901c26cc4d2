from __future__ import annotations

from pathlib import Path

import pytest

from synthsoc.llm import load_config
from synthsoc.llm.types import Price


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("SYNTHSOC_LLM_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_defaults_without_file_or_environment(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    assert config.backend == "local"
    assert config.base_url is None and config.cache_dir is None
    assert config.local.n_ctx == 2048 and config.local.n_threads == 1
    assert config.source == "defaults"


def test_project_file_then_environment_on_top(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "synthsoc.toml").write_text(
        """
[llm]
backend = "openai"
base_url = "http://localhost:8000/v1"
model = "Qwen/Qwen2.5-7B-Instruct"
api_key_env = "MY_VLLM_KEY"
price_prompt_per_1k = 0.001
price_completion_per_1k = 0.002
cache_dir = "~/llm-cache"

[llm.local]
n_threads = 4
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("MY_VLLM_KEY", "secret")
    monkeypatch.setenv("SYNTHSOC_LLM_MODEL", "gpt-4o-mini")
    monkeypatch.setenv("SYNTHSOC_LLM_LOCAL_N_CTX", "4096")
    config = load_config(cwd=tmp_path)
    assert config.backend == "openai"
    assert config.base_url == "http://localhost:8000/v1"
    assert config.model == "gpt-4o-mini"
    assert config.api_key == "secret"
    assert config.price == Price(0.001, 0.002)
    assert config.cache_dir == tmp_path / "home" / "llm-cache"
    assert (config.local.n_threads, config.local.n_ctx) == (4, 4096)
    assert config.source == f"{tmp_path / 'synthsoc.toml'} + environment"


def test_user_file_at_top_level_and_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "home" / ".config" / "synthsoc" / "llm.toml"
    user.parent.mkdir(parents=True)
    user.write_text('base_url = "http://localhost:11434/v1"\nmodel = "qwen2.5:7b"\n')
    assert load_config(cwd=tmp_path).model == "qwen2.5:7b"

    explicit = tmp_path / "llm.yaml"
    explicit.write_text("llm:\n  model: from-yaml\n  response_format: none\n")
    monkeypatch.setenv("SYNTHSOC_LLM_CONFIG", str(explicit))
    config = load_config(cwd=tmp_path)
    assert (config.model, config.response_format) == ("from-yaml", "none")


def test_bad_settings_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "synthsoc.toml").write_text('[llm]\nmodle = "typo"\n')
    with pytest.raises(ValueError, match="unknown setting 'modle'"):
        load_config(cwd=tmp_path)
    (tmp_path / "synthsoc.toml").write_text('[llm]\ntimeout_s = "soon"\n')
    with pytest.raises(ValueError, match="timeout_s = 'soon' is not a valid float"):
        load_config(cwd=tmp_path)
    (tmp_path / "synthsoc.toml").write_text("[llm\n")
    with pytest.raises(ValueError, match="synthsoc.toml: cannot parse"):
        load_config(cwd=tmp_path)
    (tmp_path / "synthsoc.toml").unlink()
    monkeypatch.setenv("SYNTHSOC_LLM_RESPONSE_FORMAT", "xml")
    with pytest.raises(ValueError, match="response_format 'xml'"):
        load_config(cwd=tmp_path)
