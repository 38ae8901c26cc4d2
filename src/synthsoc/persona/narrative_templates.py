"""Korean phrases of the offline narratives, as lead phrases and predicates for the language core.

Each phrase is a :class:`~synthsoc.persona.korean.Sentence` (or a builder of one), so the whole
narrative is rendered in one speech level, with dialect endings where the speaker uses them.
Variants of one phrase say the same fact in other words (varied openings and endings).
"""

from __future__ import annotations

from synthsoc.persona.korean import Predicate, Sentence

LIVE = Predicate("살")
STAY = Predicate("지내")
WORK = Predicate("일하")
DO = Predicate("하")
ATTEND = Predicate("다니")
WATCH = Predicate("보")
BE = Predicate("있", "existential")
MARRIED = Predicate("결혼하", past=True)

# Work by KSCO major group: (lead, predicate) variants.
OCCUPATION_SENTENCES: dict[str, tuple[Sentence, ...]] = {
    "1": (Sentence("회사에서 관리자로", WORK), Sentence("한 부서를 맡아서 관리하는 일을", DO)),
    "2": (Sentence("전문직으로", WORK), Sentence("전문 지식이 필요한 일을", DO)),
    "3": (Sentence("사무실에서 사무 일을", DO), Sentence("사무직으로", WORK)),
    "4": (Sentence("서비스업에서", WORK), Sentence("손님을 맞는 서비스 일을", DO)),
    "5": (Sentence("판매 일을", DO), Sentence("가게에서 물건 파는 일을", DO)),
    "6": (Sentence("농사를", Predicate("짓", irregular="s")), Sentence("농사일로", WORK)),
    "7": (Sentence("기술직으로", WORK), Sentence("손기술이 필요한 일을", DO)),
    "8": (Sentence("공장에서 기계를", Predicate("다루")), Sentence("생산 현장에서", WORK)),
    "9": (Sentence("현장에서 몸을 쓰는 일을", DO), Sentence("단순 노무 일을", DO)),
    "A": (Sentence("군인으로", Predicate("복무하")), Sentence("군에서", WORK)),
}
OCCUPATION_FALLBACK = Sentence("여러 가지 일을", DO)
OCCUPATION_KO: dict[str, str] = {  # KSCO major group labels stated in LLM prompts
    "1": "관리직", "2": "전문직", "3": "사무직", "4": "서비스직", "5": "판매직", "6": "농어업",
    "7": "기능직", "8": "기계 조작", "9": "단순 노무", "A": "군인",
}

SCHOOL_BY_AGE: tuple[tuple[int, str], ...] = ((13, "초등학교"), (16, "중학교"), (99, "고등학교"))

WEEKDAY_SENTENCES: dict[str, tuple[Sentence, ...]] = {
    "university": (Sentence("대학교에", ATTEND), Sentence("요즘은 대학 공부로", Predicate("바쁘",
                                                                              "adjective"))),
    "job_search": (Sentence("요즘은 일자리를 찾고", BE), Sentence("요즘은 취업 준비를", DO)),
    "housework_childcare": (Sentence("집안 살림을 맡아서", DO),
                            Sentence("평일에는 주로 집안일을", DO)),
    "home": (Sentence("요즘은 주로 집에서", STAY), Sentence("평일에도 대개 집에", BE)),
    "home_retired": (Sentence("일은 그만두고 지금은 집에서 쉬면서", STAY),
                     Sentence("은퇴하고 나서는 집에서 편하게", STAY)),
    "preschool_care": (Sentence("유치원에", ATTEND),),
    "military_service": (Sentence("현역병으로 군 복무를", DO),
                         Sentence("요즘은 부대에서 훈련을", Predicate("받"))),
}

# Residents of institutions and dormitories do not spend their days "at home".
GROUP_WEEKDAY_SENTENCES: dict[str, Sentence] = {
    "home": Sentence("평일에는 주로 안에서", STAY),
    "home_retired": Sentence("일은 그만두고 지금은 쉬면서", STAY),
    "housework_childcare": Sentence("평일에는 주로 안에서", STAY),
}

MESSENGER_LEAD: dict[str, str] = {
    "kakaotalk": "카톡으로 가족이나 친구들이랑 연락하고",
    "other": "메신저로 연락을 주고받고",
}
VIDEO_SENTENCES: dict[str, Sentence] = {
    "youtube": Sentence("유튜브를 자주", WATCH),
    "netflix": Sentence("넷플릭스로 드라마를 자주", WATCH),
    "tv_broadcast": Sentence("저녁에는 텔레비전을 주로", WATCH),
    "none": Sentence("영상은 거의 안", WATCH),
}
SNS_KO: dict[str, str] = {
    "instagram": "인스타그램",
    "facebook": "페이스북",
    "kakaostory": "카카오스토리",
    "band": "밴드",
    "twitter": "트위터",
}
NATIVE_COUNT: dict[int, str] = {
    1: "한", 2: "두", 3: "세", 4: "네", 5: "다섯", 6: "여섯", 7: "일곱", 8: "여덟", 9: "아홉",
    10: "열",
}

# Trait sentences: (trait, high?) -> sentence; the most extreme trait of a persona is used.
TRAIT_SENTENCES: dict[tuple[str, bool], Sentence] = {
    ("extraversion", True): Sentence("사람 만나는 걸", Predicate("좋아하")),
    ("extraversion", False): Sentence("조용히 혼자 있는 시간이", Predicate("편하", "adjective")),
    ("conscientiousness", True): Sentence("뭐든 계획을 세워서 하는", Predicate("편", "copula")),
    ("conscientiousness", False): Sentence("계획보다는 그때그때 정해서", DO),
    ("openness", True): Sentence("새로운 걸 배우고 해 보는 걸", Predicate("좋아하")),
    ("openness", False): Sentence("익숙한 방식대로 하는 게", Predicate("편하", "adjective")),
    ("agreeableness", True): Sentence("주변 사람들 부탁은 잘 거절을 못", DO),
    ("agreeableness", False): Sentence("아닌 건 아니라고 분명하게", Predicate("말하")),
    ("neuroticism", True): Sentence("작은 일에도 걱정이 많은", Predicate("편", "copula")),
    ("neuroticism", False): Sentence("웬만한 일에는 크게 걱정하지", Predicate("않")),
}
RISK_HIGH = Sentence("새로운 일에 도전하는 걸 겁내지", Predicate("않"))
RISK_LOW = Sentence("돈 쓰는 일은 늘", Predicate("조심스럽", "adjective", "b"))

# Closing sentences (one is picked, or none).
CLOSINGS: tuple[Sentence, ...] = (
    Sentence("잘", Predicate("부탁드리")),
    Sentence("앞으로도 건강하게 지내고", Predicate("싶", "adjective")),
    Sentence("요즘은 그럭저럭 잘", STAY),
    Sentence("하루하루 열심히 살고", BE),
)

# Greetings quoted as examples of how one speaks: to elders (honorific), to others.
GREET_ELDER_HONORIFIC = Sentence("", Predicate("식사하시", past=True), mood="question")
GREET_OTHER = Sentence("밥", Predicate("먹", past=True), mood="question")
