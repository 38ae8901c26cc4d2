"""Prompt tokens the embedded server must evaluate for the agent bank, old call order against
prefix order, counted exactly for every test respondent (no model call).

The requests of ``bench_agent_bank.py`` (each test respondent's held-out items, as the
demographics-only agent and as the generative agent, scored by log-probabilities) are built as
the bench builds them (a recording stand-in answers), formatted with SmolLM2's own chat template
and tokenised with its own tokenizer, as llama-cpp-python's server does. That server keeps one
context and, for each request, evaluates only the tokens after the longest common prefix with
the previous prompt (``Llama.generate``: all but one token when the whole prompt is cached). So
the tokens evaluated per call follow from the order alone:

* ``item``: the bench's old order (item by item, the demographics-only prompt, then the agent's);
* ``prefix``: :func:`synthsoc.agents.bank.ask_bank_items` (each agent's prompts sorted).

The wall time of both orders on the real server is ``bench_agent_bank_order.py``.

Usage: PYTHONPATH=src python bench/bench_agent_bank_tokens.py [--respondents 394] [--seed 1]
       [--waves 2010] [--out FILE]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from llama_cpp import Llama
from llama_cpp.llama_chat_format import Jinja2ChatFormatter
from rich.console import Console

from synthsoc.agents import E5Embedder
from synthsoc.agents.bank import (
    DEFAULT_WAVES,
    WAVES,
    ask_bank,
    ask_bank_items,
    build_agents,
    load_bank,
)
from synthsoc.agents.bank_eval import split_bank
from synthsoc.atomic import write_json
from synthsoc.llm import LLMBase, LLMRequest, LLMResponse, Usage
from synthsoc.llm.embedded_server import find_embedded_model

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "agent_bank_tokens.json"


class Recorder(LLMBase):
    """Answers every request with label 1 and keeps the requests in the order sent."""

    def __init__(self) -> None:
        self.name = "recorder"
        self.requests: list[LLMRequest] = []

    @property
    def usage(self) -> Usage:
        return Usage(calls=len(self.requests))

    def complete(self, request: LLMRequest) -> LLMResponse:
        self.requests.append(request)
        return LLMResponse(text="1", data=None, prompt_tokens=0, completion_tokens=0,
                           cached=False, latency_s=0.0, top_logprobs=({"1": 0.0},))


class QueryMemo:
    """The e5 embedder, each query embedded once (the same ten labels are asked of everyone)."""

    def __init__(self, inner: E5Embedder) -> None:
        self.inner, self.dim, self.name = inner, inner.dim, inner.name
        self._queries: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not query:
            return self.inner.embed(texts)
        for text in texts:
            if text not in self._queries:
                self._queries[text] = self.inner.embed([text], query=True)[0]
        return np.stack([self._queries[t] for t in texts])


class ChatTokens:
    """SmolLM2's chat template and tokenizer, as llama-cpp-python's server applies them."""

    def __init__(self) -> None:
        self.model = Llama(str(find_embedded_model()), vocab_only=True, verbose=False)
        template = self.model.metadata["tokenizer.chat_template"]
        token = self.model._model.token_get_text  # noqa: SLF001 (the server reads these too)
        self.formatter = Jinja2ChatFormatter(template, eos_token=token(self.model.token_eos()),
                                             bos_token=token(self.model.token_bos()))

    def __call__(self, request: LLMRequest) -> list[int]:
        messages = [{"role": "system", "content": request.system or ""},
                    {"role": "user", "content": request.prompt}]
        result = self.formatter(messages=messages)
        return self.model.tokenize(result.prompt.encode("utf-8"),
                                   add_bos=not result.added_special, special=True)


def evaluated(sequence: Sequence[list[int]]) -> list[int]:
    """Tokens evaluated per prompt when each reuses its longest common prefix with the one
    before (llama-cpp-python ``Llama.generate``)."""
    out, previous = [], []
    for tokens in sequence:
        common = 0
        for a, b in zip(previous, tokens, strict=False):
            if a != b:
                break
            common += 1
        reuse = common - 1 if common == len(tokens) else common
        out.append(len(tokens) - reuse)
        previous = tokens
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=394)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--waves", type=int, nargs="+", default=list(DEFAULT_WAVES),
                        choices=WAVES)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    started = time.perf_counter()
    bank = load_bank(args.waves)
    test = split_bank(bank, 0.25, args.seed).test[: args.respondents]
    embedder = QueryMemo(E5Embedder())
    agents = build_agents(bank, test, embedder)
    items = [bank.item(i) for i in bank.held_out_items]
    old, new = Recorder(), Recorder()
    for agent in agents:
        for item in items:
            for memories in (False, True):
                ask_bank([agent], item, old, embedder, with_memories=memories,
                         scoring="logprobs")
        for memories in (False, True):
            ask_bank_items([agent], items, new, embedder, with_memories=memories,
                           scoring="logprobs")
    if sorted(r.prompt for r in old.requests) != sorted(r.prompt for r in new.requests):
        raise SystemExit("the two orders did not send the same requests")
    tokens = ChatTokens()
    counts = {}
    for name, recorder in (("item", old), ("prefix", new)):
        sequence = [tokens(r) for r in recorder.requests]
        done = np.array(evaluated(sequence))
        full = np.array([len(t) for t in sequence])
        counts[name] = {"calls": int(done.size), "prompt_tokens": int(full.sum()),
                        "evaluated_tokens": int(done.sum()),
                        "prompt_tokens_per_call": float(full.mean()),
                        "evaluated_per_call": float(done.mean()),
                        "evaluated_share": float(done.sum() / full.sum())}
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "waves": list(bank.waves), "respondents": len(agents), "held_out_items": len(items),
        "tokenizer": find_embedded_model().name, "counts": counts,
        "evaluated_ratio_item_over_prefix": counts["item"]["evaluated_tokens"]
        / counts["prefix"]["evaluated_tokens"],
        "wall_s": time.perf_counter() - started,
    }
    write_json(args.out, result)
    Console().print(result, f"-> {args.out}")


if __name__ == "__main__":
    main()
