"""The small vocabulary of the llm layer: requests, responses, usage, prices and errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class LLMRequest:
    """One chat completion: a user prompt, an optional system message and sampling settings."""

    prompt: str
    system: str | None = None
    max_tokens: int = 256
    temperature: float = 0.7
    json_schema: dict[str, Any] | None = None
    seed: int | None = None
    logprobs: int | None = None  # ask for the top-N log-probabilities of each output token

    def messages(self) -> list[dict[str, str]]:
        """The chat messages: the system message (if any), then the user prompt."""
        messages = []
        if self.system is not None:
            messages.append({"role": "system", "content": self.system})
        messages.append({"role": "user", "content": self.prompt})
        return messages


@dataclass(frozen=True)
class LLMResponse:
    """The answer to one request; ``data`` holds the validated JSON when a schema was given."""

    text: str
    data: Any | None
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    latency_s: float
    # per output token, {token: log-probability} of its top alternatives (when requested)
    top_logprobs: tuple[dict[str, float], ...] | None = None


@dataclass(frozen=True)
class Usage:
    """Running totals of one client: backend calls, cache hits, tokens and money spent."""

    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class Price:
    """What a backend charges, in US dollars per 1,000 prompt and completion tokens."""

    prompt_per_1k: float = 0.0
    completion_per_1k: float = 0.0

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.prompt_per_1k + completion_tokens * self.completion_per_1k
        ) / 1000.0


@runtime_checkable
class LLM(Protocol):
    """The one interface every client and wrapper implements."""

    name: str

    def complete(self, request: LLMRequest) -> LLMResponse: ...

    def complete_many(
        self, requests: Sequence[LLMRequest], concurrency: int = 4
    ) -> list[LLMResponse]: ...

    @property
    def usage(self) -> Usage: ...


class LLMError(RuntimeError):
    """A request that could not be answered (after the last retry, or a permanent error)."""


class TransientLLMError(LLMError):
    """A failure worth retrying: connection trouble, timeout, HTTP 429 or 5xx."""


class BudgetExceeded(LLMError):
    """Raised before a call that would overspend the budget or exceed the call limit."""


class MalformedAnswer(LLMError):
    """The model kept answering with JSON that does not parse or does not match the schema."""

    def __init__(self, message: str, answer: str) -> None:
        super().__init__(message)
        self.answer = answer
