"""The small, valid input files the catalogue starts from; each case damages one thing."""

from __future__ import annotations

from pathlib import Path

QUESTIONNAIRE = """id: t
title: {ko: 테스트, en: Test}
segments: [age_group]
questions:
  - id: q
    type: single_choice
    text: {ko: "구매하시겠습니까?", en: "Would you buy?"}
    table_question: Q
    options:
      - {id: "yes", ko: 예, table_answer: "Yes"}
      - {id: "no", ko: 아니오, table_answer: "No"}
"""

TABLE_HEADER = ("# source: catalogue fixture (hand-written shares)\n"
                "question,group_type,group,answer,value\n")
TABLE_ROWS = [
    "Q,Age,19~29 years old,Yes,30.0",
    "Q,Age,19~29 years old,No,70.0",
    "Q,Age,30~59 years old,Yes,45.5",
    "Q,Age,30~59 years old,No,54.5",
    "Q,Age,60 years old and over,Yes,60.0",
    "Q,Age,60 years old and over,No,40.0",
]

LABEL_MAP = """Age:
  "19~29 years old": age 19..29
  "30~59 years old": age 30..59
  "60 years old and over": age 60..
"""

SCENARIO = """name: tiny_launch
model: market
steps: 5
"""


def table_text(rows: list[str] | None = None) -> str:
    return TABLE_HEADER + "\n".join(TABLE_ROWS if rows is None else rows) + "\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def snapshot(*folders: Path, skip: tuple[Path, ...] = ()) -> dict[Path, bytes]:
    """Every file under ``folders`` (not under ``skip``) with its bytes."""
    out: dict[Path, bytes] = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not any(s == path or s in path.parents for s in skip):
                out[path] = path.read_bytes()
    return out


def lost(before: dict[Path, bytes]) -> list[str]:
    """Files of ``before`` now missing or changed: data loss."""
    return [str(p) for p, data in before.items() if not p.is_file() or p.read_bytes() != data]
