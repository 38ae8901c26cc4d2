"""Agents take every behavioural trait from personas.parquet (built when missing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthsoc.persona.params import FEED_MINUTES_FOR_DAILY_USE, INTEREST_TOPICS
from synthsoc.sim import World, load_world
from synthsoc.sim.agents import AgentDataError


def test_agent_traits_are_the_personas(world: World, population_dir: Path) -> None:
    personas = pl.read_parquet(population_dir / "personas.parquet")
    order = pl.DataFrame({"person_id": world.agents.person_id}).join(
        personas, on="person_id", how="left", maintain_order="left"
    )
    a = world.agents
    assert np.array_equal(a.sns_user, order["uses_sns"].to_numpy())
    assert np.allclose(a.reshare, order["reshare_propensity"].to_numpy())
    assert np.allclose(a.prosociality, order["prosociality"].to_numpy())
    assert np.allclose(a.risk_aversion, 1 - order["risk_tolerance"].to_numpy() / 10, atol=1e-6)
    topics = [INTEREST_TOPICS[i] for i in a.interest]
    assert topics == order["interest_topic"].cast(pl.Utf8).to_list()
    minutes = order["sns_minutes_per_day"].to_numpy()
    users = a.sns_user
    assert np.all(a.online_activity[~users] == 0)
    expected = np.clip(minutes[users] / FEED_MINUTES_FOR_DAILY_USE, 0.05, 1.0)
    assert np.allclose(a.online_activity[users], expected)


def test_missing_personas_are_built_and_stale_ones_rejected(
    population_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "pop"
    shutil.copytree(population_dir, folder)
    (folder / "personas.parquet").unlink()
    world = load_world(folder, seed=3)
    assert (folder / "personas.parquet").is_file()
    assert world.derived("personas", dict)["built_now"] is True
    stale = pl.read_parquet(folder / "personas.parquet").drop("reshare_propensity")
    stale.write_parquet(folder / "personas.parquet")
    with pytest.raises(AgentDataError, match=r"personas\.parquet: missing columns"):
        load_world(folder, seed=3)
