"""Scenarios: a model, its parameters, an event calendar and the outcomes to judge, in YAML.

```yaml
name: rumour_correction
description: A rumour before an election and an official correction on the platform.
model: diffusion            # diffusion | cascade | market | bank_run | schelling | public_goods
steps: 30
steps_per_day: 1
params: {...}               # model parameters (see each model's module)
events: [{preset: election_day, start_day: 12}]
outcomes: {misinformed_final: 0.02}   # outcome -> tolerance for the converging/diverging verdict
delegation: {mode: none}    # none | sample | archetype (see synthsoc.sim.delegate)
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from synthsoc.sim import bankrun, diffusion, market, public_goods, schelling
from synthsoc.sim.delegate import DecisionHook, DelegationConfig
from synthsoc.sim.events import Calendar, event_from_spec
from synthsoc.sim.params import ScenarioError
from synthsoc.sim.world import RunOutput, World

RunFn = Callable[
    [World, dict[str, Any], Calendar, int, np.random.Generator, DecisionHook | None], RunOutput
]
PrepareFn = Callable[[World, dict[str, Any]], None]

MODELS: dict[str, tuple[PrepareFn, RunFn]] = {
    "diffusion": (diffusion.prepare_diffusion, diffusion.run_diffusion),
    "cascade": (diffusion.prepare_cascade, diffusion.run_cascade),
    "market": (market.prepare_market, market.run_market),
    "bank_run": (bankrun.prepare_bank_run, bankrun.run_bank_run),
    "schelling": (schelling.prepare_schelling, schelling.run_schelling),
    "public_goods": (public_goods.prepare_public_goods, public_goods.run_public_goods),
}


@dataclass(frozen=True)
class Scenario:
    name: str
    model: str
    steps: int
    description: str = ""
    title: str = ""
    steps_per_day: int = 1
    params: dict[str, Any] = field(default_factory=dict)
    events: tuple[dict[str, Any], ...] = ()
    outcomes: dict[str, float] = field(default_factory=dict)
    delegation: DelegationConfig = field(default_factory=DelegationConfig)
    source: str = ""

    def calendar(self) -> Calendar:
        return Calendar(
            tuple(
                event_from_spec(e, f"{self.source}: events[{i}]") for i, e in enumerate(self.events)
            ),
            self.steps_per_day,
        )

    def prepare(self, world: World) -> None:
        MODELS[self.model][0](world, self.params)

    def run(
        self, world: World, rng: np.random.Generator, hook: DecisionHook | None = None
    ) -> RunOutput:
        return MODELS[self.model][1](world, self.params, self.calendar(), self.steps, rng, hook)

    def with_overrides(self, **changes: Any) -> Scenario:
        from dataclasses import replace

        return replace(self, **changes)


def scenario_from_dict(data: Any, source: str) -> Scenario:
    """Validate a parsed scenario; errors name the file and the field."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario must be a mapping")
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
    scenario = Scenario(
        name=str(data["name"]),
        model=model,
        steps=steps,
        description=str(data.get("description", "")),
        title=str(data.get("title", "")),
        steps_per_day=int(data.get("steps_per_day", 1)),
        params=dict(data.get("params", {}) or {}),
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
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
    return scenario_from_dict(data, str(path))


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
