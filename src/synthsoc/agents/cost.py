"""The cost of a town run, known before it starts: at most ``max_requests_per_agent_hour``
judgments per agent per game hour, each a request of known shape (bounded prompt: a short
self description, the situation and ``retrieve_k`` memories; ``max_tokens`` of answer)."""

from __future__ import annotations

import math

from synthsoc.agents.judgment import CONVERSATION_SCHEMA, SYSTEM, Ask, judgment_prompt
from synthsoc.agents.params import TownParams
from synthsoc.llm import Estimate, LLMRequest, Price, estimate_cost

TYPICAL_MEMORY = ("김영수 씨와 이야기했다: \"요즘 시장 물가가 많이 올랐어요.\" "
                  "\"네, 정말 그런 것 같아요.\"")


def typical_request(params: TownParams) -> LLMRequest:
    """A conversation judgment with ``retrieve_k`` memories of typical length."""
    ask = Ask(agent=0, seed=0, who="김영수, 45세 남자, 평창동 주민",
              situation="카페에서 최정순, 72세 여자, 평창동 주민을(를) 만났다.",
              memories=(TYPICAL_MEMORY,) * params.retrieve_k)
    question = "이 사람과 무슨 이야기를 할까? 동네 모임 소식을 전할까(tell_gathering)?"
    return LLMRequest(prompt=judgment_prompt(ask, question), system=SYSTEM,
                      max_tokens=params.max_tokens, json_schema=CONVERSATION_SCHEMA)


def estimate_run(params: TownParams, n_agents: int, hours: float, price: Price) -> Estimate:
    """The most a run of ``n_agents`` for ``hours`` game hours can ask (the hourly cap reached
    by every agent every hour; a real run asks fewer, a replay none)."""
    requests = n_agents * math.ceil(hours) * params.max_requests_per_agent_hour
    return estimate_cost([typical_request(params)] * requests, price)
