"""Which speech level a person uses: by relation to the listener, age, role and setting.

A persona carries its everyday (private-setting) levels towards elders, peers and juniors
(``register_elders`` / ``register_peers`` / ``register_juniors``). :func:`register_for` derives
the level for any relation and setting from them with the rules below (docs/language.md has the
table). Sources: National Institute of Korean Language, 표준 언어 예절 (2011), which recommends
하십시오체 in formal public settings, 해요체 or 하십시오체 to customers and strangers, and 해요체
to adult subordinates at work; Sohn (1999) The Korean Language, 9.3, for the ranking of levels.
The age thresholds are ASSUMPTIONS.

Invariants (tested): in every setting, politeness(junior) <= politeness(peer) <=
politeness(elder), and politeness(customer) >= politeness(stranger) >= politeness(peer) for
adult speakers.
"""

from __future__ import annotations

from enum import StrEnum

from synthsoc.persona.korean import POLITENESS, Level

CHILD_MAX_AGE = 12  # ASSUMPTION: under 13 speakers keep 해요체 as their most polite level
ADULT_AGE = 20  # ASSUMPTION: from 20 the workplace norms apply


class Relation(StrEnum):
    ELDER = "elder"  # older family member, teacher, boss, older acquaintance
    PEER = "peer"  # friend or acquaintance of about the same age
    JUNIOR = "junior"  # younger person, child, subordinate
    STRANGER = "stranger"  # adult the speaker does not know (an interviewer, a passer-by)
    CUSTOMER = "customer"  # someone the speaker serves at work


class Setting(StrEnum):
    PRIVATE = "private"  # home, friends, neighbours
    WORK = "work"  # workplace, school class, shop counter
    FORMAL = "formal"  # speech, ceremony, meeting, broadcast, military, job interview


def _most_polite(*levels: Level) -> Level:
    return max(levels, key=lambda level: POLITENESS[level])


def _least_polite(*levels: Level) -> Level:
    return min(levels, key=lambda level: POLITENESS[level])


def register_for(
    relation: Relation,
    setting: Setting,
    age: int,
    elders: Level,
    peers: Level,
    juniors: Level,
) -> Level:
    """The speech level a speaker of ``age`` with these everyday levels uses in this situation."""
    relation, setting = Relation(relation), Setting(setting)
    elders, peers, juniors = Level(elders), Level(peers), Level(juniors)
    child = age <= CHILD_MAX_AGE
    top = Level.HAEYO if child else Level.HASIPSIO
    # To strangers and customers adults never go below 해요체; a formal everyday habit carries over.
    polite = Level.HAEYO if child else _most_polite(Level.HAEYO, elders)
    if setting is Setting.FORMAL:
        return top if relation is not Relation.JUNIOR or child else _most_polite(Level.HAEYO,
                                                                                juniors)
    if relation is Relation.CUSTOMER:
        return top if setting is Setting.WORK else polite
    if relation is Relation.STRANGER:
        return polite
    if relation is Relation.ELDER:
        if setting is Setting.WORK and not child:
            return _most_polite(Level.HAEYO, elders)
        return elders
    adult_at_work = setting is Setting.WORK and age >= ADULT_AGE
    if relation is Relation.PEER:
        level = _most_polite(Level.HAEYO, peers) if adult_at_work else peers
        return _least_polite(level, register_for(Relation.ELDER, setting, age, elders, peers,
                                                 juniors))
    level = Level.HAEYO if adult_at_work else juniors
    return _least_polite(level, register_for(Relation.PEER, setting, age, elders, peers, juniors))
