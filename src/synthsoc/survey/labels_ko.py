"""Korean labels of segments and groups, for everything people read (report, charts, notes).

Segment attributes by their Korean names; attribute values by the persona descriptions' own
tables (:mod:`synthsoc.persona.describe`, one source for both), provinces by the bundled census
names. A value with no Korean label stays as it is (as code in Markdown, so a reader sees it is
one).
"""

from __future__ import annotations

import re
from functools import cache

from synthsoc.data.reference import read_reference_csv
from synthsoc.persona import describe as words
from synthsoc.survey.notes import HANGUL
from synthsoc.survey.support import ALL

# Korean names of the segment attributes (others keep their column name, shown as code)
SEGMENT_KO: dict[str, str] = {
    "all": "전체", "age_group": "연령대", "sex": "성별", "region": "시도", "sido_name": "시도",
    "sigungu_name": "시군구", "education": "학력", "marital_status": "혼인 상태",
    "economic_activity": "경제 활동", "income_bracket": "가구 소득", "dialect": "방언",
    "occupation": "직업", "nationality": "국적", "relationship": "가구주와의 관계",
    "household_type": "가구 유형", "dwelling_type": "주거 형태", "household_size": "가구원 수",
    "communication_style": "말하는 방식", "consumption_style": "소비 성향",
    "online_shopping": "온라인 쇼핑", "sns_main": "주로 쓰는 SNS", "messenger": "메신저",
    "decision_heuristic": "결정 방식",
}
# Korean labels of attribute values: the persona descriptions' own tables (one source)
VALUE_KO: dict[str, dict[str, str]] = {
    "sex": words.SEX, "education": words.EDUCATION, "marital_status": words.MARITAL,
    "economic_activity": words.ACTIVITY, "occupation": words.OCCUPATION,
    "income_bracket": words.INCOME, "dialect": words.DIALECT,
    "communication_style": words.COMMUNICATION, "consumption_style": words.CONSUMPTION,
    "online_shopping": words.SHOPPING, "sns_main": words.SNS,
    "decision_heuristic": words.HEURISTIC,
    "nationality": {"korean": "한국 국적", "foreign": "외국 국적"},
}


@cache
def province_ko() -> dict[str, str]:
    """English province names (the ``region`` attribute) -> official Korean names."""
    names = read_reference_csv("sigungu_names.csv").select("sido_name_en", "sido_name").unique()
    return dict(names.iter_rows())


def segment_ko(segment: str) -> str:
    """``연령대`` for ``age_group``; crosses as ``연령대×시도``."""
    return "×".join(SEGMENT_KO.get(part, part) for part in str(segment).split("*"))


def group_ko(segment: str, group: str, *, code: bool = False) -> str:
    """A group's Korean label (``서울특별시``, ``여성``, ``19-29``); a value with no Korean
    label is kept as it is (in backticks with ``code``, so a reader sees it is a code)."""
    if group == ALL:
        return "전체"
    parts = []
    for attribute, value in zip(str(segment).split("*"), str(group).split("*"), strict=False):
        table = province_ko() if attribute == "region" else VALUE_KO.get(attribute, {})
        label = table.get(value, value)
        if code and label == value and re.search("[A-Za-z]", value) and not HANGUL.search(value):
            label = f"`{value}`"
        parts.append(label)
    return " × ".join(parts)
