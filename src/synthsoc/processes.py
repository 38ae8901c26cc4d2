"""Child processes that never outlive synthsoc: parent-death signals, process groups, SIGTERM.

* :func:`die_with_parent` (Linux ``prctl(PR_SET_PDEATHSIG)``) runs in a child: the kernel kills
  it when its parent dies, even by SIGKILL, which no handler in the parent could catch.
* :func:`stop_group` ends a child started with ``start_new_session=True`` and everything it
  started (SIGTERM to the whole group, then SIGKILL after a grace period).
* :func:`sigterm_as_exit` turns SIGTERM into ``SystemExit`` in the main thread, so ``with``
  blocks, ``finally`` clauses and ``atexit`` handlers (which stop children and remove staging
  folders) run on ``kill PID`` as they do on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from types import FrameType

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """In a child (before exec, or in a forked worker): receive ``sig`` when the parent dies.

    A no-op off Linux. If the parent is already gone (the race before prctl), exit at once.
    """
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, int(sig))
    if os.getppid() != parent:
        os._exit(1)


def stop_group(process: subprocess.Popen[bytes], grace_s: float = 10.0) -> None:
    """Stop ``process`` and its process group (it must lead one: ``start_new_session=True``)."""
    if process.poll() is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # stragglers of an exited leader
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _raise_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """Within the block, SIGTERM raises ``SystemExit(143)`` in the main thread (if the default
    handler is in place; another handler, or a call from another thread, is left alone)."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, _raise_exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
