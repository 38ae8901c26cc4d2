"""What a killed or cancelled job staged is cleaned when it ends and when the server next
starts, and nothing else: folders a synthsoc process made for this run (``.ID.*.partial`` with
its owner file, owner dead) go; a live owner's staging, another run's, a folder without the
owner file, the log, the answers journal and the user's own files stay."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from synthsoc.atomic import OWNER_FILE
from synthsoc.service.jobs import clean_staging, recover
from synthsoc.service.store import Run, RunStore

RUN_ID = "a" * 32
OTHER_ID = "b" * 32


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _staging(parent: Path, name: str, owner: int | None, files: dict[str, str]) -> Path:
    folder = parent / name
    folder.mkdir(parents=True)
    if owner is not None:
        (folder / OWNER_FILE).write_text(str(owner), encoding="ascii")
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    return folder


def _run(folder: Path, status: str) -> Run:
    return Run(id=RUN_ID, owner="alice", kind="simulation", title="t", status=status,
               created=time.time(), started=time.time(), finished=None, params={},
               steps=[["simulate"]], folder=str(folder), population=None, progress=0.0,
               stage="", message="", pid=None, cancel_requested=False, llm_calls=0)


def test_only_what_the_job_staged_is_removed(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    live = subprocess.Popen(["sleep", "60"])
    try:
        killed = _staging(runs, f".{RUN_ID}.x1y2.partial", _dead_pid(),
                          {"outcomes.parquet": "half written"})
        owned_by_live = _staging(runs, f".{RUN_ID}.k3.partial", live.pid, {"a": "1"})
        not_ours = _staging(runs, f".{RUN_ID}.mine.partial", None, {"notes.txt": "user"})
        other_run = _staging(runs, f".{OTHER_ID}.z9.partial", _dead_pid(), {"b": "2"})
        kept_files = [runs / f".{RUN_ID}.log", runs / f"{RUN_ID}.journal.jsonl",
                      runs / f"{RUN_ID}-notes.txt"]
        for path in kept_files:
            path.write_text("kept", encoding="utf-8")
        progress = runs / f".{RUN_ID}.progress.json"
        progress.write_text("{}", encoding="utf-8")
        done = clean_staging(_run(runs / RUN_ID, "cancelled"))
        assert not killed.exists() and not progress.exists()
        assert owned_by_live.is_dir() and not_ours.is_dir() and other_run.is_dir()
        assert (not_ours / "notes.txt").read_text(encoding="utf-8") == "user"
        assert all(p.read_text(encoding="utf-8") == "kept" for p in kept_files)
        assert len(done) == 2 and all("removed" in d for d in done)
    finally:
        live.kill()
        live.wait()


def test_a_server_start_cleans_what_unfinished_runs_left(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    store = RunStore(tmp_path / "runs.sqlite")
    store.add(_run(runs / RUN_ID, "running"))
    left = _staging(runs, f".{RUN_ID}.q.partial", _dead_pid(), {"x": "1"})
    finished = _run(runs / OTHER_ID, "succeeded")
    store.add(Run(**{**finished.__dict__, "id": OTHER_ID}))
    (runs / OTHER_ID).mkdir()
    (runs / OTHER_ID / "summary.json").write_text("{}", encoding="utf-8")

    class NoQueue:
        def submit(self, run_id: str) -> None:
            raise AssertionError("nothing was queued")

    recover(store, NoQueue())  # type: ignore[arg-type]
    interrupted = store.get(RUN_ID)
    assert interrupted is not None and interrupted.status == "interrupted"
    assert not left.exists()
    assert (runs / OTHER_ID / "summary.json").is_file()
