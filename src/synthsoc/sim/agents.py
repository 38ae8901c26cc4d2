"""Agent attributes as flat arrays, derived once from a population and its personas.

Simulations never hold one Python object per agent: every attribute is a numpy array indexed by
agent number (the row of the persons frame). Demographics come from ``persons.parquet`` (and the
household's income bracket); every behavioural trait comes from ``personas.parquet``, whose
parameters and sources are listed in ``persona_card.md``:

* ``sns_user`` is ``uses_sns``; ``online_activity`` (chance of opening the feed on a day) is
  ``sns_minutes_per_day / FEED_MINUTES_FOR_DAILY_USE`` clipped to 0.05-1 for users;
* ``reshare`` is ``reshare_propensity``; ``interest`` is ``interest_topic``;
* ``risk_aversion`` is ``1 - risk_tolerance / 10`` (the 0-10 risk question, Dohmen et al. 2011);
* ``prosociality`` is ``prosociality``; ``conservation`` is ``value_conservation``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from synthsoc.persona.params import FEED_MINUTES_FOR_DAILY_USE, INTEREST_TOPICS

AGE_BAND_EDGES: tuple[int, ...] = (0, 20, 30, 40, 50, 60, 70)
AGE_BAND_LABELS: tuple[str, ...] = ("0-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70+")
INCOME_BRACKET_MIDPOINT_MKRW: dict[str, float] = {
    # Assumed annual household income at each bracket's midpoint, million KRW (open top: 130).
    "under_10m": 6.0,
    "10_30m": 20.0,
    "30_50m": 40.0,
    "50_70m": 60.0,
    "70_100m": 85.0,
    "100m_plus": 130.0,
}
N_INTERESTS = len(INTEREST_TOPICS)  # topics for online homophily (persona ``interest_topic``)
PERSONA_TRAITS: tuple[str, ...] = (
    "person_id",
    "uses_sns",
    "sns_minutes_per_day",
    "reshare_propensity",
    "interest_topic",
    "risk_tolerance",
    "prosociality",
    "value_conservation",
)

REQUIRED_PERSON_COLUMNS: tuple[str, ...] = (
    "person_id",
    "household_id",
    "age",
    "sex",
    "sido_code",
    "sigungu_code",
    "emd_code",
    "economic_activity",
    "occupation",
)


class AgentDataError(ValueError):
    """The persons or households frame lacks what the simulation needs."""


@dataclass(frozen=True)
class Agents:
    """Per-agent arrays (length ``n``); codes are dense integers with their labels beside them."""

    person_id: np.ndarray
    household: np.ndarray  # dense household index
    age: np.ndarray  # int16
    age_band: np.ndarray  # int8 index into AGE_BAND_LABELS
    female: np.ndarray  # bool
    sido: np.ndarray  # int16 dense index into sido_codes
    sigungu: np.ndarray  # int32 dense index into sigungu_codes
    emd: np.ndarray  # int32 dense index into emd_codes
    employed: np.ndarray  # bool
    occupation: np.ndarray  # int8, -1 when none
    income_mkrw: np.ndarray  # float32 household income, million KRW / year
    sns_user: np.ndarray  # bool
    online_activity: np.ndarray  # float32 probability of opening the feed on a given day
    reshare: np.ndarray  # float32 base probability of resharing a seen post
    interest: np.ndarray  # int8 topic 0..N_INTERESTS-1
    risk_aversion: np.ndarray  # float32 in [0, 1]
    prosociality: np.ndarray  # float32 in [0, 1]
    conservation: np.ndarray  # float32, Schwartz conservation value (z units)
    sido_codes: np.ndarray
    sigungu_codes: np.ndarray
    emd_codes: np.ndarray

    @property
    def n(self) -> int:
        return int(self.age.size)


def _dense(codes: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct labels and each row's index into them (polars: fast on strings)."""
    labels = codes.unique().sort().to_numpy()
    index = (codes.rank("dense") - 1).to_numpy().astype(np.int32)
    return labels, index


