"""Command line for `synthsoc policy`: Korean tax-benefit rules on a population, with reforms."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from synthsoc.atomic import FORCE_HELP, OutputFolderError, check_output_folder, staged_directory
from synthsoc.policy.evaluate_rules import DEFAULT_RULE_YEARS
from synthsoc.policy.outputs import relief_takeup, write_run
from synthsoc.policy.reform import ReformError, load_reform
from synthsoc.policy.run import RunConfig, run_policy
from synthsoc.policy.system import RULE_LABELS
from synthsoc.policy.units import build_units
from synthsoc.policy.validation import validate
from synthsoc.synth import PopulationFolderError, load_population

console = Console(stderr=True)
OUTPUT_KIND = "policy"
VALIDATION_KIND = "policy-validation"


def _rule_years(rules: str | None, years: list[str]) -> dict[str, int]:
    chosen = dict(DEFAULT_RULE_YEARS)
    if rules:
        names = [r.strip() for r in rules.split(",") if r.strip()]
        unknown = sorted(set(names) - set(chosen))
        if unknown:
            raise typer.BadParameter(f"--rules: unknown {unknown}; known: {sorted(chosen)}")
        chosen = {r: chosen[r] for r in names}
    for item in years:
        rule, _, year = item.partition("=")
        if rule not in chosen or not year.isdigit():
            raise typer.BadParameter(f"--year {item!r}: expected RULE=YEAR with RULE among "
                                     f"{sorted(chosen)}")
        chosen[rule] = int(year)
    return chosen


def register(app: typer.Typer) -> None:
    """Add the policy command group to the main application."""
    policy = typer.Typer(help="Korean benefit and tax rules on every household, with reforms.",
                         no_args_is_help=True)
    app.add_typer(policy, name="policy")

    @policy.command(name="run")
    def run_cmd(
        population: Annotated[Path, typer.Option(help="Population folder.")],
        reform: Annotated[Path | None, typer.Option(help="Reform YAML file.")] = None,
        out: Annotated[Path, typer.Option(help="Run folder to write.")] = Path("out/policy"),
        draws: Annotated[int, typer.Option(min=1, help="Draws of income and assets.")] = 20,
        seed: Annotated[int, typer.Option(help="Seed of everything random.")] = 1,
        rules: Annotated[str | None, typer.Option(help="Comma-separated rules (default all).")
                         ] = None,
        year: Annotated[list[str] | None, typer.Option(help="RULE=YEAR override.")] = None,
        takeup: Annotated[bool, typer.Option(
            help="Take-up below 100% through the network, for every rule.")] = True,
        charts: Annotated[bool, typer.Option(help="Write PNG charts and the map.")] = True,
        market_spending: Annotated[bool, typer.Option(
            help="The relief payment's spending through the marketplace, by income bracket "
                 "(minutes at 1%: the purchase hazard is fitted unless given).")] = False,
        spending_innovation: Annotated[float | None, typer.Option(
            min=0.0, max=1.0, help="Weekly purchase hazard of the marketplace spending "
                                   "(default: fitted to the published estimate).")] = None,
        spending_replicates: Annotated[int, typer.Option(
            min=1, help="Replicates of the marketplace spending.")] = 5,
        force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    ) -> None:
        """Cost, recipients, winners and losers of a reform against the baseline."""
        started = time.perf_counter()
        try:
            check_output_folder(out, kind=OUTPUT_KIND, inputs=[population, reform], force=force)
            config = RunConfig(draws=draws, seed=seed, rule_years=_rule_years(rules, year or []))
            spec = load_reform(reform) if reform is not None else None
            pop = load_population(population)
            run = run_policy(pop, spec, config)
        except (ReformError, PopulationFolderError, OutputFolderError, ValueError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
        result = []
        claimed = []
        spent = None
        relief = "emergency_relief" in config.rule_years
        if takeup or (market_spending and relief):
            from synthsoc.policy.behaviour import TAKEUP_LAYERS
            from synthsoc.policy.claims import rule_claims
            from synthsoc.policy.spending import relief_spending
            from synthsoc.sim import load_world

            world = load_world(population, seed=seed)
            person_household = build_units(pop).household
            if takeup:
                adjacency = world.adjacency(TAKEUP_LAYERS)
                if relief:
                    result = relief_takeup(run, adjacency, person_household, seed)
                claimed = rule_claims(run, adjacency, person_household, seed)
            if market_spending and relief:
                payments = {"baseline": run.baseline["emergency_relief"][0]}
                if spec is not None:
                    payments["reform"] = run.reform["emergency_relief"][0]
                spent = relief_spending(run.households, payments, world, person_household,
                                        seed, run.weight, spending_innovation,
                                        spending_replicates)
        if market_spending and not relief:
            console.print("[yellow]--market-spending: the relief payment is not among the "
                          "rules, nothing to spend[/yellow]")
        with staged_directory(out, kind=OUTPUT_KIND, inputs=[population, reform],
                              force=force) as stage:
            write_run(stage, run, population, pop.regions, result, charts_on=charts,
                      claims=claimed, spending=spent)
        table = Table(title=f"policy run -> {out}")
        for col in ("rule", "baseline cost (억원)", "reform cost (억원)", "change (억원)",
                    "reform recipients"):
            table.add_column(col, justify="right")
        from synthsoc.policy.report import summary_table

        for row in summary_table(run).iter_rows(named=True):
            table.add_row(RULE_LABELS[row["rule"]], f"{row['baseline_cost_krw'] / 1e8:,.0f}",
                          f"{row['reform_cost_krw'] / 1e8:,.0f}",
                          f"{row['change_krw'] / 1e8:,.0f} [{row['change_krw_p05'] / 1e8:,.0f}, "
                          f"{row['change_krw_p95'] / 1e8:,.0f}]",
                          f"{row['reform_recipients']:,.0f}")
        console.print(table)
        from synthsoc.policy.report import household_change

        if spec is not None and not household_change(run).any():
            console.print("[yellow]the reform changes nothing in the evaluated years: check its "
                          "start dates against the rule years (--year RULE=YEAR)[/yellow]")
        console.print(f"{draws} draws, {time.perf_counter() - started:.1f} s; "
                      f"report: {out / 'report.md'}")

    @policy.command(name="validate")
    def validate_cmd(
        population: Annotated[Path, typer.Option(help="Population folder.")],
        out: Annotated[Path, typer.Option(
            help="Folder to write (validation.csv inside it).")] = Path("out/policy_validation"),
        draws: Annotated[int, typer.Option(min=1, help="Draws of income and assets.")] = 10,
        seed: Annotated[int, typer.Option(help="Seed.")] = 1,
        force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    ) -> None:
        """Simulated cost and recipients against the official totals, with the gap."""
        try:
            check_output_folder(out, kind=VALIDATION_KIND, inputs=[population], force=force)
            table = validate(load_population(population), draws=draws, seed=seed)
        except (PopulationFolderError, OutputFolderError, ValueError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
        with staged_directory(out, kind=VALIDATION_KIND, inputs=[population],
                              force=force) as stage:
            table.write_csv(stage / "validation.csv")
        view = Table(title=f"official totals -> {out / 'validation.csv'}")
        for col in ("rule", "year", "scenario", "measure", "official", "simulated [p05, p95]",
                    "gap", "within"):
            view.add_column(col)
        for r in table.iter_rows(named=True):
            official = f"{r['official']:,.0f}" + (
                f"-{r['official_upper']:,.0f}" if r["official_upper"] else "")
            view.add_row(r["rule"], str(r["year"]), r["scenario"], r["measure"], official,
                         f"{r['simulated']:,.0f} [{r['simulated_p05']:,.0f}, "
                         f"{r['simulated_p95']:,.0f}]", f"{r['gap']:+.1%}",
                         "no verdict" if r["within"] is None else str(r["within"]))
        console.print(view)
