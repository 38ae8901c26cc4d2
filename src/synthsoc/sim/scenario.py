"""Scenarios: a model, its parameters, an event calendar and the outcomes to judge, in YAML.

```yaml
name: rumour_correction
description: A rumour before an election and an official correction on the platform.
model: diffusion            # one of MODELS (diffusion, cascade, market, bank_run, ...)
steps: 30
steps_per_day: 1
params: {...}               # model parameters: the model's typed dataclass (see its module)
events: [{preset: election_day, start_day: 12}]
outcomes: {misinformed_final: 0.02}   # outcome -> tolerance for the converging/diverging verdict
delegation: {mode: none}    # none | sample | archetype (see synthsoc.sim.delegate)
regularity: {check: bass, steps_per_year: 12}   # optional (see synthsoc.sim.regularities)
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from synthsoc.data.readers import read_yaml
from synthsoc.sim import (
    bankrun,
    diffusion,
    market,
    money,
    polarisation,
    public_goods,
    public_goods_rounds,
    schelling,
)
from synthsoc.sim.delegate import DecisionHook, DelegationConfig
from synthsoc.sim.events import Calendar, event_from_spec
from synthsoc.sim.params import Origin, ScenarioError, check_keys, parse_params, resolved
from synthsoc.sim.regularities import RegularitySpec
from synthsoc.sim.world import RunOutput, World

RunFn = Callable[[World, Any, Calendar, int, np.random.Generator, DecisionHook | None], RunOutput]
PrepareFn = Callable[[World, Any], None]


@dataclass(frozen=True)
class Model:
    """A model: its typed parameters, the once-per-world preparation and one replicate's run."""

    params: type
    prepare: PrepareFn
    run: RunFn


