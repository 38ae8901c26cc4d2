"""Typed model parameters: one frozen dataclass per model, read from a scenario's ``params:``.

Every field is declared with :func:`param` (its default, allowed range or choices and a line of
documentation). :func:`parse_params` turns a YAML mapping into that dataclass and stops with an
error naming the file, the key and the allowed values on an unknown key (suggesting the closest
name), a value of the wrong type or one out of range. It also returns where every resolved value
came from (``yaml`` when the scenario set it, ``default`` otherwise, ``override`` when a caller
changed it), which the run records in ``summary.json``.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")

Origin = Literal["yaml", "default", "override"]


class ScenarioError(ValueError):
    """A scenario file or parameter is invalid."""


def param(
    default: Any = dataclasses.MISSING,
    *,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[str, ...] | None = None,
    doc: str = "",
) -> Any:
    """A parameter field: ``low``/``high`` bound numbers (inclusive, each element of a tuple),
    ``choices`` restrict strings (each element of a tuple of strings)."""
    meta = {"low": low, "high": high, "choices": choices, "doc": doc}
    if default is dataclasses.MISSING:
        return dataclasses.field(metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def suggest(key: str, allowed: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest allowed name, or an empty string."""
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_keys(data: Mapping[str, Any], allowed: list[str], where: str, sep: str = ".") -> None:
    """Stop on the first key of ``data`` that is not in ``allowed``."""
    for key in data:
        if str(key) not in allowed:
            raise ScenarioError(
                f"{where}{sep}{key}: unknown key{suggest(str(key), allowed)} "
                f"(allowed: {', '.join(allowed)})"
            )


def parse_params(cls: type[T], raw: Any, where: str) -> tuple[T, dict[str, Origin]]:
    """``cls`` (a frozen dataclass of :func:`param` fields) from a mapping; see the module doc."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ScenarioError(f"{where}: expected a mapping of parameters, got {raw!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    check_keys(raw, list(fields), where)
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for name, f in fields.items():
        if name in raw:
            values[name] = _convert(raw[name], hints[name], f"{where}.{name}", f.metadata)
            origins[name] = "yaml"
        elif f.default is dataclasses.MISSING:
            raise ScenarioError(f"{where}.{name}: required ({_describe(hints[name], f.metadata)})")
        else:
            origins[name] = "default"
    try:
        return cls(**values), origins
    except (ValueError, TypeError) as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def resolved(params: Any) -> dict[str, Any]:
    """Every resolved parameter value, nested dataclasses as mappings, tuples as lists."""
    return typing.cast(dict[str, Any], _plain(dataclasses.asdict(params)))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _describe(hint: Any, meta: Mapping[str, Any]) -> str:
    name = getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
    parts = [name]
    if meta.get("choices"):
        parts.append(f"one of {list(meta['choices'])}")
    low, high = meta.get("low"), meta.get("high")
    if low is not None or high is not None:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        parts.append(f"in [{lo}, {hi}]")
    return ", ".join(parts)


def _convert(value: Any, hint: Any, where: str, meta: Mapping[str, Any]) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        errors = []
        for option in get_args(hint):
            try:
                return _convert(value, option, where, meta)
            except ScenarioError as exc:
                errors.append(str(exc).split(": ", 1)[-1])
        raise ScenarioError(f"{where}: {value!r} fits none of: {'; '.join(errors)}")
    if origin is Literal:
        allowed = [str(a) for a in get_args(hint)]
        if value not in get_args(hint):
            raise ScenarioError(
                f"{where}: {value!r} not allowed{suggest(str(value), allowed)} "
                f"(allowed: {', '.join(allowed)})"
            )
        return value
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ScenarioError(f"{where}: expected a list, got {value!r}")
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(v, args[0], f"{where}[{i}]", meta) for i, v in enumerate(value))
        if len(value) != len(args):
            raise ScenarioError(f"{where}: expected {len(args)} values, got {value!r}")
        return tuple(
            _convert(v, a, f"{where}[{i}]", meta)
            for i, (v, a) in enumerate(zip(value, args, strict=True))
        )
    if dataclasses.is_dataclass(hint):
        return parse_params(typing.cast(type, hint), value, where)[0]
    if hint is bool:
        if not isinstance(value, bool):
            raise ScenarioError(f"{where}: expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            kind = _describe(int, meta)
            raise ScenarioError(f"{where}: expected an integer ({kind}), got {value!r}")
        _check_range(value, where, meta)
        return value
    if hint is float:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value):
            kind = _describe(float, meta)
            raise ScenarioError(f"{where}: expected a number ({kind}), got {value!r}")
        _check_range(float(value), where, meta)
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ScenarioError(f"{where}: expected a string, got {value!r}")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ScenarioError(
                f"{where}: {value!r} not allowed{suggest(value, list(choices))} "
                f"(allowed: {', '.join(choices)})"
            )
        return value
    raise TypeError(f"{where}: unsupported parameter type {hint!r}")


def _check_range(value: float, where: str, meta: Mapping[str, Any]) -> None:
    low, high = meta.get("low"), meta.get("high")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ScenarioError(f"{where}: {value!r} out of range ({_describe(type(value), meta)})")
