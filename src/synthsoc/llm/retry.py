"""Retries with exponential backoff and jitter for transient failures, a bounded number of times."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from synthsoc.llm.base import LLMBase, LLMWrapper
from synthsoc.llm.types import LLMError, LLMRequest, LLMResponse, TransientLLMError


@dataclass(frozen=True)
class RetryPolicy:
    """Up to ``max_attempts`` tries; the wait before try k+1 is
    ``min(max_delay_s, base_delay_s * 2**(k-1))`` times a random factor in [1 - jitter, 1]."""

    max_attempts: int = 4
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"jitter must be within [0, 1], got {self.jitter}")

    def delay_s(self, attempt: int, rng: random.Random) -> float:
        """The wait after failed try number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        return ceiling * (1.0 - self.jitter * rng.random())


class RetryingLLM(LLMWrapper):
    """Retry ``TransientLLMError``; other errors pass straight through."""

    def __init__(
        self,
        inner: LLMBase,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(inner)
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        # Jitter only spreads the timing of retries; it never touches an answer.
        self._rng = random.Random()

    def complete(self, request: LLMRequest) -> LLMResponse:
        attempts = self.policy.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                return self.inner.complete(request)
            except TransientLLMError as error:
                if attempt == attempts:
                    raise LLMError(
                        f"{self.name} at {self.endpoint}: gave up after {attempts} attempt(s); "
                        f"last error: {error}"
                    ) from error
                self._sleep(self.policy.delay_s(attempt, self._rng))
        raise AssertionError("unreachable: the loop returns or raises")
