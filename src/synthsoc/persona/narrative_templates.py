"""Korean phrases of the offline narrative templates: sentences, dialect endings, registers.

Sentences are written in standard 해요체 and end in one of the words of ``POLITE_ENDINGS``;
the renderer swaps that final word for its 하십시오체 form or its dialect form. The dialect
forms are common textbook markers (Gyeongsang -예/-니더, -데이, -다 아이가; Jeolla -라우,
-당께, -잉, -혀; Chungcheong -유, -슈; Gangwon -드래요; Jeju -수다, -마씸), simplified.
"""

from __future__ import annotations

# Final word of a 해요체 sentence -> 하십시오체 form.
FORMAL: dict[str, str] = {
    "이에요": "입니다",
    "예요": "입니다",
    "살아요": "삽니다",
    "있어요": "있습니다",
    "했어요": "했습니다",
    "다녀요": "다닙니다",
    "지내요": "지냅니다",
    "들어와요": "들어옵니다",
    "봐요": "봅니다",
    "해요": "합니다",
    "않아요": "않습니다",
    "떠났어요": "떠났습니다",
    "조심스러워요": "조심스럽습니다",
}
POLITE_ENDINGS: tuple[str, ...] = tuple(FORMAL)

# Dialect forms of the polite endings (used for moderate and strong speakers; light speakers
# get them in some sentences only).
DIALECT_POLITE: dict[str, dict[str, str]] = {
    "gyeongsang": {
        "이에요": "이라예", "예요": "라예", "살아요": "살아예", "있어요": "있어예",
        "했어요": "했어예", "다녀요": "댕겨예", "지내요": "지내예", "들어와요": "들어와예",
        "봐요": "봐예", "해요": "해예", "않아요": "않아예", "떠났어요": "떠났어예",
        "조심스러워요": "조심스러워예",
    },
    "jeolla": {
        "이에요": "이어라우", "예요": "여라우", "살아요": "살어라우", "있어요": "있어라우",
        "했어요": "했당께요", "다녀요": "댕겨라우", "지내요": "지내라우", "들어와요": "들어와라우",
        "봐요": "봐라우", "해요": "혀요", "않아요": "않어라우", "떠났어요": "떠났당께요",
        "조심스러워요": "조심스러워라우",
    },
    "chungcheong": {
        "이에요": "이유", "예요": "유", "살아요": "살아유", "있어요": "있어유",
        "했어요": "했슈", "다녀요": "댕겨유", "지내요": "지내유", "들어와요": "들어와유",
        "봐요": "봐유", "해요": "해유", "않아요": "않아유", "떠났어요": "떠났슈",
        "조심스러워요": "조심스러워유",
    },
    "gangwon": {
        "이에요": "이래요", "예요": "래요", "살아요": "살아요", "있어요": "있어요",
        "했어요": "했드래요", "다녀요": "댕겨요", "지내요": "지내요", "들어와요": "들어와요",
        "봐요": "봐요", "해요": "해요", "않아요": "않아요", "떠났어요": "떠났드래요",
        "조심스러워요": "조심스러워요",
    },
    "jeju": {
        "이에요": "이우다", "예요": "우다", "살아요": "살암수다", "있어요": "이수다",
        "했어요": "했수다", "다녀요": "댕겸수다", "지내요": "지냄수다", "들어와요": "들어왐수다",
        "봐요": "봠수다", "해요": "허우다", "않아요": "않수다", "떠났어요": "떠났수다",
        "조심스러워요": "조심스럽수다",
    },
}
# Gyeongsang keeps its own 하십시오체 (-니더); other zones use the standard formal endings.
DIALECT_FORMAL_SUFFIX: dict[str, tuple[str, str]] = {"gyeongsang": ("니다", "니더")}

# Extra sentences only strong speakers add (a dialect marker of their own).
DIALECT_TAGS: dict[str, tuple[str, ...]] = {
    "gyeongsang": ("사는 기 다 그렇다 아이가.", "앞으로도 잘 부탁한데이."),
    "jeolla": ("나가 원래 그런 사람이랑께.", "앞으로도 잘 부탁혀잉."),
    "chungcheong": ("급할 거 하나도 없슈.", "천천히 가도 다 돼유."),
    "gangwon": ("우리 동네는 공기가 참 좋드래요.", "놀러 오면 감자떡 대접할게요."),
    "jeju": ("우리 동네 오민 혼저 옵서예.", "잘 부탁햄수다마씸."),
}
SELF_PRONOUN: dict[str, str] = {"gyeongsang": "지는", "jeolla": "지는", "jeju": "나는"}

