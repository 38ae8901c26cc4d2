"""Posterior draws of the sampled attributes for every person of a population.

One population folder keeps its base persons (drawn at province rates, as ``populate`` always
did) and gains ``posterior_draws.parquet``: ``person_id`` and, for each draw ``k`` in 1..K,
``education_k``, ``marital_status_k``, ``economic_activity_k`` and ``occupation_k``, dictionary
columns with the dictionaries of ``persons.parquet``. Everything the registers fix (age, sex,
place, household and relationship) is not in the file: it is the same in every draw, so every
control table is met exactly in every draw. ``posterior_draws.json`` holds the fits, their
diagnostics and the posterior predictive checks.

Draw ``k`` takes one posterior draw of each attribute's model (:mod:`synthsoc.synth.
posterior_evidence`), gives every eup-myeon-dong ``d`` a log-odds deviation
``delta_d = (X_d - X_province) . beta + sigma_area * z_d`` (``z_d`` standard normal), and sets
each eligible person's probability of the attribute's indicator to
``expit(logit r_cell + delta_d + c_cell)``: ``r_cell`` is the base population's own share in
the person's si-do x sex x 5-year age cell, and ``c_cell`` is solved (Newton) so that the
cell's expected count stays the base count, i.e. the province tables stay met in expectation.
A person's indicator changes only as far as its probability moved (a maximal coupling with the
base draw: a person keeps the base value with probability ``min(1, p/r)`` or
``min(1, (1-p)/(1-r))``); a new value is drawn from the cell's base distribution within the new
side of the indicator.

Kept in every draw: persons living with a spouse are married (the couple controls), conscripts
stay in military service and never married, nobody under 15 works, graduate school not before
23; occupation is drawn for a person employed only in the draw (from the base employed of the
same si-gun-gu x sex x education level) and null for one not employed. Household income is not
redrawn.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from synthsoc.atomic import write_arrow_table, write_json
from synthsoc.data.readers import read_json
from synthsoc.synth import schema
from synthsoc.synth.attributes import GRADUATE_FROM_AGE, draw_small_table
from synthsoc.synth.posterior_evidence import EVIDENCE, AttributeEvidence
from synthsoc.synth.province_model import ProvinceFit, fit_province_models, predictive_checks
from synthsoc.synth.small_area import FitSettings, SmallAreaError
from synthsoc.synth.targets import living_with_spouse

DRAWS_FILE = "posterior_draws.parquet"
DRAWS_REPORT_FILE = "posterior_draws.json"
DRAWN_COLUMNS = ("education", "marital_status", "economic_activity", "occupation")
N_AGE = 21  # 5-year bands 0-4 ... 100+
ROW_GROUP = 1_000_000
_POSITIVE = {
    "education": tuple(schema.EDUCATION_LEVELS.index(c) for c in
                       ("college", "university", "graduate")),
    "marital_status": (schema.MARITAL_STATUSES.index("never_married"),),
    "economic_activity": (schema.ECONOMIC_ACTIVITIES.index("employed"),),
}
_VALUES: dict[str, tuple[str, ...]] = {
    "education": schema.EDUCATION_LEVELS, "marital_status": schema.MARITAL_STATUSES,
    "economic_activity": schema.ECONOMIC_ACTIVITIES,
    "occupation": tuple(schema.OCCUPATION_GROUPS),
}


@dataclass(frozen=True)
class AttributeModel:
    """One attribute's fitted province model, with the covariates its draws need."""

    evidence: AttributeEvidence
    posterior: ProvinceFit


@cache
def fit_attribute_models(year: int, settings: FitSettings) -> tuple[AttributeModel, ...]:
    """Fit every sampled attribute's model (depends on the year's covariates and the
    settings only, so one process fits once)."""
    evidence = [build(year) for build in EVIDENCE.values()]
    fits = fit_province_models([e.provinces for e in evidence], settings)
    return tuple(AttributeModel(e, f) for e, f in zip(evidence, fits, strict=True))


def coupled_indicator(rng: np.random.Generator, base: np.ndarray, r: np.ndarray,
                      p: np.ndarray) -> np.ndarray:
    """A new indicator with P(1) = ``p`` that keeps ``base`` (drawn with P(1) = ``r``) as far
    as the probabilities allow: maximal coupling of the two Bernoulli draws."""
    u = rng.random(base.size)
    stay_one = np.divide(p, r, out=np.ones_like(p), where=r > 0)
    become_one = np.divide(p - r, 1.0 - r, out=np.zeros_like(p), where=r < 1)
    return np.where(base, u < stay_one, u < become_one)


