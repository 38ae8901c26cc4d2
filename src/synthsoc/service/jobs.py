"""Long work as jobs: a huey queue (SqliteHuey, an embedded store) whose task runs the synthsoc
command line in a child process.

Each job is a list of ``synthsoc`` commands (a population job is ``populate`` then
``personas``). Running them as child processes means a job that crashes, runs out of memory or
is killed cannot take the server down, writes its folder exactly as the command line does
(issue 8's output-folder rules) and fails with the command line's own error text. The queue
survives a restart (huey keeps it in SQLite); the run index (:mod:`synthsoc.service.store`) says
what finished. Cancellation stops the child's whole process group (SIGTERM, then SIGKILL).

Every child gets the owner's LLM budget in its environment (:mod:`synthsoc.llm.host_budget`):
one counter file per user, so the LLM client itself stops the job whose next call would pass
the user's limit, and the run is marked with what it left (``partial``). A job that did not
succeed has its staging folders removed (:func:`synthsoc.atomic.recover_leftovers`: only
folders a synthsoc process made and no live process owns), when it ends and again when the
server next starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huey import SqliteHuey
from huey.api import Task
from huey.consumer import Consumer

from synthsoc.atomic import recover_leftovers
from synthsoc.job_progress import PROGRESS_ENV
from synthsoc.llm.host_budget import BUDGET_LABEL, HostBudget, host_budget
from synthsoc.processes import stop_group
from synthsoc.service.config import ServiceConfig, load_users
from synthsoc.service.store import FINISHED, Run, RunStore

POLL_S = 0.3
LOG_TAIL_CHARS = 2000


class EmbeddedConsumer(Consumer):
    """huey's consumer running inside the web server: it leaves the server's signal handlers
    alone (uvicorn owns SIGINT / SIGTERM and stops the workers on shutdown)."""

    def _set_signal_handlers(self) -> None:
        return None


@dataclass
class JobQueue:
    """The huey instance, its one task and the consumer that runs it in worker threads."""

    huey: SqliteHuey
    task: Any
    store: RunStore
    stopping: threading.Event = field(default_factory=threading.Event)
    consumer: Consumer | None = None

    def submit(self, run_id: str) -> None:
        self.task(run_id)

    def start_workers(self, workers: int) -> None:
        self.stopping.clear()
        self.consumer = EmbeddedConsumer(self.huey, workers=workers, worker_type="thread",
                                         periodic=False, check_worker_health=False)
        self.consumer.start()

    def stop_workers(self) -> None:
        """Stop taking jobs; running children are stopped and their runs marked interrupted."""
        self.stopping.set()
        if self.consumer is not None:
            self.consumer.stop(graceful=True)
            self.consumer = None


def make_queue(config: ServiceConfig, store: RunStore) -> JobQueue:
    """The queue of one data folder; ``submit`` enqueues a run already in the index."""
    huey = SqliteHuey(name="synthsoc", filename=str(config.queue_db), results=False)
    stopping = threading.Event()

    def run_job(run_id: str, task: Task | None = None) -> None:
        execute(config, store, run_id, stopping)

    task = huey.task(context=True, name="synthsoc.run")(run_job)
    return JobQueue(huey, task, store, stopping)


def recover(store: RunStore, queue: JobQueue) -> None:
    """After a restart: runs that were running are marked interrupted (their child is stopped
    if it is still alive); what unfinished runs staged is cleaned; queued runs are enqueued
    again (a run is only ever claimed once)."""
    for run in store.with_status(("running",)):
        if run.pid is not None and _is_our_child(run.pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(run.pid, signal.SIGKILL)
            _wait_gone(run.pid)
        store.finish(run.id, "interrupted",
                     "the server stopped while this job was running; start it again")
    for run in store.with_status(tuple(s for s in FINISHED if s != "succeeded")):
        clean_staging(run)
    for run in store.with_status(("queued",)):
        queue.submit(run.id)


def clean_staging(run: Run) -> list[str]:
    """Remove the staging folders a run's commands left (``.ID.*.partial`` beside its folder,
    ``.synthsoc.*.partial`` inside it); the progress file the server wrote for it. Nothing
    else is touched: the log, the answers journal and any file the job did not write stay."""
    if run.owner == "shared" or not run.steps:
        return []
    folder = Path(run.folder)
    done = recover_leftovers(folder)
    progress = folder.parent / f".{folder.name}.progress.json"
    if progress.is_file():
        progress.unlink()
        done.append(f"removed {progress}")
    return done


def llm_budget(config: ServiceConfig, owner: str) -> HostBudget:
    """The owner's counter of LLM calls and limit (the users file as it is now)."""
    users = {u.name: u for u in load_users(config.users_file, config.limits).values()}
    user = users.get(owner)
    limit = user.llm_budget_calls if user is not None else config.limits.llm_budget_calls
    return host_budget(config.llm_counter(owner), limit)


def llm_calls_used(config: ServiceConfig, owner: str) -> int:
    path = config.llm_counter(owner)
    if not path.is_file():
        return 0
    return int(host_budget(path, 0).counters.read().get("calls", 0.0))


