"""Population synthesis by province: each si-do is a work unit on an executor.

The province-level stages (group quarters, the general-household fit and draw, assembly of
persons and their attributes) run as one task per si-do, on local processes or a Ray cluster
(:mod:`synthsoc.executor`). Every task draws from its own random stream, derived from the
run's seed and the si-do code, and the provinces are joined in ascending si-do order, so the
population is byte-identical whatever the number of workers or nodes.

What is national and how it is handled (nothing is drawn across provinces inside a task):

* **Shared inputs, built once in the driver**: the run's controls (scaled and rounded for the
  whole run, as in one process), the candidate pool (``build_seed_pool(seed)``) and the
  general-household fit's person targets. The targets' one-person headship rates are national
  (one-person householders by sex x age over the run's adults), so they are computed in the
  driver from every province's group quarters: synthesis runs in two rounds of tasks
  (group quarters, then fit, draw and assembly).
* **A national stage after the join**: income brackets. Their official shares cut the
  national ranking of the households' earning scores, so they are drawn again over the joined
  population from the stream (seed, 304); the brackets a task draws are replaced.
* **Per province by construction** (each is a function of areas inside one si-do): the fit
  (per si-gun-gu; each province's fit stops when its own areas converge), marriage migrants
  (scaled counts per si-gun-gu), dwellings (per eup-myeon-dong), marital status, education
  and activity (per si-do tables), occupations (per si-gun-gu tilt), names (distinct within
  households; every task has the same name dictionary, checked) and foreign households (per
  eup-myeon-dong controls). Conscripts are the national serving share by single age applied
  to each province's Korean men, randomly rounded per province: the total is the sum of 17
  roundings (unbiased, as in one process).

The result is the same population model as ``populate`` in one process, but not the same
draws: the random streams are split by province. Households and persons are numbered in
province order (ascending si-do, then areas and households as one process orders them).

Memory: the provinces' columns are joined one column at a time and each province's copy is
released as soon as its column is joined, so the join holds the population once plus one
column, not twice.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from synthsoc.executor import Executor
from synthsoc.synth import attributes
from synthsoc.synth.assemble import Assembled
from synthsoc.synth.controls import SPECIAL_KINDS, RunControls
from synthsoc.synth.fit import FitResult
from synthsoc.synth.general_households import GeneralHouseholds
from synthsoc.synth.group_quarters import SpecialHouseholds
from synthsoc.synth.marriage_migrants import MarriageMigrants
from synthsoc.synth.military import Conscripts
from synthsoc.synth.schema import EDUCATION_LEVELS
from synthsoc.synth.seeds import SeedPool

BEYOND_REGISTER = "group_quarter_members_beyond_registered_residents_of_their_age"
# Assembled's column arrays, in the order they are joined.
HOUSEHOLD_COLUMNS: tuple[str, ...] = ("hh_emd", "hh_size", "hh_kind", "hh_type", "hh_dwelling",
                                      "hh_income", "hh_head")
PERSON_COLUMNS: tuple[str, ...] = ("p_hh", "p_role", "p_sex", "p_age", "p_marital",
                                   "p_education", "p_activity", "p_occupation", "p_foreign",
                                   "p_name")


@dataclass(frozen=True)
class Province:
    """One si-do of the run: its rows in the run's eup-myeon-dong and si-gun-gu tables."""

    sido_code: str
    emd_rows: np.ndarray  # int64 rows of controls.emd, ascending
    sgg_rows: np.ndarray  # int64 rows of controls.sigungu, ascending


@dataclass(frozen=True)
class NationalInputs:
    """What every province task shares (sent once per worker or node)."""

    controls: RunControls
    pool: SeedPool
    seed: int
    person_targets: np.ndarray | None = None  # (n_sgg, N_COLUMNS); second round only
    men_targets: np.ndarray | None = None  # (n_emd,); second round only


@dataclass
class ProvincePart:
    """One province's population, numbered within the province (joined by the driver)."""

    columns: dict[str, np.ndarray]
    name_dictionary: list[str]
    migrants: MarriageMigrants
    conscripts: Conscripts
    general_emd: np.ndarray  # area of each general household, in draw order (province rows)
    hh_seed: np.ndarray  # candidate drawn for each of them
    fit: FitResult
    seconds: float  # the task's own wall time (for the overhead per task)


@dataclass(frozen=True)
class ByProvince:
    """The joined population and what the fit report needs from the province tasks."""

    pop: Assembled
    general: GeneralHouseholds
    person_targets: np.ndarray
    provinces: int
    timings: dict[str, float]  # seconds: each round of tasks, the tasks' own sum, the join


def provinces(controls: RunControls) -> list[Province]:
    """The run's si-do in ascending code order."""
    emd_sido = controls.emd["sido_code"].to_numpy()
    sgg_sido = controls.sigungu["sido_code"].to_numpy()
    return [Province(str(code), np.flatnonzero(emd_sido == code), np.flatnonzero(sgg_sido == code))
            for code in sorted(set(emd_sido.tolist()))]


