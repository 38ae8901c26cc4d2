"""Persona attributes: reproducibility, consistency with demographics, match to source tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthsoc.persona import build_personas, write_personas
from synthsoc.persona import params as P
from synthsoc.persona.behavioural import sns_targets
from synthsoc.persona.build import PERSONAS_FILE, persona_chunk
from synthsoc.persona.tables import dialect_by_sido
from synthsoc.synth import load_population


@pytest.fixture(scope="module")
def joined(population_dir: Path) -> pl.DataFrame:
    population = load_population(population_dir)
    personas = build_personas(population, seed=11)
    return population.persons.join(personas, on="person_id", maintain_order="left")


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_same_seed_gives_byte_identical_parquet(population_dir: Path, tmp_path: Path) -> None:
    a = _copy(population_dir, tmp_path / "a")
    b = _copy(population_dir, tmp_path / "b")
    c = _copy(population_dir, tmp_path / "c")
    write_personas(a, seed=5)
    write_personas(b, seed=5)
    write_personas(c, seed=6)
    bytes_a = (a / PERSONAS_FILE).read_bytes()
    assert bytes_a == (b / PERSONAS_FILE).read_bytes()
    assert bytes_a != (c / PERSONAS_FILE).read_bytes()
    assert (a / "persona_card.md").read_bytes() == (b / "persona_card.md").read_bytes()


def test_written_file_equals_python_api_and_chunking_is_bounded(
    population_dir: Path, tmp_path: Path
) -> None:
    folder = _copy(population_dir, tmp_path / "pop")
    write_personas(folder, seed=3, chunk_rows=1000)
    written = pl.read_parquet(folder / PERSONAS_FILE)
    built = build_personas(load_population(folder), seed=3, chunk_rows=1000)
    assert written.equals(built)
    persons = pl.read_parquet(folder / "persons.parquet")
    assert written["person_id"].to_list() == persons["person_id"].to_list()
    assert "dialect" in written.columns and written.null_count()["dialect"][0] == 0


def test_sns_use_matches_kisdi_rates_by_age_and_sex(joined: pl.DataFrame) -> None:
    targets = sns_targets()
    band = np.searchsorted(np.array(P.SNS_AGE_BANDS), joined["age"].to_numpy(), side="right") - 1
    frame = joined.with_columns(band=pl.Series(band), female=pl.col("sex") == "F")
    cells = frame.group_by("band", "female").agg(pl.len(), pl.col("uses_sns").mean())
    checked = 0
    for row in cells.iter_rows(named=True):
        target = targets[row["band"], int(row["female"])]
        if row["len"] < 80:
            continue
        se = np.sqrt(max(target * (1 - target), 0.01) / row["len"])
        assert abs(row["uses_sns"] - target) < 4 * se, row
        checked += 1
    assert checked >= 10
    twenties = frame.filter(pl.col("band") == 2)["uses_sns"].mean()
    seventies = frame.filter(pl.col("band") == 7)["uses_sns"].mean()
    assert isinstance(twenties, float) and isinstance(seventies, float)
    assert twenties > 0.7 and seventies < 0.08  # KISDI 2018: 82.3% and 2.3%


def test_dialect_follows_residence_unless_origin_is_modelled(joined: pl.DataFrame) -> None:
    zone = joined["sido_code"].replace_strict(dialect_by_sido())
    native = ~joined["dialect_is_origin"]
    assert (joined["dialect"].cast(pl.String) == zone).filter(native).all()
    assert (joined["dialect"].cast(pl.String) != zone).filter(~native).all()
    assert 0.03 < joined["dialect_is_origin"].mean() < 0.3  # type: ignore[operator]
    standard = joined["dialect"] == "seoul_gyeonggi"
    assert (joined["dialect_strength"].filter(standard) == "standard").all()
    assert (joined["dialect_strength"].filter(~standard) != "standard").all()
    old = joined.filter(~standard & native & (pl.col("age") >= 60))
    young = joined.filter(~standard & native & (pl.col("age") < 20))
    strong_old = (old["dialect_strength"] == "strong").mean()
    strong_young = (young["dialect_strength"] == "strong").mean()
    assert strong_old > strong_young  # type: ignore[operator]


def test_schedules_agree_with_age_and_activity(joined: pl.DataFrame) -> None:
    assert (joined.filter(pl.col("age") < 7)["weekday_activity"] == "preschool_care").all()
    employed = joined.filter(pl.col("economic_activity") == "employed")
    assert (employed["weekday_activity"] == "work").all()
    assert employed["leave_weekday"].null_count() == 0
    retired = joined.filter((pl.col("economic_activity") == "inactive") & (pl.col("age") >= 65))
    assert (retired["weekday_activity"] == "home_retired").all()
    # A share of stay-at-home persons goes out on a weekday (params.HOME_OUTING_SHARE).
    stay = retired["leave_weekday"].null_count() / retired.height
    se = (P.HOME_OUTING_SHARE * (1 - P.HOME_OUTING_SHARE) / retired.height) ** 0.5
    assert abs(stay - (1 - P.HOME_OUTING_SHARE)) < 4 * se
    out = joined.filter(pl.col("leave_weekday").is_not_null())
    assert (out["wake_weekday"] < out["leave_weekday"]).all()
    assert (out["leave_weekday"] < out["return_weekday"]).all()
    assert (out["return_weekday"] < out["sleep_weekday"]).all()
    assert (joined["wake_weekend"] < joined["sleep_weekend"]).all()


def test_big_five_and_risk_follow_published_directions(joined: pl.DataFrame) -> None:
    women, men = joined.filter(pl.col("sex") == "F"), joined.filter(pl.col("sex") == "M")
    gap = women["neuroticism"].mean() - men["neuroticism"].mean()  # type: ignore[operator]
    assert 2.5 < gap < 5.5  # d = 0.40 -> 4 T points
    assert women["risk_tolerance"].mean() < men["risk_tolerance"].mean()  # type: ignore[operator]
    adults = joined.filter(pl.col("age") >= 20)
    young = adults.filter(pl.col("age") < 35)
    old = adults.filter(pl.col("age") >= 65)
    assert old["conscientiousness"].mean() > young["conscientiousness"].mean()  # type: ignore[operator]
    assert old["value_conservation"].mean() > young["value_conservation"].mean()  # type: ignore[operator]
    assert 45 < joined["openness"].mean() < 55  # type: ignore[operator]


def test_categorical_inputs_give_the_same_personas(population_dir: Path) -> None:
    population = load_population(population_dir)
    coded = ("sex", "sido_code", "relationship", "marital_status", "economic_activity")
    as_categories = population.persons.with_columns(pl.col(c).cast(pl.Categorical) for c in coded)
    other = type(population)(as_categories, population.households, population.regions, {})
    assert build_personas(other, seed=8).equals(build_personas(population, seed=8))


def test_unknown_codes_are_named_in_the_error(population_dir: Path) -> None:
    population = load_population(population_dir)
    chunk = population.persons.head(5).with_columns(
        sido_code=pl.lit("99"), income_bracket=pl.lit("30_50m")
    )
    with pytest.raises(ValueError, match="sido_code has unknown value '99'"):
        persona_chunk(chunk, seed=1, chunk_index=0)
    bad = population.persons.head(5).with_columns(
        economic_activity=pl.lit("astronaut"), income_bracket=pl.lit("30_50m")
    )
    with pytest.raises(ValueError, match="economic_activity has unknown value 'astronaut'"):
        persona_chunk(bad, seed=1, chunk_index=0)
