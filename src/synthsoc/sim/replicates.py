"""Running R replicates of a scenario with independent seeds, serially or in processes.

Seeds come from ``numpy.random.SeedSequence(seed).spawn(R)``: replicate ``i`` always gets the same
stream, whatever the number of processes or the order they finish in, so results do not depend on
how the work is spread. A :class:`ReplicateRunner` maps a function over replicate indices in this
process or forked ones; given an :class:`synthsoc.executor.Executor` instead (``--executor ray``),
each replicate is a work unit of that executor and the world travels once as its shared value
(Ray's object store: one copy per node, deserialised once per worker process).
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np

from synthsoc.executor import Executor
from synthsoc.processes import die_with_parent
from synthsoc.sim.delegate import DecisionHook, DecisionModel
from synthsoc.sim.scenario import Scenario
from synthsoc.sim.world import RunOutput, World

R = TypeVar("R")


Progress = Callable[[int], None] | None


class ReplicateRunner(Protocol):
    """Maps ``task`` over replicate indices; results come back in index order and ``on_result``
    (if given) is called in the calling process as each one arrives."""

    def map(
        self, task: Callable[[int], R], indices: Sequence[int], on_result: Progress = None
    ) -> list[R]: ...


class SerialRunner:
    def map(
        self, task: Callable[[int], R], indices: Sequence[int], on_result: Progress = None
    ) -> list[R]:
        out = []
        for i in indices:
            out.append(task(i))
            if on_result is not None:
                on_result(i)
        return out


_SHARED: dict[str, Any] = {}


def _call_shared(i: int) -> Any:
    return _SHARED["task"](i)


class ProcessPoolRunner:
    """Runs replicates in ``workers`` forked processes sharing the parent's world (copy-on-write).

    Uses the ``fork`` start method so the (large) network is not pickled; on platforms without
    fork use :class:`SerialRunner`. Each worker gets the kernel's parent-death signal, so a
    killed ``synthsoc simulate`` (even SIGKILL) leaves no worker running.
    """

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers

    def map(
        self, task: Callable[[int], R], indices: Sequence[int], on_result: Progress = None
    ) -> list[R]:
        if self.workers == 1 or len(indices) <= 1:
            return SerialRunner().map(task, indices, on_result)
        _SHARED["task"] = task
        try:
            ctx = mp.get_context("fork")
            out = []
            with ProcessPoolExecutor(
                max_workers=self.workers, mp_context=ctx, initializer=die_with_parent
            ) as pool:
                for i, result in zip(indices, pool.map(_call_shared, indices), strict=True):
                    out.append(result)
                    if on_result is not None:
                        on_result(i)
            return out
        finally:
            _SHARED.pop("task", None)


def replicate_seeds(seed: int, replicates: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(seed).spawn(replicates)


@dataclass(frozen=True)
class ReplicateShared:
    """What every replicate unit on an executor reads: the scenario, the (prepared) world and
    the replicates' seeds."""

    scenario: Scenario
    world: World
    seeds: tuple[np.random.SeedSequence, ...]


def _replicate_unit(shared: ReplicateShared, i: int) -> RunOutput:
    """Replicate ``i`` on an executor's worker (no delegated decisions)."""
    shared.scenario.prepare(shared.world)  # memoised on the world: built before it was shared
    return shared.scenario.run(shared.world, np.random.default_rng(shared.seeds[i]))


def run_replicates(
    scenario: Scenario,
    world: World,
    *,
    replicates: int,
    seed: int,
    runner: ReplicateRunner | None = None,
    decision_model: DecisionModel | None = None,
    on_done: Callable[[int], None] | None = None,
    executor: Executor | None = None,
) -> list[RunOutput]:
    """Run ``replicates`` independent replicates; replicate ``i`` uses the i-th spawned seed.

    With ``executor`` each replicate is one of its work units (``runner`` is then not used);
    delegated decisions (a language model in this process) cannot run there.
    """
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    if scenario.delegation.mode != "none" and decision_model is None:
        raise ValueError(
            f"scenario {scenario.name!r} delegates decisions ({scenario.delegation.mode}) "
            "but no decision model was given"
        )
    if executor is not None and scenario.delegation.mode != "none":
        raise ValueError(
            f"scenario {scenario.name!r} delegates decisions to a language model "
            f"({scenario.delegation.mode}): its replicates run in this process, not on "
            f"{executor.description}"
        )
    scenario.prepare(world)  # derived structures are built once here and travel with the world
    seeds = replicate_seeds(seed, replicates)
    if executor is not None:
        shared = ReplicateShared(scenario, world, tuple(seeds))
        done = None if on_done is None else (lambda i, _output: on_done(i))
        return executor.map(_replicate_unit, list(range(replicates)), shared=shared,
                            on_result=done)

    def task(i: int) -> RunOutput:
        rng = np.random.default_rng(seeds[i])
        hook = None
        if scenario.delegation.mode != "none" and decision_model is not None:
            hook = DecisionHook(
                decision_model, scenario.delegation, world.agents, rng, world.describe
            )
        return scenario.run(world, rng, hook)

    return (runner or SerialRunner()).map(task, list(range(replicates)), on_done)
