"""The HTTP client against a tiny local fake server (a thread serving canned replies)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from synthsoc.llm import LLMError, LLMRequest, TransientLLMError
from synthsoc.llm.openai_client import OpenAICompatibleClient
from synthsoc.llm.types import Price

from .llm_fakes import FakeServer, serving


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with serving() as fake:
        yield fake


def _client(server: FakeServer, **options: Any) -> OpenAICompatibleClient:
    return OpenAICompatibleClient(
        base_url=server.url, model="test-model", name="openai:test-model", **options
    )


def test_request_body_usage_and_cost(server: FakeServer) -> None:
    client = _client(server, api_key="sk-test", price=Price(1.0, 2.0))
    schema = {"type": "object"}
    response = client.complete(
        LLMRequest(prompt="안녕", system="너는 친절하다", max_tokens=20, temperature=0.1,
                   seed=7, json_schema=schema)
    )  # fmt: skip
    assert response.text == "안녕하세요"
    assert (response.prompt_tokens, response.completion_tokens) == (12, 3)
    body = server.bodies[0]
    assert body["model"] == "test-model"
    assert body["messages"] == [
        {"role": "system", "content": "너는 친절하다"},
        {"role": "user", "content": "안녕"},
    ]
    assert (body["max_tokens"], body["temperature"], body["seed"]) == (20, 0.1, 7)
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == schema
    assert server.headers[0]["Authorization"] == "Bearer sk-test"
    assert client.usage.calls == 1
    assert client.usage.cost_usd == pytest.approx((12 * 1.0 + 3 * 2.0) / 1000)
    client.close()


def test_llama_cpp_style_and_no_response_format(server: FakeServer) -> None:
    schema = {"type": "object"}
    _client(server, response_format="json_object").complete(
        LLMRequest(prompt="x", json_schema=schema)
    )
    _client(server, response_format="none").complete(LLMRequest(prompt="x", json_schema=schema))
    _client(server).complete(LLMRequest(prompt="x"))
    assert server.bodies[0]["response_format"] == {"type": "json_object", "schema": schema}
    assert "response_format" not in server.bodies[1]
    assert "response_format" not in server.bodies[2]
    assert "seed" not in server.bodies[2]
    assert "Authorization" not in server.headers[2]


def test_server_errors_are_transient_and_client_errors_are_not(server: FakeServer) -> None:
    client = _client(server)
    server.status = 503
    with pytest.raises(TransientLLMError, match=r"chat/completions \(model test-model\): HTTP 503"):
        client.complete(LLMRequest(prompt="x"))
    server.status = 429
    with pytest.raises(TransientLLMError, match="HTTP 429"):
        client.complete(LLMRequest(prompt="x"))
    server.status = 400
    with pytest.raises(LLMError, match="HTTP 400") as info:
        client.complete(LLMRequest(prompt="x"))
    assert not isinstance(info.value, TransientLLMError)
    with pytest.raises(LLMError, match="SYNTHSOC_LLM_RESPONSE_FORMAT"):
        client.complete(LLMRequest(prompt="x", json_schema={"type": "object"}))
    assert client.usage.calls == 0


def test_unreachable_server_is_transient() -> None:
    client = OpenAICompatibleClient(
        base_url="http://127.0.0.1:9/v1", model="m", name="openai:m", timeout_s=2.0
    )
    with pytest.raises(TransientLLMError, match="cannot connect"):
        client.complete(LLMRequest(prompt="x"))
