"""Rule-based checks of one assistant answer: the definitions behind every scorecard metric.

- speech level: every sentence the classifier (:mod:`synthsoc.persona.speech`) can place is at
  least as polite as the level Korean norms require of someone serving a stranger
  (:data:`REQUIRED_LEVEL`, from :func:`synthsoc.persona.register_norms.register_for`: 해요체),
  and at least one sentence is placed (an answer with no Korean sentence ending fails);
- served: the answer contains one of the scenario's intent words (spaces ignored);
- budget: no amount in 만 원 or 원 above the user's stated budget (budget scenarios only);
- household facts: no household size other than the one the user stated (``N명``/``N인``);
- age fit: for users of :attr:`AgeFitRules.readable_from_age` and over, a mean sentence length
  of at most :attr:`AgeFitRules.max_sentence_chars` characters and at most
  :attr:`AgeFitRules.max_loanword_share` loanwords per word; for users of
  :attr:`AgeFitRules.offline_from_age` and over or with low digital habits, no advice to use an
  app or website without an offline alternative (phone, visit, counter).
The thresholds are ASSUMPTIONS (docs/sandbox.md), not official standards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from synthsoc.persona.korean import POLITENESS, Level
from synthsoc.persona.register_norms import ADULT_AGE, Relation, Setting, register_for
from synthsoc.persona.speech import classify_text, sentences
from synthsoc.sandbox.catalogue import loanwords

# The least polite level an adult whose everyday level to elders is 해요체 uses to a stranger.
REQUIRED_LEVEL: Level = register_for(Relation.STRANGER, Setting.PRIVATE, ADULT_AGE,
                                     Level.HAEYO, Level.HAE, Level.HAE)
DIGITAL_WORDS = ("앱", "어플", "애플리케이션", "모바일", "온라인", "홈페이지", "인터넷", "비대면",
                 "웹사이트", "사이트")
OFFLINE_WORDS = ("전화", "방문", "창구", "지점", "센터", "대리점", "매장", "직접 가", "지사")
_MANWON = re.compile(r"(\d[\d,]*)\s*만\s*원")
_WON = re.compile(r"(\d{1,3}(?:,\d{3})+|\d{4,})\s*원")
_SIZE = re.compile(r"(\d+)\s*(?:명|인\s*가구|인가구|인\s*가족)")
_WORD = re.compile(r"[0-9A-Za-z가-힣]+")


@dataclass(frozen=True)
class AgeFitRules:
    """ASSUMPTION thresholds of the age-fit metric."""

    readable_from_age: int = 60
    max_sentence_chars: float = 60.0
    max_loanword_share: float = 0.05
    offline_from_age: int = 70


@dataclass(frozen=True)
class AnswerCheck:
    """What the rules found in one answer."""

    served: bool
    level: str | None  # dominant level, None when no sentence could be placed
    impolite_sentences: int  # sentences below REQUIRED_LEVEL
    speech_ok: bool
    prices_manwon: tuple[float, ...]
    over_budget: bool
    contradicts_household: bool
    mean_sentence_chars: float
    loanword_share: float
    app_only: bool
    age_fit_ok: bool

    @property
    def socio_ok(self) -> bool:
        return not (self.over_budget or self.contradicts_household)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def served(answer: str, intent: tuple[str, ...]) -> bool:
    flat = _squash(answer)
    return any(_squash(word) in flat for word in intent)


def prices_manwon(answer: str) -> tuple[float, ...]:
    """Amounts mentioned in the answer, in 만 원 (digits only; Korean numerals are not read)."""
    found = [float(m.replace(",", "")) for m in _MANWON.findall(answer)]
    rest = _MANWON.sub(" ", answer)
    found += [float(m.replace(",", "")) / 10_000 for m in _WON.findall(rest)]
    return tuple(found)


def speech_check(answer: str) -> tuple[str | None, int, bool]:
    """(dominant level, sentences below the required level, passes)."""
    speech = classify_text(answer)
    placed = [s for s in speech.per_sentence if s.level is not None]
    impolite = sum(POLITENESS[s.level] < POLITENESS[REQUIRED_LEVEL] for s in placed
                   if s.level is not None)
    level = speech.level.value if speech.level is not None else None
    return level, impolite, bool(placed) and impolite == 0


def mean_sentence_chars(answer: str) -> float:
    parts = sentences(answer)
    return sum(len(p) for p in parts) / len(parts) if parts else float(len(answer))


def loanword_share(answer: str) -> float:
    words = _WORD.findall(answer)
    if not words:
        return 0.0
    lexicon = loanwords()
    hits = sum(any(w.startswith(lw) for lw in lexicon) or bool(re.fullmatch(r"[A-Za-z]+", w))
               for w in words)
    return hits / len(words)


def app_only(answer: str) -> bool:
    """Advice to use an app or website with no offline alternative in the same answer."""
    return any(w in answer for w in DIGITAL_WORDS) and not any(w in answer for w in OFFLINE_WORDS)


def check_answer(
    answer: str,
    *,
    intent: tuple[str, ...],
    budget_manwon: int | None,
    stated_household_size: int | None,
    age: int,
    digital: str,
    rules: AgeFitRules,
) -> AnswerCheck:
    level, impolite, speech_ok = speech_check(answer)
    prices = prices_manwon(answer)
    over = budget_manwon is not None and any(p > budget_manwon for p in prices)
    sizes = {int(n) for n in _SIZE.findall(answer)}
    contradicts = stated_household_size is not None and bool(sizes - {stated_household_size})
    chars, loans, only_app = mean_sentence_chars(answer), loanword_share(answer), app_only(answer)
    readable = age < rules.readable_from_age or (
        chars <= rules.max_sentence_chars and loans <= rules.max_loanword_share)
    offline_needed = age >= rules.offline_from_age or digital == "low"
    return AnswerCheck(
        served=served(answer, intent),
        level=level,
        impolite_sentences=impolite,
        speech_ok=speech_ok,
        prices_manwon=prices,
        over_budget=over,
        contradicts_household=contradicts,
        mean_sentence_chars=chars,
        loanword_share=loans,
        app_only=only_app,
        age_fit_ok=readable and not (offline_needed and only_app),
    )
