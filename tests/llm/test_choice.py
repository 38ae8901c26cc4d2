from __future__ import annotations

import math
from pathlib import Path

import pytest

from synthsoc.llm import CachedLLM, LLMBase, LLMRequest, LLMResponse, Usage, request_key
from synthsoc.llm.choice import (
    NoLogprobs,
    choice_request,
    option_distribution,
    option_labels,
)


def _response(top: dict[str, float] | None) -> LLMResponse:
    return LLMResponse("", None, 1, 1, False, 0.0, None if top is None else (top,))


def test_option_distribution_sums_label_tokens_and_renormalises() -> None:
    # " 2" and "2" are the same label; "The" is no option: mass 0.1 + 0.3 + 0.2 = 0.6
    top = {
        "1": math.log(0.1),
        "2": math.log(0.2),
        " 2": math.log(0.1),
        "The": math.log(0.4),
        "3": math.log(0.2),
    }
    found = option_distribution(_response(top), option_labels(3))
    assert found.probs == pytest.approx((0.1 / 0.6, 0.3 / 0.6, 0.2 / 0.6))
    assert found.mass == pytest.approx(0.6)
    nothing = option_distribution(_response({"The": -0.1}), option_labels(2))
    assert nothing.mass == 0.0 and nothing.probs == (0.5, 0.5)
    with pytest.raises(NoLogprobs):
        option_distribution(_response(None), option_labels(2))
    assert option_labels(11)[-2:] == ("A", "B")
    with pytest.raises(ValueError):
        option_labels(1)


class _Counting(LLMBase):
    name = "counting"
    endpoint = "memory"

    def __init__(self) -> None:
        self.calls = 0

    def complete(self, request: LLMRequest) -> LLMResponse:
        self.calls += 1
        return _response({"1": -0.5, "2": -1.0})

    @property
    def usage(self) -> Usage:
        return Usage(calls=self.calls)


def test_cache_keys_on_logprobs_and_keeps_them(tmp_path: Path) -> None:
    plain = LLMRequest(prompt="q", max_tokens=1, temperature=0.0)
    scored = choice_request("q")
    assert request_key("m", plain) != request_key("m", scored)
    inner = _Counting()
    cached = CachedLLM(inner, tmp_path)
    first = cached.complete(scored)
    again = cached.complete(scored)
    assert inner.calls == 1 and again.cached
    assert again.top_logprobs == first.top_logprobs == ({"1": -0.5, "2": -1.0},)
