"""Every file the server opens is reached through here: ids are checked against a pattern and
each resolved path must lie inside the folder the run index gives (no request text is ever
joined onto a path unchecked)."""

from __future__ import annotations

import re
from pathlib import Path

RUN_ID = re.compile(r"^[0-9a-f]{32}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$")


class UnsafePath(ValueError):
    """A requested name that would leave its folder or is not a plain file name."""


def inside(folder: Path, *names: str) -> Path:
    """``folder / names...`` after checking each name and that the result stays inside."""
    for name in names:
        if not FILE_NAME.match(name) or name in (".", ".."):
            raise UnsafePath(f"{name!r} is not a plain file name")
    root = folder.resolve()
    path = root.joinpath(*names).resolve()
    if not path.is_relative_to(root):
        raise UnsafePath(f"{'/'.join(names)!r} is outside its folder")
    return path
