"""A killed job and a restarted server lose no finished result: kill a running job's child
process (SIGKILL), check the server still answers and records the kill, then kill the server
itself (SIGKILL) while another job runs, and start it again on the same folder: the finished
run is served as before, the cut-off run is marked interrupted and its orphaned child is
stopped."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.service.conftest import (
    QUESTIONNAIRE_FOR_RESTART,
    CreatedPopulation,
    start_server,
    wait_run,
)

pytestmark = pytest.mark.slow


def _pid(data: Path, run_id: str, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(data / "runs.sqlite") as db:
            row = db.execute("SELECT pid, status FROM runs WHERE id=?", (run_id,)).fetchone()
        if row and row[0] and row[1] == "running":
            return int(row[0])
        time.sleep(0.3)
    raise TimeoutError(f"run {run_id} never started")


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie awaiting its reaper counts as stopped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_killed_job_and_restarted_server_lose_no_finished_result(
        tmp_path: Path, population: CreatedPopulation) -> None:
    srv = start_server(tmp_path, extra=["--population", str(population.folder)])
    try:
        with srv.client("alice") as alice:
            shared = alice.get("/api/populations").json()[0]
            assert shared["shared"] and shared["status"] == "succeeded"
            files = {"questionnaire": ("q.yaml", QUESTIONNAIRE_FOR_RESTART[0].encode()),
                     "pilot": ("pilot.csv", QUESTIONNAIRE_FOR_RESTART[1].encode())}
            finished = alice.post("/api/surveys", data={"population": shared["id"]},
                                  files=files).json()
            doomed = alice.post("/api/simulations", json={
                "population": shared["id"], "scenario": "product_launch",
                "replicates": 10}).json()
            os.kill(_pid(srv.data, doomed["id"]), signal.SIGKILL)
            killed = wait_run(alice, doomed["id"])
            assert killed["status"] == "failed" and "SIGKILL" in killed["message"]
            assert alice.get("/api/health").status_code == 200
            assert wait_run(alice, finished["id"])["status"] == "succeeded"
            before = alice.get(f"/api/surveys/{finished['id']}/results").json()
            assert before["rows"]
            cut_off = alice.post("/api/simulations", json={
                "population": shared["id"], "scenario": "product_launch",
                "replicates": 10}).json()
            orphan = _pid(srv.data, cut_off["id"])
        srv.kill()  # the server dies while a job runs; its child outlives it for now
        srv.start()
        with srv.client("alice") as alice:
            assert alice.get(f"/api/runs/{finished['id']}").json()["status"] == "succeeded"
            assert alice.get(f"/api/surveys/{finished['id']}/results").json() == before
            assert alice.get(f"/api/runs/{doomed['id']}").json()["status"] == "failed"
            runs = srv.data / "users" / "alice" / "runs"
            assert not (runs / doomed["id"]).exists()
            assert alice.get(f"/api/runs/{cut_off['id']}").json()["status"] == "interrupted"
            assert not _alive(orphan)
            # neither the killed job nor the cut-off one left a staging folder behind
            assert not list(runs.glob(f".{doomed['id']}.*.partial"))
            assert not list(runs.glob(f".{cut_off['id']}.*.partial"))
            assert (runs / f".{doomed['id']}.log").is_file()  # the job's log is kept
    finally:
        srv.stop()
