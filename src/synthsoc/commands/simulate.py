"""Command line for `synthsoc simulate`: run a scenario's replicates and judge each outcome."""

from __future__ import annotations

import importlib
import os
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from synthsoc.atomic import FORCE_HELP, check_output_folder, staged_directory
from synthsoc.commands.sweep import run_sweep_folder
from synthsoc.evaluate.replicate_verdict import (
    default_tolerance,
    judge_outcome,
    scaled_totals,
    scenario_tolerance,
)
from synthsoc.executor import Executor, ExecutorError, executor_spec
from synthsoc.executor import executor as open_executor
from synthsoc.job_progress import report_progress
from synthsoc.llm.types import LLMError
from synthsoc.sim import outputs as sim_outputs
from synthsoc.sim.delegate import DelegationConfig, LLMDecisionModel
from synthsoc.sim.network_stats import network_report
from synthsoc.sim.over_draws import simulate_over_draws
from synthsoc.sim.params import ScenarioError
from synthsoc.sim.regularities import check_regularity, regularity_chart
from synthsoc.sim.replicates import ProcessPoolRunner
from synthsoc.sim.run import SimulationRun, load_world, simulate
from synthsoc.sim.scenario import Scenario, builtin_scenarios, resolve_scenario
from synthsoc.synth import PopulationFolderError

console = Console(stderr=True)
OUTPUT_KIND = "simulation"
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))
OVER_DRAWS_FILE = "over_draws.csv"
OVER_DRAWS_PER_DRAW_FILE = "over_draws_per_draw.csv"


def verdicts(run: SimulationRun, *, seed: int = 0) -> dict[str, dict[str, Any]]:
    """The verdict on each outcome by the rule of :mod:`synthsoc.evaluate.replicate_verdict`.

    The tolerance is the scenario's (``outcomes:``) or, for an outcome it does not name, the
    stated default; the rule and its numbers are recorded beside each verdict.
    """
    values = run.outcome_values()
    out: dict[str, dict[str, Any]] = {}
    for name, data in values.items():
        if name in run.scenario.outcomes:
            tol = scenario_tolerance(run.scenario.outcomes[name])
        else:
            tol = default_tolerance(data)
        verdict = judge_outcome(data, tol, seed=seed).to_dict()
        verdict["values"] = data.tolist()
        out[name] = verdict
    return out


def _inputs(scenario: Scenario, population: Path) -> list[str | Path | None]:
    """What a run reads (the output folder may not be one of them)."""
    return [population, scenario.source if Path(scenario.source or "-").is_file() else None]


def _scenario_record(scenario: Scenario) -> dict[str, Any]:
    """The scenario as run, every resolved parameter included, for ``summary.json``."""
    return {
        "name": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "model": scenario.model,
        "steps": scenario.steps,
        "params": scenario.resolved_params(),
        "events": list(scenario.events),
        "tolerances": scenario.outcomes,
        "delegation": scenario.delegation.mode,
        "source": scenario.source,
    }


