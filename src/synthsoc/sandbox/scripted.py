"""Scripted assistants that prove the metrics work: one good, four each failing one metric.

They recognise the task by the scenario's keywords (which the language core leaves unchanged in
every dialect), read the budget (``N만 원``) and household size (``N명``) from the user's words,
and answer with the scenario's ``answer`` sentences rendered by the language core:

- :class:`GoodAssistant`: 해요체, the dearest catalogue item within the budget, offline
  channels named, short sentences;
- :class:`BanmalAssistant`: the same answers in 해체 (반말);
- :class:`StandardOnlyAssistant`: asks the user to repeat in standard Korean whenever the
  classifier finds a dialect ending;
- :class:`BudgetBlindAssistant`: recommends the dearest item whatever the budget;
- :class:`AppOnlyAssistant`: sends everyone to the app, in long sentences full of loanwords.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from synthsoc.persona.korean import STANDARD, Level
from synthsoc.persona.speech import classify_text
from synthsoc.sandbox.assistants import Message
from synthsoc.sandbox.catalogue import Item, items_in
from synthsoc.sandbox.scenarios import Scenario, load_scenarios
from synthsoc.sandbox.user import UserProfile, render

NOT_UNDERSTOOD = "죄송하지만 무슨 말씀인지 잘 모르겠어요. 표준어로 다시 말씀해 주시겠어요?"
_APP_ONLY = ("관련 안내와 신청은 모바일 앱에 로그인하신 뒤 메뉴에서 비대면 신청 버튼을 클릭하시고 "
             "인증서로 본인 인증을 하시면 온라인으로 바로 처리되니까 앱으로 하시는 게 제일 빨라요.")
_BUDGET = re.compile(r"(\d+)\s*만\s*원")
_SIZE = re.compile(r"(\d+)\s*명")


def _recognise(messages: Sequence[Message], scenarios: tuple[Scenario, ...]) -> Scenario | None:
    said = " ".join(m["content"] for m in messages if m["role"] == "user")
    scores = [(sum(k in said for k in s.keywords), s) for s in scenarios]
    best = max(scores, key=lambda pair: pair[0])
    return best[1] if best[0] > 0 else None


def _said_number(messages: Sequence[Message], pattern: re.Pattern[str]) -> int | None:
    for message in messages:
        found = pattern.search(message["content"]) if message["role"] == "user" else None
        if found:
            return int(found.group(1))
    return None


@dataclass
class ScriptedAssistant:
    """The shared script; subclasses change one behaviour."""

    name: str = "scripted-good"
    level: Level = Level.HAEYO
    respect_budget: bool = True

    def __post_init__(self) -> None:
        self.scenarios = load_scenarios()

    def pick(self, category: str, budget: int | None) -> Item:
        items = items_in(category)
        if not items:
            raise ValueError(f"sandbox: the catalogue has no items in category {category!r}")
        affordable = [i for i in items if budget is None or i.price_manwon <= budget]
        if self.respect_budget and affordable:
            return affordable[-1]
        if self.respect_budget:
            return items[0]
        return items[-1]

    def answer(self, scenario: Scenario, messages: Sequence[Message]) -> str:
        values: dict[str, object] = {"size": _said_number(messages, _SIZE) or 1}
        if scenario.budget_category:
            item = self.pick(scenario.budget_category, _said_number(messages, _BUDGET))
            values.update(item=item.name, price=item.price_manwon)
        return render(scenario.answer, self.level, STANDARD, values)[0]

    def respond(self, messages: Sequence[Message], profile: UserProfile) -> str:
        scenario = _recognise(messages, self.scenarios)
        if scenario is None:
            return NOT_UNDERSTOOD
        return self.answer(scenario, messages)


class GoodAssistant(ScriptedAssistant):
    def __init__(self) -> None:
        super().__init__("scripted-good")


class BanmalAssistant(ScriptedAssistant):
    def __init__(self) -> None:
        super().__init__("scripted-banmal", level=Level.HAE)


class BudgetBlindAssistant(ScriptedAssistant):
    def __init__(self) -> None:
        super().__init__("scripted-budget-blind", respect_budget=False)


class StandardOnlyAssistant(ScriptedAssistant):
    def __init__(self) -> None:
        super().__init__("scripted-standard-only")

    def respond(self, messages: Sequence[Message], profile: UserProfile) -> str:
        if classify_text(messages[-1]["content"]).dialects:
            return NOT_UNDERSTOOD
        return super().respond(messages, profile)


class AppOnlyAssistant(ScriptedAssistant):
    def __init__(self) -> None:
        super().__init__("scripted-app-only")

    def answer(self, scenario: Scenario, messages: Sequence[Message]) -> str:
        text = f"{scenario.intent[0]} {_APP_ONLY}"
        if scenario.budget_category:
            item = self.pick(scenario.budget_category, _said_number(messages, _BUDGET))
            text += f" {item.name} 제품은 {item.price_manwon}만 원이에요."
        return text


SCRIPTED: dict[str, type[ScriptedAssistant]] = {
    "scripted-good": GoodAssistant,
    "scripted-banmal": BanmalAssistant,
    "scripted-standard-only": StandardOnlyAssistant,
    "scripted-budget-blind": BudgetBlindAssistant,
    "scripted-app-only": AppOnlyAssistant,
}
