"""First-person Korean narratives: offline templates, LLM prompts, and checked generation.

The persona layer never calls a language model itself: :func:`generate_narratives` takes a plain
``generate`` callable (prompts in, texts out); the command line wires the LLM layer into it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from synthsoc.persona import narrative_templates as T
from synthsoc.persona.checker import GROUP_KINDS, check_narrative, expected_level
from synthsoc.persona.korean import (
    POLITENESS,
    STANDARD,
    Level,
    Predicate,
    Sentence,
    comitative,
    object_,
    topic,
)
from synthsoc.persona.params import BIG_FIVE
from synthsoc.persona.register_norms import Relation, Setting, register_for
from synthsoc.synth import Population

MIN_NARRATIVE_AGE = 10
TEMPLATE_SOURCE = "template"
Facts = Mapping[str, Any]

FACT_COLUMNS: tuple[str, ...] = (
    "person_id", "name", "age", "sex", "sido_code", "sido_name", "sigungu_name",
    "marital_status", "economic_activity", "occupation", "relationship", "nationality",
    "household_size", "household_kind", "household_type",
)
# Dialect endings in a share of the sentences, by strength (light speakers switch back and forth
# between standard and dialect endings of the same speech level).
DIALECT_SHARE: dict[str, float] = {"standard": 0.0, "light": 0.35, "moderate": 0.75, "strong": 1.0}
SELF_PRONOUN: dict[str, str] = {"gyeongsang": "지는", "jeolla": "지는"}


def _as_strings(frame: pl.DataFrame) -> pl.DataFrame:
    """Categorical and enum columns as plain strings (join keys must have one type)."""
    coded = [c for c, t in frame.schema.items() if isinstance(t, (pl.Categorical, pl.Enum))]
    return frame.with_columns(pl.col(c).cast(pl.String) for c in coded)


def narrative_facts(
    population: Population, personas: pl.DataFrame | pl.LazyFrame, n: int, seed: int
) -> pl.DataFrame:
    """Pick ``n`` persons aged 10+ at random (seeded) and join everything a narrative states.

    ``personas`` may be lazy (``pl.scan_parquet``): only the picked persons are then read.
    """
    persons = population.persons.filter(pl.col("age") >= MIN_NARRATIVE_AGE)
    if persons.height == 0:
        raise ValueError("narratives: the population has no person aged 10 or over")
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    rows = rng.choice(persons.height, size=min(n, persons.height), replace=False)
    picked = _as_strings(persons[np.sort(rows)])
    if "nationality" not in picked.columns:
        picked = picked.with_columns(nationality=pl.lit("korean"))
    if isinstance(personas, pl.LazyFrame):
        wanted = pl.col("person_id").is_in(picked["person_id"].implode())
        personas = personas.filter(wanted).collect()
    regions = _as_strings(population.regions.select("sigungu_code", "sigungu_name", "sido_name"))
    regions = regions.unique("sigungu_code", keep="first", maintain_order=True)
    households = _as_strings(population.households.select(
        "household_id", pl.col("size").alias("household_size"),
        pl.col("kind").alias("household_kind"), pl.col("type").alias("household_type")))
    facts = (
        picked.join(households, on="household_id", how="left", maintain_order="left")
        .join(regions, on="sigungu_code", how="left", maintain_order="left")
        .select(FACT_COLUMNS)
        .join(personas, on="person_id", how="left", maintain_order="left")
    )
    unnamed = facts.filter(pl.col("sido_name").is_null())
    if unnamed.height:
        code = picked.filter(pl.col("person_id") == unnamed["person_id"][0])["sigungu_code"][0]
        raise ValueError(f"regions.parquet: no sido_name for sigungu_code {code!r}")
    missing = facts.filter(pl.col("dialect").is_null())["person_id"]
    if missing.len():
        raise ValueError(f"personas: no persona row for person_id {missing[0]} (rebuild personas)")
    return facts


def clock(minutes: int) -> str:
    """A clock time rounded to the half hour, as people say it ('오전 7시 반', '밤 11시')."""
    rounded = int(round(int(minutes) / 30.0) * 30) % 1440
    hour, minute = divmod(rounded, 60)
    part = ("새벽" if hour < 6 else "오전" if hour < 12 else "낮" if hour == 12
            else "오후" if hour < 18 else "저녁" if hour < 21 else "밤")
    return f"{part} {hour % 12 or 12}시" + (" 반" if minute else "")


def duration(minutes: int) -> str:
    """A daily duration rounded as people say it: '10분', '40분', '한 시간 반', '두 시간'."""
    if minutes < 55:
        return f"{max(10, int(round(minutes / 10.0)) * 10)}분"
    halves = int(round(minutes / 30.0))
    hours, half = divmod(halves, 2)
    return f"{T.NATIVE_COUNT.get(hours, str(hours))} 시간" + (" 반" if half else "")


def _place(f: Facts) -> str:
    """'<si-do> <si-gun-gu>', or the si-do alone where it has no si-gun-gu (Sejong)."""
    return " ".join(str(f[k]) for k in ("sido_name", "sigungu_name") if f.get(k))


def _spouse(sex: str) -> str:
    return "아내" if sex == "M" else "남편"


def narrative_level(f: Facts) -> Level:
    """The level of a self-introduction: speaking to a stranger (an interviewer)."""
    level = expected_level(f)
    if level is None:
        raise ValueError("narratives: facts lack register_elders / register_peers / "
                         "register_juniors (rebuild personas)")
    return level


def _household(f: Facts, married_couple: bool) -> Sentence:
    """Where and with whom the person lives; institutions and dormitories are not families."""
    kind, size = str(f.get("household_kind") or "general"), int(f.get("household_size") or 1)
    age, activity = int(f["age"]), str(f["weekday_activity"])
    if activity == "military_service":  # registered at home, living in barracks
        return Sentence("지금은 군 복무 중이라 부대 생활관에서", T.STAY)
    if kind == "institutional":
        if str(f.get("occupation")) == "A":
            return Sentence("지금은 부대 생활관에서", T.STAY)
        if age >= 65:
            return Sentence("지금은 요양 시설에서", T.STAY)
        return Sentence("지금은 여러 사람이 함께 생활하는 시설에서", T.STAY)
    if kind == "non_kin_group":
        if activity in ("school", "university"):
            return Sentence("지금은 학교 기숙사에서", T.STAY)
        if activity == "work":
            return Sentence("지금은 회사 기숙사에서", T.STAY)
        return Sentence("지금은 여러 사람이 함께 쓰는 숙소에서", T.STAY)
    if size == 1:
        return Sentence("지금은 혼자", T.LIVE)
    if f.get("household_type") == "non_family" or f.get("relationship") == "non_relative":
        return Sentence(f"한집에 {size}명이 같이", T.LIVE)
    if married_couple and size == 2:
        return Sentence(f"결혼해서 {comitative(_spouse(str(f['sex'])))} 둘이", T.LIVE)
    if f.get("relationship") == "child" and f.get("household_type") == "couple_children":
        return Sentence(f"부모님과 함께 {T.NATIVE_COUNT.get(size, str(size))} 식구가", T.LIVE)
    return Sentence(f"집에는 {T.NATIVE_COUNT.get(size, str(size))} 식구가 같이", T.LIVE)


def _marital(f: Facts, said_in_household: bool) -> Sentence | None:
    marital, spouse = f["marital_status"], _spouse(str(f["sex"]))
    if int(f["age"]) < 18 or said_in_household:
        return None
    if marital == "married":
        apart = int(f.get("household_size") or 1) == 1 or f.get("household_kind") in (
            "institutional", "non_kin_group")
        if apart:
            return Sentence(f"결혼은 했지만 {comitative(spouse)}는 떨어져", T.STAY)
        return Sentence("결혼은", Predicate("하", past=True))
    if marital == "never_married":
        return Sentence("아직 결혼은 안", Predicate("하", past=True))
    if marital == "widowed":
        return Sentence(f"{topic(spouse)} 몇 해 전에 먼저", Predicate("떠나", past=True))
    if marital == "divorced":
        return Sentence("몇 해 전에", Predicate("이혼하", past=True))
    return None


def _activity(f: Facts, rng: np.random.Generator) -> list[Sentence]:
    activity = str(f["weekday_activity"])
    group = f.get("household_kind") in GROUP_KINDS
    home = "숙소" if group else "집"
    if activity == "work":
        options = T.OCCUPATION_SENTENCES.get(str(f["occupation"]), (T.OCCUPATION_FALLBACK,))
        out = [options[int(rng.integers(len(options)))]]
        leave, back = f.get("leave_weekday"), f.get("return_weekday")
        if leave is not None and back is not None:
            out.append(Sentence(f"평일에는 {clock(leave)}쯤 {object_(home)} 나서서 "
                                f"{clock(back)}쯤", Predicate("들어오")))
        return out
    if activity == "school":
        school = next(name for limit, name in T.SCHOOL_BY_AGE if int(f["age"]) < limit)
        return [Sentence(f"{school}에", T.ATTEND)]
    if group and activity in T.GROUP_WEEKDAY_SENTENCES:
        return [T.GROUP_WEEKDAY_SENTENCES[activity]]
    options = T.WEEKDAY_SENTENCES[activity]
    return [options[int(rng.integers(len(options)))]]


def _media(f: Facts) -> list[Sentence]:
    video = T.VIDEO_SENTENCES[str(f["video_platform"])]
    lead = T.MESSENGER_LEAD.get(str(f["messenger"]))
    out = [Sentence(f"{lead}, {video.lead}", video.predicate) if lead else video]
    sns = str(f["sns_main"])
    if sns != "none" and int(f["sns_minutes_per_day"] or 0) > 0:
        out.append(Sentence(f"{T.SNS_KO[sns]}도 하루에 {duration(int(f['sns_minutes_per_day']))}쯤",
                            T.DO))
    else:
        out.append(Sentence("SNS는 잘 안", T.DO))
    return out


def _traits(f: Facts) -> list[Sentence]:
    trait = max(BIG_FIVE, key=lambda t: abs(float(f[t]) - 50.0))
    out = [T.TRAIT_SENTENCES[(trait, float(f[trait]) >= 50.0)]]
    if f["risk_tolerance"] >= 7:
        out.append(T.RISK_HIGH)
    elif f["risk_tolerance"] <= 3:
        out.append(T.RISK_LOW)
    return out


def _greeting(f: Facts, rng: np.random.Generator, dialect: str) -> Sentence:
    """A quoted greeting in the level the person uses with elders or with friends."""
    levels = (Level(str(f["register_elders"])), Level(str(f["register_peers"])),
              Level(str(f["register_juniors"])))
    age = int(f["age"])
    if rng.random() < 0.5:
        level = register_for(Relation.ELDER, Setting.PRIVATE, age, *levels)
        polite = POLITENESS[level] >= POLITENESS[Level.HAEYO]
        quote = (T.GREET_ELDER_HONORIFIC if polite else T.GREET_OTHER).render(level, dialect).text
        return Sentence(f'어른들께는 "{quote}" 하고', Predicate("인사드리"))
    level = register_for(Relation.PEER, Setting.PRIVATE, age, *levels)
    quote = T.GREET_OTHER.render(level, dialect).text
    return Sentence(f'친구들한테는 "{quote}" 하고', Predicate("인사하"))


def narrative_sentences(f: Facts, rng: np.random.Generator, dialect: str) -> list[Sentence]:
    """The sentences of a persona's narrative, before rendering (order and variants seeded)."""
    name, age = str(f["name"]), f"{f['age']}살"
    opening = int(rng.integers(3))
    if opening == 0:
        out = [Sentence(f"저는 {_place(f)}에 사는", Predicate(name, "copula")),
               Sentence("올해", Predicate(age, "copula"))]
    elif opening == 1:
        out = [Sentence("제 이름은", Predicate(name, "copula")),
               Sentence("나이는", Predicate(age, "copula")), Sentence(f"{_place(f)}에", T.LIVE)]
    else:
        out = [Sentence(f"{_place(f)}에서 살고 있는", Predicate(name, "copula")),
               Sentence("올해", Predicate(age, "copula"))]
    couple = (f.get("household_type") == "couple" and f["marital_status"] == "married"
              and f.get("relationship") in ("head", "spouse")
              and (f.get("household_kind") or "general") == "general")
    out.append(_household(f, couple))
    marital = _marital(f, couple and int(f.get("household_size") or 1) == 2)
    if marital is not None:
        out.append(marital)
    out += _activity(f, rng)
    if rng.random() < 0.8:
        out += _media(f)
    out += _traits(f)
    if rng.random() < 0.4:
        out.append(_greeting(f, rng, dialect))
    if rng.random() < 0.6:
        out.append(T.CLOSINGS[int(rng.integers(len(T.CLOSINGS)))])
    return out


