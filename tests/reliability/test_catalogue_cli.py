"""The bad-input catalogue, command by command: every case ends handled (exit 0, the right
result) or refused (non-zero exit, a message naming what is wrong), never with a traceback, a
hang (pytest-timeout) or a lost file (every file present before is unchanged after).

Case ids start with ``handled-`` or ``refused-``; ``docs/reliability.md`` gives the totals.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest

from synthsoc.atomic import MARKER_FILE
from tests.reliability.catalogue_files import (
    LABEL_MAP,
    QUESTIONNAIRE,
    TABLE_ROWS,
    lost,
    snapshot,
    table_text,
    write,
)
from tests.reliability.conftest import invoke, refused, succeeded

pytestmark = pytest.mark.timeout(120)


@dataclass
class Ctx:
    """A case's world: a private population copy and a scratch folder with valid inputs."""

    tmp: Path
    pop: Path
    out: Path
    files: dict[str, Path] = field(default_factory=dict)


Build = Callable[[Ctx], list[str]]
Check = Callable[[Ctx], None]


@dataclass(frozen=True)
class Case:
    name: str
    build: Build
    needles: tuple[str, ...] = ()
    check: Check | None = None

    @property
    def refused(self) -> bool:
        return self.name.startswith("refused-")


def _ctx(tmp: Path, pop: Path) -> Ctx:
    ctx = Ctx(tmp, pop, tmp / "out")
    ctx.files["q"] = write(tmp / "in" / "q.yaml", QUESTIONNAIRE)
    ctx.files["t"] = write(tmp / "in" / "t.csv", table_text())
    ctx.files["l"] = write(tmp / "in" / "l.yaml", LABEL_MAP)
    return ctx


# --- populate ------------------------------------------------------------------------------

def _populate(*extra: str, out: str | None = None) -> Build:
    def build(c: Ctx) -> list[str]:
        target = out if out is not None else str(c.out)
        return ["populate", "--out", target, "--region", "Jongno-gu", "--seed", "3",
                "--no-html", *extra]
    return build


def _populate_args(*args: str) -> Build:
    def build(c: Ctx) -> list[str]:
        return ["populate", "--out", str(c.out), "--no-html", *args]
    return build


def _controls(name: str, text: str, encoding: str = "utf-8") -> Build:
    def build(c: Ctx) -> list[str]:
        write(c.tmp / "controls" / name, text, encoding)
        return _populate("--scale", "0.01", "--controls", str(c.tmp / "controls"))(c)
    return build


EMD = "emd_counts.csv"
AGE = "age_sex_sigungu.csv"
EMD_HEAD = "# source: catalogue\nemd_code,field,value\n"
AGE_HEAD = "# source: catalogue\nsigungu_code,sex,age_group,population\n"


def _override_applied(c: Ctx) -> None:
    """The census counts of 11010730 are size_1 5539 and size_2 1720; the override moved 10
    households from one to the other and the run says it used the user table."""
    report = json.loads((c.out / "fit_report.json").read_text(encoding="utf-8"))
    assert report["run"]["controls_dir"] and _persons(c) > 1000


def _persons(c: Ctx) -> int:
    return pl.scan_parquet(c.out / "persons.parquet").select(pl.len()).collect().item()


