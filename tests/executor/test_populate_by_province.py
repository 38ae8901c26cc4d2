"""Population synthesis by province (`synthsoc populate --executor`): the same population,
bit for bit, on 1 local worker, 2 local workers and a two-node Ray cluster.

The executor comparison runs on two small si-do (Sejong 29, Jeju 39) sliced out of the run's
national controls at scale 0.002, so each run takes seconds; the command test writes the
Parquet files of one si-do locally and on the Ray cluster and compares their bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from synthsoc.cli import app
from synthsoc.data.census import load_emd_controls
from synthsoc.data.reference import household_income_shares
from synthsoc.executor import LocalExecutor, RayExecutor
from synthsoc.synth.by_province import (
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
    ByProvince,
    provinces,
    slice_controls,
    synthesise_by_province,
)
from synthsoc.synth.candidates import CandidatePool, build_seed_pool
from synthsoc.synth.controls import RunControls, build_run_controls
from synthsoc.synth.populate import _general_men_targets, _general_person_targets
from synthsoc.synth.schema import HOUSEHOLD_KINDS, INCOME_BRACKETS, RELATIONSHIPS

runner = CliRunner()
SIDO = ("29", "39")  # Sejong, Jeju: the two smallest si-do
SCALE = 0.002
SEED = 5


def _two_provinces() -> RunControls:
    national = build_run_controls(load_emd_controls(2025), SCALE, SEED)
    emd = np.flatnonzero(np.isin(national.emd["sido_code"].to_numpy(), SIDO))
    sgg = np.flatnonzero(np.isin(national.sigungu["sido_code"].to_numpy(), SIDO))
    return slice_controls(national, emd, sgg)


@pytest.fixture(scope="module")
def inputs() -> tuple[RunControls, CandidatePool]:
    return _two_provinces(), build_seed_pool(SEED)


def _run(inputs: tuple[RunControls, CandidatePool], executor: Any) -> ByProvince:
    controls, candidates = inputs
    return synthesise_by_province(
        executor, controls, candidates.pool, SEED,
        lambda special: _general_person_targets(controls, special, candidates.pool),
        _general_men_targets(controls))


def _digest(result: ByProvince) -> dict[str, str]:
    """A hash of every column of the population and of what the fit report reads."""
    pop = result.pop
    arrays: dict[str, np.ndarray] = {n: getattr(pop, n) for n in HOUSEHOLD_COLUMNS
                                     + PERSON_COLUMNS}
    arrays |= {"migrants": pop.marriage_migrants.chosen, "conscripts": pop.conscripts.chosen,
               "hh_seed": result.general.hh_seed, "general_emd": result.general.hh_emd,
               "weights": result.general.fit.weights, "targets": result.person_targets}
    out = {name: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
           for name, a in arrays.items()}
    out["names"] = hashlib.sha256("\n".join(pop.name_dictionary).encode()).hexdigest()
    return out


@pytest.fixture(scope="module")
def one_worker(inputs: tuple[RunControls, CandidatePool]) -> ByProvince:
    return _run(inputs, LocalExecutor(1))


def test_by_province_population_matches_its_controls(
    one_worker: ByProvince, inputs: tuple[RunControls, CandidatePool]
) -> None:
    controls, _ = inputs
    pop = one_worker.pop
    assert one_worker.provinces == 2
    general = pop.hh_kind == HOUSEHOLD_KINDS.index("general")
    # general households per eup-myeon-dong: exactly the controls' household counts
    per_emd = np.bincount(pop.hh_emd[general], minlength=controls.emd.height)
    assert np.array_equal(per_emd, controls.size_counts.sum(axis=1))
    sizes = np.bincount(pop.hh_size[general], minlength=controls.size_counts.shape[1] + 1)[1:]
    assert np.array_equal(sizes, controls.size_counts.sum(axis=0))
    for kind, name in (("for", "foreign"), ("inst", "institutional"),
                       ("nonkin", "non_kin_group")):
        assert int((pop.hh_kind == HOUSEHOLD_KINDS.index(name)).sum()) == int(
            controls.special_hh[kind].sum())
    # ids renumbered across provinces: persons contiguous per household, one head each
    assert np.all(np.diff(pop.p_hh) >= 0)
    assert np.array_equal(np.bincount(pop.p_hh), pop.hh_size)
    assert np.array_equal(pop.p_hh[pop.hh_head], np.arange(pop.hh_size.size))
    assert np.all(pop.p_role[pop.hh_head] == RELATIONSHIPS.index("head"))
    # provinces joined in ascending si-do order, each household in its own province
    sido = controls.emd["sido_code"].to_numpy()[pop.hh_emd]
    assert sido[0] == "29" and sido[-1] == "39" and np.all(sido[:-1] <= sido[1:])
    # income brackets are cut nationally: the joined households hold the official shares
    shares = household_income_shares()
    counts = np.bincount(pop.hh_income, minlength=len(INCOME_BRACKETS))
    expected = np.array([shares[b] for b in INCOME_BRACKETS])
    gap = np.abs(counts / counts.sum() - expected / expected.sum()).max()
    assert gap < 1.0 / counts.sum() + 1e-9  # one household at most per bracket


def test_slice_controls_keeps_the_rows_it_names(inputs: tuple[RunControls, CandidatePool]) -> None:
    controls, _ = inputs
    units = provinces(controls)
    assert [u.sido_code for u in units] == list(SIDO)
    jeju = slice_controls(controls, units[1].emd_rows, units[1].sgg_rows)
    assert set(jeju.emd["sido_code"].to_list()) == {"39"}
    assert jeju.emd["sgg_idx"].max() == jeju.sigungu.height - 1
    assert np.array_equal(jeju.size_counts, controls.size_counts[units[1].emd_rows])
    codes = jeju.sigungu["sigungu_code"].to_numpy()[jeju.emd["sgg_idx"].to_numpy()]
    assert np.array_equal(codes, jeju.emd["sigungu_code"].to_numpy())


@pytest.mark.slow
def test_by_province_same_population_on_two_workers(
    one_worker: ByProvince, inputs: tuple[RunControls, CandidatePool]
) -> None:
    two = _run(inputs, LocalExecutor(2))
    assert _digest(two) == _digest(one_worker)
    assert one_worker.pop.p_age.size > 1000


@pytest.mark.slow
def test_by_province_same_population_on_two_ray_nodes(
    one_worker: ByProvince, inputs: tuple[RunControls, CandidatePool], ray_cluster: Any
) -> None:
    ray = RayExecutor(ray_cluster.address)
    try:
        assert ray.description.startswith("ray, 2 nodes")
        assert _digest(_run(inputs, ray)) == _digest(one_worker)
    finally:
        ray.close()


POPULATION_FILES = ("persons.parquet", "households.parquet", "regions.parquet",
                    "fit_report.json")


def _populate(out: Path, *options: str) -> dict[str, bytes]:
    result = runner.invoke(app, ["populate", "--out", str(out), "--scale", str(SCALE),
                                 "--seed", str(SEED), "--region", "29", "--no-html",
                                 *options])
    assert result.exit_code == 0, result.output
    assert "one task per si-do" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthesis"] == "by_province"
    return {name: (out / name).read_bytes() for name in POPULATION_FILES}


@pytest.mark.slow
def test_populate_command_same_files_locally_and_on_ray(tmp_path: Path, ray_cluster: Any) -> None:
    local = _populate(tmp_path / "local", "--executor", "local")
    on_ray = _populate(tmp_path / "ray", "--executor", "ray", "--address", ray_cluster.address)
    assert local == on_ray
    report = json.loads(local["fit_report.json"])
    assert report["run"]["synthesis"] == "by_province"
    assert report["summary"]["n_persons"] > 500


def test_populate_command_unreachable_cluster_writes_nothing(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from tests.executor.conftest import unused_address

    address = unused_address()
    out = tmp_path / "pop"
    result = runner.invoke(app, ["populate", "--out", str(out), "--scale", str(SCALE),
                                 "--address", address])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert f"cannot reach the Ray cluster at {address} (from --address)" in text
    assert not out.exists()
