"""Advance a run folder: game hours with a checkpoint after each, then the timeline, one HTML
replay per day and ``summary.json``. A budget stop keeps the outputs of the last whole game hour,
from which a resumed run continues exactly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synthsoc.agents.checkpoint import load_checkpoint, save_checkpoint
from synthsoc.agents.replay import write_replay, write_timeline
from synthsoc.agents.town import Town
from synthsoc.atomic import write_json
from synthsoc.llm import BudgetExceeded

SUMMARY_FILE = "summary.json"


def advance(town: Town, hours: float, out: Path) -> dict[str, Any]:
    """Run ``hours`` game hours into ``out``; the summary says whether the budget stopped it."""
    stop = town.minute + round(hours * 60)
    stopped = None
    town.run_until(town.minute)  # embeds what is pending (the seeded intention)
    save_checkpoint(town, out)
    while town.minute < stop:
        try:
            town.run_until(min(stop, (town.minute // 60 + 1) * 60))
        except BudgetExceeded as error:
            stopped = str(error)
            town = load_checkpoint(out, town.embedder, town.judge)
            break
        save_checkpoint(town, out)
    write_timeline(town, out)
    if town.minute > town.start_minute:
        for day in range(town.start_minute // 1440, (town.minute - 1) // 1440 + 1):
            write_replay(town, out, day)
    summary = {**town.summary(), "stopped_by_budget": stopped,
               "emd": f"{town.hood.emd_code} {town.hood.emd_name}",
               "background_persons": town.hood.background_persons,
               "judge": town.judge.name, "embedder": town.embedder.name}
    write_json(out / SUMMARY_FILE, summary)
    return summary
