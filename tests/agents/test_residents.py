"""Residents are whole households of one eup-myeon-dong of a real synthetic population."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from synthsoc.agents import load_neighbourhood
from synthsoc.agents.places import place_kinds
from synthsoc.agents.residents import AGENT_HOUSEHOLD_KINDS
from synthsoc.synth import PopulationFolderError


def test_whole_households_of_the_named_dong(population: Path) -> None:
    regions = pl.read_parquet(population / "regions.parquet")
    households = pl.read_parquet(population / "households.parquet")
    emd_code = (households.group_by("emd_code").len().sort(["len", "emd_code"])
                ["emd_code"].cast(pl.String)[-1])
    name = regions.filter(pl.col("emd_code") == emd_code)["emd_name"][0]
    hood = load_neighbourhood(population, name, 12, seed=4)
    assert hood.emd_code == emd_code
    assert 0 < len(hood.residents) <= 12
    ids = {r.household_id for r in hood.residents}
    sizes = households.filter(pl.col("household_id").is_in(list(ids)))
    # every member of each chosen household: an agent, or serving in barracks
    assert sizes["size"].sum() == len(hood.residents) + len(hood.away_serving)
    assert set(sizes["emd_code"].cast(pl.String)) == {emd_code}
    persons = pl.read_parquet(population / "persons.parquet")
    in_dong = persons.filter(pl.col("emd_code").cast(pl.String) == emd_code).height
    assert hood.background_persons == in_dong - len(hood.residents)
    again = load_neighbourhood(population, emd_code, 12, seed=4)
    assert again.residents == hood.residents


def test_serving_conscripts_live_in_barracks_not_in_the_town(population: Path) -> None:
    """Members whose persona says military_service are registered in the dong but are not
    agents; they are listed as away (checked against the persona file itself)."""
    persons = pl.read_parquet(population / "persons.parquet").join(
        pl.read_parquet(population / "personas.parquet", columns=["person_id",
                                                                   "weekday_activity"]),
        on="person_id")
    households = pl.read_parquet(population / "households.parquet").filter(
        pl.col("kind").cast(pl.String).is_in(AGENT_HOUSEHOLD_KINDS))
    serving = persons.filter(pl.col("weekday_activity").cast(pl.String) == "military_service")
    serving = serving.filter(pl.col("household_id").is_in(households["household_id"].to_list()))
    assert serving.height > 0  # the 1% population of 종로구 has serving conscripts at home
    emd = serving.group_by("emd_code").len().sort(["len", "emd_code"])["emd_code"].cast(
        pl.String)[-1]
    in_dong = households.filter(pl.col("emd_code").cast(pl.String) == emd)
    # more agents asked than the dong holds: every household is chosen
    hood = load_neighbourhood(population, emd, int(in_dong["size"].sum()) + 50, seed=1)
    expected = serving.filter(pl.col("emd_code").cast(pl.String) == emd)
    assert set(hood.away_serving) == set(expected["person_id"].to_list())
    assert hood.away_serving
    assert all(r.weekday_activity != "military_service" for r in hood.residents)


def test_an_unknown_dong_is_an_error_naming_the_field(population: Path) -> None:
    with pytest.raises(PopulationFolderError, match="emd_code/emd_name"):
        load_neighbourhood(population, "없는동", 5, seed=1)


def test_place_kinds_have_typical_hours() -> None:
    kinds = place_kinds()
    assert {"cafe", "market", "community_center", "senior_center", "church", "academy",
            "park", "pc_bang"} <= set(kinds)
    assert kinds["community_center"].days == "weekday"
    assert all(0 <= k.opens < k.closes <= 1440 for k in kinds.values())


def test_background_residents_fill_workplaces_and_schools_by_schedule(population: Path) -> None:
    from synthsoc.agents import HashEmbedder, RuleJudge, Town, TownParams
    from synthsoc.agents.clock import GameTime

    households = pl.read_parquet(population / "households.parquet")
    emd_code = (households.group_by("emd_code").len().sort(["len", "emd_code"])
                ["emd_code"].cast(pl.String)[-1])
    hood = load_neighbourhood(population, emd_code, 6, seed=2)
    agents = {r.person_id for r in hood.residents}
    table = (pl.read_parquet(population / "persons.parquet")
             .filter(pl.col("emd_code").cast(pl.String) == emd_code)
             .filter(~pl.col("person_id").is_in(list(agents)))
             .join(pl.read_parquet(population / "personas.parquet"), on="person_id"))
    students = table.filter((pl.col("weekday_activity").cast(pl.String) == "school")
                            & (pl.col("age") <= 12) & (pl.col("leave_weekday") <= 600)
                            & (pl.col("return_weekday") > 600)).height
    town = Town(TownParams(emd=emd_code, n_agents=6), hood, HashEmbedder(), RuleJudge())
    assert town.crowd("elementary", GameTime(600)) == students  # Monday 10:00
    assert town.crowd("elementary", GameTime(5 * 1440 + 600)) == 0  # Saturday
    assert len(hood.background_out) <= hood.background_persons
