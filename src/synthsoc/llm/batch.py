"""Batches of requests: a failure-tolerant batch call, and prefix order for prompt reuse.

:func:`complete_batch` asks a batch at once and, where a request fails, the unanswered ones one
at a time, so that one bad answer costs one answer (None) rather than the batch; every answer is
passed on as it arrives, so none is lost when a budget stop ends the batch. Surveys and the agent
bank both ask through it.

:func:`complete_in_prefix_order` sends the requests sorted by (system prompt, prompt), so that
prompts sharing a long beginning run back to back, and returns the answers in the order asked.
A llama.cpp server keeps the last prompt's evaluated tokens and evaluates only what follows the
longest common token prefix with the next one (llama-cpp-python's ``Llama.generate`` does this on
its single context with no option needed; ``llama-server`` does it per slot with
``cache_prompt``), so the order decides how many prompt tokens are evaluated, never what is
answered. Sorted order puts every prompt beside the prompt that shares the longest prefix with it.
With ``concurrency`` above 1 the server may take requests out of order; keep it at 1 where prompt
reuse is the point (llama-cpp-python's server answers one request at a time anyway).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from synthsoc.llm.base import complete_each
from synthsoc.llm.types import LLM, BudgetExceeded, LLMError, LLMRequest, LLMResponse


def complete_batch(
    llm: LLM,
    requests: Sequence[LLMRequest],
    concurrency: int,
    on_answer: Callable[[int, LLMResponse], None] | None = None,
) -> list[LLMResponse | None]:
    """One batch; where a request fails, the unanswered ones one at a time, None where one
    fails (counted as non-response by the caller). A budget stop, or every request failing, is
    raised. ``on_answer(index, answer)`` is called as each answer arrives, so the answers that
    came before a stop (a budget, an interruption) can be kept; none is asked twice here."""
    answered: dict[int, LLMResponse] = {}

    def keep(index: int, answer: LLMResponse) -> None:
        answered[index] = answer
        if on_answer is not None:
            on_answer(index, answer)

    try:
        complete_each(llm.complete, requests, concurrency, on_answer=keep)
        return [answered[i] for i in range(len(requests))]
    except BudgetExceeded:
        raise
    except LLMError:
        pass
    results: list[LLMResponse | None] = []
    last: LLMError | None = None
    for index, request in enumerate(requests):
        if index in answered:
            results.append(answered[index])
            continue
        try:
            answer = llm.complete(request)
        except BudgetExceeded:
            raise
        except LLMError as error:
            last = error
            results.append(None)
            continue
        keep(index, answer)
        results.append(answer)
    if last is not None and all(r is None for r in results):
        raise last
    return results


def prefix_order(requests: Sequence[LLMRequest]) -> list[int]:
    """Indices of ``requests`` sorted by (system prompt, prompt); ties keep their order."""
    return sorted(range(len(requests)),
                  key=lambda i: (requests[i].system or "", requests[i].prompt))


def complete_in_prefix_order(
    llm: LLM, requests: Sequence[LLMRequest], concurrency: int = 1
) -> list[LLMResponse | None]:
    """:func:`complete_batch` on the requests in :func:`prefix_order`, answers returned in the
    order of ``requests``."""
    order = prefix_order(requests)
    answered = complete_batch(llm, [requests[i] for i in order], concurrency)
    out: list[LLMResponse | None] = [None] * len(requests)
    for position, index in enumerate(order):
        out[index] = answered[position]
    return out
