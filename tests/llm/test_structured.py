from __future__ import annotations

import pytest

from synthsoc.llm import LLMRequest, MalformedAnswer, parse_answer, stack_llm

from .llm_fakes import Answer, ScriptedLLM

SCHEMA = {
    "type": "object",
    "properties": {"age": {"type": "integer", "minimum": 0}, "city": {"type": "string"}},
    "required": ["age", "city"],
}


def _script(*answers: str) -> ScriptedLLM:
    def script(request: LLMRequest, number: int) -> Answer:
        return answers[min(number, len(answers)) - 1]

    return ScriptedLLM(script)


def test_valid_answer_is_parsed_and_the_schema_is_in_the_prompt() -> None:
    backend = _script('{"age": 34, "city": "부산"}')
    response = stack_llm(backend).complete(LLMRequest(prompt="p", json_schema=SCHEMA))
    assert response.data == {"age": 34, "city": "부산"}
    assert backend.calls == 1
    system = backend.requests[0].system
    assert system is not None and '"required": ["age", "city"]' in system


def test_malformed_then_valid_answer_is_reasked() -> None:
    backend = _script(
        "나이는 34세입니다", '{"age": -1, "city": "부산"}', '{"age": 34, "city": "부산"}'
    )
    llm = stack_llm(backend, max_reasks=2)
    response = llm.complete(LLMRequest(prompt="p", json_schema=SCHEMA))
    assert response.data == {"age": 34, "city": "부산"}
    assert backend.calls == 3
    assert "not valid JSON" in backend.requests[1].prompt
    assert "나이는 34세입니다" in backend.requests[1].prompt
    assert "at age" in backend.requests[2].prompt
    assert response.completion_tokens == sum(
        len(a)
        for a in ("나이는 34세입니다", '{"age": -1, "city": "부산"}', '{"age": 34, "city": "부산"}')
    )


def test_persistently_malformed_answer_is_reported() -> None:
    backend = _script('{"age": "서른넷"}')
    llm = stack_llm(backend, max_reasks=1)
    with pytest.raises(MalformedAnswer, match="after 2 attempt") as info:
        llm.complete(LLMRequest(prompt="p", json_schema=SCHEMA))
    assert info.value.answer == '{"age": "서른넷"}'
    assert "서른넷" in str(info.value)
    assert backend.calls == 2


def test_plain_requests_are_not_touched() -> None:
    backend = _script("그냥 글")
    response = stack_llm(backend).complete(LLMRequest(prompt="p", system="s"))
    assert response.text == "그냥 글" and response.data is None
    assert backend.requests[0].system == "s"


def test_parse_answer_accepts_a_code_fence_and_names_the_problem() -> None:
    assert parse_answer('```json\n{"age": 1, "city": "x"}\n```', SCHEMA) == {"age": 1, "city": "x"}
    with pytest.raises(ValueError, match="'city' is a required property"):
        parse_answer('{"age": 1}', SCHEMA)