POPULATE: list[Case] = [
    *[Case(f"refused-scale-{v}", _populate_args("--scale", v, "--region", "Jongno-gu"),
           ("--scale",)) for v in ("0", "-1", "1.5", "0.0009", "nan", "inf", "abc", "")],
    *[Case(f"refused-seed-{v}", _populate_args("--scale", "0.01", "--seed", v), ("--seed",))
      for v in ("x", "1.5", "")],
    *[Case(f"refused-year-{v}", _populate_args("--scale", "0.01", "--year", v), ("--year",))
      for v in ("1999", "2030", "x")],
    *[Case(f"refused-region-{name}", _populate_args("--scale", "0.01", "--region", v),
           ("region",)) for name, v in (
        ("atlantis", "Atlantis"), ("ambiguous", "중구"), ("spaces", "  "), ("empty", ""),
        ("unknown-code", "99999"), ("tab", "\t"))],
    Case("handled-region-trailing-space", _populate_args("--scale", "0.01", "--region",
                                                         "Jongno-gu "),
         check=lambda c: None if _persons(c) > 1000 else pytest.fail("too few persons")),
    Case("handled-region-korean-name", _populate_args("--scale", "0.01", "--region", "종로구"),
         check=lambda c: None if _persons(c) > 1000 else pytest.fail("too few persons")),
    Case("refused-controls-missing", _populate("--scale", "0.01", "--controls", "/nowhere"),
         ("does not exist",)),
    Case("refused-controls-empty-folder",
         lambda c: (c.tmp.joinpath("controls").mkdir(),
                    _populate("--controls", str(c.tmp / "controls"))(c))[1],
         ("no control tables",)),
    Case("refused-controls-unknown-table", _controls("other.csv", "a,b\n1,2\n"),
         ("unknown control table",)),
    Case("refused-controls-xlsx-only", _controls("emd_counts.xlsx", "PK\x03\x04"),
         ("no control tables",)),
    Case("refused-emd-unknown-code", _controls(EMD, EMD_HEAD + "99999999,size_1,10\n"),
         ("row 3", "emd_code", "99999999")),
    Case("refused-emd-unknown-field", _controls(EMD, EMD_HEAD + "11010530,size_99,10\n"),
         ("row 3", "size_99")),
    Case("refused-emd-negative", _controls(EMD, EMD_HEAD + "11010530,size_1,-5\n"),
         ("row 3", "value", "negative")),
    *[Case(f"refused-emd-suppressed-{name}", _controls(EMD, EMD_HEAD + f"11010530,size_1,{v}\n"),
           ("row 3", "value", "missing count")) for name, v in (
        ("X", "X"), ("dash", "-"), ("dots", "..."), ("blank", ""), ("ellipsis", "…"))],
    Case("refused-emd-not-a-number", _controls(EMD, EMD_HEAD + "11010530,size_1,lots\n"),
         ("row 3", "value", "'lots'")),
    Case("refused-emd-duplicate-row",
         _controls(EMD, EMD_HEAD + "11010530,size_1,10\n11010530,size_1,12\n"),
         ("row 4", "duplicate of row 3")),
    Case("refused-emd-ragged-row", _controls(EMD, EMD_HEAD + "11010530,size_1\n"),
         ("row 3", "2 fields")),
    Case("refused-emd-header-only", _controls(EMD, EMD_HEAD), ("no data rows",)),
    Case("refused-emd-empty-file", _controls(EMD, ""), ("empty",)),
    Case("refused-emd-binary", _controls(EMD, "\x00\x01\x02binary"), ("binary",)),
    Case("refused-emd-missing-column", _controls(EMD, "emd_code,field\n11010530,size_1\n"),
         ("missing column", "value")),
    Case("refused-emd-repeated-column",
         _controls(EMD, "emd_code,field,value,value\n11010530,size_1,1,2\n"),
         ("appears twice",)),
    Case("refused-emd-totals-disagree", _controls(EMD, EMD_HEAD + "11010530,size_1,100000\n"),
         ("totals disagree",)),
    Case("refused-emd-unterminated-quote", _controls(EMD, EMD_HEAD + '11010530,"size_1,10\n'),
         ("emd_counts.csv",)),
    Case("refused-age-bad-sex", _controls(AGE, AGE_HEAD + "11010,Q,0-4,100\n"),
         ("row 3", "sex")),
    Case("refused-age-bad-group", _controls(AGE, AGE_HEAD + "11010,M,0-5,100\n"),
         ("row 3", "age_group")),
    Case("refused-age-unknown-sigungu", _controls(AGE, AGE_HEAD + "99999,M,0-4,100\n"),
         ("row 3", "sigungu_code")),
    Case("refused-age-duplicate", _controls(AGE, AGE_HEAD + "11010,M,0-4,1\n11010,M,0-4,2\n"),
         ("row 4", "duplicate of row 3")),
    Case("refused-age-total-disagrees", _controls(AGE, AGE_HEAD + "11010,M,0-4,5\n"),
         ("disagrees",)),
    Case("refused-age-decimal-comma-mixed",
         _controls(AGE, AGE_HEAD + '11010,M,0-4,"1,234.5"\n11010,F,0-4,"34,5"\n'),
         ("number style",)),
    # valid control tables in the encodings and styles KOSIS and Excel write
    *[Case(f"handled-emd-{name}", _controls(EMD, "# 출처: 사용자 표\nemd_code,field,value\n"
                                             f"11010730,size_1,{one}\n11010730,size_2,{two}\n",
                                             enc), check=_override_applied)
      for name, enc, one, two in (
          ("utf8", "utf-8", "5529", "1730"), ("bom", "utf-8-sig", "5529", "1730"),
          ("cp949", "cp949", "5529", "1730"), ("euc-kr", "euc-kr", "5529", "1730"),
          ("utf16", "utf-16", "5529", "1730"), ("thousands", "utf-8", '"5,529"', '"1,730"'),
          ("spaces", "utf-8", " 5529 ", " 1730 "))],
    # output folders
    Case("refused-out-is-a-file",
         lambda c: (write(c.out, "my notes"), _populate("--scale", "0.01")(c))[1],
         ("not a folder",)),
    Case("refused-out-foreign-folder",
         lambda c: (write(c.out / "thesis.tex", "x"), write(c.out / "src" / "a.py", "x"),
                    _populate("--scale", "0.01")(c))[2], ("not empty", "--force")),
    Case("refused-out-is-controls-input",
         lambda c: (write(c.tmp / "controls" / EMD, EMD_HEAD + "11010530,dwell_apartment,5\n"),
                    _populate("--scale", "0.01", "--controls", str(c.tmp / "controls"),
                              out=str(c.tmp / "controls"))(c))[1], ("input",)),
    Case("refused-out-contains-controls",
         lambda c: (write(c.tmp / "controls" / EMD, EMD_HEAD + "11010530,dwell_apartment,5\n"),
                    _populate("--scale", "0.01", "--controls", str(c.tmp / "controls"),
                              out=str(c.tmp))(c))[1], ("input",)),
    Case("refused-out-is-a-survey-run",
         lambda c: (write(c.out / ".synthsoc-run.json", json.dumps(
             {"format": "synthsoc-output/1", "kind": "survey", "files": []})),
                    _populate("--scale", "0.01")(c))[1], ("survey run",)),
    Case("refused-out-current-folder",
         lambda c: (os.chdir(c.tmp), _populate("--scale", "0.01", out=".")(c))[1],
         ("not empty",)),
    Case("handled-out-force-keeps-foreign",
         lambda c: (write(c.out / "thesis.tex", "x"),
                    _populate("--scale", "0.01", "--force")(c))[1],
         check=lambda c: None if (c.out / "thesis.tex").read_text() == "x" and _persons(c) else
         pytest.fail("foreign file lost")),
    Case("handled-out-replaces-previous-run",
         lambda c: (invoke(_populate("--scale", "0.01")(c)), write(c.out / "notes.md", "n"),
                    _populate("--scale", "0.01", "--seed", "4")(c))[2],
         check=lambda c: None if (c.out / "notes.md").read_text() == "n" and
         json.loads((c.out / "manifest.json").read_text())["seed"] == 4 else pytest.fail("x")),
    Case("refused-out-below-a-file",
         lambda c: (write(c.tmp / "notes.txt", "n"),
                    _populate("--scale", "0.01", out=str(c.tmp / "notes.txt" / "pop"))(c))[1],
         ("is a file",)),
    Case("refused-out-empty-string", lambda c: (os.chdir(c.tmp), _populate(
        "--scale", "0.01", out="")(c))[1], ("not empty",)),
    Case("handled-out-empty-folder",
         lambda c: (c.out.mkdir(), _populate("--scale", "0.01")(c))[1],
         check=lambda c: None if _persons(c) else pytest.fail("no persons")),
]


