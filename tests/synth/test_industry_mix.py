"""The occupation tilt and the farming share against the bundled output table, read here
with the csv module and summed by hand."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from synthsoc.synth.industry_mix import (
    DEFAULT_POWER,
    OCCUPATION_INDUSTRIES,
    TOTAL,
    agriculture_output_share,
    occupation_tilt,
)

TABLE = (Path(__file__).resolve().parents[2] / "src" / "synthsoc" / "data" / "reference"
         / "grdp_by_industry_sigungu_2020.csv")


def _output() -> dict[str, dict[str, float]]:
    lines = [line for line in TABLE.read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")]
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for row in csv.DictReader(lines):
        out[row["sigungu_code"].zfill(5)][row["industry"]] = float(row["million_krw"] or 0.0)
    return out


def test_tilt_and_farming_share_follow_the_output_table() -> None:
    output = _output()
    national_total = sum(d.get(TOTAL, 0.0) for d in output.values())
    jongno = output["11010"]
    # Jongno-gu (the same code in 2020) and a made-up district with no output data.
    sigungu = pl.DataFrame({"sigungu_code": ["11010", "99990"],
                            "sigungu_name": ["종로구", "없는구"]})
    occupations = ["1", "2", "6"]
    tilt, unmatched = occupation_tilt(sigungu, occupations)
    assert unmatched == 1 and tilt[1].tolist() == [1.0, 1.0, 1.0]
    assert tilt[0, 0] == 1.0  # managers: no industry tilts them
    for k, occ in ((1, "2"), (2, "6")):
        industries = OCCUPATION_INDUSTRIES[occ]
        local = sum(jongno.get(i, 0.0) for i in industries) / jongno[TOTAL]
        national = sum(d.get(i, 0.0) for d in output.values()
                       for i in industries) / national_total
        power = 1.0 if occ == "6" else DEFAULT_POWER
        assert tilt[0, k] == pytest.approx((local / national) ** power, rel=1e-12)
    assert tilt[0, 2] < 0.02  # central Seoul farms next to nothing (1.3% of the national share)
    share = agriculture_output_share(sigungu)
    assert share[0] == pytest.approx(jongno["agriculture, forestry and fishing"]
                                     / jongno[TOTAL], rel=1e-12)
    assert share[1] != share[1]  # NaN: no output district
    # Read once per process: a second call gives the same numbers.
    assert (occupation_tilt(sigungu, occupations)[0] == tilt).all()
