"""Reading user files as they come from KOSIS, Excel and text editors, with errors that name the
file, row and field. Every layer reads CSV and YAML through this module.

* Encodings: UTF-8 with or without a byte-order mark, UTF-16 with a mark, and CP949 (the
  superset of EUC-KR that KOSIS and Korean Excel export by default) are detected.
* Numbers: ``1,234`` and ``1 234`` (thousands), ``34.5`` and ``34,5`` / ``1.234,5`` (decimal
  comma) are read by the style of the whole column; a column mixing both styles is refused.
* KOSIS marks ``-`` (no case), ``X`` (suppressed), ``...`` / ``…`` (not available) and blanks are
  *missing*, never zero: :func:`parse_numbers` returns None for them and the caller reports it.
* Duplicate rows are refused with both row numbers (:func:`reject_duplicates`).
* YAML is read with YAML 1.2 booleans (only ``true``/``false``), so ``yes``, ``no``, ``on`` and
  ``off`` stay text, as option ids and labels must.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MISSING_MARKS = frozenset({"", "-", "X", "x", "...", "…", "..", "NA", "N/A"})
ENCODINGS = ("utf-8", "cp949")


class ReadError(ValueError):
    """A user file that cannot be read as what it should be; names file, row and field."""


def where(path: str | Path, line: int | None = None, field: str | None = None) -> str:
    """``file, row N, field 'F'`` for messages."""
    text = str(path)
    if line is not None:
        text += f", row {line}"
    if field is not None:
        text += f", field {field!r}"
    return text


def decode(data: bytes, path: str | Path, error: type[ValueError] = ReadError) -> tuple[str, str]:
    """The text of a file's bytes and the encoding detected (BOMs first, then UTF-8, CP949)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise error(f"{path}: not {name} text despite its byte-order mark "
                            f"(byte {exc.start})") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise error(f"{path}: a binary file, not text (NUL byte at {nul})")
    failures = []
    for name in ENCODINGS:
        try:
            return data.decode(name), name
        except UnicodeDecodeError as exc:
            failures.append(f"{name} fails at byte {exc.start}")
    raise error(f"{path}: not text in a known encoding ({'; '.join(failures)}); "
                "save it as UTF-8 or CP949")


