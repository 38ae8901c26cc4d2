"""The only decisions that ask a model: what two people talk about (and whether the news is
passed on; the model may also write the opening line), whether to change plan for the gathering
or to back the candidate in the vote (and the reply to whoever told), what a reflection
concludes, and an interview answer. Everything else in the town runs by rule.

:class:`LLMJudge` asks any :class:`synthsoc.llm.LLM` (normally stacked with the replay cache and
a budget) in batches, with small JSON schemas that even the embedded model can follow. An answer
that stays malformed after the llm layer's re-asks is not hidden: the rule decision is used and
the failure is counted in ``failures`` (reported as ``judgment_failures`` in the run summary).
Other errors (budget, server) are not judgments and end the run. :class:`RuleJudge` decides
everything by rule from the persona (``--llm none``), for demos and cost baselines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from synthsoc.agents.lines import TOPICS
from synthsoc.llm import LLM, LLMError, LLMRequest, LLMResponse, MalformedAnswer, parse_answer

SYSTEM = ("너는 한국의 한 동네에 사는 주민이다. 주어진 기억과 상황만 보고 "
          "그 사람답게 판단한다. 답은 JSON으로만 한다.")
CONVERSATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "topic": {"type": "string", "enum": sorted(TOPICS)},
        "tell_gathering": {"type": "boolean"},
        "line": {"type": "string", "maxLength": 40},
    },
    "required": ["topic", "tell_gathering"],
    "additionalProperties": False,
}
def decision_schema(key: str) -> dict[str, Any]:
    """``{key: bool}`` and an optional ``reply`` line to whoever told the news."""
    return {"type": "object",
            "properties": {key: {"type": "boolean"}, "reply": {"type": "string", "maxLength": 40}},
            "required": [key], "additionalProperties": False}


DECISION_KEYS = {"attend": "attend", "support": "support"}
REPLY = " 알려 준 사람에게 할 대답(reply)도 적어라."
DECISION_QUESTIONS = {
    "attend": "동네 모임에 가려고 오늘 계획을 바꿀까(attend)?" + REPLY,
    "support": "동네 대표 선거에서 이 후보를 뽑을까(support)?" + REPLY,
}
REFLECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"insight": {"type": "string", "minLength": 1, "maxLength": 160}},
    "required": ["insight"],
    "additionalProperties": False,
}
INTERVIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string", "minLength": 1, "maxLength": 400}},
    "required": ["answer"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Ask:
    """One judgment: who decides, the situation in Korean, and the agent's retrieved memories."""

    agent: int  # person_id of the one deciding
    seed: int
    who: str  # short self description
    situation: str
    memories: tuple[str, ...]
    knows_gathering: bool = False
    extraversion: float = 50.0
    agreeableness: float = 50.0
    news: str = "동네 모임 소식"  # what may be passed on, in Korean
    level: str = ""  # the speech level owed to the other person, in Korean ("" when alone)
    source_supports: bool | None = None  # the teller's lean on the candidate (vote only)


@dataclass(frozen=True)
class TalkChoice:
    topic: str
    tell_gathering: bool
    line: str | None = None  # the opening line the model wrote (checked by the town)


@dataclass(frozen=True)
class Decision:
    yes: bool
    reply: str | None = None  # the model's reply to whoever told the news (checked by the town)


class Judge(Protocol):
    name: str
    failures: int

    def talk(self, asks: Sequence[Ask]) -> list[TalkChoice]: ...

    def decide(self, asks: Sequence[Ask], kind: str) -> list[Decision]: ...

    def reflect(self, asks: Sequence[Ask]) -> list[str]: ...

    def interview(self, ask: Ask, question: str) -> str: ...

    def survey(self, asks: Sequence[Ask], question: str, schema: dict[str, Any],
               max_tokens: int) -> list[dict[str, Any] | None]: ...


def _digest(*parts: object) -> int:
    text = "|".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


SUPPORT_IF_TELLER_SUPPORTS = 45.0  # ASSUMPTION: agreeableness T-score above which one follows
SUPPORT_OTHERWISE = 55.0  # ASSUMPTION: ... and above which one backs the candidate anyway


class RuleJudge:
    """Decisions by rule from the persona: topic by a seeded hash, passing on and attending by
    extraversion and agreeableness (ASSUMPTION: T-score above 50 means yes); backing the
    candidate by agreeableness, more readily when the teller backs them (the opinion spreads)."""

    name = "rules"

    def __init__(self) -> None:
        self.failures = 0

    def talk(self, asks: Sequence[Ask]) -> list[TalkChoice]:
        topics = sorted(TOPICS)
        return [TalkChoice(topics[_digest(a.seed, a.agent) % len(topics)],
                           a.knows_gathering and a.extraversion > 50) for a in asks]

    def decide(self, asks: Sequence[Ask], kind: str) -> list[Decision]:
        if kind == "attend":
            return [Decision(a.agreeableness > 50) for a in asks]
        if kind != "support":
            raise ValueError(f"unknown decision {kind!r} (attend, support)")
        return [Decision(a.agreeableness > (SUPPORT_IF_TELLER_SUPPORTS if a.source_supports
                                            else SUPPORT_OTHERWISE)) for a in asks]

    def reflect(self, asks: Sequence[Ask]) -> list[str]:
        return [f"요즘 가장 마음에 남는 일: {a.memories[0]}" if a.memories else "특별한 일이 없었다"
                for a in asks]

    def interview(self, ask: Ask, question: str) -> str:
        if not ask.memories:
            return "기억나는 일이 없어요."
        return "제가 기억하는 건 이거예요: " + " / ".join(ask.memories[:3])

    def survey(self, asks: Sequence[Ask], question: str, schema: dict[str, Any],
               max_tokens: int) -> list[dict[str, Any] | None]:
        """No opinion by rule: every answer is missing (a survey needs a model)."""
        return [None] * len(asks)


