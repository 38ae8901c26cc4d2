"""A scripted stand-in for the LLM layer in unit tests (same methods as synthsoc.llm.LLM)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FakeResponse:
    text: str
    data: Any | None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False
    latency_s: float = 0.0
    top_logprobs: tuple[dict[str, float], ...] | None = None


@dataclass
class ScriptedLLM:
    """Answers each request with ``script(request)`` (a dict, or None for a failed answer)."""

    script: Callable[[Any], dict[str, Any] | None]
    name: str = "fake:scripted"
    requests: list[Any] = field(default_factory=list)

    def complete(self, request: Any) -> FakeResponse:
        """A script answer ``{"top_logprobs": {token: logprob}, "text": ...}`` is returned as
        the first token's log-probabilities (a server with logprobs) and the generated text
        (default empty); anything else as JSON data."""
        self.requests.append(request)
        data = self.script(request)
        if isinstance(data, dict) and "top_logprobs" in data:
            return FakeResponse(
                text=str(data.get("text", "")), data=None, top_logprobs=(data["top_logprobs"],)
            )
        return FakeResponse(text=str(data), data=data)

    def complete_many(self, requests: Sequence[Any], concurrency: int = 4) -> list[FakeResponse]:
        return [self.complete(r) for r in requests]

    @property
    def usage(self) -> dict[str, int]:
        return {"calls": len(self.requests)}


def age_of(request: Any) -> int:
    match = re.search(r"나이: (\d+)세", request.prompt)
    assert match, request.prompt
    return int(match.group(1))