# --- personas, report ----------------------------------------------------------------------

def _damage(rel: str, data: bytes | None) -> Callable[[Ctx], None]:
    def apply(c: Ctx) -> None:
        path = c.pop / rel
        if data is None:
            path.unlink()
        elif data == b"TRUNCATE":
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        else:
            path.write_bytes(data)
    return apply


def _personas_after(damage: Callable[[Ctx], None], *extra: str) -> Build:
    def build(c: Ctx) -> list[str]:
        damage(c)
        return ["personas", str(c.pop), *extra]
    return build


def _report_after(damage: Callable[[Ctx], None]) -> Build:
    def build(c: Ctx) -> list[str]:
        damage(c)
        return ["report", str(c.pop)]
    return build


def _nothing(_c: Ctx) -> None:
    return None


PERSONAS: list[Case] = [
    Case("refused-personas-missing-folder", lambda c: ["personas", str(c.tmp / "none")],
         ("not a complete population folder",)),
    Case("refused-personas-empty-folder",
         lambda c: (c.out.mkdir(), ["personas", str(c.out)])[1], ("not a complete",)),
    Case("refused-personas-a-file", lambda c: ["personas", str(c.files["q"])],
         ("not a complete",)),
    *[Case(f"refused-personas-{name}", _personas_after(_damage(rel, data)), needles)
      for name, rel, data, needles in (
          ("garbled-manifest", "manifest.json", b'{"seed": 3,', ("manifest.json", "JSON")),
          ("binary-manifest", "manifest.json", b"\x00\xff", ("manifest.json",)),
          ("list-manifest", "manifest.json", b"[1]", ("manifest.json",)),
          ("truncated-persons", "persons.parquet", b"TRUNCATE", ("persons.parquet",)),
          ("text-persons", "persons.parquet", b"person_id\n1\n", ("persons.parquet",)),
          ("empty-persons", "persons.parquet", b"", ("persons.parquet",)),
          ("no-households", "households.parquet", None, ("households.parquet",)),
          ("truncated-households", "households.parquet", b"TRUNCATE", ("households.parquet",)),
          ("no-regions", "regions.parquet", None, ("regions.parquet",)),
      )],
    Case("refused-personas-bad-llm", _personas_after(_nothing, "--llm", "gpt9"), ("--llm",)),
    Case("refused-personas-negative-narratives", _personas_after(_nothing, "--narratives", "-1"),
         ("--narratives",)),
    Case("refused-personas-zero-chunk", _personas_after(_nothing, "--chunk-rows", "0"),
         ("--chunk-rows",)),
    Case("refused-personas-zero-concurrency", _personas_after(_nothing, "--concurrency", "0"),
         ("--concurrency",)),
    Case("refused-personas-seed-text", _personas_after(_nothing, "--seed", "x"), ("--seed",)),
    Case("handled-personas-default", _personas_after(_nothing),
         check=lambda c: None if (c.pop / "personas.parquet").is_file() else pytest.fail("x")),
    Case("handled-personas-narratives", _personas_after(_nothing, "--narratives", "2"),
         check=lambda c: None if pl.read_parquet(c.pop / "narratives.parquet").height == 2
         else pytest.fail("x")),
    Case("handled-report", lambda c: ["report", str(c.pop)]),
    Case("refused-report-missing", lambda c: ["report", str(c.tmp)], ("fit_report.json",)),
    *[Case(f"refused-report-{name}", _report_after(_damage("fit_report.json", data)), needles)
      for name, data, needles in (
          ("garbled", b"{", ("fit_report.json", "JSON")),
          ("list", b"[]", ("fit report",)),
          ("no-controls", b'{"summary": {}}', ("fit report",)),
          ("bad-controls", b'{"summary": {}, "controls": {"t": {"si_do": 1}}}',
           ("malformed",)),
          ("cp949-garbage", "{\"요약\": 1}".encode("cp949"), ("fit report",)),
      )],
]


