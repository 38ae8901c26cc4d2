"""Output folders that cannot destroy anything: refusals, replacement, crash recovery."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from synthsoc import atomic
from synthsoc.atomic import (
    MARKER_FILE,
    OutputFolderError,
    check_output_folder,
    recover_leftovers,
    staged_directory,
)


def _run(out: Path, files: dict[str, str], kind: str = "survey", **kw: object) -> None:
    with staged_directory(out, kind=kind, **kw) as stage:  # type: ignore[arg-type]
        for name, text in files.items():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            (stage / name).write_text(text)


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name != folder.name)


def test_new_folder_gets_files_and_marker(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _run(out, {"a.txt": "1", "charts/x.png": "p"})
    assert _tree(out)["a.txt"] == "1"
    marker = json.loads((out / MARKER_FILE).read_text())
    assert marker["kind"] == "survey" and marker["files"] == ["a.txt", "charts"]
    assert _siblings(out) == []


def test_rerun_replaces_previous_run_and_keeps_user_files(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _run(out, {"a.txt": "1", "old_only.txt": "x"})
    (out / "notes.md").write_text("mine")
    _run(out, {"a.txt": "2"})
    tree = _tree(out)
    assert tree["a.txt"] == "2" and tree["notes.md"] == "mine" and "old_only.txt" not in tree
    assert _siblings(out) == []


@pytest.mark.parametrize("foreign", [
    {"thesis.tex": "\\documentclass"}, {"src/main.py": "print()"}, {".git/HEAD": "ref"},
    {"results.json": "{}"}, {"report.md": "user's"},
])
def test_foreign_folder_is_refused_and_untouched(tmp_path: Path, foreign: dict[str, str]) -> None:
    out = tmp_path / "work"
    for name, text in foreign.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    before = _tree(out)
    with pytest.raises(OutputFolderError, match="not empty and is not a synthsoc"):
        _run(out, {"results.json": "new"})
    assert _tree(out) == before and _siblings(out) == []


def test_force_adds_beside_foreign_files_without_deleting(tmp_path: Path) -> None:
    out = tmp_path / "work"
    out.mkdir()
    (out / "thesis.tex").write_text("t")
    _run(out, {"results.json": "1"}, force=True)
    _run(out, {"results.json": "2", "extra.csv": "e"}, force=True)
    _run(out, {"results.json": "3"}, force=True)
    tree = _tree(out)
    assert tree == {"thesis.tex": "t", "results.json": "3", MARKER_FILE: tree[MARKER_FILE]}


def test_force_never_overwrites_a_foreign_file_of_the_same_name(tmp_path: Path) -> None:
    out = tmp_path / "work"
    out.mkdir()
    (out / "results.json").write_text("user's own")
    with pytest.raises(OutputFolderError, match="would overwrite results.json"):
        _run(out, {"results.json": "1"}, force=True)
    assert _tree(out) == {"results.json": "user's own"}


def test_current_folder_is_written_in_place(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "keep.txt").write_text("k")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputFolderError):
        _run(Path("."), {"a": "1"})
    _run(Path("."), {"a": "1"}, force=True)
    assert (tmp_path / "keep.txt").read_text() == "k" and (tmp_path / "a").read_text() == "1"
    assert Path.cwd() == tmp_path


@pytest.mark.parametrize("kind_before,kind_after", [("population", "survey"),
                                                    ("survey", "simulation"),
                                                    ("simulation", "population")])
def test_other_kind_of_run_is_refused_even_with_force(tmp_path: Path, kind_before: str,
                                                      kind_after: str) -> None:
    out = tmp_path / "run"
    _run(out, {"persons.parquet": "p"}, kind=kind_before)
    for force in (False, True):
        with pytest.raises(OutputFolderError, match=f"holds a synthsoc {kind_before} run"):
            _run(out, {"x": "1"}, kind=kind_after, force=force)
    assert _tree(out)["persons.parquet"] == "p"


@pytest.mark.parametrize("relation", ["same", "inside"])
def test_output_may_not_be_or_contain_an_input(tmp_path: Path, relation: str) -> None:
    pop = tmp_path / "pop"
    _run(pop, {"persons.parquet": "p"}, kind="population")
    out = pop if relation == "same" else tmp_path
    for force in (False, True):
        with pytest.raises(OutputFolderError, match="input"):
            check_output_folder(out, kind="survey", inputs=[pop], force=force)
    assert (pop / "persons.parquet").read_text() == "p"


def test_a_file_at_out_is_refused_and_kept(tmp_path: Path) -> None:
    out = tmp_path / "results"
    out.write_text("a file")
    for force in (False, True):
        with pytest.raises(OutputFolderError, match="not a folder"):
            _run(out, {"a": "1"}, force=force)
    assert out.read_text() == "a file" and _siblings(out) == []


def test_a_symlink_at_out_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "real"
    target.mkdir()
    (target / "x").write_text("x")
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(OutputFolderError, match="not a folder"):
        _run(link, {"a": "1"}, force=True)
    assert (target / "x").read_text() == "x"


def test_unreadable_marker_counts_as_foreign(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _run(out, {"a": "1"})
    (out / MARKER_FILE).write_text("{not json")
    with pytest.raises(OutputFolderError, match="not a synthsoc"):
        _run(out, {"a": "2"})
    assert (out / "a").read_text() == "1"


def test_failure_inside_the_run_leaves_previous_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _run(out, {"a": "1"})
    with pytest.raises(RuntimeError), staged_directory(out, kind="survey") as stage:
        (stage / "a").write_text("half")
        raise RuntimeError("boom")
    assert (out / "a").read_text() == "1" and _siblings(out) == []


def test_full_disk_while_writing_keeps_previous_run(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "run"
    _run(out, {"a": "1"})

    def full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space"), staged_directory(out, kind="survey") as stage:
        monkeypatch.setattr(atomic.os, "fsync", full)
        atomic.write_text(stage / "a", "2")
    monkeypatch.undo()
    assert (out / "a").read_text() == "1" and _siblings(out) == []


def test_two_rename_fallback_gives_same_result(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "_rename_exchange", lambda a, b: False)
    out = tmp_path / "run"
    _run(out, {"a": "1"})
    (out / "mine").write_text("m")
    _run(out, {"a": "2"})
    assert _tree(out)["a"] == "2" and _tree(out)["mine"] == "m" and _siblings(out) == []


KILL_SCRIPT = """
import os, sys
from pathlib import Path
from synthsoc import atomic
point, out, fallback = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "1"
if fallback:
    atomic._rename_exchange = lambda a, b: False
