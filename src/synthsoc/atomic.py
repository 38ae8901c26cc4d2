"""Atomic file writes and output folders that cannot destroy anything, shared by every layer.

Files are written beside their destination under a temporary name and renamed into place, so an
interrupted run never leaves a file that looks complete.

Output folders (:func:`staged_directory`) follow four rules:

* a run writes only into a folder it creates, an empty folder, or a folder holding a previous
  synthsoc run of the same kind (recognised by its ``.synthsoc-run.json`` marker, which lists the
  entries synthsoc wrote); anything else is refused unless ``force`` is given, and even then no
  entry synthsoc did not write is ever deleted or overwritten;
* an output folder may never be, or contain, one of the run's inputs;
* a previous run is replaced in one step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two
  renames, with the old run kept as ``.NAME.*.old`` until the new one is in place); entries the
  user added to the old folder are carried into the new one;
* leftovers of killed runs (``.NAME.*.partial`` staging folders, ``.NAME.*.old`` previous runs)
  are restored or cleaned the next time that folder is written.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl

from synthsoc.processes import sigterm_as_exit

MARKER_FILE = ".synthsoc-run.json"
OWNER_FILE = ".synthsoc-owner"
MARKER_FORMAT = "synthsoc-output/1"
_PARTIAL = ".partial"
_OLD = ".old"
_INSIDE_PREFIX = ".synthsoc."
FORCE_HELP = (
    "Write into a non-empty folder synthsoc did not make, beside what is there "
    "(nothing of it is deleted or overwritten)."
)


class OutputFolderError(ValueError):
    """An output path that synthsoc refuses to write (it would destroy something)."""


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, payload: Any) -> None:
    write_text(path, json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def write_parquet(path: Path, frame: pl.DataFrame) -> None:
    """Write a Parquet file atomically with settings that make output byte-reproducible."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        frame.write_parquet(tmp, compression="zstd", statistics=True, use_pyarrow=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_arrow_table(path: Path, table: Any, row_group_size: int = 1_000_000, *,
                      dictionary_columns_only: bool = False,
                      no_statistics: tuple[str, ...] = (),
                      delta_encoded: tuple[str, ...] = ()) -> None:
    """Write a ``pyarrow.Table`` to Parquet atomically (zstd, deterministic bytes).

    ``dictionary_columns_only``: Parquet dictionary encoding for the table's dictionary
    columns only (not tried, and given up, on every plain column such as unique ids);
    ``no_statistics``: columns written without min/max statistics (for columns no query
    prunes on, e.g. random strings or codes every row group holds, whose statistics cost
    more than they save); ``delta_encoded``: integer columns written with Parquet's
    DELTA_BINARY_PACKED encoding (sorted ids: 51 million person ids take 0.3 MB instead of
    52 MB, and a quarter of the time).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    for option, names in (("no_statistics", no_statistics), ("delta_encoded", delta_encoded)):
        unknown = sorted(set(names) - set(table.column_names))
        if unknown:
            raise ValueError(f"{path}: {option} names columns the table does not have: "
                             f"{unknown} (columns: {table.column_names})")
    options: dict[str, Any] = {}
    if dictionary_columns_only:
        options["use_dictionary"] = [f.name for f in table.schema
                                     if pa.types.is_dictionary(f.type)]
    if no_statistics:
        options["write_statistics"] = [c for c in table.column_names if c not in no_statistics]
    if delta_encoded:
        # Parquet takes an explicit encoding only on columns without dictionary encoding.
        options.setdefault("use_dictionary",
                           [c for c in table.column_names if c not in delta_encoded])
        options["column_encoding"] = dict.fromkeys(delta_encoded, "DELTA_BINARY_PACKED")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd", compression_level=1,
                       row_group_size=row_group_size, **options)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- output folders ----------------------------------------------------------------------------


def _kill_point(name: str) -> None:
    """Named points where fault-injection tests kill the process (``os._exit``); a no-op here."""


@dataclass(frozen=True)
class OutputPlan:
    """How a run will write its output folder.

    ``mode`` is ``new`` (nothing there, or an empty folder), ``replace`` (a previous run of the
    same kind holding only what synthsoc wrote, swapped in one step) or ``into`` (a folder that
    also holds entries synthsoc did not write, with ``force`` when it is not a previous run, or
    the current folder: entries are moved in one by one, foreign entries are never touched).
    """

    final: Path
    kind: str
    mode: Literal["new", "replace", "into"]
    previous: tuple[str, ...]  # entries synthsoc wrote in the previous run (replaced)


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _legacy_marker(folder: Path) -> dict[str, Any] | None:
    """Recognise a run written before markers existed, by its own manifest, listing only the
    entries that manifest names (anything else there stays the user's)."""
    files: list[str] = []
    manifest = _json(folder / "manifest.json")
    summary = _json(folder / "summary.json")
    results = _json(folder / "results.json")
    if isinstance(manifest, dict) and str(manifest.get("format", "")).startswith(
            "synthsoc-population/"):
        kind, files = "population", ["manifest.json", *manifest.get("files", [])]
        personas = _json(folder / "personas_manifest.json")
        if isinstance(personas, dict):
            files += ["personas_manifest.json", *personas.get("files", []), "narratives.parquet"]
    elif isinstance(summary, dict) and {"scenario", "seeding", "files"} <= set(summary):
        kind, files = "simulation", ["summary.json", *summary["files"]]
    elif isinstance(results, dict) and {"questionnaire", "engine", "shares"} <= set(results):
        kind = "survey"
        files = ["results.json", "results.csv", "numeric.csv", "report.md", "charts"]
    else:
        return None
    names = sorted({str(f).split("/")[0] for f in files if isinstance(f, str) and f})
    return {"format": MARKER_FORMAT, "kind": kind, "files": names, "legacy": True}


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The synthsoc run marker of ``folder`` (or of a run written before markers, recognised by
    its manifest), or None when there is none or it is unreadable."""
    path = folder / MARKER_FILE
    if not path.exists():
        return _legacy_marker(folder)
    data = _json(path)
    if (
        not isinstance(data, dict)
        or data.get("format") != MARKER_FORMAT
        or not isinstance(data.get("kind"), str)
        or not isinstance(data.get("files"), list)
        or not all(isinstance(f, str) and f and "/" not in f for f in data["files"])
    ):
        return None
    return data


def _ours(marker: dict[str, Any] | None) -> set[str]:
    return {MARKER_FILE, OWNER_FILE, *(marker["files"] if marker else ())}


def _entries(folder: Path) -> list[str]:
    try:
        return sorted(p.name for p in folder.iterdir())
    except FileNotFoundError:
        return []


def _is_within(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped by its parent) owns nothing any more
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return True


def _owner_alive(folder: Path) -> bool:
    try:
        pid = int((folder / OWNER_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return False
    return pid != os.getpid() and _pid_alive(pid)


def _leftovers(final: Path) -> list[Path]:
    """Staging and previous-run folders of killed runs: beside ``final`` and inside it."""
    found: list[Path] = []
    prefix = f".{final.name}."
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        found += [p for p in final.parent.iterdir()
                  if p.name.startswith(prefix) and p.name.endswith((_PARTIAL, _OLD))
                  and p.is_dir() and not p.is_symlink()]
    if final.is_dir() and not final.is_symlink():
        found += [p for p in final.iterdir()
                  if p.name.startswith(_INSIDE_PREFIX) and p.name.endswith((_PARTIAL, _OLD))
                  and p.is_dir() and not p.is_symlink()]
    # previous runs first, so a missing folder is restored from its old run before a staging
    return sorted(found, key=lambda p: (not p.name.endswith(_OLD), p.name))


def recover_leftovers(final: Path) -> list[str]:
    """Restore or clean what killed runs left at ``final``; returns what was done, in words.

    A leftover still owned by a live process is left alone. When ``final`` is missing, a
    complete previous run (or a complete staged one) is renamed back into place. Otherwise the
    leftover's entries synthsoc did not write are carried into ``final`` (never overwriting) and
    the rest is removed; a leftover whose foreign entries cannot be carried is kept.
    """
    final = Path(os.path.abspath(final))
    done: list[str] = []
    for left in _leftovers(final):
        if not (left / OWNER_FILE).is_file() and not (left / MARKER_FILE).is_file():
            with contextlib.suppress(OSError):  # not provably synthsoc's: only if empty
                left.rmdir()
            continue
        if _owner_alive(left):
            continue
        inside = left.parent == final
        marker = read_marker(left)
        if not inside and not final.exists() and marker is not None:
            (left / OWNER_FILE).unlink(missing_ok=True)
            os.replace(left, final)
            done.append(f"restored {final} from {left.name}")
            continue
        if inside and left.name.endswith(_OLD):
            listed = _ours(read_marker(final))
            for name in _entries(left):  # the previous run's entries, moved aside: restore
                if name != OWNER_FILE and name in listed and not (final / name).exists():
                    os.replace(left / name, final / name)
        if inside or marker is None:
            shutil.rmtree(left)  # a staging or trash folder holds only what synthsoc wrote
            done.append(f"removed {left}")
            continue
        kept = _carry_foreign(left, marker, final)
        if kept:
            done.append(f"kept {left}: {', '.join(kept)} could not be moved into {final}")
        else:
            shutil.rmtree(left)
            done.append(f"removed {left}")
    return done


def _carry_foreign(old: Path, marker: dict[str, Any] | None, final: Path) -> list[str]:
    """Move the entries of ``old`` synthsoc did not write into ``final``; returns those kept."""
    kept = []
    ours = _ours(marker)
    for name in _entries(old):
        if name in ours:
            continue
        if (final / name).exists() or (final / name).is_symlink():
            kept.append(name)
            continue
        os.replace(old / name, final / name)
    return kept


def check_output_folder(
    out: str | Path, *, kind: str, inputs: Iterable[str | Path | None] = (), force: bool = False
) -> OutputPlan:
    """Decide how ``out`` may be written, or raise :class:`OutputFolderError` saying why not.

    Call it before the expensive work so a refusal costs nothing; :func:`staged_directory`
    calls it again when writing. Leftovers of killed runs are restored or cleaned first.
    """
    final = Path(os.path.abspath(out))
    real_final = Path(os.path.realpath(final))
    for item in inputs:
        if item is None:
            continue
        source = Path(os.path.realpath(item))  # symbolic links cannot hide an input
        if _is_within(source, real_final):
            what = "is" if source == real_final else "contains"
            raise OutputFolderError(
                f"--out {out}: the output folder {what} the input {item}; "
                "writing it would destroy the input. Choose another --out folder"
            )
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        raise OutputFolderError(
            f"--out {out}: {final} exists and is not a folder; synthsoc never replaces a file "
            "it did not write. Remove it or choose another --out folder"
        )
    ancestor = final.parent
    while not ancestor.exists() and not ancestor.is_symlink() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputFolderError(
            f"--out {out}: {ancestor} is a file, so no folder can be made below it"
        )
    recover_leftovers(final)
    cwd = Path(os.path.abspath(os.getcwd()))
    holds_cwd = _is_within(cwd, final)
    if not final.exists():
        return OutputPlan(final, kind, "new", ())
    marker = read_marker(final)
    if marker is not None and marker["kind"] != kind:
        raise OutputFolderError(
            f"--out {out}: {final} holds a synthsoc {marker['kind']} run, not a {kind} run; "
            "choose another --out folder"
        )
    previous = tuple(sorted(set(marker["files"]))) if marker else ()
    foreign = [e for e in _entries(final) if e not in _ours(marker)]
    if marker is None and foreign and not force:
        listed = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise OutputFolderError(
            f"--out {out}: {final} is not empty and is not a synthsoc {kind} run "
            f"(it holds {listed}); choose an empty or new folder, or pass --force to add "
            "synthsoc's files beside them (nothing there is deleted)"
        )
    if holds_cwd or foreign:  # never move a folder holding entries synthsoc did not write
        return OutputPlan(final, kind, "into", previous)
    return OutputPlan(final, kind, "replace" if marker else "new", previous)


def _rename_exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _write_marker(folder: Path, kind: str, files: Iterable[str]) -> None:
    from synthsoc import __version__

    names = sorted({f for f in files if f not in (MARKER_FILE, OWNER_FILE)})
    write_json(folder / MARKER_FILE, {"format": MARKER_FORMAT, "kind": kind,
                                      "synthsoc_version": __version__, "files": names})


def _make_staging(parent: Path, prefix: str) -> Path:
    staging = Path(tempfile.mkdtemp(prefix=prefix, suffix=_PARTIAL, dir=parent))
    (staging / OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
    return staging


def _check_collisions(plan: OutputPlan, staging: Path) -> None:
    new = [e for e in _entries(staging) if e != OWNER_FILE]
    clash = [e for e in new if e not in plan.previous and e != MARKER_FILE
             and ((plan.final / e).exists() or (plan.final / e).is_symlink())]
    if clash:
        raise OutputFolderError(
            f"{plan.final}: synthsoc would overwrite {', '.join(clash)}, which it did not "
            "write; nothing was changed. Move them away or choose another --out folder"
        )


@contextmanager
def staged_directory(
    final: str | Path,
    *,
    kind: str,
    inputs: Iterable[str | Path | None] = (),
    force: bool = False,
) -> Iterator[Path]:
    """Yield an empty staging folder; on success its contents become the run at ``final``.

    On failure (or a kill) ``final`` is left as it was and the staging folder is removed (or
    cleaned by the next run). See the module docstring for the rules.
    """
    plan = check_output_folder(final, kind=kind, inputs=list(inputs), force=force)
    plan.final.parent.mkdir(parents=True, exist_ok=True)
    if plan.mode == "into":
        plan.final.mkdir(parents=True, exist_ok=True)
        staging = _make_staging(plan.final, _INSIDE_PREFIX)
    else:
        staging = _make_staging(plan.final.parent, f".{plan.final.name}.")
    try:
        with sigterm_as_exit():  # `kill PID` cleans up like Ctrl-C
            yield staging
        _kill_point("staged")
        _check_collisions(plan, staging)
        (staging / OWNER_FILE).unlink()
        _write_marker(staging, kind, _entries(staging))
        if plan.mode == "into":
            _commit_into(plan, staging)
        else:
            _commit_swap(plan, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _commit_swap(plan: OutputPlan, staging: Path) -> None:
    final = plan.final
    if not final.exists():
        os.replace(staging, final)
        return
    if _rename_exchange(staging, final):
        old = staging  # the previous run now sits at the staging path
    else:
        old = final.with_name(f".{final.name}.{staging.name.split('.')[-2]}{_OLD}")
        os.replace(final, old)
        _kill_point("between-renames")
        os.replace(staging, final)
    _kill_point("swapped")
    kept = _carry_foreign(old, read_marker(old), final)
    if kept:
        raise OutputFolderError(f"{old}: could not move {', '.join(kept)} into {final}")
    shutil.rmtree(old)


def _commit_into(plan: OutputPlan, staging: Path) -> None:
    """Move the staged entries into ``final`` one by one; foreign entries are never touched.

    The marker first lists old and new entries together, so an entry is never taken for the
    user's in any intermediate state; the previous run's entries wait in a trash folder that
    the next run moves back should this one be killed half way.
    """
    final = plan.final
    new = [e for e in _entries(staging) if e != MARKER_FILE]
    _write_marker(final, plan.kind, [*plan.previous, *new])
    trash = Path(tempfile.mkdtemp(prefix=_INSIDE_PREFIX, suffix=_OLD, dir=final))
    (trash / OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
    for name in plan.previous:
        if (final / name).exists() or (final / name).is_symlink():
            os.replace(final / name, trash / name)
    _kill_point("into-moved-old")
    for name in new:
        os.replace(staging / name, final / name)
    os.replace(staging / MARKER_FILE, final / MARKER_FILE)
    shutil.rmtree(staging)
    shutil.rmtree(trash)


def claim_files(folder: Path, kind: str, names: Iterable[str]) -> None:
    """Record that synthsoc wrote ``names`` into a ``kind`` run folder (e.g. personas beside a
    population), so a later replacement removes them with the run instead of keeping them."""
    marker = read_marker(folder)
    if marker is None or marker["kind"] != kind:
        return
    _write_marker(folder, kind, [*marker["files"], *names])