# How one greets someone in each register (eaten yet? - the everyday Korean greeting), to an
# elder and to a peer or junior.
REGISTER_EXAMPLE_ELDER: dict[str, str] = {
    "hasipsio": "식사하셨습니까?",
    "haeyo": "식사하셨어요?",
    "hae": "밥 먹었어?",
    "haera": "밥 먹었니?",
}
REGISTER_EXAMPLE_OTHER: dict[str, str] = {
    "hasipsio": "식사했습니까?",
    "haeyo": "밥 먹었어요?",
    "hae": "밥 먹었어?",
    "haera": "밥 먹었니?",
}
DIALECT_EXAMPLE_ELDER: dict[str, dict[str, str]] = {
    "gyeongsang": {"haeyo": "진지 잡쉈어예?", "hae": "밥 뭇나?"},
    "jeolla": {"haeyo": "진지 잡수셨어라우?", "hae": "밥 묵었냐잉?"},
    "chungcheong": {"haeyo": "진지 잡쉈슈?", "hae": "밥 먹었남?"},
    "gangwon": {"haeyo": "식사하셨드래요?", "hae": "밥 먹었나?"},
    "jeju": {"haeyo": "식사햄수과?", "hae": "밥 먹언?"},
}
DIALECT_EXAMPLE_OTHER: dict[str, dict[str, str]] = {
    "gyeongsang": {"haeyo": "밥 뭇어예?", "hae": "밥 뭇나?", "haera": "니 뭐 하나?"},
    "jeolla": {"haeyo": "밥 묵었어라우?", "hae": "밥 묵었냐잉?", "haera": "얼른 밥 먹어야 혀."},
    "chungcheong": {"haeyo": "밥 먹었슈?", "hae": "밥 먹었남?", "haera": "밥 먹었냐?"},
    "gangwon": {"haeyo": "밥 먹었드래요?", "hae": "밥 먹었나?", "haera": "밥 먹었나?"},
    "jeju": {"haeyo": "밥 먹어수과?", "hae": "밥 먹언?", "haera": "밥 먹언?"},
}
OCCUPATION_KO: dict[str, str] = {
    "1": "관리직",
    "2": "전문직",
    "3": "사무직",
    "4": "서비스직",
    "5": "판매직",
    "6": "농어업",
    "7": "기능직",
    "8": "기계 조작",
    "9": "단순 노무",
    "A": "군인",
}
SNS_KO: dict[str, str] = {
    "instagram": "인스타그램",
    "facebook": "페이스북",
    "kakaostory": "카카오스토리",
    "band": "밴드",
    "twitter": "트위터",
}
VIDEO_KO: dict[str, str] = {
    "youtube": "유튜브를 자주 봐요.",
    "netflix": "넷플릭스로 드라마를 자주 봐요.",
    "tv_broadcast": "저녁에는 텔레비전을 주로 봐요.",
    "none": "영상은 거의 안 봐요.",
}
MESSENGER_KO: dict[str, str] = {
    "kakaotalk": "카톡으로 가족이나 친구들이랑 연락하고, ",
    "other": "메신저로 연락을 주고받고, ",
    "none": "",
}
NATIVE_COUNT: dict[int, str] = {
    2: "두", 3: "세", 4: "네", 5: "다섯", 6: "여섯", 7: "일곱", 8: "여덟", 9: "아홉", 10: "열",
}
# Trait sentences: (trait, high?) -> sentence; the most extreme trait of a persona is used.
TRAIT_SENTENCES: dict[tuple[str, bool], str] = {
    ("extraversion", True): "사람 만나는 걸 좋아해요.",
    ("extraversion", False): "조용히 혼자 있는 시간이 편해요.",
    ("conscientiousness", True): "뭐든 계획을 세워서 하는 편이에요.",
    ("conscientiousness", False): "계획보다는 그때그때 정해서 해요.",
    ("openness", True): "새로운 걸 배우고 해 보는 걸 좋아해요.",
    ("openness", False): "익숙한 방식대로 하는 게 편해요.",
    ("agreeableness", True): "주변 사람들 부탁은 잘 거절을 못 해요.",
    ("agreeableness", False): "아닌 건 아니라고 분명하게 말해요.",
    ("neuroticism", True): "작은 일에도 걱정이 많은 편이에요.",
    ("neuroticism", False): "웬만한 일에는 크게 걱정하지 않아요.",
}
RISK_HIGH = "새로운 일에 도전하는 걸 겁내지 않아요."
RISK_LOW = "돈 쓰는 일은 늘 조심스러워요."
WEEKDAY_SENTENCES: dict[str, str] = {
    "school": "학교에 다녀요.",
    "university": "대학교에 다녀요.",
    "job_search": "요즘은 일자리를 찾고 있어요.",
    "housework_childcare": "집안 살림을 맡아서 해요.",
    "home": "요즘은 주로 집에서 지내요.",
    "home_retired": "이제 일은 그만두고 집에서 쉬면서 지내요.",
    "preschool_care": "유치원에 다녀요.",
}