def template_narrative(facts: Facts, seed: int) -> str:
    """A Korean first-person narrative in one speech level and the persona's dialect (no LLM)."""
    key = (2, int(facts["person_id"]))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
    dialect, strength = str(facts["dialect"]), str(facts["dialect_strength"])
    share = DIALECT_SHARE[strength]
    level = narrative_level(facts)
    sentences = narrative_sentences(facts, rng, dialect if share > 0 else STANDARD)
    rendered = []
    for i, sentence in enumerate(sentences):
        local = bool(rng.random() < share)
        form = sentence.render(level, dialect if local else STANDARD)
        text = form.text
        if i == 0 and form.distinct and share >= 0.75 and dialect in SELF_PRONOUN:
            text = text.replace("저는", SELF_PRONOUN[dialect], 1)
        rendered.append(text)
    return " ".join(rendered)


@dataclass(frozen=True)
class NarrativePrompt:
    """One request for a language model: a system message and a user prompt."""

    person_id: int
    system: str
    prompt: str


SYSTEM = (
    "당신은 한국 사회 연구를 위한 가상 인물의 1인칭 자기소개를 쓰는 작가입니다. "
    "주어진 사실과 절대 모순되지 않게, 자연스러운 한국어로 5~7문장을 씁니다. "
    "나이는 숫자로 'N살'이라고 쓰고, 사는 곳을 밝히고, "
    "사실에 없는 가족이나 직업을 지어내지 않습니다."
)
DIALECT_HINT: dict[str, str] = {  # polite-level markers only: one speech level per narrative
    "seoul_gyeonggi": "표준어(서울말)로 씁니다.",
    "gyeongsang": "경상도 사투리로 씁니다 (예: '~예', '~이라예', '~습니더').",
    "jeolla": "전라도 사투리로 씁니다 (예: '~라우', '~어라우').",
    "chungcheong": "충청도 사투리로 씁니다 (예: '~유', '~이에유', '~했어유').",
    "gangwon": "강원도 사투리로 씁니다 (예: '~드래요', '~이래요').",
    "jeju": "제주 방언으로 씁니다 (예: '~수다', '~우다', '~암수다').",
}
ACTIVITY_KO: dict[str, str] = {
    "work": "일하고 있음",
    "school": "학생(학교)",
    "university": "대학생",
    "job_search": "구직 중",
    "housework_childcare": "집안 살림",
    "home": "집에서 지냄",
    "home_retired": "은퇴 후 집에서 지냄",
    "preschool_care": "유치원",
    "military_service": "군 복무 중(현역병, 부대 생활)",
}
MARITAL_KO: dict[str, str] = {
    "never_married": "미혼", "married": "기혼", "widowed": "사별", "divorced": "이혼",
}
REGISTER_KO: dict[str, str] = {
    "hasipsio": "하십시오체", "haeyo": "해요체", "hae": "해체(반말)", "haera": "해라체",
}


