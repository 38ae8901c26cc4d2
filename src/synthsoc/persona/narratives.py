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
from synthsoc.persona.checker import check_narrative
from synthsoc.persona.params import BIG_FIVE
from synthsoc.synth import Population

MIN_NARRATIVE_AGE = 10
TEMPLATE_SOURCE = "template"
Facts = Mapping[str, Any]

FACT_COLUMNS: tuple[str, ...] = (
    "person_id", "name", "age", "sex", "sido_code", "sido_name", "sigungu_name",
    "marital_status", "economic_activity", "occupation", "relationship", "household_size",
)


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
    if isinstance(personas, pl.LazyFrame):
        wanted = pl.col("person_id").is_in(picked["person_id"].implode())
        personas = personas.filter(wanted).collect()
    regions = _as_strings(population.regions.select("sigungu_code", "sigungu_name", "sido_name"))
    regions = regions.unique("sigungu_code", keep="first", maintain_order=True)
    sizes = population.households.select("household_id", pl.col("size").alias("household_size"))
    facts = (
        picked.join(sizes, on="household_id", how="left", maintain_order="left")
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


def _has_batchim(word: str) -> bool:
    last = word[-1]
    return "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0


def _copula(noun: str) -> str:
    return noun + ("이에요" if _has_batchim(noun) else "예요")


def _with(noun: str) -> str:
    return noun + ("과" if _has_batchim(noun) else "와")


def _clock(minutes: int) -> str:
    hour, minute = divmod(int(minutes) % 1440, 60)
    part = "오전" if hour < 12 else "오후"
    hour12 = hour if hour <= 12 else hour - 12
    return f"{part} {hour12}시" + (f" {minute}분" if minute else "")


def _place(f: Facts) -> str:
    """'<si-do> <si-gun-gu>', or the si-do alone where it has no si-gun-gu (Sejong)."""
    return " ".join(str(f[k]) for k in ("sido_name", "sigungu_name") if f.get(k))


def _spouse(sex: str) -> str:
    return "아내" if sex == "M" else "남편"


def _sentences(f: Facts) -> list[str]:
    """The standard 해요체 sentences of a persona, in order."""
    out = [
        _copula(f"저는 {_place(f)}에 사는 {f['name']}") + ".",
        _copula(f"올해 {f['age']}살") + ".",
    ]
    size = int(f["household_size"] or 1)
    count = T.NATIVE_COUNT.get(size, str(size))
    out.append("지금은 혼자 살아요." if size == 1 else f"집에는 {count} 식구가 같이 살아요.")
    marital, spouse = f["marital_status"], _spouse(str(f["sex"]))
    if f["age"] >= 18:
        if marital == "married":
            out.append(f"결혼해서 {_with(spouse)} 함께 지내요." if size > 1
                       else f"결혼은 했지만 {_with(spouse)}는 떨어져 지내요.")
        elif marital == "never_married":
            out.append("아직 결혼은 안 했어요.")
        elif marital == "widowed":
            topic = spouse + ("은" if _has_batchim(spouse) else "는")
            out.append(f"{topic} 몇 해 전에 먼저 떠났어요.")
        elif marital == "divorced":
            out.append("몇 해 전에 이혼했어요.")
    activity = str(f["weekday_activity"])
    if activity == "work":
        occupation = T.OCCUPATION_KO.get(str(f["occupation"]), "여러 가지")
        out.append(f"{occupation} 일을 하고 있어요.")
        out.append(f"평일에는 {_clock(f['leave_weekday'])}에 집을 나서서 "
                   f"{_clock(f['return_weekday'])}쯤 들어와요.")
    else:
        out.append(T.WEEKDAY_SENTENCES[activity])
    out.append(T.MESSENGER_KO[str(f["messenger"])] + T.VIDEO_KO[str(f["video_platform"])])
    sns = str(f["sns_main"])
    out.append(f"{T.SNS_KO[sns]}도 하루에 {f['sns_minutes_per_day']}분쯤 해요." if sns != "none"
               else "SNS는 잘 안 해요.")
    trait = max(BIG_FIVE, key=lambda t: abs(float(f[t]) - 50.0))
    out.append(T.TRAIT_SENTENCES[(trait, float(f[trait]) >= 50.0)])
    if f["risk_tolerance"] >= 7:
        out.append(T.RISK_HIGH)
    elif f["risk_tolerance"] <= 3:
        out.append(T.RISK_LOW)
    return out


def _final_form(sentence: str, dialect: str, formal: bool) -> str:
    """Swap the sentence's final polite ending for its formal or dialect form."""
    body, mark = sentence[:-1], sentence[-1]
    ending = max((e for e in T.POLITE_ENDINGS if body.endswith(e)), key=len, default=None)
    if ending is None:
        return sentence
    if formal:
        new = T.FORMAL[ending]
        if dialect in T.DIALECT_FORMAL_SUFFIX:
            old, repl = T.DIALECT_FORMAL_SUFFIX[dialect]
            new = new[: -len(old)] + repl if new.endswith(old) else new
    elif dialect in T.DIALECT_POLITE:
        new = T.DIALECT_POLITE[dialect][ending]
    else:
        return sentence
    return body[: -len(ending)] + new + mark


def _register_line(f: Facts, dialect: str, use_dialect: bool) -> str:
    def example(register: str, elder: bool) -> str:
        local = (T.DIALECT_EXAMPLE_ELDER if elder else T.DIALECT_EXAMPLE_OTHER).get(dialect, {})
        plain = T.REGISTER_EXAMPLE_ELDER if elder else T.REGISTER_EXAMPLE_OTHER
        return local.get(register, plain[register]) if use_dialect else plain[register]

    return (f"어른들께는 \"{example(str(f['register_elders']), True)}\" 하고, 친구들한테는 "
            f"\"{example(str(f['register_peers']), False)}\", 아랫사람한테는 "
            f"\"{example(str(f['register_juniors']), False)}\" 하는 편이에요.")


def template_narrative(facts: Facts, seed: int) -> str:
    """A Korean first-person narrative in the persona's dialect and register (no LLM)."""
    key = (2, int(facts["person_id"]))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
    dialect, strength = str(facts["dialect"]), str(facts["dialect_strength"])
    share = {"standard": 0.0, "light": 0.35, "moderate": 0.75, "strong": 1.0}[strength]
    formal = facts["register_elders"] == "hasipsio"
    sentences = [*_sentences(facts), _register_line(facts, dialect, share > 0)]
    rendered = []
    for sentence in sentences:
        local = bool(rng.random() < share)
        spoken = dialect if local else "standard"
        rendered.append(_final_form(sentence, spoken, formal and not local))
    if strength != "standard" and dialect in T.SELF_PRONOUN and share >= 0.75:
        rendered[0] = rendered[0].replace("저는", T.SELF_PRONOUN[dialect], 1)
    if strength == "strong":
        rendered.append(str(rng.choice(T.DIALECT_TAGS[dialect])))
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
DIALECT_HINT: dict[str, str] = {
    "seoul_gyeonggi": "표준어(서울말)로 '~요'나 '~습니다'로 끝맺습니다.",
    "gyeongsang": "경상도 사투리로 씁니다 (예: '~예', '~습니더', '~데이', '~다 아이가', '~하나?').",
    "jeolla": "전라도 사투리로 씁니다 (예: '~라우', '~당께', '~잉', '~혀').",
    "chungcheong": "충청도 사투리로 씁니다 (예: '~유', '~했슈', '~여').",
    "gangwon": "강원도 사투리로 씁니다 (예: '~드래요', '~래요').",
    "jeju": "제주 방언으로 씁니다 (예: '~수다', '~우다', '~마씸').",
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
}
MARITAL_KO: dict[str, str] = {
    "never_married": "미혼", "married": "기혼", "widowed": "사별", "divorced": "이혼",
}
REGISTER_KO: dict[str, str] = {
    "hasipsio": "하십시오체", "haeyo": "해요체", "hae": "해체(반말)", "haera": "해라체",
}


def build_narrative_requests(facts: pl.DataFrame) -> list[NarrativePrompt]:
    """One prompt per row of :func:`narrative_facts`, stating every fact to respect."""
    prompts = []
    for f in facts.iter_rows(named=True):
        occupation = T.OCCUPATION_KO.get(str(f["occupation"]), "없음")
        strength = {"standard": "표준어", "light": "약하게", "moderate": "중간 정도로",
                    "strong": "강하게"}[str(f["dialect_strength"])]
        lines = [
            f"이름: {f['name']}",
            f"나이: {f['age']}살",
            f"성별: {'남자' if f['sex'] == 'M' else '여자'}",
            f"사는 곳: {_place(f)}",
            f"혼인 상태: {MARITAL_KO.get(str(f['marital_status']), '미상')}",
            f"가구원 수: {f['household_size']}명 (본인 포함)",
            f"평일 주된 활동: {ACTIVITY_KO[str(f['weekday_activity'])]}",
            f"직업: {occupation}",
            f"메신저: {f['messenger']}, 주로 보는 영상: {f['video_platform']}, "
            f"SNS: {f['sns_main']}",
            f"윗사람에게 쓰는 말투: {REGISTER_KO[str(f['register_elders'])]}",
            f"사투리: {DIALECT_HINT[str(f['dialect'])]} 사투리 강도: {strength}",
        ]
        prompt = ("다음 사실을 지키면서 이 사람의 1인칭 자기소개를 한국어로 쓰세요.\n"
                  + "\n".join(lines) + "\n자기소개:")
        prompts.append(NarrativePrompt(int(f["person_id"]), SYSTEM, prompt))
    return prompts


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
        prompts = build_narrative_requests(facts)
        texts = _answers(generate, prompts)
        attempts = [1] * len(rows)
        if regenerate:
            redo = [i for i, f in enumerate(rows) if check_narrative(texts[i], f)]
            if redo:
                retried = _answers(generate, [
                    _retry_prompt(prompts[i], check_narrative(texts[i], rows[i])) for i in redo
                ])
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


def _answers(generate: Generate, prompts: Sequence[NarrativePrompt]) -> list[str]:
    texts = generate(prompts)
    if len(texts) != len(prompts):
        raise ValueError(f"generate returned {len(texts)} texts for {len(prompts)} prompts")
    return [t.strip() for t in texts]
