"""User-supplied control tables (e.g. a KOSIS export) that replace or add to packaged ones.

A controls folder may hold either or both of these long-format CSV files (UTF-8, header row,
``#`` comment lines allowed, which is where a source citation belongs):

``age_sex_sigungu.csv``
    ``sigungu_code,sex,age_group,population``: persons by si-gun-gu (5-digit KOSTAT code),
    sex (``M``/``F``) and 5-year age group (``0-4`` ... ``95-99``, ``100+``). Replaces the
    resident-registration age table for every si-gun-gu it covers.
``emd_counts.csv``
    ``emd_code,field,value``: any census count of an eup-myeon-dong (8-digit code) by field
    name (``size_1`` ... ``size_6p``, ``dwell_apartment``, ``gen_M``, ``inst_hh``, ... see
    ``synthsoc.data.census.COUNT_COLUMNS``). Replaces that cell.

Every problem stops the run with an :class:`OverrideError` naming the file, the row (line
number) and the field: unreadable CSV, missing columns, unknown region codes, fields, sexes
or age groups, missing or negative counts, and totals that disagree with the other tables
beyond ``TOTAL_TOLERANCE``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from synthsoc.data.census import COUNT_COLUMNS, IDENTITIES, EmdControls
from synthsoc.data.readers import parse_numbers, read_csv, reject_duplicates, where
from synthsoc.data.reference import AGE_GROUPS, age_sex_sigungu

AGE_FILE = "age_sex_sigungu.csv"
EMD_FILE = "emd_counts.csv"
# Relative tolerance for a table total against the total it must agree with.
TOTAL_TOLERANCE = 0.01
# Age-table totals come from another register than the census; they may differ more.
AGE_TOTAL_TOLERANCE = 0.10


class OverrideError(ValueError):
    """A user control table is malformed or inconsistent."""


def _rows(path: Path, required: tuple[str, ...], key: tuple[str, ...],
          counted: str) -> list[tuple[int, dict[str, str], float]]:
    """Rows of a control table with their count; duplicates and missing counts refused."""
    table = read_csv(path, required=required, error=OverrideError)
    reject_duplicates(zip(*(table.column(k) for k in key), strict=True), table.lines, path,
                      key, OverrideError)
    raw = table.column(counted)
    counts = parse_numbers(raw, table.lines, path, counted, error=OverrideError)
    out = []
    for (line, row), count, text in zip(table.records(), counts, raw, strict=True):
        if count is None:
            shown = repr(text) if text else "blank"
            raise OverrideError(f"{where(path, line, counted)}: missing count ({shown}, a "
                                "blank or KOSIS mark); a control table needs every count")
        out.append((line, row, count))
    return out


def apply_overrides(census: EmdControls, folder: Path) -> EmdControls:
    """Return ``census`` with the tables in ``folder`` applied (see the module docstring)."""
    if not folder.is_dir():
        raise OverrideError(f"{folder}: controls folder does not exist")
    known = {p.name for p in folder.glob("*.csv")}
    if not known:
        others = sorted(p.name for p in folder.iterdir())[:5]
        raise OverrideError(f"{folder}: no control tables (*.csv) in the controls folder; "
                            f"expected {AGE_FILE} and/or {EMD_FILE}, found {others or 'nothing'}")
    unknown = sorted(known - {AGE_FILE, EMD_FILE})
    if unknown:
        raise OverrideError(f"{folder}: unknown control table(s) {unknown}; expected "
                            f"{AGE_FILE} and/or {EMD_FILE}")
    applied: list[str] = []
    if EMD_FILE in known:
        census = _apply_emd_counts(census, folder / EMD_FILE)
        applied.append(EMD_FILE)
    if AGE_FILE in known:
        census = replace(census, age_sex=_read_age_table(census, folder / AGE_FILE))
        applied.append(AGE_FILE)
    return replace(census, overrides=tuple(applied))


def _apply_emd_counts(census: EmdControls, path: Path) -> EmdControls:
    table = census.table
    codes = {c: i for i, c in enumerate(table["emd_code"].to_list())}
    values = {c: table[c].to_numpy().astype(np.float64) for c in COUNT_COLUMNS}
    touched = np.zeros(table.height, dtype=bool)
    for line, row, count in _rows(path, ("emd_code", "field", "value"), ("emd_code", "field"),
                                  "value"):
        code = row["emd_code"]
        if code not in codes:
            raise OverrideError(f"{path}, row {line}, field 'emd_code': unknown eup-myeon-dong "
                                f"code {code!r} for census year {census.year}")
        if row["field"] not in values:
            raise OverrideError(f"{path}, row {line}, field 'field': unknown count "
                                f"{row['field']!r}; known: {', '.join(COUNT_COLUMNS)}")
        values[row["field"]][codes[code]] = count
        touched[codes[code]] = True
    for total, parts in IDENTITIES:
        lhs = values[total]
        rhs = np.sum([values[p] for p in parts], axis=0)
        bad = touched & (np.abs(lhs - rhs) > TOTAL_TOLERANCE * np.maximum(lhs, 1.0) + 0.5)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise OverrideError(
                f"{path}: totals disagree for eup-myeon-dong {table['emd_code'][i]}: "
                f"{total}={lhs[i]:g} but {' + '.join(parts)}={rhs[i]:g} (tolerance "
                f"{TOTAL_TOLERANCE:.0%})")
    new = table.with_columns(
        [pl.Series(c, np.rint(values[c]).astype(np.int64)) for c in COUNT_COLUMNS])
    return replace(census, table=new)


def _read_age_table(census: EmdControls, path: Path) -> pl.DataFrame:
    valid_sgg = set(census.table["sigungu_code"].to_list())
    order = {g: i for i, g in enumerate(AGE_GROUPS)}
    records = []
    columns = ("sigungu_code", "sex", "age_group", "population")
    for line, row, count in _rows(path, columns, columns[:3], "population"):
        if row["sigungu_code"] not in valid_sgg:
            raise OverrideError(f"{path}, row {line}, field 'sigungu_code': unknown si-gun-gu "
                                f"code {row['sigungu_code']!r} for census year {census.year}")
        if row["sex"] not in ("M", "F"):
            raise OverrideError(f"{path}, row {line}, field 'sex': {row['sex']!r} is not M or F")
        if row["age_group"] not in order:
            raise OverrideError(f"{path}, row {line}, field 'age_group': {row['age_group']!r} "
                                f"is not one of {', '.join(AGE_GROUPS)}")
        records.append({"sigungu_code": row["sigungu_code"], "sex": row["sex"],
                        "age_group_idx": order[row["age_group"]],
                        "population": count})
    if not records:
        raise OverrideError(f"{path}: no data rows")
    user = pl.DataFrame(records)
    covered = user["sigungu_code"].unique().to_list()
    members = (census.table.filter(pl.col("sigungu_code").is_in(covered))
               .select((pl.col("mem_total") - pl.col("for_mem")).sum()).item())
    total = float(user["population"].sum())
    if members > 0 and abs(total - members) > AGE_TOTAL_TOLERANCE * members:
        raise OverrideError(
            f"{path}: total population {total:,.0f} disagrees with the census's "
            f"{members:,.0f} Korean household members in the same si-gun-gu by more than "
            f"{AGE_TOTAL_TOLERANCE:.0%}")
    packaged = age_sex_sigungu(census.year).filter(~pl.col("sigungu_code").is_in(covered))
    return pl.concat([
        packaged.select("sigungu_code", "sex", "age_group_idx",
                        pl.col("population").cast(pl.Float64)),
        user.select("sigungu_code", "sex", pl.col("age_group_idx").cast(pl.Int8),
                    "population"),
    ])
