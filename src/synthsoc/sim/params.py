"""Reading scenario parameters with clear errors naming the field and the value."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T", int, float, str, bool)


class ScenarioError(ValueError):
    """A scenario file or parameter is invalid."""


def get(params: dict[str, Any], key: str, default: T, *, where: str = "params") -> T:
    """``params[key]`` converted to the type of ``default``; ``default`` when absent."""
    if key not in params:
        return default
    value = params[key]
    kind = type(default)
    try:
        if kind is bool:
            if not isinstance(value, bool):
                raise TypeError
            return value
        return kind(value)
    except (TypeError, ValueError):
        raise ScenarioError(f"{where}.{key}: expected {kind.__name__}, got {value!r}") from None


def get_range(
    params: dict[str, Any],
    key: str,
    default: float,
    low: float,
    high: float,
    *,
    where: str = "params",
) -> float:
    value = get(params, key, default, where=where)
    if not low <= value <= high:
        raise ScenarioError(f"{where}.{key}: {value!r} outside [{low}, {high}]")
    return value