def _cell_shift(logit_r: np.ndarray, delta: np.ndarray, weight: np.ndarray, cell: np.ndarray,
                target: np.ndarray) -> np.ndarray:
    """Per cell ``c`` with sum_g weight_g expit(logit_r_g + delta_g + c) = target (Newton).

    Groups ``g`` are the (eup-myeon-dong x cell) combinations; ``cell`` maps them to cells."""
    c = np.zeros(target.size)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(logit_r + delta + c[cell])))
        f = np.bincount(cell, weights=weight * p, minlength=target.size) - target
        df = np.bincount(cell, weights=weight * p * (1.0 - p), minlength=target.size)
        step = np.divide(f, df, out=np.zeros_like(f), where=df > 1e-12)
        c -= np.clip(step, -5.0, 5.0)
        if np.abs(f).max(initial=0.0) < 1e-6:
            break
    return c


@dataclass(frozen=True)
class _Persons:
    """The columns of a population the draws need, as codes."""

    n: int
    age: np.ndarray
    sex: np.ndarray
    sido: np.ndarray
    sgg: np.ndarray
    emd: np.ndarray  # index into the covariates' eup-myeon-dong codes
    in_couple: np.ndarray
    codes: dict[str, np.ndarray]  # education, marital_status, economic_activity, occupation


def _codes(column: pa.ChunkedArray, values: tuple[str, ...], name: str) -> np.ndarray:
    out = np.empty(len(column), dtype=np.int16)
    at = 0
    index = {v: i for i, v in enumerate(values)}
    for chunk in column.chunks:
        if not isinstance(chunk, pa.DictionaryArray):
            chunk = chunk.dictionary_encode()
        words = chunk.dictionary.to_pylist()
        unknown = sorted({w for w in words if w not in index})
        if unknown:
            raise SmallAreaError(f"{schema.PERSONS_FILE}: column {name} has unknown values "
                                 f"{unknown}")
        lookup = np.array([index[w] for w in words] + [-1], dtype=np.int16)
        idx = pc.fill_null(chunk.indices.cast(pa.int32()), len(words)).to_numpy()
        out[at:at + len(chunk)] = lookup[idx]
        at += len(chunk)
    return out


def _dense(column: pa.ChunkedArray) -> tuple[list[str], np.ndarray]:
    """Sorted distinct values of a (dictionary) string column and each row's rank among them
    (int32), chunk by chunk: no string copy of the whole column."""
    chunks = [c if isinstance(c, pa.DictionaryArray) else c.dictionary_encode()
              for c in column.chunks]
    words = sorted({w for c in chunks for w in c.dictionary.to_pylist() if w is not None})
    rank = {w: i for i, w in enumerate(words)}
    out = np.empty(len(column), dtype=np.int32)
    at = 0
    for chunk in chunks:
        if chunk.null_count:
            raise SmallAreaError(f"{schema.PERSONS_FILE}: {chunk.null_count} persons have no "
                                 "area code")
        lookup = np.array([rank[w] for w in chunk.dictionary.to_pylist()], dtype=np.int32)
        out[at:at + len(chunk)] = lookup[chunk.indices.to_numpy()]
        at += len(chunk)
    return words, out


def _read_persons(folder: Path, emd_codes: tuple[str, ...]) -> _Persons:
    """The columns the draws need, one at a time, as compact codes (int32 areas, int16 age
    and attributes): about 13 bytes a person, so 51M persons take 0.7 GB."""
    source = pq.ParquetFile(folder / schema.PERSONS_FILE)

    def column(name: str) -> pa.ChunkedArray:
        return source.read(columns=[name]).column(0)

    n = source.metadata.num_rows
    if not np.array_equal(column("person_id").to_numpy(), np.arange(n)):
        raise SmallAreaError(f"{folder / schema.PERSONS_FILE}: person_id is not 0..n-1 in order")
    _, sido = _dense(column("sido_code"))
    _, sgg = _dense(column("sigungu_code"))
    emd_words, emd_local = _dense(column("emd_code"))
    where = {c: i for i, c in enumerate(emd_codes)}
    unknown = [c for c in emd_words if c not in where]
    if unknown:
        raise SmallAreaError(f"{folder / schema.PERSONS_FILE}: emd_code {unknown[:3]} has no "
                             "covariates in the census table of the population's year")
    emd = np.array([where[c] for c in emd_words], dtype=np.int32)[emd_local]
    del emd_local
    role = _codes(column("relationship"), schema.RELATIONSHIPS, "relationship")
    hh = column("household_id").to_numpy()
    in_couple = living_with_spouse(role, hh, int(hh.max(initial=-1)) + 1)
    del hh, role
    return _Persons(
        n=n, age=column("age").to_numpy().astype(np.int16),
        sex=_codes(column("sex"), schema.SEXES, "sex").astype(np.int32), sido=sido, sgg=sgg,
        emd=emd, in_couple=in_couple,
        codes={c: _codes(column(c), _VALUES[c], c) for c in DRAWN_COLUMNS})


