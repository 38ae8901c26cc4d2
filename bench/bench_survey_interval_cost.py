"""Time cost of integrating over the estimated precisions: one fit of the calibrated model,
its plug-in posterior draws and its integrated draws
(:func:`synthsoc.survey.multilevel.posterior_draws`), on half of GSS 2018 natfare and of two
KGSS items (the holdout benchmarks' training halves, seed 0). Prints a table and writes
bench/results/survey_interval_cost.json.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from survey_data import gss_spending  # noqa: E402
from synthsoc.evaluate.holdout import Microdata, microdata_from_frame, read_microdata  # noqa: E402
from synthsoc.survey.kgss import kgss_benchmark_frame  # noqa: E402
from synthsoc.survey.multilevel import fit_multilevel_logit, posterior_draws  # noqa: E402

KGSS_FEATURES = ["sex", "age_group", "education", "marital_status", "region", "year"]
N_DRAWS = 200  # as in the holdout benchmarks


def _case(name: str, data: Microdata) -> dict[str, object]:
    frame = data.frame
    code = {a: i for i, a in enumerate(data.answers)}
    y = np.fromiter((code[a] for a in frame[data.target]), np.int64, frame.height)
    rng = np.random.default_rng(0)
    train = np.sort(rng.permutation(frame.height)[: frame.height // 2])
    values = [[frame[c][int(i)] for i in train] for c in data.features]
    started = time.perf_counter()
    model = fit_multilevel_logit(data.features, values, y[train], len(data.answers))
    fit_s = time.perf_counter() - started
    seconds = {}
    for mode in ("plug_in", "posterior"):
        started = time.perf_counter()
        posterior_draws(model, values, y[train], N_DRAWS, rng, precisions=mode)  # type: ignore[arg-type]
        seconds[mode] = time.perf_counter() - started
    n_params = (1 + model.coef.shape[0]) * len(data.answers)
    row = {
        "case": name,
        "n_train": int(train.size),
        "n_parameters": n_params,
        "fit_s": round(fit_s, 2),
        "plug_in_draws_s": round(seconds["plug_in"], 2),
        "integrated_draws_s": round(seconds["posterior"], 2),
        "fit_and_draws_ratio": round(
            (fit_s + seconds["posterior"]) / (fit_s + seconds["plug_in"]), 2
        ),
    }
    print(
        f"{name:28} n={row['n_train']:6} params={n_params:5} fit={fit_s:6.2f}s "
        f"plug-in draws={seconds['plug_in']:6.2f}s integrated={seconds['posterior']:6.2f}s "
        f"(fit+draws x{row['fit_and_draws_ratio']})",
        flush=True,
    )
    return row


def main() -> None:
    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        gss = read_microdata(
            gss_spending(Path(tmp)), "natfare", ["sex", "race", "degree", "party", "age_group",
                                                 "polviews"]
        )
        rows.append(_case("GSS 2018 natfare", gss))
    for item in ("CONPRESS", "SATFIN"):
        data = microdata_from_frame(kgss_benchmark_frame(item), item, KGSS_FEATURES)
        rows.append(_case(f"KGSS {item}", data))
    out = Path(__file__).resolve().parent / "results" / "survey_interval_cost.json"
    payload = {
        "benchmark": f"calibrated model: fit, plug-in and integrated posterior draws ({N_DRAWS})",
        "machine": (
            f"{platform.machine()} {os.cpu_count()} cores, load average {load:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end"
        ),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "rows": rows,
    }
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
