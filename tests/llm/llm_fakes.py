"""Fakes for logic tests (imported by the tests of every layer): a scripted backend, and a tiny
OpenAI-compatible HTTP server."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from synthsoc.llm import LLMBase, LLMRequest, LLMResponse, Usage

Answer = str | Exception | dict[str, float] | tuple[str, dict[str, float]]
Script = Callable[[LLMRequest, int], Answer]


class ScriptedLLM(LLMBase):
    """Answers ``script(request, call_number)``; an Exception answer is raised instead, and a
    dict answer ``{token: log-probability}`` is the first output token's top log-probabilities
    (a server asked for them), with that dict's most probable token as the text (a pair
    ``(text, {token: log-probability})`` gives the text too: a label and a reason). A text answer
    to a request with a JSON schema that parses as JSON is also returned parsed as ``data`` (a
    server honouring the schema; :class:`synthsoc.llm.StructuredLLM` re-reads the text anyway).

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
        logprobs = None
        if isinstance(answer, tuple):
            answer, first = answer
            logprobs = (first,)
        elif isinstance(answer, dict):
            logprobs = (answer,)
            answer = max(answer, key=answer.__getitem__)
        prompt_tokens = len(request.prompt) + len(request.system or "")
        completion_tokens = len(answer)
        with self._lock:
            self._usage = replace(
                self._usage,
                calls=self._usage.calls + 1,
                prompt_tokens=self._usage.prompt_tokens + prompt_tokens,
                completion_tokens=self._usage.completion_tokens + completion_tokens,
            )
        data: Any = None
        if request.json_schema is not None and logprobs is None:
            try:
                data = json.loads(answer)
            except ValueError:
                data = None
        return LLMResponse(
            text=answer,
            data=data,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cached=False,
            latency_s=self.delay_s,
            top_logprobs=logprobs,
        )


def by_request(script: Callable[[LLMRequest], Any]) -> Script:
    """A script of the request alone whose answer is JSON data (None: no valid answer, i.e.
    ``null``), or ``{"top_logprobs": {token: log-probability}}`` for the first output token's
    log-probabilities (with ``"text"``: the generated text as well)."""

    def answer(request: LLMRequest, number: int) -> Answer:
        data = script(request)
        if isinstance(data, dict) and "top_logprobs" in data:
            first = dict(data["top_logprobs"])
            return (str(data["text"]), first) if "text" in data else first
        return json.dumps(data, ensure_ascii=False)

    return answer


def age_of(request: LLMRequest) -> int:
    """The persona's age in a survey prompt (``나이: N세``)."""
    match = re.search(r"나이: (\d+)세", request.prompt)
    assert match, request.prompt
    return int(match.group(1))


def echo(request: LLMRequest, number: int) -> Answer:
    """Answer with the prompt and the call number, so every call is distinguishable."""
    return f"{request.prompt}#{number}"


class FakeServer:
    """Records request bodies and headers; replies with ``status`` and a chat completion."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 200
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                fake.bodies.append(json.loads(self.rfile.read(length)))
                fake.headers.append(dict(self.headers))
                if fake.status == 200:
                    reply = {
                        "choices": [{"message": {"role": "assistant", "content": "안녕하세요"}}],
                        "usage": {"prompt_tokens": 12, "completion_tokens": 3},
                    }
                else:
                    reply = {"error": {"message": f"status {fake.status}"}}
                data = json.dumps(reply).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # the health check of an endpoint pool: GET /v1/models
                data = json.dumps({"data": [{"id": "fake"}]}).encode()
                self.send_response(200 if self.path.endswith("/models") else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/v1"


@contextmanager
def serving() -> Iterator[FakeServer]:
    """A FakeServer answering on a background thread for the duration of the block."""
    fake = FakeServer()
    thread = threading.Thread(target=fake.http.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.http.shutdown()
        fake.http.server_close()
