"""Progress of a long command, reported to whoever started it (the server's job runner).

A parent that wants progress sets ``SYNTHSOC_PROGRESS_FILE`` in the child's environment; the
child's command calls :func:`report_progress`, which writes ``{"done", "total", "stage"}`` to
that file atomically. Without the variable it does nothing, so commands call it freely.
"""

from __future__ import annotations

import os
from pathlib import Path

from synthsoc.atomic import write_json

PROGRESS_ENV = "SYNTHSOC_PROGRESS_FILE"


def report_progress(done: int, total: int, stage: str) -> None:
    """Write ``done`` of ``total`` for ``stage`` to the progress file, if one was asked for."""
    target = os.environ.get(PROGRESS_ENV)
    if target:
        write_json(Path(target), {"done": done, "total": total, "stage": stage})
