"""The Korean tax-benefit system: entities, input variables, rules and the cited parameters."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from synthsoc.policy.entities import ENTITIES
from synthsoc.policy.inputs import INPUT_VARIABLES
from synthsoc.policy.rules import RULE_VARIABLES

PARAMETERS_DIR = Path(str(files("synthsoc.policy") / "parameters"))

# The rules reported by `synthsoc policy`, with the entity each is computed on.
RULES: dict[str, str] = {
    "emergency_relief": "household",
    "basic_pension": "person",
    "parent_benefit": "person",
    "earned_income_tax_credit": "family",
}
RULE_LABELS: dict[str, str] = {
    "emergency_relief": "긴급재난지원금",
    "basic_pension": "기초연금",
    "parent_benefit": "부모급여",
    "earned_income_tax_credit": "근로장려금",
}


class KoreaTaxBenefitSystem(TaxBenefitSystem):
    """Four Korean rules on persons, households and benefit units."""

    def __init__(self) -> None:
        super().__init__(ENTITIES)
        self.load_parameters(str(PARAMETERS_DIR))
        for variable in INPUT_VARIABLES + RULE_VARIABLES:
            self.add_variable(variable)


@cache
def korea_system() -> KoreaTaxBenefitSystem:
    """The baseline system (built once; reforms wrap it and never change it)."""
    return KoreaTaxBenefitSystem()
