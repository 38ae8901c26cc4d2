"""Running R replicates of a scenario with independent seeds, serially or in processes.

Seeds come from ``numpy.random.SeedSequence(seed).spawn(R)``: replicate ``i`` always gets the same
stream, whatever the number of processes or the order they finish in, so results do not depend on
how the work is spread. A :class:`ReplicateRunner` only maps a function over replicate indices;
a distributed engine can implement the same protocol later.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

import numpy as np

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


def run_replicates(
    scenario: Scenario,
    world: World,
    *,
    replicates: int,
    seed: int,
    runner: ReplicateRunner | None = None,
    decision_model: DecisionModel | None = None,
    on_done: Callable[[int], None] | None = None,
) -> list[RunOutput]:
    """Run ``replicates`` independent replicates; replicate ``i`` uses the i-th spawned seed."""
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    if scenario.delegation.mode != "none" and decision_model is None:
        raise ValueError(
            f"scenario {scenario.name!r} delegates decisions ({scenario.delegation.mode}) "
            "but no decision model was given"
        )
    scenario.prepare(world)
    seeds = replicate_seeds(seed, replicates)

    def task(i: int) -> RunOutput:
        rng = np.random.default_rng(seeds[i])
        hook = None
        if scenario.delegation.mode != "none" and decision_model is not None:
            hook = DecisionHook(
                decision_model, scenario.delegation, world.agents, rng, world.describe
            )
        return scenario.run(world, rng, hook)

    return (runner or SerialRunner()).map(task, list(range(replicates)), on_done)
