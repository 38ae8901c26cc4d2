"""Agent attributes as flat arrays, derived once from a population's persons and households.

Simulations never hold one Python object per agent: every attribute is a numpy array indexed by
agent number (the row of the persons frame). Behavioural traits that the population does not
carry (online activity, resharing, risk aversion, prosociality) are derived here from
demographics: SNS use by age follows KISDI's 2018 Korea Media Panel figures (package data
``sns_use_by_age.csv``); the other traits are stated modelling assumptions, seeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import polars as pl

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
N_INTERESTS = 8  # topics for online homophily (assumption: 8 broad interest groups)

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
    sido_codes: np.ndarray
    sigungu_codes: np.ndarray
    emd_codes: np.ndarray

    @property
    def n(self) -> int:
        return int(self.age.size)


def _sns_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    text = resources.files("synthsoc.sim").joinpath("data/sns_use_by_age.csv").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")][1:]
    rows = [ln.split(",") for ln in lines]
    lows = np.array([int(r[0]) for r in rows])
    pct = np.array([float(r[2]) for r in rows]) / 100.0
    minutes = np.array([float(r[3]) if r[3] else np.nan for r in rows])
    return lows, pct, minutes


def _dense(codes: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct labels and each row's index into them (polars: fast on strings)."""
    labels = codes.unique().sort().to_numpy()
    index = (codes.rank("dense") - 1).to_numpy().astype(np.int32)
    return labels, index


def build_agents(
    persons: pl.DataFrame, households: pl.DataFrame | None = None, *, seed: int = 0
) -> Agents:
    """Derive agent arrays from a persons frame (and households for income), seeded."""
    missing = [c for c in REQUIRED_PERSON_COLUMNS if c not in persons.columns]
    if missing:
        raise AgentDataError(f"persons frame: missing columns {missing}")
    if persons.height == 0:
        raise AgentDataError("persons frame: no rows")
    rng = np.random.default_rng([seed, 0xA6E])
    n = persons.height
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

    lows, pct, minutes = _sns_table()
    band = np.searchsorted(lows, age, side="right") - 1
    sns_user = rng.random(n) < pct[band]
    mins = np.where(np.isnan(minutes), np.nanmin(minutes), minutes)[band]
    # Assumption: a user opens the feed on a day with probability rising with minutes of use.
    online_activity = np.where(sns_user, np.clip(mins / 70.0, 0.05, 1.0), 0.0).astype(np.float32)
    # Assumption: reshare propensity per seen post, mean about 0.05, falling with age.
    reshare = np.clip(rng.beta(1.2, 20.0, n) * (1.3 - age / 150.0), 0.0, 1.0).astype(np.float32)
    # Interests: assumption, a topic drawn with a preference shifted by age band and sex.
    shift = age_band.astype(np.int64) + female.astype(np.int64) * 3
    interest = ((shift + rng.geometric(0.35, n) - 1) % N_INTERESTS).astype(np.int8)
    risk = np.clip(rng.beta(3.0, 3.0, n) + (age - 45) / 300.0, 0.0, 1.0).astype(np.float32)
    prosocial = np.clip(rng.beta(4.0, 3.0, n) + (age - 45) / 400.0, 0.0, 1.0).astype(np.float32)
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
        reshare=reshare,
        interest=interest,
        risk_aversion=risk,
        prosociality=prosocial,
        sido_codes=sido_codes,
        sigungu_codes=sigungu_codes,
        emd_codes=emd_codes,
    )


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
