"""Command line for the `llm` commands: `synthsoc llm check`."""

from __future__ import annotations

import time

import typer
from rich.console import Console
from rich.table import Table

from synthsoc.llm import LLMError, LLMRequest, load_config, open_llm
from synthsoc.llm.config import BACKENDS
from synthsoc.persona.speech import classify_text, hangul_share, language_problems

llm_app = typer.Typer(help="The language model behind personas and surveys.", no_args_is_help=True)

DEFAULT_PROMPT = "서울에 사는 30대 직장인의 하루를 한 문장으로 묘사해 주세요."


@llm_app.command("check")
def check(
    backend: str | None = typer.Option(
        None,
        "--backend",
        help="local (embedded model) or openai (configured endpoint); "
        "default: SYNTHSOC_LLM_BACKEND or the config file, else local.",
    ),
    prompt: str = typer.Option(DEFAULT_PROMPT, "--prompt", help="The test prompt."),
    max_tokens: int = typer.Option(64, "--max-tokens", min=1, help="Longest answer."),
) -> None:
    """Show the configured backend and time one test completion (the cache is bypassed).

    The answer is judged as Korean text (Hangul share, non-Korean runs, sentence-final endings);
    when it is not Korean or is garbled the check says so and exits with code 2.
    """
    console = Console()
    try:
        config = load_config()
        chosen = backend or config.backend
        if chosen not in BACKENDS:
            raise typer.BadParameter(f"--backend must be one of {', '.join(BACKENDS)}")
        started = time.perf_counter()
        with (
            console.status(f"Opening the {chosen} backend..."),
            open_llm(chosen, use_cache=False) as llm,
        ):
            ready_s = time.perf_counter() - started
            response = llm.complete(
                LLMRequest(prompt=prompt, max_tokens=max_tokens, temperature=0.0, seed=0)
            )
    except (LLMError, ValueError, FileNotFoundError) as error:
        console.print(f"[red]LLM check failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    table = Table(title="synthsoc llm check", show_header=False)
    table.add_column("item", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("backend", chosen)
    table.add_row("model", llm.name)
    table.add_row("endpoint", llm.endpoint)
    table.add_row("settings from", config.source)
    table.add_row("ready in", f"{ready_s:.2f} s")
    table.add_row("prompt", prompt)
    table.add_row("answer", response.text.strip() or "(empty)")
    table.add_row("latency", f"{response.latency_s:.2f} s")
    table.add_row(
        "tokens", f"{response.prompt_tokens} prompt + {response.completion_tokens} completion"
    )
    text = response.text.strip()
    problems = language_problems(text)
    speech = classify_text(text)
    level = speech.level.value if speech.level else "none"
    table.add_row("Korean", f"Hangul {hangul_share(text):.0%} of letters; speech level {level}; "
                  f"dialect {speech.dialect}")
    console.print(table)
    if problems:
        console.print("[yellow]The answer is not usable Korean:[/yellow] " + "; ".join(problems))
        raise typer.Exit(code=2)


def register(app: typer.Typer) -> None:
    """Add the llm commands to the main application."""
    app.add_typer(llm_app, name="llm")
