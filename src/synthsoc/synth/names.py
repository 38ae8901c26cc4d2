"""Korean names: a surname from census frequencies and a given name plausible for sex and
birth cohort.

The top-10 surname shares are official (2015 census). The remaining 36.1% of the population
is spread over the further surnames in ``OTHER_SURNAMES`` with weights falling as 1/rank
(ASSUMPTION: the full KOSIS surname table was not available). Given names are drawn
uniformly from lists of names that were common for each sex and birth decade (ASSUMPTION:
no given-name frequency table by birth year was available). Children and grandchildren take
the father's surname; wives keep their own, as in Korea.
"""

from __future__ import annotations

import numpy as np

from synthsoc.data.reference import top_surnames

OTHER_SURNAMES: tuple[str, ...] = (
    "한", "오", "서", "신", "권", "황", "안", "송", "전", "홍", "유", "고", "문", "양", "손",
    "배", "백", "허", "노", "남", "심", "하", "곽", "성", "차", "주", "우", "구", "민", "류",
    "나", "진", "지", "엄", "채", "원", "천", "방", "공", "현", "함", "변", "염", "여", "추",
    "도", "소", "석", "선", "설", "마", "길", "연", "위", "표", "명", "기", "반", "왕", "금",
    "옥", "육", "인", "맹", "제", "모", "탁", "국", "어", "은", "편", "용", "예", "경", "봉",
    "남궁", "황보", "제갈", "선우", "독고",
)

# (first birth year of the decade, male names, female names): ASSUMPTION lists.
GIVEN_NAMES: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    (0, ("영수", "영호", "영식", "정수", "광수", "상철", "병철", "용수"),
     ("영자", "순자", "정자", "영숙", "춘자", "옥순", "말순", "정순")),
    (1960, ("영수", "영호", "영철", "성수", "정호", "승호", "재호", "경수"),
     ("영숙", "미숙", "경희", "정숙", "영희", "순희", "명숙", "경숙")),
    (1970, ("정훈", "성호", "상훈", "성진", "준호", "재훈", "성훈", "영진"),
     ("미영", "은영", "미경", "현주", "은정", "정은", "미정", "지영")),
    (1980, ("지훈", "성민", "현우", "정훈", "동현", "준호", "민수", "상현"),
     ("지영", "수진", "은영", "미영", "현정", "지은", "혜진", "은지")),
    (1990, ("지훈", "동현", "현우", "민수", "성민", "준혁", "민재", "준영"),
     ("지혜", "유진", "민지", "수빈", "지은", "은지", "현정", "수진")),
    (2000, ("민준", "현우", "동현", "지훈", "준서", "민재", "건우", "승민"),
     ("유진", "민서", "수빈", "서연", "지민", "예은", "민지", "지원")),
    (2010, ("민준", "서준", "도윤", "예준", "시우", "하준", "주원", "지호"),
     ("서연", "서윤", "지우", "서현", "민서", "하은", "하윤", "윤서")),
    (2020, ("이준", "도윤", "하준", "서준", "시우", "은우", "선우", "유준"),
     ("이서", "서아", "하윤", "지안", "아윤", "시아", "하린", "지유")),
)

FOREIGN_NAMES: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("응우옌 반 안", "왕웨이", "리쥔", "트란 반 훙", "존 스미스", "알렉산드르", "라훌", "무함마드"),
    ("응우옌 티 흐엉", "리나", "왕팡", "마리아", "안나", "트란 티 란", "사라", "아이게림"),
)


def surname_table() -> tuple[np.ndarray, np.ndarray]:
    """All surnames and their sampling probabilities."""
    top = top_surnames()
    names = top["name_ko"].to_list() + list(OTHER_SURNAMES)
    rest = 1.0 - float(top["share"].sum())
    tail = 1.0 / np.arange(1, len(OTHER_SURNAMES) + 1)
    probs = np.concatenate([top["share"].to_numpy(), rest * tail / tail.sum()])
    return np.array(names, dtype=object), probs / probs.sum()


def assign_names(
    rng: np.random.Generator,
    birth_year: np.ndarray,
    sex: np.ndarray,
    foreign: np.ndarray,
    family_surname_of: np.ndarray,
) -> tuple[np.ndarray, list[str]]:
    """Full names as codes into a dictionary of distinct names (cheap at 51 million people).

    ``family_surname_of[i]`` is the index of the person whose surname ``i`` inherits (``i``
    itself when the surname is their own).
    """
    surnames, probs = surname_table()
    own = rng.choice(surnames.size, size=sex.size, p=probs)
    surname_idx = own[family_surname_of]
    given_unique = sorted({n for _, male, female in GIVEN_NAMES for n in (*male, *female)})
    given_code = {n: i for i, n in enumerate(given_unique)}
    # table[cohort, sex, k] -> index into given_unique
    table = np.array([[[given_code[n] for n in pool] for pool in (male, female)]
                      for _, male, female in GIVEN_NAMES])
    starts = np.array([g[0] for g in GIVEN_NAMES])
    cohort = np.clip(np.searchsorted(starts, birth_year, side="right") - 1, 0, len(starts) - 1)
    given_idx = table[cohort, sex, rng.integers(0, table.shape[2], size=sex.size)]
    codes = surname_idx.astype(np.int64) * len(given_unique) + given_idx
    dictionary = [s + g for s in surnames.tolist() for g in given_unique]
    if foreign.any():
        base = len(dictionary)
        dictionary += list(FOREIGN_NAMES[0]) + list(FOREIGN_NAMES[1])
        pick = rng.integers(0, len(FOREIGN_NAMES[0]), size=sex.size)
        foreign_code = base + sex.astype(np.int64) * len(FOREIGN_NAMES[0]) + pick
        codes = np.where(foreign, foreign_code, codes)
    return codes.astype(np.int32), dictionary
