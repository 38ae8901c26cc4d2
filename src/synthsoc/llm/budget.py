"""Cost estimates before a run, and a budget wrapper that refuses a call that would overspend.

Token counts before a call are estimates: a tokenizer-free rule of one token per three UTF-8
bytes (about one per Hangul syllable, one per three Latin letters, both on the high side for
modern multilingual tokenizers) plus a few tokens per message. The budget wrapper learns from
the replies: when a server counts more prompt tokens than estimated, later estimates are scaled
up by the largest ratio seen. Completion tokens are bounded by ``max_tokens``.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from synthsoc.llm.base import LLMBase, LLMWrapper
from synthsoc.llm.types import BudgetExceeded, LLMRequest, LLMResponse, Price

TOKENS_PER_MESSAGE = 4
BYTES_PER_TOKEN = 3
# A real tokenizer may count fewer tokens than the estimate (large vocabularies); never fewer
# than this fraction of it. Reported counts below that floor are not believed.
MIN_REPORTED_FRACTION = 0.25


def checked_tokens(reported: object, estimated: int) -> int:
    """A server-reported token count that the budget can trust.

    A count that is not a whole non-negative number, or lies below ``MIN_REPORTED_FRACTION`` of
    the estimate, is replaced by the estimate; a larger count is kept (it only costs more).
    """
    floor = math.ceil(estimated * MIN_REPORTED_FRACTION)
    if isinstance(reported, bool) or not isinstance(reported, int | float):
        return estimated
    if not math.isfinite(reported) or reported < 0 or reported != int(reported):
        return estimated
    count = int(reported)
    return estimated if count < floor else count


def estimate_text_tokens(text: str) -> int:
    """Rough token count of ``text`` without a tokenizer (see the module docstring)."""
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN)


def estimate_prompt_tokens(request: LLMRequest) -> int:
    """Rough prompt token count of ``request``: its messages, and the schema when it has one."""
    tokens = TOKENS_PER_MESSAGE + estimate_text_tokens(request.prompt)
    if request.system is not None:
        tokens += TOKENS_PER_MESSAGE + estimate_text_tokens(request.system)
    if request.json_schema is not None:
        tokens += estimate_text_tokens(json.dumps(request.json_schema, ensure_ascii=False))
    return tokens


def check_limits(budget_usd: float | None, max_calls: int | None) -> None:
    """A budget or call limit must be non-negative (None: no limit)."""
    if budget_usd is not None and budget_usd < 0:
        raise ValueError(f"budget_usd must be non-negative, got {budget_usd}")
    if max_calls is not None and max_calls < 0:
        raise ValueError(f"max_calls must be non-negative, got {max_calls}")


@dataclass(frozen=True)
class Estimate:
    """What a run will cost at most: completion tokens are the sum of ``max_tokens``."""

    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


def estimate_cost(requests: Iterable[LLMRequest], price: Price) -> Estimate:
    """Estimate tokens and cost of answering ``requests`` once each (no re-asks, no cache)."""
    count = prompt = completion = 0
    for request in requests:
        count += 1
        prompt += estimate_prompt_tokens(request)
        completion += request.max_tokens
    return Estimate(
        requests=count,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=price.cost(prompt, completion),
    )


class BudgetedLLM(LLMWrapper):
    """Refuse, before it is made, a call that could take spending past ``budget_usd`` or the
    number of calls past ``max_calls``.

    Each call reserves its worst case (estimated prompt plus ``max_tokens``) while in flight, so
    concurrent calls cannot overspend together; the reservation is replaced by the actual cost
    when the reply arrives.
    """

    def __init__(
        self,
        inner: LLMBase,
        *,
        price: Price,
        budget_usd: float | None = None,
        max_calls: int | None = None,
    ) -> None:
        super().__init__(inner)
        check_limits(budget_usd, max_calls)
        self.price = price
        self.budget_usd = budget_usd
        self.max_calls = max_calls
        self._lock = threading.Lock()
        self._calls = 0
        self._spent = 0.0
        self._reserved = 0.0
        self._prompt_ratio = 1.0

    @property
    def spent_usd(self) -> float:
        with self._lock:
            return self._spent

    def worst_case_usd(self, request: LLMRequest) -> float:
        prompt = math.ceil(estimate_prompt_tokens(request) * self._prompt_ratio)
        return self.price.cost(prompt, request.max_tokens)

    def complete(self, request: LLMRequest) -> LLMResponse:
        with self._lock:
            worst = self.worst_case_usd(request)
            if self.max_calls is not None and self._calls >= self.max_calls:
                raise BudgetExceeded(
                    f"{self.name}: call limit reached ({self._calls} of max_calls="
                    f"{self.max_calls}); no further call made"
                )
            committed = self._spent + self._reserved
            if self.budget_usd is not None and committed + worst > self.budget_usd:
                raise BudgetExceeded(
                    f"{self.name}: the next call could cost up to ${worst:.6f}; with "
                    f"${committed:.6f} spent or committed that would pass the budget of "
                    f"${self.budget_usd:.6f}; no further call made"
                )
            self._calls += 1
            self._reserved += worst
        try:
            response = self.inner.complete(request)
        finally:
            with self._lock:
                self._reserved -= worst
        estimated = estimate_prompt_tokens(request)
        prompt = checked_tokens(response.prompt_tokens, estimated)
        completion = checked_tokens(response.completion_tokens,
                                    estimate_text_tokens(response.text))
        with self._lock:
            self._spent += self.price.cost(prompt, completion)
            self._prompt_ratio = max(self._prompt_ratio, prompt / estimated)
        return response
