"""A content-addressed answer cache on disk: the same model, messages, parameters and schema
give the same answer, with no call, on this machine or any machine the folder is copied to.

Layout: ``<cache_dir>/<key[:2]>/<key>.json`` where ``key`` is the SHA-256 of the canonical JSON
(sorted keys, no spaces, UTF-8) of ``{"model", "messages", "params", "schema"}``. Each file
holds that request and the answer, and is written atomically (temporary file, then rename).

Before a call is made the entry's folder is checked to be writable (an unwritable cache is an
error before anything is paid for); should the write still fail after the call (a full disk),
the answer is returned all the same and the failure logged. An entry is used only when the
request it records is the request asked (its content, not just its file name).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from synthsoc.atomic import write_json
from synthsoc.llm.base import LLMBase, LLMWrapper
from synthsoc.llm.types import LLMError, LLMRequest, LLMResponse, Usage

CACHE_FORMAT = "synthsoc.llm.cache/1"
log = logging.getLogger(__name__)


def request_payload(model: str, request: LLMRequest) -> dict[str, Any]:
    """Everything that determines an answer, as plain JSON."""
    params: dict[str, Any] = {
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "seed": request.seed,
    }
    if request.logprobs is not None:  # only when asked, so earlier cache keys stay valid
        params["logprobs"] = request.logprobs
    return {
        "model": model,
        "messages": request.messages(),
        "params": params,
        "schema": request.json_schema,
    }


def request_key(model: str, request: LLMRequest) -> str:
    """SHA-256 hex digest of the canonical JSON of :func:`request_payload`."""
    canonical = json.dumps(
        request_payload(model, request),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class CachedLLM(LLMWrapper):
    """Answer from ``cache_dir`` when the same request was answered before; store new answers."""

    def __init__(self, inner: LLMBase, cache_dir: Path) -> None:
        super().__init__(inner)
        self.cache_dir = Path(cache_dir)
        self._lock = threading.Lock()
        self._in_flight: dict[str, threading.Event] = {}
        self._hits = 0

    @property
    def usage(self) -> Usage:
        with self._lock:
            hits = self._hits
        inner = self.inner.usage
        return replace(inner, cache_hits=inner.cache_hits + hits)

    def path_for(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def _read(self, path: Path, request: LLMRequest) -> LLMResponse:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            if entry.get("format") != CACHE_FORMAT:
                raise ValueError(f"format is {entry.get('format')!r}, expected {CACHE_FORMAT!r}")
            if entry.get("request") != request_payload(self.name, request):
                raise ValueError("it records a different request than its name says")
            answer = entry["response"]
            return LLMResponse(
                text=str(answer["text"]),
                data=answer["data"],
                prompt_tokens=int(answer["prompt_tokens"]),
                completion_tokens=int(answer["completion_tokens"]),
                cached=True,
                latency_s=0.0,
                top_logprobs=None
                if answer.get("top_logprobs") is None
                else tuple(dict(t) for t in answer["top_logprobs"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise LLMError(
                f"cache entry {path} is unreadable ({error}); delete it to ask the model again"
            ) from error

    def _hit(self, path: Path, request: LLMRequest) -> LLMResponse:
        started = time.perf_counter()
        response = self._read(path, request)
        with self._lock:
            self._hits += 1
        return replace(response, latency_s=time.perf_counter() - started)

    def complete(self, request: LLMRequest) -> LLMResponse:
        key = request_key(self.name, request)
        path = self.path_for(key)
        # Identical requests in flight at once make one call: the others wait for its answer.
        while True:
            if path.is_file():
                return self._hit(path, request)
            with self._lock:
                pending = self._in_flight.get(key)
                if pending is None:
                    mine = self._in_flight[key] = threading.Event()
                    break
            pending.wait()
        try:
            if path.is_file():
                return self._hit(path, request)
            self._check_writable(path.parent)
            response = self.inner.complete(request)
            self._store(path, key, request, response)
            return response
        finally:
            with self._lock:
                del self._in_flight[key]
            mine.set()

    def _check_writable(self, folder: Path) -> None:
        """Refuse before the call when the answer could not be kept."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".probe.", suffix=".tmp", dir=folder)
            os.close(fd)
            os.unlink(probe)
        except OSError as error:
            raise LLMError(
                f"LLM cache folder {folder} is not writable ({error.strerror}); no call made. "
                "Set SYNTHSOC_LLM_CACHE_DIR to a writable folder or disable the cache"
            ) from None

    def _store(self, path: Path, key: str, request: LLMRequest, response: LLMResponse) -> None:
        try:
            write_json(
                path,
                {
                    "format": CACHE_FORMAT,
                    "key": key,
                    "request": request_payload(self.name, request),
                    "response": {
                        "text": response.text,
                        "data": response.data,
                        "prompt_tokens": response.prompt_tokens,
                        "completion_tokens": response.completion_tokens,
                        "latency_s": response.latency_s,
                        "top_logprobs": None
                        if response.top_logprobs is None
                        else list(response.top_logprobs),
                    },
                },
            )
        except OSError as error:
            log.warning("LLM cache: could not keep the answer in %s (%s); it is used "
                        "but will be asked again next time", path, error.strerror)
