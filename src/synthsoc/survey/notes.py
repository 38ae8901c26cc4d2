"""A note on a survey run in both of its languages.

The English text is what ``results.json``, the command line and logs carry (a :class:`Note` *is*
that string, so every reader of notes as text keeps working); :attr:`Note.ko` is the Korean
wording written into ``report.md``, which people read. A note without Korean is refused when it
is made, so the report can never fall back to English.
"""

from __future__ import annotations

import re
from typing import Any

HANGUL = re.compile(r"[\uac00-\ud7a3]")


class Note(str):
    """English note text with its Korean wording in :attr:`ko`."""

    ko: str

    def __new__(cls, en: str, ko: str) -> Note:
        if not HANGUL.search(ko):
            raise ValueError(f"the Korean wording of note {en!r} has no Korean: {ko!r}")
        note = super().__new__(cls, en)
        note.ko = ko
        return note

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (Note, (str(self), self.ko))


def korean(note: str) -> str:
    """The Korean wording of a note (``ValueError`` for a plain string: nothing untranslated
    reaches the report)."""
    if not isinstance(note, Note):
        raise ValueError(f"note without a Korean wording: {note!r}")
    return note.ko