def judgment_prompt(ask: Ask, question: str) -> str:
    remembered = "\n".join(f"- {m}" for m in ask.memories) or "- (없음)"
    return f"나: {ask.who}\n상황: {ask.situation}\n기억:\n{remembered}\n질문: {question}"


def _line(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


class LLMJudge:
    """Judgments from a model, one batch per kind of decision per step."""

    def __init__(self, llm: LLM, *, max_tokens: int = 160, concurrency: int = 4) -> None:
        self.llm = llm
        self.name = f"llm:{llm.name}"
        self.max_tokens = max_tokens
        self.concurrency = concurrency
        self.failures = 0

    def _request(self, ask: Ask, question: str, schema: dict[str, Any],
                 max_tokens: int | None = None) -> LLMRequest:
        return LLMRequest(prompt=judgment_prompt(ask, question), system=SYSTEM,
                          max_tokens=max_tokens or self.max_tokens, temperature=0.7,
                          json_schema=schema, seed=ask.seed)

    def _answers(self, requests: list[LLMRequest]) -> list[dict[str, Any] | None]:
        """Parsed answers in order; None where the model's answer stayed malformed."""
        try:
            responses: list[LLMResponse | None] = list(
                self.llm.complete_many(requests, concurrency=self.concurrency))
        except MalformedAnswer:
            # One malformed answer stops a batch; ask one by one (free for the answers already
            # given when the replay cache is stacked, as open_llm does).
            # Other errors (budget, server) end the run: they are not judgments.
            responses = []
            for request in requests:
                try:
                    responses.append(self.llm.complete(request))
                except MalformedAnswer:
                    responses.append(None)
        out: list[dict[str, Any] | None] = []
        for request, response in zip(requests, responses, strict=True):
            value = None if response is None else response.data
            if response is not None and value is None and request.json_schema is not None:
                try:
                    value = parse_answer(response.text, request.json_schema)
                except ValueError:
                    value = None
            if not isinstance(value, dict):
                self.failures += 1
                value = None
            out.append(value)
        return out

    def talk(self, asks: Sequence[Ask]) -> list[TalkChoice]:
        def question(ask: Ask) -> str:
            return ("이 사람과 무슨 이야기를 할까? topic은 " + ", ".join(sorted(TOPICS))
                    + f" 중 하나. {ask.news}을 전할까(tell_gathering)? 내가 먼저 할 말 한 문장"
                    f"(line)을 {ask.level}로 적어라.")
        answers = self._answers([self._request(a, question(a), CONVERSATION_SCHEMA)
                                 for a in asks])
        rules = RuleJudge().talk(asks)
        return [rule if answer is None else TalkChoice(
            str(answer["topic"]), bool(answer["tell_gathering"]) and ask.knows_gathering,
            _line(answer.get("line"))) for ask, answer, rule in zip(asks, answers, rules,
                                                                    strict=True)]

    def decide(self, asks: Sequence[Ask], kind: str) -> list[Decision]:
        if kind not in DECISION_KEYS:
            raise ValueError(f"unknown decision {kind!r} (attend, support)")
        key = DECISION_KEYS[kind]

        def question(ask: Ask) -> str:
            level = f" 대답은 {ask.level}로." if ask.level else ""
            return DECISION_QUESTIONS[kind] + level
        answers = self._answers([self._request(a, question(a), decision_schema(key))
                                 for a in asks])
        rules = RuleJudge().decide(asks, kind)
        return [rule if answer is None else Decision(bool(answer[key]), _line(answer.get("reply")))
                for answer, rule in zip(answers, rules, strict=True)]

    def reflect(self, asks: Sequence[Ask]) -> list[str]:
        question = "이 기억들에서 얻은 생각 하나를 한 문장으로 적어라(insight)."
        answers = self._answers([self._request(a, question, REFLECT_SCHEMA) for a in asks])
        rules = RuleJudge().reflect(asks)
        return [rule if answer is None else str(answer["insight"])
                for answer, rule in zip(answers, rules, strict=True)]

    def survey(self, asks: Sequence[Ask], question: str, schema: dict[str, Any],
               max_tokens: int) -> list[dict[str, Any] | None]:
        """A survey answer per agent in the JSON ``schema`` the survey layer gives (choice,
        choices, value or free answer, with a reason); None where it stayed malformed."""
        return self._answers([self._request(a, question, schema, max_tokens) for a in asks])

    def interview(self, ask: Ask, question: str) -> str:
        answer = self._answers([self._request(ask, question, INTERVIEW_SCHEMA, 256)])[0]
        if answer is None:
            raise LLMError("the model's interview answer stayed malformed after re-asks")
        return str(answer["answer"])