def build_narrative_requests(
    facts: pl.DataFrame, few_shot: bool = False
) -> list[NarrativePrompt]:
    """One prompt per row of :func:`narrative_facts`, stating every fact to respect.

    ``few_shot`` puts one worked example (a fixed persona and its template narrative) before
    each request, for base models that continue text rather than follow instructions.
    """
    prompts = []
    example = _few_shot_example() if few_shot else ""
    for f in facts.iter_rows(named=True):
        occupation = T.OCCUPATION_KO.get(str(f["occupation"]), "없음")
        strength = {"standard": "표준어", "light": "약하게", "moderate": "중간 정도로",
                    "strong": "강하게"}[str(f["dialect_strength"])]
        level = narrative_level(f)
        lines = [
            f"이름: {f['name']}",
            f"나이: {f['age']}살",
            f"성별: {'남자' if f['sex'] == 'M' else '여자'}",
            f"사는 곳: {_place(f)}",
            f"혼인 상태: {MARITAL_KO.get(str(f['marital_status']), '미상')}",
            f"사는 형태: {_living_ko(f)}",
            f"평일 주된 활동: {ACTIVITY_KO[str(f['weekday_activity'])]}",
            f"직업: {occupation}",
            f"메신저: {f['messenger']}, 주로 보는 영상: {f['video_platform']}, "
            f"SNS: {f['sns_main']}",
            f"말투: 모든 문장을 {REGISTER_KO[level.value]}로 끝맺습니다 "
            f"(예: {EXAMPLE_ENDING[level.value]})",
            f"사투리: {DIALECT_HINT[str(f['dialect'])]} 사투리 강도: {strength}",
        ]
        prompt = (example + "다음 사실을 지키면서 이 사람의 1인칭 자기소개를 한국어로 쓰세요.\n"
                  + "\n".join(lines) + "\n자기소개:")
        prompts.append(NarrativePrompt(int(f["person_id"]), SYSTEM, prompt))
    return prompts


