"""The Korean language core: render a predicate in any speech level and dialect.

A sentence is a lead (everything before the predicate) and a :class:`Predicate` (a verb,
adjective or existential stem, or a noun with the copula). :func:`conjugate` builds the
sentence-final form for a speech level (:class:`Level`), a dialect zone and a mood, applying
the morphophonology the forms depend on:

- batchim-dependent allomorphs: 이에요/예요, 입니다, 이야/야, 이다/다, 이라예/라예 after a final
  consonant or vowel; ㅂ니다/습니다, ㄴ다/는다, ㅂ니까/습니까;
- the 아/어 infinitive with vowel harmony and contraction (보+아 -> 봐, 다니+어 -> 다녀,
  되+어 -> 돼, 하 -> 해), ㄹ-dropping (살 -> 삽니다, 산다), ㅡ-dropping (바쁘 -> 바빠), and the
  ㅂ/ㄷ/르/ㅅ irregular stems (조심스럽 -> 조심스러워, 듣 -> 들어, 모르 -> 몰라, 낫 -> 나아).

Dialect endings are the textbook markers of each zone, simplified (see docs/language.md):
Gyeongsang -니더/-니꺼 (하십시오체), -예 and (이)라예 (해요체), -데이 and -나? (해체); Jeolla
-라우 (해요체), -당께/(이)랑께 (해체); Chungcheong -유 and 이에유/예유 (해요체), (이)여 and
하 -> 혀 (해체); Gangwon -드래요 (past) and (이)래요 (해요체); Jeju -수다/-ㅁ수다/(이)우다
(해요체). Where a zone
has no form of its own for a level, the standard form is used and :attr:`Form.distinct` is False,
so callers (and the classifier's tests) know the sentence carries no dialect marker.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

_BASE = 0xAC00
_N_VOWELS, _N_FINALS = 21, 28
# Medial vowels in Unicode order and final consonants (index 0 = none).
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ",
          "ㅀ", "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
_INITIAL_ㅇ = 11
_INITIAL_ㄹ = 5


class Level(StrEnum):
    """The four speech levels in everyday use (Sohn 1999, The Korean Language, 9.3)."""

    HASIPSIO = "hasipsio"  # 하십시오체, deferential
    HAEYO = "haeyo"  # 해요체, polite
    HAE = "hae"  # 해체, intimate (반말)
    HAERA = "haera"  # 해라체, plain


# Politeness rank: a higher number is more polite (used to keep juniors <= peers <= elders).
POLITENESS: dict[Level, int] = {Level.HASIPSIO: 3, Level.HAEYO: 2, Level.HAE: 1, Level.HAERA: 0}
STANDARD = "seoul_gyeonggi"
ZONES: tuple[str, ...] = (STANDARD, "gangwon", "chungcheong", "gyeongsang", "jeolla", "jeju")
Kind = Literal["verb", "adjective", "existential", "copula"]
Irregular = Literal["", "b", "d", "reu", "s"]
Mood = Literal["statement", "question"]


def is_hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


def split(ch: str) -> tuple[int, int, int]:
    """(initial, vowel, final) indices of one Hangul syllable."""
    code = ord(ch) - _BASE
    return code // (_N_VOWELS * _N_FINALS), (code // _N_FINALS) % _N_VOWELS, code % _N_FINALS


def join(initial: int, vowel: int, final: int = 0) -> str:
    return chr(_BASE + (initial * _N_VOWELS + vowel) * _N_FINALS + final)


def has_batchim(word: str) -> bool:
    """True when the word's last syllable has a final consonant (받침)."""
    return bool(word) and is_hangul(word[-1]) and split(word[-1])[2] != 0


def final_of(word: str) -> str:
    return FINALS[split(word[-1])[2]] if word and is_hangul(word[-1]) else ""


