"""The `synthsoc` command line: a thin shell that wires the layer commands together."""

from __future__ import annotations

import typer

from synthsoc.commands import (
    bench,
    demo,
    llm,
    personas,
    policy,
    population,
    sandbox,
    serve,
    simulate,
    survey,
    town,
)

app = typer.Typer(
    name="synthsoc",
    help="Synthetic society of South Korea: population, personas, simulations, surveys.",
    no_args_is_help=True,
    add_completion=False,
)

for module in (population, personas, llm, simulate, policy, town, survey, sandbox, bench, demo,
               serve):
    module.register(app)
