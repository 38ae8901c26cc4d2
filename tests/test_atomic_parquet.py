"""The Parquet writer's column options, read back by DuckDB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthsoc.atomic import write_arrow_table


def _table() -> pa.Table:
    return pa.table({"person_id": pa.array(range(1000), pa.int64()),
                     "sex": pa.array(["male", "female"] * 500).dictionary_encode()})


def test_delta_encoded_ids_and_dropped_statistics_read_back(tmp_path: Path) -> None:
    path = tmp_path / "persons.parquet"
    write_arrow_table(path, _table(), dictionary_columns_only=True, no_statistics=("sex",),
                      delta_encoded=("person_id",))
    group = pq.ParquetFile(path).metadata.row_group(0)
    assert "DELTA_BINARY_PACKED" in group.column(0).encodings
    assert group.column(0).statistics.has_min_max
    assert group.column(1).statistics is None or not group.column(1).statistics.has_min_max
    assert duckdb.execute(f"select sum(person_id), count(*) filter (sex = 'male') "
                          f"from '{path}'").fetchall() == [(499500, 500)]


def test_delta_encoding_without_dictionary_columns_only(tmp_path: Path) -> None:
    path = tmp_path / "ids.parquet"
    write_arrow_table(path, _table(), delta_encoded=("person_id",))
    assert "DELTA_BINARY_PACKED" in pq.ParquetFile(path).metadata.row_group(0).column(0).encodings


@pytest.mark.parametrize("option", ["no_statistics", "delta_encoded"])
def test_a_misspelt_column_is_refused_and_nothing_is_written(tmp_path: Path,
                                                             option: str) -> None:
    path = tmp_path / "persons.parquet"
    misspelt: dict[str, Any] = {option: ("person_idd",)}
    with pytest.raises(ValueError, match=r"persons\.parquet.*person_idd"):
        write_arrow_table(path, _table(), dictionary_columns_only=True,
                          **misspelt)
    assert list(tmp_path.iterdir()) == []