# The worked example of few-shot prompts: a fixed persona (not drawn from any population).
EXAMPLE_FACTS: dict[str, Any] = {
    "person_id": 0, "name": "박서연", "age": 34, "sex": "F", "sido_code": "22",
    "sido_name": "대구광역시", "sigungu_name": "수성구", "marital_status": "married",
    "economic_activity": "employed", "occupation": "3", "relationship": "spouse",
    "nationality": "korean", "household_size": 3, "household_kind": "general",
    "household_type": "couple_children", "dialect": "gyeongsang", "dialect_strength": "moderate",
    "dialect_is_origin": False, "register_elders": "haeyo", "register_peers": "hae",
    "register_juniors": "hae", "messenger": "kakaotalk", "sns_main": "instagram",
    "sns_minutes_per_day": 30, "video_platform": "youtube", "portal": "naver",
    "weekday_activity": "work", "leave_weekday": 480, "return_weekday": 1140,
    "openness": 50.0, "conscientiousness": 68.0, "extraversion": 52.0, "agreeableness": 50.0,
    "neuroticism": 47.0, "risk_tolerance": 5,
}


def _few_shot_example() -> str:
    lines = [f"이름: {EXAMPLE_FACTS['name']}", f"나이: {EXAMPLE_FACTS['age']}살",
             f"사는 곳: {_place(EXAMPLE_FACTS)}", f"사는 형태: {_living_ko(EXAMPLE_FACTS)}",
             "말투: 모든 문장을 해요체로 끝맺습니다", f"사투리: {DIALECT_HINT['gyeongsang']}"]
    return ("예시)\n" + "\n".join(lines) + "\n자기소개: "
            + template_narrative(EXAMPLE_FACTS, seed=0) + "\n\n")


