"""A pool of OpenAI-compatible endpoints serving one model: calls fan out over them.

Each endpoint has its own concurrency limit (calls in flight at once), its own retries
(:class:`RetryingLLM` around its client) and a health check (``GET {base_url}/models``, what
llama.cpp, vLLM and OpenAI serve). A call goes to the healthy endpoint with the most free room
(fewest calls in flight for its limit; on a tie, the one given the fewest calls so far for its
limit, then the first listed), so calls spread over the endpoints even when each returns
before the next starts; it waits when every endpoint is full. An endpoint whose retries are
exhausted by transient failures (connection refused, timeouts, HTTP 429/5xx) is marked
unhealthy, the call moves to the next endpoint, and the endpoint is checked again
``recheck_s`` later; a permanent error (HTTP 400, ...) is raised at once, since every endpoint
would give it. When no endpoint is left the error names each one with its last failure.

Every endpoint must serve the same model: the pool answers under one name, which the cache key
uses (:mod:`synthsoc.llm.cache`), so an answer does not depend on which endpoint gave it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from synthsoc.llm.base import LLMBase
from synthsoc.llm.openai_client import OpenAICompatibleClient
from synthsoc.llm.retry import RetryingLLM, RetryPolicy
from synthsoc.llm.types import (
    LLMError,
    LLMRequest,
    LLMResponse,
    Price,
    TransientLLMError,
    Usage,
)

log = logging.getLogger(__name__)
HEALTH_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class EndpointConfig:
    """One endpoint of a pool: its base URL (``http://host:port/v1``) and how many calls it
    takes at once."""

    base_url: str
    concurrency: int = 4

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"endpoint base_url {self.base_url!r} must start with http(s)://")
        if self.concurrency < 1:
            raise ValueError(
                f"endpoint {self.base_url}: concurrency must be at least 1, got {self.concurrency}"
            )


@dataclass
class _Endpoint:
    client: OpenAICompatibleClient
    retrying: LLMBase
    limit: int
    in_flight: int = 0
    healthy: bool = True
    checked_at: float = 0.0
    last_error: str = ""
    calls: int = 0
    started: int = 0


def check_health(base_url: str, timeout_s: float = HEALTH_TIMEOUT_S) -> str | None:
    """None when ``GET {base_url}/models`` answers 200; otherwise why not."""
    try:
        reply = httpx.get(base_url.rstrip("/") + "/models", timeout=timeout_s)
    except httpx.HTTPError as error:
        return f"health check failed: {error}"
    if reply.status_code != 200:
        return f"health check answered HTTP {reply.status_code}"
    return None


class EndpointPool(LLMBase):
    """Fans calls out over ``endpoints`` (see the module docstring); close it when done."""

    def __init__(
        self,
        endpoints: Sequence[EndpointConfig],
        *,
        model: str,
        name: str,
        api_key: str | None = None,
        price: Price | None = None,
        timeout_s: float = 120.0,
        response_format: str = "json_schema",
        retry: RetryPolicy | None = None,
        recheck_s: float = 30.0,
    ) -> None:
        if not endpoints:
            raise LLMError("an endpoint pool needs at least one endpoint")
        urls = [e.base_url.rstrip("/") for e in endpoints]
        if len(set(urls)) != len(urls):
            raise LLMError(f"endpoint pool: an endpoint is listed twice ({', '.join(urls)})")
        self.name = name
        self.model = model
        self.endpoint = "pool(" + ", ".join(urls) + ")"
        self.recheck_s = recheck_s
        self._cond = threading.Condition()
        self._endpoints: list[_Endpoint] = []
        for config in endpoints:
            client = OpenAICompatibleClient(
                base_url=config.base_url, model=model, name=name, api_key=api_key, price=price,
                timeout_s=timeout_s, response_format=response_format,  # type: ignore[arg-type]
                max_connections=config.concurrency,
            )
            self._endpoints.append(
                _Endpoint(client, RetryingLLM(client, retry), config.concurrency)
            )
        for ep in self._endpoints:
            self._probe(ep)
        if not any(ep.healthy for ep in self._endpoints):
            self.close()
            raise LLMError(f"no endpoint of the pool is healthy: {self._failures()}")

    def _probe(self, ep: _Endpoint) -> None:
        problem = check_health(ep.client.base_url)
        with self._cond:
            ep.checked_at = time.monotonic()
            ep.healthy = problem is None
            if problem is not None:
                ep.last_error = problem
                log.warning("LLM endpoint %s is unhealthy: %s", ep.client.base_url, problem)
            self._cond.notify_all()

    def _failures(self) -> str:
        return "; ".join(f"{ep.client.base_url}: {ep.last_error or 'unhealthy'}"
                         for ep in self._endpoints)

    def health(self) -> list[dict[str, object]]:
        """Each endpoint's state: URL, limit, calls made, healthy, last error."""
        with self._cond:
            return [{"base_url": ep.client.base_url, "concurrency": ep.limit, "calls": ep.calls,
                     "healthy": ep.healthy, "last_error": ep.last_error}
                    for ep in self._endpoints]

    def _acquire(self, tried: set[int]) -> _Endpoint:
        while True:
            stale = []
            with self._cond:
                now = time.monotonic()
                stale = [ep for i, ep in enumerate(self._endpoints) if i not in tried
                         and not ep.healthy and now - ep.checked_at >= self.recheck_s]
                if not stale:
                    usable = [(ep.in_flight / ep.limit, ep.started / ep.limit, i, ep)
                              for i, ep in enumerate(self._endpoints)
                              if i not in tried and ep.healthy]
                    if not usable:
                        raise LLMError(
                            f"{self.name}: no healthy endpoint left for this call: "
                            f"{self._failures()}"
                        )
                    free = [u for u in usable if u[3].in_flight < u[3].limit]
                    if free:
                        ep = min(free, key=lambda u: (u[0], u[1], u[2]))[3]
                        ep.in_flight += 1
                        ep.started += 1
                        return ep
                    self._cond.wait(timeout=1.0)
                    continue
            for ep in stale:  # outside the lock: a probe may take seconds
                self._probe(ep)

    def _release(self, ep: _Endpoint) -> None:
        with self._cond:
            ep.in_flight -= 1
            self._cond.notify_all()

    def complete(self, request: LLMRequest) -> LLMResponse:
        tried: set[int] = set()
        while True:
            ep = self._acquire(tried)
            try:
                response = ep.retrying.complete(request)
            except LLMError as error:
                if not isinstance(error.__cause__, TransientLLMError) and \
                        not isinstance(error, TransientLLMError):
                    raise
                with self._cond:
                    ep.healthy = False
                    ep.checked_at = time.monotonic()
                    ep.last_error = str(error)
                log.warning("LLM endpoint %s failed, trying another: %s",
                            ep.client.base_url, error)
                tried.add(self._endpoints.index(ep))
                continue
            finally:
                self._release(ep)
            with self._cond:
                ep.calls += 1
            return response

    @property
    def usage(self) -> Usage:
        total = Usage()
        for ep in self._endpoints:
            u = ep.client.usage
            total = Usage(
                calls=total.calls + u.calls,
                cache_hits=total.cache_hits + u.cache_hits,
                prompt_tokens=total.prompt_tokens + u.prompt_tokens,
                completion_tokens=total.completion_tokens + u.completion_tokens,
                cost_usd=total.cost_usd + u.cost_usd,
            )
        return total

    def close(self) -> None:
        for ep in self._endpoints:
            ep.client.close()
