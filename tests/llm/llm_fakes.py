"""A scripted fake backend for logic tests (imported by the tests beside it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

from synthsoc.llm import LLMBase, LLMRequest, LLMResponse, Usage

Answer = str | Exception
Script = Callable[[LLMRequest, int], Answer]


class ScriptedLLM(LLMBase):
    """Answers ``script(request, call_number)``; an Exception answer is raised instead.

    Counts calls, tokens (one per character, so tests can reason about cost) and the largest
    number of calls in flight at once; ``delay_s`` holds each call open that long.
    """

    def __init__(self, script: Script, *, delay_s: float = 0.0) -> None:
        self.name = "fake:scripted"
        self.endpoint = "fake://scripted"
        self.script = script
        self.delay_s = delay_s
        self.requests: list[LLMRequest] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._usage = Usage()

    @property
    def calls(self) -> int:
        return len(self.requests)

    @property
    def usage(self) -> Usage:
        return self._usage

    def complete(self, request: LLMRequest) -> LLMResponse:
        with self._lock:
            self.requests.append(request)
            number = len(self.requests)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            time.sleep(self.delay_s)
            answer = self.script(request, number)
        finally:
            with self._lock:
                self._in_flight -= 1
        if isinstance(answer, Exception):
            raise answer
        prompt_tokens = len(request.prompt) + len(request.system or "")
        completion_tokens = len(answer)
        with self._lock:
            self._usage = replace(
                self._usage,
                calls=self._usage.calls + 1,
                prompt_tokens=self._usage.prompt_tokens + prompt_tokens,
                completion_tokens=self._usage.completion_tokens + completion_tokens,
            )
        return LLMResponse(
            text=answer,
            data=None,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cached=False,
            latency_s=self.delay_s,
        )


def echo(request: LLMRequest, number: int) -> Answer:
    """Answer with the prompt and the call number, so every call is distinguishable."""
    return f"{request.prompt}#{number}"
