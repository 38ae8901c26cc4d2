"""Content hashes of files, so a reused artefact is checked to be what was asked for."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def file_digest(path: Path) -> str:
    """BLAKE2b-256 of a file's bytes, as ``blake2b:HEX``."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=32))
    return f"blake2b:{digest.hexdigest()}"


def files_digest(paths: Iterable[Path]) -> dict[str, str]:
    """``{file name: digest}`` for each path (missing files are absent)."""
    return {p.name: file_digest(p) for p in paths if p.is_file()}
