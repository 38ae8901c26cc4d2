"""``open_llm``: build the configured client and stack the behaviours around it.

Stack, outermost first: cache -> structured output (validate, re-ask) -> budget -> retries ->
base client. A cache hit therefore costs nothing and skips the budget; each re-ask is a call
that the budget sees; each retry is another try of the same call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from synthsoc.executor import Counters
from synthsoc.llm.base import LLMBase
from synthsoc.llm.budget import BudgetedLLM
from synthsoc.llm.cache import CachedLLM
from synthsoc.llm.config import BACKENDS, LLMConfig, load_config
from synthsoc.llm.embedded_server import CHAT_FORMATS, EmbeddedServer, find_embedded_model
from synthsoc.llm.host_budget import BUDGET_LABEL, HostBudget, budget_from_env
from synthsoc.llm.openai_client import OpenAICompatibleClient
from synthsoc.llm.pool import EndpointPool
from synthsoc.llm.retry import RetryingLLM, RetryPolicy
from synthsoc.llm.shared_budget import SharedBudgetLLM
from synthsoc.llm.structured import StructuredLLM
from synthsoc.llm.types import LLMError, Price


def stack_llm(
    base: LLMBase,
    *,
    price: Price | None = None,
    cache_dir: Path | None = None,
    budget_usd: float | None = None,
    max_calls: int | None = None,
    retry: RetryPolicy | None = None,
    max_reasks: int = 2,
    counters: Counters | None = None,
    host: HostBudget | None = None,
) -> LLMBase:
    """Wrap ``base`` in retries, budget (when limited), structured output and cache (when set).

    With ``counters`` (shared by the run's workers, :meth:`synthsoc.executor.Executor.counters`)
    the budget is the run's, not this process's (:class:`SharedBudgetLLM`). ``host`` (the
    server's budget of the user, :mod:`synthsoc.llm.host_budget`) counts every call as well,
    under its own limit, beside the run's.
    """
    llm: LLMBase = RetryingLLM(base, retry)
    if host is not None:
        llm = SharedBudgetLLM(llm, counters=host.counters, price=price or Price(),
                              max_calls=host.max_calls, label=BUDGET_LABEL)
    if counters is not None:
        llm = SharedBudgetLLM(llm, counters=counters, price=price or Price(),
                              budget_usd=budget_usd, max_calls=max_calls)
    elif budget_usd is not None or max_calls is not None:
        llm = BudgetedLLM(llm, price=price or Price(), budget_usd=budget_usd, max_calls=max_calls)
    llm = StructuredLLM(llm, max_reasks=max_reasks)
    if cache_dir is not None:
        llm = CachedLLM(llm, cache_dir)
    return llm


def _openai_client(config: LLMConfig) -> OpenAICompatibleClient | EndpointPool:
    if config.endpoints and config.model:
        return EndpointPool(
            config.endpoints, model=config.model, name=f"openai:{config.model}",
            api_key=config.api_key, price=config.price, timeout_s=config.timeout_s,
            response_format=config.response_format,
            retry=RetryPolicy(max_attempts=config.max_attempts),
        )
    if not config.base_url or not config.model:
        raise LLMError(
            "the openai backend needs a base URL (or endpoints) and a model: set "
            "SYNTHSOC_LLM_BASE_URL (or SYNTHSOC_LLM_ENDPOINTS) and SYNTHSOC_LLM_MODEL, or "
            "base_url (or [[llm.endpoints]]) and model in the config file "
            f"(settings now from {config.source})"
        )
    return OpenAICompatibleClient(
        base_url=config.base_url,
        model=config.model,
        name=f"openai:{config.model}",
        api_key=config.api_key,
        price=config.price,
        timeout_s=config.timeout_s,
        response_format=config.response_format,
    )


@contextmanager
def open_llm(
    backend: str = "local",
    *,
    cache_dir: Path | None = None,
    budget_usd: float | None = None,
    max_calls: int | None = None,
    use_cache: bool = True,
    logprobs: bool = False,
    counters: Counters | None = None,
    config: LLMConfig | None = None,
) -> Iterator[LLMBase]:
    """Open a client for ``backend`` ("local": the embedded model; "openai": the configured
    OpenAI-compatible endpoint) and close it, with its server, on exit.

    ``cache_dir`` defaults to the configured ``cache_dir`` (none: no cache); ``use_cache=False``
    turns the cache off. ``budget_usd`` and ``max_calls`` stop the run with ``BudgetExceeded``
    before a call that would pass them. ``logprobs=True`` starts the embedded server so that
    it can return token log-probabilities (llama-cpp-python needs ``logits_all`` for that).
    ``counters`` (:meth:`synthsoc.executor.Executor.counters`) makes the budget the run's,
    shared by all its workers. A budget the host set in the environment
    (:func:`synthsoc.llm.host_budget.budget_from_env`) is enforced as well. ``config``:
    settings resolved elsewhere (a worker on another node opens the driver's settings);
    default :func:`load_config`.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
    config = config or load_config()
    base: OpenAICompatibleClient | EndpointPool
    with ExitStack() as stack:
        if backend == "local":
            model_path = config.local.model_path or find_embedded_model(config.local.model)
            name = model_path.name.removesuffix(".gguf")
            server = stack.enter_context(
                EmbeddedServer(
                    model_path,
                    alias=name,
                    n_ctx=config.local.n_ctx,
                    n_threads=config.local.n_threads,
                    startup_timeout_s=config.local.startup_timeout_s,
                    logits_all=logprobs,
                    chat_format=None if config.local.model_path else CHAT_FORMATS.get(
                        config.local.model),
                )
            )
            base = OpenAICompatibleClient(
                base_url=server.base_url,
                model=name,
                name=f"local:{name}",
                timeout_s=config.timeout_s,
                response_format="json_object",
            )
            price = Price()
        else:
            base = _openai_client(config)
            price = config.price
        stack.callback(base.close)
        yield stack_llm(
            base,
            price=price,
            cache_dir=(cache_dir or config.cache_dir) if use_cache else None,
            budget_usd=budget_usd,
            max_calls=max_calls,
            retry=RetryPolicy(max_attempts=config.max_attempts),
            max_reasks=config.max_reasks,
            counters=counters,
            host=budget_from_env(),
        )
