"""synthsoc against humanleague on the same control tables, in the same run.

humanleague's quasirandom integer sampler (QIS) builds persons only: here, for every
si-gun-gu, persons by eup-myeon-dong x sex x 5-year age group from two marginals, the
eup-myeon-dong x sex counts of Korean household members and the si-gun-gu's sex x age
targets. synthsoc builds households and persons for the same area and scale. Both are timed
and both fits are scored on the same two tables.

    python bench/bench_population_humanleague.py [--region 11] [--scale 0.05]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import humanleague
import numpy as np
import polars as pl

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


def run_humanleague(region: str, scale: float, seed: int) -> dict[str, object]:
    census = load_emd_controls(2025)
    controls = build_run_controls(census, scale, seed, region)
    emd_sex = controls.general_members + controls.special_members["inst"] \
        + controls.special_members["nonkin"]
    sgg = controls.emd["sgg_idx"].to_numpy()
    ages = controls.korean_age_sex
    emd_tables, age_tables = [], []
    started = time.perf_counter()
    persons = 0
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
        persons += int(population.sum())
        emd_tables.append((population.sum(axis=2), m_emd_sex))
        age_tables.append((population.sum(axis=0), ages[g]))
    seconds = time.perf_counter() - started
    return {
        "persons": persons,
        "seconds": seconds,
        "emd_sex_tvd": table_metrics(np.concatenate([e[0] for e in emd_tables]),
                                     np.concatenate([e[1] for e in emd_tables]))["tvd"],
        "sgg_sex_age_tvd": table_metrics(np.stack([a[0] for a in age_tables]),
                                         np.stack([a[1] for a in age_tables]))["tvd"],
    }


def run_synthsoc(region: str, scale: float, seed: int) -> dict[str, object]:
    out = Path("/tmp/synthsoc_bench_vs_humanleague")
    started = time.perf_counter()
    result = populate(out, scale=scale, seed=seed, region=region, progress=False, html=False)
    seconds = time.perf_counter() - started
    report = json.loads((out / "fit_report.json").read_text(encoding="utf-8"))
    return {
        "persons": result.n_persons,
        "households": result.n_households,
        "seconds": seconds,
        "emd_sex_tvd": report["controls"]["persons_by_sex"]["eup_myeon_dong"]["tvd"],
        "sgg_sex_age_tvd": report["controls"]["korean_persons_by_sex_age5"]["si_gun_gu"]["tvd"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--region", default="11")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    region = resolve_region(args.region, 2025)
    load = os.getloadavg()
    ours = run_synthsoc(region, args.scale, args.seed)
    theirs = run_humanleague(region, args.scale, args.seed)
    ours_rate = ours["persons"] / ours["seconds"]  # type: ignore[operator]
    theirs_rate = theirs["persons"] / theirs["seconds"]  # type: ignore[operator]
    row = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores; load average at start {load[0]:.1f}",
        "region": region, "scale": args.scale,
        "synthsoc": {**ours, "persons_per_second": round(ours_rate)},
        "humanleague": {**theirs, "persons_per_second": round(theirs_rate),
                        "version": "2.4.3 (qis, persons only)"},
        "speed_ratio_synthsoc_over_humanleague": round(ours_rate / theirs_rate, 2),
    }
    table = pl.DataFrame({
        "engine": ["synthsoc (households + persons)", "humanleague qis (persons only)"],
        "persons": [ours["persons"], theirs["persons"]],
        "seconds": [round(float(ours["seconds"]), 1), round(float(theirs["seconds"]), 1)],
        "persons/s": [round(ours_rate), round(theirs_rate)],
        "TVD emd x sex": [ours["emd_sex_tvd"], theirs["emd_sex_tvd"]],
        "TVD sgg x sex x age": [ours["sgg_sex_age_tvd"], theirs["sgg_sex_age_tvd"]],
    })
    print(table)
    print(f"speed ratio (synthsoc / humanleague): {row['speed_ratio_synthsoc_over_humanleague']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "population_vs_humanleague.json").write_text(json.dumps(row, indent=2) + "\n",
                                                            encoding="utf-8")


if __name__ == "__main__":
    main()
