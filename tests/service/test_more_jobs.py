"""Towns, policy and sandbox runs as jobs: the API queues the layers' own commands (``synthsoc
town run``, ``policy run``, ``sandbox run``) and serves the tables they wrote, by segment,
exactly as written (read here from the run folder with polars)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import polars as pl
import pytest

from tests.service.conftest import CreatedPopulation, Server, wait_run

pytestmark = pytest.mark.slow


def _folder(server: Server, run_id: str) -> Path:
    return server.data / "users" / "alice" / "runs" / run_id


def test_policy_run_as_a_job(server: Server, population: CreatedPopulation) -> None:
    reform = resources.files("synthsoc.policy").joinpath("reforms/basic_pension_400k.yaml")
    text = reform.read_text(encoding="utf-8")
    with server.client("alice") as alice:
        bad = alice.post("/api/policy", data={"population": population.id},
                         files={"reform": ("my reform.yaml", b"name: x\nchanges: 3\n")})
        assert bad.status_code == 422 and bad.json()["detail"].startswith("my reform.yaml")
        assert str(server.data) not in bad.json()["detail"]
        run = alice.post("/api/policy", data={"population": population.id, "draws": "2"},
                         files={"reform": ("pension.yaml", text.encode())}).json()
        assert run["kind"] == "policy"
        done = wait_run(alice, run["id"])
        assert done["status"] == "succeeded", done["message"]
        answer = alice.get(f"/api/policy/{run['id']}/results",
                           params={"group": "age_group"}).json()
        assert alice.get(f"/api/policy/{run['id']}/results",
                         params={"group": "sex"}).status_code == 422
    folder = _folder(server, run["id"])
    assert answer["by_group"]["age_group"] == pl.read_csv(folder / "by_age_group.csv").to_dicts()
    assert answer["summary"] == pl.read_csv(folder / "summary.csv").to_dicts()
    assert len(answer["by_group"]["age_group"]) >= 2


def test_sandbox_run_as_a_job(server: Server, population: CreatedPopulation) -> None:
    with server.client("alice") as alice:
        assert alice.post("/api/sandbox", json={
            "population": population.id, "assistants": ["gpt-9"]}).status_code == 422
        run = alice.post("/api/sandbox", json={
            "population": population.id, "assistants": ["scripted-good", "scripted-banmal"],
            "per_stratum": 1, "strata": ["age_group"]}).json()
        assert run["llm_calls_planned"] == 0
        done = wait_run(alice, run["id"])
        assert done["status"] == "succeeded", done["message"]
        by_age = alice.get(f"/api/sandbox/{run['id']}/results",
                           params={"segment": "age_group"}).json()
        assert alice.get(f"/api/sandbox/{run['id']}/results",
                         params={"segment": "shoe_size"}).status_code == 422
    card = pl.read_parquet(_folder(server, run["id"]) / "scorecard.parquet")
    expected = card.filter(pl.col("segment") == "age_group").to_dicts()
    assert by_age["rows"] == expected and {"all", "age_group"} <= set(by_age["segments"])
    assert {r["assistant"] for r in by_age["rows"]} == {"scripted-good", "scripted-banmal"}


def test_town_run_as_a_job(server: Server, population: CreatedPopulation) -> None:
    persons = pl.read_parquet(population.folder / "persons.parquet")
    emd = persons.group_by(pl.col("emd_code").cast(pl.Utf8)).len().sort(
        "len", descending=True)["emd_code"][0]
    with server.client("alice") as alice:
        run = alice.post("/api/towns", json={
            "population": population.id, "emd": emd, "agents": 2, "hours": 1.0,
            "embedder": "hash"}).json()
        done = wait_run(alice, run["id"])
        assert done["status"] == "succeeded", done["message"]
        summary = alice.get(f"/api/towns/{run['id']}/summary").json()
        nowhere = alice.post("/api/towns", json={
            "population": population.id, "emd": "99999999", "agents": 2, "hours": 1.0,
            "embedder": "hash"}).json()
        failed = wait_run(alice, nowhere["id"])
    assert summary["agents"] >= 2 and summary["game_minutes"] == 60
    assert summary["stopped_by_budget"] is None and "paths" not in summary
    assert failed["status"] == "failed" and "99999999" in failed["message"]
