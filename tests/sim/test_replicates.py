"""Replicates: seeding independent of processes, and the verdict on replicate outcomes."""

from __future__ import annotations

import numpy as np

from synthsoc.evaluate.convergence import classify_replicates
from synthsoc.sim import ProcessPoolRunner, SerialRunner, World, builtin_scenarios, run_replicates
from synthsoc.sim.outputs import outcome_values
from synthsoc.sim.replicates import replicate_seeds


def _bank(world: World, **params: object):  # type: ignore[no-untyped-def]
    sc = builtin_scenarios()["bank_run"]
    return sc.with_params(**params).with_overrides(steps=12)


def test_results_do_not_depend_on_the_number_of_processes(world: World) -> None:
    sc = _bank(world)
    serial = run_replicates(sc, world, replicates=4, seed=3, runner=SerialRunner())
    pooled = run_replicates(sc, world, replicates=4, seed=3, runner=ProcessPoolRunner(2))
    assert [o.outcomes for o in serial] == [o.outcomes for o in pooled]
    assert all(
        np.array_equal(a.series["withdrawn"], b.series["withdrawn"])
        for a, b in zip(serial, pooled, strict=True)
    )
    first3 = run_replicates(sc, world, replicates=3, seed=3)
    assert [o.outcomes for o in first3] == [o.outcomes for o in serial[:3]]


def test_seeds_are_spawned_from_one_seed_sequence() -> None:
    a = [s.generate_state(2).tolist() for s in replicate_seeds(1, 3)]
    b = [s.generate_state(2).tolist() for s in np.random.SeedSequence(1).spawn(3)]
    assert a == b and len({tuple(x) for x in a}) == 3


def test_verdict_converging_for_a_settled_bank(world: World) -> None:
    runs = run_replicates(
        _bank(world, initial_belief=0.1, news_noise=0.0), world, replicates=6, seed=0
    )
    verdict = classify_replicates(outcome_values(runs)["withdrawn_final"], tolerance=0.05)
    assert verdict.verdict == "converging"


def test_verdict_diverging_multimodal_near_the_run_threshold(world: World) -> None:
    # near the threshold a common news shock decides: some replicates run, the others do not
    # (the threshold moves with the personas' risk tolerance, which the agents now read)
    runs = run_replicates(
        _bank(world, initial_belief=0.56, news_noise=0.3), world, replicates=12, seed=1
    )
    values = outcome_values(runs)["withdrawn_final"]
    assert values.max() > 0.9 and values.min() < 0.8  # both outcomes occur
    verdict = classify_replicates(values, tolerance=0.05)
    assert verdict.verdict == "diverging"
    ran = sum(m.n_runs for m in verdict.modes if m.center > 0.9)
    assert 0 < ran < 12
    assert (
        sum(m.share for m in verdict.modes) == 1.0
        or abs(sum(m.share for m in verdict.modes) - 1) < 1e-9
    )