def run_scenario(
    scenario: Scenario,
    population: Path,
    out: Path,
    *,
    replicates: int,
    seed: int,
    workers: int,
    charts: bool = True,
    network_stats: bool = True,
    decision_model: Any = None,
    force: bool = False,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Build the world, run the replicates, judge the outcomes and write the run folder.

    ``executor``: the replicates are its work units (else ``workers`` forked processes)."""
    t0 = time.perf_counter()
    inputs = _inputs(scenario, population)
    check_output_folder(out, kind=OUTPUT_KIND, inputs=inputs, force=force)
    world = load_world(population, seed=seed)
    timings = dict(world.derived("timings", dict))
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(f"{scenario.name}: replicates", total=replicates)
        run = simulate(
            scenario,
            world,
            replicates=replicates,
            seed=seed,
            runner=ProcessPoolRunner(workers) if decision_model is None else None,
            decision_model=decision_model,
            executor=executor,
            on_done=lambda _i: _advance(progress, task, replicates),
        )
    timings["replicates_s"] = run.wall_s
    judged = verdicts(run, seed=seed)
    totals = scaled_totals(run.total_values(), world.scale, world.region, seed=seed)
    regular = (
        check_regularity(scenario.regularity, run.outputs) if scenario.regularity else []
    )
    report = network_report(world.network, world.agents, seed=seed) if network_stats else None
    with staged_directory(out, kind=OUTPUT_KIND, inputs=inputs, force=force) as folder:
        agents = world.agents
        per_district = np.bincount(agents.sigungu, minlength=agents.sigungu_codes.size)
        tables = sim_outputs.write_tables(folder, run.outputs, agents.sigungu_codes, per_district)
        written, maps = (
            sim_outputs.write_charts(folder, tables, scenario.name, judged, world.regions)
            if charts
            else ([], {})
        )
        if charts and scenario.regularity is not None:
            fig = regularity_chart(scenario.regularity, run.outputs, regular, scenario.name)
            written.append(sim_outputs.save_chart(folder, fig, "regularity.png"))
        summary = {
            "scenario": _scenario_record(scenario),
            "population": {"folder": str(population), "agents": world.agents.n},
            "replicates": replicates,
            "executor": executor.description if executor is not None else (
                f"local, {workers} process{'es' if workers > 1 else ''}"
                if decision_model is None else "local, this process"),
            "seed": seed,
            "seeding": f"numpy.random.SeedSequence({seed}).spawn({replicates})",
            "outcomes": judged,
            "totals": totals,
            "regularities": regular,
            "step_events": run.outputs[0].step_labels,
            "llm_calls": run.meta["llm_calls"],
            "timings_s": {**timings, "total_s": time.perf_counter() - t0},
            "network": _network_summary(report) if report else None,
            "maps": maps,
            "files": sorted(
                [*(k for k, v in tables.items() if v.height), *written, "summary.json"]
            ),
        }
        sim_outputs.write_summary(folder, summary)
    return summary


def run_scenario_over_draws(
    scenario: Scenario,
    population: Path,
    out: Path,
    *,
    replicates: int,
    seed: int,
    workers: int,
    force: bool = False,
) -> dict[str, Any]:
    """The replicates on every posterior population of ``population`` (``populate --draws
    K``), combined per outcome (:mod:`synthsoc.sim.over_draws`); writes ``summary.json``,
    ``over_draws.csv`` and ``over_draws_per_draw.csv``."""
    t0 = time.perf_counter()
    inputs = _inputs(scenario, population)
    check_output_folder(out, kind=OUTPUT_KIND, inputs=inputs, force=force)
    run = simulate_over_draws(
        scenario, population, replicates=replicates, seed=seed,
        runner=lambda: ProcessPoolRunner(workers),
        on_draw=lambda k, total: report_progress(k, total, "posterior populations"))
    rows = run.rows()
    with staged_directory(out, kind=OUTPUT_KIND, inputs=inputs, force=force) as folder:
        pl.DataFrame(rows).write_csv(folder / OVER_DRAWS_FILE)
        pl.DataFrame(run.per_draw_rows()).write_csv(folder / OVER_DRAWS_PER_DRAW_FILE)
        summary = {
            "scenario": _scenario_record(scenario),
            "population": {"folder": str(population), "draws_file": str(run.draws_file),
                           "agents": run.per_draw[0].agents,
                           "employed_per_draw": [d.employed for d in run.per_draw]},
            "replicates": replicates,
            "seed": seed,
            "seeding": f"numpy.random.SeedSequence({seed}).spawn({replicates}) on every draw",
            "over_draws": {r["outcome"]: r for r in rows},
            "notes": run.notes,
            "timings_s": {"total_s": time.perf_counter() - t0},
            "files": sorted([OVER_DRAWS_FILE, OVER_DRAWS_PER_DRAW_FILE, "summary.json"]),
        }
        sim_outputs.write_summary(folder, summary)
    return summary


def print_over_draws(summary: dict[str, Any], out: Path) -> None:
    rows = list(summary["over_draws"].values())
    draws = rows[0]["draws"] if rows else 0
    table = Table(title=f"{summary['scenario']['name']}: {summary['replicates']} replicates "
                  f"on each of {draws} posterior populations")
    for col in ("outcome", "mean", "95% CI", "population share", "engine share"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["outcome"], f"{r['estimate']:.4g}",
                      f"[{r['ci_low']:.4g}, {r['ci_high']:.4g}]",
                      f"{r['population_share']:.1%}", f"{r['engine_share']:.1%}")
    Console().print(table)
    Console().print("\n".join(summary["notes"]), highlight=False)
    console.print(f"total {summary['timings_s']['total_s']:.1f} s -> {out}")


def _advance(progress: Progress, task: TaskID, total: int) -> None:
    progress.advance(task)
    done = next(t.completed for t in progress.tasks if t.id == task)
    report_progress(int(done), total, "replicates")


def _network_summary(report: dict[str, Any]) -> dict[str, Any]:
    layers = {
        name: {k: v for k, v in entry.items() if not k.endswith("histogram")}
        for name, entry in report["layers"].items()
    }
    hist = {
        name: {k: v for k, v in entry.items() if k.endswith("histogram")}
        for name, entry in report["layers"].items()
    }
    return {"layers": layers, "degree_histograms": hist, "comparison": report["comparison"]}


def print_summary(summary: dict[str, Any], out: Path) -> None:
    table = Table(title=f"{summary['scenario']['name']}: {summary['replicates']} replicates")
    for col in ("outcome", "mean", "95% CI", "verdict", "why (rules below)"):
        table.add_column(col)
    rules = []
    for name, v in summary["outcomes"].items():
        table.add_row(
            name,
            f"{v['mean']:.4g}",
            f"[{v['ci_low']:.4g}, {v['ci_high']:.4g}]",
            v["label"],
            v["reason"],
        )
        rules.append(f"rule for {name}: {v['rule']}")
    Console().print(table)
    Console().print("\n".join(rules), highlight=False)
    totals = summary["totals"]
    if totals["totals"]:
        where = totals["scaled_to"] or "population (not scaled)"
        tt = Table(title=f"totals: synthetic sample and {where}")
        for col in ("total", "sample mean [95% CI]", f"{where} [95% CI]"):
            tt.add_column(col)
        for name, t in totals["totals"].items():
            s, p = t["sample"], t["population"]
            tt.add_row(
                name,
                f"{s['mean']:,.4g} [{s['ci_low']:,.4g}, {s['ci_high']:,.4g}]",
                "-" if p is None else f"{p['mean']:,.4g} [{p['ci_low']:,.4g}, {p['ci_high']:,.4g}]",
            )
        Console().print(tt)
        Console().print(f"rule for totals: {totals['rule']}", highlight=False)
    for r in summary.get("regularities", []):
        Console().print(
            f"regularity {r['regularity']}: {r['statistic']} = {r['median']:.3g} (runs 5-95%: "
            f"{r['runs_5_95'][0]:.3g}-{r['runs_5_95'][1]:.3g}) "
            f"{'within' if r['within'] else 'OUTSIDE'} band [{r['band'][0]:g}, {r['band'][1]:g}]"
            f" ({r['band_rule']}); "
            + ("" if r["published"] is None else f"published {r['published']:g}: ")
            + r["source"],
            highlight=False,
        )
    t = summary["timings_s"]
    console.print(
        f"{summary['population']['agents']:,} agents; network {t['network_s']:.1f} s, "
        f"replicates {t['replicates_s']:.1f} s, total {t['total_s']:.1f} s -> {out}"
    )


def register(app: typer.Typer) -> None:
    """Add the simulate command to the main application."""

    @app.command(name="simulate")
    def simulate_cmd(
        scenario: Annotated[
            str | None, typer.Argument(help="Built-in scenario name or a YAML file.")
        ] = None,
        population: Annotated[
            Path | None, typer.Option("--population", help="Population folder.")
        ] = None,
        replicates: Annotated[int, typer.Option(min=1, help="Independent runs.")] = 20,
        out: Annotated[Path, typer.Option(help="Run folder to write.")] = Path("out/sim"),
        seed: Annotated[int, typer.Option(help="Seed of everything random.")] = 0,
        workers: Annotated[
            int, typer.Option(min=1, help="Processes for replicates.")
        ] = DEFAULT_WORKERS,
        steps: Annotated[
            int | None, typer.Option(min=2, help="Override the scenario's steps.")
        ] = None,
        charts: Annotated[bool, typer.Option(help="Write PNG charts.")] = True,
        delegate: Annotated[
            str | None,
            typer.Option(help="Override the scenario's LLM delegation: none, sample or archetype."),
        ] = None,
        delegate_agents: Annotated[
            int, typer.Option(min=1, help="Agents delegated in 'sample' mode.")
        ] = 100,
        llm: Annotated[
            str, typer.Option(help="LLM backend for delegated decisions (see `synthsoc llm`).")
        ] = "local",
        list_: Annotated[
            bool, typer.Option("--list", help="List built-in scenarios and exit.")
        ] = False,
        force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
        sweep: Annotated[
            Path | None, typer.Option(help="Sweep file: a grid of parameters (docs/cluster.md).")
        ] = None,
        executor: Annotated[
            str | None,
            typer.Option(help="Where replicates (or sweep units) run: local or ray."),
        ] = None,
        address: Annotated[
            str | None, typer.Option(help="Ray cluster address (or $SYNTHSOC_RAY_ADDRESS).")
        ] = None,
        over_draws: Annotated[
            bool,
            typer.Option(
                "--over-draws",
                help="Run on each posterior population (`populate --draws K`) and combine: "
                "intervals with the population's and the replicates' shares of the variance.",
            ),
        ] = False,
    ) -> None:
        """Run a social simulation scenario R times and judge each outcome converging/diverging."""
        if list_:
            for name, sc in builtin_scenarios().items():
                typer.echo(f"{name}\t{sc.model}\t{sc.description}")
            return
        if scenario is None or population is None:
            raise typer.BadParameter("give a SCENARIO and --population DIR (or --list)")
        try:
            sc = resolve_scenario(scenario)
            if steps is not None:
                sc = sc.with_overrides(steps=steps)
            if delegate is not None:
                sc = sc.with_overrides(
                    delegation=DelegationConfig(
                        mode=delegate,
                        max_agents=delegate_agents,
                        max_calls=sc.delegation.max_calls,
                    )
                )
            spec = executor_spec(executor, workers=workers, address=address)
            if over_draws:
                if sweep is not None or spec.kind == "ray" or sc.delegation.mode != "none":
                    raise typer.BadParameter(
                        "--over-draws runs the replicates locally without LLM delegation: "
                        "drop --sweep, the Ray executor and delegation (--delegate none)")
                summary = run_scenario_over_draws(sc, population, out, replicates=replicates,
                                                  seed=seed, workers=workers, force=force)
                print_over_draws(summary, out)
                return
            if sweep is not None:
                result = run_sweep_folder(sc, sweep, population, out, replicates=replicates,
                                          seed=seed, spec=spec, force=force)
                console.print(f"{result['points_run']} grid points run, "
                              f"{result['points_resumed']} resumed ({result['executor']}) -> "
                              f"{out / 'outcomes.csv'}")
                return
            if spec.kind == "ray" and sc.delegation.mode != "none":
                raise typer.BadParameter(
                    f"scenario {sc.name!r} delegates decisions to a language model "
                    f"({sc.delegation.mode}); its replicates run in this process: drop "
                    f"the Ray executor (from {spec.source}) or use --delegate none"
                )
            if spec.kind == "ray":
                # an unreachable cluster stops here, before the world is built or anything written
                with open_executor(spec) as ex:
                    summary = run_scenario(sc, population, out, replicates=replicates, seed=seed,
                                           workers=workers, charts=charts, force=force,
                                           executor=ex)
            elif sc.delegation.mode == "none":
                summary = run_scenario(
                    sc,
                    population,
                    out,
                    replicates=replicates,
                    seed=seed,
                    workers=workers,
                    charts=charts,
                    force=force,
                )
            else:
                # delegated decisions go to the language model; replicates run serially
                llm_layer = importlib.import_module("synthsoc.llm")
                with llm_layer.open_llm(
                    llm, max_calls=sc.delegation.max_calls * replicates
                ) as client:
                    summary = run_scenario(
                        sc,
                        population,
                        out,
                        replicates=replicates,
                        seed=seed,
                        workers=1,
                        charts=charts,
                        decision_model=LLMDecisionModel(client, seed=seed),
                        force=force,
                    )
        except (ScenarioError, PopulationFolderError, ValueError, LLMError, ExecutorError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(code=2) from None
        print_summary(summary, out)
