"""Batches of requests: a failure-tolerant batch call, and prefix order for prompt reuse.

:func:`complete_batch` asks a batch in one call and, if that fails, one request at a time, so
that one bad answer costs one answer (None) rather than the batch. Surveys and the agent bank
both ask through it.

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

from collections.abc import Sequence

from synthsoc.llm.types import LLM, BudgetExceeded, LLMError, LLMRequest, LLMResponse


def complete_batch(
    llm: LLM, requests: Sequence[LLMRequest], concurrency: int
) -> list[LLMResponse | None]:
    """One batch call; if it fails, one call per request, None where one fails (counted as
    non-response by the caller). A budget stop, or every request failing, is raised."""
    try:
        return list(llm.complete_many(requests, concurrency=concurrency))
    except BudgetExceeded:
        raise
    except LLMError:
        pass
    results: list[LLMResponse | None] = []
    last: LLMError | None = None
    for request in requests:  # answers already given come from the replay cache, if any
        try:
            results.append(llm.complete(request))
        except BudgetExceeded:
            raise
        except LLMError as error:
            last = error
            results.append(None)
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
