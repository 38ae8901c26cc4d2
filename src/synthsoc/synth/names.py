"""Names: a surname with a realistic tail, a given name by sex and birth cohort, foreign names
by origin, and never two people of one family with the same full name.

Surnames: the top-10 shares are official (2015 census, ``surnames_census_2015_top10.csv``).
The other 36.1% (the official remainder) is spread over the further surnames in
``OTHER_SURNAMES`` (in their usual order of frequency, ASSUMPTION) by continuing the official
curve from rank 10 as a power law, ``share(r) = share(10) * (r / 10) ** -b``, with ``b`` solved
so that the tail sums to the remainder; so no tail surname is more common than the tenth.
The full KOSIS surname table (DT_1IN15SD) is not bundled, so the tail shares are modelled.

Given names: no official table of given names by birth year and sex is bundled or available
offline (the Supreme Court family-register name statistics were not found; see
docs/language.md). ``GIVEN_NAMES`` holds, per birth cohort and sex, names that were common in
that cohort, roughly in order of popularity (ASSUMPTION: compiled from the popular-name
rankings reported in the press, e.g. the Supreme Court's annual newborn rankings since 2008 for
the 2000s-2020s cohorts); within a list names are drawn with weight ``rank ** -GIVEN_ZIPF``.

Foreign residents: an origin is drawn with ``FOREIGN_ORIGIN_WEIGHTS`` (ASSUMPTION: the rank order
of registered foreign residents by nationality in Ministry of Justice statistics, rounded;
no official file is bundled) and the name is composed from that origin's family and given names
in Hangul transliteration. Ethnic Korean Chinese (한국계 중국인) have Korean names.

Families: children and grandchildren take the father's surname, wives keep their own, as in
Korea; everyone who inherits a surname from the same person (siblings, the father himself) gets
a distinct full name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numba
import numpy as np
from scipy.optimize import brentq

from synthsoc.data.reference import top_surnames
from synthsoc.synth.sampling import (
    stable_counting_order,
    uniforms_at,
    weighted_choice,
    weighted_choice_into,
)

OTHER_SURNAMES: tuple[str, ...] = (
    "한", "오", "서", "신", "권", "황", "안", "송", "전", "홍", "유", "고", "문", "양", "손",
    "배", "백", "허", "노", "남", "심", "하", "곽", "성", "차", "주", "우", "구", "민", "류",
    "나", "진", "지", "엄", "채", "원", "천", "방", "공", "현", "함", "변", "염", "여", "추",
    "도", "소", "석", "선", "설", "마", "길", "연", "위", "표", "명", "기", "반", "왕", "금",
    "옥", "육", "인", "맹", "제", "모", "탁", "국", "어", "은", "편", "용", "예", "경", "봉",
    "사", "부", "가", "복", "태", "목", "형", "피", "두", "감", "음", "빈", "동", "온", "호",
    "범", "좌", "팽", "승", "간", "상", "갈", "시", "단", "견", "당", "화", "창", "옹", "순",
    "남궁", "황보", "제갈", "선우", "독고", "사공", "서문",
)

GIVEN_ZIPF = 0.7  # ASSUMPTION: popularity falls as rank ** -0.7 within a cohort list

# (first birth year of the cohort, male names, female names): ASSUMPTION lists (see above).
GIVEN_NAMES: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = tuple(
    (start, tuple(male.split()), tuple(female.split())) for start, male, female in (
        (0,
         "영수 영호 영식 정수 광수 상철 병철 용수 영철 종수 재호 정호 동수 기수 만수 "
         "춘식 성수 영길 진호 상호 병수 수길 영환 창수 정식 봉수 명수 덕수 일남 태식 "
         "석진 용호",
         "영자 순자 정자 영숙 춘자 옥순 말순 정순 순이 영순 옥자 복순 명자 정숙 숙자 "
         "경자 화자 순남 순희 영희 길순 분이 점순 금순 봉순 막례 순덕 복희 귀순 옥희 "
         "삼순 정희"),
        (1950,
         "영수 영호 영철 성수 정호 상철 영식 종수 병철 용수 재호 광수 정수 상호 경수 "
         "진호 동수 성호 기수 영일 순철 명호 재철 태호 인수 영남 정식 창호 영택 준호 "
         "규태 현수",
         "영숙 영자 정숙 순자 영희 정자 명숙 경자 옥순 춘자 순희 미자 경숙 영순 정희 "
         "숙자 혜숙 영애 명희 정애 순옥 영미 은숙 경희 정순 옥자 명자 선희 금자 인숙 "
         "화순 귀남"),
        (1960,
         "영수 영호 영철 성수 정호 승호 재호 경수 성호 정수 상철 영진 종철 진호 성진 "
         "상호 명호 병철 기호 준호 광호 재성 동욱 성철 종현 태호 영민 용석 창호 승철 "
         "인호 정훈",
         "영숙 미숙 경희 정숙 영희 순희 명숙 경숙 미경 은숙 정희 영미 미자 혜숙 숙희 "
         "영순 정미 미영 현숙 인숙 경애 선희 혜경 명희 정애 영주 미정 순옥 정아 은희 "
         "경옥 현주"),
        (1970,
         "정훈 성호 상훈 성진 준호 재훈 성훈 영진 성민 지훈 동현 상현 정호 승훈 재현 "
         "민수 현철 성욱 진우 종민 태훈 상민 현석 동훈 정민 용준 준영 병준 재웅 석진 "
         "지원 대호",
         "미영 은영 미경 현주 은정 정은 미정 지영 은주 선영 혜정 수정 경희 현정 미숙 "
         "정미 은희 미란 선희 혜진 주희 영미 수진 은경 지현 윤희 소영 정아 민정 혜영 "
         "경아 희정"),
        (1980,
         "지훈 성민 현우 정훈 동현 준호 민수 상현 성훈 재현 준영 현준 민준 승현 지원 "
         "정민 상훈 진우 대현 민석 영훈 우진 태현 준혁 성현 민호 재훈 현석 동욱 승민 "
         "경민 종현",
         "지영 수진 은영 미영 현정 지은 혜진 은지 지현 민정 은정 수연 정은 유진 지혜 "
         "선영 미진 소영 혜원 보람 아름 슬기 민지 윤정 현주 지연 은혜 나영 수정 예진 "
         "정화 진아"),
        (1990,
         "지훈 동현 현우 민수 성민 준혁 민재 준영 민준 도현 승현 현준 준호 지원 정민 "
         "우진 상현 재현 민석 진우 태현 성현 승민 영훈 민혁 건우 재민 동욱 민우 석현 "
         "준수 태훈",
         "지혜 유진 민지 수빈 지은 은지 현정 수진 지현 혜진 지원 소연 예지 다은 수연 "
         "민정 하나 지수 예진 보람 아름 은비 가영 서영 혜원 나연 지영 소영 윤지 다혜 "
         "미진 주연"),
        (2000,
         "민준 현우 동현 지훈 준서 민재 건우 승민 준혁 도현 우진 지호 현준 성민 민성 "
         "승현 예준 지환 태현 준영 시우 주원 민석 재원 서준 진우 영민 은호 윤호 지성 "
         "상우 준수",
         "유진 민서 수빈 서연 지민 예은 민지 지원 서현 수민 지은 예진 채원 지현 다은 "
         "하은 윤서 서영 은서 지수 가은 예원 소연 수연 채은 지우 혜원 나연 서윤 하영 "
         "은비 지혜"),
        (2010,
         "민준 서준 도윤 예준 시우 하준 주원 지호 지후 준우 준서 건우 도현 현우 지훈 "
         "우진 선우 서진 유준 연우 민재 현준 은우 정우 시윤 승우 윤우 지환 승현 준혁 "
         "수호 이준",
         "서연 서윤 지우 서현 민서 하은 하윤 윤서 지유 지민 채원 수아 지아 지윤 은서 "
         "다은 예은 수빈 소율 예린 하린 시은 아린 유나 지원 예서 채은 서아 윤아 가은 "
         "나은 소윤"),
        (2020,
         "이준 도윤 하준 서준 시우 은우 선우 유준 이안 수호 지호 도현 시윤 연우 로운 "
         "은호 우주 하온 서우 지안 예준 민준 건우 주원 윤우 도하 태오 이현 하람 지후 "
         "준우 율",
         "이서 서아 하윤 지안 아윤 시아 하린 지유 서윤 하은 아린 수아 채아 이솔 유나 "
         "윤슬 지아 서하 리아 예나 나은 로아 다인 하율 소윤 지우 아라 채원 봄 이나 세아 "
         "은채"),
    )
)


@dataclass(frozen=True)
class ForeignOrigin:
    """How names of one origin are built: family names (male, female form) and given names."""

    key: str
    family: tuple[tuple[str, str], ...]
    male: tuple[str, ...]
    female: tuple[str, ...]
    layout: str  # "family given" (family name or patronymic first) | "given family" | "familygiven"
    middle: tuple[str, str] = ("", "")  # male, female middle name (Vietnamese 반 / 티)


def _same(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, n) for n in names)


FOREIGN_ORIGINS: tuple[ForeignOrigin, ...] = (
    ForeignOrigin("china", _same("왕", "리", "장", "류", "천", "양", "자오", "황", "저우", "우",
                                 "쉬", "쑨", "마", "주", "후", "궈", "허", "린", "가오", "뤄"),
                  ("웨이", "쥔", "레이", "하오", "양", "밍", "제", "타오", "창", "펑", "보", "신",
                   "원보", "젠화", "즈훙", "위"),
                  ("팡", "징", "리", "옌", "샤오", "나", "링", "훙", "메이", "리리", "위", "쉐",
                   "칭", "란", "팅팅", "수전"), "familygiven"),
    ForeignOrigin("vietnam", _same("응우옌", "쩐", "레", "팜", "호앙", "후인", "판", "부", "보",
                                   "당", "부이", "도", "응오", "즈엉"),
                  ("안", "훙", "둑", "민", "뚜안", "하이", "롱", "남", "꽝", "딴", "티엔", "꾸엉",
                   "빈", "푹"),
                  ("흐엉", "란", "린", "투", "마이", "항", "응옥", "짱", "타오", "히엔", "프엉",
                   "하", "니", "감"), "family given", ("반", "티")),
    ForeignOrigin("thailand", _same("쑥쏨분", "분마", "짜른쑥", "씨리왓", "통디", "깨우까",
                                    "랏따나", "폰삭", "차이야퐁", "쌩텅"),
                  ("솜차이", "솜삭", "아난", "위차이", "나롱", "차이야", "쁘라윳", "타나왓",
                   "끼띠"),
                  ("솜폰", "쑤다", "니파", "말리", "랏다", "쁘라니", "완나", "쑤파폰", "찬타나"),
                  "given family"),
    ForeignOrigin("usa", _same("스미스", "존슨", "윌리엄스", "브라운", "존스", "밀러", "데이비스",
                               "윌슨", "앤더슨", "테일러", "토머스", "무어", "마틴", "리"),
                  ("존", "마이클", "데이비드", "제임스", "로버트", "대니얼", "크리스토퍼", "매슈",
                   "앤드루", "조슈아", "라이언", "케빈"),
                  ("제니퍼", "세라", "에밀리", "제시카", "애슐리", "엘리자베스", "로라", "레이철",
                   "메건", "줄리아", "케이트", "니콜"), "given family"),
    ForeignOrigin("uzbekistan", (("카리모프", "카리모바"), ("유수포프", "유수포바"),
                                 ("라히모프", "라히모바"), ("토시모프", "토시모바"),
                                 ("압둘라예프", "압둘라예바"), ("이브라기모프", "이브라기모바"),
                                 ("나자로프", "나자로바")),
                  ("알리셰르", "자수르", "베흐조드", "샤흐조드", "루스탐", "티무르", "아지즈",
                   "사르도르", "우미드"),
                  ("딜노자", "니고라", "말리카", "굴노라", "딜바르", "마디나", "세바라", "자리나"),
                  "given family"),
    ForeignOrigin("philippines", _same("산토스", "레예스", "크루스", "바우티스타", "가르시아",
                                       "멘도사", "토레스", "곤살레스", "라모스", "비야누에바"),
                  ("호세", "마크", "존", "로널드", "제프리", "마이클", "라몬", "안젤로", "레이"),
                  ("마리아", "로사", "크리스틴", "제니퍼", "마리셀", "조이", "안젤리카", "그레이스",
                   "메리 앤"), "given family"),
    ForeignOrigin("russia", (("이바노프", "이바노바"), ("페트로프", "페트로바"),
                             ("스미르노프", "스미르노바"), ("쿠즈네초프", "쿠즈네초바"),
                             ("포포프", "포포바"), ("김", "김")),
                  ("알렉산드르", "드미트리", "세르게이", "안드레이", "막심", "이반", "니콜라이"),
                  ("안나", "올가", "나탈리야", "옐레나", "이리나", "타티야나", "율리야"),
                  "given family"),
    ForeignOrigin("mongolia", _same("바트", "간", "에르덴", "오치르", "뭉흐", "돌고르", "체렌",
                                    "투무르"),
                  ("바트에르덴", "간바타르", "에르덴바트", "바야르", "오치르바트", "투멘",
                   "뭉흐바트"),
                  ("사랑게렐", "오윤치멕", "엥흐투야", "솔롱고", "나랑게렐", "운드라", "볼로르마"),
                  "family given"),
    ForeignOrigin("nepal", _same("구룽", "타망", "라이", "셰르파", "샤르마", "타파", "마가르"),
                  ("람", "수닐", "비카스", "라잔", "프라카시", "수만", "디팍"),
                  ("시타", "기타", "사비타", "라다", "수니타", "아샤", "푸자"), "given family"),
    ForeignOrigin("cambodia", _same("속", "찬", "헹", "림", "소", "마오", "켐"),
                  ("소피업", "다라", "비살", "소카", "삼낭", "보레이", "치아"),
                  ("스레이마오", "소피아", "찬타", "다비", "보파", "리나", "스레이레악"),
                  "family given"),
    ForeignOrigin("indonesia", _same("산토소", "위자야", "하르요노", "수산토", "구나완",
                                     "세티아완"),
                  ("부디", "안디", "아구스", "리즈키", "하디", "에코", "드위"),
                  ("시티", "데위", "푸트리", "누르", "라트나", "인다", "와휴니"), "given family"),
)
KOREAN_CHINESE = "korean_chinese"
# ASSUMPTION: rough shares of registered foreign residents by origin (rank order of the Ministry
# of Justice statistics; not an official table), ethnic Korean Chinese first.
FOREIGN_ORIGIN_WEIGHTS: dict[str, float] = {
    KOREAN_CHINESE: 0.28, "china": 0.12, "vietnam": 0.14, "thailand": 0.08, "usa": 0.06,
    "uzbekistan": 0.05, "philippines": 0.03, "russia": 0.04, "mongolia": 0.03, "nepal": 0.03,
    "cambodia": 0.03, "indonesia": 0.03,
}
MAX_REDRAWS = 30


def tail_exponent(tenth_share: float, remainder: float, n_tail: int) -> float:
    """Exponent ``b`` with sum_{r=11}^{10+n_tail} tenth_share * (r/10)**-b == remainder."""
    ranks = np.arange(11, 11 + n_tail) / 10.0

    def gap(b: float) -> float:
        return float(tenth_share * np.sum(ranks**-b) - remainder)

    if gap(0.0) < 0:
        raise ValueError(
            f"names: {n_tail} tail surnames at the tenth's share {tenth_share:.4f} cannot hold "
            f"the remainder {remainder:.4f}; list more surnames")
    return float(brentq(gap, 0.0, 20.0))


def surname_table() -> tuple[np.ndarray, np.ndarray]:
    """All surnames and their sampling probabilities (official top 10, modelled tail)."""
    top = top_surnames()
    shares = top["share"].to_numpy()
    rest = 1.0 - float(shares.sum())
    b = tail_exponent(float(shares[-1]), rest, len(OTHER_SURNAMES))
    tail = shares[-1] * (np.arange(11, 11 + len(OTHER_SURNAMES)) / 10.0) ** -b
    names = top["name_ko"].to_list() + list(OTHER_SURNAMES)
    probs = np.concatenate([shares, tail])
    return np.array(names, dtype=object), probs / probs.sum()


def _weights(n: int) -> np.ndarray:
    w = np.arange(1, n + 1, dtype=np.float64) ** -GIVEN_ZIPF
    return w / w.sum()


@dataclass(frozen=True)
class _NameBook:
    """Every full name a run can give, built once per process (no random draw in it)."""

    given: list[str]  # Korean given names, sorted
    n_korean: int  # surname x given name entries, surname by surname; foreign ones follow
    foreign_origin: np.ndarray  # origin and sex of each foreign entry
    foreign_sex: np.ndarray
    distinct: tuple[str, ...]  # the distinct spellings, sorted: the run's name dictionary
    canonical: np.ndarray  # int32: each entry's spelling in ``distinct``


@cache
def _name_book() -> _NameBook:
    surnames, _ = surname_table()
    given = sorted({g for _, male, female in GIVEN_NAMES for g in (*male, *female)})
    entries = [s + g for s in surnames.tolist() for g in given]
    n_korean = len(entries)
    f_names, f_origin, f_sex = _foreign_dictionary()
    # One code per distinct string (e.g. 황 + 보람 and 황보 + 람 would spell the same name).
    distinct, canonical = np.unique(np.array(entries + f_names, dtype=object),
                                    return_inverse=True)
    canonical = canonical.astype(np.int32)
    for values in (f_origin, f_sex, canonical):
        values.flags.writeable = False
    return _NameBook(given, n_korean, f_origin, f_sex, tuple(distinct.tolist()), canonical)


def _foreign_dictionary() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every foreign full name, with the (origin, sex) of each entry, family by family."""
    names: list[str] = []
    origin: list[int] = []
    sex: list[int] = []
    for o, spec in enumerate(FOREIGN_ORIGINS):
        for s, given in enumerate((spec.male, spec.female)):
            for forms in spec.family:
                last, middle = forms[s], spec.middle[s]
                for g in given:
                    parts = {"family given": (last, middle, g), "given family": (g, last),
                             "familygiven": (last + g,)}[spec.layout]
                    names.append(" ".join(p for p in parts if p))
                    origin.append(o)
                    sex.append(s)
    return names, np.array(origin), np.array(sex)


