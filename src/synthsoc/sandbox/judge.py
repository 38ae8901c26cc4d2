"""An optional LLM judge of task success and satisfaction, and its agreement with hand labels.

The judge is any client of :mod:`synthsoc.llm`; it answers a JSON schema (task served or not,
satisfaction 0-10) for one request and answer. Its agreement with the hand-labelled set
``data/judge_labels.jsonl`` (20 request/answer pairs written for this project, labelled by
their author: does the answer serve the request?) is measured as accuracy with a bootstrap
interval and Cohen's kappa (scikit-learn), and reported beside every judged run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

import numpy as np
import polars as pl
from sklearn.metrics import cohen_kappa_score

from synthsoc.evaluate.convergence import bootstrap_interval
from synthsoc.llm import LLM, LLMError, LLMRequest, MalformedAnswer
from synthsoc.sandbox.run import SandboxRun

JUDGE_SYSTEM = ("당신은 고객 상담 품질 평가자입니다. 고객의 요청과 상담원의 답을 읽고, 답이 "
                "요청을 해결했는지와 고객 만족도(0-10)를 JSON으로만 답하세요.")
JUDGE_SCHEMA = {
    "type": "object",
    "properties": {"task_success": {"type": "boolean"},
                   "satisfaction": {"type": "integer", "enum": list(range(11))}},
    "required": ["task_success", "satisfaction"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Verdict:
    task_success: bool
    satisfaction: int


@dataclass(frozen=True)
class LabelledExample:
    id: str
    request: str
    answer: str
    task_success: bool


@dataclass(frozen=True)
class Agreement:
    n: int  # labelled examples the judge gave a valid verdict on
    invalid: int  # examples left out: no valid JSON after the re-asks
    accuracy: float
    accuracy_ci: tuple[float, float]
    kappa: float
    judge_positive_rate: float
    label_positive_rate: float


@dataclass
class LLMJudge:
    llm: LLM
    max_tokens: int = 48
    seed: int = 0

    def judge(self, request: str, answer: str) -> Verdict | None:
        """The verdict, or None when the model gave no valid JSON after its re-asks."""
        prompt = f"고객의 요청: {request}\n상담원의 답: {answer}\n\n답이 요청을 해결했나요?"
        try:
            response = self.llm.complete(LLMRequest(
                prompt=prompt, system=JUDGE_SYSTEM, max_tokens=self.max_tokens,
                temperature=0.0, json_schema=JUDGE_SCHEMA, seed=self.seed))
        except MalformedAnswer:
            return None
        data = response.data
        if not isinstance(data, dict):
            raise LLMError(f"judge: the answer {response.text[:200]!r} is not a JSON object")
        return Verdict(bool(data["task_success"]), int(data["satisfaction"]))


def load_labels() -> tuple[LabelledExample, ...]:
    text = resources.files("synthsoc.sandbox").joinpath("data", "judge_labels.jsonl").read_text(
        encoding="utf-8")
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        raw = json.loads(line)
        missing = {"id", "request", "answer", "task_success"} - set(raw)
        if missing:
            raise ValueError(f"synthsoc/sandbox/data/judge_labels.jsonl:{number}: missing "
                             f"field(s) {sorted(missing)}")
        out.append(LabelledExample(str(raw["id"]), raw["request"], raw["answer"],
                                   bool(raw["task_success"])))
    return tuple(out)


def agreement(truth: list[bool], judged: list[bool], seed: int = 0,
              invalid: int = 0) -> Agreement:
    """Accuracy (with a bootstrap interval over examples) and Cohen's kappa of ``judged``."""
    if len(truth) != len(judged) or not truth:
        raise ValueError(f"judge: {len(truth)} labels and {len(judged)} valid verdicts")
    hits = np.array(truth) == np.array(judged)
    kappa = float(cohen_kappa_score(truth, judged)) if len(set(truth) | set(judged)) > 1 else 1.0
    return Agreement(len(truth), invalid, float(hits.mean()), bootstrap_interval(hits.astype(float),
                                                                        seed=seed),
                     kappa, float(np.mean(judged)), float(np.mean(truth)))


def judge_agreement(judge: LLMJudge) -> Agreement:
    """Agreement on the hand labels; examples without a valid verdict are left out, counted."""
    pairs = [(x.task_success, judge.judge(x.request, x.answer)) for x in load_labels()]
    valid = [(truth, v.task_success) for truth, v in pairs if v is not None]
    if not valid:
        raise LLMError("judge: no valid verdict on any of the hand-labelled examples")
    return agreement([t for t, _ in valid], [j for _, j in valid], judge.seed,
                     invalid=len(pairs) - len(valid))


def judge_run(run: SandboxRun, judge: LLMJudge) -> pl.DataFrame:
    """The results with ``judge_task_success`` and ``judge_satisfaction`` for each persona's own
    conversation (first request, last answer); null where the judge gave no valid verdict."""
    rows = []
    for c in run.conversations:
        if c.version != "own":
            continue
        verdict = judge.judge(c.messages[0]["content"], c.messages[-2]["content"])
        rows.append({"assistant": c.assistant, "person_id": c.profile.person_id,
                     "judge_task_success": None if verdict is None
                     else float(verdict.task_success),
                     "judge_satisfaction": None if verdict is None
                     else float(verdict.satisfaction)})
    judged = pl.DataFrame(rows, schema={"assistant": pl.String, "person_id": pl.Int64,
                                        "judge_task_success": pl.Float64,
                                        "judge_satisfaction": pl.Float64})
    return run.results.join(judged, on=["assistant", "person_id"], how="left")
