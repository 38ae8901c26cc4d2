"""The stereotype audit flags fixed cells; the card is generated from the parameters."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl

from synthsoc.persona import audit_personas, build_personas, write_personas
from synthsoc.persona import params as P
from synthsoc.persona.columns import COLUMNS
from synthsoc.synth import load_population


def _frame(population_dir: Path) -> pl.DataFrame:
    population = load_population(population_dir)
    personas = build_personas(population, seed=2)
    return population.persons.select("person_id", "age", "sex", "sido_code").join(
        personas, on="person_id", maintain_order="left"
    )


def test_audit_flags_a_constructed_fixed_cell(population_dir: Path) -> None:
    frame = _frame(population_dir)
    cell = (pl.col("age") // 10 == 4) & (pl.col("sex") == "F") & (pl.col("sido_code") == "31")
    n = frame.filter(cell).height
    assert n >= 20
    before = audit_personas(frame, min_cell_size=20)
    assert not [f for f in before["flags"] if f["attribute"] == "communication_style"]
    fixed = frame.with_columns(
        communication_style=pl.when(cell)
        .then(pl.lit("direct"))
        .otherwise(pl.col("communication_style").cast(pl.String))
    )
    report = audit_personas(fixed, min_cell_size=20)
    flags = [f for f in report["flags"] if f["attribute"] == "communication_style"]
    assert flags == [
        {
            "age_decade": "40-49", "sex": "F", "sido_code": "31", "n": n,
            "attribute": "communication_style", "value": "direct",
            "p_fixed_by_chance": flags[0]["p_fixed_by_chance"], "stereotype": True,
        }
    ]
    assert flags[0]["p_fixed_by_chance"] < 0.01
    entry = next(c for c in report["cells"] if (c["age_decade"], c["sex"], c["sido_code"])
                 == ("40-49", "F", "31"))
    assert entry["entropy"]["communication_style"] == 0.0
    assert entry["entropy"]["openness"] > 0.5


def test_personas_vary_within_cells(population_dir: Path) -> None:
    report = audit_personas(_frame(population_dir), min_cell_size=30)
    assert not [f for f in report["flags"] if f["stereotype"]]
    for name in ("openness", "risk_tolerance", "communication_style", "decision_heuristic"):
        assert report["attributes"][name]["mean_entropy"] > 0.6, name


def test_card_lists_every_attribute_and_assumption(population_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pop"
    shutil.copytree(population_dir, folder)
    write_personas(folder, seed=1)
    card = (folder / "persona_card.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"| `{column}` |" in card, column
    assumptions = card.split("## Parameters that are assumptions")[1]
    assumptions = assumptions.split("## Attributes assumed")[0]
    for parameter in P.PARAMETERS:
        assert f"`{parameter.key}`" in card, parameter.key
        assert (f"| `{parameter.key}` |" in assumptions) == (parameter.basis == "assumption")
    for text in P.INDEPENDENCE_ASSUMPTIONS:
        assert text in card
    audit = json.loads((folder / "persona_audit.json").read_text(encoding="utf-8"))
    assert set(audit["attributes"]) == set(COLUMNS[1:])
    assert f"Fixed cells: {len(audit['flags'])};" in card
    rich = audit["rich"]
    assert rich["cell"] == "age decade x sex x economic activity x education"
    assert f"Fixed cells: {len(rich['flags'])}, of which" in card
    assert len(rich["pairs"]) == len(COLUMNS[1:]) * (len(COLUMNS) - 2) // 2


def _rich_frame(population_dir: Path) -> pl.DataFrame:
    population = load_population(population_dir)
    personas = build_personas(population, seed=2)
    cells = ("person_id", "age", "sex", "sido_code", "economic_activity", "education")
    return population.persons.select(cells).join(personas, on="person_id", maintain_order="left")


def test_rich_audit_sees_determinism_by_activity_and_education(population_dir: Path) -> None:
    frame = _rich_frame(population_dir)
    cell = ((pl.col("age") // 10 == 4) & (pl.col("sex") == "M")
            & (pl.col("economic_activity") == "employed"))
    n = frame.filter(cell).height
    assert n >= 30
    before = audit_personas(frame, min_cell_size=20)["rich"]
    assert before["stereotypes"] == 0, [f for f in before["flags"] if f["stereotype"]]
    fixed = frame.with_columns(
        consumption_style=pl.when(cell).then(pl.lit("premium"))
        .otherwise(pl.col("consumption_style").cast(pl.String)))
    rich = audit_personas(fixed, min_cell_size=20)["rich"]
    flagged = [f for f in rich["flags"] if f["attribute"] == "consumption_style"]
    assert flagged and all(f["stereotype"] and f["value"] == "premium"
                           and f["economic_activity"] == "employed" for f in flagged)
    work = [f for f in rich["flags"] if f["attribute"] == "weekday_activity"]
    assert work and all(f["by_definition"] and not f["stereotype"] for f in work)


def test_pair_audit_flags_an_attribute_that_fixes_another(population_dir: Path) -> None:
    frame = _rich_frame(population_dir)
    report = audit_personas(frame, min_cell_size=20)["rich"]
    assert report["pairs_unexplained"] == []
    tied = frame.with_columns(
        communication_style=pl.col("decision_heuristic").cast(pl.String).replace_strict(
            {"deliberate": "direct", "intuitive": "expressive", "social_proof": "harmonising",
             "authority": "reserved", "habit": "reserved"}))
    pairs = audit_personas(tied, min_cell_size=20)["rich"]["pairs_unexplained"]
    assert {frozenset((p["a"], p["b"])) for p in pairs} == {
        frozenset(("communication_style", "decision_heuristic"))}
    assert pairs[0]["cramers_v"] > 0.9


def test_basic_frame_says_why_the_rich_audit_is_skipped(population_dir: Path) -> None:
    report = audit_personas(_frame(population_dir), min_cell_size=30)
    assert "economic_activity" in report["rich"]["skipped"]