atomic._kill_point = lambda name: os._exit(137) if name == point else None
force = out.exists() and not (out / atomic.MARKER_FILE).exists()
with atomic.staged_directory(out, kind="survey", force=force) as stage:
    (stage / "a").write_text("2")
    (stage / "b").write_text("new")
"""


@pytest.mark.parametrize("point,fallback,setup", [
    ("staged", False, "plain"), ("swapped", False, "plain"), ("staged", True, "plain"),
    ("between-renames", True, "plain"), ("swapped", True, "plain"),
    ("staged", False, "user-file"), ("into-moved-old", False, "user-file"),
    ("staged", False, "foreign"), ("into-moved-old", False, "foreign"),
])
def test_killed_run_is_recovered_by_the_next(tmp_path: Path, point: str, fallback: bool,
                                             setup: str) -> None:
    """SIGKILL-like exits (os._exit) at each step; the next run finds a complete folder."""
    out = tmp_path / "run"
    user = {"plain": {}, "user-file": {"mine": "m"}, "foreign": {"thesis.tex": "t"}}[setup]
    if setup == "foreign":
        out.mkdir()
        (out / "thesis.tex").write_text("t")
        _run(out, {"a": "1"}, force=True)
    else:
        _run(out, {"a": "1"})
        for name, text in user.items():
            (out / name).write_text(text)
    env = {**os.environ, "PYTHONPATH": str(Path(atomic.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", KILL_SCRIPT, point, str(out),
                           "1" if fallback else "0"], env=env, timeout=60, check=False)
    assert done.returncode == 137
    recover_leftovers(out)
    tree = _tree(out)
    assert tree["a"] in ("1", "2"), tree  # the old run or the new one, complete
    assert tree.get("b", "new") == "new" and (tree["a"] == "2") == ("b" in tree)
    assert {k: tree[k] for k in user} == user
    assert _siblings(out) == []
    assert not [p for p in out.iterdir() if p.name.startswith(".synthsoc.")]
    _run(out, {"a": "3"}, force=setup == "foreign")
    assert _tree(out)["a"] == "3" and {k: _tree(out)[k] for k in user} == user


def test_files_added_during_a_run_are_carried_into_the_new_one(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _run(out, {"a": "1"})
    with staged_directory(out, kind="survey") as stage:
        (stage / "a").write_text("2")
        (out / "added-meanwhile.txt").write_text("u")
    assert _tree(out)["added-meanwhile.txt"] == "u" and _tree(out)["a"] == "2"


def test_leftover_of_a_live_run_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "run"
    staging = tmp_path / ".run.abc.partial"
    staging.mkdir()
    (staging / atomic.OWNER_FILE).write_text(str(os.getppid()))
    recover_leftovers(out)
    assert staging.is_dir()


def test_leftover_staging_of_dead_run_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "run"
    staging = tmp_path / ".run.abc.partial"
    staging.mkdir()
    (staging / atomic.OWNER_FILE).write_text("999999999")
    (staging / "half.parquet").write_text("x")
    _run(out, {"a": "1"})
    assert _siblings(out) == []


def test_claim_files_makes_later_files_part_of_the_run(tmp_path: Path) -> None:
    out = tmp_path / "pop"
    _run(out, {"persons.parquet": "p"}, kind="population")
    (out / "personas.parquet").write_text("derived")
    atomic.claim_files(out, "population", ["personas.parquet"])
    (out / "user.txt").write_text("u")
    _run(out, {"persons.parquet": "p2"}, kind="population")
    assert sorted(_tree(out)) == sorted([MARKER_FILE, "persons.parquet", "user.txt"])


def test_an_input_behind_a_symbolic_link_is_still_an_input(tmp_path: Path) -> None:
    pop = tmp_path / "pop"
    _run(pop, {"persons.parquet": "p"}, kind="population")
    link = tmp_path / "pop-link"
    link.symlink_to(pop)
    with pytest.raises(OutputFolderError, match="input"):
        check_output_folder(pop, kind="survey", inputs=[link])
    with pytest.raises(OutputFolderError, match="input"):
        check_output_folder(tmp_path, kind="survey", inputs=[link / "persons.parquet"])


def test_out_below_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("n")
    with pytest.raises(OutputFolderError, match="is a file"):
        _run(tmp_path / "notes.txt" / "deeper" / "run", {"a": "1"})
    assert (tmp_path / "notes.txt").read_text() == "n"


def test_user_folders_that_look_like_leftovers_are_kept(tmp_path: Path) -> None:
    """Only folders synthsoc marked (owner file or run marker) are ever cleaned."""
    out = tmp_path / "run"
    own_backup = tmp_path / ".run.my-backup.old"
    (own_backup / "paper.tex").parent.mkdir()
    (own_backup / "paper.tex").write_text("p")
    inside = out / ".synthsoc.mine.partial"
    _run(out, {"a": "1"})
    inside.mkdir()
    (inside / "keep.txt").write_text("k")
    empty = tmp_path / ".run.abc.partial"
    empty.mkdir()
    _run(out, {"a": "2"})
    assert (own_backup / "paper.tex").read_text() == "p"
    assert (out / ".synthsoc.mine.partial" / "keep.txt").read_text() == "k"
    assert not empty.exists()


@pytest.mark.parametrize("kind,files", [
    ("population", {"manifest.json": json.dumps({"format": "synthsoc-population/1",
                                                 "files": ["persons.parquet"]}),
                    "persons.parquet": "old"}),
    ("simulation", {"summary.json": json.dumps({"scenario": {}, "seeding": "x",
                                                "files": ["summary.json", "charts/a.png"]}),
                    "charts/a.png": "png"}),
    ("survey", {"results.json": json.dumps({"questionnaire": "q", "engine": "e", "shares": []}),
                "report.md": "old"}),
])
def test_runs_written_before_markers_are_recognised(tmp_path: Path, kind: str,
                                                    files: dict[str, str]) -> None:
    out = tmp_path / "run"
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    (out / "my_notes.txt").write_text("mine")
    _run(out, {"new.txt": "n"}, kind=kind)
    tree = _tree(out)
    assert tree["new.txt"] == "n" and tree["my_notes.txt"] == "mine"
    assert not set(files) & set(tree)
