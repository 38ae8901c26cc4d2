"""Command line for the `survey` commands: `synthsoc survey run | validate`."""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from synthsoc.atomic import FORCE_HELP, OutputFolderError, check_output_folder
from synthsoc.data.readers import ReadError
from synthsoc.evaluate.compare import (
    compare_to_reference,
    reference_from_microdata,
    same_file,
)
from synthsoc.evaluate.replicates import replicate_verdicts
from synthsoc.executor import (
    Counters,
    Executor,
    ExecutorError,
    ExecutorSpec,
    executor_spec,
    open_executor,
)
from synthsoc.llm.types import LLMError
from synthsoc.survey import (
    CalibratedEngine,
    HybridEngine,
    LLMEngine,
    QuestionnaireError,
    ResponseEngine,
    SurveyResult,
    load_questionnaire,
    run_concept_test,
    run_survey,
    write_outputs,
)
from synthsoc.survey.calibrated import CalibrationError
from synthsoc.survey.llm_engine import REASON_TOKENS, SCORINGS, PlanOnly
from synthsoc.survey.llm_run import FanOut, RunPlan
from synthsoc.survey.mapping import MappingError, load_data_map
from synthsoc.survey.over_draws import DrawsError, run_survey_over_draws
from synthsoc.survey.tables import TablesError
from synthsoc.synth import PopulationFolderError, load_population

if TYPE_CHECKING:
    from synthsoc.llm import Price
    from synthsoc.llm.worker import LLMOpener

ENGINES = ("calibrated", "llm", "hybrid", "town")

survey_app = typer.Typer(
    help="Ask the population: questionnaires, engines, results.", no_args_is_help=True
)


@survey_app.command("validate")
def validate(
    questionnaire: Annotated[Path, typer.Argument(help="Questionnaire YAML.")],
) -> None:
    """Check a questionnaire file and list its questions."""
    console = Console()
    try:
        q = load_questionnaire(questionnaire)
    except QuestionnaireError as error:
        console.print(f"[red]invalid questionnaire:[/red] {error}")
        raise typer.Exit(code=1) from error
    table = Table(title=f"{q.id}: {q.title.ko}")
    for col in ("id", "type", "options", "text"):
        table.add_column(col)
    for question in q.questions:
        table.add_row(question.id, question.type, str(len(question.options)), question.text.ko)
    console.print(table)
    console.print(f"segments: {', '.join(q.segments) or '(none)'}; universe age {q.min_age}+")


