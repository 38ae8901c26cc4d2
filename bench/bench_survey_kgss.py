"""KGSS holdout: the calibrated engine against one-hot logistic regression on the same splits.

Korean General Social Survey 2003-2012 (packaged with synthsoc, `synthsoc.survey.kgss`): for each
attitude item the respondents are split 50/50 five times; both models are fitted on the same
training half and scored by TVD on every test group of at least 30 respondents; the coverage of
the calibrated engine's nominal 90% intervals for the held-out group shares is measured on the
same groups. Same code path as `synthsoc bench survey --kgss --target ITEM ... --json`.
Prints a table and writes bench/results/survey_kgss.json.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from survey_coverage import coverage_fields  # noqa: E402
from synthsoc.evaluate.holdout import holdout_benchmark, microdata_from_frame  # noqa: E402
from synthsoc.survey.kgss import kgss_benchmark_frame  # noqa: E402

FEATURES = ["sex", "age_group", "education", "marital_status", "region", "year"]
CASES = [
    ("PARTYLR", "age_group,sex"),
    ("PARTYLR", "region,age_group"),
    ("CONGOVT", "age_group,sex"),
    ("CONPRESS", "education,age_group"),
    ("HELPFUL", "region,age_group"),
    ("FAIR", "age_group,sex"),
    ("SATFIN", "year,age_group"),
    ("CLASS", "education,sex"),
]


def main() -> None:
    seeds = int(os.environ.get("SEEDS", "5"))
    only = [c for c in os.environ.get("ONLY", "").split(",") if c]  # items to (re)run
    rows = _previous(seeds) if only else []
    for item, group_by in CASES:
        if only and item not in only:
            continue
        started = time.perf_counter()
        groups = group_by.split(",")
        data = microdata_from_frame(
            kgss_benchmark_frame(item), item, FEATURES, groups, "KGSS 2003-2012"
        )
        result = holdout_benchmark(data, groups, seeds=seeds, min_group=30)
        seconds = time.perf_counter() - started
        coverage = result["coverage"]
        row = {
            "item": item,
            "group_by": group_by,
            "n_respondents": result["n_respondents"],
            "n_answers": len(result["answers"]),
            "n_groups": result["n_groups"],
            "mean_tvd": round(result["mean_tvd"], 4),
            "logistic_mean_tvd": round(result["logistic_mean_tvd"], 4),
            "baseline_mean_tvd": round(result["baseline_mean_tvd"], 4),
            "minus_logistic_mean": round(result["minus_logistic"]["mean"], 5),
            "minus_logistic_se": round(result["minus_logistic"]["se"], 5),
            **coverage_fields(result),
            "verdict": result["verdict"],
            "all_fits_converged": result["all_fits_converged"],
            "seconds": round(seconds, 1),
        }
        rows = [r for r in rows if (r["item"], r["group_by"]) != (item, group_by)] + [row]
        rows.sort(key=lambda r: CASES.index((str(r["item"]), str(r["group_by"]))))
        _write(rows, seeds)  # after every case, so an interrupted run keeps what it measured
        print(
            f"{item:9} by {group_by:20} n={row['n_respondents']:6} groups={row['n_groups']:3} "
            f"tvd={row['mean_tvd']:.4f} logistic={row['logistic_mean_tvd']:.4f} "
            f"marginal={row['baseline_mean_tvd']:.4f} "
            f"diff={row['minus_logistic_mean']:+.5f}±{row['minus_logistic_se']:.5f} "
            f"cover90={row['coverage_90']:.3f} [{coverage['interval_95'][0]:.3f}-"
            f"{coverage['interval_95'][1]:.3f}] ({seconds:.1f}s)",
            flush=True,
        )


def _previous(seeds: int) -> list[dict[str, object]]:
    """Rows of an earlier run with the same seeds (ONLY= reruns some items, keeps the rest)."""
    out = Path(__file__).resolve().parent / "results" / "survey_kgss.json"
    if not out.is_file():
        return []
    payload = json.loads(out.read_text(encoding="utf-8"))
    return list(payload["rows"]) if payload.get("seeds") == seeds else []


def _write(rows: list[dict[str, object]], seeds: int) -> None:
    wins = sum(float(r["minus_logistic_mean"]) <= 0 for r in rows)  # type: ignore[arg-type]
    out = Path(__file__).resolve().parent / "results" / "survey_kgss.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "KGSS holdout (train 50%, min group 30), calibrated vs logistic",
        "seeds": seeds,
        "features": FEATURES,
        "machine": (
            f"{platform.machine()} {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f}"
        ),
        "date": time.strftime("%Y-%m-%d"),
        "cases_done": f"{len(rows)} of {len(CASES)}",
        "cases_at_least_as_good_as_logistic": wins,
        "rows": rows,
    }
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"calibrated at least as good as logistic in {wins} of {len(rows)}; wrote {out}")


if __name__ == "__main__":
    main()
