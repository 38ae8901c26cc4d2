"""Layer: sim. Social simulations on a synthetic population.

A multilayer network (household, work, school, neighbourhood, online follows) in CSR arrays, and
vectorised models on it: information diffusion on a social-media platform, contagion rules, a
marketplace, Schelling segregation, a bank run and a climate-cooperation game, with an event
calendar, optional LLM delegation for a bounded subset of decisions, and replicates with
independent seeds.
"""

from synthsoc.sim.agents import Agents, build_agents
from synthsoc.sim.delegate import (
    DecisionHook,
    DecisionModel,
    DecisionPrompt,
    DelegationConfig,
    LLMDecisionModel,
)
from synthsoc.sim.events import Calendar, Event
from synthsoc.sim.network import LAYERS, Graph, MultilayerNetwork, NetworkConfig, build_network
from synthsoc.sim.network_stats import network_report
from synthsoc.sim.replicates import ProcessPoolRunner, ReplicateRunner, SerialRunner, run_replicates
from synthsoc.sim.run import SimulationRun, load_world, simulate
from synthsoc.sim.scenario import (
    MODELS,
    Scenario,
    builtin_scenarios,
    load_scenario,
    resolve_scenario,
)
from synthsoc.sim.world import RunOutput, World

__all__ = [
    "LAYERS",
    "MODELS",
    "Agents",
    "Calendar",
    "DecisionHook",
    "DecisionModel",
    "DecisionPrompt",
    "DelegationConfig",
    "Event",
    "Graph",
    "LLMDecisionModel",
    "MultilayerNetwork",
    "NetworkConfig",
    "ProcessPoolRunner",
    "ReplicateRunner",
    "RunOutput",
    "Scenario",
    "SerialRunner",
    "SimulationRun",
    "World",
    "build_agents",
    "build_network",
    "builtin_scenarios",
    "load_scenario",
    "load_world",
    "network_report",
    "resolve_scenario",
    "run_replicates",
    "simulate",
]