# --- survey --------------------------------------------------------------------------------

def _survey(*extra: str, q: str | None = None, tables: str | None = None,
            labels: str | None = None, out: str | None = None) -> Build:
    def build(c: Ctx) -> list[str]:
        target = out if out is not None else str(c.out)
        return ["survey", "run", q or str(c.files["q"]), "--population", str(c.pop),
                "--out", target, "--tables", tables or str(c.files["t"]),
                "--label-map", labels or str(c.files["l"]), "--draws", "2", *extra]
    return build


def _with_table(text: str, encoding: str = "utf-8") -> Build:
    def build(c: Ctx) -> list[str]:
        return _survey(tables=str(write(c.tmp / "in" / "t2.csv", text, encoding)))(c)
    return build


def _with_questionnaire(text: str, encoding: str = "utf-8") -> Build:
    def build(c: Ctx) -> list[str]:
        return _survey(q=str(write(c.tmp / "in" / "q2.yaml", text, encoding)))(c)
    return build


def _with_labels(text: str, encoding: str = "utf-8") -> Build:
    def build(c: Ctx) -> list[str]:
        return _survey(labels=str(write(c.tmp / "in" / "l2.yaml", text, encoding)))(c)
    return build


def _share(c: Ctx, group: str, category: str = "yes") -> float:
    rows = pl.read_csv(c.out / "results.csv").filter(
        (pl.col("segment") == "age_group") & (pl.col("group") == group)
        & (pl.col("category") == category))
    return float(rows["share"][0])


