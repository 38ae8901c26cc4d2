"""Benchmark: persona attributes for a whole population (time and peak memory).

Either a real population folder (``--population DIR``: runs ``write_personas`` on it, writing
personas.parquet, the audit and the card) or a synthetic persons frame of N rows with plausible
columns (``--synthetic-n N``: times the attribute step and the audit, nothing written).
``--synthetic-n N --write-dir DIR`` only saves that frame as a minimal population folder, so
that a second run ``--population DIR`` times ``write_personas`` in a fresh process (Parquet
reading and streaming included, peak memory not inflated by building the input).
Prints a table and writes ``bench/results/personas.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path

import numpy as np
import polars as pl

from synthsoc.persona import write_personas
from synthsoc.persona.audit import AUDIT_CELL, AuditAccumulator
from synthsoc.persona.build import DEFAULT_CHUNK_ROWS, persona_chunk
from synthsoc.persona.inputs import HOUSEHOLD_INPUTS, PERSON_INPUTS
from synthsoc.persona.tables import dialect_by_sido
from synthsoc.synth import schema

RESULTS = Path(__file__).resolve().parent / "results" / "personas.json"


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def synthetic_persons(n: int, seed: int) -> pl.DataFrame:
    """N persons joined with a household income bracket: plausible values, not a fitted sample."""
    rng = np.random.default_rng(seed)
    ages = np.minimum(rng.gamma(4.0, 11.0, n).astype(np.int64), 100)
    sido = np.array(sorted(dialect_by_sido()))
    weights = np.linspace(1.0, 3.0, len(sido))
    employed_p = np.where((ages >= 20) & (ages < 65), 0.7, np.where(ages >= 65, 0.35, 0.1))
    u = rng.random(n)
    activity = np.where(
        ages < 15, "under_15",
        np.where(u < employed_p, "employed", np.where(u < employed_p + 0.03, "unemployed",
                                                      "inactive")),
    )
    occupations = np.array(list(schema.OCCUPATION_GROUPS)[:9])
    occupation = np.where(activity == "employed", rng.choice(occupations, n), None)
    relationship = rng.choice(["head", "spouse", "child", "parent"], n, p=[0.42, 0.28, 0.25, 0.05])
    marital = np.where(
        ages < 25, "never_married",
        rng.choice(["married", "never_married", "widowed", "divorced"], n,
                   p=[0.62, 0.2, 0.1, 0.08]),
    )
    return pl.DataFrame(
        {
            "person_id": np.arange(n, dtype=np.int64),
            "household_id": np.arange(n, dtype=np.int64) * 10 // 23,
            "relationship": relationship,
            "age": ages.astype(np.int16),
            "sex": rng.choice(["M", "F"], n),
            "sido_code": rng.choice(sido, n, p=weights / weights.sum()),
            "marital_status": marital,
            "economic_activity": activity,
            "occupation": pl.Series(occupation, dtype=pl.String),
            "income_bracket": rng.choice(schema.INCOME_BRACKETS, n),
            "nationality": np.where(rng.random(n) < 0.03, "foreign", "korean"),
            "education": rng.choice(schema.EDUCATION_LEVELS[2:], n),
        }
    ).select([*PERSON_INPUTS, *HOUSEHOLD_INPUTS[1:]])


def bench_synthetic(n: int, seed: int, chunk_rows: int) -> dict[str, object]:
    t0 = time.perf_counter()
    persons = synthetic_persons(n, seed)
    build_s = time.perf_counter() - t0
    rss_input = peak_rss_mib()
    audit = AuditAccumulator()
    attr_s = audit_s = 0.0
    for index, start in enumerate(range(0, n, chunk_rows)):
        chunk = persons.slice(start, chunk_rows)
        t1 = time.perf_counter()
        personas = persona_chunk(chunk, seed, index)
        t2 = time.perf_counter()
        audit.add(pl.concat([chunk.select(AUDIT_CELL), personas], how="horizontal"))
        t3 = time.perf_counter()
        attr_s += t2 - t1
        audit_s += t3 - t2
    t4 = time.perf_counter()
    report = audit.report()
    audit_s += time.perf_counter() - t4
    return {
        "mode": f"synthetic persons frame, {n:,} rows (not a fitted population)",
        "n_persons": n,
        "chunk_rows": chunk_rows,
        "input_build_s": round(build_s, 2),
        "attributes_s": round(attr_s, 2),
        "audit_s": round(audit_s, 2),
        "persons_per_s": round(n / attr_s),
        "peak_rss_after_input_mib": round(rss_input),
        "peak_rss_mib": round(peak_rss_mib()),
        "audit_flags": len(report["flags"]),
    }


def write_synthetic_folder(n: int, seed: int, folder: Path) -> Path:
    """Save the synthetic frame as a minimal population folder (the columns personas read)."""
    persons = synthetic_persons(n, seed)
    folder.mkdir(parents=True, exist_ok=True)
    persons.drop("income_bracket").write_parquet(folder / schema.PERSONS_FILE)
    households = persons.group_by("household_id", maintain_order=True).agg(
        pl.col("income_bracket").first()
    )
    households.write_parquet(folder / schema.HOUSEHOLDS_FILE)
    (folder / schema.MANIFEST_FILE).write_text(json.dumps({"synthetic": True, "seed": seed}))
    return folder


def bench_folder(folder: Path, seed: int, chunk_rows: int) -> dict[str, object]:
    t0 = time.perf_counter()
    summary = write_personas(folder, seed, chunk_rows=chunk_rows)
    elapsed = time.perf_counter() - t0
    n = int(str(summary["n_persons"]))
    return {
        "mode": f"population folder {folder}",
        "n_persons": n,
        "chunk_rows": chunk_rows,
        "write_personas_s": round(elapsed, 2),
        "persons_per_s": round(n / elapsed),
        "peak_rss_mib": round(peak_rss_mib()),
        "audit_flags": summary["audit_flags"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--population", type=Path, help="population folder")
    source.add_argument("--synthetic-n", type=int, help="rows of a synthetic persons frame")
    parser.add_argument("--write-dir", type=Path, help="with --synthetic-n: only save a folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.population is not None:
        result = bench_folder(args.population, args.seed, args.chunk_rows)
    elif args.write_dir is not None:
        folder = write_synthetic_folder(args.synthetic_n, args.seed, args.write_dir)
        print(f"wrote {folder}; time it with: --population {folder}")
        return
    else:
        result = bench_synthetic(args.synthetic_n, args.seed, args.chunk_rows)
    result["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at start of report"
    )
    result["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
