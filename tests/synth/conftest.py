from __future__ import annotations

from pathlib import Path

import pytest

from synthsoc.synth.populate import PopulateResult, populate


@pytest.fixture(scope="session")
def sejong_run(tmp_path_factory: pytest.TempPathFactory) -> PopulateResult:
    """A real synthesis of Sejong (one si-gun-gu) at 5% scale."""
    out: Path = tmp_path_factory.mktemp("pop") / "sejong"
    return populate(out, scale=0.05, seed=7, region="세종특별자치시", progress=False)


@pytest.fixture(scope="session")
def national_run(tmp_path_factory: pytest.TempPathFactory) -> PopulateResult:
    """A real synthesis of all of Korea at 1% scale (about 0.5 million persons)."""
    out: Path = tmp_path_factory.mktemp("pop") / "korea"
    return populate(out, scale=0.01, seed=1, progress=False, html=False)
