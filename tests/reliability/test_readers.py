"""The low-level readers against hand-made files: encodings, number styles, KOSIS marks,
duplicates, YAML booleans; and property-based fuzzing that no input escapes as a traceback."""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthsoc.data.readers import (
    ReadError,
    decode,
    parse_numbers,
    parse_yaml,
    read_csv,
    read_json,
    read_yaml,
    reject_duplicates,
)
from synthsoc.survey.questionnaire import QuestionnaireError, load_questionnaire
from synthsoc.survey.tables import TablesError, load_label_map, read_kosis_tables
from tests.reliability.catalogue_files import LABEL_MAP, QUESTIONNAIRE, table_text, write

KOREAN = "지역,인구\n서울특별시,9386034\n"


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp949", "cp949"), ("euc-kr", "cp949"),
    ("utf-16", "utf-16"), ("utf-16-le", None), ("utf-16-be", None),
])
def test_encodings_are_detected(tmp_path: Path, encoding: str, expected: str | None) -> None:
    data = KOREAN.encode(encoding)
    if encoding == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    text, found = decode(data, "f.csv")
    assert text.lstrip("\ufeff") == KOREAN
    assert expected is None or found == expected
    table = read_csv(_raw(tmp_path, data))
    assert table.header == ("지역", "인구") and table.rows == (("서울특별시", "9386034"),)


def _raw(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "raw.csv"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data,message", [
    (b"", "empty"), (b"# only a comment\n\n", "empty"), (b"\x00\x01", "binary"),
    (b"a,b\n", "no data rows"), (b"a,,c\n1,2,3\n", "column 2 has no name"),
    (b"a,a\n1,2\n", "appears twice"), (b"a,b\n1\n", "row 2: 1 fields"),
    (b"a,b\n1,2,3\n", "row 2: 3 fields"), (b'a,b\n"1,2\n', "malformed CSV"),
    (b"a,b\n\xff\xfe\xfa\xfb,1\n", "not text in a known encoding"),
    (b'a,b\n"x\ny",1\n', "spans several lines"),
])
def test_bad_csv_is_refused_with_file_and_row(tmp_path: Path, data: bytes, message: str) -> None:
    path = _raw(tmp_path, data)
    with pytest.raises(ReadError, match=message) as caught:
        read_csv(path)
    assert str(path) in str(caught.value)


def test_missing_and_folder_paths(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="file not found"):
        read_csv(tmp_path / "none.csv")
    with pytest.raises(ReadError, match="a folder"):
        read_csv(tmp_path)


def test_bom_header_is_not_a_missing_column(tmp_path: Path) -> None:
    path = _raw(tmp_path, "question,value\nQ,1\n".encode("utf-8-sig"))
    assert read_csv(path, required=("question", "value")).header == ("question", "value")


@pytest.mark.parametrize("values,expected", [
    (["1,234", "12"], [1234.0, 12.0]),
    (["1,234.5", "2"], [1234.5, 2.0]),
    (["34,5", "65,5"], [34.5, 65.5]),
    (["1.234,5", "34,5"], [1234.5, 34.5]),
    (["1,234", "34,5"], [1.234, 34.5]),  # a decimal-comma column: 1,234 is 1.234
    (["12 345", "1\u00a0000"], [12345.0, 1000.0]),
    (["30%", "70 %"], [30.0, 70.0]),
    (["1e3", ".5"], [1000.0, 0.5]),
    (["-", "X", "x", "...", "…", "", "NA"], [None] * 7),
])
def test_number_styles(values: list[str], expected: list[float | None]) -> None:
    got = parse_numbers(values, list(range(2, 2 + len(values))), "f.csv", "value")
    assert got == pytest.approx(expected) if None not in expected else got == expected


@pytest.mark.parametrize("values,message", [
    (["1,234.5", "34,5"], "one number style"), (["abc"], "'abc' is not a number"),
    (["-3"], "negative"), (["1.2.3"], "not a number"), (["1,2,3"], "not a number"),
    (["inf"], "not a number"), (["nan"], "not a number"), (["1e999"], "not a finite"),
    (["0x10"], "not a number"), (["٣"], "not a number"),
])
def test_bad_numbers_name_row_and_field(values: list[str], message: str) -> None:
    with pytest.raises(ReadError, match=message) as caught:
        parse_numbers(values, list(range(5, 5 + len(values))), "f.csv", "value")
    assert "f.csv, row " in str(caught.value) and "field 'value'" in str(caught.value)


def test_duplicates_name_both_rows() -> None:
    with pytest.raises(ReadError, match=r"row 9: duplicate of row 4 \(a='x', b='1'\)"):
        reject_duplicates([("x", "1"), ("y", "1"), ("x", "1")], [4, 6, 9], "f.csv", ("a", "b"))


@pytest.mark.parametrize("text,expected", [
    ("a: yes", {"a": "yes"}), ("a: no", {"a": "no"}), ("a: on", {"a": "on"}),
    ("a: off", {"a": "off"}), ("a: y", {"a": "y"}), ("a: true", {"a": True}),
    ("a: False", {"a": False}), ("a: null", {"a": None}), ("a: 01", {"a": 1}),
    ("a: 예", {"a": "예"}),
])
def test_yaml_12_booleans(text: str, expected: dict[str, object]) -> None:
    assert parse_yaml(text, "f.yaml") == expected


