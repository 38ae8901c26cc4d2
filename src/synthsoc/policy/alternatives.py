"""Replacement rules a reform may swap in by name (``replace:`` in a reform YAML file).

Each replaces the variable of the same rule; it reads only the cited baseline parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from synthsoc.policy.entities import Family, Person

Array = np.ndarray


class basic_pension_universal(Variable):
    """기초연금 without the means test: every Korean of 65 and over, couple reduction kept."""

    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "기초연금, universal from 65 (alternative rule)"

    def formula_2023(person: Any, period: Any, parameters: Any) -> Array:
        p = parameters(period).basic_pension
        elderly = (person("age", period) >= p.age_threshold) & np.logical_not(
            person("is_foreign", period)
        )
        head_or_spouse = person.has_role(Family.APPLICANT) | person.has_role(Family.SPOUSE)
        family = person.family
        couple = family.sum(elderly, role=Family.APPLICANT) + family.sum(
            elderly, role=Family.SPOUSE
        )
        recipients = np.where(head_or_spouse, couple, 1)
        amount = np.where(recipients == 2, p.base_amount * (1 - p.couple_reduction_rate),
                          p.base_amount)
        return 12.0 * amount * elderly


# alternative name -> (the rule it replaces, its variable class)
ALTERNATIVES: dict[str, tuple[str, type[Variable]]] = {
    "basic_pension_universal": ("basic_pension", basic_pension_universal),
}
