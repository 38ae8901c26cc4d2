"""A client for any OpenAI-compatible chat completions endpoint (vLLM, Ollama, llama.cpp, OpenAI).

It makes exactly one HTTP call per ``complete``; retries, caching, budgets and validation are
wrappers around it. Failures worth retrying raise ``TransientLLMError``; the rest ``LLMError``.

``timeout_s`` is a total deadline per request, not per read: the reply is read in chunks and a
server that sends slowly (a byte every few seconds) is cut off when the deadline passes. Token
counts the server reports are checked against an estimate (:func:`checked_tokens`), so a
server reporting zero or negative counts cannot make calls look free.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Literal

import httpx

from synthsoc.llm.base import LLMBase
from synthsoc.llm.budget import checked_tokens, estimate_text_tokens
from synthsoc.llm.types import (
    LLMError,
    LLMRequest,
    LLMResponse,
    Price,
    TransientLLMError,
    Usage,
)

ResponseFormat = Literal["json_schema", "json_object", "none"]
RESPONSE_FORMATS: tuple[str, ...] = ("json_schema", "json_object", "none")
MAX_REPLY_BYTES = 16 * 1024 * 1024  # a chat completion is far smaller; more is a broken server


def response_format_field(schema: dict[str, Any], mode: ResponseFormat) -> dict[str, Any] | None:
    """The ``response_format`` field that asks the server to constrain output to ``schema``.

    ``json_schema`` is OpenAI's form (also vLLM, Ollama, llama.cpp's own ``llama-server``);
    ``json_object`` with a ``schema`` key is what llama-cpp-python's server accepts (it turns the
    schema into a grammar); ``none`` sends nothing and relies on validation and re-asking.
    """
    if mode == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema, "strict": False},
        }
    if mode == "json_object":
        return {"type": "json_object", "schema": schema}
    return None


class OpenAICompatibleClient(LLMBase):
    """One HTTP call per request to ``{base_url}/chat/completions``."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        name: str,
        api_key: str | None = None,
        price: Price | None = None,
        timeout_s: float = 120.0,
        response_format: ResponseFormat = "json_schema",
        max_connections: int = 16,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.name = name
        self.endpoint = f"{self.base_url}/chat/completions"
        self.price = price or Price()
        self.response_format: ResponseFormat = response_format
        self.timeout_s = timeout_s
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            limits=httpx.Limits(max_connections=max_connections),
        )
        self._lock = threading.Lock()
        self._usage = Usage()

    def close(self) -> None:
        self._http.close()

    @property
    def usage(self) -> Usage:
        with self._lock:
            return self._usage

    def payload(self, request: LLMRequest) -> dict[str, Any]:
        """The JSON body sent for ``request``."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": request.messages(),
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        if request.logprobs is not None:
            body["logprobs"] = True
            body["top_logprobs"] = request.logprobs
        if request.json_schema is not None:
            field = response_format_field(request.json_schema, self.response_format)
            if field is not None:
                body["response_format"] = field
        return body

    def _post(self, request: LLMRequest, where: str) -> tuple[int, bytes]:
        """POST and read the whole reply within ``timeout_s`` in total."""
        deadline = time.monotonic() + self.timeout_s
        timeout = httpx.Timeout(self.timeout_s, connect=min(self.timeout_s, 10.0))
        try:
            with self._http.stream(
                "POST", self.endpoint, json=self.payload(request), timeout=timeout
            ) as reply:
                chunks: list[bytes] = []
                size = 0
                for chunk in reply.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if time.monotonic() > deadline:
                        raise TransientLLMError(
                            f"{where}: no complete reply within the deadline of "
                            f"{self.timeout_s:g} s ({size} bytes received so far)"
                        )
                    if size > MAX_REPLY_BYTES:
                        raise LLMError(f"{where}: reply larger than {MAX_REPLY_BYTES} bytes")
                return reply.status_code, b"".join(chunks)
        except httpx.TimeoutException as error:
            raise TransientLLMError(
                f"{where}: timed out after {self.timeout_s:g} s: {error}") from error
        except httpx.TransportError as error:
            raise TransientLLMError(f"{where}: cannot connect: {error}") from error

    def complete(self, request: LLMRequest) -> LLMResponse:
        where = f"{self.endpoint} (model {self.model})"
        started = time.perf_counter()
        status, content = self._post(request, where)
        reply = httpx.Response(status, content=content)
        latency = time.perf_counter() - started
        if reply.status_code == 429 or reply.status_code >= 500:
            raise TransientLLMError(f"{where}: HTTP {reply.status_code}: {reply.text[:500]}")
        if reply.status_code != 200:
            hint = ""
            if reply.status_code in (400, 422) and request.json_schema is not None:
                hint = (
                    f" (the request carried response_format={self.response_format!r}; if the "
                    "server does not support it, set SYNTHSOC_LLM_RESPONSE_FORMAT to "
                    "json_object or none)"
                )
            raise LLMError(f"{where}: HTTP {reply.status_code}: {reply.text[:1000]}{hint}")
        try:
            body = reply.json()
            text = body["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise LLMError(f"{where}: unexpected reply {reply.text[:500]!r}") from error
        if not isinstance(text, str):
            raise LLMError(f"{where}: the reply's content is not text: {reply.text[:500]!r}")
        usage = body.get("usage") if isinstance(body, dict) else None
        usage = usage if isinstance(usage, dict) else {}
        prompt_tokens = checked_tokens(
            usage.get("prompt_tokens"),
            sum(estimate_text_tokens(m["content"]) for m in request.messages()),
        )
        completion_tokens = checked_tokens(usage.get("completion_tokens"),
                                           estimate_text_tokens(text))
        with self._lock:
            before = self._usage
            self._usage = Usage(
                calls=before.calls + 1,
                cache_hits=before.cache_hits,
                prompt_tokens=before.prompt_tokens + prompt_tokens,
                completion_tokens=before.completion_tokens + completion_tokens,
                cost_usd=before.cost_usd + self.price.cost(prompt_tokens, completion_tokens),
            )
        return LLMResponse(
            text=text,
            data=None,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cached=False,
            latency_s=latency,
            top_logprobs=_top_logprobs(body) if request.logprobs is not None else None,
        )


def _top_logprobs(body: dict[str, Any]) -> tuple[dict[str, float], ...] | None:
    """``choices[0].logprobs.content[i].top_logprobs`` (OpenAI's form, also llama.cpp's) as
    one ``{token: logprob}`` per output token; None when the server sent none."""
    content = ((body["choices"][0].get("logprobs") or {}).get("content")) or []
    out = []
    for entry in content:
        alternatives = entry.get("top_logprobs") or []
        out.append({str(a["token"]): float(a["logprob"]) for a in alternatives})
    return tuple(out) if out else None
