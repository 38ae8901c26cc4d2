"""Lines the model writes: said when they are Korean in the speech level the relation calls for
(checked by the language core's classifier), replaced by the template otherwise, and counted;
they cost no extra request."""

from __future__ import annotations

import json

from synthsoc.agents.lines import LEVEL_NAMES_KO
from synthsoc.llm import LLMRequest
from synthsoc.persona.korean import Level
from synthsoc.persona.speech import classify_text

from ..llm.llm_fakes import Answer, ScriptedLLM
from .conftest import family, make_town, town_answer

WEATHER = {Level.HASIPSIO: "오늘은 날씨가 참 좋습니다.", Level.HAEYO: "오늘은 날씨가 참 좋네요.",
           Level.HAE: "오늘은 날씨가 참 좋아.", Level.HAERA: "오늘은 날씨가 참 좋다."}
COMING = {Level.HASIPSIO: "네, 꼭 가겠습니다.", Level.HAEYO: "네, 꼭 갈게요.",
          Level.HAE: "응, 꼭 갈게.", Level.HAERA: "그래, 꼭 가겠다."}


def asked_level(prompt: str) -> Level:
    found = [level for level, name in LEVEL_NAMES_KO.items() if name in prompt]
    assert len(found) == 1, prompt
    return found[0]


def polite_model(request: LLMRequest, number: int) -> Answer:
    """Writes its lines in the level the prompt asks for."""
    properties = (request.json_schema or {}).get("properties", {})
    if "topic" in properties:
        return json.dumps({"topic": "weather", "tell_gathering": True,
                           "line": WEATHER[asked_level(request.prompt)]}, ensure_ascii=False)
    if "attend" in properties and "대답은" in request.prompt:
        return json.dumps({"attend": True, "reply": COMING[asked_level(request.prompt)]},
                          ensure_ascii=False)
    return town_answer(request, number)


def blunt_model(request: LLMRequest, number: int) -> Answer:
    """Always talks down (해라체), whoever it talks to."""
    if "topic" in (request.json_schema or {}).get("properties", {}):
        return json.dumps({"topic": "weather", "tell_gathering": True,
                           "line": WEATHER[Level.HAERA]}, ensure_ascii=False)
    return town_answer(request, number)


def test_model_lines_in_the_level_owed_are_said() -> None:
    model = ScriptedLLM(polite_model)
    town = make_town(family(3), model, talk_probability=1.0, start_minute=8 * 60)
    town.run_until(town.gathering_start)
    written = [e for e in town.timeline if e["kind"] == "say" and e["by"] == "model"]
    assert written and town.model_lines == len(written) and town.line_fallbacks == 0
    for event in written:
        level = Level(event["level"])
        assert event["text"] in (WEATHER[level], COMING[level])
        assert classify_text(event["text"]).level is level
    assert {e["text"] for e in written} & set(COMING.values())  # a reply to the news, too
    to_grandma = [e for e in written if e["listener"] == 0]
    assert to_grandma and all(e["text"] in (WEATHER[Level.HAEYO], COMING[Level.HAEYO])
                              for e in to_grandma)
    assert model.calls == sum(town.request_kinds.values())  # the lines cost no extra request


def test_a_line_in_the_wrong_level_gives_way_to_the_template() -> None:
    town = make_town(family(3), ScriptedLLM(blunt_model), talk_probability=1.0,
                     start_minute=8 * 60)
    town.run_until(town.minute + 3 * 60)
    said = [e for e in town.timeline if e["kind"] == "say" and e["channel"] == "conversation"]
    to_grandma = [e for e in said if e["listener"] == 0]
    assert to_grandma and all(e["by"] == "template" for e in to_grandma)
    assert all(e["text"] != WEATHER[Level.HAERA] for e in to_grandma)
    assert town.line_fallbacks > 0
    # the grandmother may talk down to her family: her 해라체 line fits and is said
    from_grandma = [e for e in said if e["agent"] == 0 and e["by"] == "model"]
    assert all(e["level"] == "haera" for e in from_grandma)
    assert town.summary()["line_fallbacks"] == town.line_fallbacks