def build_agents(
    persons: pl.DataFrame,
    households: pl.DataFrame | None,
    personas: pl.DataFrame,
    *,
    seed: int = 0,
    source: str = "personas.parquet",
) -> Agents:
    """Agent arrays from persons, their households (income) and their personas, seeded."""
    missing = [c for c in REQUIRED_PERSON_COLUMNS if c not in persons.columns]
    if missing:
        raise AgentDataError(f"persons frame: missing columns {missing}")
    if persons.height == 0:
        raise AgentDataError("persons frame: no rows")
    rng = np.random.default_rng([seed, 0xA6E])
    age = persons["age"].to_numpy().astype(np.int16)
    if age.min() < 0 or age.max() > 120:
        raise AgentDataError(
            f"persons.age: values outside 0..120 (min {age.min()}, max {age.max()})"
        )
    age_band = (np.searchsorted(np.array(AGE_BAND_EDGES), age, side="right") - 1).astype(np.int8)
    bad_sex = persons.filter(~pl.col("sex").is_in(["M", "F"]))
    if bad_sex.height:
        raise AgentDataError(f"persons.sex: unexpected value {bad_sex['sex'][0]!r} (want 'M'/'F')")
    female = (persons["sex"] == "F").to_numpy()
    _, household = _dense(persons["household_id"])
    sido_codes, sido = _dense(persons["sido_code"].cast(pl.Utf8))
    sigungu_codes, sigungu = _dense(persons["sigungu_code"].cast(pl.Utf8))
    emd_codes, emd = _dense(persons["emd_code"].cast(pl.Utf8))
    employed = (persons["economic_activity"] == "employed").to_numpy()
    occ_map = {code: i for i, code in enumerate("123456789A")}
    occ_idx = (
        persons["occupation"]
        .cast(pl.Utf8)
        .replace_strict(occ_map, default=-1, return_dtype=pl.Int8)
        .to_numpy()
    )
    income = _household_income(persons, households, rng)
    traits = persona_traits(persons, personas, source)
    sns_user = traits["uses_sns"].to_numpy().astype(bool)
    minutes = traits["sns_minutes_per_day"].to_numpy().astype(np.float64)
    online_activity = np.where(
        sns_user, np.clip(minutes / FEED_MINUTES_FOR_DAILY_USE, 0.05, 1.0), 0.0
    ).astype(np.float32)
    interest = (
        traits["interest_topic"].cast(pl.Utf8).replace_strict(
            {t: i for i, t in enumerate(INTEREST_TOPICS)}, return_dtype=pl.Int8
        )
    ).to_numpy()
    risk = np.clip(1.0 - traits["risk_tolerance"].to_numpy() / 10.0, 0.0, 1.0)
    return Agents(
        person_id=persons["person_id"].to_numpy(),
        household=household,
        age=age,
        age_band=age_band,
        female=female,
        sido=sido.astype(np.int16),
        sigungu=sigungu,
        emd=emd,
        employed=employed,
        occupation=occ_idx,
        income_mkrw=income,
        sns_user=sns_user,
        online_activity=online_activity,
        reshare=traits["reshare_propensity"].to_numpy().astype(np.float32),
        interest=interest,
        risk_aversion=risk.astype(np.float32),
        prosociality=traits["prosociality"].to_numpy().astype(np.float32),
        conservation=traits["value_conservation"].to_numpy().astype(np.float32),
        sido_codes=sido_codes,
        sigungu_codes=sigungu_codes,
        emd_codes=emd_codes,
    )


def persona_traits(persons: pl.DataFrame, personas: pl.DataFrame, source: str) -> pl.DataFrame:
    """The persona columns the simulation reads, one row per person in the persons' order."""
    missing = [c for c in PERSONA_TRAITS if c not in personas.columns]
    if missing:
        raise AgentDataError(
            f"{source}: missing columns {missing}; rebuild it with `synthsoc personas`"
        )
    joined = persons.select("person_id").join(
        personas.select(PERSONA_TRAITS), on="person_id", how="left", maintain_order="left"
    )
    if joined.height != persons.height:
        raise AgentDataError(f"{source}: field person_id has duplicate values")
    absent = joined.filter(pl.any_horizontal(pl.col(c).is_null() for c in PERSONA_TRAITS[1:]))
    if absent.height:
        raise AgentDataError(
            f"{source}: no persona (or a null trait) for {absent.height} persons, first "
            f"person_id {absent['person_id'][0]!r}; rebuild it with `synthsoc personas`"
        )
    return joined


def _household_income(
    persons: pl.DataFrame, households: pl.DataFrame | None, rng: np.random.Generator
) -> np.ndarray:
    """Household income per person, million KRW; uniform within the bracket around its midpoint."""
    n = persons.height
    if households is None or "income_bracket" not in households.columns:
        raise AgentDataError("households frame: needs household_id and income_bracket columns")
    joined = persons.select("household_id").join(
        households.select("household_id", "income_bracket"), on="household_id", how="left"
    )
    brackets = joined["income_bracket"]
    values = brackets.replace_strict(
        INCOME_BRACKET_MIDPOINT_MKRW, default=None, return_dtype=pl.Float64
    )
    unknown = values.is_null().to_numpy()
    if unknown.any():
        raise AgentDataError(
            "households.income_bracket: person's household missing or bracket unknown: "
            f"{brackets.to_numpy()[unknown][0]!r}"
        )
    jitter = rng.uniform(0.8, 1.2, n)
    return (values.to_numpy() * jitter).astype(np.float32)
