"""One LLM client per worker process of an executor, opened from settings resolved in the driver.

Work spread over :mod:`synthsoc.executor` (survey respondents, for one) cannot carry an open
client (a socket, maybe an embedded server process) to another process or node. It carries an
:class:`LLMOpener` instead: :func:`worker_llm` opens it once in each worker process and keeps it
for every later unit with the same ``key``; a new key (the next run) closes the previous client
first, so a long-lived worker (Ray's) holds at most one. :func:`close_worker_llm` closes it
(the driver calls it after a map that may have run units in its own process); a worker
process that ends closes its client on exit.
"""

from __future__ import annotations

import atexit
import uuid
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from typing import Any, Protocol

from synthsoc.executor import Counters
from synthsoc.llm.config import LLMConfig
from synthsoc.llm.types import LLM


class LLMOpener(Protocol):
    """Picklable recipe for a client; ``key`` names the run that shares one client per
    process."""

    @property
    def key(self) -> str: ...

    def open(self) -> AbstractContextManager[LLM]: ...


@dataclass(frozen=True)
class ConfiguredLLM:
    """:func:`synthsoc.llm.open_llm` with the driver's settings (``config``, resolved once, so
    a node with another working directory or environment opens the same backend)."""

    backend: str
    config: LLMConfig
    logprobs: bool = False
    max_calls: int | None = None
    budget_usd: float | None = None
    counters: Counters | None = None  # the run's shared budget (Executor.counters)
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    def open(self) -> AbstractContextManager[LLM]:
        from synthsoc.llm.factory import open_llm

        return open_llm(self.backend, config=self.config, logprobs=self.logprobs,
                        max_calls=self.max_calls, budget_usd=self.budget_usd,
                        counters=self.counters)


_OPEN: dict[str, Any] = {}  # this process's client: "key", "stack", "llm"


def worker_llm(opener: LLMOpener) -> LLM:
    """This process's client for ``opener`` (opened on first use, kept for its key)."""
    if _OPEN.get("key") != opener.key:
        close_worker_llm()
        stack = ExitStack()
        llm = stack.enter_context(opener.open())
        if not _OPEN.get("registered"):
            atexit.register(close_worker_llm)
        _OPEN.update(key=opener.key, stack=stack, llm=llm, registered=True)
    return _OPEN["llm"]


def close_worker_llm() -> None:
    """Close this process's worker client, if one is open."""
    stack = _OPEN.pop("stack", None)
    _OPEN.pop("key", None)
    _OPEN.pop("llm", None)
    if stack is not None:
        stack.close()
