"""`synthsoc demo` runs the whole chain end to end (population -> personas -> survey -> sim)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from synthsoc.commands.demo import demo_steps


@pytest.mark.slow
def test_demo_runs_every_step_and_writes_its_outputs(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, "-m", "synthsoc", "demo", "--out", str(out), "--scale", "0.001"],
        capture_output=True, text=True, check=False, timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for _, _, main in demo_steps(out, 1, 0.001):
        assert main.is_file(), main
    summary = json.loads((out / "product_launch" / "summary.json").read_text())
    assert summary["replicates"] == 10  # the minimum for a verdict
    assert all("verdict" in v and "rule" in v for v in summary["outcomes"].values())
    report = (out / "concept_test" / "report.md").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE" in report
    fit = json.loads((out / "population" / "fit_report.json").read_text())
    assert fit["summary"]["n_persons"] > 40_000
