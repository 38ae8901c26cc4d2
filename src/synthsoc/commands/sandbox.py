"""Command line for the `sandbox` commands: `synthsoc sandbox run | recommend`."""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from synthsoc.atomic import FORCE_HELP, check_output_folder, staged_directory, write_json
from synthsoc.llm import LLMBase, LLMError
from synthsoc.sandbox import (
    PLAIN_PROMPT,
    SCRIPTED,
    Assistant,
    CallableAssistant,
    LLMAssistant,
    LLMJudge,
    PopularityRecommender,
    RandomRecommender,
    RunConfig,
    SampleSpec,
    ScenarioError,
    SegmentPopularityRecommender,
    evaluate_recommender,
    judge_agreement,
    judge_run,
    load_users,
    persona_aware_prompt,
    run_sandbox,
    sample_users,
    simulate_choices,
    write_run,
)
from synthsoc.sandbox.catalogue import items_in
from synthsoc.sandbox.user import Reactions
from synthsoc.synth import PopulationFolderError

LLM_ASSISTANTS = ("llm-plain", "llm-persona")
sandbox_app = typer.Typer(help="Test assistants and recommenders against the population.",
                          no_args_is_help=True)
console = Console(stderr=True)
RUN_KIND = "sandbox"
RECOMMEND_KIND = "sandbox-recommend"


def _callable(spec: str) -> Callable[[list[dict[str, str]]], str]:
    module_name, _, attribute = spec.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError) as error:
        raise typer.BadParameter(f"--assistant callable:{spec}: cannot load {attribute!r} from "
                                 f"module {module_name!r} ({error})") from error
    if not callable(function):
        raise typer.BadParameter(f"--assistant callable:{spec} is not callable")
    return function


def _assistants(names: list[str], llm: LLMBase | None, system_prompt: str,
                max_tokens: int, seed: int) -> list[Assistant]:
    out: list[Assistant] = []
    for name in names:
        if name in SCRIPTED:
            out.append(SCRIPTED[name]())
        elif name in LLM_ASSISTANTS:
            assert llm is not None
            prompt: str | Callable[[Any], str] = (
                system_prompt if name == "llm-plain" else persona_aware_prompt)
            out.append(LLMAssistant(name, llm, prompt, max_tokens=max_tokens, seed=seed))
        elif name.startswith("callable:"):
            out.append(CallableAssistant(name, _callable(name.removeprefix("callable:")),
                                         system_prompt))
        else:
            raise typer.BadParameter(
                f"--assistant {name!r}: expected one of {', '.join([*SCRIPTED, *LLM_ASSISTANTS])}"
                " or callable:MODULE:FUNCTION")
    return out


@contextlib.contextmanager
def _maybe_llm(needed: bool, backend: str, max_calls: int | None) -> Iterator[LLMBase | None]:
    if not needed:
        yield None
        return
    from synthsoc.llm import open_llm

    with console.status(f"Opening the {backend} backend..."), open_llm(
            backend, use_cache=False, max_calls=max_calls) as llm:
        yield llm


