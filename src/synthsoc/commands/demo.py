"""Command line for `synthsoc demo`: the main job, end to end, on the embedded defaults."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

DEMO_SCALE = 0.002  # about 100,000 people in 46,000 households across all of Korea


def demo_steps(out: Path, seed: int, scale: float) -> list[tuple[str, list[str], Path]]:
    """The demo as the commands a user would type: (title, arguments, main output)."""
    pop = out / "population"
    return [
        ("Synthetic population of Korea",
         ["populate", "--scale", str(scale), "--seed", str(seed), "--out", str(pop)],
         pop / "report.html"),
        ("Personas and Korean narratives (offline templates)",
         ["personas", str(pop), "--seed", str(seed), "--narratives", "5", "--llm", "none"],
         pop / "persona_card.md"),
        ("Concept test: two product concepts by age group and region",
         ["survey", "concept-test", "--population", str(pop), "--out",
          str(out / "concept_test"), "--seed", str(seed)],
         out / "concept_test" / "report.md"),
        ("Product launch in a simulated marketplace, 10 replicates (the verdict minimum)",
         ["simulate", "product_launch", "--population", str(pop), "--replicates", "10",
          "--seed", str(seed), "--out", str(out / "product_launch")],
         out / "product_launch" / "summary.json"),
    ]


def register(app: typer.Typer) -> None:
    """Add the demo command to the main application."""

    @app.command()
    def demo(
        out: Path = typer.Option(Path("out/demo"), help="Output folder."),
        seed: int = typer.Option(1, help="Seed for every step."),
        scale: float = typer.Option(DEMO_SCALE, help="Population scale."),
    ) -> None:
        """Synthesise a sample of Korea, give it personas, run a concept test and a simulation."""
        console = Console()
        done = Table(title="synthsoc demo")
        done.add_column("step")
        done.add_column("seconds", justify="right")
        done.add_column("open this", overflow="fold")
        for title, args, main in demo_steps(out, seed, scale):
            console.rule(title)
            started = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "synthsoc", *args], check=False)
            if result.returncode != 0:
                console.print(f"[red]step failed:[/red] synthsoc {' '.join(args)}")
                raise typer.Exit(code=result.returncode)
            done.add_row(title, f"{time.perf_counter() - started:.0f}", str(main))
        console.print(done)
