"""Sharing between users: the owner shares a run read-only with one named user, who then sees
it (and, through a shared survey, the population it was asked of); nobody else does; the
reader cannot cancel, share or unshare it; unsharing takes it back. Once through the API and
once in the browser (the owner shares from the runs tab, the reader opens the population)."""

from __future__ import annotations

from typing import Any

import pytest

from synthsoc.service.config import Limits, add_user
from tests.service.conftest import (
    ARTEFACTS,
    QUESTIONNAIRE_FOR_RESTART,
    CreatedPopulation,
    Server,
    wait_run,
)

pytestmark = pytest.mark.slow


def _carol(server: Server) -> str:
    if "carol" not in server.tokens:
        server.tokens["carol"] = add_user(server.data / "users.toml", "carol", Limits())
    return server.tokens["carol"]


def test_a_run_shared_with_one_user(server: Server, population: CreatedPopulation) -> None:
    _carol(server)
    with server.client("alice") as alice, server.client("bob") as bob, \
            server.client("carol") as carol:
        files = {"questionnaire": ("q.yaml", QUESTIONNAIRE_FOR_RESTART[0].encode()),
                 "pilot": ("pilot.csv", QUESTIONNAIRE_FOR_RESTART[1].encode())}
        survey = alice.post("/api/surveys", data={"population": population.id},
                            files=files).json()
        assert wait_run(alice, survey["id"])["status"] == "succeeded"
        results = f"/api/surveys/{survey['id']}/results"
        assert bob.get(results).status_code == 404
        # only the owner shares, only with another existing user
        assert bob.post(f"/api/runs/{survey['id']}/shares", json={"user": "bob"}).status_code \
            == 404
        r = alice.post(f"/api/runs/{survey['id']}/shares", json={"user": "dave"})
        assert r.status_code == 422 and "no such user" in r.json()["detail"]
        r = alice.post(f"/api/runs/{survey['id']}/shares", json={"user": "alice"})
        assert r.status_code == 422
        r = alice.post(f"/api/runs/{survey['id']}/shares", json={"user": "bob"})
        assert r.status_code == 200 and r.json()["readers"] == ["bob"]
        # bob reads it exactly as alice does; carol still cannot
        assert bob.get(results).json() == alice.get(results).json()
        assert bob.get(f"/api/runs/{survey['id']}").json()["owner"] == "alice"
        assert survey["id"] in [x["id"] for x in bob.get("/api/runs").json()]
        assert carol.get(results).status_code == 404
        assert survey["id"] not in [x["id"] for x in carol.get("/api/runs").json()]
        # read-only: no cancel, no sharing onwards, no unsharing
        assert bob.post(f"/api/runs/{survey['id']}/cancel").status_code == 403
        assert bob.post(f"/api/runs/{survey['id']}/shares",
                        json={"user": "carol"}).status_code == 403
        assert bob.delete(f"/api/runs/{survey['id']}/shares/bob").status_code == 403
        assert bob.get(f"/api/runs/{survey['id']}/shares").status_code == 403
        # the population itself was not shared: bob reaches it only through the survey
        assert bob.get(f"/api/populations/{population.id}/fit").status_code == 404
        assert bob.post("/api/simulations", json={
            "population": population.id, "scenario": "bank_run"}).status_code == 404
        # alice takes it back
        r = alice.delete(f"/api/runs/{survey['id']}/shares/bob")
        assert r.status_code == 200 and r.json()["readers"] == []
        assert bob.get(results).status_code == 404
        assert alice.delete(f"/api/runs/{survey['id']}/shares/bob").status_code == 404


def test_sharing_journey_in_the_browser(chromium: Any, dashboard: Any, server: Server,
                                        population: CreatedPopulation) -> None:
    page = dashboard  # alice
    page.click("#tabs button[data-tab=runs]")
    row = page.locator(f"#runs-table tr[data-run='{population.id}']")
    row.locator("input.share-user").fill("bob")
    row.locator("button.share-button").click()
    page.wait_for_function(
        f"document.querySelector(\"#runs-table tr[data-run='{population.id}'] "
        ".share-readers\").textContent === 'bob'")
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
    try:
        bob = context.new_page()
        bob.goto(f"{server.url}/#token={server.tokens['bob']}")
        bob.wait_for_selector("#app:not([hidden])")
        bob.wait_for_selector("body[data-ready=true]", state="attached")
        option = bob.locator(f"#population-select option[value='{population.id}']")
        assert "공유: alice (읽기 전용)" in (option.text_content() or "")
        bob.select_option("#population-select", population.id)
        bob.wait_for_function("document.querySelector('#fit-table').textContent.length > 0")
        assert (bob.text_content("#fit-table") or "") == population.fit_text
        bob.click("#tabs button[data-tab=runs]")
        shared_row = bob.locator(f"#runs-table tr[data-run='{population.id}']")
        shared_row.wait_for()
        assert "alice의 공유 (읽기 전용)" in (shared_row.text_content() or "")
        assert shared_row.locator("button").count() == 0  # no cancel, no share for a reader
        bob.screenshot(path=str(ARTEFACTS / "shared_with_bob.png"), full_page=True)
    finally:
        context.close()
    with server.client("alice") as alice:
        assert alice.delete(f"/api/runs/{population.id}/shares/bob").status_code == 200
