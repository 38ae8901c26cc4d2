"""Command line for `synthsoc populate` and `synthsoc report`."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from synthsoc.atomic import FORCE_HELP
from synthsoc.data.readers import ReadError, read_json
from synthsoc.executor import ExecutorError, ExecutorSpec, executor_spec
from synthsoc.executor import executor as open_executor
from synthsoc.synth import schema


def register(app: typer.Typer) -> None:
    """Add the population commands to the main application."""

    @app.command()
    def populate(
        out: Path = typer.Option(..., "--out", help="Output folder: new, empty or a previous "
                                 "population run (replaced in one step)."),
        year: int = typer.Option(2025, help="Census year: 2025 (default) or 2020."),
        scale: float = typer.Option(0.01, help="Share of the population to synthesise, "
                                    "0.001 to 1.0."),
        seed: int = typer.Option(1, help="Random seed; the same seed gives identical files."),
        region: str | None = typer.Option(None, help="Restrict to one si-do or si-gun-gu, "
                                          "by code or name (e.g. 11, 서울특별시, Jongno-gu)."),
        controls: Path | None = typer.Option(None, help="Folder of user control tables "
                                             "(KOSIS CSV exports) replacing packaged ones."),
        html: bool = typer.Option(True, help="Write report.html with charts."),
        force: bool = typer.Option(False, help=FORCE_HELP),
        draws: int = typer.Option(0, help="Also write K posterior draws of education, marital "
                                  "status, economic activity and occupation per person "
                                  "(posterior_draws.parquet); 0 = none."),
        executor: str | None = typer.Option(None, help="Synthesise one task per si-do on "
                                            "local processes or ray (docs/cluster.md); "
                                            "unset: one process, the default draws."),
        workers: int = typer.Option(1, min=1, help="Processes for the si-do tasks (local "
                                    "executor)."),
        address: str | None = typer.Option(None, help="Ray cluster address (or "
                                           "$SYNTHSOC_RAY_ADDRESS or synthsoc.toml); implies "
                                           "--executor ray."),
    ) -> None:
        """Synthesise households and persons fitted to official tables."""
        from synthsoc.synth.populate import populate as run

        if not 0.001 <= scale <= 1.0:
            raise typer.BadParameter(f"{scale}: must be between 0.001 and 1.0",
                                     param_hint="--scale")
        if draws < 0:
            raise typer.BadParameter(f"{draws}: must be 0 or more", param_hint="--draws")
        try:
            spec: ExecutorSpec | None = executor_spec(executor, workers=workers,
                                                      address=address)
            if executor is None and workers == 1 and spec is not None and spec.kind == "local":
                spec = None  # nothing asked for: one process, the default draws
            with contextlib.ExitStack() as stack:
                # an unreachable cluster stops here, before anything is written
                opened = None if spec is None else stack.enter_context(open_executor(spec))
                result = run(out, year=year, scale=scale, seed=seed, region=region,
                             controls_dir=controls, html=html, force=force, draws=draws,
                             executor=opened)
                where = "one process" if opened is None else (
                    f"one task per si-do, {opened.description}")
        except (ValueError, ExecutorError) as exc:
            Console(stderr=True).print(f"[red]error:[/red] {exc}")
            raise typer.Exit(code=2) from exc
        _print_summary(result.summary, out)
        Console().print(f"{result.n_persons:,} persons, {result.n_households:,} households in "
                        f"{result.seconds:.1f} s ({where}) -> {out}")
        if html:
            Console().print(f"report: {out / 'report.html'}")

    @app.command()
    def report(folder: Path = typer.Argument(..., help="A population folder.")) -> None:
        """Print the fit summary of a population folder."""
        path = folder / schema.FIT_REPORT_FILE
        try:
            data = read_json(path)
            if not isinstance(data, dict) or not isinstance(data.get("summary"), dict) or \
                    not isinstance(data.get("controls"), dict):
                raise ReadError(f"{path}: not a synthsoc fit report (no summary and controls)")
        except ReadError as exc:
            Console(stderr=True).print(f"[red]error:[/red] {exc}")
            raise typer.Exit(code=2) from None
        table = Table(title="Control tables (TVD)")
        table.add_column("table")
        for level in ("eup_myeon_dong", "si_gun_gu", "si_do", "national"):
            table.add_column(level, justify="right")
        try:
            for name, levels in data["controls"].items():
                table.add_row(name, *[f"{levels[lvl]['tvd']:.5f}" if lvl in levels else "-"
                                      for lvl in ("eup_myeon_dong", "si_gun_gu", "si_do",
                                                  "national")])
        except (KeyError, TypeError, ValueError) as exc:
            Console(stderr=True).print(f"[red]error:[/red] {path}: malformed control entry "
                                       f"({exc!r})")
            raise typer.Exit(code=2) from None
        _print_summary(data["summary"], folder)
        Console().print(table)


def _print_summary(summary: dict[str, object], folder: Path) -> None:
    table = Table(title=f"Population summary: {folder}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        text = f"{value:,}" if isinstance(value, int) else (
            f"{value:.6f}" if isinstance(value, float) else str(value))
        table.add_row(key, text)
    Console().print(table)