def _expect_share(group: str, value: float) -> Check:
    def check(c: Ctx) -> None:
        assert _share(c, group) == pytest.approx(value, abs=1e-9)
    return check


def _expect_note(*words: str) -> Check:
    def check(c: Ctx) -> None:
        report = " ".join((c.out / "report.md").read_text(encoding="utf-8").split())
        for w in words:
            assert w in report, (w, report[:2000])
    return check


def _rows(**replace: str) -> list[str]:
    rows = list(TABLE_ROWS)
    for index, row in replace.items():
        rows[int(index.removeprefix("r"))] = row
    return rows


Q_BROKEN = {
    "not-a-mapping": "- a\n- b\n",
    "syntax-error": "id: t\nquestions: [\n",
    "tab-indent": "id: t\n\tquestions: []\n",
    "no-questions": "id: t\ntitle: T\n",
    "unknown-key": QUESTIONNAIRE + "colour: blue\n",
    "option-id-null": QUESTIONNAIRE.replace('{id: "no"', "{id: null"),
    "option-id-true": QUESTIONNAIRE.replace('{id: "no"', "{id: true"),
    "unknown-type": QUESTIONNAIRE.replace("single_choice", "essay_choice"),
    "empty-file": "",
    "only-comment": "# nothing\n",
    "scalar": "42\n",
    "bad-segment": QUESTIONNAIRE.replace("[age_group]", "[shoe_size]"),
    "min-age-text": QUESTIONNAIRE.replace("segments:", "universe: {min_age: old}\nsegments:"),
}

