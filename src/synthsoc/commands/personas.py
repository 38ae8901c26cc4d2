"""Command line for the `personas` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the personas commands to the main application."""
