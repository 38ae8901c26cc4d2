"""The run index: one SQLite table of every job, its owner, state, progress and result folder.

Results stay where the layers write them (Parquet and JSON in the run folder); this index only
says whose run it is, how far it got and where its folder is. SQLite in WAL mode is shared by
the API threads and the job workers; every change is one short transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

RunKind = Literal["population", "survey", "simulation", "town", "policy", "sandbox"]
RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]
ACTIVE: tuple[str, ...] = ("queued", "running")
FINISHED: tuple[str, ...] = ("succeeded", "failed", "cancelled", "interrupted")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    params TEXT NOT NULL,
    steps TEXT NOT NULL,
    folder TEXT NOT NULL,
    population TEXT,
    progress REAL NOT NULL DEFAULT 0,
    stage TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    pid INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    llm_calls INTEGER NOT NULL DEFAULT 0,
    partial TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS runs_owner ON runs(owner, created);
CREATE TABLE IF NOT EXISTS shares (
    run_id TEXT NOT NULL,
    reader TEXT NOT NULL,
    PRIMARY KEY (run_id, reader)
);
CREATE INDEX IF NOT EXISTS shares_reader ON shares(reader);
"""


@dataclass(frozen=True)
class Run:
    """One row of the index."""

    id: str
    owner: str
    kind: str
    title: str
    status: str
    created: float
    started: float | None
    finished: float | None
    params: dict[str, Any]
    steps: list[list[str]]
    folder: str
    population: str | None
    progress: float
    stage: str
    message: str
    pid: int | None
    cancel_requested: bool
    llm_calls: int  # the most LLM calls the job may make (planned); the user's counter counts
    partial: str = ""  # what a stopped job left that is not a result, in words

    def public(self) -> dict[str, Any]:
        """What the API shows (no server paths, no process ids)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "params": self.params,
            "population": self.population,
            "progress": self.progress,
            "stage": self.stage,
            "message": self.message,
            "cancel_requested": self.cancel_requested,
            "llm_calls_planned": self.llm_calls,
            "partial": self.partial or None,
            "shared": self.owner == "shared",
            "owner": self.owner,
        }


def new_run_id() -> str:
    return uuid.uuid4().hex


class RunStore:
    """The SQLite run index (thread-safe; one connection per thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        db = self._connection()
        db.executescript(_SCHEMA)
        columns = {row["name"] for row in db.execute("PRAGMA table_info(runs)")}
        if "partial" not in columns:  # an index written before the column existed
            db.execute("ALTER TABLE runs ADD COLUMN partial TEXT NOT NULL DEFAULT ''")

    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def add(self, run: Run) -> None:
        with self._tx() as db:
            _insert(db, run)

    def add_if_allowed(self, run: Run, max_active: int, llm_budget: int,
                       llm_used: int) -> str | None:
        """Insert ``run`` unless its owner has ``max_active`` active runs, or the run may call
        the LLM and the owner's counter (``llm_used`` calls) has reached ``llm_budget``;
        returns the refusal, or None when added. A run that starts with budget left is stopped
        by the LLM client when the counter reaches the limit (:mod:`synthsoc.llm.host_budget`).
        """
        with self._tx() as db:
            active = db.execute(
                "SELECT COUNT(*) FROM runs WHERE owner=? AND status IN ('queued','running')",
                (run.owner,),
            ).fetchone()[0]
            if active >= max_active:
                return (f"user {run.owner!r} has {active} queued or running job(s), the limit "
                        f"is {max_active}; wait for one to finish or cancel one")
            if run.llm_calls and llm_used >= llm_budget:
                return (f"LLM budget: user {run.owner!r} has used {llm_used} of "
                        f"{llm_budget} calls; this job would call the LLM")
            _insert(db, run)
        return None

    def get(self, run_id: str) -> Run | None:
        row = self._connection().execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        return None if row is None else _run(row)

    def runs(self, owners: tuple[str, ...], kind: str | None = None,
             reader: str | None = None) -> list[Run]:
        """Runs of ``owners``, and those shared with ``reader`` when given."""
        marks = ",".join("?" * len(owners))
        sql = f"SELECT * FROM runs WHERE (owner IN ({marks})"
        args: list[Any] = list(owners)
        if reader is not None:
            sql += " OR id IN (SELECT run_id FROM shares WHERE reader=?)"
            args.append(reader)
        sql += ")"
        if kind is not None:
            sql += " AND kind=?"
            args.append(kind)
        rows = self._connection().execute(sql + " ORDER BY created DESC", args).fetchall()
        return [_run(r) for r in rows]

    def share(self, run_id: str, reader: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO shares (run_id, reader) VALUES (?, ?)",
                       (run_id, reader))

    def unshare(self, run_id: str, reader: str) -> bool:
        with self._tx() as db:
            cur = db.execute("DELETE FROM shares WHERE run_id=? AND reader=?", (run_id, reader))
            return cur.rowcount == 1

    def readers(self, run_id: str) -> list[str]:
        rows = self._connection().execute(
            "SELECT reader FROM shares WHERE run_id=? ORDER BY reader", (run_id,)).fetchall()
        return [str(r["reader"]) for r in rows]

    def shared_with(self, run_id: str, reader: str) -> bool:
        row = self._connection().execute(
            "SELECT 1 FROM shares WHERE run_id=? AND reader=?", (run_id, reader)).fetchone()
        return row is not None

    def with_status(self, statuses: tuple[str, ...]) -> list[Run]:
        marks = ",".join("?" * len(statuses))
        rows = self._connection().execute(
            f"SELECT * FROM runs WHERE status IN ({marks}) ORDER BY created", statuses
        ).fetchall()
        return [_run(r) for r in rows]

    def claim(self, run_id: str, pid: int | None = None) -> bool:
        """queued -> running; False when the run is no longer queued (e.g. cancelled)."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE runs SET status='running', started=?, pid=? WHERE id=? AND "
                "status='queued'", (time.time(), pid, run_id))
            return cur.rowcount == 1

    def update(self, run_id: str, **fields: Any) -> None:
        allowed = {"progress", "stage", "message", "pid", "status", "finished", "partial"}
        bad = set(fields) - allowed
        if bad:
            raise KeyError(f"not updatable: {sorted(bad)}")
        sets = ", ".join(f"{k}=?" for k in fields)
        with self._tx() as db:
            db.execute(f"UPDATE runs SET {sets} WHERE id=?", (*fields.values(), run_id))

    def finish(self, run_id: str, status: str, message: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET status=?, message=?, finished=?, pid=NULL, "
                "progress=CASE WHEN ?='succeeded' THEN 1.0 ELSE progress END "
                "WHERE id=? AND status IN ('queued','running')",
                (status, message, time.time(), status, run_id))

    def request_cancel(self, run_id: str) -> str:
        """Cancel a queued run at once, flag a running one; returns the status afterwards."""
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET status='cancelled', finished=?, message='cancelled before it "
                "started' WHERE id=? AND status='queued'", (time.time(), run_id))
            db.execute("UPDATE runs SET cancel_requested=1 WHERE id=? AND status='running'",
                       (run_id,))
            row = db.execute("SELECT status FROM runs WHERE id=?", (run_id,)).fetchone()
        return str(row["status"])

    def cancel_requested(self, run_id: str) -> bool:
        row = self._connection().execute(
            "SELECT cancel_requested FROM runs WHERE id=?", (run_id,)).fetchone()
        return bool(row and row["cancel_requested"])


def _run(row: sqlite3.Row) -> Run:
    return Run(
        id=row["id"], owner=row["owner"], kind=row["kind"], title=row["title"],
        status=row["status"], created=row["created"], started=row["started"],
        finished=row["finished"], params=json.loads(row["params"]),
        steps=json.loads(row["steps"]), folder=row["folder"], population=row["population"],
        progress=row["progress"], stage=row["stage"], message=row["message"], pid=row["pid"],
        cancel_requested=bool(row["cancel_requested"]), llm_calls=row["llm_calls"],
        partial=row["partial"],
    )


def _insert(db: sqlite3.Connection, run: Run) -> None:
    db.execute(
        "INSERT INTO runs (id, owner, kind, title, status, created, params, steps, "
        "folder, population, llm_calls) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (run.id, run.owner, run.kind, run.title, run.status, run.created,
         json.dumps(run.params, ensure_ascii=False), json.dumps(run.steps),
         run.folder, run.population, run.llm_calls),
    )
