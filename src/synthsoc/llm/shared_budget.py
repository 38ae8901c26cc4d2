"""A budget shared by every worker of a run, on one machine or a cluster.

:class:`SharedBudgetLLM` is :class:`synthsoc.llm.budget.BudgetedLLM` for many processes: the
calls made and the dollars spent or committed live in shared counters
(:class:`synthsoc.executor.Counters`: a locked file on one machine, a Ray actor on a cluster),
and each call reserves its worst case (estimated prompt plus ``max_tokens``) there before it is
made, in one locked step that also checks the limits, so workers together can never start a
call that could pass the budget. When the reply comes the reservation is replaced by its cost;
a failed call gives its reservation back (it still counts as a call).

Stated limit: the worst case uses the tokenizer-free prompt estimate; a server that counts more
prompt tokens than estimated can take spending past the budget by that excess on the calls in
flight (the single-process wrapper learns the ratio; this one keeps no per-worker state).
"""

from __future__ import annotations

from synthsoc.executor import Counters
from synthsoc.llm.base import LLMBase, LLMWrapper
from synthsoc.llm.budget import (
    check_limits,
    checked_tokens,
    estimate_prompt_tokens,
    estimate_text_tokens,
)
from synthsoc.llm.types import BudgetExceeded, LLMRequest, LLMResponse, Price

CALLS = "calls"
USD = "usd"  # spent plus reserved by calls in flight


class SharedBudgetLLM(LLMWrapper):
    """Refuse, before it is made, a call that could take the run's shared spending past
    ``budget_usd`` or its calls past ``max_calls`` (see the module docstring)."""

    def __init__(
        self,
        inner: LLMBase,
        *,
        counters: Counters,
        price: Price,
        budget_usd: float | None = None,
        max_calls: int | None = None,
        label: str = "the run's shared budget",
    ) -> None:
        super().__init__(inner)
        self.label = label
        check_limits(budget_usd, max_calls)
        self.counters = counters
        self.price = price
        self.limits: dict[str, float] = {}
        if max_calls is not None:
            self.limits[CALLS] = float(max_calls)
        if budget_usd is not None:
            self.limits[USD] = float(budget_usd)

    def complete(self, request: LLMRequest) -> LLMResponse:
        estimated = estimate_prompt_tokens(request)
        worst = self.price.cost(estimated, request.max_tokens)
        if not self.counters.try_add({CALLS: 1.0, USD: worst}, self.limits):
            state = self.counters.read()
            raise BudgetExceeded(
                f"{self.name}: {self.label} is used: {state.get(CALLS, 0):.0f} calls "
                f"and ${state.get(USD, 0.0):.6f} spent or committed by all workers; the next call "
                f"could cost up to ${worst:.6f} (limits: "
                + ", ".join(f"{k} {v:g}" for k, v in self.limits.items())
                + "); no further call made"
            )
        try:
            response = self.inner.complete(request)
        except BaseException:
            self.counters.add({USD: -worst})
            raise
        prompt = checked_tokens(response.prompt_tokens, estimated)
        completion = checked_tokens(response.completion_tokens, estimate_text_tokens(response.text))
        self.counters.add({USD: self.price.cost(prompt, completion) - worst})
        return response

    def spent(self) -> dict[str, float]:
        """Calls and dollars of every worker so far (what is in flight counts at its worst)."""
        return self.counters.read()
