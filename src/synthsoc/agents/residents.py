"""Residents of a town: whole households of one eup-myeon-dong from a synthetic population,
joined with their persona attributes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synthsoc.synth import PopulationFolderError, load_population

PERSONAS_FILE = "personas.parquet"
# Household kinds whose members live as a family or a shared flat; institutions (care homes,
# barracks) run on their own timetable and are left out of the agents (counted as background).
AGENT_HOUSEHOLD_KINDS = ("general", "foreign", "non_kin_group")
SERVING = "military_service"  # persona weekday activity of a serving conscript (in barracks)
OFFICE_OCCUPATIONS = ("1", "2", "3")
SHOP_OCCUPATIONS = ("4", "5")
PERSONA_COLUMNS = (
    "person_id", "dialect", "dialect_strength", "register_elders", "register_peers",
    "register_juniors", "communication_style", "messenger", "weekday_activity", "wake_weekday",
    "leave_weekday", "return_weekday", "sleep_weekday", "weekend_activity", "wake_weekend",
    "sleep_weekend", "extraversion", "agreeableness", "openness",
)


@dataclass(frozen=True)
class Resident:
    """One generative agent: who the person is, where they live and belong, how they speak."""

    person_id: int
    household_id: int
    name: str
    age: int
    sex: str
    relationship: str
    occupation: str | None
    dialect: str
    dialect_strength: str
    register_elders: str
    register_peers: str
    register_juniors: str
    communication_style: str
    messenger: str
    weekday_activity: str
    wake_weekday: int
    leave_weekday: int | None
    return_weekday: int | None
    sleep_weekday: int
    weekend_activity: str
    wake_weekend: int
    sleep_weekend: int
    extraversion: float
    agreeableness: float
    openness: float
    main_place: str | None  # place kind of the workplace or school, None when at home by day

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Neighbourhood:
    """The chosen eup-myeon-dong, its agents and the residents left as background."""

    emd_code: str
    emd_name: str
    sigungu_name: str
    sido_name: str
    residents: tuple[Resident, ...]
    background_persons: int
    requested_agents: int
    # Background residents who spend the weekday at a workplace or school of the town, as
    # (place kind, leave minute, return minute); the rest of the background stays at home.
    background_out: tuple[tuple[str, int, int], ...] = ()
    # members of the chosen households serving their conscription: registered here, living
    # in barracks (persona weekday activity military_service), so not agents of the town
    away_serving: tuple[int, ...] = ()


def main_place_kind(activity: str, age: int, occupation: str | None) -> str | None:
    """The place kind someone spends the weekday at, from activity, age and occupation."""
    if activity == "work":
        if occupation in OFFICE_OCCUPATIONS:
            return "office"
        return "shop" if occupation in SHOP_OCCUPATIONS else "worksite"
    if activity == "school":
        return "elementary" if age <= 12 else ("middle" if age <= 15 else "high")
    if activity == "university":
        return "university"
    if activity == "preschool_care":
        return "daycare"
    return None


def main_place_expr() -> pl.Expr:
    """:func:`main_place_kind` as a polars expression over a persons-and-personas frame."""
    activity = pl.col("weekday_activity").cast(pl.String)
    occupation = pl.col("occupation").cast(pl.String)
    age = pl.col("age")
    return (
        pl.when(activity == "work").then(
            pl.when(occupation.is_in(OFFICE_OCCUPATIONS)).then(pl.lit("office"))
            .when(occupation.is_in(SHOP_OCCUPATIONS)).then(pl.lit("shop"))
            .otherwise(pl.lit("worksite")))
        .when(activity == "school").then(
            pl.when(age <= 12).then(pl.lit("elementary"))
            .when(age <= 15).then(pl.lit("middle")).otherwise(pl.lit("high")))
        .when(activity == "university").then(pl.lit("university"))
        .when(activity == "preschool_care").then(pl.lit("daycare"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def resolve_emd(regions: pl.DataFrame, emd: str, source: Path) -> pl.DataFrame:
    """The one region row whose emd code or name is ``emd``; an error lists the choices."""
    hit = regions.filter((pl.col("emd_code") == emd) | (pl.col("emd_name") == emd))
    if hit.height == 1:
        return hit
    if hit.height > 1:
        codes = ", ".join(f"{r['emd_code']} ({r['sigungu_name']})" for r in hit.iter_rows(
            named=True))
        raise PopulationFolderError(f"{source}: eup-myeon-dong name {emd!r} is ambiguous: {codes}"
                                    "; give the code")
    names = ", ".join(regions["emd_name"].head(12).to_list())
    raise PopulationFolderError(f"{source}: no eup-myeon-dong {emd!r} (field emd_code/emd_name; "
                                f"e.g. {names})")


def _int_or_none(value: Any) -> int | None:
    return None if value is None or int(value) < 0 else int(value)


def choose_households(sizes: np.ndarray, n_agents: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of whole households, in a seeded random order, whose sizes add up to at most
    ``n_agents`` (as close as whole households allow)."""
    order = rng.permutation(sizes.size)
    chosen: list[int] = []
    total = 0
    for index in order:
        size = int(sizes[index])
        if total + size <= n_agents:
            chosen.append(int(index))
            total += size
        if total == n_agents:
            break
    return np.array(chosen, dtype=np.int64)