def read_text(path: str | Path, error: type[ValueError] = ReadError) -> tuple[str, str]:
    """Decode a text file (see :func:`decode`); a missing or unreadable file is an ``error``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except IsADirectoryError:
        raise error(f"{path}: a folder, not a file") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror})") from None
    return decode(data, path, error)


@dataclass(frozen=True)
class CsvTable:
    """A CSV read as text: header, rows (same width as the header) and their line numbers."""

    path: Path
    encoding: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]

    def column(self, name: str) -> list[str]:
        i = self.header.index(name)
        return [row[i] for row in self.rows]

    def records(self) -> list[tuple[int, dict[str, str]]]:
        return [(n, dict(zip(self.header, row, strict=True)))
                for n, row in zip(self.lines, self.rows, strict=True)]

    def frame(self) -> Any:
        """All columns as a polars string frame (values stripped; blanks are null)."""
        import polars as pl

        data = {h: [row[i] or None for row in self.rows] for i, h in enumerate(self.header)}
        return pl.DataFrame(data, schema={h: pl.String for h in self.header})


def read_csv(
    path: str | Path,
    *,
    required: Sequence[str] = (),
    error: type[ValueError] = ReadError,
    allow_empty: bool = False,
) -> CsvTable:
    """Read a CSV with a header row; ``#`` comment lines and blank lines are skipped.

    Refused, naming file and row: no header, an empty or repeated column name, a row with more
    or fewer fields than the header, missing ``required`` columns, no data rows (unless
    ``allow_empty``). Values are stripped of surrounding white space.
    """
    path = Path(path)
    text, encoding = read_text(path, error)
    kept = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")]
    if not kept:
        raise error(f"{path}: empty (no header row)")
    try:
        parsed = list(csv.reader(io.StringIO("\n".join(line for _, line in kept)), strict=True))
    except csv.Error as exc:
        raise error(f"{path}: malformed CSV ({exc})") from None
    if len(parsed) != len(kept):
        raise error(f"{path}: a quoted field spans several lines; not supported")
    numbers = [n for n, _ in kept]
    header = tuple(h.strip() for h in parsed[0])
    for i, name in enumerate(header):
        if not name:
            raise error(f"{where(path, numbers[0])}: column {i + 1} has no name")
        if name in header[:i]:
            raise error(f"{where(path, numbers[0])}: column {name!r} appears twice")
    missing = [c for c in required if c not in header]
    if missing:
        raise error(f"{where(path, numbers[0])}: missing column(s) {missing}; the header is "
                    f"{list(header)} (encoding {encoding})")
    rows = []
    for n, values in zip(numbers[1:], parsed[1:], strict=True):
        if len(values) != len(header):
            raise error(f"{where(path, n)}: {len(values)} fields, header has {len(header)}")
        rows.append(tuple(v.strip() for v in values))
    if not rows and not allow_empty:
        raise error(f"{path}: a header but no data rows")
    return CsvTable(path, encoding, header, tuple(rows), tuple(numbers[1:]))


_THOUSANDS_COMMA = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
_THOUSANDS_DOT = re.compile(r"^[+-]?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?[0-9]*,[0-9]+$")
_PLAIN = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def _style(text: str) -> str:
    """``plain``, ``comma`` (1,234.5), ``decimal-comma`` (34,5 or 1.234,5), ``ambiguous``
    (1,234: thousands or decimal) or ``bad``."""
    if _PLAIN.match(text):
        return "plain"
    if _THOUSANDS_COMMA.match(text):
        return "ambiguous" if re.match(r"^[+-]?[0-9]{1,3},[0-9]{3}$", text) else "comma"
    if _THOUSANDS_DOT.match(text) and "," in text:
        return "decimal-comma"
    if _DECIMAL_COMMA.match(text):
        return "decimal-comma"
    return "bad"


def parse_numbers(
    values: Sequence[str],
    lines: Sequence[int],
    path: str | Path,
    field: str,
    *,
    error: type[ValueError] = ReadError,
    allow_negative: bool = False,
) -> list[float | None]:
    """Numbers of one column; None where a KOSIS mark or blank says *missing*.

    Thousands separators (``,``, spaces) and a decimal comma are read by the column's style; a
    trailing ``%`` is dropped. A value that is not a number, negative (unless allowed), not
    finite, or a column mixing ``1,234.5`` with ``34,5`` is an ``error`` naming file, row and
    field.
    """
    cleaned = [v.strip().replace("\u00a0", "").replace(" ", "").removesuffix("%")
               for v in values]
    styles = ["missing" if c in MISSING_MARKS else _style(c) for c in cleaned]
    for c, s, n in zip(cleaned, styles, lines, strict=True):
        if s == "bad":
            raise error(f"{where(path, n, field)}: {c!r} is not a number")
    comma_rows = [n for s, n in zip(styles, lines, strict=True) if s == "comma"]
    decimal_rows = [n for s, n in zip(styles, lines, strict=True) if s == "decimal-comma"]
    if comma_rows and decimal_rows:
        raise error(f"{where(path, decimal_rows[0], field)}: a decimal comma here but a "
                    f"thousands comma in row {comma_rows[0]}; use one number style per column")
    out: list[float | None] = []
    for c, s, n in zip(cleaned, styles, lines, strict=True):
        if s == "missing":
            out.append(None)
            continue
        if s in ("decimal-comma",) or (s == "ambiguous" and decimal_rows):
            number = float(c.replace(".", "").replace(",", "."))
        else:
            number = float(c.replace(",", ""))
        if not math.isfinite(number):
            raise error(f"{where(path, n, field)}: {c!r} is not a finite number")
        if number < 0 and not allow_negative:
            raise error(f"{where(path, n, field)}: {c!r} is negative")
        out.append(number)
    return out


def missing_cells(
    values: Sequence[float | None], raw: Sequence[str], lines: Sequence[int], field: str
) -> list[str]:
    """``row N: field 'F' is 'X' (missing)`` for each missing value, for reports."""
    return [f"row {n}, field {field!r}: {r.strip()!r} (missing)" if r.strip() else
            f"row {n}, field {field!r}: blank (missing)"
            for v, r, n in zip(values, raw, lines, strict=True) if v is None]


def reject_duplicates(
    keys: Iterable[tuple[Any, ...]],
    lines: Sequence[int],
    path: str | Path,
    fields: Sequence[str],
    error: type[ValueError] = ReadError,
) -> None:
    """Refuse two rows with the same key, naming both rows and the key fields."""
    seen: dict[tuple[Any, ...], int] = {}
    for key, n in zip(keys, lines, strict=True):
        if key in seen:
            shown = ", ".join(f"{f}={v!r}" for f, v in zip(fields, key, strict=True))
            raise error(f"{where(path, n)}: duplicate of row {seen[key]} ({shown})")
        seen[key] = n


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false (any case), not yes/no/on/off."""


_Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def parse_yaml(text: str, source: str, error: type[ValueError] = ReadError) -> Any:
    """Parse YAML text (YAML 1.2 booleans); a syntax error names the line and column."""
    try:
        return yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f", row {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{source}{at}: not valid YAML ({exc.problem})") from None
    except yaml.YAMLError as exc:
        raise error(f"{source}: not valid YAML ({exc})") from None


def read_yaml(path: str | Path, error: type[ValueError] = ReadError) -> Any:
    """Read a YAML file in any detected encoding (see :func:`parse_yaml`)."""
    text, _ = read_text(path, error)
    return parse_yaml(text, str(path), error)


def read_json(path: str | Path, error: type[ValueError] = ReadError) -> Any:
    """Read a JSON file; a syntax error names the line."""
    import json

    text, _ = read_text(path, error)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{where(path, exc.lineno)}: not valid JSON ({exc.msg})") from None