SURVEY: list[Case] = [
    Case("handled-survey-baseline", _survey(), check=_expect_share("19-29", 0.30)),
    Case("handled-survey-table-bom", _with_table(table_text(), "utf-8-sig"),
         check=_expect_share("19-29", 0.30)),
    Case("handled-survey-table-cp949",
         _with_table(table_text().replace("# source", "# 출처 source"), "cp949"),
         check=_expect_share("19-29", 0.30)),
    Case("handled-survey-table-utf16", _with_table(table_text(), "utf-16"),
         check=_expect_share("19-29", 0.30)),
    Case("handled-survey-table-crlf", _with_table(table_text().replace("\n", "\r\n")),
         check=_expect_share("19-29", 0.30)),
    Case("handled-survey-decimal-comma",
         _with_table(table_text(_rows(r2='Q,Age,30~59 years old,Yes,"34,5"',
                                      r3='Q,Age,30~59 years old,No,"65,5"'))),
         check=_expect_share("30-39", 0.345)),
    Case("handled-survey-percent-sign",
         _with_table(table_text(_rows(r0="Q,Age,19~29 years old,Yes,30%",
                                      r1="Q,Age,19~29 years old,No,70%"))),
         check=_expect_share("19-29", 0.30)),
    Case("handled-survey-total-row",
         _with_table(table_text([*TABLE_ROWS, "Q,Age,19~29 years old,Total,100.0"])),
         check=_expect_share("19-29", 0.30)),
    *[Case(f"handled-survey-suppressed-{name}",
           _with_table(table_text(_rows(r0=f"Q,Age,19~29 years old,Yes,{mark}"))),
           check=_expect_note("19~29 years old", "적합에서 제외했습니다", "3행"))
      for name, mark in (("X", "X"), ("dash", "-"), ("dots", "..."), ("blank", ""))],
    Case("handled-survey-missing-answer-row",
         _with_table(table_text([r for r in TABLE_ROWS if r != TABLE_ROWS[0]])),
         check=_expect_note("19~29 years old", "'Yes' 행 없음")),
    Case("refused-survey-sum-150",
         _with_table(table_text(_rows(r0="Q,Age,19~29 years old,Yes,80"))),
         ("add up to 150", "rows [3, 4]")),
    Case("refused-survey-sum-disagrees-total",
         _with_table(table_text([*TABLE_ROWS, "Q,Age,19~29 years old,Total,90"])),
         ("its Total 90",)),
    Case("refused-survey-duplicate-row", _with_table(table_text([*TABLE_ROWS, TABLE_ROWS[0]])),
         ("row 9", "duplicate of row 3")),
    Case("refused-survey-mixed-number-styles",
         _with_table(table_text(_rows(r0='Q,Age,19~29 years old,Yes,"1,030.0"',
                                      r1='Q,Age,19~29 years old,No,"7,0"'))),
         ("number style",)),
    Case("refused-survey-negative",
         _with_table(table_text(_rows(r0="Q,Age,19~29 years old,Yes,-30"))),
         ("row 3", "value", "negative")),
    Case("refused-survey-not-a-number",
         _with_table(table_text(_rows(r0="Q,Age,19~29 years old,Yes,thirty"))),
         ("row 3", "value", "'thirty'")),
    Case("refused-survey-empty-group",
         _with_table(table_text(_rows(r0="Q,Age,,Yes,30"))), ("row 3", "group", "empty")),
    Case("refused-survey-table-empty", _with_table(""), ("empty",)),
    Case("refused-survey-table-header-only", _with_table(table_text([])), ("no data rows",)),
    Case("refused-survey-table-missing-column",
         _with_table("question,group,answer,value\nQ,a,Yes,1\n"), ("missing column",)),
    Case("refused-survey-table-binary", _with_table("\x00PK\x03"), ("binary",)),
    Case("refused-survey-table-missing", _survey(tables="/nowhere/t.csv"), ("not found",)),
    Case("refused-survey-table-is-folder", lambda c: _survey(tables=str(c.tmp))(c),
         ("folder",)),
    Case("refused-survey-labels-syntax", _with_labels("Age: [\n"), ("l2.yaml", "YAML")),
    Case("refused-survey-labels-list", _with_labels("- a\n"), ("l2.yaml", "mapping")),
    Case("refused-survey-labels-missing", _survey(labels="/nowhere/l.yaml"), ("not found",)),
    Case("handled-survey-labels-cp949", _with_labels("# 나이\n" + LABEL_MAP, "cp949"),
         check=_expect_share("19-29", 0.30)),
    Case("handled-survey-questionnaire-cp949", _with_questionnaire(QUESTIONNAIRE, "cp949"),
         check=_expect_share("19-29", 0.30)),
    Case("handled-survey-questionnaire-bom", _with_questionnaire(QUESTIONNAIRE, "utf-8-sig"),
         check=_expect_share("19-29", 0.30)),
    Case("handled-survey-option-ids-yes-no",
         _with_questionnaire(QUESTIONNAIRE.replace('"yes"', "yes").replace('"no"', "no")),
         check=_expect_share("19-29", 0.30)),
    *[Case(f"refused-survey-questionnaire-{name}", _with_questionnaire(text), ("q2.yaml",))
      for name, text in Q_BROKEN.items()],
    Case("refused-survey-questionnaire-missing", _survey(q="/nowhere/q.yaml"), ("not found",)),
    Case("refused-survey-engine", _survey("--engine", "magic"), ("--engine",)),
    Case("refused-survey-replicates-0", _survey("--replicates", "0"), ("--replicates",)),
    Case("refused-survey-draws-1", _survey("--draws", "1"), ("--draws",)),
    Case("refused-survey-no-engine-input",
         lambda c: ["survey", "run", str(c.files["q"]), "--population", str(c.pop), "--out",
                    str(c.out)], ("--data", "--tables")),
    Case("refused-survey-population-missing",
         lambda c: [*_survey()(c)[:3], "--population", str(c.tmp / "none"), *_survey()(c)[5:]],
         ("population folder",)),
    Case("refused-survey-out-is-population", lambda c: _survey(out=str(c.pop))(c), ("input",)),
    Case("refused-survey-out-contains-questionnaire",
         lambda c: _survey(out=str(c.tmp / "in"))(c), ("input",)),
    Case("refused-survey-out-foreign",
         lambda c: (write(c.out / "thesis.tex", "x"), _survey()(c))[1], ("not empty",)),
    Case("refused-survey-out-file", lambda c: (write(c.out, "x"), _survey()(c))[1],
         ("not a folder",)),
    Case("refused-survey-out-simulation-run",
         lambda c: (write(c.out / ".synthsoc-run.json", json.dumps(
             {"format": "synthsoc-output/1", "kind": "simulation", "files": []})),
                    _survey()(c))[1], ("simulation run",)),
    Case("refused-survey-out-cwd",
         lambda c: (os.chdir(c.tmp), _survey(out=".")(c))[1], ("input",)),
    Case("handled-survey-out-force",
         lambda c: (write(c.out / "thesis.tex", "x"), _survey("--force")(c))[1],
         check=lambda c: None if (c.out / "thesis.tex").read_text() == "x" and
         (c.out / "results.json").is_file() else pytest.fail("x")),
    Case("handled-survey-rerun", lambda c: (invoke(_survey()(c)), _survey()(c))[1],
         check=_expect_share("19-29", 0.30)),
    Case("handled-concept-test",
         lambda c: ["survey", "concept-test", "--population", str(c.pop), "--out", str(c.out)],
         check=lambda c: None if (c.out / "report.md").is_file() else pytest.fail("x")),
    Case("refused-concept-test-out-is-population",
         lambda c: ["survey", "concept-test", "--population", str(c.pop), "--out", str(c.pop)],
         ("input",)),
    Case("handled-validate", lambda c: ["survey", "validate", str(c.files["q"])]),
    *[Case(f"refused-validate-{name}",
           lambda c, t=text: ["survey", "validate", str(write(c.tmp / "v.yaml", t))], ("v.yaml",))
      for name, text in Q_BROKEN.items()],
]