EXAMPLE_ENDING: dict[str, str] = {"hasipsio": "'삽니다', '입니다'", "haeyo": "'살아요', '이에요'"}


def _living_ko(f: Facts) -> str:
    kind, size = str(f.get("household_kind") or "general"), int(f.get("household_size") or 1)
    if f.get("weekday_activity") == "military_service":
        return "군 복무 중이라 부대 생활관에서 생활 (주민등록은 가족의 집)"
    if kind == "institutional":
        return "시설에서 생활 (가족과 함께 살지 않음)"
    if kind == "non_kin_group":
        return "기숙사나 공동 숙소에서 생활 (가족과 함께 살지 않음)"
    return "혼자 삶" if size == 1 else f"{size}명이 한집에 삶 (본인 포함)"


def _retry_prompt(prompt: NarrativePrompt, problems: Sequence[str]) -> NarrativePrompt:
    note = "\n이전 답은 다음 사실과 어긋났습니다. 고쳐서 다시 쓰세요: " + "; ".join(problems)
    return NarrativePrompt(prompt.person_id, prompt.system, prompt.prompt + note)


Generate = Callable[[Sequence[NarrativePrompt]], list[str]]


def generate_narratives(
    facts: pl.DataFrame,
    seed: int,
    generate: Generate | None = None,
    source: str = TEMPLATE_SOURCE,
    regenerate: bool = True,
    few_shot: bool = False,
) -> pl.DataFrame:
    """Narratives with their checked contradictions, one row per row of ``facts``.

    Without ``generate`` the offline templates are used. With it, every prompt is sent once;
    narratives with contradictions are sent again once (when ``regenerate``) with the
    contradictions named, and the attempt with fewer contradictions is kept. Contradictions
    are always reported, never hidden.
    """
    rows = list(facts.iter_rows(named=True))
    if generate is None:
        texts = [template_narrative(f, seed) for f in rows]
        attempts = [1] * len(rows)
        source = TEMPLATE_SOURCE
    else:
        prompts = build_narrative_requests(facts, few_shot=few_shot)
        texts = _answers(generate, prompts, few_shot)
        attempts = [1] * len(rows)
        if regenerate:
            redo = [i for i, f in enumerate(rows) if check_narrative(texts[i], f)]
            if redo:
                retried = _answers(generate, [
                    _retry_prompt(prompts[i], check_narrative(texts[i], rows[i])) for i in redo
                ], few_shot)
                for i, text in zip(redo, retried, strict=True):
                    attempts[i] = 2
                    before = len(check_narrative(texts[i], rows[i]))
                    if len(check_narrative(text, rows[i])) < before:
                        texts[i] = text
    problems = [check_narrative(t, f) for t, f in zip(texts, rows, strict=True)]
    return pl.DataFrame(
        {
            "person_id": facts["person_id"],
            "narrative": texts,
            "source": [source] * len(rows),
            "contradictions": pl.Series(problems, dtype=pl.List(pl.String)),
            "n_contradictions": pl.Series([len(p) for p in problems], dtype=pl.Int16),
            "attempts": pl.Series(attempts, dtype=pl.Int8),
        }
    )


def first_paragraph(text: str) -> str:
    """A few-shot continuation up to where the model starts a new example or paragraph."""
    return text.strip().split("\n\n", 1)[0].split("예시)", 1)[0].strip()


def _answers(
    generate: Generate, prompts: Sequence[NarrativePrompt], few_shot: bool = False
) -> list[str]:
    texts = generate(prompts)
    if len(texts) != len(prompts):
        raise ValueError(f"generate returned {len(texts)} texts for {len(prompts)} prompts")
    return [first_paragraph(t) if few_shot else t.strip() for t in texts]
