"""Shared behaviour of every client: batching with bounded concurrency, and wrapper plumbing.

A concrete client implements ``complete`` and ``usage``; ``complete_many`` runs a batch on a
thread pool of ``concurrency`` workers. Wrappers (cache, budget, retries, structured output)
hold an ``inner`` client and change one behaviour each, in the style of Concordia's model
wrappers, so any stack of them is still an ``LLM``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait

from synthsoc.llm.types import LLMRequest, LLMResponse, Usage


class LLMBase(ABC):
    """Base class of clients and wrappers; ``endpoint`` says where requests go."""

    name: str
    endpoint: str

    @abstractmethod
    def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer one request."""

    @property
    @abstractmethod
    def usage(self) -> Usage:
        """Totals so far."""

    def complete_many(
        self, requests: Sequence[LLMRequest], concurrency: int = 4
    ) -> list[LLMResponse]:
        """Answer ``requests`` in order, with at most ``concurrency`` in flight at once.

        The first error stops the batch: requests not yet started are cancelled, the ones in
        flight finish, and the error is raised (:func:`complete_each`).
        """
        return complete_each(self.complete, requests, concurrency)


def complete_each(
    complete: Callable[[LLMRequest], LLMResponse],
    requests: Sequence[LLMRequest],
    concurrency: int,
    on_answer: Callable[[int, LLMResponse], None] | None = None,
) -> list[LLMResponse]:
    """``complete`` on every request, at most ``concurrency`` at once, answers in order.

    ``on_answer(index, answer)`` is called as each answer arrives (on the thread that got
    it), so a caller can keep every answer that came before an error stopped the batch:
    requests not yet started are cancelled, the ones in flight finish (and are passed to
    ``on_answer``), and the first error is raised.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")

    def one(index: int) -> LLMResponse:
        answer = complete(requests[index])
        if on_answer is not None:
            on_answer(index, answer)
        return answer

    if not requests:
        return []
    if concurrency == 1 or len(requests) == 1:
        return [one(i) for i in range(len(requests))]
    with ThreadPoolExecutor(max_workers=min(concurrency, len(requests))) as pool:
        futures: list[Future[LLMResponse]] = [pool.submit(one, i) for i in range(len(requests))]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in futures if f in done and f.exception() is not None), None)
        if failed is not None:
            for future in futures:
                future.cancel()
            error = failed.exception()
            assert error is not None
            raise error
        return [future.result() for future in futures]


class LLMWrapper(LLMBase):
    """A client that delegates to ``inner`` unless it overrides a method."""

    def __init__(self, inner: LLMBase) -> None:
        self.inner = inner
        self.name = inner.name
        self.endpoint = inner.endpoint

    def complete(self, request: LLMRequest) -> LLMResponse:
        return self.inner.complete(request)

    @property
    def usage(self) -> Usage:
        return self.inner.usage
