"""Simulated totals against official totals (``data/official_totals.csv``), with the gap.

Each comparison evaluates the rule for the year of the official figure on the given population,
over several draws of income and assets (the interval), scaled by 1 / scale. The known causes
of each gap are stated beside it; the tolerance is a judgement written here, not a fit. A
comparison without a tolerance (a budget line that covers only part of what the rule pays) is
reported with its gap and no verdict.

One official figure is derived, and so stated: the parent benefit's entitled value is the
registered children aged 0 and 1 (official counts) times the legal monthly amounts
(``parameters/parent_benefit.yaml``) times 12.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import polars as pl

from synthsoc.policy.reform import load_reform
from synthsoc.policy.run import RunConfig, run_policy
from synthsoc.policy.system import korea_system
from synthsoc.synth import Population

REFORMS_DIR = Path(str(files("synthsoc.policy") / "reforms"))
# scenario of the one derived official figure (see the module docstring)
ENTITLED_VALUE = "entitled_children_value"


@dataclass(frozen=True)
class Comparison:
    """How one official row is compared: which run, which measure, what tolerance, why."""

    rule: str
    year: int
    scenario: str  # official_totals.csv scenario; 'bottom_70pct_plan' runs the reform file
    measure: str  # households | persons | krw
    tolerance: float | None  # relative; None: reported with its gap, no verdict
    causes: str
    upper_scenario: str | None = None  # the row giving the upper end of a range


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("emergency_relief", 2020, "baseline", "households", 0.05,
               "census households vs resident-registration households (세대); one-person 세대 "
               "inside census households and residents of institutions are counted differently"),
    Comparison("emergency_relief", 2020, "baseline", "krw", 0.05,
               "as for households; the budget also funded a small reserve"),
    Comparison("emergency_relief", 2020, "bottom_70pct_plan", "households", 0.15,
               "the plan's 1,400만 is 70% of 2,050만 households, fewer than the 2,171만 "
               "paid later; the plan ranked by health-insurance contributions, not by income "
               "within household size"),
    Comparison("emergency_relief", 2020, "bottom_70pct_plan", "krw", 0.15,
               "as for households; the planned 9.1 trillion was rounded"),
    Comparison("basic_pension", 2023, "baseline", "persons", 0.20,
               "entitlement: take-up below 100% is not applied here (policy run: "
               "takeup_rules.csv); no National Pension link reduction; elderly non-heads have "
               "no imputed income; assets are drawn, not known; 2025 population"),
    Comparison("basic_pension", 2023, "baseline", "krw", 0.20,
               "as for recipients, and the National Pension link reduction lowers real amounts"),
    Comparison("earned_income_tax_credit", 2024, "regular_claims", "households", 0.0,
               "range: regular round (lower end) to all credits of 2022 (upper end); take-up "
               "below 100% not applied here (policy run: takeup_rules.csv); business income "
               "and its industry ratios not modelled",
               upper_scenario="earned_and_child_credit"),
    Comparison("parent_benefit", 2024, "entitled_children", "persons", 0.10,
               "registered children are those entitled (a universal benefit), not payments: "
               "take-up below 100% is not applied here (policy run: takeup_rules.csv); "
               "census-based population of 2025 against resident registrations of June 2025; "
               "children of foreign nationality are excluded in both"),
    Comparison("parent_benefit", 2024, ENTITLED_VALUE, "krw", 0.10,
               "derived official figure (registered children x legal amounts x 12); the "
               "same causes as for recipients"),
    Comparison("parent_benefit", 2024, "budget", "krw", None,
               "no verdict: the budget line is a proposal, not spending, and the simulated "
               "amount is the full benefit value (cash and, for a child in day care, the "
               "childcare voucher paid from another budget line); local co-funding and "
               "take-up below 100% are further reasons the budget is lower"),
)


def official_totals() -> pl.DataFrame:
    path = files("synthsoc.policy") / "data" / "official_totals.csv"
    return pl.read_csv(str(path), comment_prefix="#")


def _official(table: pl.DataFrame, c: Comparison, scenario: str, year: int | None = None
              ) -> float:
    rows = table.filter((pl.col("rule") == c.rule) & (pl.col("scenario") == scenario)
                        & (pl.col("measure") == c.measure))
    if year is not None:
        rows = rows.filter(pl.col("year") == year)
    if rows.height != 1:
        raise ValueError(f"official_totals.csv: expected one row for {c.rule}/{scenario}/"
                         f"{c.measure}, found {rows.height}")
    return float(rows["value"][0])


def entitled_parent_benefit_value(table: pl.DataFrame, year: int) -> float:
    """Registered children aged 0 and 1 (official) x the legal monthly amounts of ``year`` x 12."""
    p = korea_system().parameters(f"{year}-01-01").parent_benefit
    total = 0.0
    for age, monthly in ((0, p.age_0), (1, p.age_1)):
        rows = table.filter((pl.col("rule") == "parent_benefit")
                            & (pl.col("measure") == f"persons_age_{age}"))
        if rows.height != 1:
            raise ValueError(f"official_totals.csv: expected one parent_benefit "
                             f"persons_age_{age} row, found {rows.height}")
        total += float(rows["value"][0]) * 12.0 * float(monthly)
    return total


def validate(pop: Population, *, draws: int = 10, seed: int = 1) -> pl.DataFrame:
    """Every comparison in :data:`COMPARISONS` on ``pop``: official, simulated, gap, verdict."""
    table = official_totals()
    years = {c.rule: c.year for c in COMPARISONS}
    base_run = run_policy(pop, None, RunConfig(draws=draws, seed=seed, rule_years=years))
    plan = load_reform(REFORMS_DIR / "relief_bottom_70.yaml")
    plan_run = run_policy(pop, plan, RunConfig(draws=draws, seed=seed,
                                               rule_years={"emergency_relief": 2020}))
    rows = []
    for c in COMPARISONS:
        run, amounts, counts = (
            (plan_run, plan_run.reform, plan_run.reform_recipients)
            if c.scenario == "bottom_70pct_plan"
            else (base_run, base_run.baseline, base_run.baseline_recipients)
        )
        source = amounts if c.measure == "krw" else counts
        rows.append(compare(c, table, source[c.rule].sum(axis=1) * run.weight))
    return pl.DataFrame(rows)


def compare(c: Comparison, table: pl.DataFrame, values: np.ndarray) -> dict[str, object]:
    """One row of the comparison: ``values`` are the simulated totals of ``c``, one per draw,
    already scaled to Korea."""
    official = (entitled_parent_benefit_value(table, c.year) if c.scenario == ENTITLED_VALUE
                else _official(table, c, c.scenario, c.year))
    upper = (_official(table, c, c.upper_scenario) if c.upper_scenario else None)
    mean = float(values.mean())
    gap = mean / official - 1.0
    within: bool | None
    if upper is not None:
        within = official <= mean <= upper
    elif c.tolerance is None:
        within = None
    else:
        within = abs(gap) <= c.tolerance
    return {
        "rule": c.rule, "year": c.year, "scenario": c.scenario, "measure": c.measure,
        "official": official, "official_upper": upper,
        "simulated": mean, "simulated_p05": float(np.percentile(values, 5)),
        "simulated_p95": float(np.percentile(values, 95)),
        "gap": gap, "tolerance": c.tolerance if upper is None else None,
        "within": within, "draws": int(values.size), "causes": c.causes,
    }