# --- simulate ------------------------------------------------------------------------------

def _simulate(*extra: str, scenario: str = "product_launch", out: str | None = None) -> Build:
    def build(c: Ctx) -> list[str]:
        target = out if out is not None else str(c.out)
        return ["simulate", scenario, "--population", str(c.pop), "--out", target,
                "--replicates", "2", "--steps", "5", "--no-charts", "--workers", "1", *extra]
    return build


def _scenario(text: str) -> Build:
    def build(c: Ctx) -> list[str]:
        return _simulate(scenario=str(write(c.tmp / "in" / "s.yaml", text)))(c)
    return build


def _scenario_file(encoding: str) -> Build:
    def build(c: Ctx) -> list[str]:
        from importlib import resources

        text = (resources.files("synthsoc.sim") / "scenarios" / "product_launch.yaml").read_text(
            encoding="utf-8")
        return _simulate(scenario=str(write(c.tmp / "in" / "s.yaml", "# 신제품 출시\n" + text,
                                            encoding)))(c)
    return build


SIMULATE: list[Case] = [
    Case("handled-simulate-baseline", _simulate(),
         check=lambda c: None if (c.out / "summary.json").is_file() else pytest.fail("x")),
    Case("handled-simulate-rerun", lambda c: (invoke(_simulate()(c)), _simulate()(c))[1],
         check=lambda c: None if (c.out / "summary.json").is_file() else pytest.fail("x")),
    Case("handled-simulate-two-workers", _simulate("--workers", "2")),
    Case("handled-simulate-list", lambda c: ["simulate", "--list"]),
    *[Case(f"handled-simulate-scenario-{enc}", _scenario_file(enc),
           check=lambda c: None if (c.out / "summary.json").is_file() else pytest.fail("x"))
      for enc in ("utf-8-sig", "cp949", "utf-16")],
    Case("refused-simulate-unknown-scenario", _simulate(scenario="no_such_thing"),
         ("no_such_thing",)),
    Case("refused-simulate-scenario-syntax", _scenario("name: [\n"), ("s.yaml",)),
    Case("refused-simulate-scenario-list", _scenario("- 1\n"), ("s.yaml",)),
    Case("refused-simulate-scenario-no-model", _scenario("name: x\nsteps: 5\n"), ("model",)),
    Case("refused-simulate-scenario-bad-model", _scenario("name: x\nmodel: warp\nsteps: 5\n"),
         ("warp",)),
    Case("refused-simulate-scenario-steps-text",
         _scenario("name: x\nmodel: market\nsteps: many\n"), ("steps",)),
    Case("refused-simulate-scenario-steps-1", _scenario("name: x\nmodel: market\nsteps: 1\n"),
         ("steps",)),
    Case("refused-simulate-no-population", lambda c: ["simulate", "product_launch"],
         ("--population",)),
    Case("refused-simulate-population-missing",
         lambda c: ["simulate", "product_launch", "--population", str(c.tmp / "none"),
                    "--out", str(c.out)], ("population folder",)),
    Case("refused-simulate-replicates-0", _simulate("--replicates", "0"), ("--replicates",)),
    Case("refused-simulate-workers-0", _simulate("--workers", "0"), ("--workers",)),
    Case("refused-simulate-steps-1", _simulate("--steps", "1"), ("--steps",)),
    Case("refused-simulate-bad-delegate", _simulate("--delegate", "everyone"), ("everyone",)),
    Case("refused-simulate-out-is-population", _simulate(out="POP"), ("input",)),
    Case("refused-simulate-out-contains-population", _simulate(out="TMP"), ("input",)),
    Case("refused-simulate-out-foreign",
         lambda c: (write(c.out / "data.csv", "x"), _simulate()(c))[1], ("not empty",)),
    Case("refused-simulate-out-file", lambda c: (write(c.out, "x"), _simulate()(c))[1],
         ("not a folder",)),
    Case("refused-simulate-out-population-run",
         lambda c: (write(c.out / ".synthsoc-run.json", json.dumps(
             {"format": "synthsoc-output/1", "kind": "population", "files": []})),
                    _simulate()(c))[1], ("population run",)),
    Case("handled-simulate-out-force",
         lambda c: (write(c.out / "data.csv", "x"), _simulate("--force")(c))[1],
         check=lambda c: None if (c.out / "data.csv").read_text() == "x" else pytest.fail("x")),
]


