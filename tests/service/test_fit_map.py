"""The map shows fit metrics as well as counts: per si-gun-gu, the TVD of Korean nationals by
sex x 5-year age against the MOIS register of the same district (with the TVD sampling alone
would give), and the relative error of the total; a legend and a "no data" class for areas
without persons. Checked against figures the test computes from persons.parquet and the
bundled register CSV (read with csv, not the code under test)."""

from __future__ import annotations

import csv
from typing import Any

import polars as pl
import pytest

from synthsoc.data.reference import reference_path
from tests.service.conftest import ARTEFACTS, CreatedPopulation, Server

pytestmark = pytest.mark.slow
GROUPS = [f"{a}-{a + 4}" for a in range(0, 100, 5)] + ["100+"]


def _register(code: str) -> dict[tuple[str, str], int]:
    with reference_path("age_sex_sigungu_resident_registration.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return {(r["sex"], r["age_group"]): int(r["population"]) for r in rows
            if r["census_year"] == "2025" and r["sigungu_code"] == code}


def _expected(population: CreatedPopulation) -> tuple[float, float, int]:
    persons = pl.read_parquet(population.folder / "persons.parquet").filter(
        pl.col("nationality").cast(pl.Utf8) == "korean")
    official = _register("29010")
    assert set(official) == {(s, g) for s in "MF" for g in GROUPS}
    n = persons.height
    total = sum(official.values())
    tvd = 0.0
    for (sex, group), count in official.items():
        low = int(group.split("-")[0].rstrip("+"))
        high = 200 if group.endswith("+") else int(group.split("-")[1])
        mine = persons.filter((pl.col("sex").cast(pl.Utf8) == sex)
                              & pl.col("age").is_between(low, high)).height
        tvd += 0.5 * abs(mine / n - count / total)
    scale = 0.002
    return tvd, n / scale / total - 1.0, n


def test_fit_metrics_by_district(server: Server, population: CreatedPopulation) -> None:
    tvd, error, n = _expected(population)
    with server.client("alice") as alice:
        by_tvd = alice.get(f"/api/populations/{population.id}/fit-map",
                           params={"level": "sigungu", "metric": "age_sex_tvd"}).json()
        by_total = alice.get(f"/api/populations/{population.id}/fit-map",
                             params={"level": "sido", "metric": "total_error"}).json()
        refused = alice.get(f"/api/populations/{population.id}/fit-map",
                            params={"level": "emd"})
    (area,) = by_tvd["areas"].values()
    assert area["value"] == pytest.approx(tvd, abs=1e-9) and area["n"] == n
    # sampling reference: n persons drawn from the register shares rarely exceed it
    assert 0 < area["sampling_p95"] < 1
    (sejong,) = by_total["areas"].items()
    assert sejong[0] == "29" and sejong[1]["value"] == pytest.approx(error, abs=1e-9)
    assert sejong[1]["ci_low"] < sejong[1]["value"] < sejong[1]["ci_high"]
    assert refused.status_code == 422
    assert by_tvd["official_source"] and by_tvd["official_source"][0]


def test_fit_map_journey(dashboard: Any, population: CreatedPopulation) -> None:
    tvd, _, n = _expected(population)
    page = dashboard
    page.click("#tabs button[data-tab=map]")
    page.wait_for_selector("#map path.has-data", timeout=120_000)
    page.select_option("#map-source", "fit")
    assert page.is_visible("#map-fit-metric") and not page.is_visible("#map-attribute")
    page.select_option("#map-fit-metric", "age_sex_tvd")
    page.click("#map-draw")
    page.wait_for_function("document.querySelector('#map-note').textContent.includes('TVD')")
    assert page.locator("#map path").count() == 250
    assert page.locator("#map path.has-data").count() == 1
    assert "249 / 250" in (page.text_content("#legend-no-data") or "")
    assert page.locator("#map-legend .sw").count() >= 2  # a colour class and "no data"
    page.locator("#map path.has-data").hover()
    tip = page.text_content("#map-tooltip") or ""
    assert tip.startswith("세종특별자치시") and f"{tvd:.3f}" in tip and f"n={n}" in tip
    assert "표본 추출만으로 95%" in tip
    page.locator("#map path.no-data >> nth=0").hover()
    assert "자료 없음" in (page.text_content("#map-tooltip") or "")
    assert "register" in (page.text_content("#map-note") or "")
    page.screenshot(path=str(ARTEFACTS / "map_fit.png"))
