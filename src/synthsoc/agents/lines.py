"""What agents say, in Korean: the speech level and dialect their relation and origin call for.

The level comes from :func:`synthsoc.persona.register_norms.register_for` (relation, setting,
the speaker's age and everyday levels), the dialect from the speaker's persona, and the
sentence-final forms from the language core (:mod:`synthsoc.persona.korean`). The model only
chooses *what* to say (a topic, whether to pass on the invitation); the wording is rendered
here, so every line is grammatical and in the right level whatever model runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from synthsoc.agents.residents import Resident
from synthsoc.persona.korean import STANDARD, Level, Predicate, Sentence, topic
from synthsoc.persona.register_norms import Relation, Setting, register_for

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
