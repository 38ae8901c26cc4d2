"""What the API reads from a population folder: fit report, pyramids against the official
figures, persons and personas with filters, one person's narrative and household, and any
attribute by area for the map.

A loaded population is kept in a small cache (the most recent ``CACHE_SIZE`` folders); the
persona table is the survey layer's respondent frame (every segment attribute as text), so the
browser filters on the same names a questionnaire's ``segments`` use.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synthsoc.data.readers import ReadError, read_json
from synthsoc.data.reference import AGE_GROUPS, age_sex_sigungu, source_lines
from synthsoc.persona.describe import describe_person
from synthsoc.persona.narratives import narrative_facts, template_narrative
from synthsoc.service import geo
from synthsoc.survey.respondents import respondent_frame
from synthsoc.synth import Population, load_population

CACHE_SIZE = 4
MAX_PAGE = 200
OFFICIAL_AGE_FILE = "age_sex_sigungu_resident_registration.csv"
NUMERIC = ("age",)


class PopulationQueryError(ValueError):
    """A filter, attribute or value the population does not have (names it and the choices)."""


@dataclass(frozen=True)
class LoadedPopulation:
    """A population folder in memory with its flat persona table."""

    folder: Path
    population: Population
    table: pl.DataFrame  # one row per person: every attribute as text, plus age and codes


class PopulationCache:
    """Loaded populations, least recently used dropped first (thread-safe)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Path, LoadedPopulation] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, folder: Path) -> LoadedPopulation:
        with self._lock:
            if folder in self._items:
                self._items.move_to_end(folder)
                return self._items[folder]
        loaded = _load(folder)
        with self._lock:
            self._items[folder] = loaded
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return loaded

    def __len__(self) -> int:
        return len(self._items)


def _load(folder: Path) -> LoadedPopulation:
    population = load_population(folder)
    codes = population.persons.select(
        "person_id", "household_id", pl.col("emd_code").cast(pl.Utf8),
        pl.col("sigungu_code").cast(pl.Utf8).alias("sigungu_code_"))
    table = respondent_frame(population, min_age=0).join(codes, on="person_id", how="left")
    return LoadedPopulation(folder, population, table)


def attributes(loaded: LoadedPopulation) -> dict[str, list[str]]:
    """Every filterable attribute with its values (age is numeric: min and max)."""
    out: dict[str, list[str]] = {}
    for col in loaded.table.columns:
        if col in ("person_id", "household_id", "emd_code", "sigungu_code_", "age"):
            continue
        values = loaded.table[col].unique().drop_nulls().sort().to_list()
        out[col] = [str(v) for v in values][:400]
    return out


def fit_summary(folder: Path) -> dict[str, Any]:
    """The fit report's summary and the TVD of every control table at every level."""
    try:
        report = read_json(folder / "fit_report.json")
    except ReadError as exc:
        raise PopulationQueryError(f"fit report: {exc}") from exc
    controls = {
        name: {level: entry.get("tvd") for level, entry in levels.items()
               if isinstance(entry, dict)}
        for name, levels in report.get("controls", {}).items() if isinstance(levels, dict)
    }
    fitted = {name: entry.get("tvd") if isinstance(entry, dict) else None
              for name, entry in report.get("fitted_joints", {}).items()}
    return {"summary": report.get("summary", {}), "controls_tvd": controls,
            "fitted_joints_tvd": fitted,
            "metric": "TVD: half the sum of absolute differences of shares over all cells"}