def _duplicates(group: np.ndarray, code: np.ndarray) -> np.ndarray:
    """True for every person whose (group, full name) was already taken by an earlier person.

    Households are contiguous runs of a few persons: there each person is compared with the
    earlier members of its run (one pass, no sort). Any other grouping is sorted once on one
    int64 key (group, name), ties kept in person order.
    """
    if code.size == 0:
        return np.zeros(0, dtype=bool)
    dup, in_runs = _duplicates_in_runs(group, code, MAX_RUN)
    if in_runs:
        return dup
    n_codes = int(code.max()) + 1
    if int(group.min()) >= 0 and (int(group.max()) + 1) * n_codes < 2**62:
        key = group.astype(np.int64) * n_codes + code
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        same = ordered[1:] == ordered[:-1]
    else:
        order = np.lexsort((np.arange(code.size), code, group))
        same = (group[order][1:] == group[order][:-1]) & (code[order][1:] == code[order][:-1])
    dup = np.zeros(code.size, dtype=bool)
    dup[order[1:]] = same
    return dup


MAX_RUN = 64  # longest run of one group compared pairwise; longer groups are sorted


@numba.njit(cache=True, nogil=True)
def _duplicates_in_runs(group: np.ndarray, code: np.ndarray,
                        max_run: int) -> tuple[np.ndarray, bool]:
    """``_duplicates`` when every group is one contiguous run of at most ``max_run`` persons
    (the flag is False, and the answer unusable, when it is not)."""
    n = group.size
    dup = np.zeros(n, dtype=np.bool_)
    lowest, highest = group.min(), group.max()
    if lowest < 0:
        return dup, False
    seen = np.zeros(highest + 1, dtype=np.bool_)
    start = 0
    for i in range(1, n + 1):
        if i < n and group[i] == group[start]:
            continue
        if i - start > max_run or seen[group[start]]:
            return dup, False
        seen[group[start]] = True
        for a in range(start + 1, i):
            for b in range(start, a):
                if code[a] == code[b]:
                    dup[a] = True
                    break
        start = i
    return dup, True


