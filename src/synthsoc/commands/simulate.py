"""Command line for the `simulate` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the simulate commands to the main application."""