def pyramid(loaded: LoadedPopulation) -> dict[str, Any]:
    """Korean nationals by sex x 5-year age: synthetic shares against the official register
    figures of the same districts (MOIS resident registration, bundled with its source)."""
    pop = loaded.population
    year = int(pop.manifest.get("year", 2025))
    scale = float(pop.manifest.get("scale", 1.0))
    persons = pop.persons.filter(pl.col("nationality").cast(pl.Utf8) == "korean")
    edges = [int(g.split("-")[0].rstrip("+")) for g in AGE_GROUPS]
    labels = list(AGE_GROUPS)
    group = pl.col("age").cast(pl.Int64).cut(edges[1:], labels=labels, left_closed=True)
    synthetic = persons.group_by(pl.col("sex").cast(pl.Utf8), group.alias("age_group")).len()
    districts = persons["sigungu_code"].cast(pl.Utf8).unique().to_list()
    official = age_sex_sigungu(year).filter(pl.col("sigungu_code").is_in(districts)).group_by(
        "sex", "age_group").agg(pl.col("population").sum())
    syn_total = max(int(synthetic["len"].sum()), 1)
    off_total = max(int(official["population"].sum()), 1)
    syn = {(str(s), str(a)): int(n) for s, a, n in synthetic.iter_rows()}
    off = {(str(s), str(a)): int(n) for s, a, n in official.iter_rows()}
    rows: list[dict[str, Any]] = []
    shares: list[tuple[float, float]] = []
    for sex in ("M", "F"):
        for label in labels:
            n = syn.get((sex, label), 0)
            rows.append({"sex": sex, "age_group": label, "synthetic_persons": n,
                         "synthetic_share": n / syn_total,
                         "synthetic_scaled": n / scale,
                         "official_persons": off.get((sex, label)),
                         "official_share": off.get((sex, label), 0) / off_total})
            shares.append((n / syn_total, off.get((sex, label), 0) / off_total))
    tvd = 0.5 * sum(abs(a - b) for a, b in shares)
    return {"rows": rows, "tvd": tvd, "districts": len(districts), "scale": scale,
            "official_source": [ln.lstrip("# ") for ln in source_lines(OFFICIAL_AGE_FILE)],
            "note": "Korean nationals only (the register counts no foreigners); shares of each "
                    "side's total; synthetic_scaled = synthetic persons / scale"}


def _filtered(loaded: LoadedPopulation, where: list[str], age_min: int | None,
              age_max: int | None) -> pl.DataFrame:
    frame = loaded.table
    for item in where:
        column, sep, value = item.partition(":")
        if not sep:
            raise PopulationQueryError(f"filter {item!r}: write ATTRIBUTE:VALUE")
        if column not in frame.columns or column in ("person_id", "household_id", "age"):
            raise PopulationQueryError(
                f"filter {item!r}: unknown attribute {column!r}; choose one of "
                f"{sorted(attributes(loaded))}")
        frame = frame.filter(pl.col(column).cast(pl.Utf8) == value)
    if age_min is not None:
        frame = frame.filter(pl.col("age") >= age_min)
    if age_max is not None:
        frame = frame.filter(pl.col("age") <= age_max)
    return frame


def query_personas(loaded: LoadedPopulation, where: list[str], age_min: int | None,
                   age_max: int | None, limit: int, offset: int, sample: int | None,
                   seed: int) -> dict[str, Any]:
    """A page of persons matching every filter, or a seeded sample of them."""
    frame = _filtered(loaded, where, age_min, age_max)
    total = frame.height
    if sample is not None:
        frame = frame.sample(n=min(sample, total), seed=seed) if total else frame
        page = frame.sort("person_id")
    else:
        page = frame.slice(offset, min(limit, MAX_PAGE))
    names = loaded.population.persons.select("person_id", pl.col("name").cast(pl.Utf8))
    page = page.join(names, on="person_id", how="left", maintain_order="left")
    rows = page.drop("sigungu_code_", "emd_code").to_dicts()
    return {"total": total, "offset": offset if sample is None else 0, "rows": rows}


def person_detail(loaded: LoadedPopulation, person_id: int, seed: int = 1) -> dict[str, Any]:
    """One person: attributes, Korean description, narrative and household members."""
    table = loaded.table.filter(pl.col("person_id") == person_id)
    if table.height == 0:
        raise PopulationQueryError(f"person_id {person_id}: no such person in this population")
    row = table.row(0, named=True)
    pop = loaded.population
    person = pop.persons.filter(pl.col("person_id") == person_id)
    row["name"] = str(person["name"][0])
    members = pop.persons.filter(pl.col("household_id") == row["household_id"]).select(
        "person_id", pl.col("name").cast(pl.Utf8), "age", pl.col("sex").cast(pl.Utf8),
        pl.col("relationship").cast(pl.Utf8)).sort("person_id")
    household = pop.households.filter(pl.col("household_id") == row["household_id"]).select(
        [pl.col(c).cast(pl.Utf8) for c in ("size", "kind", "type", "dwelling_type",
                                            "income_bracket")])
    narrative, source = _narrative(loaded, person, seed)
    return {"person": {k: v for k, v in row.items() if k != "sigungu_code_"},
            "description": describe_person(row),
            "narrative": narrative, "narrative_source": source,
            "household": household.to_dicts()[0] if household.height else None,
            "members": members.to_dicts()}