@sandbox_app.command("run")
def run(
    folder: Annotated[Path, typer.Argument(help="Population folder with personas.parquet.")],
    out: Annotated[Path | None, typer.Option("--out", help="Output folder "
                                             "(default FOLDER/sandbox).")] = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    assistant: Annotated[list[str] | None, typer.Option(
        "--assistant", help="scripted-good | scripted-banmal | scripted-standard-only | "
        "scripted-budget-blind | scripted-app-only | llm-plain | llm-persona | "
        "callable:MODULE:FUNCTION; repeat to compare side by side.")] = None,
    backend: Annotated[str, typer.Option("--backend", help="LLM backend for llm-* and the "
                                         "judge: local (embedded) | openai.")] = "local",
    system_prompt: Annotated[Path | None, typer.Option(
        "--system-prompt", help="File with the system prompt of llm-plain and callables.")
    ] = None,
    per_stratum: Annotated[int, typer.Option("--per-stratum", min=1,
                                             help="Personas per stratum.")] = 2,
    strata: Annotated[str, typer.Option("--strata", help="Comma-separated strata: age_group, "
                                        "dialect, income, education, digital.")
                      ] = "age_group,dialect",
    scenarios: Annotated[str | None, typer.Option("--scenarios",
                                                  help="Comma-separated scenario ids.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for every random choice.")] = 0,
    judge: Annotated[bool, typer.Option("--judge/--no-judge", help="Add the LLM judge and "
                                        "measure its agreement with the hand labels.")] = False,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=8,
                                            help="Longest LLM answer.")] = 160,
    max_turns: Annotated[int, typer.Option("--max-turns", min=1, max=10,
                                           help="Most assistant turns per conversation.")] = 3,
    max_calls: Annotated[int | None, typer.Option("--max-calls", min=1,
                                                  help="Stop after this many LLM calls.")
                         ] = None,
) -> None:
    """Evaluate assistants against personas sampled by segment; write the scorecard and data."""
    names = assistant or ["scripted-good"]
    target = out or folder / "sandbox"
    inputs = [folder, system_prompt]
    try:
        check_output_folder(target, kind=RUN_KIND, inputs=inputs, force=force)
        prompt = system_prompt.read_text(encoding="utf-8").strip() if system_prompt else (
            PLAIN_PROMPT)
        spec = SampleSpec(per_stratum, tuple(s.strip() for s in strata.split(",") if s.strip()),
                          seed)
        config = RunConfig(seed=seed, reactions=Reactions(max_turns=max_turns),
                           scenario_ids=tuple(scenarios.split(",")) if scenarios else None)
        sample = sample_users(load_users(folder), spec)
        needs_llm = judge or any(n in LLM_ASSISTANTS for n in names)
        started = time.perf_counter()
        with _maybe_llm(needs_llm, backend, max_calls) as llm:
            chosen = _assistants(names, llm, prompt, max_tokens, seed)
            with Progress(TextColumn("{task.description}"), BarColumn(),
                          TextColumn("{task.completed}/{task.total} conversations"),
                          TimeElapsedColumn(), console=console) as bar:
                task = bar.add_task(f"{sample.height} personas x {len(chosen)} assistant(s)",
                                    total=sample.height * len(chosen))
                result = run_sandbox(sample, chosen, config,
                                     progress=lambda done, _: bar.update(task, completed=done))
            results = result.results
            extra: dict[str, Any] = {}
            if judge:
                assert llm is not None
                llm_judge = LLMJudge(llm, seed=seed)
                results = judge_run(result, llm_judge)
                extra["judge_agreement"] = asdict(judge_agreement(llm_judge))
        elapsed = time.perf_counter() - started
        with staged_directory(target, kind=RUN_KIND, inputs=inputs, force=force) as stage:
            summary = write_run(result, results, stage, seed=seed, summary={
                "population": str(folder), "seed": seed, "sample": asdict(spec),
                "config": asdict(config), "backend": backend if needs_llm else None,
                "elapsed_s": round(elapsed, 2), **extra})
    except (PopulationFolderError, ScenarioError, LLMError, ValueError, OSError) as error:
        console.print(f"[red]sandbox failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    card = pl.read_parquet(target / "scorecard.parquet").filter(pl.col("segment") == "all")
    table = Table(title=f"sandbox: {summary['personas']} personas ({elapsed:.1f} s)")
    table.add_column("metric")
    for name in names:
        table.add_column(name)
    for metric in card["metric"].unique(maintain_order=True).to_list():
        cells = []
        for name in names:
            row = card.filter((pl.col("metric") == metric) & (pl.col("assistant") == name))
            mean = row["mean"][0] if row.height else None
            cells.append("n/a" if mean is None else
                         f"{mean:.2f} [{row['ci_low'][0]:.2f}, {row['ci_high'][0]:.2f}]")
        table.add_row(metric, *cells)
    Console().print(table)
    if "judge_agreement" in summary:
        a = summary["judge_agreement"]
        console.print(f"judge agreement with {a['n']} hand labels: accuracy {a['accuracy']:.2f} "
                      f"[{a['accuracy_ci'][0]:.2f}, {a['accuracy_ci'][1]:.2f}], "
                      f"kappa {a['kappa']:.2f} ({a['invalid']} without a valid verdict)")
    console.print(f"[green]done[/green]: scorecard, conversations, sft.jsonl "
                  f"({summary['export']['sft_records']}), dpo.jsonl "
                  f"({summary['export']['dpo_pairs']}) -> {target}")


@sandbox_app.command("recommend")
def recommend(
    folder: Annotated[Path, typer.Argument(help="Population folder with personas.parquet.")],
    out: Annotated[Path | None, typer.Option("--out", help="Output folder "
                                             "(default FOLDER/sandbox_recommend).")] = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    category: Annotated[str, typer.Option("--category", help="Catalogue category.")] = "청소기",
    k: Annotated[int, typer.Option("--k", min=1, help="Items recommended per person.")] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Seed for every random choice.")] = 0,
) -> None:
    """Evaluate the baseline recommenders on the population's simulated choices."""
    target = out or folder / "sandbox_recommend"
    try:
        check_output_folder(target, kind=RECOMMEND_KIND, inputs=[folder], force=force)
        n_items = len(items_in(category))
        choices = simulate_choices(load_users(folder), category, seed)
        reports = [evaluate_recommender(r, choices, n_items, k=k, seed=seed) for r in (
            RandomRecommender(seed), PopularityRecommender(), SegmentPopularityRecommender())]
    except (PopulationFolderError, ValueError) as error:
        console.print(f"[red]sandbox recommend failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    table = Table(title=f"recommenders on {choices.height:,} simulated choices ({category}, "
                        f"k={k}, half held out)")
    for column in ("recommender", "hit rate [95% CI]", "coverage", "dialect gap", "age gap"):
        table.add_column(column)
    for r in reports:
        table.add_row(r.name, f"{r.hit_rate:.3f} [{r.hit_rate_ci[0]:.3f}, {r.hit_rate_ci[1]:.3f}]",
                      f"{r.coverage:.2f}", f"{r.fairness_gap['dialect']:.3f}",
                      f"{r.fairness_gap['age_group']:.3f}")
    Console().print(table)
    with staged_directory(target, kind=RECOMMEND_KIND, inputs=[folder], force=force) as stage:
        write_json(stage / "recommenders.json", {
            "population": str(folder), "category": category, "k": k, "seed": seed,
            "reports": [{**{key: value for key, value in asdict(r).items() if key != "segments"},
                         "segments": r.segments.to_dicts()} for r in reports]})
    console.print(f"[green]done[/green] -> {target / 'recommenders.json'}")


def register(app: typer.Typer) -> None:
    """Add the sandbox commands to the main application."""
    app.add_typer(sandbox_app, name="sandbox")
