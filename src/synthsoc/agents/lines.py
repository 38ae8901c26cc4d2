"""What agents say, in Korean: the speech level and dialect their relation and origin call for.

The level comes from :func:`synthsoc.persona.register_norms.register_for` (relation, setting,
the speaker's age and everyday levels), the dialect from the speaker's persona, and the
sentence-final forms from the language core (:mod:`synthsoc.persona.korean`). The model
chooses *what* to say (a topic, whether to pass on the news); templates rendered here say it,
so every fact-bearing line (the news, its time and place) is grammatical and in the right
level whatever model runs. The opening line of a judged conversation and the reply to news may be
written by the model (in the same request as the judgment); :func:`fits` keeps such a line only
when it is Korean in the level the relation calls for, and the template is said otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from synthsoc.agents.residents import Resident
from synthsoc.persona.korean import STANDARD, Level, Predicate, Sentence, topic
from synthsoc.persona.register_norms import Relation, Setting, register_for
from synthsoc.persona.speech import classify_text, language_problems

COWORKER_AGE_GAP = 3  # ASSUMPTION: at work a colleague this much older is treated as senior
NEIGHBOUR_AGE_GAP = 5  # ASSUMPTION: among neighbours an age gap this large makes an elder
CHILD_AGE = 12

TOPICS: dict[str, Sentence] = {
    "weather": Sentence("오늘 날씨가 참", Predicate("좋", "adjective")),
    "prices": Sentence("요즘 시장 물가가 많이", Predicate("오르", irregular="reu", past=True)),
    "health": Sentence("요즘 허리가 좀", Predicate("아프", "adjective")),
    "family": Sentence("요즘 집안일이 좀", Predicate("바쁘", "adjective")),
    "work": Sentence("오늘 일이 좀", Predicate("많", "adjective")),
    "neighbourhood": Sentence("동네에 새 가게가", Predicate("생기", past=True)),
}
GREETINGS: dict[Level, str] = {
    Level.HASIPSIO: "안녕하십니까.",
    Level.HAEYO: "안녕하세요.",
    Level.HAE: "안녕.",
    Level.HAERA: "안녕.",
}


@dataclass(frozen=True)
class Voice:
    """How one speaker addresses one listener."""

    relation: Relation
    setting: Setting
    level: Level
    dialect: str


def relation_to(speaker: Resident, listener: Resident, *, coworkers: bool,
                acquainted: bool) -> Relation:
    """The listener's relation to the speaker (family by age; colleagues and neighbours by age
    gap; adults who never met are strangers)."""
    gap = listener.age - speaker.age
    if speaker.household_id == listener.household_id:
        return Relation.ELDER if gap > 0 else (Relation.JUNIOR if gap < 0 else Relation.PEER)
    if listener.age <= CHILD_AGE < speaker.age:
        return Relation.JUNIOR
    if speaker.age <= CHILD_AGE < listener.age:
        return Relation.ELDER
    if not coworkers and not acquainted:
        return Relation.STRANGER
    limit = COWORKER_AGE_GAP if coworkers else NEIGHBOUR_AGE_GAP
    if gap >= limit:
        return Relation.ELDER
    return Relation.JUNIOR if gap <= -limit else Relation.PEER


def voice(speaker: Resident, listener: Resident, *, at_work: bool, coworkers: bool,
          acquainted: bool) -> Voice:
    relation = relation_to(speaker, listener, coworkers=coworkers, acquainted=acquainted)
    setting = Setting.WORK if at_work else Setting.PRIVATE
    level = register_for(relation, setting, speaker.age, Level(speaker.register_elders),
                         Level(speaker.register_peers), Level(speaker.register_juniors))
    dialect = STANDARD if speaker.dialect_strength == "standard" else speaker.dialect
    return Voice(relation, setting, level, dialect)


def _say(sentence: Sentence, v: Voice) -> str:
    return sentence.render(v.level, v.dialect).text


def _i(v: Voice) -> str:
    return "저" if v.level in (Level.HASIPSIO, Level.HAEYO) else "나"


def greeting(v: Voice) -> str:
    return GREETINGS[v.level]


def small_talk(topic_name: str, v: Voice) -> str:
    if topic_name not in TOPICS:
        raise ValueError(f"unknown conversation topic {topic_name!r} (known: {sorted(TOPICS)})")
    return _say(TOPICS[topic_name], v)


def agree(v: Voice) -> str:
    yes = "네," if v.level in (Level.HASIPSIO, Level.HAEYO) else "응,"
    return _say(Sentence(f"{yes} 정말 그런 것", Predicate("같", "adjective")), v)


def invitation(host: str, when: str, place: str, v: Voice, *, own: bool) -> str:
    """Passing on the gathering; ``own`` when the speaker is the host."""
    if own:
        return _say(Sentence(f"{when}에 {place}에서 동네 모임을", Predicate("열")), v)
    lead = f"{host} 씨가 {when}에 {place}에서 동네 모임을 연다고"
    return _say(Sentence(lead, Predicate("하")), v)


def accept(v: Voice) -> str:
    return _say(Sentence(f"{_i(v)}도 꼭", Predicate("가")), v)


def decline(v: Voice) -> str:
    return _say(Sentence(f"{topic(_i(v))} 그날 좀", Predicate("바쁘", "adjective")), v)


def acknowledge(v: Voice) -> str:
    """A reply in a group chat: 네, 알겠습니다 / 알겠어요 / 알았어."""
    if v.level is Level.HASIPSIO:
        return "네, 알겠습니다."
    return "네, 알겠어요." if v.level is Level.HAEYO else "응, 알았어."


def _i_subject(v: Voice) -> str:
    return "제가" if v.level in (Level.HASIPSIO, Level.HAEYO) else "내가"


def candidacy(host: str, when: str, place: str, v: Voice, *, own: bool) -> str:
    """Passing on the candidacy in the neighbourhood vote; ``own`` when the speaker stands."""
    if own:
        return _say(Sentence(f"{when} {place} 동네 대표 선거에 {_i_subject(v)}",
                             Predicate("나가")), v)
    return _say(Sentence(f"{host} 씨가 {when} {place} 동네 대표 선거에 나온다고",
                         Predicate("하")), v)


def stance(host: str, v: Voice, *, supports: bool, own: bool) -> str:
    """The speaker's own lean, passed on with the news (the opinion that spreads)."""
    if own:
        return _say(Sentence("꼭 한 표", Predicate("부탁하")), v)
    if supports:
        return _say(Sentence(f"{topic(_i(v))} {host} 씨를 뽑으려고", Predicate("하")), v)
    return _say(Sentence(f"{topic(_i(v))} 좀 더 생각해 보려고", Predicate("하")), v)


def vote_reply(host: str, v: Voice, *, supports: bool) -> str:
    if supports:
        return _say(Sentence(f"{_i(v)}도 {host} 씨를 뽑으려고", Predicate("하")), v)
    return _say(Sentence(f"{topic(_i(v))} 좀 더 생각해 보려고", Predicate("하")), v)


LEVEL_NAMES_KO: dict[Level, str] = {
    Level.HASIPSIO: "하십시오체(합니다)",
    Level.HAEYO: "해요체(해요)",
    Level.HAE: "반말 해체(해)",
    Level.HAERA: "반말 해라체(한다)",
}


def fits(text: str, v: Voice) -> bool:
    """Whether a line the model wrote is usable Korean in the level the relation calls for
    (every classified sentence in ``v.level``; the dialect is not checked)."""
    if not text.strip() or language_problems(text):
        return False
    levels = [s.level for s in classify_text(text).per_sentence if s.level is not None]
    return bool(levels) and all(level is v.level for level in levels)
