"""Template narratives on a real 1% population: one speech level each, no household contradiction.

The population is synthesised at scale 0.01 (about 512,000 persons, every si-do). Every resident
of an institution or dormitory aged 10+ gets a narrative, plus a random 10,000 others; every
narrative is checked with the full checker and the speech classifier.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl
import pytest

from synthsoc.persona import build_personas, generate_narratives, narrative_facts
from synthsoc.persona.speech import classify_text
from synthsoc.synth import Population, load_population
from synthsoc.synth.populate import populate

pytestmark = pytest.mark.slow
N_OTHERS = 10_000


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Population:
    folder = tmp_path_factory.mktemp("pop1pct") / "pop"
    populate(folder, scale=0.01, seed=11, progress=False)
    return load_population(folder)


@pytest.fixture(scope="module")
def checked(population: Population) -> tuple[pl.DataFrame, pl.DataFrame]:
    facts = narrative_facts(population, build_personas(population, seed=5), 10**9, seed=5)
    group = facts["household_kind"].is_in(["institutional", "non_kin_group"]).to_numpy()
    rng = np.random.default_rng(0)
    others = rng.choice(np.flatnonzero(~group), size=N_OTHERS, replace=False)
    picked = facts[np.sort(np.concatenate([np.flatnonzero(group), others]))]
    return picked, generate_narratives(picked, seed=5)


def test_population_has_group_residents(checked: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    facts, _ = checked
    kinds = Counter(facts["household_kind"].to_list())
    assert kinds["institutional"] > 1000 and kinds["non_kin_group"] > 100, kinds


def test_no_contradictions_at_all(checked: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    _, result = checked
    flagged = result.filter(pl.col("n_contradictions") > 0)
    assert flagged.height == 0, flagged.head(5).to_dicts()


def test_one_speech_level_per_narrative(checked: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    _, result = checked
    switches = [t for t in result["narrative"] if classify_text(t).level_switches]
    assert switches == []


def test_group_residents_never_speak_of_family_or_living_alone(
    checked: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    facts, result = checked
    group = facts["household_kind"].is_in(["institutional", "non_kin_group"])
    texts = result.filter(group)["narrative"]
    assert texts.len() > 1000
    assert not texts.str.contains("식구|혼자 살|가족과 함께").any()



def test_no_two_members_of_a_household_share_a_full_name(population: Population) -> None:
    """Families and private households only: residents of group quarters (barracks, care
    homes, dormitories of hundreds or thousands) are unrelated and may be namesakes."""
    persons = population.persons.with_columns(pl.col("relationship").cast(pl.String))
    private = persons.filter(pl.col("relationship") != "group_resident")
    repeated = private.group_by("household_id", "name").len().filter(pl.col("len") > 1)
    assert repeated.height == 0, repeated.head()
    assert private.height > 0.95 * persons.height
    kids = persons.filter(pl.col("relationship").is_in(["child", "grandchild"]))
    assert kids.group_by("household_id").len().filter(pl.col("len") >= 2).height > 10_000
