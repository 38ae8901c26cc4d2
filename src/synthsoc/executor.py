"""Where work units run: local processes (the default, no Ray needed) or a Ray cluster.

Every layer that spreads work hands this module a function of ``(shared, item)`` and a list of
items; :meth:`Executor.map` returns the results in item order whatever the number of workers
or nodes, so results never depend on how the work was spread. Only this module imports Ray
(lazily, the ``ray`` extra), so the layers run without it.

* :class:`LocalExecutor`: ``workers == 1`` runs in this process; more run in forked processes
  that share ``shared`` copy-on-write (built once, never pickled), or in spawned ones that
  receive it once each (for tasks using polars, which a fork can deadlock). A worker that dies
  mid-task (even SIGKILL) breaks the pool: the pool is restarted and the unfinished items run
  again, up to ``max_retries`` times each; finished results are kept.
* :class:`RayExecutor`: ``shared`` is put once in Ray's object store (one copy per node) and
  deserialised once per worker process; tasks are spread over the nodes and retried by Ray
  when their worker or node dies (``max_retries``).

The backend is chosen at run time by :func:`executor_spec`: ``--executor ray``, or a Ray
address given on the command line, in ``$SYNTHSOC_RAY_ADDRESS`` or in ``synthsoc.toml``'s
``[executor]`` table. A cluster that cannot be reached is an :class:`ExecutorError` naming the
address and where it came from.

Shared counters with limits (:class:`FileCounters` on one machine, a Ray actor on a cluster;
:meth:`Executor.counters`) let workers share a budget: each ``try_add`` checks and adds under
one lock, so concurrent workers can never pass a limit together.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import multiprocessing as mp
import os
import socket
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar, cast

from synthsoc.processes import die_with_parent

T = TypeVar("T")
R = TypeVar("R")

ExecutorKind = Literal["local", "ray"]
StartMethod = Literal["fork", "spawn"]
EXECUTOR_KINDS: tuple[str, ...] = ("local", "ray")
ADDRESS_ENV = "SYNTHSOC_RAY_ADDRESS"
CONFIG_FILE = "synthsoc.toml"
CONFIG_KEYS: tuple[str, ...] = ("kind", "address", "workers", "max_retries")
DEFAULT_MAX_RETRIES = 3
CONNECT_TIMEOUT_S = 5.0

Task = Callable[[Any, T], R]
OnResult = Callable[[int, Any], None] | None


class ExecutorError(RuntimeError):
    """The executor cannot run the work: an unreachable cluster, a bad setting, a task that
    kept failing."""


@dataclass(frozen=True)
class ExecutorSpec:
    """Which backend runs work units, with how many workers, and where its settings came from."""

    kind: ExecutorKind = "local"
    workers: int = 1
    address: str | None = None  # Ray: "HOST:PORT", "ray://HOST:PORT" or "auto"; None starts one
    max_retries: int = DEFAULT_MAX_RETRIES
    source: str = "defaults"

    def __post_init__(self) -> None:
        if self.kind not in EXECUTOR_KINDS:
            raise ExecutorError(
                f"{self.source}: executor {self.kind!r} is not one of {', '.join(EXECUTOR_KINDS)}"
            )
        if self.workers < 1:
            raise ExecutorError(f"{self.source}: workers must be at least 1, got {self.workers}")
        if self.max_retries < 0:
            raise ExecutorError(
                f"{self.source}: max_retries must be non-negative, got {self.max_retries}"
            )
        if self.kind == "local" and self.address is not None:
            raise ExecutorError(
                f"{self.source}: a Ray address ({self.address}) was given with the local "
                "executor; use --executor ray or drop the address"
            )


def _config_table(cwd: Path) -> tuple[dict[str, Any], str]:
    path = cwd / CONFIG_FILE
    if not path.is_file():
        return {}, ""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("executor", {})
    except tomllib.TOMLDecodeError as error:
        raise ExecutorError(f"{path}: cannot parse: {error}") from None
    if not isinstance(table, dict):
        raise ExecutorError(f"{path}: [executor] must be a table")
    for key in table:
        if key not in CONFIG_KEYS:
            raise ExecutorError(
                f"{path}: [executor] unknown setting {key!r} (known: {', '.join(CONFIG_KEYS)})"
            )
    return table, f"{path} [executor]"


def executor_spec(
    kind: str | None = None,
    *,
    workers: int | None = None,
    address: str | None = None,
    cwd: Path | None = None,
) -> ExecutorSpec:
    """The executor to use: arguments over ``$SYNTHSOC_RAY_ADDRESS`` over ``synthsoc.toml``
    (``[executor]``: kind, address, workers, max_retries) over the local default.

    A Ray address from any of them selects Ray unless ``kind`` says ``local`` explicitly.
    """
    table, file_source = _config_table(cwd or Path.cwd())
    sources = []
    if table:
        sources.append(file_source)
    chosen_address = address
    if chosen_address is not None:
        sources.append("--address")
    elif os.environ.get(ADDRESS_ENV):
        chosen_address = os.environ[ADDRESS_ENV]
        sources.append(f"${ADDRESS_ENV}")
    elif table.get("address"):
        chosen_address = str(table["address"])
    chosen_kind = kind or table.get("kind") or ("ray" if chosen_address else "local")
    if kind is not None:
        sources.append("--executor")
    source = " + ".join(sources) or "defaults"
    if chosen_kind == "local" and kind == "local":
        chosen_address = None  # an explicit --executor local wins over a configured address
    try:
        n_workers = int(workers if workers is not None else table.get("workers", 1))
        retries = int(table.get("max_retries", DEFAULT_MAX_RETRIES))
    except (TypeError, ValueError) as error:
        raise ExecutorError(f"{source}: {error}") from None
    return ExecutorSpec(
        kind=cast(ExecutorKind, chosen_kind),
        workers=n_workers,
        address=chosen_address,
        max_retries=retries,
        source=source,
    )


class Counters(Protocol):
    """Named numbers shared by every worker of a run, changed only under one lock."""

    def try_add(self, amounts: Mapping[str, float], limits: Mapping[str, float]) -> bool:
        """Add ``amounts`` if no counter would pass its limit; False (nothing added) if one
        would."""
        ...

    def add(self, amounts: Mapping[str, float]) -> None: ...

    def read(self) -> dict[str, float]: ...


def _try_add(
    state: dict[str, float], amounts: Mapping[str, float], limits: Mapping[str, float]
) -> bool:
    for key, limit in limits.items():
        if state.get(key, 0.0) + amounts.get(key, 0.0) > limit + 1e-12:
            return False
    for key, value in amounts.items():
        state[key] = state.get(key, 0.0) + value
    return True


class FileCounters:
    """:class:`Counters` in a JSON file under an exclusive ``flock``: safe for any number of
    processes on one machine (or on a file system with working POSIX locks)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_path = self.path.with_name(self.path.name + ".lock")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, float]]:
        with open(self._lock_path, "a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                state = self._load()
                before = dict(state)
                yield state
                if state != before:
                    tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
                    tmp.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
                    os.replace(tmp, self.path)
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _load(self) -> dict[str, float]:
        if not self.path.is_file():
            return {}
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ExecutorError(f"{self.path}: shared counters unreadable ({error})") from None
        if not isinstance(loaded, dict):
            raise ExecutorError(f"{self.path}: shared counters are not a JSON object")
        return {str(k): float(v) for k, v in loaded.items()}

    def try_add(self, amounts: Mapping[str, float], limits: Mapping[str, float]) -> bool:
        with self._locked() as state:
            return _try_add(state, amounts, limits)

    def add(self, amounts: Mapping[str, float]) -> None:
        with self._locked() as state:
            for key, value in amounts.items():
                state[key] = state.get(key, 0.0) + value

    def read(self) -> dict[str, float]:
        with self._locked() as state:
            return dict(state)


class Executor(Protocol):
    workers: int
    description: str

    def map(
        self, task: Task[T, R], items: Sequence[T], *, shared: Any = None,
        on_result: OnResult = None, start: StartMethod = "fork",
    ) -> list[R]:
        """``[task(shared, item) for item in items]``, spread over the workers; ``on_result(i,
        result)`` is called in this process as each result arrives (in any order).

        ``start`` says how a local worker process starts: ``fork`` shares ``shared``
        copy-on-write (for numpy work); ``spawn`` sends it pickled, once per worker, and is
        what a task using a library with its own thread pool needs (polars deadlocks in a
        forked child). Ray ignores it.
        """
        ...

    def counters(self, name: str, folder: Path) -> Counters:
        """Counters shared by every worker of this executor (``folder``: where a local one
        keeps its file)."""
        ...

    def close(self) -> None: ...


# --- local processes ---------------------------------------------------------------------------

_LOCAL: dict[str, Any] = {}


def _local_call(item: Any) -> Any:
    return _LOCAL["task"](_LOCAL["shared"], item)


def _local_init(task: Any = None, shared: Any = None) -> None:
    """Worker start: the parent-death signal, and (spawned workers) the task and shared value,
    unpickled once per process."""
    die_with_parent()
    if task is not None:
        _LOCAL.update(task=task, shared=shared)


class LocalExecutor:
    """This process (one worker) or forked processes sharing ``shared`` copy-on-write.

    Uses the ``fork`` start method (Linux, macOS with care); every worker gets the kernel's
    parent-death signal, so a killed run leaves no worker behind.
    """

    def __init__(self, workers: int = 1, max_retries: int = DEFAULT_MAX_RETRIES) -> None:
        if workers < 1:
            raise ExecutorError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.max_retries = max_retries
        self.description = f"local, {workers} process{'es' if workers > 1 else ''}"
        self.restarts = 0  # pools restarted after a worker died

    def map(
        self, task: Task[T, R], items: Sequence[T], *, shared: Any = None,
        on_result: OnResult = None, start: StartMethod = "fork",
    ) -> list[R]:
        results: dict[int, Any] = {}
        if self.workers == 1 or len(items) <= 1:
            for i, item in enumerate(items):
                results[i] = task(shared, item)
                if on_result is not None:
                    on_result(i, results[i])
            return [results[i] for i in range(len(items))]
        _LOCAL.update(task=task, shared=shared)
        try:
            tries = dict.fromkeys(range(len(items)), 0)
            while len(results) < len(items):
                self._run_pool(items, results, tries, on_result, start)
            return [results[i] for i in range(len(items))]
        finally:
            _LOCAL.clear()

    def _run_pool(
        self, items: Sequence[Any], results: dict[int, Any], tries: dict[int, int],
        on_result: OnResult, start: StartMethod,
    ) -> None:
        """One pool over the unfinished items; returns when they are done or a worker died."""
        todo = [i for i in range(len(items)) if i not in results]
        ctx = mp.get_context(start)
        args = () if start == "fork" else (_LOCAL["task"], _LOCAL["shared"])
        pool = ProcessPoolExecutor(
            max_workers=min(self.workers, len(todo)), mp_context=ctx, initializer=_local_init,
            initargs=args,
        )
        try:
            futures: dict[Future[Any], int] = {}
            queue = iter(todo)

            def submit() -> None:
                i = next(queue, None)
                if i is not None:
                    tries[i] += 1
                    futures[pool.submit(_local_call, items[i])] = i

            for _ in range(self.workers * 2):  # a short queue: a broken pool loses little
                submit()
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                lost = []
                for future in done:  # keep every finished result before handling a death
                    i = futures.pop(future)
                    try:
                        results[i] = future.result()
                    except BrokenProcessPool:
                        lost.append(i)
                        continue
                    if on_result is not None:
                        on_result(i, results[i])
                    submit()
                if lost:
                    self._broken(tries, lost + list(futures.values()))
                    return
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _broken(self, tries: dict[int, int], in_flight: list[int]) -> None:
        worst = max(in_flight, key=lambda i: tries[i])
        if tries[worst] > self.max_retries:
            raise ExecutorError(
                f"a worker process died running item {worst} {tries[worst]} times "
                f"(max_retries={self.max_retries}); giving up"
            )
        self.restarts += 1

    def counters(self, name: str, folder: Path) -> Counters:
        return FileCounters(Path(folder) / f"{name}.counters.json")

    def close(self) -> None:
        return None


# --- Ray ---------------------------------------------------------------------------------------

_RAY_SHARED: dict[str, Any] = {}  # per worker process: object id -> deserialised shared value


def _ray_unit(task: Callable[[Any, Any], Any], box: list[Any] | None, item: Any) -> Any:
    """Runs in a Ray worker. ``box`` holds the shared value's ObjectRef inside a list, so Ray
    does not resolve it per task; it is fetched once per worker process."""
    if box is None:
        return task(None, item)
    import ray

    ref = box[0]
    key = ref.hex()
    if key not in _RAY_SHARED:
        _RAY_SHARED.clear()  # one shared value at a time per process
        _RAY_SHARED[key] = ray.get(ref)
    return task(_RAY_SHARED[key], item)


def _host_port(address: str) -> tuple[str, int] | None:
    bare = address.split("://", 1)[-1]
    host, sep, port = bare.rpartition(":")
    if not sep or not port.isdigit():
        return None
    return host.strip("[]") or "127.0.0.1", int(port)


def check_reachable(address: str, source: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Stop with a clear error when nothing listens at a Ray address (before Ray's own, much
    longer, connection retries)."""
    if address == "auto":
        return
    target = _host_port(address)
    if target is None:
        raise ExecutorError(
            f"Ray address {address!r} (from {source}) is not HOST:PORT, ray://HOST:PORT or auto"
        )
    try:
        with socket.create_connection(target, timeout=timeout_s):
            pass
    except OSError as error:
        raise ExecutorError(
            f"cannot reach the Ray cluster at {address} (from {source}): "
            f"{error.strerror or error}. Start it (`ray start --head`) or fix the address"
        ) from None


class _RayCountersActor:
    """The state behind :class:`RayCounters`; one named actor per run, methods run one at a
    time (a plain actor, no async), so every try_add is atomic."""

    def __init__(self) -> None:
        self.state: dict[str, float] = {}

    def try_add(self, amounts: Mapping[str, float], limits: Mapping[str, float]) -> bool:
        return _try_add(self.state, amounts, limits)

    def add(self, amounts: Mapping[str, float]) -> None:
        for key, value in amounts.items():
            self.state[key] = self.state.get(key, 0.0) + value

    def read(self) -> dict[str, float]:
        return dict(self.state)


class RayCounters:
    """:class:`Counters` held by a named Ray actor, reachable from every node; picklable, so
    tasks can carry it."""

    def __init__(self, name: str) -> None:
        import ray

        self.name = name
        actor = ray.remote(num_cpus=0, max_restarts=0)(_RayCountersActor)
        # owned by this driver: it ends with the run (a detached one would outlive it)
        self._actor: Any = actor.options(
            name=f"synthsoc-counters-{name}", get_if_exists=True
        ).remote()

    def try_add(self, amounts: Mapping[str, float], limits: Mapping[str, float]) -> bool:
        import ray

        return bool(ray.get(self._actor.try_add.remote(dict(amounts), dict(limits))))

    def add(self, amounts: Mapping[str, float]) -> None:
        import ray

        ray.get(self._actor.add.remote(dict(amounts)))

    def read(self) -> dict[str, float]:
        import ray

        return dict(ray.get(self._actor.read.remote()))

    def drop(self) -> None:
        import ray

        ray.kill(self._actor)


class RayExecutor:
    """Tasks on a Ray cluster (``address``), or on a Ray instance started on this machine."""

    def __init__(
        self,
        address: str | None = None,
        *,
        workers: int = 1,
        max_retries: int = DEFAULT_MAX_RETRIES,
        source: str = "arguments",
    ) -> None:
        if address is None:
            # A local instance stays on the loopback interface (Ray otherwise advertises the
            # machine's outward address to its own workers); read when Ray is imported.
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        try:
            import ray
        except ImportError:
            raise ExecutorError(
                "the Ray executor needs Ray: pip install 'synthsoc[ray]'"
            ) from None
        self.max_retries = max_retries
        self._owns = False
        if address is not None:
            check_reachable(address, source)
        if not ray.is_initialized():  # else: this process is connected already (reused)
            try:
                if address is None:
                    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                             _node_ip_address="127.0.0.1")
                else:
                    ray.init(address=address, log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError) as error:
                raise ExecutorError(
                    f"cannot connect to the Ray cluster at {address or 'a new local instance'} "
                    f"(from {source}): {error}"
                ) from None
            self._owns = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
        self.workers = max(1, cpus)
        self.description = f"ray, {nodes} node{'s' if nodes != 1 else ''}, {cpus} CPUs"
        self._remote = ray.remote(num_cpus=1, max_retries=max_retries)(_ray_unit)

    def map(
        self, task: Task[T, R], items: Sequence[T], *, shared: Any = None,
        on_result: OnResult = None, start: StartMethod = "fork",
    ) -> list[R]:
        import ray
        from ray.exceptions import RayError

        box = None if shared is None else [ray.put(shared)]
        refs = {
            self._remote.options(scheduling_strategy="SPREAD").remote(task, box, item): i
            for i, item in enumerate(items)
        }
        results: dict[int, Any] = {}
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                i = refs[ref]
                try:
                    results[i] = ray.get(ref)
                except RayError as error:
                    for other in pending:
                        ray.cancel(other)
                    cause = getattr(error, "cause", None)
                    if isinstance(cause, Exception):
                        raise cause from None
                    raise ExecutorError(
                        f"item {i} failed on the Ray cluster after {self.max_retries} "
                        f"retries: {error}"
                    ) from None
                if on_result is not None:
                    on_result(i, results[i])
        return [results[i] for i in range(len(items))]

    def counters(self, name: str, folder: Path) -> Counters:
        return RayCounters(name)

    def close(self) -> None:
        if self._owns:
            import ray

            ray.shutdown()
            self._owns = False


def open_executor(spec: ExecutorSpec) -> Executor:
    """The executor ``spec`` describes (close it when done, or use :func:`executor`)."""
    if spec.kind == "ray":
        return RayExecutor(
            spec.address, workers=spec.workers, max_retries=spec.max_retries, source=spec.source
        )
    return LocalExecutor(spec.workers, spec.max_retries)


@contextlib.contextmanager
def executor(spec: ExecutorSpec) -> Iterator[Executor]:
    opened = open_executor(spec)
    try:
        yield opened
    finally:
        opened.close()
