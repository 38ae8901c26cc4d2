"""Command line for the `bench` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the bench commands to the main application."""
