"""`synthsoc town` end to end on a real small population, judgments by rule (no model)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from synthsoc.cli import app

runner = CliRunner()


def _dong(population: Path) -> str:
    households = pl.read_parquet(population / "households.parquet")
    return str(households.group_by("emd_code").len().sort(["len", "emd_code"])
               ["emd_code"].cast(pl.String)[-1])


def test_run_resume_interview_replay_and_spread(population: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    common = ["--llm", "none", "--embedder", "hash"]
    result = runner.invoke(app, ["town", "run", "--population", str(population), "--emd",
                                 _dong(population), "--agents", "8", "--hours", "3", "--start",
                                 "16", "--out", str(run), *common])
    assert result.exit_code == 0, result.output
    assert "at most" in result.output and "model requests" in result.output
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert summary["game_minutes"] == 180 and summary["heard"] >= 1
    lines = (run / "timeline.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["kind"] == "intention"

    result = runner.invoke(app, ["town", "resume", str(run), "--hours", "1", *common])
    assert result.exit_code == 0, result.output
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert summary["game_minutes"] == 240

    host = str(summary["host"])
    result = runner.invoke(app, ["town", "interview", str(run), host, "무슨 계획이 있어요?",
                                 *common])
    assert result.exit_code == 0, result.output
    assert "모임" in result.output

    result = runner.invoke(app, ["town", "replay", str(run), "--day", "0", "--embedder", "hash"])
    assert result.exit_code == 0, result.output
    page = (run / "replay_day0.html").read_text(encoding="utf-8")
    assert "const D = {" in page
    events = [json.loads(line) for line in (run / "timeline.jsonl").read_text(
        encoding="utf-8").splitlines()]
    said = [e["text"] for e in events if e["kind"] == "say"]
    assert said and all(text in page for text in said)
    if shutil.which("node"):
        script = page[page.index("<script>") + 8:page.index("</script>")]
        (tmp_path / "replay.js").write_text(script, encoding="utf-8")
        subprocess.run(["node", "--check", str(tmp_path / "replay.js")], check=True)

    out = tmp_path / "spread.json"
    result = runner.invoke(app, ["town", "spread", "--population", str(population), "--emd",
                                 _dong(population), "--agents", "6", "--replicates", "3",
                                 "--hours", "12", "--out", str(out), *common])
    assert result.exit_code == 0, result.output
    spread = json.loads(out.read_text(encoding="utf-8"))
    assert len(spread["replicates"]) == 3
    # synthsoc.evaluate's rule: fewer than 10 runs give no converging/diverging verdict
    assert spread["verdicts"]["heard_share"]["verdict"] == "insufficient replicates"
    assert spread["verdicts"]["heard_share"]["n_runs"] == 3

    out = tmp_path / "vote.json"
    result = runner.invoke(app, ["town", "spread", "--population", str(population), "--emd",
                                 _dong(population), "--agents", "6", "--replicates", "2",
                                 "--hours", "11", "--scenario", "vote", "--out", str(out),
                                 *common])
    assert result.exit_code == 0, result.output
    vote = json.loads(out.read_text(encoding="utf-8"))
    assert vote["scenario"] == "vote" and set(vote["verdicts"]) == {"heard_share",
                                                                   "vote_share_for"}
    for row in vote["replicates"]:  # 07:00 + 11 h passes the 17:00 vote
        assert row["voted"] and sum(row["votes"].values()) == row["eligible"]


@pytest.mark.parametrize(("args", "message"), [
    (["--emd", "없는동"], "emd_code/emd_name"),
    (["--emd", "X", "--llm", "gpt"], "--llm must be one of"),
])
def test_bad_input_is_a_clear_error(population: Path, tmp_path: Path, args: list[str],
                                    message: str) -> None:
    result = runner.invoke(app, ["town", "run", "--population", str(population), "--out",
                                 str(tmp_path / "r"), "--embedder", "hash", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_a_town_never_starts_in_a_folder_synthsoc_did_not_make(
    population: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "summary.json").write_text("my own notes", encoding="utf-8")
    result = runner.invoke(app, ["town", "run", "--population", str(population), "--emd",
                                 _dong(population), "--agents", "2", "--hours", "1",
                                 "--out", str(mine), "--llm", "none", "--embedder", "hash"])
    said = " ".join(result.output.replace("│", " ").split())  # typer's error box wraps lines
    assert result.exit_code == 2 and "is not empty and holds no town run" in said
    assert sorted(p.name for p in mine.iterdir()) == ["summary.json"]
    assert (mine / "summary.json").read_text(encoding="utf-8") == "my own notes"


def _small_town(population: Path, out: Path, hours: str, *options: str) -> dict[str, Any]:
    """Four agents of the busiest dong by rule with hash embeddings; the run's summary."""
    result = runner.invoke(app, ["town", "run", "--population", str(population), "--emd",
                                 _dong(population), "--agents", "4", "--hours", hours, *options,
                                 "--out", str(out), "--llm", "none", "--embedder", "hash"])
    assert result.exit_code == 0, result.output
    return dict(json.loads((out / "summary.json").read_text(encoding="utf-8")))


def test_a_vote_run_holds_its_vote_at_17_by_default(population: Path, tmp_path: Path) -> None:
    out = tmp_path / "vote"
    summary = _small_town(population, out, "10.5", "--scenario", "vote")
    assert summary["scenario"] == "vote" and summary["voted"]  # 07:00 + 10.5 h passes 17:00
    votes = [json.loads(line) for line in (out / "timeline.jsonl").read_text(
        encoding="utf-8").splitlines() if '"vote"' in line]
    assert votes and {e["time"][-5:] for e in votes if e["kind"] == "vote"} == {"17:00"}


def test_a_grounded_town_from_the_command_line(population: Path, tmp_path: Path) -> None:
    out = tmp_path / "grounded"
    summary = _small_town(population, out, "1", "--grounding", "kgss")
    state = json.loads((out / "checkpoint.json").read_text(encoding="utf-8"))
    adults = {r["person_id"] for r in state["neighbourhood"]["residents"] if r["age"] >= 18}
    assert {int(p) for p in summary["grounded"]} | set(summary["ungrounded_adults"]) == adults
    assert summary["grounded_agents"] == len(summary["grounded"]) > 0
    assert "2010" in summary["grounding_note"]
