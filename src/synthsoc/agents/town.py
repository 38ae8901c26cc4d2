"""The town: residents following their plans on a 10-minute clock, meeting, talking, chatting,
reflecting and hearing about the seeded gathering.

One step, in order: (1) a new day gets its default plans; (2) everyone moves to the place their
plan names (a closed place sends them home, and they remember it); (3) awake people at the same
place may talk (seeded draw, pair cool-down); the model picks the topic and whether the
invitation is passed on, the words are rendered in the right speech level and dialect; (4) who
heard the invitation decides whether to change plan; (5) family and workplace rooms pass news on
at fixed hours, by rule; (6) whoever's accumulated importance passed the threshold reflects; (7)
the step's new memories are embedded in one batch. Every random draw comes from
``default_rng([seed, step])`` or ``default_rng([seed, day, person])``, so a run resumed from a
checkpoint continues exactly as an uninterrupted one. Each agent asks the model at most
``max_requests_per_agent_hour`` times a game hour: past that it does not start conversations and
its decisions wait for the next hour.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from synthsoc.agents import lines
from synthsoc.agents.clock import GameTime, korean_clock
from synthsoc.agents.embedding import Embedder
from synthsoc.agents.grounding import MIN_AGE, Grounding, match_residents
from synthsoc.agents.judgment import Ask, Judge
from synthsoc.agents.memory import Memory, MemoryStream
from synthsoc.agents.params import IMPORTANCE, TownParams
from synthsoc.agents.places import Place, place_kinds
from synthsoc.agents.planning import PlanBlock, block_at, default_plan, home_id, insert_block
from synthsoc.agents.residents import Neighbourhood, Resident

FAMILY_CHAT_MINUTE = 20 * 60  # ASSUMPTION: the family room is busiest after dinner
WORK_CHAT_MINUTE = 12 * 60 + 30  # ASSUMPTION: the workplace room at lunch, on weekdays
SILENT_BELOW_EXTRAVERSION = 45.0  # ASSUMPTION: quieter members read a room without answering
WORKPLACE_KINDS = ("office", "shop", "worksite")
REFLECTION_MEMORIES = 8
VOTING_AGE = 18  # ASSUMPTION: the age of Korean public elections (since 2020) for this vote


@dataclass(frozen=True)
class Heard:
    source: int | None  # person_id who told, None for the host
    minute: int
    channel: str  # host / conversation / family_chat / work_chat / present
    stance: bool | None = None  # vote: the teller's lean when telling (None: undecided)


def _seed(*parts: object) -> int:
    text = "|".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=4).digest(), "little")


class Town:
    """A running town; :meth:`run_until` advances it, :meth:`to_state` checkpoints it."""

    def __init__(self, params: TownParams, hood: Neighbourhood, embedder: Embedder,
                 judge: Judge, *, ground: bool = True) -> None:
        """``ground=False``: leave :attr:`grounding` empty and remember no KGSS answers (a
        checkpoint restores both, :func:`synthsoc.agents.checkpoint.load_checkpoint`)."""
        if not hood.residents:
            raise ValueError(f"eup-myeon-dong {hood.emd_code}: no residents were chosen")
        self.params = params
        self.hood = hood
        self.embedder = embedder
        self.judge = judge
        self.residents: dict[int, Resident] = {r.person_id: r for r in hood.residents}
        self.ids: list[int] = sorted(self.residents)
        self.places = self._places()
        self.minute = params.start_day * 1440 + params.start_minute
        self.start_minute = self.minute
        self.streams = {pid: MemoryStream(embedder.dim) for pid in self.ids}
        self.plans: dict[int, list[PlanBlock]] = {}
        self.plan_day = -1
        self.location: dict[int, str] = {}
        self.last_reflection = {pid: self.minute for pid in self.ids}
        self.heard: dict[int, Heard] = {}
        self.decided: dict[int, bool] = {}
        self.pending: list[int] = []
        self.came: set[int] = set()
        self.last_talk: dict[str, int] = {}
        self.requests: dict[str, int] = defaultdict(int)  # "pid:hour" -> requests
        self.request_kinds: dict[str, int] = defaultdict(int)
        self.timeline: list[dict[str, Any]] = []
        self.votes: dict[int, str] = {}  # vote: person_id -> for / against / undecided / unaware
        self.model_lines = 0  # lines the model wrote that fit the speech level and were said
        self.line_fallbacks = 0  # lines the model wrote that did not fit (the template said)
        self._new: list[tuple[int, Memory]] = []
        g = params.gathering
        self.is_vote = g.kind == "vote"
        if g.place_kind not in place_kinds():
            raise ValueError(f"gathering place_kind {g.place_kind!r} is not a known place kind")
        self.gathering_start = g.day * 1440 + g.start_minute
        self.gathering_end = self.gathering_start + g.duration_minutes
        # the news travels until the gathering ends, or until the vote opens
        self.news_until = self.gathering_start if self.is_vote else self.gathering_end
        out = hood.background_out
        self._crowd_kind = np.array([k for k, _, _ in out], dtype=object)
        self._crowd_leave = np.array([a for _, a, _ in out], dtype=np.int64)
        self._crowd_return = np.array([b for _, _, b in out], dtype=np.int64)
        self.host = self._pick_host()
        self._seed_intention()
        self.grounding = self._ground() if ground else {}

    # ----------------------------------------------------------------- setup
    def _places(self) -> dict[str, Place]:
        kinds = place_kinds()
        places: dict[str, Place] = {}
        for r in sorted(self.residents.values(), key=lambda r: r.household_id):
            places.setdefault(home_id(r), Place(home_id(r), "home", f"{r.name} 씨네 집"))
        for kind in kinds.values():
            if kind.role != "home":
                places[kind.kind] = Place(kind.kind, kind.kind, kind.name_ko)
        return places

    def _pick_host(self) -> int:
        wanted = self.params.gathering.host_person_id
        if wanted is not None:
            if wanted not in self.residents:
                raise ValueError(f"gathering host_person_id {wanted} is not one of the agents")
            return wanted
        adults = [pid for pid in self.ids if self.residents[pid].age >= 30]
        pool = adults or self.ids
        rng = np.random.default_rng([self.params.seed, 2])
        return pool[int(rng.integers(len(pool)))]

    def gathering_phrase(self) -> tuple[str, str]:
        """(when, where) of the gathering in Korean: ('월요일 저녁 6시', '카페')."""
        g = self.params.gathering
        when = f"{GameTime(self.gathering_start).weekday_name} {korean_clock(g.start_minute)}"
        return when, place_kinds()[g.place_kind].name_ko

    def _seed_intention(self) -> None:
        when, where = self.gathering_phrase()
        self.heard[self.host] = Heard(None, self.minute, "host")
        self.decided[self.host] = True
        if self.is_vote:
            self._remember(self.host, "intention", f"내가 {when} {where} 동네 대표 선거에 "
                           "나가기로 했다. 이웃들에게 알리고 지지를 부탁해야 한다.")
        else:
            self._remember(self.host, "intention", f"내가 {when}에 {where}에서 동네 모임을 "
                           "열기로 했다. 이웃들에게 알려야 한다.")
        self._event("intention", self.host, place=self.params.gathering.place_kind,
                    text=f"{when} {where}")

    def _grounding_summary(self) -> dict[str, Any]:
        if self.params.grounding == "none":
            return {"grounding": "none"}
        return {
            "grounding": self.params.grounding,
            "grounded_agents": len(self.grounding),
            "ungrounded_adults": sorted(p for p in self.ids if self.residents[p].age >= MIN_AGE
                                        and p not in self.grounding),
            "grounded": {str(p): {"respid": g.respid, "match": g.match}
                         for p, g in sorted(self.grounding.items())},
            "grounding_note": "each grounded agent remembers the KGSS 2010 answers of a "
                              "respondent of its sex, 10-year age band and region (or sex and "
                              "age band where the region had none left): a similar person's "
                              "attitudes in 2010, not the synthetic person's own",
        }

    def _ground(self) -> dict[int, Grounding]:
        """KGSS grounding (``params.grounding == "kgss"``): each matched agent remembers its
        respondent's answers from the start."""
        if self.params.grounding == "none":
            return {}
        matches = match_residents(self.residents.values(), self.hood.sido_name,
                                  self.params.seed)
        for g in matches:
            for text in g.memories:
                self._remember(g.person_id, "survey_answer", text)
        return {g.person_id: g for g in matches}

    # ----------------------------------------------------------------- helpers
    def _remember(self, pid: int, kind: str, text: str) -> None:
        self._new.append((pid, Memory(self.minute, kind, text, IMPORTANCE[kind])))

    def _event(self, kind: str, agent: int, **fields: Any) -> None:
        self.timeline.append({"minute": self.minute, "time": GameTime(self.minute).label(),
                              "kind": kind, "agent": agent, **fields})

    def _hour_key(self, pid: int) -> str:
        return f"{pid}:{self.minute // 60}"

    def capacity(self, pid: int) -> int:
        return self.params.max_requests_per_agent_hour - self.requests[self._hour_key(pid)]

    def _charge(self, pid: int, kind: str) -> None:
        self.requests[self._hour_key(pid)] += 1
        self.request_kinds[kind] += 1

    def _who(self, r: Resident) -> str:
        sex = "남자" if r.sex == "M" else "여자"
        return f"{r.name}, {r.age}세 {sex}, {self.hood.emd_name} 주민"

    def _recall(self, pid: int, query: str) -> tuple[str, ...]:
        vector = self.embedder.embed([query], query=True)[0]
        found = self.streams[pid].retrieve(vector, self.minute, self.params.retrieval,
                                           self.params.retrieve_k)
        return tuple(m.text for m in found)

    def _ask(self, pid: int, kind: str, situation: str, query: str,
             listener: int | None = None) -> Ask:
        r = self.residents[pid]
        level = "" if listener is None else lines.LEVEL_NAMES_KO[self.voice(pid, listener).level]
        heard = self.heard.get(pid)
        return Ask(agent=pid, seed=_seed(self.params.seed, self.minute, pid, kind),
                   who=self._who(r), situation=situation, memories=self._recall(pid, query),
                   knows_gathering=pid in self.heard, extraversion=r.extraversion,
                   agreeableness=r.agreeableness,
                   news="동네 대표 선거 소식" if self.is_vote else "동네 모임 소식", level=level,
                   source_supports=None if heard is None else heard.stance)

    def _awake(self, pid: int) -> bool:
        return block_at(self.plans[pid], self.minute % 1440).activity != "sleep"

    def _coworkers(self, a: int, b: int) -> bool:
        ra, rb = self.residents[a], self.residents[b]
        return ra.main_place is not None and ra.main_place == rb.main_place

    def voice(self, speaker: int, listener: int) -> lines.Voice:
        place = self.location.get(speaker, "")
        coworkers = self._coworkers(speaker, listener)
        at_work = coworkers and place == self.residents[speaker].main_place
        return lines.voice(self.residents[speaker], self.residents[listener], at_work=at_work,
                           coworkers=coworkers, acquainted=self._pair(speaker, listener)
                           in self.last_talk)

    @staticmethod
    def _pair(a: int, b: int) -> str:
        return f"{min(a, b)}-{max(a, b)}"

    def _say(self, speaker: int, listener: int, text: str, channel: str,
             by: str = "template") -> None:
        v = self.voice(speaker, listener)
        self._event("say", speaker, listener=listener, place=self.location.get(speaker),
                    channel=channel, level=v.level.value, dialect=v.dialect,
                    relation=v.relation.value, text=text, by=by)

    def _model_line(self, line: str | None, v: lines.Voice) -> tuple[str | None, str]:
        """The model's line when it fits the level the relation calls for, else None (and the
        template is said); counted either way."""
        if line is None:
            return None, "template"
        if lines.fits(line, v):
            self.model_lines += 1
            return line, "model"
        self.line_fallbacks += 1
        return None, "template"

    def news_lines(self, speaker: int, listener: int) -> list[str]:
        """What ``speaker`` says to pass the news on: the invitation, or the candidacy and the
        speaker's own lean (the host asks for a vote)."""
        when, where = self.gathering_phrase()
        host_name = self.residents[self.host].name
        v = self.voice(speaker, listener)
        own = speaker == self.host
        if not self.is_vote:
            return [lines.invitation(host_name, when, where, v, own=own)]
        said = [lines.candidacy(host_name, when, where, v, own=own)]
        lean = self.decided.get(speaker)
        if own or lean is not None:
            said.append(lines.stance(host_name, v, supports=bool(lean), own=own))
        return said

    # ----------------------------------------------------------------- the step
    def step(self) -> None:
        now = GameTime(self.minute)
        rng = np.random.default_rng([self.params.seed, 1, self.minute])
        if now.day != self.plan_day:
            self._plan_day(now.day)
        self._move(now)
        self._conversations(rng)
        self._decide()
        if self.is_vote and self.minute == self.gathering_start:
            self._tally()
        if now.minute_of_day == FAMILY_CHAT_MINUTE:
            self._chats("family_chat")
        if now.minute_of_day == WORK_CHAT_MINUTE and not now.is_weekend:
            self._chats("work_chat")
        self._reflect()
        self._embed_new()
        self.minute += self.params.step_minutes

    def run_until(self, minute: int) -> None:
        while self.minute < minute:
            self.step()
        self._embed_new()

    def _plan_day(self, day: int) -> None:
        for pid in self.ids:
            rng = np.random.default_rng([self.params.seed, 3, day, pid])
            plan = default_plan(self.residents[pid], day, rng)
            if self.decided.get(pid) and self._gathering_today(day) and not self.is_vote:
                plan = insert_block(plan, self._gathering_block())
            self.plans[pid] = plan
        self.plan_day = day

    def _gathering_today(self, day: int) -> bool:
        return self.gathering_start // 1440 == day

    def _gathering_block(self) -> PlanBlock:
        start = self.gathering_start % 1440
        end = min(start + self.params.gathering.duration_minutes, 1440)
        return PlanBlock(start, end, self.params.gathering.place_kind, "gathering")

    def crowd(self, place: str, now: GameTime) -> int:
        """Background residents at ``place`` now, by their persona schedule (weekdays only)."""
        if now.is_weekend or self._crowd_kind.size == 0:
            return 0
        m = now.minute_of_day
        there = ((self._crowd_kind == place) & (self._crowd_leave <= m)
                 & (m < self._crowd_return))
        return int(np.count_nonzero(there))

    def _move(self, now: GameTime) -> None:
        kinds = place_kinds()
        for pid in self.ids:
            block = block_at(self.plans[pid], now.minute_of_day)
            place = block.place
            kind = self.places[place].kind
            if not kinds[kind].is_open(now) and block.activity != "sleep":
                if self.location.get(pid) == place:
                    self._remember(pid, "observe", f"{self.places[place].label}이(가) 문을 닫아서 "
                                   "집으로 돌아왔다.")
                place = home_id(self.residents[pid])
            if self.location.get(pid) != place:
                self.location[pid] = place
                self._event("move", pid, place=place, activity=block.activity)
                if block.activity != "sleep":
                    others = self.crowd(place, now)
                    seen = f" 동네 사람 {others}명이 와 있었다." if others else ""
                    self._remember(pid, "arrive", f"{self.places[place].label}에 왔다.{seen}")
            gathering_on = (not self.is_vote
                            and self.gathering_start <= self.minute < self.gathering_end)
            if gathering_on and place == self.params.gathering.place_kind and pid not in self.came:
                if pid not in self.heard:  # there by chance: they learn of it by being there
                    self.heard[pid] = Heard(self.host, self.minute, "present")
                    self._event("heard", pid, source=self.host, channel="present")
                self.came.add(pid)
                self._remember(pid, "observe", "동네 모임에 왔다. 이웃들이 모여 있었다.")
                self._event("came", pid, place=place)

    def _conversations(self, rng: np.random.Generator) -> None:
        by_place: dict[str, list[int]] = defaultdict(list)
        for pid in self.ids:
            if self._awake(pid):
                by_place[self.location[pid]].append(pid)
        talks: list[tuple[int, int]] = []
        busy: set[int] = set()
        cooldown = self.params.pair_cooldown_minutes
        for place in sorted(by_place):
            people = by_place[place]
            for i, a in enumerate(people):
                for b in people[i + 1:]:
                    if a in busy or b in busy:
                        continue
                    last = self.last_talk.get(self._pair(a, b))
                    if last is not None and self.minute - last < cooldown:
                        continue
                    if rng.random() >= self.params.talk_probability:
                        continue
                    first, second = (a, b) if rng.random() < 0.5 else (b, a)
                    if self.capacity(first) <= 0:
                        continue
                    talks.append((first, second))
                    busy.update((a, b))
        if not talks:
            return
        asks = []
        for speaker, listener in talks:
            other = self.residents[listener]
            place = self.places[self.location[speaker]].label
            situation = f"{place}에서 {self._who(other)}을(를) 만났다."
            asks.append(self._ask(speaker, "talk", situation, f"{other.name}와 나눌 이야기",
                                  listener))
            self._charge(speaker, "conversation")
        choices = self.judge.talk(asks)
        for (speaker, listener), choice in zip(talks, choices, strict=True):
            sv, lv = self.voice(speaker, listener), self.voice(listener, speaker)
            family = self.residents[speaker].household_id == self.residents[listener].household_id
            written, by = self._model_line(choice.line, sv)
            said = [written or lines.small_talk(choice.topic, sv)]
            if not family:
                self._say(speaker, listener, lines.greeting(sv), "conversation")
            self._say(speaker, listener, said[-1], "conversation", by)
            reply = lines.agree(lv)
            self._say(listener, speaker, reply, "conversation")
            # The host always mentions the news (it is their intention); others as judged.
            wants = choice.tell_gathering or speaker == self.host
            told = wants and speaker in self.heard and self.news_until > self.minute
            if told:
                news = self.news_lines(speaker, listener)
                for line in news:
                    self._say(speaker, listener, line, "conversation")
                self._hear(listener, speaker, "conversation", " ".join(news))
            s_name, l_name = self.residents[speaker].name, self.residents[listener].name
            self._remember(speaker, "conversation",
                           f"{l_name} 씨와 이야기했다: \"{said[-1]}\"")
            self._remember(listener, "conversation",
                           f"{s_name} 씨와 이야기했다: \"{said[-1]}\" \"{reply}\"")
            self.last_talk[self._pair(speaker, listener)] = self.minute

    def _hear(self, listener: int, source: int, channel: str, line: str) -> None:
        if listener in self.heard:
            return
        stance = True if source == self.host else self.decided.get(source)
        self.heard[listener] = Heard(source, self.minute, channel,
                                     stance if self.is_vote else None)
        name = self.residents[source].name
        self._remember(listener, "heard_gathering", f"{name} 씨한테서 들었다: \"{line}\"")
        self._event("heard", listener, source=source, channel=channel)
        self.pending.append(listener)

    def _decide(self) -> None:
        ready = [pid for pid in self.pending if self.capacity(pid) > 0]
        if not ready:
            return
        when, where = self.gathering_phrase()
        host_name = self.residents[self.host].name
        kind = "support" if self.is_vote else "attend"
        asks = []
        for pid in ready:
            heard = self.heard[pid]
            told_face_to_face = heard.source is not None and heard.channel == "conversation"
            if self.is_vote:
                situation = (f"{host_name} 씨가 {when} {where} 동네 대표 선거에 나온다고 들었다. "
                             f"지금은 {GameTime(self.minute).label()}이다.")
                query = f"{host_name} 씨와 동네 대표 선거"
            else:
                situation = (f"{when}에 {where}에서 동네 모임이 있다고 들었다. "
                             f"지금은 {GameTime(self.minute).label()}이다.")
                query = "동네 모임"
            asks.append(self._ask(pid, kind, situation, query,
                                  heard.source if told_face_to_face else None))
            self._charge(pid, "plan_change" if kind == "attend" else "vote_choice")
        for pid, decision in zip(ready, self.judge.decide(asks, kind), strict=True):
            self.pending.remove(pid)
            yes = decision.yes
            self.decided[pid] = yes
            source = self.heard[pid].source
            if source is not None and self.heard[pid].channel == "conversation":
                v = self.voice(pid, source)
                written, by = self._model_line(decision.reply, v)
                if self.is_vote:
                    template = lines.vote_reply(host_name, v, supports=yes)
                else:
                    template = lines.accept(v) if yes else lines.decline(v)
                self._say(pid, source, written or template, "conversation", by)
            if self.is_vote:
                self._remember(pid, "plan", f"동네 대표 선거에서 {host_name} 씨를 뽑기로 했다."
                               if yes else f"동네 대표 선거에서 {host_name} 씨를 뽑을지 더 "
                               "생각해 보기로 했다.")
                self._event("plan", pid, support=yes)
                continue
            if yes:
                self._remember(pid, "plan", f"{when}에 {where} 동네 모임에 가기로 했다.")
                if self._gathering_today(self.plan_day) and self.gathering_end > self.minute:
                    self.plans[pid] = insert_block(self.plans[pid], self._gathering_block())
            self._event("plan", pid, attend=yes)

    def _tally(self) -> None:
        """The vote: every adult agent who heard votes by its lean (the host for itself), one
        who heard but has not decided yet is counted undecided, the others are unaware."""
        for pid in self.ids:
            if self.residents[pid].age < VOTING_AGE:
                continue
            if pid not in self.heard:
                vote = "unaware"
            elif pid in self.decided:
                vote = "for" if self.decided[pid] else "against"
            else:
                vote = "undecided"
            self.votes[pid] = vote
            self._event("vote", pid, vote=vote)

    def _rooms(self, channel: str) -> list[list[int]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for pid in self.ids:
            r = self.residents[pid]
            if r.messenger != "kakaotalk" or not self._awake(pid):
                continue
            if channel == "family_chat":
                groups[str(r.household_id)].append(pid)
            elif r.main_place in WORKPLACE_KINDS:
                groups[str(r.main_place)].append(pid)
        return [groups[key] for key in sorted(groups) if len(groups[key]) >= 2]

    def _chats(self, channel: str) -> None:
        """A room passes the invitation on when a member knows it and others do not: the most
        extraverted member who knows posts (to the room's eldest other member, in the level
        owed to them); the others who are not quiet answer; the quiet read and stay silent."""
        for room in self._rooms(channel):
            knowing = [p for p in room if p in self.heard]
            unaware = [p for p in room if p not in self.heard]
            if not knowing or not unaware or self.news_until <= self.minute:
                continue
            poster = max(knowing, key=lambda p: (self.residents[p].extraversion, -p))
            eldest = max((p for p in room if p != poster),
                         key=lambda p: (self.residents[p].age, -p))
            news = self.news_lines(poster, eldest)
            for text in news:
                self._say(poster, eldest, text, channel)
            line = " ".join(news)
            for pid in room:
                if pid == poster:
                    continue
                self._hear(pid, poster, channel, line)
                if self.residents[pid].extraversion < SILENT_BELOW_EXTRAVERSION:
                    self._event("silent", pid, channel=channel)
                else:
                    self._say(pid, poster, lines.acknowledge(self.voice(pid, poster)), channel)

    def _reflect(self) -> None:
        due = [pid for pid in self.ids
               if self._awake(pid) and self.capacity(pid) > 0
               and self.streams[pid].importance_since(self.last_reflection[pid])
               >= self.params.reflection_threshold]
        if not due:
            return
        asks = []
        for pid in due:
            recent = self.streams[pid].memories[-REFLECTION_MEMORIES:]
            situation = "최근의 기억: " + " ".join(m.text for m in recent)
            asks.append(self._ask(pid, "reflect", situation, "요즘 나에게 중요한 일"))
            self._charge(pid, "reflection")
        for pid, insight in zip(due, self.judge.reflect(asks), strict=True):
            self._remember(pid, "reflection", insight)
            self.last_reflection[pid] = self.minute
            self._event("reflect", pid, text=insight)

    def _embed_new(self) -> None:
        if not self._new:
            return
        vectors = self.embedder.embed([m.text for _, m in self._new])
        for (pid, memory), vector in zip(self._new, vectors, strict=True):
            self.streams[pid].add(memory, vector)
        self._new = []

    # ----------------------------------------------------------------- interview
    def interview(self, pid: int, question: str) -> tuple[str, tuple[str, ...]]:
        """Answer ``question`` as agent ``pid`` from its retrieved memories."""
        if pid not in self.residents:
            raise ValueError(f"no agent {pid} in this town (agents: {self.ids})")
        ask = self._ask(pid, "interview", f"누군가 {self.residents[pid].name} 씨에게 묻는다.",
                        question)
        return self.judge.interview(ask, question), ask.memories

    def survey_many(self, pids: Sequence[int], query: str, prompt: str,
                    schema: dict[str, Any], max_tokens: int) -> list[dict[str, Any] | None]:
        """A survey question asked of ``pids`` in one batch: each agent retrieves memories for
        ``query`` (the question's text) and answers ``prompt`` (the question with its options
        and steps, from the survey layer) in the JSON ``schema``; None where
        no usable answer came. Like an interview, this happens outside game time and counts
        against no hourly cap."""
        unknown = [p for p in pids if p not in self.residents]
        if unknown:
            raise ValueError(f"no agents {unknown} in this town (agents: {self.ids})")
        asks = [self._ask(pid, "survey", f"설문 조사원이 {self.residents[pid].name} 씨에게 "
                          "묻는다.", query) for pid in pids]
        return self.judge.survey(asks, prompt, schema, max_tokens)

    # ----------------------------------------------------------------- results
    def agent_hours(self) -> float:
        return len(self.ids) * (self.minute - self.start_minute) / 60.0

    def summary(self) -> dict[str, Any]:
        hours = self.agent_hours()
        total = sum(self.request_kinds.values())
        paths = {str(pid): {"source": h.source, "minute": h.minute, "channel": h.channel}
                 for pid, h in sorted(self.heard.items())}
        return {
            "agents": len(self.ids),
            "host": self.host,
            "game_minutes": self.minute - self.start_minute,
            "heard": len(self.heard),
            "heard_share": len(self.heard) / len(self.ids),
            "decided_to_attend": sum(1 for v in self.decided.values() if v),
            "came": len(self.came),
            "came_share": len(self.came) / len(self.ids),
            "came_having_heard_before": sum(1 for p in self.came
                                            if self.heard[p].channel != "present"),
            "paths": paths,
            "judgment_requests": total,
            "requests_by_kind": dict(sorted(self.request_kinds.items())),
            "requests_per_agent_hour": total / hours if hours else 0.0,
            "max_requests_in_one_agent_hour": max(self.requests.values(), default=0),
            "judgment_failures": self.judge.failures,
            "serving_conscripts_away": len(self.hood.away_serving),
            **self._grounding_summary(),
            "memories": sum(len(s) for s in self.streams.values()),
            "model_lines": self.model_lines,
            "line_fallbacks": self.line_fallbacks,
            "scenario": self.params.gathering.kind,
            **(self._vote_summary() if self.is_vote else {}),
        }

    def _vote_summary(self) -> dict[str, Any]:
        eligible = [p for p in self.ids if self.residents[p].age >= VOTING_AGE]
        heard = [p for p in eligible if p in self.heard]
        backing = [p for p in heard if self.decided.get(p)]
        counts = {k: sum(1 for v in self.votes.values() if v == k)
                  for k in ("for", "against", "undecided", "unaware")}
        return {
            "eligible": len(eligible),
            "voted": bool(self.votes),
            "votes": counts,
            "vote_share_for": counts["for"] / len(eligible) if eligible and self.votes else 0.0,
            "support_share_among_heard": len(backing) / len(heard) if heard else 0.0,
        }
