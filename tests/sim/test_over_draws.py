"""A scenario over posterior populations: each draw's persons reach the agents, and the
combined interval splits its variance between the population and the replicates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from synthsoc.cli import app
from synthsoc.persona.build import PERSONAS_FILE
from synthsoc.sim import load_world, resolve_scenario, simulate
from synthsoc.sim.agents import PERSONA_TRAITS
from synthsoc.sim.over_draws import simulate_over_draws
from synthsoc.synth import schema
from synthsoc.synth.populate import populate
from synthsoc.synth.posterior_draws import DRAWN_COLUMNS, DRAWS_FILE, write_posterior_draws
from tests.synth.posterior_models import hand_set_models

STEPS = 5


@pytest.fixture(scope="module")
def drawn_population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sejong at 1% (a real synthesis) with 3 posterior draws of wide district spread."""
    folder = tmp_path_factory.mktemp("pop") / "sejong"
    populate(folder, scale=0.01, seed=7, region="세종특별자치시", progress=False, html=False)
    write_posterior_draws(folder, draws=3, seed=3, models=hand_set_models(sigma=1.0, beta=0.3))
    return folder


def _materialise(src: Path, dest: Path, k: int) -> Path:
    """A plain population folder whose persons carry draw ``k``'s attributes (written here
    with pyarrow, not by the code under test) and no personas (rebuilt from them)."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(DRAWS_FILE, "posterior_*",
                                                             "persona*"))
    persons = pq.read_table(src / schema.PERSONS_FILE)
    draws = pq.read_table(src / DRAWS_FILE)
    assert pc.all(pc.equal(draws["person_id"], persons["person_id"])).as_py()
    for name in DRAWN_COLUMNS:
        column = draws[f"{name}_{k}"].cast(persons.schema.field(name).type)
        persons = persons.set_column(persons.schema.get_field_index(name), name, column)
    pq.write_table(persons, dest / schema.PERSONS_FILE)
    return dest


def test_each_draw_runs_as_that_population_and_the_traits_do_not_move(
        drawn_population: Path, tmp_path: Path) -> None:
    scenario = resolve_scenario("viral_cascade").with_overrides(steps=STEPS)
    run = simulate_over_draws(scenario, drawn_population, replicates=2, seed=4)
    assert [d.draw for d in run.per_draw] == [1, 2, 3]
    plain = _materialise(drawn_population, tmp_path / "draw2", 2)
    world = load_world(plain, seed=4)
    # The persona traits agents read are the same whether built from the base persons or
    # from draw 2's: none depends on education, marital status or work.
    base_traits = pl.read_parquet(drawn_population / PERSONAS_FILE).select(PERSONA_TRAITS)
    assert pl.read_parquet(plain / PERSONAS_FILE).select(PERSONA_TRAITS).equals(base_traits)
    # Draw 2 over draws is exactly the plain run on a folder holding draw 2's persons.
    alone = simulate(scenario, world, replicates=2, seed=4).outcome_values()
    for name, values in alone.items():
        np.testing.assert_array_equal(run.per_draw[1].values[name], values)
    employed = pq.read_table(drawn_population / DRAWS_FILE)
    tallies = [int(pc.sum(pc.equal(employed[f"economic_activity_{k}"].cast(pa.string()),
                                   "employed")).as_py()) for k in (1, 2, 3)]
    assert [d.employed for d in run.per_draw] == tallies
    assert len(set(tallies)) > 1  # the draws do differ in who works


def test_cli_writes_combined_intervals_and_the_two_shares(drawn_population: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(app, [
        "simulate", "viral_cascade", "--population", str(drawn_population), "--over-draws",
        "--replicates", "3", "--steps", str(STEPS), "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Rubin" in result.output
    combined = pl.read_csv(out / "over_draws.csv")
    per_draw = pl.read_csv(out / "over_draws_per_draw.csv")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(combined["outcome"]) == {"adopted_final", "cascade_size_mean"}
    for row in combined.iter_rows(named=True):
        means = per_draw.filter(pl.col("outcome") == row["outcome"]).sort("draw")
        assert means["draw"].to_list() == [1, 2, 3] and row["draws"] == 3
        # Rubin's rules by hand from the per-draw rows.
        q, u = means["mean"].to_numpy(), means["within_variance"].to_numpy()
        b, w = q.var(ddof=1), u.mean()
        total = w + (1 + 1 / 3) * b
        assert row["estimate"] == pytest.approx(q.mean())
        assert row["total_variance"] == pytest.approx(total)
        assert row["population_share"] == pytest.approx((1 + 1 / 3) * b / total)
        assert row["population_share"] + row["engine_share"] == pytest.approx(1.0)
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
        assert summary["over_draws"][row["outcome"]]["population_share"] == pytest.approx(
            row["population_share"])
    assert summary["replicates"] == 3 and len(summary["population"]["employed_per_draw"]) == 3


def test_over_draws_needs_draws_and_replicates(drawn_population: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    shutil.copytree(drawn_population, bare, ignore=shutil.ignore_patterns(DRAWS_FILE))
    outcome = CliRunner().invoke(app, [
        "simulate", "viral_cascade", "--population", str(bare), "--over-draws",
        "--replicates", "2", "--out", str(tmp_path / "o")])
    assert outcome.exit_code == 2 and "populate --draws K" in " ".join(outcome.output.split())
    outcome = CliRunner().invoke(app, [
        "simulate", "viral_cascade", "--population", str(drawn_population), "--over-draws",
        "--replicates", "1", "--out", str(tmp_path / "o")])
    assert outcome.exit_code == 2
    assert "at least 2 replicates" in " ".join(outcome.output.split())
