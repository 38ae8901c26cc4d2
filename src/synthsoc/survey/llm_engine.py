"""The ``llm`` engine: sampled personas answer in character through the LLM layer.

A simple random sample of ``sample_size`` respondents is drawn (seeded). Single-choice and Likert
questions are scored from token log-probabilities when the server returns them (one call gives
each persona's whole answer distribution); otherwise, and for the other question types, each
persona answers in one request whose JSON schema constrains the output, walking through three
steps: interpret what the options mean, choose, give a reason. Each
sampled persona stands for N / n persons of the population. Answers that fail validation after
the LLM layer's re-asks count as non-response (reported), never as a made-up answer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from synthsoc.persona.describe import describe_person
from synthsoc.survey.answers import QuestionAnswers, SurveyAnswers
from synthsoc.survey.llm_run import (
    AnswerJournal,
    FanOut,
    RunPlan,
    estimate_plan,
    run_requests,
    time_one,
)
from synthsoc.survey.notes import Note
from synthsoc.survey.questionnaire import Question, Questionnaire

if TYPE_CHECKING:  # the llm layer (and its HTTP client) loads only when an LLM engine runs
    from synthsoc.llm import LLM, LLMRequest, LLMResponse, Price

SYSTEM_PROMPT = (
    "당신은 아래에 소개된 한국 사람입니다. 설문 조사에 이 사람의 입장에서 솔직하게 답하세요. "
    "이 사람의 나이, 지역, 형편에 맞게 생각하고, 반드시 지정된 JSON 형식으로만 답하세요."
)

CHOICE_SYSTEM_PROMPT = (
    "당신은 아래에 소개된 한국 사람입니다. 설문 조사에 이 사람의 입장에서 솔직하게 답하세요. "
    "이 사람의 나이, 지역, 형편에 맞게 생각하고, 선택지의 번호 하나만 답하세요."
)

def answer_schema(question: Question) -> dict[str, Any]:
    """JSON schema: interpretation first, then the constrained answer, then the reason."""
    props: dict[str, Any] = {"interpretation": {"type": "string", "maxLength": 300}}
    if question.type in ("single_choice", "likert"):
        props["choice"] = {"type": "string", "enum": list(question.option_ids)}
        answer_key = "choice"
    elif question.type == "multiple_choice":
        props["choices"] = {
            "type": "array",
            "items": {"type": "string", "enum": list(question.option_ids)},
            "minItems": 1,
            "maxItems": question.max_choices or len(question.options),
            "uniqueItems": True,
        }
        answer_key = "choices"
    elif question.type == "numeric":
        number: dict[str, Any] = {"type": "number"}
        if question.minimum is not None:
            number["minimum"] = question.minimum
        if question.maximum is not None:
            number["maximum"] = question.maximum
        props["value"] = number
        answer_key = "value"
    else:
        props["answer"] = {"type": "string", "maxLength": 400}
        answer_key = "answer"
    props["reason"] = {"type": "string", "maxLength": 300}
    return {
        "type": "object",
        "properties": props,
        "required": ["interpretation", answer_key, "reason"],
        "additionalProperties": False,
    }


def question_prompt(question: Question, persona: str) -> str:
    """The user prompt (Korean): persona, material, question, options, the three steps."""
    return "\n".join(["[나에 대한 정보]", persona, "", question_body(question)])


def question_body(question: Question) -> str:
    """Material, question, options and the three steps (Korean), for any respondent."""
    lines: list[str] = []
    if question.context is not None:
        lines += ["[설명]", question.context.ko, ""]
    lines += ["[질문]", question.text.ko]
    if question.options:
        lines.append("[선택지]")
        lines += [f"- {o.id}: {o.text.ko}" for o in question.options]
    if question.type == "numeric":
        bounds = []
        if question.minimum is not None:
            bounds.append(f"최소 {question.minimum:g}")
        if question.maximum is not None:
            bounds.append(f"최대 {question.maximum:g}")
        lines.append("숫자로 답하세요" + (f" ({', '.join(bounds)})." if bounds else "."))
    lines += [
        "",
        "다음 순서로 생각하세요.",
        "1. interpretation: 선택지(또는 질문)가 각각 무엇을 뜻하는지 나의 입장에서 해석합니다.",
        "2. " + _answer_step(question),
        "3. reason: 그렇게 답한 이유를 한두 문장으로 씁니다.",
    ]
    return "\n".join(lines)


def _answer_step(question: Question) -> str:
    if question.type in ("single_choice", "likert"):
        return "choice: 선택지의 기호 중 하나를 고릅니다."
    if question.type == "multiple_choice":
        limit = f" 최대 {question.max_choices}개까지" if question.max_choices else ""
        return f"choices: 해당하는 선택지 기호를 모두{limit} 고릅니다."
    if question.type == "numeric":
        return "value: 숫자 하나로 답합니다."
    return "answer: 자유롭게 답합니다."


def choice_prompt(
    question: Question, persona: str, labels: tuple[str, ...], *, with_reason: bool = False
) -> str:
    """The user prompt for forced-choice scoring: options numbered, one label to answer first
    (``with_reason``: then, after it, a one-sentence reason)."""
    lines = ["[나에 대한 정보]", persona, ""]
    if question.context is not None:
        lines += ["[설명]", question.context.ko, ""]
    lines += ["[질문]", question.text.ko, "[선택지]"]
    lines += [f"{label}. {o.text.ko}" for label, o in zip(labels, question.options, strict=True)]
    choices = ", ".join(labels)
    if with_reason:
        # no worked example: an example's number would anchor the first token on it
        lines += [
            "",
            f"이 사람이 고를 선택지의 번호 하나({choices} 중 하나)로 답을 시작하고, 번호 뒤에 "
            "그렇게 고른 이유를 한 문장으로 쓰세요.",
        ]
    else:
        lines += ["", f"이 사람이 고를 선택지의 번호 하나만 답하세요 ({choices} 중 하나)."]
    return "\n".join(lines)


SCORINGS: tuple[str, ...] = ("auto", "logprobs", "sample")
MIN_LABEL_MASS = 0.01  # below: the model hardly considered any option; counted as non-response
REASON_TOKENS = 60  # log-probability mode: at most this many tokens of reason after the label


class PlanOnly(Exception):  # noqa: N818 - a stop signal, not an error
    """Raised by an ``on_plan`` callback to stop after the plan (``--plan``)."""


@dataclass
class LLMEngine:
    """Personas answer through ``llm`` (any object implementing :class:`synthsoc.llm.LLM`).

    ``scoring``: ``logprobs`` reads each persona's whole answer distribution for single-choice
    and Likert questions from one call's token log-probabilities
    (:mod:`synthsoc.llm.choice`); ``sample`` asks once per persona for a JSON answer with a
    reason (one draw: a one-hot answer); ``auto`` uses log-probabilities when the server returns
    them and says so in the notes, else samples. Other question types are always sampled.

    In log-probability mode the same call, after the option's label, writes a reason of at
    most ``reason_tokens`` tokens (greedy, so it explains the most likely option; 0: the label
    only, the fastest): the verbatims cost tokens, not calls.

    ``journal`` (a JSON-lines file) keeps every answer as it arrives, so a rerun after an
    interruption sends only what is missing; ``on_plan`` receives the run's plan (calls,
    tokens, time on the measured speed of the first call, cost with ``price``) before the rest
    of the calls; ``on_progress(done, total)`` is called as answers arrive.

    ``fan_out`` (:class:`synthsoc.survey.llm_run.FanOut`) sends the answers' requests as work
    units of an executor, each worker with its own client; the probe and the timed call of
    the plan still go through ``llm``.
    """

    llm: LLM
    sample_size: int = 100
    temperature: float = 0.7
    max_tokens: int = 220
    concurrency: int = 4
    scoring: str = "auto"
    reason_tokens: int = REASON_TOKENS
    journal: Path | None = None
    price: Price | None = None
    on_plan: Callable[[RunPlan], None] | None = None
    on_progress: Callable[[int, int], None] | None = None
    fan_out: FanOut | None = None
    name: str = field(default="llm", init=False)

    def __post_init__(self) -> None:
        if self.scoring not in SCORINGS:
            raise ValueError(f"scoring must be one of {SCORINGS}, got {self.scoring!r}")
        if self.reason_tokens < 0:
            raise ValueError(f"reason_tokens must be 0 or more, got {self.reason_tokens}")

    def answer(
        self, questionnaire: Questionnaire, respondents: pl.DataFrame, *, seed: int
    ) -> SurveyAnswers:
        if respondents.height == 0:
            raise ValueError("no eligible respondents in the population")
        rng = np.random.default_rng(seed)
        m = min(self.sample_size, respondents.height)
        chosen = np.sort(rng.choice(respondents.height, size=m, replace=False))
        sample = respondents[chosen.tolist()]
        answers = self.answer_personas(questionnaire, sample, seed=seed)
        answers.units = answers.units.with_columns(pl.lit(respondents.height / m).alias("weight"))
        answers.diagnostics["population"] = respondents.height
        scoring, scoring_ko = self._scoring_words(
            "logprobs" in answers.diagnostics["scoring"].values()
        )
        answers.notes[0] = Note(
            f"answers: {m} personas sampled at random (seed {seed}) answered through "
            f"{self.llm.name} by {scoring}; each stands for "
            f"{respondents.height / m:.1f} persons; intervals cover persona sampling only, "
            "not the model's own bias",
            f"응답: 무작위로 뽑은 페르소나 {m}명(시드 {seed})이 {self.llm.name} 모델로 "
            f"답했습니다({scoring_ko}). 페르소나 한 명이 {respondents.height / m:.1f}명을 "
            "대표하며, 구간은 페르소나 표본 추출의 불확실성만 반영하고 모델 자체의 편향은 "
            "반영하지 않습니다.",
        )
        return answers

    def answer_personas(
        self, questionnaire: Questionnaire, sample: pl.DataFrame, *, seed: int
    ) -> SurveyAnswers:
        """Ask every row of ``sample`` (one persona each, weight 1) every question."""
        from synthsoc.llm import LLMRequest

        m = sample.height
        units = sample.with_columns(pl.lit(1.0).alias("weight"))
        personas = [describe_person(row) for row in sample.iter_rows(named=True)]
        journal = AnswerJournal(self.journal, self.llm.name)
        notes: list[Note] = []
        scored = [q for q in questionnaire.questions if q.type in ("single_choice", "likert")]
        measured: float | None = None  # seconds of a call timed before the plan
        use_logprobs = self.scoring != "sample" and bool(scored)
        if use_logprobs and self.scoring == "auto":
            probe = self._choice_request(
                scored[0], personas[0], _seed(seed, questionnaire.questions.index(scored[0]), 0)
            )
            started = time.perf_counter()
            answer = self._complete([probe])[0]
            measured = time.perf_counter() - started
            if answer is not None:
                journal.record(probe, answer)
            if answer is None or not answer.top_logprobs:
                use_logprobs = False
                notes.append(
                    Note(
                        f"{self.llm.name} returned no token log-probabilities: single-choice "
                        "and Likert answers are sampled once per persona instead",
                        f"{self.llm.name} 모델이 토큰 로그 확률을 돌려주지 않아 단일 선택과 리커트 "
                        "문항은 페르소나마다 답을 한 번 뽑아 대신했습니다.",
                    )
                )
        batches: list[tuple[Question, str, list[LLMRequest]]] = []
        for qi, q in enumerate(questionnaire.questions):
            if use_logprobs and q in scored:
                requests = [
                    self._choice_request(q, persona, _seed(seed, qi, i))
                    for i, persona in enumerate(personas)
                ]
                batches.append((q, "logprobs", requests))
                continue
            schema = answer_schema(q)
            requests = [
                LLMRequest(
                    prompt=question_prompt(q, persona),
                    system=SYSTEM_PROMPT,
                    max_tokens=self.max_tokens,
                    temperature=self.temperature,
                    json_schema=schema,
                    seed=_seed(seed, qi, i),
                )
                for i, persona in enumerate(personas)
            ]
            batches.append((q, "sample", requests))
        every = [r for _, _, requests in batches for r in requests]
        scoring, scoring_ko = self._scoring_words(use_logprobs)
        if self.on_plan is not None:
            pending = [r for r in every if r not in journal]
            seconds = measured
            if pending and seconds is None:
                seconds = time_one(self._complete, pending[-1], journal)
            self.on_plan(
                estimate_plan(
                    every,
                    already_answered=len(every) - len(pending),
                    seconds_per_call=seconds,
                    concurrency=self.concurrency,
                    price=self.price,
                    scoring=scoring,
                )
            )
        responses = run_requests(
            every, journal=journal, on_progress=self.on_progress, complete=self._complete,
            fan_out=self.fan_out,
        )
        out: dict[str, QuestionAnswers] = {}
        failures: dict[str, int] = {}
        label_mass: dict[str, float] = {}
        offset = 0
        for q, mode, requests in batches:
            part = responses[offset : offset + len(requests)]
            offset += len(requests)
            if mode == "logprobs":
                out[q.id], label_mass[q.id] = parse_distributions(q, part)
            else:
                out[q.id] = parse_answers(q, [None if r is None else r.data for r in part])
            failures[q.id] = int((~out[q.id].answered).sum())
        diagnostics: dict[str, object] = {
            "sample_size": m,
            "scoring_method": scoring,
            "non_response": failures,
            "model": self.llm.name,
            "scoring": {q.id: mode for q, mode, _ in batches},
            "answers_reused": sum(r is not None and r.cached for r in responses),
        }
        if label_mass:
            diagnostics["mean_probability_on_options"] = label_mass
        notes.insert(
            0,
            Note(
                f"answers: {m} personas answered through {self.llm.name} by {scoring}",
                f"응답: 페르소나 {m}명이 {self.llm.name} 모델로 답했습니다({scoring_ko}).",
            ),
        )
        return SurveyAnswers("llm", units, out, {}, diagnostics, notes)

    def _scoring_words(self, use_logprobs: bool) -> tuple[str, str]:
        """How the answers were read, in English and in Korean."""
        if not use_logprobs:
            return (
                "one sampled answer per persona and question",
                "페르소나와 문항마다 답 한 번 추출",
            )
        reason = (
            f", with a reason of at most {self.reason_tokens} tokens" if self.reason_tokens else ""
        )
        reason_ko = f", 최대 {self.reason_tokens}토큰의 이유 포함" if self.reason_tokens else ""
        return (
            f"token log-probabilities (one call per persona and question{reason})",
            f"토큰 로그 확률, 페르소나와 문항마다 호출 한 번{reason_ko}",
        )

    def _choice_request(self, question: Question, persona: str, seed: int) -> LLMRequest:
        """One call for a whole distribution: the first output token's log-probabilities over
        the option labels, then (``reason_tokens``) a short reason in the same call."""
        from synthsoc.llm import LLMRequest
        from synthsoc.llm.choice import TOP_LOGPROBS, option_labels

        labels = option_labels(len(question.options))
        return LLMRequest(
            prompt=choice_prompt(question, persona, labels, with_reason=self.reason_tokens > 0),
            system=CHOICE_SYSTEM_PROMPT,
            max_tokens=1 + self.reason_tokens,
            temperature=0.0,
            seed=seed,
            logprobs=TOP_LOGPROBS,
        )

    def _complete(
        self,
        requests: list[LLMRequest],
        on_answer: Callable[[int, LLMResponse], None] | None = None,
    ) -> list[LLMResponse | None]:
        from synthsoc.llm.batch import complete_batch

        return complete_batch(self.llm, requests, self.concurrency, on_answer)


def parse_answers(question: Question, answers: list[Any]) -> QuestionAnswers:
    """Turn validated JSON answers (one per unit; None or not an object where none came) into
    unit answer probabilities (one-hot) and texts."""
    n = len(answers)
    cats = question.categories
    index = {c: i for i, c in enumerate(question.option_ids)}
    probs = np.zeros((n, len(cats)))
    answered = np.zeros(n, dtype=bool)
    values = np.full(n, np.nan) if question.type == "numeric" else None
    texts: list[str] = []
    reasons: list[str] = []
    for i, data in enumerate(answers):
        if not isinstance(data, dict):
            texts.append("")
            reasons.append("")
            continue
        reasons.append(str(data.get("reason", "")))
        texts.append(str(data.get("answer", "")) if question.type == "open_text" else "")
        if question.type in ("single_choice", "likert"):
            choice = str(data.get("choice", ""))
            if choice in index:
                probs[i, index[choice]] = 1.0
                answered[i] = True
        elif question.type == "multiple_choice":
            picked = [index[c] for c in data.get("choices", []) if c in index]
            if picked:
                probs[i, picked] = 1.0
                answered[i] = True
        elif question.type == "numeric":
            value = data.get("value")
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert values is not None
                values[i] = float(value)
                answered[i] = True
                if question.bins:
                    k = int(np.searchsorted(np.asarray(question.bins), value, side="right") - 1)
                    probs[i, min(max(k, 0), len(cats) - 1)] = 1.0
        else:
            answered[i] = bool(texts[-1])
    return QuestionAnswers(
        question=question,
        categories=cats,
        probs=probs,
        answered=answered,
        source="llm",
        values=values,
        texts=tuple(texts) if question.type == "open_text" else None,
        reasons=tuple(reasons),
        basis="llm",
    )


def parse_distributions(
    question: Question, responses: list[LLMResponse | None]
) -> tuple[QuestionAnswers, float]:
    """Each persona's answer distribution from its first token's log-probabilities; and the
    mean probability the model put on valid option labels at all."""
    from synthsoc.llm.choice import NoLogprobs, option_distribution, option_labels

    labels = option_labels(len(question.options))
    n = len(responses)
    probs = np.zeros((n, len(question.options)))
    answered = np.zeros(n, dtype=bool)
    reasons: list[str] = []
    masses = []
    for i, response in enumerate(responses):
        reasons.append("")
        if response is None:
            continue
        try:
            found = option_distribution(response, labels)
        except NoLogprobs:
            continue
        masses.append(found.mass)
        if found.mass >= MIN_LABEL_MASS:
            probs[i] = found.probs
            answered[i] = True
            reasons[i] = reason_after_label(response.text, labels[int(np.argmax(found.probs))])
    qa = QuestionAnswers(
        question=question,
        categories=question.categories,
        probs=probs,
        answered=answered,
        source="llm log-probabilities",
        reasons=tuple(reasons) if any(reasons) else None,
        basis="llm",
    )
    return qa, round(float(np.mean(masses)), 4) if masses else 0.0


def reason_after_label(text: str, label: str) -> str:
    """The reason written after the option label (``"2. 가격이 비싸서"`` -> ``"가격이 비싸서"``);
    empty when the text does not start with ``label``, the most likely option: a reason is
    kept only where it follows the answer it explains."""
    found = re.match(r"\s*([0-9A-Z])(?![0-9A-Za-z])\s*[.):：\-]?\s*(.*)", text, re.DOTALL)
    if found is None or found.group(1) != label:
        return ""
    return " ".join(found.group(2).split())


def _seed(seed: int, question_index: int, persona_index: int) -> int:
    return int(seed * 1_000_003 + question_index * 10_007 + persona_index)
