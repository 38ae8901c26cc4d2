"""`--executor` on the commands: `synthsoc personas`, `synthsoc survey run` (llm engine) and a
plain `synthsoc simulate --replicates R` give the same files with 1 worker, 2 workers and a
two-node Ray cluster."""

from __future__ import annotations

import contextlib
import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from synthsoc.cli import app
from synthsoc.commands import survey as survey_command
from synthsoc.executor import LocalExecutor
from synthsoc.llm.budget import BudgetedLLM
from synthsoc.llm.shared_budget import SharedBudgetLLM
from synthsoc.llm.types import Price
from synthsoc.sim import World, builtin_scenarios, run_replicates
from tests.executor.conftest import unused_address
from tests.llm.llm_fakes import ScriptedLLM, age_of, by_request

runner = CliRunner()
PERSONA_FILES = ("personas.parquet", "persona_audit.json", "persona_card.md")


def _text(result: Any) -> str:
    """The output without rich's box drawing and line wrapping."""
    return " ".join(result.output.replace("│", " ").split())


# --- personas ----------------------------------------------------------------------------------


def _personas(population_dir: Path, folder: Path, *options: str) -> dict[str, bytes]:
    shutil.copytree(population_dir, folder)
    (folder / "personas.parquet").unlink(missing_ok=True)
    result = runner.invoke(app, ["personas", str(folder), "--seed", "3", "--chunk-rows", "700",
                                 *options])
    assert result.exit_code == 0, result.output
    return {name: (folder / name).read_bytes() for name in PERSONA_FILES}


@pytest.fixture(scope="module")
def one_worker(population_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The files each command writes in one process (what every other executor must match)."""
    folder = tmp_path_factory.mktemp("one_worker")
    with pytest.MonkeyPatch.context() as monkeypatch:
        survey, asked_here = _survey(population_dir, folder, "survey", monkeypatch)
    return {"personas": _personas(population_dir, folder / "personas"), "survey": survey,
            "survey_asked_here": asked_here}


@pytest.mark.slow
def test_personas_command_same_bytes_on_one_and_two_workers(
    one_worker: dict[str, Any], population_dir: Path, tmp_path: Path
) -> None:
    two = _personas(population_dir, tmp_path / "two", "--workers", "2", "--executor", "local")
    assert one_worker["personas"] == two
    # 4,000-odd persons in 6 chunks, not empty
    assert len(one_worker["personas"]["personas.parquet"]) > 10_000


def test_personas_command_unreachable_cluster_writes_nothing(
    population_dir: Path, tmp_path: Path
) -> None:
    pytest.importorskip("ray")
    address = unused_address()
    folder = tmp_path / "pop"
    shutil.copytree(population_dir, folder)
    (folder / "personas.parquet").unlink(missing_ok=True)
    result = runner.invoke(app, ["personas", str(folder), "--address", address])
    assert result.exit_code == 1
    assert f"cannot reach the Ray cluster at {address} (from --address)" in _text(result)
    assert not (folder / "personas.parquet").exists()


# --- survey: persona answers as work units -----------------------------------------------------

QUESTIONNAIRE = """\
id: t
segments: [age_group, sex]
questions:
  - {id: pick, type: single_choice, text: 고르세요, options: [A, B, C]}
  - {id: hours, type: numeric, text: 몇 시간입니까, min: 0, max: 24, bins: [0, 8, 16]}
"""


def _script(request: Any) -> dict[str, Any]:
    """Depends on the persona (age) and the request's own seed only: what a seeded server does,
    whoever sends the request."""
    age = age_of(request)
    if request.logprobs is not None:
        first = "1" if age < 40 else "2"
        return {"top_logprobs": {first: -0.4, "3": -1.1 - (request.seed % 7) / 10}}
    return {"interpretation": "", "value": (age + request.seed) % 25, "reason": "이유"}


@dataclass(frozen=True)
class CountedScript:
    """``_script``, appending one line to ``calls`` (when given) per call made, from any
    process (one short O_APPEND write each)."""

    calls: str | None = None

    def __call__(self, request: Any) -> dict[str, Any]:
        if self.calls is not None:
            with open(self.calls, "a", encoding="utf-8") as handle:
                handle.write("call\n")
        return _script(request)


def _scripted(limits: Any, calls: str | None) -> Any:
    """The scripted model under the run's budget, wrapped as the llm layer wraps a backend
    given shared counters (``stack_llm``)."""
    llm: Any = ScriptedLLM(by_request(CountedScript(calls)))
    if limits is None or limits.counters is None:
        if limits is not None and limits.limited:
            return BudgetedLLM(llm, price=Price(), max_calls=limits.max_calls)
        return llm
    return SharedBudgetLLM(llm, counters=limits.counters, price=Price(),
                           max_calls=limits.max_calls, budget_usd=limits.budget_usd)


@dataclass(frozen=True)
class ScriptedOpener:
    """What each worker opens (picklable): the scripted model, under the run's budget."""

    key: str = "scripted-survey"
    limits: Any = None
    calls: str | None = None

    @contextlib.contextmanager
    def open(self) -> Iterator[Any]:
        yield _scripted(self.limits, self.calls)


def _invoke_survey(population_dir: Path, tmp_path: Path, name: str,
                   monkeypatch: pytest.MonkeyPatch, *options: str,
                   calls: str | None = None) -> tuple[Any, list[Any]]:
    drivers: list[Any] = []

    @contextlib.contextmanager
    def driver_llm(engine: str, backend: str, limits: Any = None) -> Iterator[Any]:
        drivers.append(_scripted(limits, calls))
        yield drivers[-1]

    monkeypatch.setattr(survey_command, "_llm", driver_llm)
    # a new key per run, as ConfiguredLLM has: a worker kept from an earlier run (Ray's) opens
    # this run's client instead of reusing that run's
    key = f"scripted-survey-{uuid.uuid4().hex}"
    monkeypatch.setattr(survey_command, "_worker_llm",
                        lambda backend, limits: ScriptedOpener(key, limits, calls))
    q = tmp_path / "q.yaml"
    q.write_text(QUESTIONNAIRE, encoding="utf-8")
    out = tmp_path / name
    result = runner.invoke(app, ["survey", "run", str(q), "--population", str(population_dir),
                                 "--engine", "llm", "--sample", "120", "--seed", "5",
                                 "--out", str(out), *options])
    return result, drivers


def _survey(population_dir: Path, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch,
            *options: str) -> tuple[dict[str, bytes], int]:
    result, drivers = _invoke_survey(population_dir, tmp_path, name, monkeypatch, *options)
    assert result.exit_code == 0, result.output
    out = tmp_path / name
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}
    driver = drivers[0]
    return files, len(driver.requests)


