"""Put general and group households together and derive every person and household attribute.

Everything here is array arithmetic over all persons at once; there is no loop per person or
per household. Names are drawn on a second thread, from their own random stream spawned from
the run's, while the other attributes are drawn (both spend most of their time in numpy and
compiled code that release the GIL); the result does not depend on which finishes first.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np

from synthsoc.synth import attributes
from synthsoc.synth.controls import RunControls
from synthsoc.synth.general_households import GeneralHouseholds
from synthsoc.synth.group_quarters import SpecialHouseholds
from synthsoc.synth.industry_mix import occupation_tilt
from synthsoc.synth.marriage_migrants import MarriageMigrants, draw_marriage_migrants
from synthsoc.synth.military import Conscripts, draw_conscripts
from synthsoc.synth.names import assign_names
from synthsoc.synth.sampling import gathered
from synthsoc.synth.schema import (
    DWELLING_TYPES,
    ECONOMIC_ACTIVITIES,
    EDUCATION_LEVELS,
    HOUSEHOLD_KINDS,
    HOUSEHOLD_TYPES,
    MARITAL_STATUSES,
    OCCUPATION_GROUPS,
)
from synthsoc.synth.seeds import ROLE, SeedPool
from synthsoc.synth.targets import living_with_spouse
from synthsoc.synth.threads import kernel_threads_beside

KIND_OF_SPECIAL = {"for": "foreign", "inst": "institutional", "nonkin": "non_kin_group"}


@dataclass(frozen=True)
class Assembled:
    """Column arrays of the population; categorical columns hold codes into schema tuples."""

    hh_emd: np.ndarray
    hh_size: np.ndarray
    hh_kind: np.ndarray
    hh_type: np.ndarray
    hh_dwelling: np.ndarray
    hh_income: np.ndarray
    hh_head: np.ndarray  # person index of the head
    p_hh: np.ndarray
    p_role: np.ndarray
    p_sex: np.ndarray
    p_age: np.ndarray
    p_marital: np.ndarray
    p_education: np.ndarray
    p_activity: np.ndarray
    p_occupation: np.ndarray  # -1 when not employed
    p_foreign: np.ndarray
    p_name: np.ndarray
    name_dictionary: list[str]
    marriage_migrants: MarriageMigrants
    conscripts: Conscripts


def assemble(
    rng: np.random.Generator,
    controls: RunControls,
    pool: SeedPool,
    general: GeneralHouseholds,
    special: list[SpecialHouseholds],
) -> Assembled:
    # --- households of every kind, then one global order: by area, general first ---------
    g_size = pool.hh_size[general.hh_seed].astype(np.int32)
    hh_emd = [general.hh_emd.astype(np.int32)]
    hh_size = [g_size]
    hh_kind = [np.full(g_size.size, HOUSEHOLD_KINDS.index("general"), np.int8)]
    hh_type = [pool.hh_type[general.hh_seed].astype(np.int8)]
    # persons of general households, contiguous per household
    seed_person = concatenated_ranges(pool.hh_offset[general.hh_seed], g_size)
    # Gathers by 32-bit positions (sampling.gathered: no slow path, no 64-bit copy).
    p_role = [gathered(pool.p_role, seed_person)]
    p_sex = [gathered(pool.p_sex, seed_person)]
    p_age = [gathered(pool.p_age, seed_person)]
    p_foreign = [np.zeros(seed_person.size, dtype=bool)]
    del seed_person
    group_type = HOUSEHOLD_TYPES.index("group_quarters")
    for block in special:
        hh_emd.append(block.hh_emd)
        hh_size.append(block.hh_size)
        hh_kind.append(np.full(block.hh_size.size, HOUSEHOLD_KINDS.index(
            KIND_OF_SPECIAL[block.kind]), np.int8))
        if block.kind == "for":
            t = np.where(block.hh_size == 1, HOUSEHOLD_TYPES.index("one_person"),
                         HOUSEHOLD_TYPES.index("other_family"))
            other = ROLE["other_relative"]
        else:
            t = np.full(block.hh_size.size, group_type)
            other = ROLE["group_resident"]
        hh_type.append(t.astype(np.int8))
        p_role.append(np.where(block.p_is_head, ROLE["head"], other).astype(np.int8))
        p_sex.append(block.p_sex)
        p_age.append(block.p_age)
        p_foreign.append(np.full(block.p_sex.size, block.kind == "for"))
    emd = np.concatenate(hh_emd)
    size = np.concatenate(hh_size).astype(np.int32)
    kind = np.concatenate(hh_kind)
    htype = np.concatenate(hh_type)
    # Each array over 23 million households or 51 million persons is 0.1-0.4 GB: every one
    # is dropped as soon as it is used (the names drawn beside the attributes need room).
    del hh_emd, hh_size, hh_kind, hh_type, g_size
    order = np.lexsort((kind, emd))
    old_start = np.cumsum(size) - size
    size_new = size[order]
    new_start = np.cumsum(size_new) - size_new
    person_order = concatenated_ranges(old_start[order], size_new)
    role = gathered(np.concatenate(p_role), person_order)
    sex = gathered(np.concatenate(p_sex), person_order).astype(np.int8)
    age = gathered(np.concatenate(p_age), person_order).astype(np.int16)
    foreign = gathered(np.concatenate(p_foreign), person_order)
    del p_role, p_sex, p_age, p_foreign, person_order
    emd, kind, htype, size = emd[order], kind[order], htype[order], size_new
    del order, old_start, size_new
    n_hh = size.size
    p_hh = np.repeat(np.arange(n_hh, dtype=np.int32), size)
    head = new_start  # int64, the cumulative sum of the sizes
    del new_start

    # --- person attributes ----------------------------------------------------------------
    in_couple = living_with_spouse(role, p_hh, n_hh)
    sido_codes, sido_of_emd = np.unique(controls.emd["sido_code"].to_numpy(), return_inverse=True)
    # Each person's si-do and si-gun-gu, gathered once (narrow: 17 and about 250 values).
    p_emd = gathered(emd, p_hh)
    p_sido = gathered(sido_of_emd.astype(np.int8), p_emd)
    p_sgg = gathered(controls.emd["sgg_idx"].to_numpy().astype(np.int16), p_emd)
    del p_emd
    marital = attributes.marital_status(rng, age, sex, p_sido, sido_codes.tolist(), in_couple)
    general_person = gathered(kind, p_hh) == HOUSEHOLD_KINDS.index("general")
    migrants = draw_marriage_migrants(
        rng, controls.year, controls.sigungu["sigungu_code"].to_list(), controls.scale,
        p_sgg, p_hh, sex, age, in_couple & general_person)
    foreign = foreign | migrants.chosen
    (names_rng,) = rng.spawn(1)
    with ThreadPoolExecutor(max_workers=1) as naming, kernel_threads_beside(1):
        names_drawn = naming.submit(_names, names_rng, controls.year, role, sex, age, foreign,
                                    p_hh, head)
        education = attributes.education(rng, age, sex, p_sido, sido_codes.tolist())
        activity = attributes.economic_activity(rng, age, sex, p_sido, sido_codes.tolist())
        # Conscripts live in their registered general household (as the census counts them);
        # the EAPS rates drawn above are those of the civilians around them.
        conscripts = draw_conscripts(rng, age, sex, foreign, general_person,
                                     marital == MARITAL_STATUSES.index("never_married"))
        activity[conscripts.chosen] = ECONOMIC_ACTIVITIES.index("military_service")
        employed = activity == 0
        tilt, _ = occupation_tilt(controls.sigungu, list(OCCUPATION_GROUPS))
        occupation = attributes.occupation(rng, sex, education, employed, p_sgg, tilt)
        del p_sido, p_sgg

        # --- household attributes ---------------------------------------------------------
        dwelling = _dwellings(rng, controls, emd, kind)
        n_employed = np.bincount(p_hh, weights=employed, minlength=n_hh)
        head_university = education[head] >= EDUCATION_LEVELS.index("university")
        income = attributes.income_brackets(rng, n_employed, size, age[head], head_university)
        names, dictionary = names_drawn.result()

    return Assembled(
        hh_emd=emd, hh_size=size, hh_kind=kind, hh_type=htype, hh_dwelling=dwelling,
        hh_income=income, hh_head=head, p_hh=p_hh, p_role=role, p_sex=sex, p_age=age,
        p_marital=marital, p_education=education, p_activity=activity,
        p_occupation=occupation, p_foreign=foreign, p_name=names, name_dictionary=dictionary,
        marriage_migrants=migrants, conscripts=conscripts,
    )


def concatenated_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``np.concatenate([np.arange(s, s + n) for s, n in zip(starts, lengths)])`` in one
    compiled pass, as int32 where every value fits (51 million persons do)."""
    if lengths.size and int(lengths.min()) < 0:
        raise ValueError("concatenated_ranges: a length is negative")
    total = int(lengths.sum())
    top = int((starts + lengths).max()) if lengths.size else 0
    out = np.empty(total, dtype=np.int32 if top < 2**31 else np.int64)
    _fill_ranges(starts.astype(np.int64, copy=False), lengths.astype(np.int64, copy=False), out)
    return out