MODELS: dict[str, Model] = {
    "diffusion": Model(
        diffusion.DiffusionParams, diffusion.prepare_diffusion, diffusion.run_diffusion
    ),
    "cascade": Model(diffusion.CascadeParams, diffusion.prepare_cascade, diffusion.run_cascade),
    "market": Model(market.MarketParams, market.prepare_market, market.run_market),
    "bank_run": Model(bankrun.BankRunParams, bankrun.prepare_bank_run, bankrun.run_bank_run),
    "schelling": Model(
        schelling.SchellingParams, schelling.prepare_schelling, schelling.run_schelling
    ),
    "public_goods": Model(
        public_goods.PublicGoodsParams,
        public_goods.prepare_public_goods,
        public_goods.run_public_goods,
    ),
    "money": Model(money.MoneyParams, money.prepare_money, money.run_money),
    "polarisation": Model(
        polarisation.PolarisationParams,
        polarisation.prepare_polarisation,
        polarisation.run_polarisation,
    ),
    "public_goods_rounds": Model(
        public_goods_rounds.PublicGoodsRoundsParams,
        public_goods_rounds.prepare_public_goods_rounds,
        public_goods_rounds.run_public_goods_rounds,
    ),
}
SCENARIO_KEYS: tuple[str, ...] = (
    "name",
    "title",
    "description",
    "model",
    "steps",
    "steps_per_day",
    "params",
    "events",
    "outcomes",
    "delegation",
    "regularity",
)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. ``params`` is the model's typed parameter object, resolved from
    ``raw_params`` (the YAML mapping); ``param_origins`` says where each value came from."""

    name: str
    model: str
    steps: int
    params: Any
    description: str = ""
    title: str = ""
    steps_per_day: int = 1
    raw_params: Mapping[str, Any] = field(default_factory=dict)
    param_origins: Mapping[str, Origin] = field(default_factory=dict)
    events: tuple[dict[str, Any], ...] = ()
    outcomes: dict[str, float] = field(default_factory=dict)
    delegation: DelegationConfig = field(default_factory=DelegationConfig)
    regularity: RegularitySpec | None = None  # the published regularity this scenario checks
    source: str = ""

    def calendar(self) -> Calendar:
        return Calendar(
            tuple(
                event_from_spec(e, f"{self.source}: events[{i}]") for i, e in enumerate(self.events)
            ),
            self.steps_per_day,
        )

    def prepare(self, world: World) -> None:
        MODELS[self.model].prepare(world, self.params)

    def run(
        self, world: World, rng: np.random.Generator, hook: DecisionHook | None = None
    ) -> RunOutput:
        return MODELS[self.model].run(world, self.params, self.calendar(), self.steps, rng, hook)

    def with_overrides(self, **changes: Any) -> Scenario:
        """A copy with scenario fields (steps, delegation, ...) replaced; use
        :meth:`with_params` to change model parameters."""
        if "params" in changes:
            raise TypeError("with_overrides: change model parameters with with_params(...)")
        return replace(self, **changes)

    def with_params(self, **changes: Any) -> Scenario:
        """A copy with some model parameters changed, validated again; their origin becomes
        ``override``."""
        raw = {**self.raw_params, **changes}
        params: Any
        params, origins = parse_params(
            MODELS[self.model].params, raw, f"{self.source or self.name}: params"
        )
        for key in changes:
            origins[key] = "override"
        for key, origin in self.param_origins.items():
            if origin == "override" and key not in changes:
                origins[key] = "override"
        return replace(self, params=params, raw_params=raw, param_origins=origins)

    def resolved_params(self) -> dict[str, dict[str, Any]]:
        """Every parameter value actually used, with its origin (yaml / default / override)."""
        values = resolved(self.params)
        return {k: {"value": v, "origin": self.param_origins.get(k, "default")}
                for k, v in values.items()}


def scenario_from_dict(data: Any, source: str) -> Scenario:
    """Validate a parsed scenario; errors name the file and the field."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario must be a mapping")
    check_keys(data, list(SCENARIO_KEYS), source, sep=": ")
    for key in ("name", "model", "steps"):
        if key not in data:
            raise ScenarioError(f"{source}: missing field {key!r}")
    model = str(data["model"])
    if model not in MODELS:
        raise ScenarioError(f"{source}: model {model!r} unknown; models: {sorted(MODELS)}")
    try:
        steps = int(data["steps"])
    except (TypeError, ValueError):
        raise ScenarioError(f"{source}: steps must be an integer, got {data['steps']!r}") from None
    if steps < 2:
        raise ScenarioError(f"{source}: steps must be at least 2, got {steps}")
    outcomes = data.get("outcomes", {}) or {}
    if not isinstance(outcomes, dict) or any(
        not isinstance(v, int | float) or v <= 0 for v in outcomes.values()
    ):
        raise ScenarioError(f"{source}: outcomes must map outcome names to positive tolerances")
    delegation = data.get("delegation", {}) or {}
    try:
        deleg = DelegationConfig(**delegation)
    except (TypeError, ValueError) as exc:
        raise ScenarioError(f"{source}: delegation: {exc}") from None
    events = data.get("events", []) or []
    raw_params = dict(data.get("params", {}) or {})
    params: Any
    params, origins = parse_params(MODELS[model].params, raw_params, f"{source}: params")
    steps_per_day = data.get("steps_per_day", 1)
    if isinstance(steps_per_day, bool) or not isinstance(steps_per_day, int) or steps_per_day < 1:
        raise ScenarioError(f"{source}: steps_per_day must be a positive integer")
    regularity = None
    if data.get("regularity") is not None:
        regularity = parse_params(RegularitySpec, data["regularity"], f"{source}: regularity")[0]
    scenario = Scenario(
        regularity=regularity,
        name=str(data["name"]),
        model=model,
        steps=steps,
        description=str(data.get("description", "")),
        title=str(data.get("title", "")),
        steps_per_day=steps_per_day,
        params=params,
        raw_params=raw_params,
        param_origins=origins,
        events=tuple(dict(e) for e in events),
        outcomes={str(k): float(v) for k, v in outcomes.items()},
        delegation=deleg,
        source=source,
    )
    try:
        scenario.calendar()
    except ValueError as exc:
        raise ScenarioError(str(exc)) from None
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    return scenario_from_dict(read_yaml(path, ScenarioError), str(path))


def builtin_scenarios() -> dict[str, Scenario]:
    """The scenarios shipped in ``synthsoc/sim/scenarios/*.yaml``, by name."""
    out = {}
    folder = resources.files("synthsoc.sim").joinpath("scenarios")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
            sc = scenario_from_dict(data, f"built-in {entry.name}")
            out[sc.name] = sc
    return out


def resolve_scenario(name_or_path: str) -> Scenario:
    """A built-in scenario by name, or a YAML file."""
    builtins = builtin_scenarios()
    if name_or_path in builtins:
        return builtins[name_or_path]
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ScenarioError(f"{path}: scenario file does not exist")
        return load_scenario(path)
    raise ScenarioError(
        f"unknown scenario {name_or_path!r}: not a built-in ({', '.join(builtins)}) nor a YAML file"
    )
