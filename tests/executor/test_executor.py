"""The executor: results in item order whatever the backend, shared values, retries after a
killed worker, counters under concurrent workers, a clear error for an unreachable cluster."""

from __future__ import annotations

import os
import signal
import socket
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from synthsoc.executor import (
    ExecutorError,
    FileCounters,
    LocalExecutor,
    RayExecutor,
    check_reachable,
    executor_spec,
)


def _draw(shared: dict[str, Any], item: int) -> tuple[int, float, int]:
    rng = np.random.default_rng(np.random.SeedSequence(shared["seed"], spawn_key=(item,)))
    return item, float(rng.random() + shared["offset"][item]), os.getpid()


def _die_once(shared: dict[str, Any], item: int) -> int:
    """Kills its own worker process (SIGKILL) the first time item 2 runs."""
    flag = Path(shared["flag"])
    if item == 2 and not flag.exists():
        flag.write_text("killed", encoding="utf-8")
        os.kill(os.getpid(), signal.SIGKILL)
    return item * item


def test_local_results_are_in_item_order_and_do_not_depend_on_workers() -> None:
    shared = {"seed": 7, "offset": np.arange(6, dtype=np.float64)}
    one = LocalExecutor(1).map(_draw, range(6), shared=shared)
    seen: list[int] = []
    two = LocalExecutor(2).map(_draw, range(6), shared=shared,
                               on_result=lambda i, _r: seen.append(i))
    assert [r[:2] for r in one] == [r[:2] for r in two]
    assert [r[0] for r in two] == list(range(6)) and sorted(seen) == list(range(6))
    assert os.getpid() not in {r[2] for r in two} and {r[2] for r in one} == {os.getpid()}
    # independent truth: the same draws made here by hand
    expected = [np.random.default_rng(np.random.SeedSequence(7, spawn_key=(i,))).random() + i
                for i in range(6)]
    assert [r[1] for r in one] == expected


def test_local_worker_killed_mid_task_is_retried(tmp_path: Path) -> None:
    ex = LocalExecutor(2, max_retries=2)
    out = ex.map(_die_once, range(5), shared={"flag": str(tmp_path / "flag")})
    assert out == [0, 1, 4, 9, 16]
    assert (tmp_path / "flag").exists() and ex.restarts == 1


def test_local_gives_up_after_max_retries(tmp_path: Path) -> None:
    def always_die(_shared: Any, item: int) -> int:
        os.kill(os.getpid(), signal.SIGKILL)
        return item

    with pytest.raises(ExecutorError, match="died running item"):
        LocalExecutor(2, max_retries=1).map(always_die, [0, 1])


def _add_many(path: str, n: int) -> int:
    counters = FileCounters(path)
    granted = 0
    for _ in range(n):
        granted += counters.try_add({"calls": 1, "usd": 0.25}, {"calls": 30, "usd": 7.0})
    return granted


def test_file_counters_hold_their_limit_under_concurrent_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "budget.json")
    with ProcessPoolExecutor(4) as pool:
        granted = sum(pool.map(_add_many, [path] * 4, [20] * 4))
    # usd 7.0 / 0.25 = 28 grants: the tighter of the two limits, never passed together
    assert granted == 28
    assert FileCounters(path).read() == {"calls": 28.0, "usd": 7.0}


def test_spec_from_environment_and_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYNTHSOC_RAY_ADDRESS", raising=False)
    assert executor_spec(cwd=tmp_path).kind == "local"
    (tmp_path / "synthsoc.toml").write_text('[executor]\naddress = "10.0.0.1:6379"\n')
    spec = executor_spec(cwd=tmp_path)
    assert (spec.kind, spec.address) == ("ray", "10.0.0.1:6379") and "synthsoc.toml" in spec.source
    monkeypatch.setenv("SYNTHSOC_RAY_ADDRESS", "127.0.0.1:7000")
    spec = executor_spec(cwd=tmp_path)
    assert spec.address == "127.0.0.1:7000" and "$SYNTHSOC_RAY_ADDRESS" in spec.source
    assert executor_spec("local", cwd=tmp_path).kind == "local"
    (tmp_path / "synthsoc.toml").write_text('[executor]\nadress = "x"\n')
    with pytest.raises(ExecutorError, match="unknown setting 'adress'"):
        executor_spec(cwd=tmp_path)


def test_unreachable_cluster_is_a_clear_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"127.0.0.1:{port}"
    with pytest.raises(ExecutorError, match=f"cannot reach the Ray cluster at {address} "
                                            r"\(from \$SYNTHSOC_RAY_ADDRESS\)"):
        check_reachable(address, "$SYNTHSOC_RAY_ADDRESS", timeout_s=1.0)
    with pytest.raises(ExecutorError, match="is not HOST:PORT"):
        check_reachable("nowhere", "--address")


@pytest.mark.integration
def test_ray_two_nodes_same_results_and_a_killed_worker(ray_cluster: Any, tmp_path: Path) -> None:
    import cloudpickle

    cloudpickle.register_pickle_by_value(__import__(__name__))
    ex = RayExecutor(workers=2)
    assert "2 nodes" in ex.description
    shared = {"seed": 7, "offset": np.arange(6, dtype=np.float64)}
    on_ray = ex.map(_draw, range(6), shared=shared)
    assert [r[:2] for r in on_ray] == [r[:2] for r in LocalExecutor(1).map(_draw, range(6),
                                                                           shared=shared)]
    killed = ex.map(_die_once, range(5), shared={"flag": str(tmp_path / "flag")})
    assert killed == [0, 1, 4, 9, 16] and (tmp_path / "flag").exists()
