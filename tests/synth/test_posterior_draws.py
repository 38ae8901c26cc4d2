"""Posterior draws of the sampled attributes: registers kept, same seed same bytes, the real fit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from synthsoc.cli import app
from synthsoc.synth import schema
from synthsoc.synth.populate import PopulateResult, populate
from synthsoc.synth.posterior_draws import (
    DRAWN_COLUMNS,
    DRAWS_FILE,
    DRAWS_REPORT_FILE,
    coupled_indicator,
    draw_persons,
    write_posterior_draws,
)
from synthsoc.synth.small_area import SmallAreaError
from synthsoc.synth.targets import living_with_spouse
from tests.synth.posterior_models import hand_set_models as _models


def _copy(run: PopulateResult, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in (schema.PERSONS_FILE, schema.MANIFEST_FILE):
        shutil.copy(run.out / name, dest / name)
    return dest


def test_coupling_gives_the_target_rate_and_keeps_the_base_where_it_can() -> None:
    rng = np.random.default_rng(0)
    n = 200_000
    for r, p in ((0.4, 0.7), (0.6, 0.3)):
        base = rng.random(n) < r
        new = coupled_indicator(rng, base, np.full(n, r), np.full(n, p))
        se = np.sqrt(p * (1 - p) / n)
        assert abs(new.mean() - p) < 5 * se
        # By hand: p > r keeps every base 1 and turns (p - r) / (1 - r) of the 0s;
        # p < r turns no 0 and keeps p / r of the 1s.
        if p > r:
            assert new[base].all()
            assert abs(new[~base].mean() - (p - r) / (1 - r)) < 0.01
        else:
            assert not new[~base].any()
            assert abs(new[base].mean() - p / r) < 0.01


def test_zero_spread_leaves_every_person_as_drawn(sejong_run: PopulateResult,
                                                  tmp_path: Path) -> None:
    folder = _copy(sejong_run, tmp_path / "pop")
    write_posterior_draws(folder, draws=2, seed=1, models=_models(sigma=0.0))
    persons = pl.read_parquet(folder / schema.PERSONS_FILE)
    draws = pl.read_parquet(folder / DRAWS_FILE)
    for k in (1, 2):
        for c in DRAWN_COLUMNS:
            assert draws[f"{c}_{k}"].cast(pl.Utf8).equals(persons[c].cast(pl.Utf8))


def test_draws_keep_the_registers_and_the_household_structure(sejong_run: PopulateResult,
                                                             tmp_path: Path) -> None:
    folder = _copy(sejong_run, tmp_path / "pop")
    result = write_posterior_draws(folder, draws=3, seed=1, models=_models(sigma=0.8))
    persons = pl.read_parquet(folder / schema.PERSONS_FILE)
    draws = pl.read_parquet(folder / DRAWS_FILE)
    assert draws["person_id"].to_list() == persons["person_id"].to_list()
    role = persons["relationship"].cast(pl.Utf8).replace_strict(
        {r: i for i, r in enumerate(schema.RELATIONSHIPS)}, return_dtype=pl.Int8).to_numpy()
    hh = persons["household_id"].to_numpy()
    couple = living_with_spouse(role, hh, int(hh.max()) + 1)
    age = persons["age"].to_numpy()
    base_military = (persons["economic_activity"] == "military_service").to_numpy()
    assert result.changed_share["education"] > 0.01  # a spread of 0.8 moves people
    for k in (1, 2, 3):
        d = draw_persons(persons, folder / DRAWS_FILE, k)
        assert d.select(["person_id", "age", "sex", "emd_code", "household_id",
                         "relationship"]).equals(persons.select(
                             ["person_id", "age", "sex", "emd_code", "household_id",
                              "relationship"]))
        marital = d["marital_status"].cast(pl.Utf8).to_numpy()
        activity = d["economic_activity"].cast(pl.Utf8).to_numpy()
        education = d["education"].cast(pl.Utf8).to_numpy()
        occupation = d["occupation"].cast(pl.Utf8).to_numpy()
        assert (marital[couple] == "married").all()  # the couple controls
        assert ((activity == "under_15") == (age < 15)).all()
        assert ((activity == "military_service") == base_military).all()
        assert (marital[base_military] == "never_married").all()
        assert not ((education == "graduate") & (age < 23)).any()
        assert (pd_null(occupation) == (activity != "employed")).all()
        # The cell shares stay the base ones in expectation: within sampling noise here.
        for c, value in (("education", "university"), ("economic_activity", "employed")):
            for sex in ("M", "F"):
                cell = ((persons["sex"] == sex) & (persons["age"] >= 30)
                        & (persons["age"] < 50)).to_numpy()
                base = float((persons[c].cast(pl.Utf8).to_numpy()[cell] == value).mean())
                now = float((d[c].cast(pl.Utf8).to_numpy()[cell] == value).mean())
                assert abs(now - base) < 5 * np.sqrt(base * (1 - base) / cell.sum()) + 0.01


def pd_null(values: np.ndarray) -> np.ndarray:
    return np.array([v is None for v in values])


def test_same_seed_same_bytes_other_seed_other_draws(sejong_run: PopulateResult,
                                                     tmp_path: Path) -> None:
    models = _models(sigma=0.5, beta=0.2)
    files = []
    for name, seed in (("a", 4), ("b", 4), ("c", 5)):
        folder = _copy(sejong_run, tmp_path / name)
        write_posterior_draws(folder, draws=2, seed=seed, models=models)
        files.append((folder / DRAWS_FILE).read_bytes())
    assert files[0] == files[1]
    assert files[0] != files[2]


def test_bad_draw_counts_are_refused(sejong_run: PopulateResult, tmp_path: Path) -> None:
    folder = _copy(sejong_run, tmp_path / "pop")
    with pytest.raises(SmallAreaError, match="at least 1"):
        write_posterior_draws(folder, draws=0, seed=1, models=_models(0.1))
    with pytest.raises(SmallAreaError, match="hold 4 posterior draws"):
        write_posterior_draws(folder, draws=5, seed=1, models=_models(0.1))
    with pytest.raises(SmallAreaError, match="no draw 9"):
        write_posterior_draws(folder, draws=1, seed=1, models=_models(0.1))
        draw_persons(pl.read_parquet(folder / schema.PERSONS_FILE), folder / DRAWS_FILE, 9)
    outcome = CliRunner().invoke(app, ["populate", "--out", str(tmp_path / "x"), "--draws",
                                       "-1"])
    assert outcome.exit_code != 0 and "--draws" in outcome.output


@pytest.mark.slow
def test_populate_with_draws_fits_converges_and_checks(tmp_path: Path) -> None:
    """The real fit through ``populate(draws=...)``: converged, predictive checks pass,
    the manifest lists the files."""
    run = populate(tmp_path / "pop", scale=0.02, seed=7, region="세종특별자치시",
                   progress=False, html=False, draws=2)
    manifest = json.loads((run.out / schema.MANIFEST_FILE).read_text())
    assert {DRAWS_FILE, DRAWS_REPORT_FILE} <= set(manifest["files"])
    report = json.loads((run.out / DRAWS_REPORT_FILE).read_text())
    assert report["draws"] == 2
    for name, model in report["models"].items():
        assert model["max_r_hat"] < 1.05, name
        assert model["min_ess"] > 100, name
        checks = model["predictive_checks"]
        # About 90% of 17 provinces inside their 90% interval: at least 12 (binomial 1%).
        assert checks["provinces_in_90pct_predictive_interval"] >= 12, name
        assert 0.01 < checks["chi_square_p"] < 0.99, name
    assert pl.read_parquet(run.out / DRAWS_FILE).height == run.n_persons


def test_draws_streamed_in_row_groups_give_the_same_table(sejong_run: PopulateResult,
                                                          tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Each draw is written apart and the file merged row group by row group: the table is
    the same whatever the row-group size, and no part file is left behind."""
    import pyarrow.parquet as pq

    from synthsoc.synth import posterior_draws

    models = _models(sigma=0.5, beta=0.2)
    whole = _copy(sejong_run, tmp_path / "whole")
    write_posterior_draws(whole, draws=3, seed=4, models=models)
    monkeypatch.setattr(posterior_draws, "ROW_GROUP", 4_000)
    pieces = _copy(sejong_run, tmp_path / "pieces")
    write_posterior_draws(pieces, draws=3, seed=4, models=models)
    assert pq.ParquetFile(pieces / DRAWS_FILE).metadata.num_row_groups > 2
    assert pq.read_table(pieces / DRAWS_FILE).equals(pq.read_table(whole / DRAWS_FILE))
    assert sorted(p.name for p in pieces.iterdir()) == sorted(
        [schema.PERSONS_FILE, schema.MANIFEST_FILE, DRAWS_FILE, DRAWS_REPORT_FILE])
