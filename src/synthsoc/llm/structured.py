"""JSON answers: ask for JSON matching a schema, validate it, re-ask a bounded number of times.

Servers that can constrain decoding (a grammar on llama.cpp, structured outputs on OpenAI and
vLLM) get the schema in ``response_format`` from the base client; this wrapper adds the schema
to the system message (OpenAI's JSON mode requires the prompt to ask for JSON, and weak models
need the hint) and validates every answer with ``jsonschema``, so a server that ignores the
constraint is still caught.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from synthsoc.llm.base import LLMBase, LLMWrapper
from synthsoc.llm.types import LLMRequest, LLMResponse, MalformedAnswer

INSTRUCTION = (
    "Answer with JSON only, no prose and no code fences. The JSON must match this JSON schema:\n"
)


def with_schema_instruction(request: LLMRequest) -> LLMRequest:
    """``request`` with the schema instruction appended to its system message."""
    assert request.json_schema is not None
    schema = json.dumps(request.json_schema, ensure_ascii=False, sort_keys=True)
    note = INSTRUCTION + schema
    system = note if request.system is None else f"{request.system}\n\n{note}"
    return replace(request, system=system)


def parse_answer(text: str, schema: dict[str, Any]) -> Any:
    """The JSON value in ``text`` if it matches ``schema``; otherwise ``ValueError`` saying why."""
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        value = json.loads(body)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error})") from error
    validator_class = jsonschema.validators.validator_for(schema)
    mismatch = best_match(validator_class(schema).iter_errors(value))
    if mismatch is not None:
        where = "/".join(str(part) for part in mismatch.absolute_path) or "(top level)"
        raise ValueError(f"does not match the schema at {where}: {mismatch.message}")
    return value


class StructuredLLM(LLMWrapper):
    """Validate answers to requests that carry a ``json_schema``; re-ask up to ``max_reasks``."""

    def __init__(self, inner: LLMBase, *, max_reasks: int = 2) -> None:
        super().__init__(inner)
        if max_reasks < 0:
            raise ValueError(f"max_reasks must be non-negative, got {max_reasks}")
        self.max_reasks = max_reasks

    def complete(self, request: LLMRequest) -> LLMResponse:
        if request.json_schema is None:
            return self.inner.complete(request)
        schema = request.json_schema
        jsonschema.validators.validator_for(schema).check_schema(schema)
        constrained = with_schema_instruction(request)
        attempt = constrained
        prompt_tokens = completion_tokens = 0
        latency = 0.0
        asks = self.max_reasks + 1
        for _ in range(asks):
            response = self.inner.complete(attempt)
            prompt_tokens += response.prompt_tokens
            completion_tokens += response.completion_tokens
            latency += response.latency_s
            try:
                data = parse_answer(response.text, schema)
            except ValueError as problem:
                reason = str(problem)
                attempt = replace(
                    constrained,
                    prompt=(
                        f"{request.prompt}\n\nYour previous answer was rejected because it is "
                        f"{reason}:\n{response.text[:2000]}\n"
                        "Answer again with JSON only that matches the schema."
                    ),
                )
                continue
            return replace(
                response,
                data=data,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                latency_s=latency,
            )
        raise MalformedAnswer(
            f"{self.name} at {self.endpoint}: no valid JSON answer after {asks} attempt(s); "
            f"the last answer is {reason}. Last answer: {response.text!r}",
            answer=response.text,
        )
