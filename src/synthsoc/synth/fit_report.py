"""The fit report: how closely the population matches every control table, and a joint audit.

For each control table and geography level: total variation distance over all cells at once
(half the sum of absolute differences between synthetic and target shares), standardised
root mean square error, maximum absolute percentage error and the share of cells within 1%.
The joint audit lists every attribute pair that was not fitted jointly and compares the
synthetic joint with every official joint figure that was not used as a control.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from synthsoc.data.census import SOURCE as CENSUS_SOURCE
from synthsoc.data.census import EmdControls
from synthsoc.data.reference import AGE_GROUPS, read_reference_csv, source_lines
from synthsoc.synth import schema
from synthsoc.synth.assemble import Assembled
from synthsoc.synth.controls import RunControls
from synthsoc.synth.fit import FitResult
from synthsoc.synth.seeds import HOUSEHOLD_TEMPLATES, MAX_SIZE, ROLE

N_AGE = len(AGE_GROUPS)


def table_metrics(synthetic: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """TVD, SRMSE, max abs % error and share of cells within 1% for one table."""
    s = np.asarray(synthetic, dtype=np.float64).ravel()
    t = np.asarray(target, dtype=np.float64).ravel()
    s_tot, t_tot = s.sum(), t.sum()
    tvd = 0.5 * float(np.abs(s / max(s_tot, 1e-12) - t / max(t_tot, 1e-12)).sum())
    srmse = float(np.sqrt(np.mean((s - t) ** 2)) / max(t.mean(), 1e-12)) if t.size else 0.0
    pos = t > 0
    rel = np.abs(s[pos] - t[pos]) / t[pos]
    return {
        "tvd": tvd,
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
                     census: EmdControls) -> dict[str, Any]:
    n_emd = controls.emd.height
    p_emd = pop.hh_emd[pop.p_hh]
    general = pop.hh_kind == schema.HOUSEHOLD_KINDS.index("general")
    tables: dict[str, Any] = {}

    # 1. Households by kind per area.
    kinds = np.zeros((n_emd, 4))
    np.add.at(kinds, (pop.hh_emd, pop.hh_kind), 1)
    kind_target = np.stack([controls.size_counts.sum(axis=1), controls.special_hh["for"],
                            controls.special_hh["inst"], controls.special_hh["nonkin"]], axis=1)
    tables["households_by_kind"] = _levels(kinds, kind_target, controls)

    # 2. General households by size (1..5, 6+).
    size_class = np.minimum(pop.hh_size[general], 6) - 1
    sizes = np.zeros((n_emd, 6))
    np.add.at(sizes, (pop.hh_emd[general], size_class), 1)
    size_target = np.concatenate([controls.size_counts[:, :5],
                                  controls.size_counts[:, 5:].sum(axis=1, keepdims=True)], axis=1)
    tables["general_households_by_size"] = _levels(sizes, size_target, controls)

    # 3. General households by dwelling type.
    dwell = np.zeros((n_emd, len(schema.DWELLING_TYPES)))
    np.add.at(dwell, (pop.hh_emd[general], pop.hh_dwelling[general]), 1)
    tables["general_households_by_dwelling_type"] = _levels(dwell, controls.dwelling, controls)

    # 4. Persons by sex (all household kinds).
    person_sex = np.zeros((n_emd, 2))
    np.add.at(person_sex, (p_emd, pop.p_sex), 1)
    sex_target = controls.general_members + sum(controls.special_members.values())
    tables["persons_by_sex"] = _levels(person_sex, sex_target, controls)

    # 5. Group-quarter and foreign-household members by kind x sex.
    special_kinds = [schema.HOUSEHOLD_KINDS.index(k)
                     for k in ("foreign", "institutional", "non_kin_group")]
    p_kind = pop.hh_kind[pop.p_hh]
    special = np.zeros((n_emd, 6))
    for i, k in enumerate(special_kinds):
        mask = p_kind == k
        np.add.at(special, (p_emd[mask], 2 * i + pop.p_sex[mask]), 1)
    special_target = np.concatenate([controls.special_members[k] for k in ("for", "inst",
                                                                           "nonkin")], axis=1)
    tables["special_household_members_by_kind_sex"] = _levels(special, special_target, controls)

    # 6. Korean persons by sex x 5-year age group (si-gun-gu table).
    sgg = controls.emd["sgg_idx"].to_numpy()
    n_sgg = controls.sigungu.height
    korean = ~pop.p_foreign
    cat = pop.p_sex[korean].astype(np.int64) * N_AGE + np.minimum(pop.p_age[korean] // 5,
                                                                   N_AGE - 1)
    age_syn = np.zeros((n_sgg, 2 * N_AGE))
    np.add.at(age_syn, (sgg[p_emd[korean]], cat), 1)
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

    all_metrics = [m for levels in tables.values() for m in levels.values()]
    worst_table, worst_level, worst = max(
        ((t, lvl, m) for t, levels in tables.items() for lvl, m in levels.items()),
        key=lambda item: item[2]["tvd"])
    summary = {
        "n_persons": int(pop.p_age.size),
        "n_households": int(pop.hh_size.size),
        "n_eup_myeon_dong": n_emd,
        "n_si_gun_gu": n_sgg,
        "max_control_tvd": float(worst["tvd"]),
        "worst_control": f"{worst_table} @ {worst_level}",
        "mean_control_srmse": float(np.mean([m["srmse"] for m in all_metrics])),
        "fit_iterations": fit.iterations,
        "fit_max_rel_error": fit.max_rel_error,
        "fit_infeasible_constraints": fit.infeasible,
    }
    return {
        "summary": summary,
        "controls": tables,
        "structural_checks": structural_checks(pop),
        "joint_audit": joint_audit(pop),
        "reconciliation": reconciliation(controls, census),
        "sources": {
            "census": CENSUS_SOURCE,
            "age_sex": source_lines("age_sex_sigungu_resident_registration.csv"),
        },
        "assumptions": assumptions(),
    }


def structural_checks(pop: Assembled) -> dict[str, int]:
    """Counts of rule violations; each must be zero."""
    role, age, hh = pop.p_role, pop.p_age, pop.p_hh
    married = pop.p_marital == schema.MARITAL_STATUSES.index("married")
    head_age = age[pop.hh_head]
    parent_age = np.full(pop.hh_size.size, 10_000, dtype=np.int64)
    is_parent_role = (role == ROLE["head"]) | (role == ROLE["spouse"])
    has_children = np.zeros(pop.hh_size.size, dtype=bool)
    has_children[hh[role == ROLE["child"]]] = True
    sel = is_parent_role & has_children[hh]
    np.minimum.at(parent_age, hh[sel], age[sel].astype(np.int64))
    child = role == ROLE["child"]
    grandchild = role == ROLE["grandchild"]
    counted = np.bincount(hh, minlength=pop.hh_size.size)
    heads_per_household = np.bincount(hh[role == ROLE["head"]], minlength=pop.hh_size.size)
    return {
        "married_under_18": int(np.count_nonzero(married & (age < 18))),
        "heads_under_18": int(np.count_nonzero(head_age < 18)),
        "parent_child_gap_under_15": int(np.count_nonzero(child & (parent_age[hh] - age < 15))),
        "grandparent_gap_under_30": int(np.count_nonzero(grandchild & (head_age[hh] - age < 30))),
        "employed_under_15": int(np.count_nonzero(
            (pop.p_activity == schema.ECONOMIC_ACTIVITIES.index("employed")) & (age < 15))),
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
)
AUDITED_ATTRIBUTES: tuple[str, ...] = (
    "age", "sex", "emd", "household_size", "household_type", "relationship", "marital_status",
    "education", "economic_activity", "occupation", "dwelling_type", "income_bracket",
    "nationality",
)
GENERATED_BY: dict[str, str] = {
    "household_type": "candidate pool template mix by size (assumption), re-weighted with age",
    "relationship": "candidate pool templates (structural rules hold by construction)",
    "marital_status": "couples married; others by age band (assumption)",
    "education": "by age band and sex (assumption anchored to 2020 census 30+ shares)",
    "economic_activity": "EAPS 2024 rates by age band, split by sex with published gaps",
    "occupation": "EAPS 2017 counts by sex, tilted by education (assumption)",
    "dwelling_type": "census counts per eup-myeon-dong, independent of household make-up",
    "income_bracket": "2022 national shares cut a latent score of earners, size, head age",
    "nationality": "members of foreign households (census) are foreign; others Korean",
}


def joint_audit(pop: Assembled) -> dict[str, Any]:
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
        "comparisons_with_official_joint_tables": official_comparisons(pop),
    }


def _share(mask: np.ndarray, within: np.ndarray) -> float:
    n = int(within.sum())
    return float((mask & within).sum() / n) if n else float("nan")


def official_comparisons(pop: Assembled) -> list[dict[str, Any]]:
    """Synthetic figures next to official joint figures that were not controls."""
    age, sex = pop.p_age, pop.p_sex
    korean = ~pop.p_foreign
    out: list[dict[str, Any]] = []

    # One-person householders by 10-year age x sex (register-based census 2023).
    one = read_reference_csv("one_person_households_by_age_sex_partial_2023_2024.csv").filter(
        (pl.col("year") == 2023)
        & (pl.col("indicator") == "share_of_one_person_households_of_that_sex")
        & pl.col("age_group").is_in(["<20", "20-29", "30-39", "40-49", "50-59", "60-69",
                                     "70-79", "80+"]))
    general = pop.hh_kind == schema.HOUSEHOLD_KINDS.index("general")
    single = general & (pop.hh_size == 1)
    heads = pop.hh_head[single]
    bins = [0, 20, 30, 40, 50, 60, 70, 80, 200]
    labels = ["<20", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80+"]
    for s, sex_name in ((0, "male"), (1, "female")):
        h = heads[sex[heads] == s]
        counts = np.histogram(age[h], bins=bins)[0]
        syn = counts / max(counts.sum(), 1)
        official = dict(one.filter(pl.col("sex") == sex_name).select("age_group", "value")
                        .iter_rows())
        off = np.array([float(official[lbl]) for lbl in labels]) / 100.0
        out.append({
            "table": f"one-person householders by age, {sex_name} (2023 register census)",
            "categories": labels, "official": off.round(4).tolist(),
            "synthetic": syn.round(4).tolist(), "tvd": 0.5 * float(np.abs(syn - off / off.sum())
                                                                     .sum()),
        })

    # Marital status of Koreans 15+ (2020 census sample).
    adult = korean & (age >= 15)
    names = ["married", "never_married", "widowed", "divorced"]
    marital_official = np.array([55.9, 31.1, 7.2, 5.8]) / 100.0
    syn = np.array([_share(pop.p_marital == schema.MARITAL_STATUSES.index(n), adult)
                    for n in names])
    out.append({"table": "marital status, 15+ (2020 census sample)", "categories": names,
                "official": marital_official.tolist(), "synthetic": syn.round(4).tolist(),
                "tvd": 0.5 * float(np.abs(syn - marital_official).sum())})
    never = pop.p_marital == schema.MARITAL_STATUSES.index("never_married")
    for low, value in ((20, 92.8), (30, 42.5), (40, 17.9), (50, 7.4)):
        band = korean & (age >= low) & (age < low + 10)
        out.append({"table": f"never-married share, age {low}-{low + 9} (2020 census sample)",
                    "official": value / 100.0, "synthetic": round(_share(never, band), 4)})

    # Educational attainment 30+ (2020 census sample).
    over30 = korean & (age >= 30)
    edu = pop.p_education
    university = edu >= schema.EDUCATION_LEVELS.index("college")
    groups = {"university or higher (incl. college)": university,
              "high school": edu == schema.EDUCATION_LEVELS.index("high"),
              "middle school": edu == schema.EDUCATION_LEVELS.index("middle"),
              "elementary": edu == schema.EDUCATION_LEVELS.index("elementary")}
    for (name, mask), value in zip(groups.items(), (43.1, 36.1, 9.1, 8.2), strict=True):
        out.append({"table": f"education 30+: {name} (2020 census sample)",
                    "official": value / 100.0, "synthetic": round(_share(mask, over30), 4)})
    gap = _share(university, over30 & (sex == 0)) - _share(university, over30 & (sex == 1))
    out.append({"table": "education 30+: university-or-higher gap, men minus women (2020)",
                "official": 0.105, "synthetic": round(gap, 4)})

    # Employment rate 15+ by sex (EAPS 2023 annual).
    employed = pop.p_activity == schema.ECONOMIC_ACTIVITIES.index("employed")
    for s, value in ((0, 71.3), (1, 54.1)):
        out.append({"table": f"employment rate 15+, {'men' if s == 0 else 'women'} (EAPS 2023)",
                    "official": value / 100.0,
                    "synthetic": round(_share(employed, korean & (age >= 15) & (sex == s)), 4)})

    # Households with income of 100 million KRW or more, by householder age (2022 income).
    top = pop.hh_income == schema.INCOME_BRACKETS.index("100m_plus")
    head_age = age[pop.hh_head]
    for low, value in ((40, 27.9), (50, 30.5)):
        band = general & (head_age >= low) & (head_age < low + 10)
        out.append({"table": f"income 100M KRW+ share, householder {low}s (SFLC 2023)",
                    "official": value / 100.0, "synthetic": round(_share(top, band), 4)})

    # Elderly-only general households (2020 census: 14.2% of general households).
    elderly = np.bincount(pop.p_hh, weights=age >= 65, minlength=pop.hh_size.size)
    only_elderly = general & (elderly == pop.hh_size)
    out.append({"table": "elderly-only households (all members 65+), share of general "
                         "households (2020 census)",
                "official": 0.142, "synthetic": round(_share(only_elderly, general), 4),
                "note": "official figure is for 2020; the population is for the run's year"})
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
        f"Household type mix by size (general households of 2-5 persons): {mix}; sizes 6-"
        f"{MAX_SIZE}: three-generation 75%, couple with children 25%.",
        "Households of 6 or more persons are split into sizes 6..10 with each area's mean "
        "size (members of general households minus those in households of 1-5 persons).",
        "Age profiles of members of institutional, non-kin group and foreign households.",
        "Single-year ages within 5-year groups come from the candidate households' "
        "templates (not a published single-year table).",
        "Marital status of adults not living with a spouse, by age band.",
        "Educational attainment by age band and sex.",
        "Male-female employment gaps for age bands without a published gap; the age profile "
        "of employment within 60+.",
        "Occupation cells the 2017 source leaves blank; the education tilt of occupations.",
        "Income: the latent earning score's coefficients (the bracket shares are official).",
        "Foreign households' dwelling types follow their area's general mix.",
        "Names beyond the top-10 surnames; given-name lists by birth decade.",
    ]
