"""Forced-choice scoring from token log-probabilities: one call gives a whole distribution.

Instead of sampling a persona's answer many times, ask once for a single output token and read
the server's log-probabilities of its top alternatives (OpenAI's ``logprobs``/``top_logprobs``;
llama.cpp's servers return them too). Each option is shown with a one-token label (``1``..``9``,
then ``A``..``Z``); the probability of an option is the probability mass of tokens equal to its
label (leading spaces ignored), renormalised over the options. ``mass`` is how much of the
model's probability fell on valid labels at all: a small mass means the model wanted to say
something else, and the caller should treat the answer as weak or as non-response.

A request made by :func:`choice_request` travels through every wrapper (cache, budget,
retries) like any other; only the server must support log-probabilities.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass

from synthsoc.llm.types import LLMRequest, LLMResponse

TOP_LOGPROBS = 20  # the most OpenAI's API returns per token
LABELS: tuple[str, ...] = tuple("123456789") + tuple(string.ascii_uppercase)


class NoLogprobs(ValueError):
    """The server answered without token log-probabilities."""


@dataclass(frozen=True)
class ChoiceDistribution:
    """Probabilities over the options (sum 1) and the raw mass the model put on their labels."""

    probs: tuple[float, ...]
    mass: float


def option_labels(n_options: int) -> tuple[str, ...]:
    """One-token labels for ``n_options`` options."""
    if not 2 <= n_options <= len(LABELS):
        raise ValueError(f"forced choice needs 2..{len(LABELS)} options, got {n_options}")
    return LABELS[:n_options]


def choice_request(
    prompt: str, *, system: str | None = None, seed: int | None = None
) -> LLMRequest:
    """A request for exactly one output token, with its top log-probabilities."""
    return LLMRequest(
        prompt=prompt,
        system=system,
        max_tokens=1,
        temperature=0.0,
        seed=seed,
        logprobs=TOP_LOGPROBS,
    )


def option_distribution(response: LLMResponse, labels: tuple[str, ...]) -> ChoiceDistribution:
    """The distribution over ``labels`` read from the first output token's log-probabilities.

    Raises :class:`NoLogprobs` when the response carries none. When no label is among the top
    alternatives, ``mass`` is 0 and the probabilities are uniform (the caller decides).
    """
    if not response.top_logprobs:
        raise NoLogprobs("the server returned no token log-probabilities")
    first = response.top_logprobs[0]
    mass = dict.fromkeys(labels, 0.0)
    for token, logprob in first.items():
        key = token.strip()
        if key in mass and math.isfinite(logprob):
            mass[key] += math.exp(logprob)
    total = sum(mass.values())
    if total <= 0.0:
        return ChoiceDistribution(tuple(1.0 / len(labels) for _ in labels), 0.0)
    return ChoiceDistribution(tuple(mass[label] / total for label in labels), min(total, 1.0))
