"""The four rules as OpenFisca variables; every amount and threshold comes from ``parameters/``.

Each formula is vectorised over all entities of the simulation. Amounts are annual KRW for the
simulated year (monthly benefits times 12; the 2020 relief payment once).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from synthsoc.policy.entities import Family, Household, Person
from synthsoc.policy.inputs import RegionClass

Array = np.ndarray


def rank_within_groups(values: Array, groups: Array) -> Array:
    """Each value's rank in (0, 1] among the values of its group (ties broken by position)."""
    order = np.lexsort((values, groups))
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    counts = np.diff(np.r_[starts, sorted_groups.size])
    position = np.arange(sorted_groups.size) - np.repeat(starts, counts)
    rank = np.empty(values.size, dtype=np.float64)
    rank[order] = (position + 1) / np.repeat(counts, counts)
    return rank


class household_income(Variable):
    value_type = float
    entity = Household
    definition_period = DateUnit.YEAR
    label = "가구 연소득 (earnings + other income of all members)"

    def formula(household: Any, period: Any, parameters: Any) -> Array:
        return household.sum(
            household.members("earnings", period) + household.members("other_income", period)
        )


class household_income_rank(Variable):
    value_type = float
    entity = Household
    definition_period = DateUnit.YEAR
    label = "가구원 수별 소득 순위 (0-1], among the simulated households"

    def formula(household: Any, period: Any, parameters: Any) -> Array:
        size_class = np.minimum(household.nb_persons(), 4)
        return rank_within_groups(household("household_income", period), size_class)


class emergency_relief(Variable):
    value_type = float
    entity = Household
    definition_period = DateUnit.YEAR
    label = "2020 긴급재난지원금 (KRW per household)"
    end = "2020-12-31"  # a one-off payment: zero in every other year
    reference = "2020년도 제2회 추가경정예산; 행정안전부 긴급재난지원금 지급 기준"

    def formula_2020(household: Any, period: Any, parameters: Any) -> Array:
        p = parameters(period).emergency_relief
        size = household.nb_persons()
        amount = np.select(
            [size == 1, size == 2, size == 3],
            [p.one_person, p.two_persons, p.three_persons],
            p.four_or_more_persons,
        )
        korean_members = household.sum(np.logical_not(household.members("is_foreign", period)))
        in_rank = household("household_income_rank", period) <= p.income_rank_ceiling
        return amount * ((korean_members > 0) & in_rank)


