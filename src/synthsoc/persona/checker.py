"""Contradiction checker: does a narrative state anything the structured persona denies?

Checks age, sex words, region of residence, activity / occupation, marital status, household
size and kind (family home vs institution or dormitory), the speech level (one level outside
quotations, by :mod:`synthsoc.persona.speech`) and dialect (no other zone's endings), and flags
text that is not Korean or is garbled. It looks for explicit claims only (a narrative that says
nothing about an attribute does not contradict it) and is deliberately conservative: the
patterns are listed here so a reported contradiction can always be traced to the phrase that
triggered it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from synthsoc.persona.korean import POLITENESS, STANDARD, Level
from synthsoc.persona.narrative_templates import NATIVE_COUNT
from synthsoc.persona.register_norms import Relation, Setting, register_for
from synthsoc.persona.speech import classify_text, language_problems

AGE_TOLERANCE = 1  # Korean age reckoning differs by up to a year (or two around New Year)

_COPULA = (
    r"(?:이에요|예요|입니다|입니더|이라예|라예|이유|유|이어라우|여라우"
    r"|이래요|래요|이우다|우다|이고|인데|이지만|이야|이다)"
)
_AGE = [
    re.compile(
        r"(?:올해|나이는|나이가|저는|나는|지는|제가)\s*"
        r"(?:한국 나이로\s*|만\s*)?(\d{1,3})\s*(?:살|세)"
    ),
    re.compile(r"(\d{1,3})\s*(?:살|세)" + _COPULA),
]
_FEMALE_SELF = re.compile(r"(여자|딸|엄마|할머니|아내|주부)" + _COPULA)
_MALE_SELF = re.compile(r"(남자|아들|아빠|할아버지|남편)" + _COPULA)
_HAS_HUSBAND = re.compile(r"(?:우리|제|내|저희)\s*(?:남편|신랑)|남편(?:과|하고|이랑|와)")
_HAS_WIFE = re.compile(
    r"(?:우리|제|내|저희)\s*(?:아내|집사람|와이프|마누라)"
    r"|(?:아내|집사람|와이프)(?:와|하고|랑|과)"
)
_RESIDENCE = re.compile(
    r"([가-힣]+?)(?:특별시|광역시|특별자치시|특별자치도|도)?\s*"
    r"(?:[가-힣]+[시군구]\s*)?(?:에|에서)?\s*"
    r"(?:살고|사는|삽니|살아|살암|지내고|거주)"
)

SIDO_ALIASES: dict[str, tuple[str, ...]] = {
    "11": ("서울",), "21": ("부산",), "22": ("대구",), "23": ("인천",), "24": ("광주",),
    "25": ("대전",), "26": ("울산",), "29": ("세종",), "31": ("경기",), "32": ("강원",),
    "33": ("충북", "충청북"), "34": ("충남", "충청남"), "35": ("전북", "전라북"),
    "36": ("전남", "전라남"), "37": ("경북", "경상북"), "38": ("경남", "경상남"), "39": ("제주",),
}
_ALIAS_TO_SIDO = {alias: code for code, names in SIDO_ALIASES.items() for alias in names}

CLAIMS: dict[str, re.Pattern[str]] = {
    "work": re.compile(
        r"(?:회사|직장)에 (?:다니|다녀|댕)|출근|회사원|직장인|일을 하고 있|근무하고"
    ),
    "student": re.compile(r"(?:학교|대학)에 (?:다니|다녀|댕)|학생|학년"),
    "retired": re.compile(r"은퇴|퇴직"),
    "job_search": re.compile(r"일자리를 찾|구직|취업 준비|취준"),
    "preschool": re.compile(r"(?:어린이집|유치원)에 다니|(?:어린이집|유치원)에 댕"),
    "military": re.compile(r"군 복무|현역병|입대|부대에서|군 생활"),
}
ALLOWED_CLAIMS: dict[str, frozenset[str]] = {
    "work": frozenset({"work", "military"}),  # professional soldiers (occupation A)
    "school": frozenset({"student"}),
    "university": frozenset({"student"}),
    "job_search": frozenset({"job_search", "retired"}),
    "housework_childcare": frozenset({"retired"}),
    "home": frozenset({"retired"}),
    "home_retired": frozenset({"retired"}),
    "preschool_care": frozenset({"preschool"}),
    "military_service": frozenset({"military"}),
}
OCCUPATION_WORDS: dict[str, re.Pattern[str]] = {
    "6": re.compile(r"농사를 짓|농사짓|어부|고기잡이|농부|농어업"),
    "A": re.compile(r"군인|직업 군인|군 복무"),
    "2": re.compile(r"의사|변호사|교수|교사|간호사|연구원|전문직"),
}
MARITAL_CLAIMS: dict[str, re.Pattern[str]] = {
    "never_married": re.compile(
        r"미혼|결혼(?:은|을)?\s*(?:아직\s*)?(?:안|하지 않|못)|아직 결혼|싱글"
    ),
    "married": re.compile(
        r"결혼해서|기혼|결혼한 지|결혼은 했"
        r"|(?:우리|제|내)\s*(?:아내|남편|집사람|와이프|신랑)"
    ),
    "widowed": re.compile(r"사별|먼저 (?:떠났|보냈|갔|세상을)"),
    "divorced": re.compile(r"이혼"),
}
FORBIDDEN_MARITAL: dict[str, frozenset[str]] = {
    "never_married": frozenset({"married", "widowed", "divorced"}),
    "married": frozenset({"never_married", "widowed", "divorced"}),
    "widowed": frozenset({"never_married", "divorced"}),
    "divorced": frozenset({"never_married", "widowed"}),
}
_NATIVE_TO_INT = {word: n for n, word in NATIVE_COUNT.items()} | {"한": 1}
_SIZE = [
    re.compile(r"(\d{1,2})\s*(?:식구|인 가구|인가구|명이서|명이 (?:함께|같이))"),
    re.compile(r"(" + "|".join(sorted(_NATIVE_TO_INT, key=len, reverse=True)) + r")\s*식구"),
]
_ALONE = re.compile(r"혼자\s*(?:살|삽|사는|지내|산다)")
_FAMILY_HOME = re.compile(
    r"식구|가족(?:과|이랑|하고|들과|들이랑)\s*(?:함께|같이)?\s*(?:살|삽|사는|지내)"
    r"|부모님(?:과|하고|이랑)\s*(?:함께|같이)?\s*(?:살|삽|사는|지내)|둘이\s*(?:살|삽|사는)"
    r"|집에서\s*(?:쉬|지내|편하게)|집에는|집에\s*있"
)
_GROUP_HOME = re.compile(r"시설에서|요양원|요양병원|생활관|기숙사|숙소에서")
GROUP_KINDS = frozenset({"institutional", "non_kin_group"})


def _age(text: str, age: int) -> list[str]:
    claims = {int(m.group(1)) for p in _AGE for m in p.finditer(text)}
    return [f"age: says {c}, is {age}" for c in sorted(claims) if abs(c - age) > AGE_TOLERANCE]


def _sex(text: str, sex: str) -> list[str]:
    problems = []
    if sex == "M":
        problems += [f"sex: says '{m.group(0)}' of a man" for m in _FEMALE_SELF.finditer(text)]
        problems += [f"sex: a man speaks of '{m.group(0)}'" for m in _HAS_HUSBAND.finditer(text)]
    else:
        problems += [f"sex: says '{m.group(0)}' of a woman" for m in _MALE_SELF.finditer(text)]
        problems += [f"sex: a woman speaks of '{m.group(0)}'" for m in _HAS_WIFE.finditer(text)]
    return problems


def _region(text: str, sido_code: str, sigungu_name: str | None) -> list[str]:
    own = (sigungu_name or "").rstrip("시군구")
    problems = []
    for m in _RESIDENCE.finditer(text):
        token = m.group(1)
        for alias, code in _ALIAS_TO_SIDO.items():
            if token.endswith(alias) and code != sido_code and not (own and own.endswith(alias)):
                problems.append(f"region: says lives in {alias}, lives in si-do {sido_code}")
    return problems


def _activity(text: str, activity: str, occupation: str | None) -> list[str]:
    allowed = ALLOWED_CLAIMS.get(activity, frozenset())
    problems = [
        f"activity: says {claim} ('{pattern.search(text).group(0)}'), is {activity}"  # type: ignore[union-attr]
        for claim, pattern in CLAIMS.items()
        if claim not in allowed and pattern.search(text)
    ]
    for code, pattern in OCCUPATION_WORDS.items():
        m = pattern.search(text)
        if m and occupation != code and not (code == "A" and activity == "military_service"):
            problems.append(f"occupation: says '{m.group(0)}', occupation group is {occupation}")
    return problems


def _marital(text: str, status: str | None) -> list[str]:
    if status is None:
        return []
    return [
        f"marital: says {claim} ('{MARITAL_CLAIMS[claim].search(text).group(0)}'), is {status}"  # type: ignore[union-attr]
        for claim in sorted(FORBIDDEN_MARITAL.get(status, frozenset()))
        if MARITAL_CLAIMS[claim].search(text)
    ]


def _household(text: str, size: int | None) -> list[str]:
    if size is None:
        return []
    problems = []
    for pattern in _SIZE:
        for m in pattern.finditer(text):
            raw = m.group(1)
            claimed = int(raw) if raw.isdigit() else _NATIVE_TO_INT[raw]
            if claimed != size:
                problems.append(f"household: says {claimed} members, has {size}")
    if size > 1 and _ALONE.search(text):
        problems.append(f"household: says lives alone, has {size} members")
    return problems


def _household_kind(text: str, kind: str | None) -> list[str]:
    if kind is None:
        return []
    if kind in GROUP_KINDS:
        problems = [f"household: says '{m.group(0)}', lives in a {kind} household"
                    for m in _FAMILY_HOME.finditer(text)]
        alone = _ALONE.search(text)
        if alone:
            problems.append(f"household: says '{alone.group(0)}', lives in a {kind} household")
        return problems
    return [f"household: says '{m.group(0)}', lives in a {kind} household"
            for m in _GROUP_HOME.finditer(text)]


def expected_level(facts: Mapping[str, Any]) -> Level | None:
    """The level the persona uses with a stranger (the reader), when its registers are known."""
    keys = ("register_elders", "register_peers", "register_juniors")
    if any(facts.get(k) is None for k in keys):
        return None
    levels = [Level(str(facts[k])) for k in keys]
    return register_for(Relation.STRANGER, Setting.PRIVATE, int(facts["age"]), *levels)


def _speech(text: str, dialect: str | None, expected: Level | None) -> list[str]:
    speech = classify_text(text)
    problems = [
        f"register: switches from {speech.level} to {s.level} in '{s.sentence}'"
        for s in speech.level_switches
    ]
    # 해요체 to a stranger is always acceptable; below it (반말) when the persona would not.
    floor = None if expected is None else min(POLITENESS[expected], POLITENESS[Level.HAEYO])
    if floor is not None and speech.level is not None and POLITENESS[speech.level] < floor:
        problems.append(f"register: speaks {speech.level} to the reader, persona uses "
                        f"{expected} with strangers")
    if dialect is not None:
        other = sorted(speech.dialects - {dialect})
        if other:
            spoken = "standard Korean" if dialect == STANDARD else dialect
            problems.append(f"dialect: uses {', '.join(other)} endings, speaks {spoken}")
    return problems


def check_narrative(text: str, facts: Mapping[str, Any]) -> list[str]:
    """Every contradiction between ``text`` and the persona's ``facts`` (empty when none).

    ``facts`` needs age, sex, sido_code, sigungu_name, weekday_activity, occupation,
    marital_status and household_size (the columns of ``narrative_facts``); household_kind and
    dialect are checked when present.
    """
    problems = language_problems(text)
    age = int(facts["age"])
    problems += _age(text, age) + _sex(text, str(facts["sex"]))
    problems += _region(text, str(facts["sido_code"]), facts.get("sigungu_name"))
    problems += _activity(text, str(facts["weekday_activity"]), facts.get("occupation"))
    if age >= 15:
        problems += _marital(text, facts.get("marital_status"))
    size = facts.get("household_size")
    kind = facts.get("household_kind")
    if kind not in GROUP_KINDS:  # a group's size is not a number of family members
        problems += _household(text, None if size is None else int(size))
    if facts["weekday_activity"] != "military_service":  # barracks, not the registered home
        problems += _household_kind(text, None if kind is None else str(kind))
    dialect = facts.get("dialect")
    problems += _speech(text, None if dialect is None else str(dialect), expected_level(facts))
    return problems
