"""Command line for the `personas` commands: persona attributes, card, audit and narratives."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from synthsoc.atomic import claim_files, write_parquet
from synthsoc.executor import ExecutorError, ExecutorSpec, executor, executor_spec
from synthsoc.llm.types import LLMError
from synthsoc.persona import generate_narratives, narrative_facts, write_personas
from synthsoc.persona.build import (
    DEFAULT_CHUNK_ROWS,
    PERSONAS_FILE,
    reusable_personas,
)
from synthsoc.persona.narratives import FACT_COLUMNS, NarrativePrompt
from synthsoc.synth import PopulationFolderError, load_population
from synthsoc.synth import schema as synth_schema
from synthsoc.synth.population import check_population_files

NARRATIVES_FILE = "narratives.parquet"
LLM_BACKENDS = ("none", "local", "openai")
NARRATIVE_MAX_TOKENS = 400

console = Console(stderr=True)


def _default_seed(folder: Path) -> int:
    manifest = folder / synth_schema.MANIFEST_FILE
    if manifest.is_file():
        try:
            loaded = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise PopulationFolderError(f"{manifest}: unreadable ({error})") from None
        seed = loaded.get("seed") if isinstance(loaded, dict) else None
        if isinstance(seed, int):
            return seed
    return 0


def _ensure_personas(folder: Path, seed: int, chunk_rows: int, spec: ExecutorSpec) -> None:
    reuse, why = reusable_personas(folder, seed, chunk_rows)
    if reuse:
        console.print(f"personas: reusing {folder / PERSONAS_FILE} (seed {seed}; {why})")
        return
    if (folder / PERSONAS_FILE).exists():
        console.print(f"personas: rebuilding {folder / PERSONAS_FILE} ({why})")
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} persons"),
        TimeElapsedColumn(),
    )
    # an unreachable cluster stops here, before anything is written
    with executor(spec) as ex, Progress(*columns, console=console) as progress:
        task = progress.add_task(f"persona attributes ({ex.description})", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = write_personas(folder, seed, chunk_rows=chunk_rows, progress=update,
                                 executor=ex)
        where = ex.description
    console.print(
        f"personas: {summary['n_persons']:,} persons -> {folder / PERSONAS_FILE}, "
        f"persona_card.md, persona_audit.json ({summary['audit_flags']} fixed cells flagged; "
        f"chunks on {where})"
    )


def _narratives(folder: Path, n: int, seed: int, backend: str, concurrency: int,
                regenerate: bool) -> None:
    wanted = [c for c in FACT_COLUMNS if c in synth_schema.PERSON_COLUMNS]
    population = load_population(folder, columns=[*wanted, "household_id", "sigungu_code"])
    personas = pl.scan_parquet(folder / PERSONAS_FILE)
    facts = narrative_facts(population, personas, n, seed)
    if backend == "none":
        result = generate_narratives(facts, seed)
    else:
        from synthsoc.llm import LLMRequest, open_llm

        with open_llm(backend) as llm:

            def generate(prompts: Sequence[NarrativePrompt]) -> list[str]:
                requests = [
                    LLMRequest(prompt=p.prompt, system=p.system, max_tokens=NARRATIVE_MAX_TOKENS,
                               seed=seed)
                    for p in prompts
                ]
                return [r.text for r in llm.complete_many(requests, concurrency=concurrency)]

            result = generate_narratives(
                facts, seed, generate=generate, source=llm.name, regenerate=regenerate,
                few_shot="gemma" in llm.name,  # a base model: prompts carry a worked example
            )
    write_parquet(folder / NARRATIVES_FILE, result)
    claim_files(folder, "population", [NARRATIVES_FILE])
    flagged = int((result["n_contradictions"] > 0).sum())
    kinds = Counter(p.split(":", 1)[0] for ps in result["contradictions"].to_list() for p in ps)
    by_kind = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"
    console.print(
        f"narratives: {result.height} ({result['source'][0]}) -> {folder / NARRATIVES_FILE}; "
        f"{flagged} with contradictions ({int(result['n_contradictions'].sum())} in all: "
        f"{by_kind})"
    )


def register(app: typer.Typer) -> None:
    """Add the personas commands to the main application."""

    @app.command("personas")
    def personas(
        folder: Annotated[Path, typer.Argument(help="population folder (synthsoc populate)")],
        seed: Annotated[int | None, typer.Option(help="random seed (default: the population's)")]
        = None,
        narratives: Annotated[int, typer.Option(help="write this many narratives")] = 0,
        llm: Annotated[str, typer.Option(help="narrative writer: none (Korean templates), "
                                               "local (embedded model) or openai")] = "none",
        concurrency: Annotated[int, typer.Option(help="concurrent LLM requests")] = 4,
        regenerate: Annotated[bool, typer.Option(help="re-ask the LLM once when a narrative "
                                                      "contradicts the persona")] = True,
        chunk_rows: Annotated[int, typer.Option(help="persons per processing chunk")]
        = DEFAULT_CHUNK_ROWS,
        workers: Annotated[int, typer.Option(min=1, help="processes for persona chunks "
                                                         "(local executor)")] = 1,
        executor: Annotated[str | None, typer.Option(help="where persona chunks run: local or "
                                                          "ray (docs/cluster.md)")] = None,
        address: Annotated[str | None, typer.Option(help="Ray cluster address (or "
                                                         "$SYNTHSOC_RAY_ADDRESS)")] = None,
    ) -> None:
        """Persona attributes, persona_card.md and the stereotype audit; narratives on request."""
        if llm not in LLM_BACKENDS:
            choices = ", ".join(LLM_BACKENDS)
            raise typer.BadParameter(f"--llm must be one of {choices}, got {llm!r}")
        if narratives < 0 or concurrency < 1 or chunk_rows < 1:
            raise typer.BadParameter(
                "--narratives must be >= 0, --concurrency and --chunk-rows >= 1"
            )
        try:
            check_population_files(folder)
            used_seed = _default_seed(folder) if seed is None else seed
            spec = executor_spec(executor, workers=workers, address=address)
            _ensure_personas(folder, used_seed, chunk_rows, spec)
            if narratives:
                _narratives(folder, narratives, used_seed, llm, concurrency, regenerate)
        except (PopulationFolderError, ValueError, LLMError, ExecutorError) as error:
            console.print(f"[red]error:[/red] {error}", soft_wrap=True)
            raise typer.Exit(code=1) from error
