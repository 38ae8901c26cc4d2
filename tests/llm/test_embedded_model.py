"""The real embedded model (SmolLM2-135M-Instruct) through the real llama.cpp server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from synthsoc.llm import (
    BudgetExceeded,
    CachedLLM,
    LLMBase,
    LLMError,
    LLMRequest,
    open_llm,
)
from synthsoc.llm.embedded_server import EmbeddedServer, find_embedded_model

pytestmark = pytest.mark.integration

SCHEMA = {
    "type": "object",
    "properties": {
        "age": {"type": "integer", "minimum": 0, "maximum": 120},
        "region": {"type": "string", "enum": ["서울", "부산", "대구", "광주"]},
    },
    "required": ["age", "region"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def local_llm() -> Iterator[LLMBase]:
    with open_llm("local", use_cache=False) as llm:
        yield llm


def test_embedded_model_is_found_in_the_package() -> None:
    path = find_embedded_model()
    assert path.suffix == ".gguf" and path.stat().st_size > 10_000_000


def test_plain_answer(local_llm: LLMBase) -> None:
    response = local_llm.complete(
        LLMRequest(prompt="Say hello in one short sentence.", max_tokens=16, temperature=0.0)
    )
    assert response.text.strip()
    assert response.prompt_tokens > 0 and 0 < response.completion_tokens <= 16
    assert not response.cached
    assert local_llm.name.startswith("local:")
    assert local_llm.usage.calls >= 1


def test_schema_constrained_answer_parses(local_llm: LLMBase) -> None:
    response = local_llm.complete(
        LLMRequest(
            prompt="부산에 사는 42세 시민을 JSON으로 설명하세요.",
            max_tokens=48,
            temperature=0.0,
            seed=1,
            json_schema=SCHEMA,
        )
    )
    assert isinstance(response.data, dict)
    assert set(response.data) == {"age", "region"}
    assert isinstance(response.data["age"], int)
    assert response.data["region"] in SCHEMA["properties"]["region"]["enum"]  # type: ignore[index]


def test_cache_replays_the_real_answer(local_llm: LLMBase, tmp_path: Path) -> None:
    cached = CachedLLM(local_llm, tmp_path)
    request = LLMRequest(prompt="한국의 수도는?", max_tokens=12, seed=3)
    calls_before = local_llm.usage.calls
    first = cached.complete(request)
    second = cached.complete(request)
    assert local_llm.usage.calls == calls_before + 1
    assert second.cached and second.text == first.text


def test_budget_and_server_shutdown() -> None:
    with open_llm("local", use_cache=False, max_calls=1) as llm:
        llm.complete(LLMRequest(prompt="1+1=?", max_tokens=4, temperature=0.0))
        with pytest.raises(BudgetExceeded):
            llm.complete(LLMRequest(prompt="2+2=?", max_tokens=4, temperature=0.0))
        models_url = llm.endpoint.removesuffix("/chat/completions") + "/models"
    with pytest.raises(httpx.TransportError):
        httpx.get(models_url, timeout=2.0)


def test_a_server_that_cannot_start_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"this is not a gguf file")
    with pytest.raises(LLMError, match="embedded llama.cpp server .* exited") as info:
        EmbeddedServer(broken, alias="broken", startup_timeout_s=60).start()
    assert "Last server output" in str(info.value)