@pytest.mark.slow
def test_survey_answers_same_files_on_one_and_two_workers(
    one_worker: dict[str, Any], population_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one = one_worker["survey"]
    two, asked_here_two = _survey(population_dir, tmp_path, "two", monkeypatch, "--workers", "2")
    assert "results.json" in one and "report.md" in one
    assert one == two
    # 120 personas x 2 questions: all asked here with one worker; with two, only the probe
    # that decides the scoring (the other 239 went to the worker processes)
    assert (one_worker["survey_asked_here"], asked_here_two) == (240, 1)
    payload = json.loads(one["results.json"])
    assert payload["diagnostics"]["scoring"] == {"pick": "logprobs", "hours": "sample"}


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


@pytest.mark.slow
def test_survey_budget_holds_across_two_workers_and_the_run_resumes(
    one_worker: dict[str, Any], population_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = tmp_path / "calls.txt"
    # 120 personas x 2 questions = 240 requests; the run may make 50 calls in all
    result, _ = _invoke_survey(population_dir, tmp_path, "limited", monkeypatch,
                               "--workers", "2", "--max-calls", "50", calls=str(calls))
    assert result.exit_code == 1, result.output
    text = _text(result)
    assert "survey failed" in text and "shared budget" in text
    assert "LLM budget over all workers: 50 calls of 50" in text
    assert _lines(calls) == 50  # this process and both workers together: never more
    journal = tmp_path / "limited.journal.jsonl"
    kept = _lines(journal)
    assert 0 < kept <= 50
    assert not (tmp_path / "limited").exists() or not any((tmp_path / "limited").iterdir())
    # the same command with room left finishes, asking only what the journal lacks (and the
    # probe that decides the scoring, which the llm engine always sends first)
    calls.unlink()
    result, _ = _invoke_survey(population_dir, tmp_path, "limited", monkeypatch,
                               "--workers", "2", "--max-calls", "1000", calls=str(calls))
    assert result.exit_code == 0, result.output
    assert _lines(calls) == 240 - kept + 1
    files = {p.name: p.read_bytes() for p in sorted((tmp_path / "limited").iterdir())
             if p.is_file()}
    # the same answers as one uninterrupted process; only the count of answers reused differs
    # (1 there: the probe's; here every answer the journal kept)
    one = one_worker["survey"]
    assert set(files) == set(one)
    for name in set(one) - {"results.json", "report.md"}:
        assert files[name] == one[name], name
    resumed, whole = json.loads(files["results.json"]), json.loads(one["results.json"])
    assert resumed["diagnostics"].pop("answers_reused") == kept
    assert whole["diagnostics"].pop("answers_reused") == 1
    assert resumed == whole
    assert files["report.md"].replace(f"`answers_reused`: `{kept}`".encode(), b"") == one[
        "report.md"].replace(b"`answers_reused`: `1`", b"")


def test_survey_budget_refused_for_the_calibrated_engine(tmp_path: Path) -> None:
    q = tmp_path / "q.yaml"
    q.write_text(QUESTIONNAIRE, encoding="utf-8")
    result = runner.invoke(app, ["survey", "run", str(q), "--population", str(tmp_path),
                                 "--out", str(tmp_path / "o"), "--max-calls", "5"])
    assert result.exit_code == 2 and "calibrated engine makes none" in _text(result)


def test_survey_executor_refused_for_the_calibrated_engine(tmp_path: Path) -> None:
    q = tmp_path / "q.yaml"
    q.write_text(QUESTIONNAIRE, encoding="utf-8")
    result = runner.invoke(app, ["survey", "run", str(q), "--population", str(tmp_path),
                                 "--out", str(tmp_path / "o"), "--workers", "2"])
    assert result.exit_code == 2 and "calibrated engine runs in this process" in _text(result)


# --- simulate: replicates as executor units ----------------------------------------------------


def test_replicates_on_an_executor_equal_the_local_runner(world: World) -> None:
    scenario = builtin_scenarios()["bank_run"].with_overrides(steps=8)
    local = run_replicates(scenario, world, replicates=3, seed=6)
    spread = run_replicates(scenario, world, replicates=3, seed=6, executor=LocalExecutor(2))
    assert [o.outcomes for o in local] == [o.outcomes for o in spread]
    assert len({o.outcomes["withdrawn_final"] for o in local}) > 1  # replicates differ: seeds used


def _simulate(population_dir: Path, out: Path, *options: str) -> tuple[dict[str, bytes], Any]:
    result = runner.invoke(app, ["simulate", "bank_run", "--population", str(population_dir),
                                 "--replicates", "3", "--steps", "8", "--seed", "2",
                                 "--no-charts", "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir())
             if p.is_file() and p.name != "summary.json"}  # summary.json holds wall times
    return files, summary


# --- on a real two-node Ray cluster -----------------------------------------------------------


@pytest.mark.integration
def test_commands_on_two_ray_nodes_give_the_same_files(
    ray_cluster: Any, one_worker: dict[str, Any], population_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cloudpickle

    import tests.llm.llm_fakes as fakes

    cloudpickle.register_pickle_by_value(fakes)
    cloudpickle.register_pickle_by_value(__import__(__name__))
    address = ray_cluster.address
    # personas: one process against chunks spread over both nodes
    assert one_worker["personas"] == _personas(
        population_dir, tmp_path / "pray", "--executor", "ray", "--address", address)
    # survey: persona answers in this process against units on the cluster
    on_ray, asked_here = _survey(population_dir, tmp_path, "sray", monkeypatch,
                                 "--executor", "ray")
    assert one_worker["survey"] == on_ray and asked_here == 1
    # simulate: replicates in forked processes against replicates as Ray tasks
    local, local_summary = _simulate(population_dir, tmp_path / "m1", "--workers", "1")
    ray_files, ray_summary = _simulate(population_dir, tmp_path / "mray", "--executor", "ray")
    assert local == ray_files and len(local) >= 2
    assert local_summary["outcomes"] == ray_summary["outcomes"]
    assert "2 nodes" in ray_summary["executor"]
    assert np.isfinite(ray_summary["outcomes"]["withdrawn_final"]["mean"])


@pytest.mark.integration
def test_survey_budget_holds_across_two_ray_nodes(
    ray_cluster: Any, population_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cloudpickle

    import tests.llm.llm_fakes as fakes

    cloudpickle.register_pickle_by_value(fakes)
    cloudpickle.register_pickle_by_value(__import__(__name__))
    calls = tmp_path / "calls.txt"
    result, _ = _invoke_survey(population_dir, tmp_path, "rlimited", monkeypatch,
                               "--executor", "ray", "--max-calls", "30", calls=str(calls))
    assert result.exit_code == 1, result.output
    assert "LLM budget over all workers: 30 calls of 30" in _text(result)
    assert _lines(calls) == 30  # the driver and the tasks on both nodes: one budget (an actor)


def test_delegated_scenario_is_refused_on_ray(population_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", "bank_run", "--population", str(population_dir),
                                 "--delegate", "sample", "--executor", "ray",
                                 "--out", str(tmp_path / "d")])
    assert result.exit_code == 2 and "replicates run in this process" in _text(result)
    assert not (tmp_path / "d").exists()