def load_neighbourhood(folder: Path, emd: str, n_agents: int, seed: int) -> Neighbourhood:
    """Pick ``n_agents`` residents of ``emd`` as whole households (seeded)."""
    population = load_population(folder)
    personas_path = Path(folder) / PERSONAS_FILE
    if not personas_path.is_file():
        raise PopulationFolderError(f"{personas_path}: no persona attributes; run "
                                    f"`synthsoc personas {folder}` first")
    region = resolve_emd(population.regions, emd, Path(folder) / "regions.parquet").row(
        0, named=True)
    code = str(region["emd_code"])
    persons = population.persons.filter(pl.col("emd_code").cast(pl.String) == code)
    households = (
        population.households.filter(pl.col("emd_code").cast(pl.String) == code)
        .filter(pl.col("kind").cast(pl.String).is_in(AGENT_HOUSEHOLD_KINDS))
        .sort("household_id")
    )
    if households.height == 0:
        raise PopulationFolderError(f"{folder}: eup-myeon-dong {code} has no general households")
    picked = choose_households(households["size"].to_numpy(), n_agents,
                               np.random.default_rng([seed, 0]))
    ids = households["household_id"].to_numpy()[picked]
    personas = pl.read_parquet(personas_path, columns=list(PERSONA_COLUMNS))
    table = (
        persons.filter(pl.col("household_id").is_in(ids.tolist()))
        .join(personas, on="person_id", how="left")
        .sort("household_id", "person_id")
    )
    missing = table.filter(pl.col("dialect").is_null())["person_id"].to_list()
    if missing:
        raise PopulationFolderError(f"{personas_path}: no persona for person_id {missing[:5]}")
    serving = table.filter(pl.col("weekday_activity").cast(pl.String) == SERVING)
    table = table.filter(pl.col("weekday_activity").cast(pl.String) != SERVING)
    residents = []
    for row in table.iter_rows(named=True):
        occupation = None if row["occupation"] is None else str(row["occupation"])
        activity = str(row["weekday_activity"])
        residents.append(Resident(
            person_id=int(row["person_id"]), household_id=int(row["household_id"]),
            name=str(row["name"]), age=int(row["age"]), sex=str(row["sex"]),
            relationship=str(row["relationship"]), occupation=occupation,
            dialect=str(row["dialect"]), dialect_strength=str(row["dialect_strength"]),
            register_elders=str(row["register_elders"]),
            register_peers=str(row["register_peers"]),
            register_juniors=str(row["register_juniors"]),
            communication_style=str(row["communication_style"]),
            messenger=str(row["messenger"]), weekday_activity=activity,
            wake_weekday=int(row["wake_weekday"]),
            leave_weekday=_int_or_none(row["leave_weekday"]),
            return_weekday=_int_or_none(row["return_weekday"]),
            sleep_weekday=int(row["sleep_weekday"]),
            weekend_activity=str(row["weekend_activity"]),
            wake_weekend=int(row["wake_weekend"]), sleep_weekend=int(row["sleep_weekend"]),
            extraversion=float(row["extraversion"]), agreeableness=float(row["agreeableness"]),
            openness=float(row["openness"]),
            main_place=main_place_kind(activity, int(row["age"]), occupation),
        ))
    background = (
        persons.filter(~pl.col("household_id").is_in(ids.tolist()))
        .join(personas.select("person_id", "weekday_activity", "leave_weekday",
                              "return_weekday"), on="person_id", how="inner")
        .with_columns(main_place_expr().alias("main_place"))
        .filter(pl.col("main_place").is_not_null() & (pl.col("leave_weekday") >= 0)
                & (pl.col("return_weekday") >= 0))
        .sort("person_id")
    )
    out = tuple(zip(background["main_place"].to_list(),
                    background["leave_weekday"].cast(pl.Int64).to_list(),
                    background["return_weekday"].cast(pl.Int64).to_list(), strict=True))
    return Neighbourhood(
        background_out=out,
        emd_code=code, emd_name=str(region["emd_name"]),
        sigungu_name=str(region["sigungu_name"]), sido_name=str(region["sido_name"]),
        residents=tuple(residents), background_persons=persons.height - len(residents),
        requested_agents=n_agents,
        away_serving=tuple(int(p) for p in serving["person_id"]),
    )