def slice_controls(controls: RunControls, emd_rows: np.ndarray,
                   sgg_rows: np.ndarray) -> RunControls:
    """The controls of some eup-myeon-dong and the si-gun-gu holding them (``sgg_idx``
    renumbered). ``repairs`` starts empty: the run's repairs stay with the run's controls."""
    remap = np.full(controls.sigungu.height, -1, dtype=np.int32)
    remap[sgg_rows] = np.arange(sgg_rows.size, dtype=np.int32)
    emd = controls.emd[emd_rows.tolist()]
    emd = emd.with_columns(pl.Series("sgg_idx", remap[emd["sgg_idx"].to_numpy()],
                                     dtype=pl.Int32))
    if (emd["sgg_idx"].to_numpy() < 0).any():
        raise ValueError("slice_controls: an eup-myeon-dong lies outside the si-gun-gu kept")
    return RunControls(
        year=controls.year, scale=controls.scale, emd=emd,
        sigungu=controls.sigungu[sgg_rows.tolist()],
        size_counts=controls.size_counts[emd_rows], dwelling=controls.dwelling[emd_rows],
        special_hh={k: v[emd_rows] for k, v in controls.special_hh.items()},
        special_members={k: v[emd_rows] for k, v in controls.special_members.items()},
        korean_age_sex=controls.korean_age_sex[sgg_rows],
        korean_age_sex_single=controls.korean_age_sex_single[sgg_rows],
        general_members=controls.general_members[emd_rows], repairs={},
    )


def _stream(seed: int, sido_code: str, stage: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, 303, int(sido_code), stage]))


def group_quarters_unit(shared: NationalInputs,
                        province: Province) -> tuple[list[SpecialHouseholds], int, float]:
    """First round: one province's group quarters (area indices within the province), its
    members beyond the registered residents of their age and the task's seconds."""
    from synthsoc.synth.populate import group_quarters

    started = time.perf_counter()
    local = slice_controls(shared.controls, province.emd_rows, province.sgg_rows)
    special = group_quarters(_stream(shared.seed, province.sido_code, 1), local)
    return special, int(local.repairs[BEYOND_REGISTER]), time.perf_counter() - started


def draw_unit(shared: NationalInputs,
              item: tuple[Province, list[SpecialHouseholds]]) -> ProvincePart:
    """Second round: one province's general households (fit and draw) and the assembly of
    all its households and persons."""
    from synthsoc.synth.assemble import assemble
    from synthsoc.synth.general_households import draw_general_households

    started = time.perf_counter()
    province, special = item
    if shared.person_targets is None or shared.men_targets is None:
        raise ValueError("draw_unit needs the national person and men targets")
    local = slice_controls(shared.controls, province.emd_rows, province.sgg_rows)
    rng = _stream(shared.seed, province.sido_code, 2)
    general = draw_general_households(rng, shared.pool, local.size_counts,
                                      local.emd["sgg_idx"].to_numpy(),
                                      shared.person_targets[province.sgg_rows],
                                      shared.men_targets[province.emd_rows])
    pop = assemble(rng, local, shared.pool, general, special)
    columns = {name: getattr(pop, name) for name in HOUSEHOLD_COLUMNS + PERSON_COLUMNS}
    return ProvincePart(columns=columns, name_dictionary=pop.name_dictionary,
                        migrants=pop.marriage_migrants, conscripts=pop.conscripts,
                        general_emd=general.hh_emd, hh_seed=general.hh_seed, fit=general.fit,
                        seconds=time.perf_counter() - started)


def national_special(parts: Sequence[list[SpecialHouseholds]],
                     units: Sequence[Province]) -> list[SpecialHouseholds]:
    """The provinces' group quarters as one block per kind, in the run's area indices."""
    out = []
    for k, kind in enumerate(SPECIAL_KINDS):
        blocks = [part[k] for part in parts]
        if any(b.kind != kind for b in blocks):
            raise ValueError(f"group quarters out of order: expected {kind}")
        households = np.cumsum([0] + [b.hh_size.size for b in blocks[:-1]])
        out.append(SpecialHouseholds(
            kind=kind,
            hh_emd=np.concatenate([u.emd_rows[b.hh_emd].astype(np.int32)
                                   for b, u in zip(blocks, units, strict=True)]),
            hh_size=np.concatenate([b.hh_size for b in blocks]),
            p_hh=np.concatenate([b.p_hh + off for b, off in zip(blocks, households,
                                                                 strict=True)]),
            p_sex=np.concatenate([b.p_sex for b in blocks]),
            p_age=np.concatenate([b.p_age for b in blocks]),
            p_is_head=np.concatenate([b.p_is_head for b in blocks]),
            beyond_register=sum(b.beyond_register for b in blocks),
        ))
    return out


