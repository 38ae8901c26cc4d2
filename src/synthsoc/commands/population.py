"""Command line for the `population` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the population commands to the main application."""
