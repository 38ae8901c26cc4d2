"""Vectorised draws reproduce their parameter tables per age band (large synthetic sample)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from synthsoc.persona import params as P
from synthsoc.persona.behavioural import behavioural
from synthsoc.persona.cognitive import cognitive
from synthsoc.persona.inputs import Demographics
from synthsoc.persona.linguistic import linguistic
from synthsoc.persona.sampling import band_index
from synthsoc.persona.schedule import schedule

N = 60_000


@pytest.fixture(scope="module")
def demo() -> Demographics:
    rng = np.random.default_rng(0)
    return Demographics(
        age=rng.integers(0, 95, N),
        female=rng.random(N) < 0.5,
        residence_zone=rng.integers(0, len(P.DIALECTS), N),
        head_or_spouse=rng.random(N) < 0.6,
        married=rng.random(N) < 0.5,
        activity=rng.integers(0, 4, N),
        occupation=rng.integers(-1, 9, N),
        income=rng.integers(0, 6, N),
    )


@pytest.mark.parametrize(
    ("column", "table", "module"),
    [
        ("messenger", P.MESSENGER_USE, "behavioural"),
        ("video_platform", P.VIDEO_PLATFORM_BY_AGE, "behavioural"),
        ("portal", P.PORTAL_BY_AGE, "behavioural"),
        ("online_shopping", P.ONLINE_SHOPPING_BY_AGE, "behavioural"),
    ],
)
def test_draws_match_their_age_tables(
    demo: Demographics, column: str, table: P.ByAge, module: str
) -> None:
    draw = linguistic if module == "linguistic" else behavioural
    values = draw(demo, np.random.default_rng(1))[column]
    bands = band_index(demo.age, table.bands)
    for band, expected in enumerate(table.probs):
        chosen = values[bands == band]
        observed = np.bincount(chosen, minlength=len(expected)) / len(chosen)
        se = np.sqrt(np.asarray(expected) * (1 - np.asarray(expected)) / len(chosen))
        assert np.all(np.abs(observed - expected) <= 4 * se + 1e-9), (column, band, observed)


@pytest.mark.parametrize(
    ("column", "table", "given", "floor"),
    [("register_peers", P.REGISTER_PEERS, "register_elders", 1),
     ("register_juniors", P.REGISTER_JUNIORS, "register_peers", 2)],
)
def test_register_draws_match_their_tables_below_the_politeness_floor(
    demo: Demographics, column: str, table: P.ByAge, given: str, floor: int
) -> None:
    """Given the level one step up is ``floor``, the table's more polite levels fold into it."""
    out = linguistic(demo, np.random.default_rng(1))
    bands = band_index(demo.age, table.bands)
    for band, probs in enumerate(table.probs):
        expected = np.array(probs, dtype=np.float64)
        expected[floor] = expected[: floor + 1].sum()
        expected[:floor] = 0.0
        chosen = out[column][(bands == band) & (out[given] == floor)]
        observed = np.bincount(chosen, minlength=len(expected)) / len(chosen)
        se = np.sqrt(expected * (1 - expected) / len(chosen))
        assert np.all(np.abs(observed - expected) <= 4 * se + 1e-9), (column, band, observed)


def test_foreign_residents_speak_standard_korean(demo: Demographics) -> None:
    foreign = np.random.default_rng(5).random(N) < 0.1
    demo_f = Demographics(**{**demo.__dict__, "foreign": foreign})
    out = linguistic(demo_f, np.random.default_rng(2))
    assert np.all(out["dialect"][foreign] == P.DIALECTS.index("seoul_gyeonggi"))
    assert np.all(out["dialect_strength"][foreign] == 0)


def test_dialect_strength_by_cohort_and_migrant_step_down(demo: Demographics) -> None:
    out = linguistic(demo, np.random.default_rng(2))
    standard = P.DIALECTS.index("seoul_gyeonggi")
    local = (out["dialect"] != standard) & ~out["dialect_is_origin"]
    moved = (out["dialect"] != standard) & out["dialect_is_origin"]
    old = demo.age >= 60
    strong = out["dialect_strength"] == 3
    assert abs(strong[local & old].mean() - P.DIALECT_STRENGTH_BY_AGE.probs[3][2]) < 0.03
    assert strong[moved].mean() == 0.0  # one level weaker outside the zone
    assert np.all(out["dialect"][out["dialect_is_origin"]] != demo.residence_zone[
        out["dialect_is_origin"]])


def test_infants_have_no_messenger_sns_or_portal(demo: Demographics) -> None:
    out = behavioural(demo, np.random.default_rng(6))
    infant = demo.age < 6
    assert infant.sum() > 1000
    assert np.all(out["messenger"][infant] == P.MESSENGERS.index("none"))
    assert not out["uses_sns"][infant].any() and np.all(out["sns_minutes_per_day"][infant] == 0)
    assert np.all(out["portal"][infant] == P.PORTALS.index("none"))
    school_child = (demo.age >= 6) & (demo.age < 10)
    assert 0.02 < out["uses_sns"][school_child].mean() < 0.12  # KISDI 2018: 5.7% of 0-9 (6+)


def test_big_five_follow_the_bundled_korean_correlations(demo: Demographics) -> None:
    path = Path(__file__).parents[2] / "src/synthsoc/persona/data/big_five_correlations.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    out = cognitive(demo, np.random.default_rng(7))
    adults = (demo.age >= 20) & (demo.age < 30) & demo.female
    assert len(rows) == 10
    for row in rows:
        r = np.corrcoef(out[row["trait_a"]][adults], out[row["trait_b"]][adults])[0, 1]
        assert abs(r - float(row["r"])) < 0.05, (row, r)


def test_schedules_spread_with_shifts_and_late_evenings(demo: Demographics) -> None:
    out = schedule(demo, np.random.default_rng(8))
    work = out["weekday_activity"] == P.WEEKDAY_ACTIVITIES.index("work")
    back = out["return_weekday"][work].astype(np.float64)
    assert out["wake_weekday"][work].std() > 35  # the issue measured 28 minutes before
    assert (back >= 22 * 60).mean() > 0.08  # people come home after 22:00
    night = (back > 24 * 60).mean()
    assert 0.03 < night < 0.15  # night shifts come home the next morning
    retired = out["weekday_activity"] == P.WEEKDAY_ACTIVITIES.index("home_retired")
    assert (out["sleep_weekday"][retired] >= 23 * 60).mean() > 0.05  # some retirees stay up late