def _eligible(name: str, persons: _Persons, activity: np.ndarray) -> np.ndarray:
    military = activity == schema.ECONOMIC_ACTIVITIES.index("military_service")
    if name == "education":
        return persons.age >= 20
    if name == "marital_status":
        return (persons.age >= 20) & ~persons.in_couple & ~military
    return (persons.age >= 15) & ~military


def _redraw(rng: np.random.Generator, model: AttributeModel, j: int, persons: _Persons,
            values: np.ndarray, eligible: np.ndarray) -> tuple[np.ndarray, int]:
    """One draw of one attribute: new codes and the number of persons whose value changed."""
    ev = model.evidence
    beta = model.posterior.hyper["beta"][j]
    sigma = float(model.posterior.hyper["sigma_area"][j])
    delta_emd = ((ev.emd_covariates - ev.emd_province_covariates) @ beta
                 + sigma * rng.standard_normal(len(ev.emd_codes)))
    idx = np.flatnonzero(eligible)
    base = np.isin(values[idx], _POSITIVE[ev.attribute])
    n_cells = (int(persons.sido.max()) + 1) * 2 * N_AGE
    cell = (persons.sido[idx] * 2 + persons.sex[idx]) * N_AGE + np.minimum(
        persons.age[idx] // 5, N_AGE - 1)
    size = np.bincount(cell, minlength=n_cells).astype(np.float64)
    ones = np.bincount(cell, weights=base, minlength=n_cells)
    r_cell = np.divide(ones, size, out=np.zeros(n_cells), where=size > 0)
    # Groups: eup-myeon-dong x cell.
    group_key = persons.emd[idx] * n_cells + cell
    keys, group = np.unique(group_key, return_inverse=True)
    weight = np.bincount(group, minlength=keys.size).astype(np.float64)
    g_cell = keys % n_cells
    g_r = r_cell[g_cell]
    free = (g_r > 0) & (g_r < 1)
    logit_r = np.log(np.where(free, g_r, 0.5) / (1.0 - np.where(free, g_r, 0.5)))
    g_delta = np.where(free, delta_emd[keys // n_cells], 0.0)
    shift = _cell_shift(logit_r, g_delta, np.where(free, weight, 0.0), g_cell,
                        np.where((r_cell > 0) & (r_cell < 1), ones, 0.0))
    g_p = np.where(free, 1.0 / (1.0 + np.exp(-(logit_r + g_delta + shift[g_cell]))), g_r)
    new = coupled_indicator(rng, base, r_cell[cell], g_p[group])
    changed = np.flatnonzero(new != base)
    out = values.copy()
    if changed.size:
        n_values = len(_VALUES[ev.attribute])
        side = new[changed]
        # The cell's base distribution within each side of the indicator.
        table = np.zeros((n_cells * 2, n_values))
        np.add.at(table, (cell * 2 + base, values[idx]), 1.0)
        national = np.zeros((2 * N_AGE * 2, n_values))  # sex x age x side fallback
        sa = (cell % (2 * N_AGE)) * 2 + base
        np.add.at(national, (sa, values[idx]), 1.0)
        rows = cell[changed] * 2 + side
        empty = table[rows].sum(axis=1) == 0
        probs = table[rows]
        probs[empty] = national[(cell[changed[empty]] % (2 * N_AGE)) * 2 + side[empty]]
        pick = draw_small_table(rng, np.arange(changed.size), probs)
        out[idx[changed]] = pick
    return out, int(changed.size)


def _occupation(rng: np.random.Generator, persons: _Persons, education: np.ndarray,
                activity: np.ndarray) -> np.ndarray:
    """Occupation consistent with a draw's activity: kept for the base employed still
    employed, drawn for the newly employed, null (-1) for everyone not employed."""
    base_occ = persons.codes["occupation"]
    employed = activity == schema.ECONOMIC_ACTIVITIES.index("employed")
    level = np.where(education <= schema.EDUCATION_LEVELS.index("middle"), 0,
                     np.where(education >= schema.EDUCATION_LEVELS.index("university"), 2, 1))
    group = (persons.sgg * 2 + persons.sex) * 3 + level
    n_groups = (int(persons.sgg.max()) + 1) * 6
    n_occ = len(schema.OCCUPATION_GROUPS)
    had = base_occ >= 0
    table = np.zeros((n_groups, n_occ))
    np.add.at(table, (group[had], base_occ[had]), 1.0)
    national = np.zeros((6, n_occ))
    np.add.at(national, ((persons.sex[had] * 3 + level[had]), base_occ[had]), 1.0)
    out = np.where(employed, base_occ, -1).astype(np.int16)
    new = np.flatnonzero(employed & ~had)
    if new.size:
        probs = table[group[new]]
        empty = probs.sum(axis=1) == 0
        probs[empty] = national[persons.sex[new[empty]] * 3 + level[new[empty]]]
        out[new] = draw_small_table(rng, np.arange(new.size), probs)
    return out


def _dictionary(codes: np.ndarray, values: tuple[str, ...]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int8), mask=codes < 0), pa.array(list(values)))


def _merge_parts(path: Path, n: int, parts: list[Path]) -> None:
    """``person_id`` and every draw's columns in one Parquet file, written atomically one
    row group at a time from the per-draw files (which share row-group boundaries)."""
    sources = [pq.ParquetFile(p) for p in parts]
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        writer: pq.ParquetWriter | None = None
        at = 0
        for group in range(sources[0].metadata.num_row_groups):
            pieces = [s.read_row_group(group) for s in sources]
            rows = pieces[0].num_rows
            columns: dict[str, Any] = {
                "person_id": pa.array(np.arange(at, at + rows, dtype=np.int64))}
            for piece in pieces:
                columns.update(zip(piece.column_names, piece.columns, strict=True))
            table = pa.table(columns)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd",
                                          compression_level=1)
            writer.write_table(table, row_group_size=ROW_GROUP)
            at += rows
        if writer is not None:
            writer.close()
        if at != n:
            raise SmallAreaError(f"{path}: wrote {at} rows for {n} persons")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@dataclass(frozen=True)
