"""synthsoc against humanleague on the same control tables, in the same run.

humanleague's quasirandom integer sampler (QIS) builds persons only: here, for every
si-gun-gu, persons by eup-myeon-dong x sex x 5-year age group from two marginals, the
eup-myeon-dong x sex counts of Korean household members and the si-gun-gu's sex x age
targets. synthsoc builds households and persons for the same area and scale. Both fits are
scored on the same two tables. Three timings:

* ``end_to_end``, like for like: each engine from the bundled tables to its persons on disk.
  humanleague: loading the census tables and building the run's controls (the same code
  synthsoc runs), QIS per si-gun-gu, one row per person (eup-myeon-dong, sex, age group) and
  the Parquet file, written by the same writer. synthsoc: ``populate`` (households and
  persons, every attribute, the fit report, the files). The first ``populate`` of the
  process, which also loads the compiled kernels, is reported apart.
* ``sampler_only``, not like for like (the figure quoted before): humanleague's QIS loop
  alone, its controls built outside the timer, against synthsoc's whole ``populate``.

A single run of either varies by a third on a shared 2-core machine, so the engines run
``--repeats`` times each, one after the other in turn, each engine first in every other
repeat; the ratios are of the medians, and the fastest and slowest runs are printed beside
them.

    python bench/bench_population_humanleague.py [--region 11] [--scale 0.05] [--repeats 7]

writes bench/results/population_vs_humanleague.json for the default region and scale and
population_vs_humanleague_<region>_scale_<scale>.json for any other.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import humanleague
import numpy as np
import polars as pl
import pyarrow as pa

from synthsoc.atomic import write_arrow_table
from synthsoc.data.census import load_emd_controls
from synthsoc.synth.controls import build_run_controls
from synthsoc.synth.fit_report import table_metrics
from synthsoc.synth.populate import populate
from synthsoc.synth.regions import resolve_region

RESULTS = Path(__file__).resolve().parent / "results"
N_AGE = 21


def integer_split(values: np.ndarray, total: int) -> np.ndarray:
    """Largest-remainder rounding of ``values`` to integers summing to ``total``."""
    scaled = values * (total / values.sum()) if values.sum() > 0 else values
    base = np.floor(scaled).astype(np.int64)
    rest = total - int(base.sum())
    if rest > 0:
        base[np.argsort(-(scaled - base), kind="stable")[:rest]] += 1
    return base


def run_humanleague(region: str, scale: float, seed: int, scratch: Path) -> dict[str, object]:
    started = time.perf_counter()
    census = load_emd_controls(2025)
    controls = build_run_controls(census, scale, seed, region)
    emd_sex = controls.general_members + controls.special_members["inst"] \
        + controls.special_members["nonkin"]
    sgg = controls.emd["sgg_idx"].to_numpy()
    ages = controls.korean_age_sex
    emd_tables, age_tables, cells = [], [], []
    sampling = time.perf_counter()
    for g in range(controls.sigungu.height):
        rows = np.flatnonzero(sgg == g)
        m_emd_sex = emd_sex[rows].astype(np.int64)
        if m_emd_sex.sum() == 0:
            continue
        m_sex_age = np.stack([integer_split(ages[g, s], int(m_emd_sex[:, s].sum()))
                              for s in (0, 1)])
        result = humanleague.qis([np.array([0, 1]), np.array([1, 2])],
                                 [m_emd_sex, m_sex_age])
        population = np.asarray(result[0])
        emd_tables.append((population.sum(axis=2), m_emd_sex))
        age_tables.append((population.sum(axis=0), ages[g]))
        cells.append((rows, population))
    sampler_seconds = time.perf_counter() - sampling
    persons = _persons_table(cells, controls.emd["emd_code"].to_list())
    write_arrow_table(scratch / "humanleague_persons.parquet", persons,
                      dictionary_columns_only=True, delta_encoded=("person_id",))
    seconds = time.perf_counter() - started
    return {
        "persons": persons.num_rows,
        "end_to_end_seconds": seconds,
        "sampler_only_seconds": sampler_seconds,
        "emd_sex_tvd": table_metrics(np.concatenate([e[0] for e in emd_tables]),
                                     np.concatenate([e[1] for e in emd_tables]))["tvd"],
        "sgg_sex_age_tvd": table_metrics(np.stack([a[0] for a in age_tables]),
                                         np.stack([a[1] for a in age_tables]))["tvd"],
    }


def _persons_table(cells: list[tuple[np.ndarray, np.ndarray]], emd_codes: list[str]) -> pa.Table:
    """One row per person of the QIS tables: eup-myeon-dong, sex, 5-year age group."""
    emd, sex, age = [], [], []
    for rows, population in cells:
        flat = population.ravel().astype(np.int64)
        e, s, a = np.unravel_index(np.repeat(np.arange(flat.size), flat), population.shape)
        emd.append(rows[e])
        sex.append(s)
        age.append(a)
    emd_all, sex_all, age_all = (np.concatenate(x) for x in (emd, sex, age))
    return pa.table({
        "person_id": pa.array(np.arange(emd_all.size, dtype=np.int64)),
        "emd_code": pa.DictionaryArray.from_arrays(pa.array(emd_all.astype(np.int32)),
                                                   pa.array(emd_codes)),
        "sex": pa.DictionaryArray.from_arrays(pa.array(sex_all.astype(np.int8)),
                                              pa.array(["male", "female"])),
        "age_group": pa.DictionaryArray.from_arrays(
            pa.array(age_all.astype(np.int8)),
            pa.array([f"{5 * k}-{5 * k + 4}" for k in range(N_AGE - 1)] + ["100+"])),
    })


def run_synthsoc(region: str, scale: float, seed: int, out: Path) -> dict[str, object]:
    """One ``populate`` into ``out`` (each call replaces the previous call's run)."""
    started = time.perf_counter()
    result = populate(out, scale=scale, seed=seed, region=region, progress=False, html=False)
    seconds = time.perf_counter() - started
    report = json.loads((out / "fit_report.json").read_text(encoding="utf-8"))
    return {
        "persons": result.n_persons,
        "households": result.n_households,
        "end_to_end_seconds": seconds,
        "emd_sex_tvd": report["controls"]["persons_by_sex"]["eup_myeon_dong"]["tvd"],
        "sgg_sex_age_tvd": report["controls"]["korean_persons_by_sex_age5"]["si_gun_gu"]["tvd"],
    }


def _timings(runs: list[dict[str, object]], key: str) -> dict[str, float]:
    seconds = [float(run[key]) for run in runs]  # type: ignore[arg-type]
    return {"median": statistics.median(seconds), "min": min(seconds), "max": max(seconds)}


def _summary(runs: list[dict[str, object]], keys: tuple[str, ...]) -> dict[str, object]:
    """The last run's counts and scores with the timings of every run."""
    last = {k: v for k, v in runs[-1].items() if not k.endswith("_seconds")}
    return last | {key: _timings(runs, key) for key in keys} | {"runs": len(runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--region", default="11")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, not {args.repeats}")
    region = resolve_region(args.region, 2025)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="synthsoc_bench_vs_humanleague_") as scratch:
        out = Path(scratch) / "synthsoc_population"
        first_call = run_synthsoc(region, args.scale, args.seed, out)["end_to_end_seconds"]
        synthsoc_runs: list[dict[str, object]] = []
        humanleague_runs: list[dict[str, object]] = []
        turn = [lambda: synthsoc_runs.append(run_synthsoc(region, args.scale, args.seed, out)),
                lambda: humanleague_runs.append(
                    run_humanleague(region, args.scale, args.seed, Path(scratch)))]
        for repeat in range(args.repeats):
            # in turn, so that both meet the same load, and each goes first every other
            # repeat, so that neither always runs on the caches and heap the other left
            for run in turn if repeat % 2 == 0 else turn[::-1]:
                run()
    ours = _summary(synthsoc_runs, ("end_to_end_seconds",)) | {
        "first_call_seconds": first_call}
    theirs = _summary(humanleague_runs, ("end_to_end_seconds", "sampler_only_seconds"))

    def rate(engine: dict[str, object], key: str, which: str = "median") -> float:
        return float(engine["persons"]) / engine[key][which]  # type: ignore[arg-type,index]

    end_to_end = rate(ours, "end_to_end_seconds") / rate(theirs, "end_to_end_seconds")
    sampler_only = rate(ours, "end_to_end_seconds") / rate(theirs, "sampler_only_seconds")
    fastest = (rate(ours, "end_to_end_seconds", "min")
               / rate(theirs, "end_to_end_seconds", "min"))
    row = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores; load average at start {load[0]:.1f}",
        "region": region, "scale": args.scale, "repeats": args.repeats,
        "synthsoc": ours,
        "humanleague": {**theirs, "version": "2.4.3 (qis, persons only)"},
        "speed_ratio_synthsoc_over_humanleague": {
            "end_to_end": round(end_to_end, 2),
            "end_to_end_fastest_runs": round(fastest, 2),
            "synthsoc_end_to_end_over_humanleague_sampler_only": round(sampler_only, 2)},
    }

    def seconds(engine: dict[str, object], key: str) -> str:
        t: dict[str, float] = engine[key]  # type: ignore[assignment]
        return f"{t['median']:.2f} ({t['min']:.2f}-{t['max']:.2f})"

    table = pl.DataFrame({
        "engine": ["synthsoc: households + persons, all attributes, report, files",
                   "humanleague qis: persons only, tables to file",
                   "humanleague qis: sampler loop only"],
        "persons": [ours["persons"], theirs["persons"], theirs["persons"]],
        "seconds: median (fastest-slowest)": [seconds(ours, "end_to_end_seconds"),
                                              seconds(theirs, "end_to_end_seconds"),
                                              seconds(theirs, "sampler_only_seconds")],
        "TVD emd x sex": [ours["emd_sex_tvd"], theirs["emd_sex_tvd"], theirs["emd_sex_tvd"]],
        "TVD sgg x sex x age": [ours["sgg_sex_age_tvd"], theirs["sgg_sex_age_tvd"],
                                theirs["sgg_sex_age_tvd"]],
    })
    with pl.Config(fmt_str_lengths=70, tbl_width_chars=160):
        print(table)
    print(f"synthsoc first call in the process: {first_call:.2f} s; "
          f"{args.repeats} runs of each engine in turn, each first every other repeat")
    print(f"speed ratio synthsoc / humanleague, end to end (like for like), medians: "
          f"{end_to_end:.2f}; fastest runs: {fastest:.2f}")
    print(f"speed ratio synthsoc end to end / humanleague sampler loop only: {sampler_only:.2f}")
    RESULTS.mkdir(exist_ok=True)
    # the default run (Seoul at 5%) keeps its file; other regions and scales get their own
    default = region == "11" and args.scale == 0.05
    name = ("population_vs_humanleague" if default
            else f"population_vs_humanleague_{region}_scale_{args.scale:g}")
    (RESULTS / f"{name}.json").write_text(json.dumps(row, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