def assign_names(
    rng: np.random.Generator,
    birth_year: np.ndarray,
    sex: np.ndarray,
    foreign: np.ndarray,
    family_surname_of: np.ndarray,
    household: np.ndarray | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Full names as codes into a dictionary of distinct names (cheap at 51 million people).

    ``family_surname_of[i]`` is the index of the person whose surname ``i`` inherits (``i``
    itself when the surname is their own). Persons sharing it, and persons of one
    ``household`` when given, get distinct full names.
    """
    n = sex.size
    sex = sex.astype(np.int8, copy=False)
    _, probs = surname_table()
    # Narrow codes before the gathers over every person (memory at 51 million).
    surname_idx = weighted_choice(rng, n, probs, dtype=np.int16)[family_surname_of]
    book = _name_book()
    given_unique = book.given
    code_of = {g: i for i, g in enumerate(given_unique)}
    starts = np.array([c[0] for c in GIVEN_NAMES])
    # The cohort of each birth year through a table over the years present (a search per
    # person costs seconds at 51 million).
    first_year = int(birth_year.min()) if n else 0
    years = np.arange(first_year, (int(birth_year.max()) + 1) if n else 1)
    cohort_of_year = np.clip(np.searchsorted(starts, years, side="right") - 1, 0,
                             len(starts) - 1).astype(np.int8)
    # One code per person: cohort x sex.
    cell = cohort_of_year[birth_year - first_year] * np.int8(2) + sex
    pools = [[np.array([code_of[g] for g in pool]) for pool in (male, female)]
             for _, male, female in GIVEN_NAMES]

    def draw_korean(who: np.ndarray | None) -> np.ndarray:
        """Given-name codes of ``who`` (everyone when None: no index array of 51 million)."""
        cell_of = cell if who is None else cell[who]
        out = np.empty(cell_of.size, dtype=np.int32)
        # Persons of each cohort x sex in ascending order (one counting sort, not one mask
        # each).
        by_cell, bounds = stable_counting_order(cell_of, 2 * len(GIVEN_NAMES))
        for c in range(len(GIVEN_NAMES)):
            for s in (0, 1):
                pool = pools[c][s]
                weighted_choice_into(rng, _weights(pool.size), pool,
                                     by_cell[bounds[2 * c + s]:bounds[2 * c + s + 1]], out)
        return out

    n_korean, f_origin, f_sex = book.n_korean, book.foreign_origin, book.foreign_sex
    origin_keys = [o.key for o in FOREIGN_ORIGINS]
    weights = np.array([FOREIGN_ORIGIN_WEIGHTS[k] for k in (KOREAN_CHINESE, *origin_keys)])
    # Origin and family name are drawn for the surname holder and inherited with the surname.
    origin = weighted_choice(rng, n, weights / weights.sum(), dtype=np.int8)
    origin -= 1
    origin = origin[family_surname_of]
    foreign_named = foreign & (origin >= 0)
    # One uniform per person picks the family name (kept only for the foreign-named, each
    # the uniform of their surname holder).
    named_foreigners = np.flatnonzero(foreign_named)
    family_draw = uniforms_at(rng, n, family_surname_of[named_foreigners])

    def draw_foreign(who: np.ndarray) -> np.ndarray:
        """Name codes of ``who``, all of them foreign-named."""
        out = np.empty(who.size, dtype=np.int64)
        family_u = family_draw[np.searchsorted(named_foreigners, who)]
        for o, spec in enumerate(FOREIGN_ORIGINS):
            fam = np.minimum((family_u * len(spec.family)).astype(np.int64),
                             len(spec.family) - 1)
            for s in (0, 1):
                pick = (origin[who] == o) & (sex[who] == s)
                if not pick.any():
                    continue
                entries = np.flatnonzero((f_origin == o) & (f_sex == s))
                per_family = entries.size // len(spec.family)
                k = rng.integers(0, per_family, size=int(pick.sum()))
                out[pick] = n_korean + entries[fam[pick] * per_family + k]
        return out

    canonical = book.canonical

    def draw(who: np.ndarray | None) -> np.ndarray:
        """Name codes of ``who`` (everyone when None), in 32 bits: at 51 million persons
        every temporary of this draw is 200 MB or more."""
        out = draw_korean(who)
        surname = surname_idx if who is None else surname_idx[who]
        out += surname.astype(np.int32) * np.int32(len(given_unique))
        alien = foreign_named if who is None else foreign_named[who]
        if alien.any():
            out[alien] = draw_foreign(np.flatnonzero(alien) if who is None else who[alien])
        return canonical[out]

    codes = draw(None)
    # After the first pass only the families and households that held a duplicate are
    # checked again (sorting all 51 million names on every pass cost minutes).
    checked: np.ndarray | None = None  # None: everyone (no copies of the columns)
    # Where every surname is inherited within the household, a family's duplicate is also a
    # household's duplicate: the household check alone finds them all.
    families_in_households = household is not None and bool(
        np.array_equal(household[family_surname_of], household))
    for _ in range(MAX_REDRAWS):
        held = _rows(codes, checked)
        if household is None:
            dup = _duplicates(_rows(family_surname_of, checked), held)
        elif families_in_households:
            dup = _duplicates(_rows(household, checked), held)
        else:
            dup = _duplicates(_rows(family_surname_of, checked), held)
            dup |= _duplicates(_rows(household, checked), held)
        del held
        dup = np.flatnonzero(dup) if checked is None else checked[dup]
        if dup.size == 0:
            break
        codes[dup] = draw(dup)
        # Checked again: the households and the families of the redrawn persons. Where
        # families live within households, a family is inside a household marked already.
        again = []
        if household is not None:
            in_household = np.zeros(int(household.max()) + 1, dtype=bool)
            in_household[household[dup]] = True
            again.append(in_household[household])
        if not families_in_households:
            touched = np.zeros(n, dtype=bool)
            touched[family_surname_of[dup]] = True
            again.append(touched[family_surname_of])
        checked = np.flatnonzero(np.logical_or.reduce(again))
    else:
        raise RuntimeError("names: could not give every family distinct full names")
    return codes, list(book.distinct)


def _rows(values: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    return values if rows is None else values[rows]
