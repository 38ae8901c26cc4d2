"""Command line for `synthsoc serve`: API, job workers and dashboard in one process."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

DEMO_POPULATION = Path("out/demo/population")


def register(app: typer.Typer) -> None:
    """Add the serve command to the main application."""

    @app.command()
    def serve(
        data: Path = typer.Option(Path("out/service"), help="Folder of the run index, queue "
                                  "and every user's runs."),
        port: int = typer.Option(8000, min=1, max=65535, help="Port on 127.0.0.1."),
        users: Path | None = typer.Option(None, help="Users file (TOML; default DATA/users.toml)."),
        population: list[Path] = typer.Option(
            [], help="Population folder shared read-only with every user (repeatable; "
            "out/demo/population is shared when it exists)."),
        workers: int = typer.Option(2, min=1, max=16, help="Jobs run at once (all users)."),
        add_user: str | None = typer.Option(None, "--add-user", help="Create user NAME with "
                                            "a new token, print the token and exit."),
    ) -> None:
        """Serve the REST API (docs at /docs), the job workers and the dashboard."""
        from synthsoc.service import ConfigError, Limits, ServiceConfig
        from synthsoc.service import add_user as new_user
        from synthsoc.service.serve import run_server

        console = Console(stderr=True)
        users_file = users or data / "users.toml"
        shared = list(population)
        if not shared and (DEMO_POPULATION / "manifest.json").is_file():
            shared = [DEMO_POPULATION]
        config = ServiceConfig(data_dir=data.resolve(), users_file=users_file.resolve(),
                               shared_populations=tuple(p.resolve() for p in shared),
                               workers=workers, limits=Limits())
        try:
            if add_user is not None:
                token = new_user(config.users_file, add_user, config.limits)
                typer.echo(f"user {add_user}: token {token}  (stored as its SHA-256 in "
                           f"{config.users_file}; shown once)")
                return
            run_server(config, port=port, echo=typer.echo)
        except ConfigError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(code=2) from None
