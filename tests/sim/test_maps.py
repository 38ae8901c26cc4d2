"""District codes of a 2025 population matched to the 2020 boundaries, and the "no data" map."""

from __future__ import annotations

import numpy as np
import polars as pl

from synthsoc.data.reference import sigungu_names
from synthsoc.sim.maps import boundary_names, district_map, match_boundaries


def test_every_2025_district_lands_on_a_2020_boundary() -> None:
    regions = sigungu_names(2025)  # the official 2025 codes and names a population carries
    boundaries = boundary_names()
    cw = match_boundaries(regions, boundaries)
    assert cw.unmatched == ()
    assert set(cw.to_boundary.values()) == set(boundaries["boundary_code"])  # all 250 drawn
    assert cw.to_boundary["21510"] == "21310"  # Gijang-gun: gun code 5xx -> 3xx
    assert cw.to_boundary["22520"] == boundaries.filter(
        pl.col("boundary_name") == "군위군"
    )["boundary_code"][0]  # Gunwi, in Gyeongbuk in 2020
    assert {cw.to_boundary[c] for c in ("31051", "31052", "31053")} == {"31050"}  # Bucheon


def test_map_of_a_partial_population_says_no_data() -> None:
    regions = sigungu_names(2025).head(30)
    codes = regions["sigungu_code"].to_numpy()
    drawn = district_map(codes, np.linspace(0, 1, codes.size), np.ones(codes.size), regions, "t")
    assert drawn is not None
    fig, note = drawn
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert note["polygons_no_data"] == 250 - note["polygons_with_data"] > 0
    assert legend == [f"no data ({note['polygons_no_data']} of 250 districts: no agents)"]
