"""Checkpoints: the whole state of a town in ``checkpoint.json`` and the memory embeddings in
``checkpoint_vectors.npz``; a town loaded from them continues exactly as if never stopped.

The residents travel inside the checkpoint, so resuming or interviewing needs no population.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from synthsoc.agents.embedding import Embedder
from synthsoc.agents.grounding import Grounding
from synthsoc.agents.judgment import Judge
from synthsoc.agents.memory import MemoryStream
from synthsoc.agents.params import TownParams
from synthsoc.agents.planning import PlanBlock
from synthsoc.agents.residents import Neighbourhood, Resident
from synthsoc.agents.town import Heard, Town
from synthsoc.atomic import write_bytes, write_text

CHECKPOINT_FILE = "checkpoint.json"
VECTORS_FILE = "checkpoint_vectors.npz"
FORMAT = "synthsoc.agents.checkpoint/1"


def town_state(town: Town) -> dict[str, Any]:
    """Everything that determines the town's future, as plain JSON."""
    if town._new:
        raise RuntimeError("town has unembedded memories; checkpoint between steps")
    hood = town.hood
    return {
        "format": FORMAT,
        "embedder": town.embedder.name,
        "judge": town.judge.name,
        "params": town.params.to_dict(),
        "neighbourhood": {
            "emd_code": hood.emd_code, "emd_name": hood.emd_name,
            "sigungu_name": hood.sigungu_name, "sido_name": hood.sido_name,
            "background_persons": hood.background_persons,
            "requested_agents": hood.requested_agents,
            "residents": [r.to_dict() for r in hood.residents],
            "background_out": [list(b) for b in hood.background_out],
            "away_serving": list(hood.away_serving),
        },
        "minute": town.minute,
        "start_minute": town.start_minute,
        "host": town.host,
        "plan_day": town.plan_day,
        "plans": {str(p): [[b.start, b.end, b.place, b.activity] for b in plan]
                  for p, plan in sorted(town.plans.items())},
        "location": {str(p): v for p, v in sorted(town.location.items())},
        "last_reflection": {str(p): v for p, v in sorted(town.last_reflection.items())},
        "heard": {str(p): [h.source, h.minute, h.channel, h.stance]
                  for p, h in sorted(town.heard.items())},
        "votes": {str(p): v for p, v in sorted(town.votes.items())},
        # the memories are in the streams (kind survey_answer); only who answered is kept
        "grounding": {str(p): [g.respid, g.match] for p, g in sorted(town.grounding.items())},
        "model_lines": town.model_lines,
        "line_fallbacks": town.line_fallbacks,
        "decided": {str(p): v for p, v in sorted(town.decided.items())},
        "pending": list(town.pending),
        "came": sorted(town.came),
        "last_talk": dict(sorted(town.last_talk.items())),
        "requests": dict(sorted(town.requests.items())),
        "request_kinds": dict(sorted(town.request_kinds.items())),
        "judge_failures": town.judge.failures,
        "timeline": town.timeline,
        "streams": {str(p): town.streams[p].to_state() for p in town.ids},
    }


def state_vectors(town: Town) -> dict[str, np.ndarray]:
    return {str(p): town.streams[p].vectors for p in town.ids}


def save_checkpoint(town: Town, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez(buffer, **state_vectors(town))  # type: ignore[arg-type]
    write_bytes(folder / VECTORS_FILE, buffer.getvalue())
    write_text(folder / CHECKPOINT_FILE,
               json.dumps(town_state(town), ensure_ascii=False, sort_keys=True) + "\n")


def load_checkpoint(folder: Path, embedder: Embedder, judge: Judge) -> Town:
    path = folder / CHECKPOINT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no checkpoint (run `synthsoc town run` first)")
    state = json.loads(path.read_text(encoding="utf-8"))
    if state.get("format") != FORMAT:
        raise ValueError(f"{path}: format is {state.get('format')!r}, expected {FORMAT!r}")
    if state["embedder"] != embedder.name:
        raise ValueError(f"{path}: memories were embedded with {state['embedder']}, not "
                         f"{embedder.name}; resume with the same embedder")
    n = state["neighbourhood"]
    hood = Neighbourhood(n["emd_code"], n["emd_name"], n["sigungu_name"], n["sido_name"],
                         tuple(Resident(**r) for r in n["residents"]), n["background_persons"],
                         n["requested_agents"],
                         tuple((str(k), int(a), int(b)) for k, a, b in n["background_out"]),
                         tuple(int(p) for p in n.get("away_serving", ())))
    town = Town(TownParams.from_dict(state["params"]), hood, embedder, judge, ground=False)
    town._new = []
    town.timeline = list(state["timeline"])
    with np.load(folder / VECTORS_FILE) as vectors:
        town.streams = {int(p): MemoryStream.from_state(embedder.dim, s, vectors[p])
                        for p, s in state["streams"].items()}
    town.minute = int(state["minute"])
    town.start_minute = int(state["start_minute"])
    town.host = int(state["host"])
    town.plan_day = int(state["plan_day"])
    town.plans = {int(p): [PlanBlock(*b) for b in plan] for p, plan in state["plans"].items()}
    town.location = {int(p): v for p, v in state["location"].items()}
    town.last_reflection = {int(p): int(v) for p, v in state["last_reflection"].items()}
    town.heard = {int(p): Heard(h[0], int(h[1]), str(h[2]), h[3] if len(h) > 3 else None)
                  for p, h in state["heard"].items()}
    town.votes = {int(p): str(v) for p, v in state.get("votes", {}).items()}
    town.grounding = {
        int(p): Grounding(int(p), str(respid), str(match), tuple(
            m.text for m in town.streams[int(p)].memories if m.kind == "survey_answer"))
        for p, (respid, match) in state.get("grounding", {}).items()}
    town.model_lines = int(state.get("model_lines", 0))
    town.line_fallbacks = int(state.get("line_fallbacks", 0))
    town.decided = {int(p): bool(v) for p, v in state["decided"].items()}
    town.pending = [int(p) for p in state["pending"]]
    town.came = {int(p) for p in state["came"]}
    town.last_talk = dict(state["last_talk"])
    town.requests = defaultdict(int, state["requests"])
    town.request_kinds = defaultdict(int, state["request_kinds"])
    judge.failures = int(state["judge_failures"])
    return town


def embedder_of(folder: Path) -> Embedder:
    """The embedder a run's memories were embedded with (e5 or the test hash embedder)."""
    from synthsoc.agents.embedding import E5Embedder, HashEmbedder

    path = folder / CHECKPOINT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no checkpoint (run `synthsoc town run` first)")
    name = str(json.loads(path.read_text(encoding="utf-8")).get("embedder", ""))
    if name.startswith("hash-bigram-"):
        return HashEmbedder(int(name.rsplit("-", 1)[1]))
    return E5Embedder()