def _wait_gone(pid: int, timeout_s: float = 10.0) -> None:
    """Wait until ``pid`` has exited (gone, or a zombie), so what it owned can be cleaned."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        if "\nState:\tZ" in status:
            return
        time.sleep(0.05)


def _is_our_child(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"synthsoc" in cmdline


def execute(config: ServiceConfig, store: RunStore, run_id: str,
            stopping: threading.Event) -> None:
    """Run every step of ``run_id`` as a child process; record progress, outcome and log."""
    if not store.claim(run_id):
        return  # cancelled before it started, or already claimed
    run = store.get(run_id)
    assert run is not None
    folder = Path(run.folder)
    log_path = folder.parent / f".{folder.name}.log"
    progress_path = folder.parent / f".{folder.name}.progress.json"
    deadline = time.monotonic() + config.limits.job_timeout_s
    n_steps = len(run.steps)
    try:
        env = llm_budget(config, run.owner).environment()
        for index, argv in enumerate(run.steps):
            stage = f"step {index + 1} of {n_steps}: synthsoc {argv[0]}"
            store.update(run_id, stage=stage, progress=index / n_steps)
            outcome = _run_step(store, run_id, argv, log_path, progress_path, deadline,
                                index, n_steps, stopping, env)
            if outcome is not None:
                status, message = outcome
                if BUDGET_LABEL in message:
                    store.update(run_id, partial=partial_note(run, index))
                store.finish(run_id, status, message.replace(str(config.data_dir), "DATA"))
                clean_staging(run)
                return
        store.finish(run_id, "succeeded", "")
    except Exception as exc:  # the server keeps serving whatever a job does
        store.finish(run_id, "failed", f"job runner error: {exc!r}")
        clean_staging(run)


def partial_note(run: Run, step: int) -> str:
    """What a job stopped by the LLM budget left: the answers its journal kept, if any."""
    folder = Path(run.folder)
    journal = folder.parent / f"{folder.name}.journal.jsonl"
    done = f"steps 1-{step} of {len(run.steps)} finished; " if step else ""
    if journal.is_file():
        answers = sum(1 for line in journal.read_text(encoding="utf-8").splitlines()
                      if line.strip())
        return (f"stopped by the LLM budget: {done}{answers} answers received before the stop "
                "are kept in the run's answer journal; no results were written (the sample "
                "was not finished, so shares from it would not be the survey's)")
    return (f"stopped by the LLM budget: {done}no results were written for the step that "
            "was stopped")


def _run_step(
    store: RunStore, run_id: str, argv: list[str], log_path: Path, progress_path: Path,
    deadline: float, index: int, n_steps: int, stopping: threading.Event,
    extra_env: dict[str, str],
) -> tuple[str, str] | None:
    """One command; None when it succeeded, else (status, message)."""
    env = {**os.environ, PROGRESS_ENV: str(progress_path), "COLUMNS": "120",
           "NO_COLOR": "1", "TERM": "dumb", **extra_env}
    progress_path.unlink(missing_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        log.write(f"$ synthsoc {' '.join(argv)}\n".encode())
        log.flush()
        child = subprocess.Popen(
            [sys.executable, "-m", "synthsoc", *argv], stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    store.update(run_id, pid=child.pid)
    try:
        while child.poll() is None:
            time.sleep(POLL_S)
            _read_progress(store, run_id, progress_path, index, n_steps)
            if store.cancel_requested(run_id):
                stop_group(child, grace_s=5.0)
                return "cancelled", "cancelled while running; nothing of it was kept"
            if stopping.is_set():
                stop_group(child, grace_s=5.0)
                return "interrupted", "the server stopped while this job was running"
            if time.monotonic() > deadline:
                stop_group(child, grace_s=5.0)
                return "failed", "the job ran past the server's time limit and was stopped"
    finally:
        if child.poll() is None:
            stop_group(child, grace_s=1.0)
    code = child.returncode
    if code == 0:
        return None
    tail = log_path.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL_CHARS:]
    if code < 0:
        name = signal.Signals(-code).name
        return "failed", f"synthsoc {argv[0]} was killed by {name}; its output was not kept"
    flat = " ".join(tail.split())  # the console wraps long lines
    if BUDGET_LABEL in flat:
        return "failed", ("stopped by the LLM budget: " +
                          flat[flat.index(BUDGET_LABEL):].split("; no further call")[0])
    return "failed", f"synthsoc {argv[0]} failed (exit {code}):\n{_error_lines(tail)}"


def _read_progress(
    store: RunStore, run_id: str, path: Path, index: int, n_steps: int
) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        done, total = int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    if total > 0:
        store.update(run_id, progress=(index + min(done, total) / total) / n_steps,
                     stage=f"step {index + 1} of {n_steps}: {data.get('stage', '')} "
                           f"{done}/{total}")


def _error_lines(log_tail: str) -> str:
    """The command's last error (the CLI prints it after `error:` / `failed:`), else the tail."""
    lines = [ln for ln in log_tail.splitlines() if ln.strip()]
    hits = [i for i, ln in enumerate(lines) if "error" in ln.lower() or "failed" in ln.lower()]
    if not hits:
        return "\n".join(lines[-8:])
    # the last error, with the lines the console wrapped it onto
    return " ".join(ln.strip() for ln in lines[hits[-1]:hits[-1] + 8])
