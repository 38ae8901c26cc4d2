"""`populate`: the whole synthesis from census tables to a population folder."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from threadpoolctl import threadpool_limits

from synthsoc import __version__
from synthsoc.atomic import (
    check_output_folder,
    staged_directory,
    write_arrow_table,
    write_json,
)
from synthsoc.data.census import load_emd_controls
from synthsoc.data.overrides import apply_overrides
from synthsoc.executor import Executor
from synthsoc.synth import posterior_draws, schema
from synthsoc.synth.assemble import Assembled, assemble
from synthsoc.synth.candidates import CandidatePool, build_seed_pool
from synthsoc.synth.controls import RunControls, build_run_controls
from synthsoc.synth.disclosure import disclosure_risk, population_members
from synthsoc.synth.fit_report import build_fit_report
from synthsoc.synth.general_households import draw_general_households
from synthsoc.synth.group_quarters import Register, SpecialHouseholds, build_special_households
from synthsoc.synth.person_tally import tally_persons
from synthsoc.synth.regions import region_table, resolve_region
from synthsoc.synth.report_html import write_html_report
from synthsoc.synth.rosters import load_rosters
from synthsoc.synth.sampling import gathered
from synthsoc.synth.seeds import SeedPool
from synthsoc.synth.targets import (
    general_targets,
    pool_incidence,
    single_year_category,
    young_children_of_couples_share,
)
from synthsoc.synth.threads import kernel_threads_beside

OUTPUT_KIND = "population"
STEPS = ("census tables", "controls", "group quarters", "fit and draw households",
         "attributes and names", "write parquet and fit report", "html report")


@dataclass(frozen=True)
class PopulateResult:
    out: Path
    n_persons: int
    n_households: int
    seconds: float
    summary: dict[str, Any]


@contextmanager
def _steps(show: bool) -> Iterator[Callable[[str], None]]:
    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, disable=not show, transient=False) as progress:
        task = progress.add_task("populate", total=len(STEPS))

        def advance(name: str) -> None:
            progress.update(task, description=name)
            progress.advance(task)

        yield advance


def populate(
    out: str | Path,
    *,
    year: int = 2025,
    scale: float = 0.01,
    seed: int = 1,
    region: str | None = None,
    controls_dir: str | Path | None = None,
    progress: bool = True,
    html: bool = True,
    force: bool = False,
    draws: int = 0,
    executor: Executor | None = None,
) -> PopulateResult:
    """Synthesise households and persons and write a complete population folder to ``out``.

    ``out`` must be new, empty or a previous population run (see :mod:`synthsoc.atomic`);
    ``force`` adds the files beside foreign ones without deleting any. ``draws`` > 0 adds K
    posterior draws of the sampled attributes (:mod:`synthsoc.synth.posterior_draws`).
    ``executor`` runs synthesis as one task per si-do (:mod:`synthsoc.synth.by_province`).
    """
    started = time.perf_counter()
    out = Path(out)
    check_output_folder(out, kind=OUTPUT_KIND, inputs=[controls_dir], force=force)
    # The compiled kernels use every core. OpenBLAS's threads, woken by a small matrix
    # product, spin beside them for a while after it (Seoul at 5%: the fit's kernel took
    # 0.17 s as against 0.135 s with BLAS on one thread; no product here is large).
    with (threadpool_limits(1, user_api="blas"), _steps(progress) as step,
          ThreadPoolExecutor(max_workers=1) as beside):
        # The candidate pool depends on the seed alone: it is built while the census tables
        # are read and the controls and group quarters drawn.
        building = beside.submit(build_seed_pool, seed)
        # ... and then, on the same thread, its share of young children living with a couple
        # and its members in every fit column.
        sharing = beside.submit(lambda: young_children_of_couples_share(building.result().pool))
        counting = (beside.submit(lambda: pool_incidence(building.result().pool))
                    if executor is None else None)  # the provinces' tasks find their own
        census = load_emd_controls(year)
        if controls_dir is not None:
            census = apply_overrides(census, Path(controls_dir))
        step("census tables")
        if region is not None and not region.strip():
            raise ValueError(f"--region {region!r} is blank; give a si-do or si-gun-gu code or "
                             "name, or leave --region out for all of Korea")
        region_code = resolve_region(region.strip(), year) if region is not None else None
        controls = build_run_controls(census, scale, seed, region_code)
        step("controls")
        if executor is None:
            rng = np.random.default_rng(np.random.SeedSequence([seed, 303]))
            special = group_quarters(rng, controls)
            step("group quarters")
            candidates = building.result()
            pool = candidates.pool
            person_targets = _general_person_targets(controls, special, pool, sharing.result())
            general = draw_general_households(rng, pool, controls.size_counts,
                                              controls.emd["sgg_idx"].to_numpy(),
                                              person_targets, _general_men_targets(controls),
                                              counting.result() if counting else None)
            step("fit and draw households")
            pop = assemble(rng, controls, pool, general, special)
        else:  # one task per si-do (synthsoc.synth.by_province)
            from synthsoc.synth.by_province import synthesise_by_province

            candidates = building.result()
            by_province = synthesise_by_province(
                executor, controls, candidates.pool, seed,
                lambda special: _general_person_targets(controls, special, candidates.pool,
                                                        sharing.result()),
                _general_men_targets(controls))
            pop, general, person_targets = (by_province.pop, by_province.general,
                                            by_province.person_targets)
            step("group quarters")
            step("fit and draw households")
        step("attributes and names")
        regions = region_table(controls)
        report: dict[str, Any]
        with (
            staged_directory(out, kind=OUTPUT_KIND, inputs=[controls_dir], force=force) as stage,
            ThreadPoolExecutor(max_workers=2) as writer,
        ):
            # Parquet encoding releases the GIL: write the persons and, beside them, the
            # households and regions while the fit report and the HTML report are computed.
            writing = [writer.submit(_write_persons, stage, pop, controls),
                       writer.submit(_write_households, stage, pop, controls, regions)]
            with kernel_threads_beside(len(writing)):
                # Every person counted once for the fit report, its checks and the charts.
                tally = tally_persons(pop, controls)
                report = build_fit_report(
                    controls, pop, general.fit, census, person_targets,
                    disclosure=_disclosure(pop, candidates, general.hh_seed), tally=tally)
                report["run"] = {
                    "year": year, "scale": scale, "seed": seed, "region": region_code,
                    "controls_dir": str(controls_dir) if controls_dir else None,
                    "synthsoc_version": __version__} | (
                    {"synthesis": "by_province"} if executor is not None else {})
                write_json(stage / schema.FIT_REPORT_FILE, report)
                if html:
                    write_html_report(stage, report, pop, controls, regions, tally)
            for task in writing:
                task.result()
            step("write parquet and fit report")
            step("html report")
            posterior = (posterior_draws.write_posterior_draws(
                stage, draws=draws, seed=seed, year=year).files if draws else [])
            manifest = {
                "format": "synthsoc-population/1",
                "synthsoc_version": __version__,
                "year": year, "scale": scale, "seed": seed, "region": region_code,
                **({"synthesis": "by_province"} if executor is not None else {}),
                "n_persons": int(pop.p_age.size), "n_households": int(pop.hh_size.size),
                "files": [schema.PERSONS_FILE, schema.HOUSEHOLDS_FILE, schema.REGIONS_FILE,
                          schema.FIT_REPORT_FILE] + (["report.html"] if html else [])
                + posterior,
            }
            write_json(stage / schema.MANIFEST_FILE, manifest)
    seconds = time.perf_counter() - started
    return PopulateResult(out=out, n_persons=int(pop.p_age.size),
                          n_households=int(pop.hh_size.size), seconds=seconds,
                          summary=report["summary"])


PERSON_CODES_NOT_PRUNED = ("relationship", "sex", "name", "marital_status", "education",
                           "economic_activity", "occupation", "nationality")
HOUSEHOLD_CODES_NOT_PRUNED = ("kind", "type", "dwelling_type", "income_bracket")


def _write_persons(stage: Path, pop: Assembled, controls: RunControls) -> None:
    # Categorical columns are dictionaries already; ids are sorted (delta encoded). Min/max
    # statistics are kept where a query prunes row groups by them (ids, age, the area codes
    # the rows are sorted by); every row group holds every sex, status or random name, and
    # their statistics took a fifth of the writing time.
    write_arrow_table(stage / schema.PERSONS_FILE, _persons_table(pop, controls),
                      dictionary_columns_only=True, no_statistics=PERSON_CODES_NOT_PRUNED,
                      delta_encoded=("person_id", "household_id"))


def _write_households(stage: Path, pop: Assembled, controls: RunControls,
                      regions: Any) -> None:
    write_arrow_table(stage / schema.HOUSEHOLDS_FILE, _households_table(pop, controls),
                      dictionary_columns_only=True, no_statistics=HOUSEHOLD_CODES_NOT_PRUNED,
                      delta_encoded=("household_id", "head_person_id"))
    write_arrow_table(stage / schema.REGIONS_FILE, pa.Table.from_pandas(
        regions.to_pandas(), preserve_index=False))


def _disclosure(pop: Assembled, candidates: CandidatePool,
                hh_seed: np.ndarray) -> dict[str, Any]:
    """The fit report's disclosure section, with the candidate pool's coverage."""
    members, general = population_members(pop)
    risk = disclosure_risk(members, candidates.pool, hh_seed, load_rosters(), assessed=general)
    return risk | {"pool": asdict(candidates.coverage)}


def group_quarters(rng: np.random.Generator, controls: RunControls) -> list[SpecialHouseholds]:
    """Foreign, institutional and non-kin group households. Institutional and non-kin
    members take their single years from the run's registered Korean residents by
    si-gun-gu x sex x single year (rounded at random to whole persons), institutions first;
    members a band's registered residents could not hold are counted in
    ``controls.repairs``."""
    single = controls.korean_age_sex_single
    register = Register(np.floor(single + rng.random(single.shape)).astype(np.int64),
                        controls.emd["sgg_idx"].to_numpy())
    special = [build_special_households(rng, kind, controls.special_hh[kind],
                                        controls.special_members[kind],
                                        None if kind == "for" else register)
               for kind in ("for", "inst", "nonkin")]
    # Reported with the fit report's reconciliation (repairs_to_inconsistent_counts).
    controls.repairs["group_quarter_members_beyond_registered_residents_of_their_age"] = sum(
        block.beyond_register for block in special)
    return special


def _general_person_targets(controls: RunControls, special: list[SpecialHouseholds],
                            pool: SeedPool, young_child_share: float | None = None
                            ) -> np.ndarray:
    """The general-household fit's targets per si-gun-gu (``targets.general_targets``);
    ``young_child_share`` is ``targets.young_children_of_couples_share(pool)``, found from
    ``pool`` where not given.

    Korean persons by sex x single year, less those already placed in group quarters, are
    scaled to the number of people the drawn general-household sizes hold.
    """
    n_sgg = controls.sigungu.height
    targets = controls.korean_age_sex_single.reshape(n_sgg, -1).copy()
    sgg_of_emd = controls.emd["sgg_idx"].to_numpy()
    for block in special:
        if block.kind == "for":
            continue
        p_emd = np.repeat(block.hh_emd, block.hh_size)
        cat = single_year_category(block.p_sex, block.p_age)
        np.add.at(targets, (sgg_of_emd[p_emd], cat), -1.0)
    targets = np.maximum(targets, 0.0)
    sizes = np.arange(1, controls.size_counts.shape[1] + 1)
    people = np.zeros(n_sgg)
    np.add.at(people, sgg_of_emd, controls.size_counts @ sizes)
    totals = targets.sum(axis=1)
    factor = np.divide(people, totals, out=np.zeros(n_sgg), where=totals > 0)
    one_person = np.zeros(n_sgg)
    np.add.at(one_person, sgg_of_emd, controls.size_counts[:, 0])
    single = (targets * factor[:, None]).reshape(n_sgg, 2, -1)
    return general_targets(single, controls.sigungu["sido_code"].to_list(), one_person,
                           young_children_of_couples_share(pool) if young_child_share is None
                           else young_child_share)


def _general_men_targets(controls: RunControls) -> np.ndarray:
    """Men in each area's general households: the census share of men applied to the number
    of people the drawn household sizes hold."""
    people = controls.size_counts @ np.arange(1, controls.size_counts.shape[1] + 1)
    census = controls.general_members.astype(np.float64)
    total = census.sum(axis=1)
    share = np.divide(census[:, 0], total, out=np.full(total.size, 0.5), where=total > 0)
    return np.round(share * people)


def _dictionary(codes: np.ndarray, values: list[str] | tuple[str, ...]) -> pa.DictionaryArray:
    if len(set(values)) != len(values):
        raise ValueError("dictionary values must be distinct (duplicates break byte-identity)")
    # The narrowest index type keeps 51 million rows of codes small in memory.
    width = np.int8 if len(values) < 2**7 else np.int16 if len(values) < 2**15 else np.int32
    indices = pa.array(codes.astype(width, copy=False))
    return pa.DictionaryArray.from_arrays(indices, pa.array(values))


def _area_dictionary(emd_index: np.ndarray, codes_of_emd: list[str]) -> pa.DictionaryArray:
    """A dictionary column of an area attribute (si-do, si-gun-gu) given each row's EMD."""
    values, inverse = np.unique(np.array(codes_of_emd), return_inverse=True)
    return _dictionary(gathered(inverse.astype(np.int32), emd_index), values.tolist())


