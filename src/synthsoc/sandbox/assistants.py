"""The assistant under test: anything that answers a chat history.

An :class:`Assistant` gets the conversation so far (OpenAI-style ``{"role", "content"}``
messages, user and assistant turns) and the :class:`~synthsoc.sandbox.user.UserProfile` a
service would know about its customer; plain assistants ignore the profile. Three kinds:

- :class:`CallableAssistant`: a Python function ``messages -> reply``;
- :class:`LLMAssistant`: any client of :mod:`synthsoc.llm` (an OpenAI-compatible endpoint or
  the embedded llama.cpp model) with a system prompt, fixed or built from the profile;
- the scripted baselines in :mod:`synthsoc.sandbox.scripted`.

The llm layer's request carries one user prompt and a system message, so the history of a
multi-turn exchange is written into the prompt (:func:`history_prompt`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from synthsoc.llm import LLM, LLMRequest
from synthsoc.sandbox.user import UserProfile

Message = dict[str, str]

PLAIN_PROMPT = "당신은 고객 상담 도우미입니다. 고객의 질문에 한국어로 답하세요."
_DIALECT_NAMES = {"seoul_gyeonggi": "표준어", "gangwon": "강원도 사투리",
                  "chungcheong": "충청도 사투리", "gyeongsang": "경상도 사투리",
                  "jeolla": "전라도 사투리", "jeju": "제주도 사투리"}


def persona_aware_prompt(profile: UserProfile) -> str:
    """A system prompt that tells the assistant who it is talking to and what to respect."""
    lines = [
        PLAIN_PROMPT,
        f"고객은 {profile.age}세이고 {_DIALECT_NAMES.get(profile.dialect, '표준어')}를 씁니다.",
        "반말을 쓰지 말고 항상 '-요'로 끝나는 존댓말로 답하세요.",
        "짧은 문장으로 쉽게 말하고 영어나 외래어는 쓰지 마세요.",
        "고객이 말한 예산보다 비싼 것은 추천하지 마세요.",
    ]
    if profile.age >= 70 or profile.digital == "low":
        lines.append("앱이나 인터넷만 권하지 말고 전화나 방문 방법도 알려 주세요.")
    return "\n".join(lines)


class Assistant(Protocol):
    name: str

    def respond(self, messages: Sequence[Message], profile: UserProfile) -> str: ...


@dataclass
class CallableAssistant:
    """Wrap ``function(messages) -> reply`` (the messages start with the system prompt, if any)."""

    name: str
    function: Callable[[list[Message]], str]
    system_prompt: str | None = None

    def respond(self, messages: Sequence[Message], profile: UserProfile) -> str:
        head = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        return str(self.function([*head, *messages]))


def history_prompt(messages: Sequence[Message]) -> str:
    """The user prompt for ``messages``: the last user turn, after the earlier turns if any."""
    if len(messages) == 1:
        return messages[0]["content"]
    speaker = {"user": "고객", "assistant": "상담원"}
    earlier = "\n".join(f"{speaker[m['role']]}: {m['content']}" for m in messages[:-1])
    return f"지금까지의 대화:\n{earlier}\n\n고객의 새 질문: {messages[-1]['content']}"


@dataclass
class LLMAssistant:
    """An assistant answered by ``llm`` with a fixed system prompt or one built per user."""

    name: str
    llm: LLM
    system_prompt: str | Callable[[UserProfile], str] = PLAIN_PROMPT
    max_tokens: int = 160
    temperature: float = 0.0
    seed: int = 0

    def system_for(self, profile: UserProfile) -> str:
        prompt = self.system_prompt
        return prompt if isinstance(prompt, str) else prompt(profile)

    def respond(self, messages: Sequence[Message], profile: UserProfile) -> str:
        request = LLMRequest(prompt=history_prompt(messages), system=self.system_for(profile),
                             max_tokens=self.max_tokens, temperature=self.temperature,
                             seed=self.seed + profile.person_id)
        return self.llm.complete(request).text.strip()