@pytest.mark.parametrize("text,message", [
    ("a: [", r"f.yaml, row \d+, column \d+: not valid YAML"), ("a: b: c", "not valid YAML"),
    ("\ta: 1", "not valid YAML"), ("a: !!python/object:os.system x", "not valid YAML"),
    ("a: &x [*x]", None),
])
def test_yaml_errors_name_the_place(text: str, message: str | None) -> None:
    if message is None:
        parse_yaml(text, "f.yaml")  # a self-referencing alias is legal YAML
        return
    with pytest.raises(ReadError, match=message):
        parse_yaml(text, "f.yaml")


def test_json_errors_name_the_line(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="row 2: not valid JSON"):
        read_json(_raw(tmp_path, b'{"a": 1,\n}'))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "utf-16"])
def test_questionnaire_and_label_map_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    q = load_questionnaire(write(tmp_path / "q.yaml", "# 설문\n" + QUESTIONNAIRE, encoding))
    assert [o.id for o in q.questions[0].options] == ["yes", "no"]
    labels = load_label_map(write(tmp_path / "l.yaml", LABEL_MAP, encoding))
    assert set(labels["Age"]) == {"19~29 years old", "30~59 years old", "60 years old and over"}
    assert read_yaml(tmp_path / "l.yaml")["Age"]["19~29 years old"] == "age 19..29"


def test_kosis_tables_missing_is_never_zero(tmp_path: Path) -> None:
    """A one-row suppressed share (the issue's case): the group is left out and reported,
    the other groups keep exactly their published shares."""
    text = table_text().replace("Q,Age,19~29 years old,Yes,30.0", "Q,Age,19~29 years old,Yes,X")
    tables = read_kosis_tables(write(tmp_path / "t.csv", text))
    groups = tables.question("Q").tables["Age"]
    assert "19~29 years old" not in groups
    assert np.allclose(groups["30~59 years old"], [0.455, 0.545])
    assert len(tables.notes) == 1 and "row 3" in tables.notes[0]


# --- property-based fuzzing ------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
CELL = st.lists(st.sampled_from([*"ab1,.-X \"\n\r\t#%…가나", "...", "34,5", "1,234.5"]),
                max_size=4).map("".join)


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_csv_bytes(tmp_path: Path, data: bytes) -> None:
    path = _raw(tmp_path, data)
    try:
        table = read_csv(path)
    except ReadError as error:
        assert str(path) in str(error)
        return
    assert all(len(row) == len(table.header) for row in table.rows)


@FUZZ
@given(st.lists(st.lists(CELL, min_size=1, max_size=5), min_size=1, max_size=8))
def test_fuzz_kosis_tables(tmp_path: Path, rows: list[list[str]]) -> None:
    lines = ["question,group_type,group,answer,value"]
    lines += [",".join(r) for r in rows]
    path = write(tmp_path / "t.csv", "\n".join(lines))
    try:
        tables = read_kosis_tables(path)
    except TablesError as error:
        assert str(path) in str(error)
        return
    for qt in tables.questions.values():
        for groups in qt.tables.values():
            for shares in groups.values():
                assert np.isclose(shares.sum(), 1.0) and (shares >= 0).all()


@FUZZ
@given(st.lists(CELL, min_size=1, max_size=10))
def test_fuzz_numbers(values: list[str]) -> None:
    try:
        got = parse_numbers(values, list(range(2, 2 + len(values))), "f.csv", "v")
    except ReadError as error:
        assert "f.csv, row" in str(error)
        return
    assert all(v is None or (v >= 0 and np.isfinite(v)) for v in got)


YAML_TEXT = st.lists(st.sampled_from([*"ab:- []{}\n#'\"!&*|>?,0.9예", "  ", "null", "yes",
                                      "true", "id: ", "questions:", "\n  - ", "options: "]),
                    max_size=30).map("".join)


@FUZZ
@given(YAML_TEXT)
def test_fuzz_questionnaire_yaml(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "q.yaml", text)
    try:
        load_questionnaire(path)
    except QuestionnaireError as error:
        assert str(path) in str(error)


@FUZZ
@given(YAML_TEXT)
def test_fuzz_label_map_yaml(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "l.yaml", text)
    try:
        load_label_map(path)
    except TablesError as error:
        assert str(path) in str(error)


@pytest.fixture(scope="module")
def census():  # type: ignore[no-untyped-def]
    from synthsoc.data.census import load_emd_controls

    return load_emd_controls(2025)


EMD_CELL = st.sampled_from(["11010530", "11010730", "99999999", "size_1", "size_2", "gen_M",
                            "10", "-3", "X", "-", "", "1,234", "34,5", "abc", '"', "가"])


@FUZZ
@given(st.lists(st.lists(EMD_CELL, min_size=1, max_size=4), min_size=0, max_size=6))
def test_fuzz_control_tables(tmp_path: Path, census, rows: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    from synthsoc.data.overrides import OverrideError, apply_overrides

    folder = tmp_path / "controls"
    path = write(folder / "emd_counts.csv",
                 "\n".join(["emd_code,field,value", *(",".join(r) for r in rows)]))
    try:
        updated = apply_overrides(census, folder)
    except OverrideError as error:
        assert str(folder) in str(error)
        return
    assert updated.overrides == ("emd_counts.csv",) and path.is_file()