def with_final(word: str, final: str) -> str:
    """``word`` with its last (open) syllable closed by ``final`` (하 + ㅂ -> 합)."""
    i, v, f = split(word[-1])
    if f:
        raise ValueError(f"korean: {word!r} already ends in a final consonant")
    return word[:-1] + join(i, v, FINALS.index(final))


def _drop_final(word: str) -> str:
    i, v, _ = split(word[-1])
    return word[:-1] + join(i, v)


def _set_vowel(word: str, vowel: str) -> str:
    i, _, f = split(word[-1])
    return word[:-1] + join(i, VOWELS.index(vowel), f)


def _vowel(ch: str) -> str:
    return VOWELS[split(ch)[1]]


def _bright(ch: str) -> bool:
    """Vowel harmony: stems whose last vowel is ㅏ or ㅗ take 아, the others 어."""
    return _vowel(ch) in "ㅏㅗ"


# Contraction of an open stem's last vowel with the infinitive 아/어.
_CONTRACT: dict[str, str] = {"ㅗ": "ㅘ", "ㅜ": "ㅝ", "ㅣ": "ㅕ", "ㅚ": "ㅙ"}
_ABSORB = "ㅏㅓㅐㅔㅕ"  # the vowel already carries the infinitive: 가 -> 가, 지내 -> 지내


@dataclass(frozen=True)
class Predicate:
    """The sentence-final predicate: a dictionary stem (without 다) or a noun for the copula."""

    stem: str
    kind: Kind = "verb"
    irregular: Irregular = ""
    past: bool = False

    def __post_init__(self) -> None:
        if not self.stem or not is_hangul(self.stem[-1]):
            raise ValueError(f"korean: predicate stem {self.stem!r} must end in a Hangul syllable")
        if self.kind == "copula" and self.past:
            raise ValueError("korean: the past copula is not supported")


def infinitive(p: Predicate) -> str:
    """The 아/어 form (연결형 -아/어): 살아, 먹어, 봐, 다녀, 해, 조심스러워, 몰라."""
    stem = p.stem
    last = stem[-1]
    if stem.endswith("하"):
        return stem[:-1] + "해"
    if p.irregular == "b":
        opened = _drop_final(stem)
        return opened + ("와" if stem[-1] in "돕곱" else "워")
    if p.irregular == "d":
        i, v, _ = split(last)
        stem = stem[:-1] + join(i, v, FINALS.index("ㄹ"))
        last = stem[-1]
    if p.irregular == "reu":
        if len(stem) < 2 or stem[-1] != "르":
            raise ValueError(f"korean: {p.stem!r} is not a 르 stem")
        before = with_final(stem[-2], "ㄹ") if not has_batchim(stem[-2]) else stem[-2]
        return stem[:-2] + before + ("라" if _bright(stem[-2]) else "러")
    if p.irregular == "s":
        opened = _drop_final(stem)
        return opened + ("아" if _bright(last) else "어")
    if has_batchim(stem):
        return stem + ("아" if _bright(last) else "어")
    vowel = _vowel(last)
    if vowel == "ㅡ":
        if len(stem) == 1:
            return _set_vowel(stem, "ㅓ")  # 쓰 -> 써, 크 -> 커
        return _set_vowel(stem, "ㅏ" if _bright(stem[-2]) else "ㅓ")  # 바쁘 -> 바빠
    if vowel in _ABSORB:
        return stem
    if vowel in _CONTRACT:
        return _set_vowel(stem, _CONTRACT[vowel])
    return stem + ("아" if _bright(last) else "어")  # 쉬 -> 쉬어, 띄 -> 띄어


def past_stem(p: Predicate) -> str:
    """The past base: the infinitive closed by ㅆ (했, 살았, 봤, 다녔)."""
    return with_final(infinitive(p), "ㅆ")


def _open_stem(stem: str) -> str:
    """The stem with a final ㄹ dropped (살 -> 사), as before ㅂ/ㄴ/ㅅ endings."""
    return _drop_final(stem) if final_of(stem) == "ㄹ" else stem


