"""Command line for the `llm` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the llm commands to the main application."""
