"""The one Korean description of a person, for every prompt that asks a model to be someone.

Built from the columns a person has (``persons.parquet`` joined with its household, its region
names and, when built, ``personas.parquet``): age, sex, where they live by the Korean names of the
si-do and si-gun-gu (never a code), education, marital status, work, household income and the
persona's traits. Columns a row lacks are left out rather than guessed. The simulation's LLM
decisions and the survey engine both call :func:`describe_person`, so a person reads the same
wherever they are asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SEX = {"M": "남성", "F": "여성"}
EDUCATION = {
    "none": "무학",
    "elementary": "초등학교 졸업",
    "middle": "중학교 졸업",
    "high": "고등학교 졸업",
    "college": "전문대 졸업",
    "university": "대학교 졸업",
    "graduate": "대학원 졸업",
}
MARITAL = {"never_married": "미혼", "married": "기혼", "widowed": "사별", "divorced": "이혼"}
ACTIVITY = {
    "employed": "취업자",
    "unemployed": "구직 중",
    "inactive": "비경제활동",
    "under_15": "학생",
    "military_service": "군 복무 중(현역병)",
}
# KSCO major groups (통계청 한국표준직업분류 대분류 names)
OCCUPATION = {
    "1": "관리자",
    "2": "전문가 및 관련 종사자",
    "3": "사무 종사자",
    "4": "서비스 종사자",
    "5": "판매 종사자",
    "6": "농림어업 숙련 종사자",
    "7": "기능원 및 관련 기능 종사자",
    "8": "장치·기계 조작 및 조립 종사자",
    "9": "단순노무 종사자",
    "A": "군인",
}
INCOME = {
    "under_10m": "연 1천만 원 미만",
    "10_30m": "연 1천만~3천만 원",
    "30_50m": "연 3천만~5천만 원",
    "50_70m": "연 5천만~7천만 원",
    "70_100m": "연 7천만~1억 원",
    "100m_plus": "연 1억 원 이상",
}
DIALECT = {
    "seoul_gyeonggi": "서울·경기말(표준어)",
    "gangwon": "강원 방언",
    "chungcheong": "충청 방언",
    "gyeongsang": "경상 방언",
    "jeolla": "전라 방언",
    "jeju": "제주 방언",
}
COMMUNICATION = {
    "direct": "직설적",
    "harmonising": "조화를 중시함",
    "expressive": "표현이 풍부함",
    "reserved": "말수가 적음",
}
CONSUMPTION = {
    "frugal": "알뜰형",
    "value_seeking": "가성비 추구형",
    "convenience": "편의 추구형",
    "premium": "고급 지향형",
    "experience": "경험 중시형",
}
SHOPPING = {"weekly": "매주", "monthly": "매달", "rarely": "가끔", "never": "하지 않음"}
SNS = {
    "instagram": "인스타그램",
    "facebook": "페이스북",
    "kakaostory": "카카오스토리",
    "band": "밴드",
    "twitter": "트위터(X)",
}
HEURISTIC = {
    "deliberate": "꼼꼼히 따져 봄",
    "intuitive": "직감을 따름",
    "social_proof": "주변 사람을 따름",
    "authority": "전문가·권위를 따름",
    "habit": "하던 대로 함",
}


def _label(table: Mapping[str, str], value: Any) -> str | None:
    if value is None:
        return None
    return table.get(str(value))


def describe_person(row: Mapping[str, Any]) -> str:
    """A short Korean description, one ``항목: 값`` line per known attribute of ``row``."""
    lines: list[str] = []

    def add(label: str, value: str | None) -> None:
        if value:
            lines.append(f"{label}: {value}")

    if row.get("age") is not None:
        add("나이", f"{int(row['age'])}세")
    add("성별", _label(SEX, row.get("sex")))
    sido, sigungu = str(row.get("sido_name") or ""), str(row.get("sigungu_name") or "")
    # survey respondents carry the unique "si-do si-gun-gu" label in sigungu_name already
    if sido and sigungu.startswith(sido):
        place = sigungu
    else:
        place = " ".join(x for x in (sido, sigungu) if x)
    add("사는 곳", place or None)
    add("학력", _label(EDUCATION, row.get("education")))
    add("혼인 상태", _label(MARITAL, row.get("marital_status")))
    add("경제 활동", _label(ACTIVITY, row.get("economic_activity")))
    add("직업", _label(OCCUPATION, row.get("occupation")))
    add("가구 소득", _label(INCOME, row.get("income_bracket")))
    add("방언", _label(DIALECT, row.get("dialect")))
    add("말하는 방식", _label(COMMUNICATION, row.get("communication_style")))
    add("소비 성향", _label(CONSUMPTION, row.get("consumption_style")))
    add("온라인 쇼핑", _label(SHOPPING, row.get("online_shopping")))
    if row.get("uses_sns") is not None:
        if row["uses_sns"]:
            main = _label(SNS, row.get("sns_main"))
            minutes = row.get("sns_minutes_per_day")
            detail = ", ".join(
                x for x in (main, f"하루 약 {int(minutes)}분" if minutes else None) if x
            )
            add("SNS", f"이용함 ({detail})" if detail else "이용함")
        else:
            add("SNS", "이용하지 않음")
    add("결정 방식", _label(HEURISTIC, row.get("decision_heuristic")))
    if row.get("risk_tolerance") is not None:
        add("위험 감수 성향", f"{float(row['risk_tolerance']):.0f}/10")
    return "\n".join(lines)
