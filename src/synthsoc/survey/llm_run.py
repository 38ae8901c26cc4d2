"""Running many persona requests: a plan before, progress during, resumption after a stop.

* :class:`RunPlan`: calls, estimated tokens, time on the measured speed of the configured
  server (the first request is sent alone and timed) and cost where a price is configured;
* :class:`AnswerJournal`: every answer received is appended to a JSON-lines file as it arrives,
  keyed by the request's content hash (:func:`synthsoc.llm.request_key`); a rerun after an
  interruption reads it and sends only the requests not yet answered;
* :func:`run_requests`: sends the pending requests in chunks, reports progress after each;
  with a :class:`FanOut` the chunks are work units of an executor (local processes or Ray),
  each worker answering through its own client (:mod:`synthsoc.llm.worker`). Every request
  carries its own seed and answers come back in request order, so the results do not depend
  on the number of workers or the executor (with a server that answers a seeded request the
  same way whoever sends it).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from synthsoc.executor import Executor

if TYPE_CHECKING:
    from synthsoc.llm import LLMRequest, LLMResponse, Price
    from synthsoc.llm.worker import LLMOpener

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunPlan:
    """What a run will ask of the server, stated before the run."""

    calls: int
    already_answered: int
    prompt_tokens: int
    completion_tokens: int
    seconds_per_call: float | None
    concurrency: int
    cost_usd: float | None
    scoring: str

    @property
    def seconds(self) -> float | None:
        if self.seconds_per_call is None:
            return None
        return self.seconds_per_call * max(self.calls - self.already_answered, 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "already_answered": self.already_answered,
            "prompt_tokens_estimated": self.prompt_tokens,
            "completion_tokens_at_most": self.completion_tokens,
            "seconds_per_call_measured": self.seconds_per_call,
            "seconds_estimated": self.seconds,
            "cost_usd_estimated": self.cost_usd,
            "scoring": self.scoring,
        }

    def summary(self) -> str:
        pending = self.calls - self.already_answered
        time_part = (
            "time unknown (no call measured)"
            if self.seconds is None
            else f"about {_duration(self.seconds)} at {self.seconds_per_call:.2f} s per call "
            "(measured on the first call)"
        )
        cost = "no price configured" if self.cost_usd is None else f"about ${self.cost_usd:.4f}"
        resumed = (
            f" ({self.already_answered} already answered, kept)" if self.already_answered else ""
        )
        return (
            f"plan: {self.calls} calls{resumed}, {pending} to send; ~{self.prompt_tokens:,} prompt "
            f"tokens, at most {self.completion_tokens:,} completion tokens; {time_part}; "
            f"{cost}; answers by {self.scoring}"
        )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def estimate_plan(
    requests: Sequence[LLMRequest],
    *,
    already_answered: int,
    seconds_per_call: float | None,
    concurrency: int,
    price: Price | None,
    scoring: str,
) -> RunPlan:
    from synthsoc.llm import estimate_prompt_tokens

    prompt = sum(estimate_prompt_tokens(r) for r in requests)
    completion = sum(r.max_tokens for r in requests)
    return RunPlan(
        calls=len(requests),
        already_answered=already_answered,
        prompt_tokens=prompt,
        completion_tokens=completion,
        seconds_per_call=seconds_per_call,
        concurrency=concurrency,
        cost_usd=None if price is None else price.cost(prompt, completion),
        scoring=scoring,
    )


class AnswerJournal:
    """Answers received so far, one JSON line each, keyed by the request's content hash."""

    def __init__(self, path: Path | None, model: str) -> None:
        """``path`` None: kept in memory only (nothing to resume from)."""
        self.path = path
        self.model = model
        self._lock = threading.Lock()
        self._answers: dict[str, dict[str, Any]] = {}
        if path is not None and path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    self._answers[str(entry["key"])] = entry
                except (ValueError, KeyError, TypeError):
                    # a last line cut by the interruption itself: that answer is asked again
                    if number != len(lines):
                        raise ValueError(f"{path}: line {number} is not a journal entry") from None

    def key(self, request: LLMRequest) -> str:
        from synthsoc.llm import request_key

        return request_key(self.model, request)

    def __contains__(self, request: LLMRequest) -> bool:
        return self.key(request) in self._answers

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, request: LLMRequest) -> LLMResponse | None:
        from synthsoc.llm import LLMResponse

        entry = self._answers.get(self.key(request))
        if entry is None:
            return None
        top = entry.get("top_logprobs")
        return LLMResponse(
            text=str(entry["text"]),
            data=entry["data"],
            prompt_tokens=int(entry["prompt_tokens"]),
            completion_tokens=int(entry["completion_tokens"]),
            cached=True,
            latency_s=0.0,
            top_logprobs=None if top is None else tuple(dict(t) for t in top),
        )

    def record(self, request: LLMRequest, response: LLMResponse) -> None:
        key = self.key(request)
        entry: dict[str, Any] = {
            "key": key,
            "text": response.text,
            "data": response.data,
            "prompt_tokens": response.prompt_tokens,
            "completion_tokens": response.completion_tokens,
            # the first output token's alternatives only: all that scoring reads (a reason
            # written after the label would otherwise store 20 alternatives per token)
            "top_logprobs": None
            if response.top_logprobs is None
            else list(response.top_logprobs[:1]),
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self._answers[key] = entry
            if self.path is None:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()


@dataclass(frozen=True)
class FanOut:
    """Requests as work units of ``executor``, at most ``unit_requests`` a unit and at least
    two units per worker while there are requests for them (a small survey still keeps every
    worker busy); each worker process answers through its own client opened from ``opener``,
    ``concurrency`` calls at once. The unit size never changes the answers."""

    executor: Executor
    opener: LLMOpener
    concurrency: int = 4
    unit_requests: int = 16

    def __post_init__(self) -> None:
        if self.unit_requests < 1 or self.concurrency < 1:
            raise ValueError("unit_requests and concurrency must be at least 1")


@dataclass(frozen=True)
class UnitAnswers:
    """A unit's answers (None where one failed or was not reached) and, where a budget stop
    ended the unit, the stop's message: the answers that came before it are kept."""

    answers: list[LLMResponse | None]
    stopped: str | None = None


class CompleteChunk(Protocol):
    """Answers one chunk (the engine's batch call with its per-request fallback), passing
    each answer to ``on_answer`` as it arrives."""

    def __call__(
        self,
        requests: list[LLMRequest],
        on_answer: Callable[[int, LLMResponse], None] | None = None,
    ) -> list[LLMResponse | None]: ...


def _answer_unit(shared: tuple[LLMOpener, int], requests: list[LLMRequest]) -> UnitAnswers:
    """One unit on a worker: its requests through this process's client."""
    from synthsoc.llm import BudgetExceeded
    from synthsoc.llm.batch import complete_batch
    from synthsoc.llm.worker import worker_llm

    opener, concurrency = shared
    got: list[LLMResponse | None] = [None] * len(requests)

    def keep(index: int, answer: LLMResponse) -> None:
        got[index] = answer

    try:
        return UnitAnswers(complete_batch(worker_llm(opener), requests, concurrency, keep))
    except BudgetExceeded as stop:
        return UnitAnswers(got, stopped=str(stop))


def run_requests(
    requests: Sequence[LLMRequest],
    *,
    journal: AnswerJournal,
    on_progress: Progress | None,
    complete: CompleteChunk,
    chunk: int | None = None,
    fan_out: FanOut | None = None,
) -> list[LLMResponse | None]:
    """Answers for ``requests`` (None where one failed): journal first, then the server.

    ``complete`` answers one chunk (the engine's batch call with its per-request fallback);
    with ``fan_out`` the chunks run on its executor instead. Answers are journaled here, in
    this process, as each one arrives (fan-out: as each unit returns), so a budget stop or an
    interruption loses none that came before it.
    """
    out: list[LLMResponse | None] = [None] * len(requests)
    pending: list[int] = []
    for i, request in enumerate(requests):
        found = journal.get(request)
        if found is not None:
            out[i] = found
        else:
            pending.append(i)
    done = len(requests) - len(pending)
    if on_progress is not None:
        on_progress(done, len(requests))
    if fan_out is not None:
        size = max(1, min(fan_out.unit_requests,
                          -(-len(pending) // (2 * fan_out.executor.workers))))
        units = [pending[k : k + size] for k in range(0, len(pending), size)]
        finished = [done]

        stops: list[str] = []

        def arrived(k: int, unit: UnitAnswers) -> None:
            for i, answer in zip(units[k], unit.answers, strict=True):
                out[i] = answer
                if answer is not None:
                    journal.record(requests[i], answer)
            if unit.stopped is not None:
                stops.append(unit.stopped)
            finished[0] += len(units[k])
            if on_progress is not None:
                on_progress(finished[0], len(requests))

        from synthsoc.llm.worker import close_worker_llm

        try:
            # forked local workers: a unit touches no polars, and opens its own client (none of
            # this process's sockets or threads is used in the child)
            fan_out.executor.map(
                _answer_unit, [[requests[i] for i in unit] for unit in units],
                shared=(fan_out.opener, fan_out.concurrency), on_result=arrived, start="fork",
            )
        finally:
            close_worker_llm()  # a unit run in this process (one unit, one worker)
        if stops:
            from synthsoc.llm import BudgetExceeded

            raise BudgetExceeded(stops[0])
        return out
    size = chunk or 16
    for start in range(0, len(pending), size):
        part = pending[start : start + size]

        def record(k: int, answer: LLMResponse, part: list[int] = part) -> None:
            journal.record(requests[part[k]], answer)

        answers = complete([requests[i] for i in part], record)
        for i, answer in zip(part, answers, strict=True):
            out[i] = answer
        done += len(part)
        if on_progress is not None:
            on_progress(done, len(requests))
    return out


def time_one(
    complete: CompleteChunk,
    request: LLMRequest,
    journal: AnswerJournal,
) -> float:
    """Send one request alone (its answer is journaled, so it is not asked again) and return
    the wall time it took: the measured speed behind the plan's estimate."""
    started = time.perf_counter()
    answer = complete([request])[0]
    seconds = time.perf_counter() - started
    if answer is not None:
        journal.record(request, answer)
    return seconds