class DrawsResult:
    path: Path
    draws: int
    fit_seconds: float
    draw_seconds: float
    bytes: int
    changed_share: dict[str, float]  # mean share of eligible persons changed per draw

    @property
    def files(self) -> list[str]:
        return [DRAWS_FILE, DRAWS_REPORT_FILE]


def write_posterior_draws(folder: str | Path, *, draws: int, seed: int,
                          year: int | None = None,
                          settings: FitSettings | None = None,
                          models: tuple[AttributeModel, ...] | None = None) -> DrawsResult:
    """Write ``posterior_draws.parquet`` and ``posterior_draws.json`` into a population folder
    (files it owns; nothing else there is touched). ``year`` defaults to the manifest's. Same
    seed: a byte-identical Parquet file (the JSON also records timings). ``models`` replaces
    the fits (tests give hand-set parameters)."""
    folder = Path(folder)
    if draws < 1:
        raise SmallAreaError(f"--draws {draws}: give at least 1 (or leave it out)")
    if year is None:
        year = int(read_json(folder / schema.MANIFEST_FILE, SmallAreaError)["year"])
    settings = settings or FitSettings(seed=seed)
    started = time.perf_counter()
    models = models if models is not None else fit_attribute_models(year, settings)
    fit_seconds = time.perf_counter() - started
    total = models[0].posterior.n_draws
    if draws > total:
        raise SmallAreaError(f"--draws {draws}: the fits hold {total} posterior draws")
    started = time.perf_counter()
    persons = _read_persons(folder, models[0].evidence.emd_codes)
    picks = np.sort(np.random.default_rng(np.random.SeedSequence([seed, 1414])).choice(
        total, size=draws, replace=False))
    by_name = {m.evidence.attribute: m for m in models}
    changed: dict[str, list[float]] = {name: [] for name in by_name}
    path = folder / DRAWS_FILE
    with tempfile.TemporaryDirectory(prefix=f".{DRAWS_FILE}.", dir=folder) as parts_dir:
        parts = []
        for k, j in enumerate(picks, start=1):
            rng = np.random.default_rng(np.random.SeedSequence([seed, 1414, k]))
            current = dict(persons.codes)
            for name in ("education", "economic_activity", "marital_status"):
                elig = _eligible(name, persons, current["economic_activity"])
                current[name], moved = _redraw(rng, by_name[name], int(j), persons,
                                               current[name], elig)
                changed[name].append(moved / max(int(elig.sum()), 1))
            early = (persons.age < GRADUATE_FROM_AGE) & (
                current["education"] == schema.EDUCATION_LEVELS.index("graduate"))
            current["education"][early] = schema.EDUCATION_LEVELS.index("university")
            current["occupation"] = _occupation(rng, persons, current["education"],
                                                current["economic_activity"])
            # One draw at a time to disk: memory does not grow with K.
            part = Path(parts_dir) / f"draw_{k}.parquet"
            write_arrow_table(part, pa.table({
                f"{name}_{k}": _dictionary(current[name], _VALUES[name])
                for name in DRAWN_COLUMNS}), row_group_size=ROW_GROUP)
            parts.append(part)
            del current
        _merge_parts(path, persons.n, parts)
    draw_seconds = time.perf_counter() - started
    report = {
        "format": "synthsoc-posterior-draws/1",
        "draws": draws, "seed": seed, "year": year,
        "posterior_draw_index": picks.tolist(),
        "columns": [f"{name}_k for k in 1..{draws}" for name in DRAWN_COLUMNS],
        "identification": (
            "No bundled table measures these attributes by district. A district's deviation "
            "from its province is the ecological covariate slope fitted across the 17 "
            "provinces (covariates relative to the province's) plus a random deviation with "
            "the between-province residual spread (ASSUMPTION: districts scatter within a "
            "province as provinces do around the covariate line). Province x sex x age "
            "shares stay the base population's in expectation."),
        "not_redrawn": ["household income (household-level)",
                        "occupation of persons employed in both the base and the draw"],
        "fit_settings": asdict(settings),
        "fit_seconds": fit_seconds, "draw_seconds": draw_seconds,
        "models": {m.evidence.attribute: {
            "indicator": m.evidence.indicator, "source": m.evidence.source,
            "fit_source": m.posterior.source,
            "covariates": list(m.evidence.provinces.covariate_names),
            "max_r_hat": m.posterior.max_r_hat, "min_ess": m.posterior.min_ess,
            "diagnostics": [asdict(d) for d in m.posterior.diagnostics],
            "beta_mean": np.asarray(m.posterior.hyper["beta"]).mean(axis=0).tolist(),
            "sigma_area_mean": float(np.mean(m.posterior.hyper["sigma_area"])),
            "sigma_area_90": np.quantile(m.posterior.hyper["sigma_area"], [0.05, 0.95]).tolist(),
            "predictive_checks": predictive_checks(m.posterior, seed),
            "changed_share_per_draw": changed[m.evidence.attribute],
        } for m in models},
    }
    write_json(folder / DRAWS_REPORT_FILE, report)
    return DrawsResult(path, draws, fit_seconds, draw_seconds, path.stat().st_size,
                       {k: float(np.mean(v)) for k, v in changed.items()})