@survey_app.command("run")
def run(
    questionnaire: Annotated[Path, typer.Argument(help="Questionnaire YAML.")],
    population: Annotated[Path, typer.Option("--population", help="Population folder.")],
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (results.json/csv, report.md).")
    ],
    engine: Annotated[
        str, typer.Option("--engine", help="calibrated | llm | hybrid | town.")
    ] = "calibrated",
    data: Annotated[Path | None, typer.Option("--data", help="Respondent microdata CSV.")] = None,
    tables: Annotated[
        Path | None, typer.Option("--tables", help="KOSIS-shaped share tables CSV.")
    ] = None,
    label_map: Annotated[
        Path | None, typer.Option("--label-map", help="Table group labels -> attributes.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for every random choice.")] = 0,
    replicates: Annotated[
        int, typer.Option("--replicates", min=1, help="Repeat stochastic engines R times.")
    ] = 1,
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="Replicate agreement tolerance.")
    ] = 0.05,
    sample: Annotated[
        int, typer.Option("--sample", min=1, help="Personas asked (llm, hybrid).")
    ] = 100,
    backend: Annotated[
        str, typer.Option("--llm-backend", help="LLM backend: local | openai.")
    ] = "local",
    draws: Annotated[
        int, typer.Option("--draws", min=2, help="Model-uncertainty draws (calibrated).")
    ] = 30,
    table_n: Annotated[
        int, typer.Option("--table-n", min=10, help="Assumed respondents per published group.")
    ] = 1000,
    reference: Annotated[
        Path | None, typer.Option("--reference", help="Microdata CSV to score results against.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    data_map: Annotated[
        Path | None,
        typer.Option("--map", help="YAML: data columns and labels -> population attributes."),
    ] = None,
    kgss: Annotated[
        bool,
        typer.Option("--kgss", help="Answer from the packaged KGSS 2003-2012 (data_column: ITEM)."),
    ] = False,
    kgss_years: Annotated[
        str | None, typer.Option("--kgss-years", help="KGSS waves FROM-TO, e.g. 2010-2012.")
    ] = None,
    scoring: Annotated[
        str,
        typer.Option(
            "--scoring",
            help="llm/hybrid: auto (log-probabilities when the server has them) | logprobs "
            "| sample (one JSON answer with a reason per persona).",
        ),
    ] = "auto",
    plan_only: Annotated[
        bool, typer.Option("--plan", help="Print the plan (calls, tokens, time, cost) and stop.")
    ] = False,
    town: Annotated[
        Path | None,
        typer.Option("--town", help="Town run folder whose agents answer (--engine town)."),
    ] = None,
    journal: Annotated[
        Path | None,
        typer.Option(
            "--journal",
            help="Answers file that makes an interrupted run resumable "
            "(default OUT.journal.jsonl).",
        ),
    ] = None,
    reason_tokens: Annotated[
        int,
        typer.Option(
            "--reason-tokens",
            min=0,
            help="llm/hybrid log-probability scoring: a reason of at most N tokens after the "
            "option's number, in the same call (0: the number only, fastest).",
        ),
    ] = REASON_TOKENS,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, help="llm/hybrid: processes answering personas "
                     "(local executor; 1: this process)."),
    ] = 1,
    executor: Annotated[
        str | None,
        typer.Option("--executor", help="llm/hybrid: where persona answers run: local or ray "
                     "(docs/cluster.md)."),
    ] = None,
    address: Annotated[
        str | None, typer.Option("--address", help="Ray cluster address (or "
                                 "$SYNTHSOC_RAY_ADDRESS).")
    ] = None,
    over_draws: Annotated[
        bool,
        typer.Option("--over-draws", help="calibrated: ask each posterior population "
                     "(`populate --draws K`) and combine; every share gets the population's "
                     "and the engine's shares of its variance."),
    ] = False,
    max_calls: Annotated[
        int | None, typer.Option("--max-calls", min=1, help="stop before the LLM call that "
                                 "would pass N calls, counted over all workers of the run")
    ] = None,
    budget_usd: Annotated[
        float | None, typer.Option("--budget-usd", help="stop before the LLM call that could "
                                   "pass this spending (USD, configured price), over all "
                                   "workers of the run")
    ] = None,
) -> None:
    """Ask QUESTIONNAIRE of a population and write results by segment with intervals."""
    console = Console()
    if engine not in ENGINES:
        raise typer.BadParameter(f"--engine must be one of {', '.join(ENGINES)}")
    if over_draws and engine != "calibrated":
        raise typer.BadParameter(
            f"--over-draws runs the calibrated engine on each posterior population; the "
            f"{engine} engine would repeat its persona answers K times: use --engine calibrated"
        )
    if engine == "calibrated" and replicates > 1:
        raise typer.BadParameter(
            "--replicates repeats the llm and hybrid engines; the calibrated engine is "
            "deterministic and its intervals come from --draws posterior draws"
        )
    if scoring not in SCORINGS:
        raise typer.BadParameter(f"--scoring must be one of {', '.join(SCORINGS)}")
    if data_map is not None and data is None:
        raise typer.BadParameter("--map maps the columns of --data; give --data too")
    if engine in ("calibrated", "town") and (
        executor is not None or address is not None or workers > 1
    ):
        raise typer.BadParameter(
            "--executor, --address and --workers spread the llm and hybrid engines' persona "
            f"answers; the {engine} engine runs in this process"
        )
    if engine == "calibrated" and (max_calls is not None or budget_usd is not None):
        raise typer.BadParameter("--max-calls and --budget-usd limit LLM calls; the calibrated "
                                 "engine makes none")
    if budget_usd is not None and budget_usd <= 0:
        raise typer.BadParameter(f"--budget-usd must be positive, got {budget_usd}")
    limits = LLMLimits(max_calls=max_calls, budget_usd=budget_usd)
    try:
        spec = executor_spec(executor, workers=workers, address=address)
        check_output_folder(
            out,
            kind="survey",
            inputs=[questionnaire, population, data, tables, label_map, reference],
            force=force,
        )
        q = load_questionnaire(questionnaire)
        pop = load_population(population)
        calibrated = None
        if engine in ("calibrated", "hybrid"):
            calibrated = CalibratedEngine(
                data=data,
                tables=tables,
                label_map=label_map,
                n_draws=draws,
                table_sample_size=table_n,
                data_map=None if data_map is None else load_data_map(data_map),
                kgss=kgss,
                kgss_years=_years(kgss_years),
            )
        runs = replicates if engine not in ("calibrated", "town") else 1
        if engine == "town" and town is None:
            raise typer.BadParameter("--engine town needs --town RUN (a `synthsoc town run`)")
        results: list[SurveyResult] = []
        with (
            _fan_out(engine, spec, backend, limits) as (fan_out, limits),
            _llm(engine, backend, limits) as llm,
        ):
            if engine == "calibrated":
                assert calibrated is not None
                if over_draws:
                    with console.status(f"Asking each posterior population of {population} "
                                        "(calibrated engine)..."):
                        drawn = run_survey_over_draws(q, pop, calibrated, seed=seed)
                    assert drawn.result is not None
                    results.append(drawn.result)
                else:
                    with console.status(f"Asking {pop.n_persons} persons (calibrated "
                                        "engine)..."):
                        results.append(run_survey(q, pop, calibrated, seed=seed))
            elif engine == "town":
                from synthsoc.survey.town_engine import TownEngine

                assert town is not None
                with console.status(f"Asking the agents of {town}..."):
                    results.append(run_survey(q, pop, TownEngine(town, llm), seed=seed))
            else:
                with Progress(console=console, transient=False) as progress:
                    task = progress.add_task(f"{engine}: persona answers", total=None)

                    def on_plan(plan: RunPlan) -> None:
                        progress.console.print(plan.summary())
                        if plan_only:
                            raise PlanOnly

                    def on_progress(done: int, total: int) -> None:
                        progress.update(task, completed=done, total=total)

                    llm_engine = LLMEngine(
                        llm,
                        sample_size=sample,
                        scoring=scoring,
                        reason_tokens=reason_tokens,
                        journal=journal or out.parent / f"{out.name}.journal.jsonl",
                        price=_price(backend),
                        on_plan=on_plan,
                        on_progress=on_progress,
                        fan_out=fan_out,
                    )
                    chosen: ResponseEngine = llm_engine
                    if engine == "hybrid":
                        assert calibrated is not None
                        chosen = HybridEngine(llm_engine, calibrated)
                    for r in range(runs):
                        progress.update(task, description=f"{engine}: run {r + 1} of {runs}")
                        results.append(run_survey(q, pop, chosen, seed=seed + r))
        extra: dict[str, Any] = {}
        if runs > 1:
            extra["replicates"] = replicate_verdicts(results, tolerance=tolerance, seed=seed)
        if reference is not None:
            extra["comparison"] = compare_to_reference(
                results[0],
                reference_from_microdata(reference, q),
                q,
                in_sample=data is not None and same_file(reference, data),
            )
        write_outputs(results[0], q, out, extra=extra, force=force)
    except PlanOnly:
        console.print("--plan: stopped before the run (the timed call's answer is kept)")
        return
    except (
        QuestionnaireError,
        PopulationFolderError,
        CalibrationError,
        TablesError,
        MappingError,
        OutputFolderError,
        ReadError,
        LLMError,
        ExecutorError,
        DrawsError,
    ) as error:
        console.print(f"[red]survey failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    result = results[0]
    console.print(
        f"[green]done[/green]: {len(q.questions) - len(result.skipped)} of {len(q.questions)} "
        f"questions answered by {engine}, {len(result.rows)} shares -> {out}/report.md"
    )
    if "replicates" in extra:
        console.print(extra["replicates"]["summary"])
    if "comparison" in extra and extra["comparison"]["mean_tvd"] is not None:
        label = " (IN-SAMPLE: the file the model was fitted on)" if extra["comparison"][
            "in_sample"
        ] else ""
        console.print(
            f"mean TVD against {reference}{label}: {extra['comparison']['mean_tvd']:.4f}"
        )
    for note in result.notes:
        if "too few" in note or "did not reach" in note:
            console.print(f"[yellow]{note}[/yellow]")


@survey_app.command("concept-test")
def concept_test(
    population: Annotated[Path, typer.Option("--population", help="Population folder.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    seed: Annotated[int, typer.Option("--seed", help="Seed for every random choice.")] = 0,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """The demo concept test (two product concepts, by age group and region; ILLUSTRATIVE model)."""
    console = Console()
    try:
        with console.status("Running the concept test..."):
            _, result = run_concept_test(population, out, seed=seed, force=force)
    except (
        QuestionnaireError, PopulationFolderError, CalibrationError, TablesError,
        OutputFolderError,
    ) as error:
        console.print(f"[red]concept test failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    console.print(f"[green]done[/green]: {len(result.rows)} shares -> {out}/report.md")
    console.print(f"[yellow]{result.notes[0]}[/yellow]")


def _price(backend: str) -> Price | None:
    """The configured price of the OpenAI-compatible backend (None: no price, e.g. local)."""
    if backend != "openai":
        return None
    from synthsoc.llm import load_config

    price = load_config().price
    return price if (price.prompt_per_1k or price.completion_per_1k) else None


def _years(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    parts = text.split("-")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise typer.BadParameter(f"--kgss-years must be FROM-TO (e.g. 2010-2012), got {text!r}")
    low, high = int(parts[0]), int(parts[1])
    if low > high:
        raise typer.BadParameter(f"--kgss-years: {low} is after {high}")
    return low, high


@dataclass(frozen=True)
class LLMLimits:
    """The run's LLM budget (``--max-calls``, ``--budget-usd``); ``counters`` (the
    executor's) make it one budget for this process and every worker."""

    max_calls: int | None = None
    budget_usd: float | None = None
    counters: Counters | None = None

    @property
    def limited(self) -> bool:
        return self.max_calls is not None or self.budget_usd is not None


@contextlib.contextmanager
def _llm(engine: str, backend: str, limits: LLMLimits) -> Iterator[Any]:
    """Open the LLM only for engines that need it."""
    if engine == "calibrated":
        yield None
        return
    from synthsoc.llm import open_llm

    with open_llm(backend, logprobs=True, max_calls=limits.max_calls,
                  budget_usd=limits.budget_usd, counters=limits.counters) as llm:
        yield llm


def _worker_llm(backend: str, limits: LLMLimits) -> LLMOpener:
    """What each worker opens: ``backend`` with this process's resolved settings and the
    run's shared budget."""
    from synthsoc.llm import load_config
    from synthsoc.llm.worker import ConfiguredLLM

    return ConfiguredLLM(backend, load_config(), logprobs=True, max_calls=limits.max_calls,
                         budget_usd=limits.budget_usd, counters=limits.counters)


@contextlib.contextmanager
def _fan_out(engine: str, spec: ExecutorSpec, backend: str,
             limits: LLMLimits) -> Iterator[tuple[FanOut | None, LLMLimits]]:
    """Persona answers as work units of the executor (llm and hybrid engines with more than
    one local worker, or Ray); None: they run in this process. A budget is then kept in the
    executor's shared counters (a locked file in a temporary folder on one machine, a Ray
    actor on a cluster), so this process and every worker draw on one budget. An
    unreachable cluster stops here, before any call or output."""
    if engine not in ("llm", "hybrid") or (spec.kind == "local" and spec.workers == 1):
        yield None, limits
        return
    opened: Executor = open_executor(spec)
    with contextlib.ExitStack() as stack:
        stack.callback(opened.close)
        if limits.limited:
            folder = Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="synthsoc-survey-budget-")))
            counters = opened.counters(f"survey-{uuid.uuid4().hex}", folder)
            drop = getattr(counters, "drop", None)
            if drop is not None:
                stack.callback(drop)  # the Ray actor ends with the run
            stack.callback(_report_spending, counters, limits)
            limits = dataclasses.replace(limits, counters=counters)
        Console(stderr=True).print(f"persona answers on {opened.description}")
        yield FanOut(opened, _worker_llm(backend, limits)), limits


def _report_spending(counters: Counters, limits: LLMLimits) -> None:
    """The shared budget's use, said whether the run finished or stopped on it."""
    used = counters.read()
    parts = [f"{int(used.get('calls', 0))} calls"
             + (f" of {limits.max_calls}" if limits.max_calls is not None else "")]
    if limits.budget_usd is not None:
        parts.append(f"${used.get('usd', 0.0):.4f} of ${limits.budget_usd:.4f}")
    Console(stderr=True).print(f"LLM budget over all workers: {', '.join(parts)}")


def register(app: typer.Typer) -> None:
    """Add the survey commands to the main application."""
    app.add_typer(survey_app, name="survey")
