"""`--executor` on the commands (issue 13): `synthsoc personas` and one `synthsoc survey run
--engine llm` with 1 and 2 local workers and on Ray, each checked byte-identical to one worker.

* personas: the command on a stand-in population (``bench_sim_population.py``) in chunks of
  ``--chunk-rows`` (the chunks are the work units).
* survey: one Likert question asked of ``--sample`` personas through the embedded model
  (SmolLM2-135M, llama.cpp, one thread), log-probability scoring, the option's number only;
  units of at most 16 requests, at least two per worker. The
  command's own client (the plan's timed call) runs in this process; each worker process opens
  its own embedded server, and that start-up is part of the timing. Cache off, fresh journal.

Every variant is one command run in this process (typer's test runner), timed from start to
end. Ray is one local instance with ``--ray-cpus`` CPUs, started before the timings (the
commands reuse the connection); its start is reported apart.

Usage: PYTHONPATH=src RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 python bench/bench_commands_executor.py
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from synthsoc.atomic import write_json
from synthsoc.cli import app
from synthsoc.executor import RayExecutor

HERE = Path(__file__).resolve().parent
PERSONA_FILES = ("personas.parquet", "persona_audit.json", "persona_card.md")
QUESTIONNAIRE = """\
id: bench
segments: [age_group]
questions:
  - id: life
    type: likert
    text: 요즘 생활에 전반적으로 얼마나 만족하십니까?
    options: [매우 불만족, 불만족, 보통, 만족, 매우 만족]
"""
runner = CliRunner()
SAVE: Any = None  # writes the rows so far (set in main): a long run keeps what it measured


def _population(folder: Path, persons: int) -> Path:
    spec = importlib.util.spec_from_file_location("pop", HERE / "bench_sim_population.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Path(module.write_population(folder, persons, seed=1, max_emd=300))


def _invoke(args: list[str]) -> tuple[float, float]:
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    result = runner.invoke(app, args)
    wall = time.perf_counter() - t0
    if result.exit_code != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.output}")
    return wall, load


VARIANTS: dict[str, list[str]] = {
    "local 1": [],
    "local 2": ["--workers", "2", "--executor", "local"],
    "ray": ["--executor", "ray"],
}


def bench_personas(pop: Path, tmp: Path, chunk_rows: int,
                   rows: list[dict[str, Any]]) -> None:
    reference = None
    for name, options in VARIANTS.items():
        folder = tmp / f"personas-{name.replace(' ', '')}"
        shutil.copytree(pop, folder)
        (folder / "personas.parquet").unlink(missing_ok=True)
        wall, load = _invoke(["personas", str(folder), "--seed", "2", "--chunk-rows",
                              str(chunk_rows), *options])
        files = [(folder / f).read_bytes() for f in PERSONA_FILES]
        reference = reference or files
        rows.append({"job": "synthsoc personas", "backend": name,
                     "units": -(-_persons(pop) // chunk_rows), "wall_s": round(wall, 2),
                     "load_at_start": round(load, 1), "identical_to_local_1": files == reference})
        SAVE(rows)


def _persons(pop: Path) -> int:
    import polars as pl

    return int(pl.scan_parquet(pop / "persons.parquet").select(pl.len()).collect().item())


def bench_survey(pop: Path, tmp: Path, sample: int, rows: list[dict[str, Any]]) -> None:
    q = tmp / "q.yaml"
    q.write_text(QUESTIONNAIRE, encoding="utf-8")
    reference = None
    for name, options in VARIANTS.items():
        out = tmp / f"survey-{name.replace(' ', '')}"
        wall, load = _invoke(["survey", "run", str(q), "--population", str(pop), "--engine",
                              "llm", "--sample", str(sample), "--scoring", "logprobs",
                              "--reason-tokens", "0", "--seed", "3", "--llm-backend", "local",
                              "--journal", str(tmp / f"{out.name}.journal.jsonl"),
                              "--out", str(out), *options])
        files = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}
        reference = reference or files
        rows.append({"job": f"synthsoc survey run --engine llm, {sample} personas",
                     "backend": name, "wall_s": round(wall, 2),
                     "load_at_start": round(load, 1),
                     "identical_to_local_1": files == reference})
        SAVE(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--chunk-rows", type=int, default=25_000)
    parser.add_argument("--sample", type=int, default=8)
    parser.add_argument("--ray-cpus", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "commands_executor.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-commands-executor-"))
    config = tmp / "llm.toml"
    config.write_text("")  # no user settings: embedded model, no cache
    os.environ["SYNTHSOC_LLM_CONFIG"] = str(config)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    rows: list[dict[str, Any]] = []
    ray_start = 0.0

    def save(so_far: list[dict[str, Any]]) -> None:
        write_json(args.out, {
            "started": started,
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, shared with other jobs",
            "load_average_now": os.getloadavg(),
            "ray_start_s": round(ray_start, 1),
            "rows": so_far,
        })
        print(so_far[-1], flush=True)

    global SAVE
    SAVE = save
    try:
        pop = _population(tmp / "pop", args.persons)
        t0 = time.perf_counter()
        ray_ex = RayExecutor(workers=args.ray_cpus)
        ray_start = time.perf_counter() - t0
        try:
            bench_personas(pop, tmp, args.chunk_rows, rows)
            bench_survey(pop, tmp, args.sample, rows)
        finally:
            ray_ex.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    table = Table(title="--executor on the commands")
    for col in ("job", "backend", "wall s", "load", "identical"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["job"], r["backend"], f"{r['wall_s']:.2f}",
                      f"{r['load_at_start']:.1f}", str(r["identical_to_local_1"]))
    Console().print(table)
    print(f"ray instance start: {ray_start:.1f} s (not in the timings)")


if __name__ == "__main__":
    main()