def draw_persons(persons: Any, draws_path: str | Path, k: int) -> Any:
    """``persons`` (a polars frame sorted by person_id, as ``load_population`` reads it) with
    the sampled attributes of draw ``k`` in place of the base ones."""
    import polars as pl

    names = [f"{c}_{k}" for c in DRAWN_COLUMNS]
    schema_names = pq.read_schema(draws_path).names
    if names[0] not in schema_names:
        raise SmallAreaError(f"{draws_path}: no draw {k} (columns {schema_names[1:5]}...)")
    frame = pl.read_parquet(draws_path, columns=["person_id", *names])
    if frame.height != persons.height:
        raise SmallAreaError(f"{draws_path}: {frame.height} rows, the population has "
                             f"{persons.height} persons")
    drawn = frame.rename({f"{c}_{k}": c for c in DRAWN_COLUMNS})
    cast = [pl.col(c).cast(persons.schema[c]) for c in DRAWN_COLUMNS if c in persons.columns]
    return persons.drop([c for c in DRAWN_COLUMNS if c in persons.columns]).join(
        drawn.with_columns(cast), on="person_id", how="left").select(persons.columns)


def n_draws(draws_path: str | Path) -> int:
    """How many draws a ``posterior_draws.parquet`` holds."""
    names = pq.read_schema(draws_path).names
    return sum(1 for n in names if n.startswith("education_"))