def _narrative(loaded: LoadedPopulation, person: pl.DataFrame, seed: int) -> tuple[
        str | None, str]:
    folder = loaded.folder
    person_id = int(person["person_id"][0])
    stored = folder / "narratives.parquet"
    if stored.is_file():
        found = pl.read_parquet(stored).filter(pl.col("person_id") == person_id)
        if found.height:
            return str(found["narrative"][0]), f"narratives.parquet ({found['source'][0]})"
    if not (folder / "personas.parquet").is_file():
        return None, "no personas.parquet in this population: no narrative"
    if int(person["age"][0]) < 10:
        return None, "narratives are written for persons aged 10 and over only"
    one = dataclasses.replace(loaded.population, persons=person)
    facts = narrative_facts(one, pl.scan_parquet(folder / "personas.parquet"), n=1, seed=seed)
    return template_narrative(facts.row(0, named=True), seed), "offline Korean template"


def map_values(loaded: LoadedPopulation, level: geo.Level, attribute: str,
               value: str | None) -> dict[str, Any]:
    """Per polygon of ``level``: mean age, or the share of persons whose ``attribute`` is
    ``value``, with the number of persons behind it."""
    table = loaded.table
    if attribute == "persons":
        series = pl.Series([1.0] * table.height)
        what = "synthetic persons (count, before scaling)"
    elif attribute in NUMERIC:
        series = table[attribute].cast(pl.Float64)
        what = f"mean {attribute}"
    elif attribute in table.columns and attribute not in ("person_id", "household_id"):
        if value is None:
            raise PopulationQueryError(f"attribute {attribute!r} is categorical: give value "
                                       f"(one of {attributes(loaded)[attribute][:30]})")
        series = (table[attribute].cast(pl.Utf8) == value).cast(pl.Float64)
        what = f"share of persons with {attribute} = {value}"
    else:
        raise PopulationQueryError(
            f"attribute {attribute!r}: choose persons, age or one of {sorted(attributes(loaded))}")
    persons = table.select("sido_code", pl.col("sigungu_code_").alias("sigungu_code"),
                           "emd_code")
    codes, note = geo.polygon_codes(level, persons, loaded.population.regions)
    values = geo.area_values(codes, series)
    if attribute == "persons":
        values = {c: {"value": v["n"], "n": v["n"]} for c, v in values.items()}
    unplaced = int(codes.is_null().sum())
    return {"level": level, "attribute": attribute, "value": value, "what": what,
            "areas": values, "match": note, "persons_not_on_map": unplaced,
            "no_data": "areas without synthetic persons have no value and are drawn as "
                       "'no data'"}


FIT_METRICS = ("age_sex_tvd", "total_error")
SAMPLING_DRAWS = 200