def _persons_table(pop: Assembled, controls: RunControls) -> pa.Table:
    emd_codes = controls.emd["emd_code"].to_list()
    sgg_codes = controls.emd["sigungu_code"].to_list()
    sido_codes = controls.emd["sido_code"].to_list()
    n = pop.p_age.size
    p_emd = gathered(pop.hh_emd, pop.p_hh)
    occupation_codes = list(schema.OCCUPATION_GROUPS)
    occ = pop.p_occupation.astype(np.int8, copy=False)
    occupation = pa.DictionaryArray.from_arrays(
        pa.array(occ, mask=occ < 0), pa.array(occupation_codes))
    return pa.table({
        "person_id": pa.array(np.arange(n, dtype=np.int64)),
        "household_id": pa.array(pop.p_hh.astype(np.int64)),
        "relationship": _dictionary(pop.p_role, schema.RELATIONSHIPS),
        "age": pa.array(pop.p_age.astype(np.int16)),
        "sex": _dictionary(pop.p_sex, schema.SEXES),
        "sido_code": _area_dictionary(p_emd, sido_codes),
        "sigungu_code": _area_dictionary(p_emd, sgg_codes),
        "emd_code": _dictionary(p_emd, emd_codes),
        "name": _dictionary(pop.p_name, pop.name_dictionary),
        "marital_status": _dictionary(pop.p_marital, schema.MARITAL_STATUSES),
        "education": _dictionary(pop.p_education, schema.EDUCATION_LEVELS),
        "economic_activity": _dictionary(pop.p_activity, schema.ECONOMIC_ACTIVITIES),
        "occupation": occupation,
        "nationality": _dictionary(pop.p_foreign.astype(np.int8), schema.NATIONALITIES),
    })


def _households_table(pop: Assembled, controls: RunControls) -> pa.Table:
    emd_codes = controls.emd["emd_code"].to_list()
    sgg_codes = controls.emd["sigungu_code"].to_list()
    sido_codes = controls.emd["sido_code"].to_list()
    return pa.table({
        "household_id": pa.array(np.arange(pop.hh_size.size, dtype=np.int64)),
        "size": pa.array(pop.hh_size.astype(np.int16)),
        "kind": _dictionary(pop.hh_kind, schema.HOUSEHOLD_KINDS),
        "type": _dictionary(pop.hh_type, schema.HOUSEHOLD_TYPES),
        "dwelling_type": _dictionary(pop.hh_dwelling, schema.DWELLING_TYPES),
        "income_bracket": _dictionary(pop.hh_income, schema.INCOME_BRACKETS),
        "head_person_id": pa.array(pop.hh_head.astype(np.int64)),
        "sido_code": _area_dictionary(pop.hh_emd, sido_codes),
        "sigungu_code": _area_dictionary(pop.hh_emd, sgg_codes),
        "emd_code": _dictionary(pop.hh_emd, emd_codes),
    })
