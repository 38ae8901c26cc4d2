"""Each si-gun-gu's industry mix (2020 output by industry) as a tilt on occupations.

The employed are drawn by sex and education from the national occupation table
(``attributes.OCCUPATION_BY_SEX``); the tilt multiplies each occupation group's weight in a
si-gun-gu by (the district's output share of the industries that employ it / the national
share) ** ``TILT_POWER`` (ASSUMPTIONS: the industry-to-occupation links and the powers below;
output shares stand in for employment shares, which are not published by district). A
final scaling per sex x occupation keeps the national expected counts of the untilted table,
so the national occupation mix stays the official one and only its geography changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from synthsoc.data.reference import read_reference_csv, sigungu_names

# occupation group -> industries whose output share tilts it (ASSUMPTION).
OCCUPATION_INDUSTRIES: dict[str, tuple[str, ...]] = {
    "6": ("agriculture, forestry and fishing",),
    "7": ("manufacturing", "construction", "mining and quarrying"),
    "8": ("manufacturing", "transportation and storage"),
    "2": ("information and communication", "financial and insurance activities",
          "professional, scientific and technical activities; business support facilities",
          "education", "human health and social work activities"),
    "3": ("financial and insurance activities",
          "public administration and defence; compulsory social security",
          "professional, scientific and technical activities; business support facilities"),
    "4": ("accommodation and food service activities",
          "arts, sports and recreation; membership organizations and personal services",
          "human health and social work activities"),
    "5": ("wholesale and retail trade", "real estate activities; rental and leasing activities"),
}
TILT_POWER: dict[str, float] = {"6": 1.0}  # others: DEFAULT_POWER
DEFAULT_POWER = 0.5
TOTAL = "total value added at basic prices"


@cache
def _output() -> pl.DataFrame:
    return read_reference_csv("grdp_by_industry_sigungu_2020.csv").with_columns(
        pl.col("sigungu_code").cast(pl.Utf8).str.zfill(5))


@dataclass(frozen=True)
class _OutputByIndustry:
    """The output table by district and industry, read once per process."""

    row_of: dict[str, int]  # 2020 district code -> row
    columns: dict[str, np.ndarray]  # industry -> output of each row (suppressed cells: 0)
    national: dict[str, float]  # industry -> national output
    names_2020: dict[str, str]  # Korean district name -> 2020 code


@cache
def _output_by_industry() -> _OutputByIndustry:
    wide = _output().pivot(on="industry", index="sigungu_code", values="million_krw",
                           aggregate_function="sum").fill_null(0.0)  # suppressed cells: zero
    industries = [c for c in wide.columns if c != "sigungu_code"]
    columns = {i: wide[i].to_numpy() for i in industries}
    for values in columns.values():
        values.flags.writeable = False  # shared by every later call
    return _OutputByIndustry(
        row_of={c: r for r, c in enumerate(wide["sigungu_code"].to_list())},
        columns=columns,
        national={i: float(wide[i].sum()) for i in industries},
        names_2020={n: c for c, n in sigungu_names(2020).select(
            "sigungu_code", "sigungu_name").iter_rows() if n})


def output_district(code: str, available: set[str], names_2020: dict[str, str],
                    name: str) -> str | None:
    """The 2020 output district of a census si-gun-gu code: the same code, its city (a gu's
    parent si), the 2020 code of a gun renumbered since (x5xx was x3xx), or the 2020 district
    of the same Korean name."""
    number = int(code)
    candidates = [number, number - number % 10]
    if number % 1000 >= 500:
        candidates.append(number - 200)
    for c in candidates:
        if f"{c:05d}" in available:
            return f"{c:05d}"
    same = names_2020.get(name)
    return same if same in available else None


def occupation_tilt(sigungu: pl.DataFrame, occupations: list[str]) -> tuple[np.ndarray, int]:
    """(n_sgg, n_occupations) multipliers and the number of si-gun-gu with no output data
    (left untilted)."""
    table = _output_by_industry()
    available = set(table.row_of)
    total = table.columns[TOTAL]
    national_total = total.sum()
    tilt = np.ones((sigungu.height, len(occupations)))
    unmatched = 0
    for g, (code, name) in enumerate(sigungu.select("sigungu_code", "sigungu_name").iter_rows()):
        source = output_district(code, available, table.names_2020, name)
        if source is None:
            unmatched += 1
            continue
        r = table.row_of[source]
        for k, occ in enumerate(occupations):
            industries = OCCUPATION_INDUSTRIES.get(occ)
            if not industries:
                continue
            local = sum(float(table.columns[i][r]) for i in industries) / max(
                float(total[r]), 1.0)
            national = sum(table.national[i] for i in industries) / national_total
            if local > 0 and national > 0:
                tilt[g, k] = (local / national) ** TILT_POWER.get(occ, DEFAULT_POWER)
    return tilt, unmatched


def agriculture_output_share(sigungu: pl.DataFrame) -> np.ndarray:
    """Each si-gun-gu's 2020 output share of agriculture, forestry and fishing (NaN where no
    output district matches)."""
    table = _output_by_industry()
    available = set(table.row_of)
    farming = table.columns[OCCUPATION_INDUSTRIES["6"][0]]
    total = table.columns[TOTAL]
    out = np.full(sigungu.height, np.nan)
    for g, (code, name) in enumerate(sigungu.select("sigungu_code", "sigungu_name").iter_rows()):
        source = output_district(code, available, table.names_2020, name)
        if source is not None:
            r = table.row_of[source]
            out[g] = float(farming[r]) / max(float(total[r]), 1.0)
    return out