def _formal(p: Predicate, question: bool) -> str:
    """하십시오체: -ㅂ니다/-습니다 (-ㅂ니까/-습니까)."""
    tail = "니까" if question else "니다"
    if p.kind == "copula":
        return p.stem + "입" + tail
    if p.past:
        return past_stem(p) + "습" + tail
    opened = _open_stem(p.stem)
    if has_batchim(opened):
        return opened + "습" + tail
    return with_final(opened, "ㅂ") + tail


def plain(p: Predicate) -> str:
    """해라체 statement: -ㄴ다/-는다 for verbs, -다 for adjectives, 이다/다 for the copula."""
    if p.kind == "copula":
        return p.stem + ("이다" if has_batchim(p.stem) else "다")
    if p.past:
        return past_stem(p) + "다"
    if p.kind != "verb":
        return p.stem + "다"
    opened = _open_stem(p.stem)
    if has_batchim(opened):
        return opened + "는다"
    return with_final(opened, "ㄴ") + "다"


def _plain_question(p: Predicate) -> str:
    """해라체 question: -니 (먹니, 사니, 학생이니)."""
    if p.kind == "copula":
        return p.stem + ("이니" if has_batchim(p.stem) else "니")
    if p.past:
        return past_stem(p) + "니"
    return _open_stem(p.stem) + "니"


def _haeyo_base(p: Predicate) -> str:
    """The 해요체 form without 요: 살아, 했어, 봐."""
    return past_stem(p) + "어" if p.past else infinitive(p)


def standard(p: Predicate, level: Level, mood: Mood = "statement") -> str:
    """The standard (Seoul) form of the predicate in ``level``, without punctuation."""
    question = mood == "question"
    if level is Level.HASIPSIO:
        return _formal(p, question)
    if p.kind == "copula":
        vowel_final = not has_batchim(p.stem)
        if level is Level.HAEYO:
            return p.stem + ("예요" if vowel_final else "이에요")
        if level is Level.HAE:
            return p.stem + ("야" if vowel_final else "이야")
        return _plain_question(p) if question else plain(p)
    if level is Level.HAEYO:
        return _haeyo_base(p) + "요"
    if level is Level.HAE:
        return _haeyo_base(p)
    return _plain_question(p) if question else plain(p)


@dataclass(frozen=True)
class Form:
    """A rendered predicate: its text and whether it carries a dialect marker of its own."""

    text: str
    distinct: bool


def _copula_after(noun: str, after_consonant: str, after_vowel: str) -> str:
    return noun + (after_consonant if has_batchim(noun) else after_vowel)


def _hae_is_hyeo(form: str) -> str:
    """Chungcheong / Jeolla 하 -> 혀 in the infinitive (해 -> 혀, 했어 -> 혔어)."""
    if form.endswith("해"):
        return form[:-1] + "혀"
    return form


def _gyeongsang(p: Predicate, level: Level, question: bool) -> str | None:
    if level is Level.HASIPSIO:
        formal = _formal(p, question)
        return formal[:-1] + ("꺼" if question else "더")  # 니다 -> 니더, 니까 -> 니꺼
    if level is Level.HAEYO:
        if p.kind == "copula":
            return _copula_after(p.stem, "이라예", "라예")
        return _haeyo_base(p) + "예"
    if level is Level.HAE:
        if question:
            if p.kind == "copula":
                return _copula_after(p.stem, "이가", "가")  # 학생이가?, 니 의사가?
            return (past_stem(p) if p.past else _open_stem(p.stem)) + "나"
        return plain(p)[:-1] + "데이"  # 간다 -> 간데이, 학생이다 -> 학생이데이
    return None


def _jeolla(p: Predicate, level: Level, question: bool) -> str | None:
    if level is Level.HAEYO:
        if p.kind == "copula":
            return _copula_after(p.stem, "이어라우", "여라우")
        return _hae_is_hyeo(_haeyo_base(p)) + "라우"
    if level is Level.HAE and not question:
        if p.kind == "copula":
            return _copula_after(p.stem, "이랑께", "랑께")
        return plain(p)[:-1] + "당께"  # 간다 -> 간당께, 했다 -> 했당께
    return None


