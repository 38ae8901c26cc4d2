"""The per-user LLM budget is a counter inside the LLM client, not a reservation: jobs get the
user's counter file through their environment (as the job runner sets it), every call the
client makes is counted there, and the call that would pass the user's limit is refused, so a
survey that would overrun stops with the budget's message and its answers so far are kept
(and described) as partial. Driven by the scripted LLM; no server, no model."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from synthsoc.llm import BudgetExceeded, LLMError, LLMRequest, stack_llm
from synthsoc.llm.host_budget import BUDGET_LABEL, budget_from_env
from synthsoc.service.config import Limits, ServiceConfig, add_user
from synthsoc.service.jobs import llm_budget, llm_calls_used, partial_note
from synthsoc.service.store import Run, RunStore
from synthsoc.survey import LLMEngine, load_questionnaire, run_survey
from synthsoc.synth import load_population
from tests.llm.llm_fakes import ScriptedLLM
from tests.survey.conftest import write_population

QUESTIONNAIRE = """id: b
segments: [sex]
questions:
  - {id: q1, type: single_choice, text: 고르세요, options: [A, B]}
  - {id: q2, type: single_choice, text: 또 고르세요, options: [A, B]}
"""


def _answer(request: LLMRequest, number: int) -> str:
    return json.dumps({"interpretation": "", "choice": "A", "reason": "이유"})


def _config(tmp_path: Path, budget: int) -> ServiceConfig:
    config = ServiceConfig(data_dir=tmp_path / "data", users_file=tmp_path / "users.toml")
    add_user(config.users_file, "alice", Limits())
    text = config.users_file.read_text(encoding="utf-8")
    config.users_file.write_text(text + f"llm_budget_calls = {budget}\n", encoding="utf-8")
    return config


def _job_survey(config: ServiceConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                name: str, sample: int) -> tuple[ScriptedLLM, Path, BaseException | None]:
    """One llm survey as a job's child runs it: the budget from the environment the job
    runner gives the child, the scripted model under the client stack open_llm builds."""
    for key, value in llm_budget(config, "alice").environment().items():
        monkeypatch.setenv(key, value)
    backend = ScriptedLLM(_answer)
    llm = stack_llm(backend, host=budget_from_env())
    q_path = tmp_path / "q.yaml"
    q_path.write_text(QUESTIONNAIRE, encoding="utf-8")
    journal = tmp_path / f"{name}.journal.jsonl"
    engine = LLMEngine(llm, sample_size=sample, scoring="sample", concurrency=1,
                       journal=journal)
    population = load_population(write_population(tmp_path / "pop", n_households=200))
    try:
        run_survey(load_questionnaire(q_path), population, engine, seed=1)
    except BudgetExceeded as exc:
        return backend, journal, exc
    return backend, journal, None


def test_a_survey_that_would_overrun_stops_at_the_users_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(tmp_path, budget=24)
    # 3 personas x 2 questions = 6 calls: within the 24
    first, _, error = _job_survey(config, tmp_path, monkeypatch, "first", sample=3)
    assert error is None and first.calls == 6
    assert llm_calls_used(config, "alice") == 6
    # the next job (10 x 2 = 20 calls) has 18 left: the client refuses its 19th call
    second, journal, error = _job_survey(config, tmp_path, monkeypatch, "second", sample=10)
    assert isinstance(error, BudgetExceeded)
    assert BUDGET_LABEL in str(error) and "calls 24" in str(error)
    assert second.calls == 18
    assert llm_calls_used(config, "alice") == 24
    # the survey layer journals each answer as it arrives: all 18 calls' answers are kept
    kept = [line for line in journal.read_text(encoding="utf-8").splitlines() if line]
    assert len(kept) == 18
    run = Run(id="0" * 32, owner="alice", kind="survey", title="t", status="failed",
              created=time.time(), started=None, finished=None, params={},
              steps=[["survey", "run"]], folder=str(tmp_path / "second"), population=None,
              progress=0.0, stage="", message="", pid=None, cancel_requested=False,
              llm_calls=10)
    note = partial_note(run, 0)
    assert note.startswith("stopped by the LLM budget: 18 answers received") and \
        "no results were written" in note
    # with the counter at the limit a job that would call the LLM is refused before it runs
    store = RunStore(tmp_path / "runs.sqlite")
    refusal = store.add_if_allowed(run, max_active=2, llm_budget=24,
                                   llm_used=llm_calls_used(config, "alice"))
    assert refusal is not None and "used 24 of 24" in refusal
    assert store.get(run.id) is None


def test_the_budget_counts_calls_of_every_job_of_the_user(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(tmp_path, budget=20)
    for name in ("a", "b", "c"):
        _job_survey(config, tmp_path, monkeypatch, name, sample=3)
    # three jobs of 6 calls: 18 counted, one shared counter file per user
    assert llm_calls_used(config, "alice") == 18
    assert config.llm_counter("alice").is_file()
    assert llm_calls_used(config, "bob") == 0


def test_a_half_set_budget_environment_is_an_error() -> None:
    with pytest.raises(LLMError, match="set both"):
        budget_from_env({"SYNTHSOC_LLM_BUDGET_FILE": "/tmp/x.json"})
    assert budget_from_env({}) is None
