"""Run outputs a person can inspect: ``timeline.jsonl`` (who was where and said what) and a
self-contained HTML replay of one day (places as boxes, agents moving between them on the
10-minute clock, what they said as bubbles, and the invitation's spread as a step chart)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from synthsoc.agents.clock import GameTime
from synthsoc.agents.town import Town
from synthsoc.atomic import write_text

TIMELINE_FILE = "timeline.jsonl"


def write_timeline(town: Town, folder: Path) -> Path:
    path = folder / TIMELINE_FILE
    text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n"
                   for e in town.timeline)
    write_text(path, text)
    return path


def day_frames(town: Town, day: int) -> dict[str, Any]:
    """Per step of ``day``: each agent's place and the lines said; and heard counts."""
    step = town.params.step_minutes
    first, last = day * 1440, (day + 1) * 1440
    where: dict[int, str] = {}
    frames: list[dict[str, Any]] = []
    events = sorted(town.timeline, key=lambda e: e["minute"])
    index = 0
    heard = 0
    for minute in range(max(first, town.start_minute), min(last, town.minute), step):
        said = []
        while index < len(events) and events[index]["minute"] <= minute:
            e = events[index]
            if e["kind"] == "move":
                where[e["agent"]] = e["place"]
            if e["kind"] in ("heard", "intention"):
                heard += 1
            if e["kind"] == "say" and e["minute"] == minute:
                said.append({"agent": e["agent"], "listener": e["listener"],
                             "channel": e["channel"], "level": e["level"], "text": e["text"]})
            index += 1
        now = GameTime(minute)
        crowd = {p: town.crowd(p, now) for p in sorted(set(where.values()))}
        frames.append({"minute": minute, "where": {str(a): p for a, p in sorted(where.items())},
                       "said": said, "heard": heard,
                       "crowd": {p: n for p, n in crowd.items() if n}})
    used = sorted({p for f in frames for p in f["where"].values()})
    return {
        "places": [{"id": p, "label": town.places[p].label} for p in used],
        "agents": [{"id": pid, "name": town.residents[pid].name,
                    "age": town.residents[pid].age} for pid in town.ids],
        "host": town.host,
        "frames": frames,
        "n_agents": len(town.ids),
    }


PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1em; }}
#map {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; }}
.place {{ border: 1px solid #999; border-radius: 6px; padding: 4px; min-height: 70px; }}
.place h4 {{ margin: 0 0 4px 0; font-size: 13px; }}
.agent {{ display: inline-block; margin: 2px; padding: 1px 5px; border-radius: 9px;
  background: #cde; font-size: 12px; }}
.agent.host {{ background: #fc9; }}
.bubble {{ font-size: 12px; background: #ffd; border-left: 3px solid #cc6; margin: 2px 0;
  padding: 2px 4px; }}
#spread {{ margin-top: 1em; }}
</style></head><body>
<h2>{title}</h2>
<p>{subtitle}</p>
<p><button id="play">▶</button> <input id="step" type="range" min="0" value="0" style="width:60%">
<b id="clock"></b></p>
<div id="map"></div>
<h3>초대 소식을 들은 사람 (누적)</h3>
<svg id="spread" width="720" height="160"></svg>
<script>
const D = {data};
const slider = document.getElementById('step');
slider.max = Math.max(0, D.frames.length - 1);
const names = Object.fromEntries(D.agents.map(a => [a.id, a.name + ' (' + a.age + ')']));
function hhmm(m) {{ m = m % 1440; return String(Math.floor(m/60)).padStart(2,'0') + ':' +
  String(m%60).padStart(2,'0'); }}
function esc(s) {{ const d = document.createElement('div'); d.textContent = s;
  return d.innerHTML; }}
function show(i) {{
  const f = D.frames[i]; if (!f) return;
  document.getElementById('clock').textContent = hhmm(f.minute);
  const map = document.getElementById('map'); map.innerHTML = '';
  for (const p of D.places) {{
    const box = document.createElement('div'); box.className = 'place';
    const crowd = f.crowd[p.id] ? ' <small>(+' + f.crowd[p.id] + ' 주민)</small>' : '';
    let inner = '<h4>' + esc(p.label) + crowd + '</h4>';
    for (const [a, place] of Object.entries(f.where)) if (place === p.id)
      inner += '<span class="agent' + (Number(a) === D.host ? ' host' : '') + '">' +
        esc(names[a]) + '</span>';
    for (const s of f.said) if (f.where[s.agent] === p.id)
        inner += '<div class="bubble">' + esc(names[s.agent]) + ' → ' + esc(names[s.listener])
          + (s.channel !== 'conversation' ? ' [' + s.channel + ']' : '') + ': ' + esc(s.text)
          + '</div>';
    box.innerHTML = inner; map.appendChild(box);
  }}
}}
function chart() {{
  const svg = document.getElementById('spread'); const n = D.frames.length || 1;
  let pts = D.frames.map((f, i) => (10 + 700 * i / n) + ',' + (150 - 140 * f.heard / D.n_agents));
  svg.innerHTML = '<polyline fill="none" stroke="#c60" stroke-width="2" points="' +
    pts.join(' ') + '"/><text x="10" y="12" font-size="11">' + D.n_agents + ' agents</text>';
}}
slider.oninput = () => show(Number(slider.value));
let timer = null;
document.getElementById('play').onclick = () => {{
  if (timer) {{ clearInterval(timer); timer = null; return; }}
  timer = setInterval(() => {{ if (Number(slider.value) >= Number(slider.max)) {{
    clearInterval(timer); timer = null; return; }}
    slider.value = Number(slider.value) + 1; show(Number(slider.value)); }}, 300);
}};
chart(); show(0);
</script></body></html>
"""


def write_replay(town: Town, folder: Path, day: int) -> Path:
    data = day_frames(town, day)
    if not data["frames"]:
        raise ValueError(f"day {day} has no simulated steps in this run (the run covers minutes "
                         f"{town.start_minute}-{town.minute})")
    title = f"{town.hood.sido_name} {town.hood.sigungu_name} {town.hood.emd_name}: day {day}"
    subtitle = (f"{len(town.ids)} agents, judge {town.judge.name}; orange = the host of the "
                "gathering")
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    path = folder / f"replay_day{day}.html"
    write_text(path, PAGE.format(title=html.escape(title), subtitle=html.escape(subtitle),
                                 data=payload))
    return path