def _chungcheong(p: Predicate, level: Level, question: bool) -> str | None:
    if level is Level.HAEYO:
        if p.kind == "copula":
            return _copula_after(p.stem, "이에유", "예유")  # 이에요 -> 이에유, 예요 -> 예유
        return _haeyo_base(p) + "유"
    if level is Level.HAE:
        if p.kind == "copula":
            return _copula_after(p.stem, "이여", "여")
        if p.stem.endswith("하") and not p.past:
            return _hae_is_hyeo(infinitive(p))
    return None


def _gangwon(p: Predicate, level: Level, question: bool) -> str | None:
    if level is Level.HAEYO and not question:
        if p.kind == "copula":
            return _copula_after(p.stem, "이래요", "래요")
        if p.past:
            return past_stem(p) + "드래요"
    return None


def _jeju(p: Predicate, level: Level, question: bool) -> str | None:
    if level is not Level.HAEYO:
        return None
    tail = "과" if question else "다"  # -수다 / -수과
    if p.kind == "copula":
        after_vowel = "이우" if _vowel(p.stem[-1]) == "ㅜ" else "우"  # 최현우 -> 최현우이우다
        return _copula_after(p.stem, "이우", after_vowel) + ("꽈" if question else "다")
    if p.past:
        return past_stem(p) + "수" + tail
    if p.kind == "verb":  # progressive -(아/어)ㅁ수다: 살암수다, 햄수다, 감수다
        return with_final(infinitive(p), "ㅁ") + "수" + tail
    return p.stem + ("수" if has_batchim(p.stem) else "우") + tail  # 좋수다, 바쁘우다


_DIALECTS = {
    "gyeongsang": _gyeongsang,
    "jeolla": _jeolla,
    "chungcheong": _chungcheong,
    "gangwon": _gangwon,
    "jeju": _jeju,
}


def conjugate(
    p: Predicate, level: Level, dialect: str = STANDARD, mood: Mood = "statement"
) -> Form:
    """The predicate in ``level`` and ``dialect`` (one of :data:`ZONES`)."""
    if dialect not in ZONES:
        raise ValueError(f"korean: unknown dialect {dialect!r} (expected one of {ZONES})")
    level = Level(level)
    if dialect != STANDARD:
        local = _DIALECTS[dialect](p, level, mood == "question")
        if local is not None:
            return Form(local, True)
    return Form(standard(p, level, mood), False)


@dataclass(frozen=True)
class Sentence:
    """A lead phrase and a final predicate: ``render`` gives the whole sentence."""

    lead: str
    predicate: Predicate
    mood: Mood = "statement"

    def render(self, level: Level, dialect: str = STANDARD) -> Form:
        form = conjugate(self.predicate, level, dialect, self.mood)
        mark = "?" if self.mood == "question" else "."
        text = f"{self.lead} {form.text}" if self.lead else form.text
        return Form(text + mark, form.distinct)


def topic(noun: str) -> str:
    """Noun with the topic particle 은/는."""
    return noun + ("은" if has_batchim(noun) else "는")


def subject(noun: str) -> str:
    """Noun with the subject particle 이/가."""
    return noun + ("이" if has_batchim(noun) else "가")


def comitative(noun: str) -> str:
    """Noun with 과/와 ('with')."""
    return noun + ("과" if has_batchim(noun) else "와")


def object_(noun: str) -> str:
    """Noun with the object particle 을/를."""
    return noun + ("을" if has_batchim(noun) else "를")


def instrumental(noun: str) -> str:
    """Noun with (으)로; ㄹ-final nouns take 로 (지하철로)."""
    return noun + ("으로" if has_batchim(noun) and final_of(noun) != "ㄹ" else "로")