@numba.njit(cache=True, parallel=True)
def _fill_ranges(starts: np.ndarray, lengths: np.ndarray, out: np.ndarray) -> None:
    first = np.empty(lengths.size, dtype=np.int64)
    at = 0
    for i in range(lengths.size):
        first[i] = at
        at += lengths[i]
    for i in numba.prange(lengths.size):  # disjoint stretches: the same on any thread count
        for k in range(lengths[i]):
            out[first[i] + k] = starts[i] + k


def _names(rng: np.random.Generator, year: int, role: np.ndarray, sex: np.ndarray,
           age: np.ndarray, foreign: np.ndarray, p_hh: np.ndarray,
           head: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Names of every person: children take the father's surname."""
    n_hh = head.size
    # 32-bit person indices where they fit (51 million do): each array over every person
    # is then 200 MB, not 400.
    index_type = np.int32 if role.size < 2**31 else np.int64
    father = np.full(n_hh, -1, dtype=index_type)
    male_head = sex[head] == 0
    father[male_head] = head[male_head]
    spouse_idx = np.flatnonzero(role == ROLE["spouse"])
    male_spouse = spouse_idx[sex[spouse_idx] == 0]
    father[p_hh[male_spouse]] = male_spouse
    inherit = np.arange(role.size, dtype=index_type)
    kid = (role == ROLE["child"]) | (role == ROLE["grandchild"])
    has_father = kid & (father[p_hh] >= 0)
    inherit[has_father] = father[p_hh[has_father]]
    same_as_head = (role == ROLE["sibling"]) | ((role == ROLE["parent"]) & (sex == 0))
    inherit[same_as_head] = head[p_hh[same_as_head]]
    # Residents of group quarters are unrelated: only families and private households need
    # distinct names (a barracks of thousands has namesakes; distinct names cannot be drawn).
    name_group = p_hh.copy()
    resident = np.flatnonzero(role == ROLE["group_resident"])
    name_group[resident] = n_hh + np.arange(resident.size, dtype=np.int32)
    return assign_names(rng, (year - age).astype(np.int16), sex, foreign, inherit,
                        household=name_group)


def _dwellings(rng: np.random.Generator, controls: RunControls, emd: np.ndarray,
               kind: np.ndarray) -> np.ndarray:
    """Exact census dwelling counts for general households, shuffled within each area.

    Group quarters live in non-housing quarters; foreign households draw from their area's
    general mix (ASSUMPTION: no table for them).
    """
    out = np.full(emd.size, DWELLING_TYPES.index("non_housing"), dtype=np.int8)
    counts = controls.dwelling
    n_types = counts.shape[1]
    codes = np.repeat(np.tile(np.arange(n_types, dtype=np.int8), counts.shape[0]),
                      counts.ravel())
    owner = np.repeat(np.arange(counts.shape[0]), counts.sum(axis=1))
    codes = codes[np.argsort(owner + rng.random(codes.size))]
    general = np.flatnonzero(kind == HOUSEHOLD_KINDS.index("general"))
    out[general] = codes  # both ordered by area; counts equal per area by construction
    foreign = np.flatnonzero(kind == HOUSEHOLD_KINDS.index("foreign"))
    if foreign.size:
        probs = counts[emd[foreign]].astype(np.float64)
        probs[probs.sum(axis=1) == 0, DWELLING_TYPES.index("apartment")] = 1.0
        out[foreign] = attributes.pick_categories(rng, probs)
    return out

