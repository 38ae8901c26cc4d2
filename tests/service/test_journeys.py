"""Browser journeys in a real headless chromium: create a population, browse personas, open
the map, run a concept test and a simulation. Each checks what is on the page against figures
the test computes itself from the files (Parquet, the bundled official CSV, its own pilot)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from synthsoc.data.reference import reference_path
from tests.service.conftest import (
    ARTEFACTS,
    JOB_TIMEOUT_S,
    CreatedPopulation,
    Server,
)

pytestmark = pytest.mark.slow
AGE_GROUPS = ["19-29", "30-39", "40-49", "50-59", "60-69", "70+"]


def _tab(page: Any, name: str) -> None:
    page.click(f"#tabs button[data-tab={name}]")


def test_create_population_journey(population: CreatedPopulation, server: Server) -> None:
    persons = pl.read_parquet(population.folder / "persons.parquet")
    assert f"{persons.height}" in population.fit_text.replace(",", "")
    assert "running" in population.job_text or "succeeded" in population.job_text
    # the pyramid's official figures are the bundled MOIS file's, read here with csv
    with reference_path("age_sex_sigungu_resident_registration.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(line for line in f if not line.startswith("#"))]
    official = {(r["sex"], r["age_group"]): int(r["population"]) for r in rows
                if r["census_year"] == "2025" and r["sigungu_code"] == "29010"}
    with server.client("alice") as client:
        pyramid = client.get(f"/api/populations/{population.id}/pyramid").json()
    shown = {(r["sex"], r["age_group"]): r["official_persons"] for r in pyramid["rows"]}
    assert shown == {k: official.get(k) for k in shown}
    korean = persons.filter(pl.col("nationality").cast(pl.Utf8) == "korean")
    men_0_4 = korean.filter((pl.col("sex").cast(pl.Utf8) == "M") & (pl.col("age") < 5)).height
    row = next(r for r in pyramid["rows"] if r["sex"] == "M" and r["age_group"] == "0-4")
    assert row["synthetic_persons"] == men_0_4


def test_persona_browser_journey(dashboard: Any, population: CreatedPopulation) -> None:
    page = dashboard
    _tab(page, "personas")
    page.select_option("#filter-attribute", "sex")
    page.select_option("#filter-value", "F")
    page.click("#filter-add")
    page.fill("#age-min", "30")
    page.fill("#age-max", "49")
    page.click("#persona-search")
    page.wait_for_selector("#persona-table tr.persona-row")
    persons = pl.read_parquet(population.folder / "persons.parquet")
    expected = persons.filter((pl.col("sex").cast(pl.Utf8) == "F") & pl.col("age").is_between(
        30, 49)).height
    count = page.text_content("#persona-count") or ""
    assert re.search(rf"\b{expected:,}명", count), count
    page.click("#persona-table tr.persona-row >> nth=0")
    page.wait_for_selector("#household-table")
    pid = int(page.text_content("#persona-table tr.persona-row >> nth=0 >> td >> nth=0") or -1)
    person = persons.filter(pl.col("person_id") == pid)
    size = persons.filter(pl.col("household_id") == person["household_id"][0]).height
    assert page.locator("#household-table tr").count() == size + 1
    detail = page.text_content("#persona-detail") or ""
    assert str(person["name"][0]) in detail and f"{person['age'][0]}세" in detail
    narrative = page.text_content("#persona-detail .narrative") or ""
    assert re.search("[가-힣]{2,}", narrative) and str(person["name"][0]) in narrative
    page.screenshot(path=str(ARTEFACTS / "personas.png"), full_page=True)


def test_map_journey(dashboard: Any, population: CreatedPopulation) -> None:
    page = dashboard
    _tab(page, "map")
    page.wait_for_selector("#map path.has-data", timeout=120_000)
    # every si-gun-gu of the 2020 boundaries is drawn; only Sejong has persons
    assert page.locator("#map path").count() == 250
    assert page.locator("#map path.has-data").count() == 1
    assert "249 / 250" in (page.text_content("#legend-no-data") or "")
    sejong = page.locator("#map path.has-data")
    sejong.hover()
    tip = page.text_content("#map-tooltip") or ""
    persons = pl.read_parquet(population.folder / "persons.parquet")
    assert tip.startswith("세종특별자치시") and f"n={persons.height}" in tip
    assert f"{persons['age'].mean():.3f}" in tip
    page.locator("#map path.no-data >> nth=0").hover()
    assert "자료 없음" in (page.text_content("#map-tooltip") or "")
    before = page.get_attribute("#map", "viewBox")
    page.click("#map-zoom-in")
    assert page.get_attribute("#map", "viewBox") != before
    assert page.evaluate("document.fonts.check('14px NanumGothic')")
    page.screenshot(path=str(ARTEFACTS / "map_sigungu.png"))
    page.select_option("#map-level", "emd")
    page.wait_for_function("document.querySelectorAll('#map path').length > 3000",
                           timeout=120_000)
    areas = persons["emd_code"].cast(pl.Utf8).str.slice(0, 7).unique().to_list()
    drawn = page.eval_on_selector_all("#map path.has-data", "ps => ps.map(p => p.dataset.code)")
    assert set(drawn) <= set(areas) and len(drawn) >= 0.8 * len(areas)
    page.select_option("#map-level", "sido")
    page.wait_for_function("document.querySelectorAll('#map path').length === 17")
    page.screenshot(path=str(ARTEFACTS / "map_sido.png"))


def _pilot(path: Path, n: int = 150, seed: int = 5) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["age_group", "sex", "q1", "q2"])
        for i in range(n):
            group = AGE_GROUPS[i % len(AGE_GROUPS)]
            counts[group] = counts.get(group, 0) + 1
            writer.writerow([group, "MF"[i % 2], int(rng.integers(1, 6)),
                             int(rng.integers(1, 4))])
    return counts


def test_question_builder_is_ready_while_the_lists_load(chromium: Any, server: Server) -> None:
    """A click on "add question" made while the population list is still loading gives q2:
    the request for the list is held open until the click has been checked."""
    context = chromium.new_context(locale="ko-KR")
    page = context.new_page()
    held: list[Any] = []
    page.route("**/api/populations", lambda route: held.append(route))
    page.goto(f"{server.url}/#token={server.tokens['alice']}")
    page.wait_for_selector("#app:not([hidden])")
    page.wait_for_function("document.querySelector('#pilot-header').textContent.length > 0")
    assert held and page.get_attribute("body", "data-ready") is None
    _tab(page, "survey")
    page.click("#question-add")
    assert "q1,q2" in (page.text_content("#pilot-header") or "")
    held[0].continue_()
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert page.locator("#questions .question").count() == 2
    context.close()


def test_concept_test_journey(dashboard: Any, population: CreatedPopulation,
                              tmp_path: Path, server: Server) -> None:
    page = dashboard
    # the survey needs the chosen population: wait for the dashboard to have loaded it
    page.wait_for_function("document.querySelector('#fit-table').textContent.length > 0")
    _tab(page, "survey")
    page.click("#question-add")
    assert "age_group,sex,q1,q2" in (page.text_content("#pilot-header") or "")
    page.check("#survey-segments input[value=region]")
    pilot = tmp_path / "pilot.csv"
    counts = _pilot(pilot)
    page.set_input_files("#pilot-file", str(pilot))
    page.click("#survey-run")
    page.wait_for_selector("svg.survey-chart", timeout=JOB_TIMEOUT_S * 1000)
    charts = page.eval_on_selector_all("svg.survey-chart", "cs => cs.map(c => "
                                       "c.dataset.question + '/' + c.dataset.segment)")
    assert {"q1/age_group", "q1/sex", "q2/age_group", "q2/sex", "q1/all"} <= set(charts)
    chart = page.locator("svg.survey-chart[data-question=q1][data-segment=age_group]")
    text = chart.text_content() or ""
    for group, n in counts.items():
        assert f"{group}n={n} " in text.replace("\n", "")
    assert chart.locator("line.interval").count() == 5 * len(AGE_GROUPS)
    everyone = page.locator("svg.survey-chart[data-question=q1][data-segment=all]")
    assert "n=150 measured" in (everyone.text_content() or "")
    # the engine's notes are shown to people in Korean (results.json notes_ko)
    notes = page.text_content("#survey-results p.note") or ""
    assert re.search("[가-힣]{2,}.*[가-힣]{2,}", notes), notes
    page.screenshot(path=str(ARTEFACTS / "concept_test.png"), full_page=True)
    # the same survey's answer on the map, by si-do: Sejong has it, the 16 others do not
    _tab(page, "map")
    # "draw" stays disabled while the survey's results load (the request is held open here)
    held: list[Any] = []
    page.route("**/api/surveys/*/results", lambda route: held.append(route))
    with page.expect_request("**/api/surveys/*/results"):
        page.select_option("#map-source", "survey")
    for _ in range(250):  # the route handler runs as the page's events are taken in
        if held:
            break
        page.wait_for_timeout(20)
    assert held and page.is_disabled("#map-draw")
    for route in held:
        route.continue_()
    page.unroute("**/api/surveys/*/results")
    page.wait_for_function("document.querySelector('#map-category').options.length > 0")
    assert page.is_enabled("#map-draw")
    page.select_option("#map-question", "q2")
    page.select_option("#map-category", "1")
    page.click("#map-draw")
    page.wait_for_function("document.querySelectorAll('#map path').length === 17"
                           " && document.querySelectorAll('#map path.has-data').length === 1")
    assert "16 / 17" in (page.text_content("#legend-no-data") or "")
    page.locator("#map path.has-data").hover()
    tip = page.text_content("#map-tooltip") or ""
    with server.client("alice") as client:
        run = next(r for r in client.get("/api/runs?kind=survey").json()
                   if r["status"] == "succeeded")
        rows = client.get(f"/api/surveys/{run['id']}/results",
                          params={"question": "q2", "segment": "region"}).json()["rows"]
    share = next(r for r in rows if r["category"] == "1")
    assert tip.startswith("세종특별자치시") and f"{share['share']:.3f}" in tip
    page.screenshot(path=str(ARTEFACTS / "map_survey.png"))


def test_simulation_journey(dashboard: Any, population: CreatedPopulation,
                            server: Server) -> None:
    page = dashboard
    _tab(page, "simulation")
    page.select_option("#scenario-select", "bank_run")
    page.fill("#replicates", "10")
    page.click("#simulation-run")
    page.wait_for_selector("#verdict-table", timeout=JOB_TIMEOUT_S * 1000)
    assert "100%" in (page.text_content("#simulation-progress") or "")
    page.wait_for_selector("svg.series-chart polyline")
    rows = page.locator("#verdict-table tr")
    assert rows.count() >= 2
    text = page.text_content("#verdict-table") or ""
    assert re.search("converging|diverging|insufficient", text)
    assert "R >= 10" in text  # the rule is printed beside the verdict
    runs = sorted((p for p in (server.data / "users" / "alice" / "runs").iterdir()
                   if (p / "outcomes.parquet").is_file()), key=lambda p: p.stat().st_mtime)
    outcomes = pl.read_parquet(runs[-1] / "outcomes.parquet")
    first = rows.nth(1).locator("td")
    name = first.nth(0).text_content()
    values = outcomes.filter(pl.col("outcome") == name)["value"].to_numpy()
    assert values.size == 10
    assert first.nth(1).text_content() == f"{values.mean():.4f}"
    page.screenshot(path=str(ARTEFACTS / "simulation.png"), full_page=True)
