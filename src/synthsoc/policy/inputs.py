"""Input variables: what a synthsoc population knows (ages, roles) and what is drawn (money)."""

from __future__ import annotations

from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from synthsoc.policy.entities import Family, Household, Person


class RegionClass(Enum):
    metropolitan = "대도시"
    city = "중소도시"
    rural = "농어촌"


class age(Variable):
    value_type = int
    entity = Person
    definition_period = DateUnit.YEAR
    label = "만 나이"


class is_foreign(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "외국인 (Korean nationality absent)"


class earnings(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "연 근로·사업소득 (imputed draw, KRW)"


class other_income(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "연 기타소득: 재산·이전소득 (imputed draw, KRW)"


class net_assets(Variable):
    value_type = float
    entity = Family
    definition_period = DateUnit.YEAR
    label = "급여 단위 순자산 (imputed draw, KRW)"


class region_class(Variable):
    value_type = Enum
    possible_values = RegionClass
    default_value = RegionClass.city
    entity = Household
    definition_period = DateUnit.YEAR
    label = "지역 구분 (기본재산액)"


INPUT_VARIABLES = [age, is_foreign, earnings, other_income, net_assets, region_class]
