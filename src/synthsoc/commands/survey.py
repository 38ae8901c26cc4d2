"""Command line for the `survey` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the survey commands to the main application."""
