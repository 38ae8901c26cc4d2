"""Shared fixtures of the bad-input catalogue: one tiny real population, an in-process CLI."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from synthsoc.cli import app
from synthsoc.synth.populate import populate

REGION = "Jongno-gu"  # one small si-gun-gu: about 1,400 persons at scale 0.01
SCALE = 0.01
SEED = 3


@dataclass(frozen=True)
class Outcome:
    """One CLI call: exit code, output, and the exception if it escaped (a traceback)."""

    code: int
    output: str
    traceback: BaseException | None


def invoke(args: list[str]) -> Outcome:
    """Run ``synthsoc ARGS`` in-process; an exception other than an exit is a traceback."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    escaped = result.exception
    if isinstance(escaped, SystemExit):
        escaped = None
    return Outcome(result.exit_code, result.output, escaped)


def refused(outcome: Outcome, *needles: str) -> None:
    """Assert a clear refusal: non-zero exit, no traceback, the message names ``needles``."""
    assert outcome.traceback is None, f"traceback: {outcome.traceback!r}\n{outcome.output}"
    assert outcome.code != 0, outcome.output
    flat = "".join(outcome.output.split())  # rich wraps long lines anywhere
    for needle in needles:
        assert "".join(needle.split()) in flat, f"{needle!r} not in: {outcome.output}"


def succeeded(outcome: Outcome) -> None:
    assert outcome.traceback is None, f"traceback: {outcome.traceback!r}\n{outcome.output}"
    assert outcome.code == 0, outcome.output


@pytest.fixture(scope="session")
def tiny_population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real synthesis of one small district; never modified (copy it with ``fresh_pop``)."""
    out = tmp_path_factory.mktemp("reliability") / "pop"
    populate(out, scale=SCALE, seed=SEED, region=REGION, progress=False, html=False)
    return out


@pytest.fixture()
def fresh_pop(tiny_population: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny population that a test may change."""
    copy = tmp_path / "pop"
    shutil.copytree(tiny_population, copy)
    return copy


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Totals of the catalogue (docs/reliability.md): cases tried, handled, refused."""
    tally: dict[str, int] = {}
    for status in ("passed", "failed", "error"):
        for report in terminalreporter.stats.get(status, []):
            if "tests/reliability/" not in getattr(report, "nodeid", "") or \
                    getattr(report, "when", "call") != "call":
                continue
            kind = ("handled" if "[handled-" in report.nodeid else
                    "refused" if "[refused-" in report.nodeid else "guarantee")
            key = f"{kind} {status}"
            tally[key] = tally.get(key, 0) + 1
    if tally:
        total = sum(tally.values())
        parts = ", ".join(f"{k}: {v}" for k, v in sorted(tally.items()))
        terminalreporter.write_line(f"reliability catalogue: {total} cases tried ({parts})")
