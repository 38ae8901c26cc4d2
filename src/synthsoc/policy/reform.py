"""Reforms as YAML: parameter changes and replaced rules, applied as an OpenFisca reform.

A reform file::

    name: relief_bottom_70
    label: 긴급재난지원금 소득 하위 70%
    description: The government's 2020-03-30 plan.
    parameters:
      emergency_relief.income_rank_ceiling:
        2020-01-01: 0.7
    replace:
      basic_pension: basic_pension_universal

Parameter paths are those of ``parameters/`` (file name, then keys); each maps start dates to
the new value, which holds from that date on (``null`` ends the parameter). ``replace`` names a
rule and one of the alternatives in ``alternatives.py``. Unknown keys, paths and names are errors
that name the file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from openfisca_core.parameters import Parameter, ParameterNode
from openfisca_core.periods import instant
from openfisca_core.reforms import Reform
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from synthsoc.policy.alternatives import ALTERNATIVES


class ReformError(ValueError):
    """A reform file that cannot be applied."""


class ReformSpec(BaseModel):
    """A parsed reform file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    label: str = ""
    description: str = ""
    source: str = ""
    parameters: dict[str, dict[dt.date, float | bool | None]] = {}
    replace: dict[str, str] = {}

    @field_validator("replace")
    @classmethod
    def _known_alternatives(cls, value: dict[str, str]) -> dict[str, str]:
        for rule, alternative in value.items():
            if alternative not in ALTERNATIVES:
                raise ValueError(f"replace.{rule}: unknown alternative {alternative!r}; "
                                 f"known: {sorted(ALTERNATIVES)}")
            if ALTERNATIVES[alternative][0] != rule:
                raise ValueError(f"replace.{rule}: {alternative!r} replaces "
                                 f"{ALTERNATIVES[alternative][0]!r}, not {rule!r}")
        return value


def load_reform(path: str | Path) -> ReformSpec:
    """Read and validate a reform file (errors name the file and the field)."""
    file = Path(path)
    if not file.is_file():
        raise ReformError(f"{file}: reform file does not exist")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ReformError(f"{file}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ReformError(f"{file}: expected a mapping with at least 'name'")
    try:
        return ReformSpec.model_validate(data)
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ReformError(f"{file}: {fields}") from exc


def _leaf(node: ParameterNode, path: str, where: str) -> Parameter:
    current: Any = node
    for key in path.split("."):
        children = getattr(current, "children", None)
        if children is None or key not in children:
            known = sorted(children) if children else []
            raise ReformError(f"{where}: parameters.{path}: no parameter {key!r} "
                              f"(known here: {known})")
        current = children[key]
    if not isinstance(current, Parameter):
        raise ReformError(f"{where}: parameters.{path} is a group, not a single parameter")
    return current


def build_reform(baseline: TaxBenefitSystem, spec: ReformSpec,
                 where: str = "reform") -> TaxBenefitSystem:
    """The baseline with the reform applied (the baseline itself is left unchanged)."""
    # validate every path before building, so an error names the file rather than OpenFisca
    for path in spec.parameters:
        _leaf(baseline.parameters, path, where)

    def modify(parameters: ParameterNode) -> ParameterNode:
        for path, changes in spec.parameters.items():
            leaf = _leaf(parameters, path, where)
            for start, value in sorted(changes.items()):
                leaf.update(start=instant(start.isoformat()), value=value)
        return parameters

    def apply(self: Reform) -> None:
        if spec.parameters:
            self.modify_parameters(modifier_function=modify)
        for rule, alternative in spec.replace.items():
            # OpenFisca reads a variable's attributes from its own class body: copy them over
            body = {k: v for k, v in vars(ALTERNATIVES[alternative][1]).items()
                    if not k.startswith("__")}
            self.replace_variable(type(rule, (Variable,), body))

    reform_class = type(f"Reform_{spec.name}", (Reform,), {"apply": apply, "name": spec.name})
    return reform_class(baseline)
