"""A budget of LLM calls that a host (the synthsoc server) hands to the commands it runs.

The server runs each job as a ``synthsoc`` child process and sets two environment variables:
``SYNTHSOC_LLM_BUDGET_FILE`` (a :class:`synthsoc.executor.FileCounters` file holding the calls
the user has made, shared by every job of that user) and ``SYNTHSOC_LLM_BUDGET_CALLS`` (the
user's limit). :func:`synthsoc.llm.open_llm` reads them, so every client a job opens counts
its calls there and refuses, with :class:`synthsoc.llm.BudgetExceeded`, the call that would
pass the limit, whichever command opened it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from synthsoc.executor import FileCounters
from synthsoc.llm.types import LLMError

BUDGET_FILE_ENV = "SYNTHSOC_LLM_BUDGET_FILE"
BUDGET_CALLS_ENV = "SYNTHSOC_LLM_BUDGET_CALLS"
BUDGET_LABEL = "the user's LLM budget on this server"


@dataclass(frozen=True)
class HostBudget:
    """The counters file and the call limit a host set for this process."""

    counters: FileCounters
    max_calls: int

    def environment(self) -> dict[str, str]:
        """The variables that hand this budget to a child process."""
        return {BUDGET_FILE_ENV: str(self.counters.path), BUDGET_CALLS_ENV: str(self.max_calls)}


def host_budget(path: Path, max_calls: int) -> HostBudget:
    return HostBudget(FileCounters(path), max_calls)


def budget_from_env(env: Mapping[str, str] | None = None) -> HostBudget | None:
    """The host's budget from ``env`` (default ``os.environ``); None when none is set."""
    env = os.environ if env is None else env
    path, calls = env.get(BUDGET_FILE_ENV), env.get(BUDGET_CALLS_ENV)
    if not path and not calls:
        return None
    if not path or not calls or not calls.isdigit():
        raise LLMError(
            f"{BUDGET_FILE_ENV}={path!r} and {BUDGET_CALLS_ENV}={calls!r}: set both, the "
            "second a whole number of calls"
        )
    return host_budget(Path(path), int(calls))