def _fix_out(args: list[str], c: Ctx) -> list[str]:
    return [str(c.pop) if a == "POP" else str(c.pop.parent) if a == "TMP" else a for a in args]


# --- bench ---------------------------------------------------------------------------------

MICRO = "age_group,sex,buy\n19-29,M,yes\n19-29,F,no\n30-39,M,yes\n30-39,F,no\n"


def _bench(text: str, encoding: str = "utf-8", target: str = "buy") -> Build:
    def build(c: Ctx) -> list[str]:
        data = write(c.tmp / "in" / "m.csv", text, encoding)
        return ["bench", "survey", "--data", str(data), "--target", target, "--features", "sex",
                "--group-by", "age_group", "--min-group", "1", "--seeds", "1"]
    return build


BENCH: list[Case] = [
    Case("refused-bench-missing", lambda c: ["bench", "survey", "--data", "/none.csv",
                                             "--target", "a", "--features", "b",
                                             "--group-by", "c"], ("not found",)),
    Case("refused-bench-empty", _bench(""), ("empty",)),
    Case("refused-bench-binary", _bench("\x00\x01"), ("binary",)),
    Case("refused-bench-no-target", _bench(MICRO.replace("buy", "purchase")), ("buy",)),
    Case("refused-bench-ragged", _bench(MICRO + "40-49,M\n"), ("row 6", "fields")),
    *[Case(f"handled-bench-{name}", _bench(MICRO.replace("buy", "구매"), enc, "구매"))
      for name, enc in (
            ("utf8", "utf-8"), ("bom", "utf-8-sig"), ("cp949", "cp949"), ("euc-kr", "euc-kr"))],
]

CASES = [*POPULATE, *PERSONAS, *SURVEY, *SIMULATE, *BENCH]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, tiny_population: Path, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    pop = tmp_path / "pop"
    shutil.copytree(tiny_population, pop)
    monkeypatch.chdir(tmp_path)
    ctx = _ctx(tmp_path / "work", pop)
    args = _fix_out(case.build(ctx), ctx)
    before = snapshot(tmp_path, skip=(ctx.out,) if not case.refused else ())
    if not case.refused:  # a handled run may record the files it adds in a run's marker
        before = {p: d for p, d in before.items() if p.name != MARKER_FILE}
    outcome = invoke(args)
    if case.refused:
        refused(outcome, *case.needles)
    else:
        succeeded(outcome)
        if case.check is not None:
            case.check(ctx)
    assert lost(before) == [], "data loss"
