"""Command line for the `bench` commands: holdout benchmarks printed as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from synthsoc.evaluate.holdout import (
    HoldoutError,
    holdout_benchmark,
    microdata_from_frame,
    read_microdata,
)
from synthsoc.evaluate.tables_holdout import (
    population_cell_weights,
    read_cell_weights,
    tables_holdout,
)
from synthsoc.survey.kgss import kgss_benchmark_frame
from synthsoc.survey.mapping import MappingError
from synthsoc.survey.respondents import respondent_frame
from synthsoc.survey.tables import (
    TablesError,
    choose_partition,
    load_label_map,
    read_kosis_tables,
)
from synthsoc.synth import PopulationFolderError, load_population

bench_app = typer.Typer(help="Holdout benchmarks (JSON on stdout).", no_args_is_help=True)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


@bench_app.command("survey")
def survey(
    features: Annotated[str, typer.Option("--features", help="Comma-separated attribute columns.")],
    group_by: Annotated[str, typer.Option("--group-by", help="Comma-separated group columns.")],
    data: Annotated[
        Path | None, typer.Option("--data", help="Respondent microdata CSV.")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="Answer column (the item with --kgss).")
    ] = None,
    kgss: Annotated[
        bool,
        typer.Option(
            "--kgss",
            help="Use the packaged KGSS 2003-2012 (columns sex, age_group, education, "
            "marital_status, region, year and the --target item).",
        ),
    ] = False,
    train_frac: Annotated[float, typer.Option("--train-frac")] = 0.5,
    seeds: Annotated[int, typer.Option("--seeds")] = 5,
    min_group: Annotated[int, typer.Option("--min-group")] = 30,
    engine: Annotated[str, typer.Option("--engine", help="calibrated | logistic.")] = "calibrated",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the full JSON (default: summary).")
    ] = False,
) -> None:
    """Holdout benchmark of the calibrated answer model on a microdata CSV (or KGSS).

    Prints TVD against the held-out groups beside the marginal and logistic baselines on the
    same splits, a verdict that says when the model loses, and the coverage of its nominal 90%
    intervals for the held-out group shares.
    """
    try:
        groups = _split(group_by)
        if target is None:
            raise HoldoutError("--target is required (the answer column or KGSS item)")
        if kgss == (data is not None):
            raise HoldoutError("give exactly one of --data or --kgss")
        if kgss:
            micro = microdata_from_frame(
                kgss_benchmark_frame(target), target, _split(features), groups, "KGSS 2003-2012"
            )
        else:
            assert data is not None
            micro = read_microdata(data, target, _split(features), groups)
        result = holdout_benchmark(
            micro, groups, train_frac=train_frac, seeds=seeds, min_group=min_group, engine=engine
        )
    except (HoldoutError, MappingError) as error:
        Console(stderr=True).print(f"[red]bench survey failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    _emit(result, as_json, ["mean_tvd", "logistic_mean_tvd", "baseline_mean_tvd", "n_groups"])
    if not as_json:
        coverage = result["coverage"]
        typer.echo(f"verdict: {result['verdict']}")
        typer.echo(
            f"interval coverage: {coverage['predictive_coverage']:.3f} of "
            f"{coverage['n_intervals']} nominal {coverage['nominal']:.0%} intervals "
            f"(its own 95% interval {coverage['interval_95'][0]:.3f}-"
            f"{coverage['interval_95'][1]:.3f}, over {coverage['n_groups']} groups) "
            f"(band {coverage['band'][0]:.2f}-{coverage['band'][1]:.2f}: "
            f"{'within' if coverage['within_band'] else 'OUTSIDE'})"
        )


@bench_app.command("survey-tables")
def survey_tables(
    data: Annotated[Path, typer.Option("--data", help="KOSIS-shaped long CSV.")],
    question: Annotated[str, typer.Option("--question", help="Question name in the CSV.")],
    margins: Annotated[str, typer.Option("--margins", help="A,B: the one-way tables to fit on.")],
    joint: Annotated[
        str | None, typer.Option("--joint", help="A,B or A*B: the table to predict.")
    ] = None,
    population: Annotated[
        Path | None, typer.Option("--population", help="Population for A x B weights.")
    ] = None,
    label_map: Annotated[
        Path | None, typer.Option("--label-map", help="Group label -> attribute YAML.")
    ] = None,
    weights: Annotated[Path | None, typer.Option("--weights", help="CSV of A x B weights.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the full JSON (default: summary).")
    ] = False,
) -> None:
    """Fit on one-way tables of A and B, predict the published A x B table."""
    try:
        parts = _split(margins)
        if len(parts) != 2:
            raise TablesError(f"--margins needs two group types A,B, got {margins!r}")
        type_a, type_b = parts
        joint_type = None
        if joint:
            jp = _split(joint.replace("*", ","))
            joint_type = "*".join(jp)
        tables = read_kosis_tables(data)
        qt = tables.question(question)
        maps = load_label_map(label_map) if label_map else {}
        labels_a, _ = choose_partition(list(qt.tables.get(type_a, {})), maps.get(type_a))
        labels_b, _ = choose_partition(list(qt.tables.get(type_b, {})), maps.get(type_b))
        cell_weights = None
        label = "uniform"
        if population is not None:
            if not label_map:
                raise TablesError("--population needs --label-map (group label -> attribute)")
            for gtype in (type_a, type_b):
                if gtype not in maps:
                    raise TablesError(f"{label_map}: no entry for group type {gtype!r}")
            pop = load_population(population)
            frame = respondent_frame(pop, min_age=0)
            cell_weights = population_cell_weights(
                frame, labels_a, labels_b, maps[type_a], maps[type_b]
            )
            label = f"population {population} ({frame.height} persons, label map {label_map})"
        elif weights is not None:
            cell_weights = read_cell_weights(weights, type_a, type_b, labels_a, labels_b)
            label = f"weights file {weights}"
        result = tables_holdout(
            tables,
            question,
            type_a,
            type_b,
            joint_type=joint_type,
            weights=cell_weights,
            weights_label=label,
            label_map=maps,
        )
        result["table_notes"] = list(tables.notes)  # groups left out (missing values)
        for note in tables.notes:
            Console(stderr=True).print(f"[yellow]note:[/yellow] {note}")
    except (TablesError, PopulationFolderError) as error:
        Console(stderr=True).print(f"[red]bench survey-tables failed:[/red] {error}")
        raise typer.Exit(code=1) from error
    _emit(
        result,
        as_json,
        ["mean_tvd", "baseline_mean_tvd", "baseline_b_mean_tvd", "uniform_weights_mean_tvd"],
    )


def _emit(result: dict[str, object], as_json: bool, keys: list[str]) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for key in keys:
        typer.echo(f"{key}: {result[key]}")


def register(app: typer.Typer) -> None:
    """Add the bench commands to the main application."""
    app.add_typer(bench_app, name="bench")
