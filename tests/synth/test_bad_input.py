"""Each bad input stops with a clear error naming the file, row and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthsoc.data.census import load_emd_controls
from synthsoc.data.overrides import OverrideError, apply_overrides
from synthsoc.synth.controls import build_run_controls
from synthsoc.synth.regions import UnknownRegionError, resolve_region


@pytest.fixture(scope="module")
def census():  # type: ignore[no-untyped-def]
    return load_emd_controls(2025)


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_region_by_code_and_names() -> None:
    assert resolve_region("11", 2025) == "11"
    assert resolve_region("서울특별시", 2025) == "11"
    assert resolve_region("Seoul", 2025) == "11"
    assert resolve_region("서울특별시 종로구", 2025) == "11010"
    assert resolve_region("Jongno-gu", 2025) == "11010"


def test_unknown_and_ambiguous_region() -> None:
    with pytest.raises(UnknownRegionError, match="'Atlantis'"):
        resolve_region("Atlantis", 2025)
    with pytest.raises(UnknownRegionError, match="ambiguous"):
        resolve_region("중구", 2025)


def test_scale_out_of_range(census) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="--scale 0"):
        build_run_controls(census, 0.0, 1)


def test_unknown_year() -> None:
    with pytest.raises(ValueError, match="--year 1999"):
        load_emd_controls(1999)


def test_unknown_region_code_in_user_table(census, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write(tmp_path, "emd_counts.csv", "emd_code,field,value\n99999999,size_1,10\n")
    with pytest.raises(OverrideError, match=r"emd_counts.csv, row 2, field 'emd_code'.*99999999"):
        apply_overrides(census, tmp_path)


def test_negative_count(census, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write(tmp_path, "emd_counts.csv", "emd_code,field,value\n11010530,size_1,-5\n")
    with pytest.raises(OverrideError, match=r"row 2, field 'value'.*negative"):
        apply_overrides(census, tmp_path)


def test_missing_count(census, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write(tmp_path, "age_sex_sigungu.csv",
           "# source: test\nsigungu_code,sex,age_group,population\n11010,M,0-4,\n")
    with pytest.raises(OverrideError, match=r"row 3, field 'population': missing count"):
        apply_overrides(census, tmp_path)


def test_malformed_csv(census, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write(tmp_path, "emd_counts.csv", "emd_code,field,value\n11010530,size_1\n")
    with pytest.raises(OverrideError, match=r"row 2: 2 fields, header has 3"):
        apply_overrides(census, tmp_path)


def test_missing_column(census, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write(tmp_path, "emd_counts.csv", "emd,field,value\n11010530,size_1,3\n")
    with pytest.raises(OverrideError, match=r"missing column\(s\) \['emd_code'\]"):
        apply_overrides(census, tmp_path)


def test_totals_that_disagree(census, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Doubling one size class breaks general households = sum of sizes.
    _write(tmp_path, "emd_counts.csv", "emd_code,field,value\n11010530,size_1,3634\n")
    with pytest.raises(OverrideError, match=r"totals disagree for eup-myeon-dong 11010530"):
        apply_overrides(census, tmp_path)


def test_age_table_total_disagrees(census, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write(tmp_path, "age_sex_sigungu.csv",
           "sigungu_code,sex,age_group,population\n11010,M,0-4,10\n11010,F,0-4,10\n")
    with pytest.raises(OverrideError, match=r"total population 20 disagrees"):
        apply_overrides(census, tmp_path)


def test_unknown_age_group_and_sex(census, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write(tmp_path, "age_sex_sigungu.csv",
           "sigungu_code,sex,age_group,population\n11010,X,0-4,10\n")
    with pytest.raises(OverrideError, match=r"field 'sex': 'X'"):
        apply_overrides(census, tmp_path)
    _write(tmp_path, "age_sex_sigungu.csv",
           "sigungu_code,sex,age_group,population\n11010,M,0-5,10\n")
    with pytest.raises(OverrideError, match=r"field 'age_group': '0-5'"):
        apply_overrides(census, tmp_path)


def test_consistent_override_is_applied(census, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    row = census.table.filter(census.table["emd_code"] == "11010530").row(0, named=True)
    text = (f"emd_code,field,value\n11010530,size_1,{row['size_1'] - 10}\n"
            f"11010530,size_2,{row['size_2'] + 10}\n")
    _write(tmp_path, "emd_counts.csv", text)
    updated = apply_overrides(census, tmp_path)
    new = updated.table.filter(updated.table["emd_code"] == "11010530").row(0, named=True)
    assert (new["size_1"], new["size_2"]) == (row["size_1"] - 10, row["size_2"] + 10)
    assert updated.overrides == ("emd_counts.csv",)