def fit_map(loaded: LoadedPopulation, level: geo.Level, metric: str,
            seed: int = 1) -> dict[str, Any]:
    """Per polygon (si-gun-gu or si-do): how the population fits the official register of the
    same area. ``age_sex_tvd``: TVD between the synthetic and the registered shares of Korean
    nationals by sex x 5-year age (the pyramid's figures, area by area), beside the TVD that
    sampling alone gives (95th percentile of ``SAMPLING_DRAWS`` multinomial samples of the
    same size from the registered shares). ``total_error``: synthetic Korean nationals /
    scale over the registered total, minus 1, with its Poisson 95% interval."""
    if metric not in FIT_METRICS:
        raise PopulationQueryError(f"metric {metric!r}: choose one of {list(FIT_METRICS)}")
    if level == "emd":
        raise PopulationQueryError("fit metrics are drawn by si-gun-gu or si-do: the register "
                                   "they are measured against counts si-gun-gu")
    pop = loaded.population
    year = int(pop.manifest.get("year", 2025))
    scale = float(pop.manifest.get("scale", 1.0))
    edges = [int(g.split("-")[0].rstrip("+")) for g in AGE_GROUPS]
    group = pl.col("age").cast(pl.Int64).cut(edges[1:], labels=list(AGE_GROUPS),
                                              left_closed=True).cast(pl.Utf8)
    persons = pop.persons.filter(pl.col("nationality").cast(pl.Utf8) == "korean").select(
        pl.col("sigungu_code").cast(pl.Utf8), pl.col("sex").cast(pl.Utf8),
        group.alias("age_group"))
    districts = persons["sigungu_code"].unique().to_list()
    regions = pop.regions
    if level == "sido":
        to_area = dict(zip(regions["sigungu_code"].cast(pl.Utf8).to_list(),
                           regions["sido_code"].cast(pl.Utf8).to_list(), strict=True))
        rule: dict[str, Any] = {"rule": "si-do code"}
    else:
        crosswalk = geo.sigungu_crosswalk(regions)
        to_area = crosswalk.to_boundary
        rule = {"rule": "si-gun-gu matched by name (synthsoc.sim.maps)",
                "unmatched_districts": list(crosswalk.unmatched)}
    cells = [(s, a) for s in ("M", "F") for a in AGE_GROUPS]
    synthetic = persons.group_by("sigungu_code", "sex", "age_group").len()
    official = age_sex_sigungu(year).filter(pl.col("sigungu_code").is_in(districts))
    syn: dict[str, np.ndarray] = {}
    off: dict[str, np.ndarray] = {}
    index = {c: i for i, c in enumerate(cells)}
    for code, sex, age, n in synthetic.iter_rows():
        area = to_area.get(code)
        if area is not None and (sex, age) in index:
            syn.setdefault(area, np.zeros(len(cells)))[index[(sex, age)]] += n
    for code, sex, age, n in official.select("sigungu_code", pl.col("sex").cast(pl.Utf8),
                                             pl.col("age_group").cast(pl.Utf8),
                                             "population").iter_rows():
        area = to_area.get(code)
        if area is not None and (sex, age) in index:
            off.setdefault(area, np.zeros(len(cells)))[index[(sex, age)]] += n
    rng = np.random.default_rng(seed)
    areas: dict[str, dict[str, Any]] = {}
    for area in sorted(syn):
        s, o = syn[area], off.get(area)
        n = int(s.sum())
        if o is None or o.sum() <= 0 or n == 0:
            continue  # no registered figures for it: drawn as no data
        shares = o / o.sum()
        if metric == "age_sex_tvd":
            draws = rng.multinomial(n, shares, size=SAMPLING_DRAWS) / n
            sampling = 0.5 * np.abs(draws - shares).sum(axis=1)
            areas[area] = {"value": float(0.5 * np.abs(s / n - shares).sum()), "n": n,
                           "sampling_p95": float(np.quantile(sampling, 0.95))}
        else:
            low, high = _poisson_interval(n)
            total = float(o.sum())
            areas[area] = {"value": n / scale / total - 1.0, "n": n,
                           "ci_low": low / scale / total - 1.0,
                           "ci_high": high / scale / total - 1.0,
                           "basis": "Poisson 95% on the synthetic count"}
    what = ("TVD of Korean nationals by sex x 5-year age against the register"
            if metric == "age_sex_tvd" else
            "relative error of Korean nationals (synthetic / scale) against the register total")
    return {"level": level, "metric": metric, "what": what, "areas": areas, "match": rule,
            "official_source": [ln.lstrip("# ") for ln in source_lines(OFFICIAL_AGE_FILE)],
            "sampling": (f"sampling_p95: the TVD that {SAMPLING_DRAWS} samples of the same size "
                         "drawn from the registered shares stay under 95% of the time (seed "
                         f"{seed}); above it the fit is worse than sampling explains")
            if metric == "age_sex_tvd" else "interval: exact Poisson 95% on the count",
            "no_data": "areas without synthetic persons or registered figures are drawn as "
                       "'no data'"}


def _poisson_interval(n: int) -> tuple[float, float]:
    """Exact (Garwood) 95% interval of a Poisson count."""
    from scipy.stats import chi2

    low = 0.0 if n == 0 else float(chi2.ppf(0.025, 2 * n) / 2)
    return low, float(chi2.ppf(0.975, 2 * n + 2) / 2)