class basic_pension_evaluated_income(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "기초연금 소득평가액 (월, one person)"
    reference = "기초연금법 시행령 제4조"

    def formula_2023(person: Any, period: Any, parameters: Any) -> Array:
        p = parameters(period).basic_pension
        monthly_earnings = person("earnings", period) / 12.0
        return p.earned_income_inclusion_rate * np.maximum(
            monthly_earnings - p.earned_income_deduction, 0.0
        ) + person("other_income", period) / 12.0


class basic_pension_recognised_income(Variable):
    value_type = float
    entity = Family
    definition_period = DateUnit.YEAR
    label = "기초연금 소득인정액 (월, applicant and spouse)"
    reference = "기초연금법 시행령 제4조"

    def formula_2023(family: Any, period: Any, parameters: Any) -> Array:
        p = parameters(period).basic_pension
        evaluated = family.members("basic_pension_evaluated_income", period)
        couple_income = family.sum(evaluated, role=Family.APPLICANT) + family.sum(
            evaluated, role=Family.SPOUSE
        )
        region = family.value_from_person(
            family.members.household("region_class", period), role=Family.APPLICANT
        )
        basic = np.select(
            [region == RegionClass.metropolitan, region == RegionClass.rural],
            [p.basic_asset_deduction_metropolitan, p.basic_asset_deduction_rural],
            p.basic_asset_deduction_city,
        )
        assets = family("net_assets", period) - basic - p.financial_asset_deduction
        return couple_income + np.maximum(assets, 0.0) * p.asset_conversion_rate / 12.0


class basic_pension(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "기초연금 (KRW per year)"
    reference = "기초연금법 제3조, 제5조, 제8조"

    def formula_2023(person: Any, period: Any, parameters: Any) -> Array:
        p = parameters(period).basic_pension
        family = person.family  # projects every unit value back onto its members
        elderly = (person("age", period) >= p.age_threshold) & np.logical_not(
            person("is_foreign", period)
        )
        # applicant and spouse are tested as a couple with the unit's assets; an elderly
        # dependant (a parent living with a child's family) alone, on their own income
        head_or_spouse = person.has_role(Family.APPLICANT) | person.has_role(Family.SPOUSE)
        in_couple = head_or_spouse & (family.nb_persons(role=Family.SPOUSE) > 0)
        threshold = np.where(in_couple, p.selection_threshold_couple, p.selection_threshold_single)
        income = np.where(head_or_spouse, family("basic_pension_recognised_income", period),
                          person("basic_pension_evaluated_income", period))
        eligible = elderly & (income <= threshold)
        couple_recipients = family.sum(eligible, role=Family.APPLICANT) + family.sum(
            eligible, role=Family.SPOUSE
        )
        recipients = np.where(head_or_spouse, couple_recipients, 1)
        amount = np.where(recipients == 2, p.base_amount * (1 - p.couple_reduction_rate),
                          p.base_amount)
        # 소득역전 방지: recognised income plus the pension may not exceed the threshold.
        room = (threshold - income) / np.maximum(recipients, 1)
        amount = np.where(income + recipients * amount > threshold,
                          np.maximum(room, p.minimum_share_of_base * p.base_amount), amount)
        return 12.0 * amount * eligible


class parent_benefit(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "부모급여 (KRW per child per year)"
    reference = "영유아보육법 제34조의2"

    def formula_2023(person: Any, period: Any, parameters: Any) -> Array:
        p = parameters(period).parent_benefit
        years = person("age", period)
        monthly = np.select([years == 0, years == 1], [p.age_0, p.age_1], 0.0)
        return 12.0 * monthly * np.logical_not(person("is_foreign", period))


class eitc_household_type(Variable):
    value_type = int
    entity = Family
    definition_period = DateUnit.YEAR
    label = "근로장려금 가구 유형: 0 단독, 1 홑벌이, 2 맞벌이"
    reference = "조세특례제한법 제100조의3"

    def formula_2019(family: Any, period: Any, parameters: Any) -> Array:
        p = parameters(period).earned_income_tax_credit
        earn = family.members("earnings", period)
        years = family.members("age", period)
        dependant = (years < p.dependent_child_age_limit) | (years >= p.dependent_parent_age)
        has_dependant = family.sum(dependant, role=Family.DEPENDANT) > 0
        has_spouse = family.nb_persons(role=Family.SPOUSE) > 0
        threshold = p.spouse_earnings_threshold
        dual = (
            has_spouse
            & (family.sum(earn, role=Family.APPLICANT) >= threshold)
            & (family.sum(earn, role=Family.SPOUSE) >= threshold)
        )
        return np.select([dual, has_spouse | has_dependant], [2, 1], 0)


def _schedule(income: Array, max_amount: Any, phase_in_end: Any, plateau_end: Any,
              ceiling: Any) -> Array:
    rising = max_amount * income / phase_in_end
    falling = max_amount * (ceiling - income) / (ceiling - plateau_end)
    amount = np.select(
        [income < phase_in_end, income < plateau_end, income < ceiling],
        [rising, np.full_like(income, max_amount), falling],
        0.0,
    )
    return np.maximum(amount, 0.0)


class earned_income_tax_credit(Variable):
    value_type = float
    entity = Family
    definition_period = DateUnit.YEAR
    label = "근로장려금 (KRW per benefit unit, income year)"
    reference = "조세특례제한법 제100조의3, 제100조의5"

    def formula_2019(family: Any, period: Any, parameters: Any) -> Array:
        p = parameters(period).earned_income_tax_credit
        income = family.sum(family.members("earnings", period), role=Family.APPLICANT) + family.sum(
            family.members("earnings", period), role=Family.SPOUSE
        )
        kind = family("eitc_household_type", period)
        amounts = [
            _schedule(income, s.max_amount, s.phase_in_end, s.plateau_end, s.income_ceiling)
            for s in (p.single, p.single_earner, p.dual_earner)
        ]
        amount = np.select([kind == 0, kind == 1], amounts[:2], amounts[2])
        assets = family("net_assets", period)
        amount = np.where(assets >= p.asset_reduction_start, amount * p.asset_reduction_rate,
                          amount)
        korean = family.value_from_person(
            np.logical_not(family.members("is_foreign", period)), role=Family.APPLICANT
        )
        return amount * (assets < p.asset_ceiling) * (income > 0) * korean


RULE_VARIABLES = [
    household_income,
    household_income_rank,
    emergency_relief,
    basic_pension_evaluated_income,
    basic_pension_recognised_income,
    basic_pension,
    parent_benefit,
    eitc_household_type,
    earned_income_tax_credit,
]
