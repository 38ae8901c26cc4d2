"""Evaluate the rules on every person, household and benefit unit of a population, per draw."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from synthsoc.policy.imputation import MoneyDraw
from synthsoc.policy.inputs import RegionClass
from synthsoc.policy.system import RULES
from synthsoc.policy.units import FAMILY_ROLE_APPLICANT, HOUSEHOLD_ROLE_HEAD, PolicyUnits

# the year each rule is evaluated for unless a run says otherwise (the 2020 relief payment
# exists only in 2020; the others at the latest year with bundled parameters)
DEFAULT_RULE_YEARS: dict[str, int] = {
    "emergency_relief": 2020,
    "basic_pension": 2024,
    "parent_benefit": 2024,
    "earned_income_tax_credit": 2024,
}

# units.py codes 0, 1, 2 -> RegionClass members in definition order
_REGION_NAMES = np.array(list(RegionClass.__members__))


@dataclass(frozen=True)
class RuleAmounts:
    """One rule in one draw, summed per synthsoc household (dense order)."""

    amount: np.ndarray  # KRW per year
    recipients: np.ndarray  # receiving units (세대, persons or benefit units) per household


def build_simulation(system: TaxBenefitSystem, units: PolicyUnits, money: MoneyDraw,
                     years: int | Iterable[int]) -> Any:
    """An OpenFisca simulation of the population with one draw of money, inputs set for each
    of ``years`` (building the entities is the costly part: one build serves every rule)."""
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", np.arange(units.n_persons))
    household = builder.declare_entity("household", np.arange(units.n_relief_households))
    builder.join_with_persons(household, units.relief_household, units.relief_role)
    family = builder.declare_entity("family", np.arange(units.n_families))
    builder.join_with_persons(family, units.family, units.family_role)
    sim = builder.build(system)
    for year in sorted({years} if isinstance(years, int) else set(years)):
        period = str(year)
        sim.set_input("age", period, units.age)
        sim.set_input("is_foreign", period, units.is_foreign)
        sim.set_input("earnings", period, money.earnings)
        sim.set_input("other_income", period, money.other_income)
        sim.set_input("net_assets", period, money.family_assets)
        sim.set_input("region_class", period, _REGION_NAMES[units.relief_region_class])
    return sim


def evaluate_rules(system: TaxBenefitSystem, units: PolicyUnits, money: MoneyDraw,
                   rule_years: dict[str, int]) -> dict[str, RuleAmounts]:
    """Every rule of ``rule_years`` for one draw, on one simulation."""
    unknown = sorted(set(rule_years) - set(RULES))
    if unknown:
        raise ValueError(f"unknown rules {unknown}; known rules: {sorted(RULES)}")
    sim = build_simulation(system, units, money, rule_years.values())
    return {rule: _per_household(units, rule, sim.calculate(rule, str(year)))
            for rule, year in rule_years.items()}


def evaluate_rule(system: TaxBenefitSystem, units: PolicyUnits, money: MoneyDraw, rule: str,
                  year: int) -> RuleAmounts:
    """One rule's amounts for one draw, attributed to the synthsoc household of each unit."""
    return evaluate_rules(system, units, money, {rule: year})[rule]


def _per_household(units: PolicyUnits, rule: str, result: Any) -> RuleAmounts:
    values = np.asarray(result, dtype=np.float64)
    entity = RULES[rule]
    if entity == "household":
        rows = np.flatnonzero(units.relief_role == HOUSEHOLD_ROLE_HEAD)
        per_person = np.zeros(units.n_persons)
        per_person[rows] = values[units.relief_household[rows]]
    elif entity == "family":
        rows = np.flatnonzero(units.family_role == FAMILY_ROLE_APPLICANT)
        per_person = np.zeros(units.n_persons)
        per_person[rows] = values[units.family[rows]]
    else:
        per_person = values
    n_hh = units.households.height
    return RuleAmounts(
        amount=np.bincount(units.household, weights=per_person, minlength=n_hh),
        recipients=np.bincount(units.household, weights=per_person > 0, minlength=n_hh),
    )
