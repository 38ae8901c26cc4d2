"""The API as a shared server must behave: tokens, isolation between users, upload checks with
the command line's errors, per-user limits, and no request path reaching the file system."""

from __future__ import annotations

import httpx
import pytest

from synthsoc.executor import FileCounters
from tests.service.conftest import CreatedPopulation, Server, wait_run

QUESTIONNAIRE = """id: t
title: {ko: 시험}
segments: [age_group, sex]
questions:
  - id: q1
    type: single_choice
    text: {ko: "어느 쪽?"}
    options:
      - {id: A, ko: 가}
      - {id: B, ko: 나}
"""
PILOT = "age_group,sex,q1\n" + "".join(
    f"{g},{s},{a}\n" for g in ("19-29", "30-39", "40-49") for s in "MF" for a in "AB")


def _survey(client: httpx.Client, population: str, questionnaire: str = QUESTIONNAIRE,
            pilot: str | None = PILOT, name: str = "pilot.csv", **form: str) -> httpx.Response:
    files = {"questionnaire": ("q.yaml", questionnaire.encode())}
    if pilot is not None:
        files["pilot"] = (name, pilot.encode())
    return client.post("/api/surveys", data={"population": population, **form}, files=files)


def test_every_route_needs_a_token(server: Server) -> None:
    schema = httpx.get(f"{server.url}/openapi.json").json()
    for path, methods in schema["paths"].items():
        if path == "/api/health":
            continue
        concrete = path.replace("{run_id}", "0" * 32).replace("{pop_id}", "0" * 32).replace(
            "{person_id}", "1").replace("{level}", "sido")
        for method in methods:
            for headers in ({}, {"Authorization": "Bearer not-a-token"}):
                r = httpx.request(method.upper(), f"{server.url}{concrete}", headers=headers)
                assert r.status_code == 401, (method, path, r.status_code)


def test_user_b_cannot_read_or_cancel_user_a_runs(server: Server,
                                                    population: CreatedPopulation) -> None:
    with server.client("alice") as alice, server.client("bob") as bob:
        run = alice.post("/api/simulations", json={
            "population": population.id, "scenario": "bank_run", "replicates": 10}).json()
        for path in (f"/api/runs/{run['id']}", f"/api/simulations/{run['id']}/summary",
                     f"/api/populations/{population.id}/fit",
                     f"/api/populations/{population.id}/personas",
                     f"/api/populations/{population.id}/personas/1"):
            r = bob.get(path)
            assert r.status_code == 404, path
        assert bob.post(f"/api/runs/{run['id']}/cancel").status_code == 404
        assert bob.post("/api/simulations", json={
            "population": population.id, "scenario": "bank_run"}).status_code == 404
        assert all(r["id"] != run["id"] for r in bob.get("/api/runs").json())
        assert [p["id"] for p in bob.get("/api/populations").json()] == []
        # alice can cancel her own run, and it ends cancelled
        assert alice.post(f"/api/runs/{run['id']}/cancel").status_code == 200
        assert wait_run(alice, run["id"])["status"] == "cancelled"
        assert bob.get(f"/api/runs/{run['id']}").status_code == 404


def test_uploads_are_checked_like_the_command_line(server: Server,
                                                   population: CreatedPopulation) -> None:
    with server.client("alice") as alice:
        r = _survey(alice, population.id, questionnaire="id: t\nquestions: [\n")
        assert r.status_code == 422
        assert r.json()["detail"].startswith("q.yaml, row ") and "not valid YAML" in \
            r.json()["detail"]
        r = _survey(alice, population.id, questionnaire=QUESTIONNAIRE.replace(
            "segments:", "segmnets:"))
        assert r.status_code == 422 and "segmnets" in r.json()["detail"]
        r = _survey(alice, population.id, pilot=PILOT.replace("30-39,M", "30-39,X"),
                    name="../../etc/my pilot.csv")
        detail = r.json()["detail"]
        assert r.status_code == 422
        assert detail.startswith("my pilot.csv: column 'sex': value 'X'"), detail
        assert str(server.data) not in detail
        r = _survey(alice, population.id, pilot=PILOT.replace("40-49,F,B", "40-49,F,C"))
        assert r.status_code == 422 and "'C'" in r.json()["detail"] and "q1" in \
            r.json()["detail"]
        r = _survey(alice, population.id, pilot=PILOT + "19-29,M\n")
        assert r.status_code == 422 and "row" in r.json()["detail"]
        r = _survey(alice, population.id, pilot="x" * 2_000_001)
        assert r.status_code == 413 and "2,000,000 bytes" in r.json()["detail"]
        r = _survey(alice, population.id, pilot=None)
        assert r.status_code == 422 and "pilot CSV" in r.json()["detail"]
        # nothing was queued by any refused upload
        assert all(run["kind"] != "survey" or run["status"] != "queued"
                   for run in alice.get("/api/runs").json())


def test_per_user_limits(server: Server, population: CreatedPopulation) -> None:
    with server.client("bob") as bob, server.client("alice") as alice:
        # alice's counter (the file her jobs' LLM clients count in) at her limit of 2000:
        # a job that would call the LLM is refused before it starts
        counter = FileCounters(server.data / "users" / "alice" / "llm_calls.json")
        bob_used = bob.get("/api/me").json()["llm_calls_used"]
        topped = 2000.0 - alice.get("/api/me").json()["llm_calls_used"]
        counter.add({"calls": topped})
        try:
            assert alice.get("/api/me").json()["llm_calls_used"] == 2000
            r = _survey(alice, population.id, pilot=None, engine="llm", sample="5")
            assert r.status_code == 429 and "used 2000 of 2000" in r.json()["detail"]
        finally:
            counter.add({"calls": -topped})
        assert bob.get("/api/me").json()["llm_calls_used"] == bob_used
        ids = []
        for _ in range(2):
            r = alice.post("/api/simulations", json={
                "population": population.id, "scenario": "bank_run", "replicates": 10})
            assert r.status_code == 202, r.text
            ids.append(r.json()["id"])
        third = alice.post("/api/simulations", json={
            "population": population.id, "scenario": "bank_run"})
        assert third.status_code == 429 and "limit is 2" in third.json()["detail"]
        for run_id in ids:
            alice.post(f"/api/runs/{run_id}/cancel")
        for run_id in ids:
            assert wait_run(alice, run_id)["status"] == "cancelled"


@pytest.mark.parametrize("path", [
    "/static/../config.py", "/static/..%2Fconfig.py", "/static/%2e%2e%2fapp.py",
    "/static/.hidden", "/api/runs/..%2F..%2Fusers.toml", "/api/runs/ABC",
])
def test_no_request_path_reaches_the_file_system(server: Server, path: str) -> None:
    with server.client("alice") as alice:
        r = alice.get(path)
        assert r.status_code in (404, 422), (path, r.status_code)
        assert "token_sha256" not in r.text and "import" not in r.text


def test_population_requests_are_checked_before_a_job(server: Server) -> None:
    with server.client("bob") as bob:
        r = bob.post("/api/populations", json={"region": "Atlantis"})
        assert r.status_code == 422 and "--region 'Atlantis': no si-do or si-gun-gu" in \
            r.json()["detail"]
        assert bob.post("/api/populations", json={"scale": 0.5}).status_code == 422
        assert bob.post("/api/populations", json={"scael": 0.01}).status_code == 422
        assert bob.get("/api/runs").json() == []