def _join_columns(parts: list[ProvincePart], units: Sequence[Province]) -> dict[str, np.ndarray]:
    """Every column joined in province order, household and person numbers shifted; each
    province's copy of a column is dropped once it is joined."""
    n_hh = np.cumsum([0] + [p.columns["hh_size"].size for p in parts])
    n_p = np.cumsum([0] + [p.columns["p_hh"].size for p in parts])
    shift: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
        "hh_emd": lambda a, i: units[i].emd_rows.astype(a.dtype)[a],
        "hh_head": lambda a, i: a + n_p[i],
        "p_hh": lambda a, i: a + a.dtype.type(n_hh[i]),
    }
    joined: dict[str, np.ndarray] = {}
    for name in HOUSEHOLD_COLUMNS + PERSON_COLUMNS:
        move = shift.get(name)
        pieces = [p.columns.pop(name) for p in parts]
        if move is not None:
            pieces = [move(a, i) for i, a in enumerate(pieces)]
        joined[name] = np.concatenate(pieces)
        del pieces
    return joined


def _join_fit(fits: Sequence[FitResult], units: Sequence[Province]) -> FitResult:
    return FitResult(
        weights=np.concatenate([f.weights for f in fits], axis=0),
        iterations=max(f.iterations for f in fits),
        max_abs_error=max(f.max_abs_error for f in fits),
        max_rel_error=max(f.max_rel_error for f in fits),
        infeasible=sum(f.infeasible for f in fits),
        infeasible_at=np.concatenate(
            [np.column_stack([u.sgg_rows[f.infeasible_at[:, 0]], f.infeasible_at[:, 1]])
             for f, u in zip(fits, units, strict=True)]).astype(np.int64),
        infeasible_in_pool=np.concatenate([f.infeasible_in_pool for f in fits]).astype(bool),
    )


def national_income(seed: int, pop: Assembled) -> np.ndarray:
    """Income brackets cut from the national ranking of the joined households (stream
    (seed, 304))."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 304]))
    n_hh = pop.hh_size.size
    employed = pop.p_activity == 0
    n_employed = np.bincount(pop.p_hh, weights=employed, minlength=n_hh)
    head_university = pop.p_education[pop.hh_head] >= EDUCATION_LEVELS.index("university")
    return attributes.income_brackets(rng, n_employed, pop.hh_size, pop.p_age[pop.hh_head],
                                      head_university)


def synthesise_by_province(
    executor: Executor, controls: RunControls, pool: SeedPool, seed: int,
    person_targets: Callable[[list[SpecialHouseholds]], np.ndarray],
    men_targets: np.ndarray,
) -> ByProvince:
    """Group quarters, general households and assembly, one task per si-do of ``controls``.

    ``person_targets`` turns the run's group quarters into the general-household fit's
    targets per si-gun-gu (what one process computes); ``men_targets`` are the men of each
    area's general households. The group-quarter repair count is added to
    ``controls.repairs`` as one process adds it.
    """
    units = provinces(controls)
    shared = NationalInputs(controls=controls, pool=pool, seed=seed)
    started = time.perf_counter()
    quarters = executor.map(group_quarters_unit, units, shared=shared, start="spawn")
    first_round = time.perf_counter() - started
    controls.repairs[BEYOND_REGISTER] = sum(beyond for _, beyond, _ in quarters)
    special = national_special([blocks for blocks, _, _ in quarters], units)
    targets = person_targets(special)
    del special
    shared = dataclasses.replace(shared, person_targets=targets, men_targets=men_targets)
    started = time.perf_counter()
    parts = executor.map(draw_unit, list(zip(units, [b for b, _, _ in quarters], strict=True)),
                         shared=shared, start="spawn")
    second_round = time.perf_counter() - started
    task_seconds = sum(s for _, _, s in quarters) + sum(p.seconds for p in parts)
    del quarters
    started = time.perf_counter()
    dictionary = parts[0].name_dictionary
    if any(p.name_dictionary != dictionary for p in parts):
        raise ValueError("province tasks built different name dictionaries")
    columns = _join_columns(parts, units)
    shortfall: dict[int, int] = {}
    for part in parts:
        for age, missed in part.conscripts.shortfall_by_age.items():
            shortfall[age] = shortfall.get(age, 0) + missed
    pop = Assembled(
        **columns, name_dictionary=dictionary,
        marriage_migrants=MarriageMigrants(
            chosen=np.concatenate([p.migrants.chosen for p in parts]),
            target=sum(p.migrants.target for p in parts),
            districts_without_count=sum(p.migrants.districts_without_count for p in parts)),
        conscripts=Conscripts(
            chosen=np.concatenate([p.conscripts.chosen for p in parts]),
            target=sum(p.conscripts.target for p in parts),
            shortfall_by_age=dict(sorted(shortfall.items()))),
    )
    pop = dataclasses.replace(pop, hh_income=national_income(seed, pop))
    general = GeneralHouseholds(
        hh_emd=np.concatenate([u.emd_rows.astype(np.int32)[p.general_emd]
                               for p, u in zip(parts, units, strict=True)]),
        hh_seed=np.concatenate([p.hh_seed for p in parts]),
        fit=_join_fit([p.fit for p in parts], units),
    )
    timings = {"group_quarters_round_s": first_round, "draw_round_s": second_round,
               "tasks_own_s": task_seconds, "join_s": time.perf_counter() - started}
    return ByProvince(pop=pop, general=general, person_targets=targets, provinces=len(units),
                      timings=timings)

