"""The inverse of the language core: which speech level and dialect a Korean text is in.

Rule-based, on the sentence-final endings (and a few sentence-final particles) listed in
:data:`RULES`; the first rule that matches the end of a sentence decides. Quoted speech ("...",
'...', “...”) is removed first, because a narrator quoting someone may quote any level. Text
with too little Hangul, or with runs of Latin, kana or CJK ideographs inside Korean text, is
flagged as not Korean or garbled. Precision and recall on a held-out set of hand-written
sentences are in docs/language.md (bench/bench_speech_classifier.py measures them).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from synthsoc.persona.korean import STANDARD, Level, is_hangul

# Syllables closed by ㄹ: "갈래요" (want to) is standard, "학생이래요" / "의사래요" Gangwon.
_L_FINAL = "".join(chr(0xAC00 + (i * 21 + v) * 28 + 8) for i in range(19) for v in range(21))
# (pattern on the sentence end, level, dialect). Order matters: specific before general.
RULES: tuple[tuple[re.Pattern[str], Level, str], ...] = tuple(
    (re.compile(r"(?:" + pattern + r")$"), Level(level), dialect)
    for pattern, level, dialect in (
        (r"니더|니꺼", "hasipsio", "gyeongsang"),
        (r"니다|니까", "hasipsio", STANDARD),
        (r"옵서예|수다|우다|수과|우꽈|마씸|수게", "haeyo", "jeju"),
        (r"[이라게]예|[아어워와봐해돼여내져쳐려켜]예", "haeyo", "gyeongsang"),
        (r"데이|아이가|기라|카이|[가-힣]나|[가-힣]노", "hae", "gyeongsang"),
        (r"라우|랑께요|당께요", "haeyo", "jeolla"),
        (r"당께|랑께|잉", "hae", "jeolla"),
        (r"드래요|(?<![" + _L_FINAL + r"])래요", "haeyo", "gangwon"),
        (r"유|슈", "haeyo", "chungcheong"),
        (r"여|혀|겨", "hae", "chungcheong"),
        (r"요|죠", "haeyo", STANDARD),
        (r"[가-힣]다|더라|니|냐|자|[아어]라|거라", "haera", STANDARD),
        (r"[아어야해봐와워져돼지래네게걸데군고나가]", "hae", STANDARD),
    )
)
_QUOTES = re.compile(r"\"[^\"]*\"|“[^”]*”|'[^']*'|‘[^’]*’|「[^」]*」")
_SENTENCE_END = re.compile(r"(?<=[.!?~…])\s+|(?<=[가-힣])[.!?]+(?=[가-힣])|\n+")
_TRAILING = re.compile(r"[\s.!?~…,\"'”’)\]]+$")
_FOREIGN_RUN = re.compile(r"[A-Za-z]{4,}|[\u3040-\u30ff]+|[\u4e00-\u9fff]+")
MIN_HANGUL_SHARE = 0.6  # of the letters (not spaces, digits or punctuation)


@dataclass(frozen=True)
class SentenceSpeech:
    """The level and dialect of one sentence (level None when no rule matched)."""

    sentence: str
    level: Level | None
    dialect: str | None


def classify_sentence(sentence: str) -> SentenceSpeech:
    """Speech level and dialect of one sentence, from its final ending."""
    end = _TRAILING.sub("", sentence)
    # Gyeongsang -나 and the 해체 fallback only apply to questions and to verbal endings.
    question = sentence.rstrip().endswith("?")
    for pattern, level, dialect in RULES:
        if pattern.search(end):
            if (dialect == "gyeongsang" and level is Level.HAE and end[-1] in "나노"
                    and not question):
                continue
            return SentenceSpeech(sentence, level, dialect)
    return SentenceSpeech(sentence, None, None)


def without_quotes(text: str) -> str:
    return _QUOTES.sub("", text)


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` outside quotations."""
    parts = _SENTENCE_END.split(without_quotes(text).strip())
    return [p.strip() for p in parts if p and any(is_hangul(c) for c in p)]


@dataclass(frozen=True)
class TextSpeech:
    """The dominant level and dialect of a text, and the sentences that depart from them."""

    level: Level | None
    dialect: str
    per_sentence: tuple[SentenceSpeech, ...]

    @property
    def level_switches(self) -> tuple[SentenceSpeech, ...]:
        """Sentences whose level differs from the dominant one (unclassified ones ignored)."""
        return tuple(s for s in self.per_sentence
                     if s.level is not None and s.level is not self.level)

    @property
    def dialects(self) -> frozenset[str]:
        """The non-standard dialects that some sentence is marked with."""
        return frozenset(s.dialect for s in self.per_sentence
                         if s.dialect is not None and s.dialect != STANDARD)


def classify_text(text: str) -> TextSpeech:
    """Dominant level (most sentences; ties go to the first seen) and dialect of ``text``."""
    per = tuple(classify_sentence(s) for s in sentences(text))
    levels = Counter(s.level for s in per if s.level is not None)
    dialects = Counter(s.dialect for s in per if s.dialect not in (None, STANDARD))
    level = max(levels, key=lambda k: levels[k]) if levels else None
    dialect = max(dialects, key=lambda k: dialects[k]) if dialects else STANDARD
    return TextSpeech(level, str(dialect), per)


def hangul_share(text: str) -> float:
    """Share of Hangul among the letters of ``text`` (0 when there are none)."""
    letters = [c for c in text if c.isalpha()]
    return sum(is_hangul(c) for c in letters) / len(letters) if letters else 0.0


def language_problems(text: str) -> list[str]:
    """Why ``text`` is not usable Korean: too little Hangul, foreign runs, no Korean sentence."""
    problems = []
    share = hangul_share(text)
    if share < MIN_HANGUL_SHARE:
        problems.append(f"language: not Korean (Hangul {share:.0%} of letters)")
    runs = _FOREIGN_RUN.findall(text)
    if runs:
        problems.append(f"language: garbled (non-Korean runs {', '.join(sorted(set(runs))[:3])})")
    speech = classify_text(text)
    if not speech.per_sentence or all(s.level is None for s in speech.per_sentence):
        problems.append("language: no sentence ends in a Korean sentence-final ending")
    return problems


@dataclass(frozen=True)
class ClassScore:
    """Precision and recall of one class, with the counts they come from."""

    label: str
    support: int  # sentences labelled with this class
    predicted: int  # sentences the classifier put in this class
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.support if self.support else 0.0


def score(truth: list[str], predicted: list[str]) -> list[ClassScore]:
    """Per-class precision and recall of ``predicted`` labels against ``truth``."""
    if len(truth) != len(predicted):
        raise ValueError(f"score: {len(truth)} true labels, {len(predicted)} predictions")
    labels = sorted(set(truth))
    return [
        ClassScore(
            label,
            support=sum(t == label for t in truth),
            predicted=sum(p == label for p in predicted),
            correct=sum(t == p == label for t, p in zip(truth, predicted, strict=True)),
        )
        for label in labels
    ]


def labels(sentence: str) -> tuple[str, str]:
    """(level, dialect) labels of one sentence; 'none' where no rule matched."""
    s = classify_sentence(sentence)
    return (s.level.value if s.level else "none", s.dialect or "none")
