"""Narratives: Korean templates in dialect and register, the checker, the LLM path (scripted)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from synthsoc.persona import (
    NarrativePrompt,
    build_narrative_requests,
    build_personas,
    check_narrative,
    generate_narratives,
    narrative_facts,
    template_narrative,
)
from synthsoc.persona.korean import Level
from synthsoc.persona.speech import classify_text, without_quotes
from synthsoc.synth import load_population


@pytest.fixture(scope="module")
def facts(population_dir: Path) -> pl.DataFrame:
    population = load_population(population_dir)
    return narrative_facts(population, build_personas(population, seed=4), 400, seed=4)


BASE: dict[str, Any] = {
    "person_id": 1, "name": "김영수", "age": 45, "sex": "M", "sido_code": "21",
    "sido_name": "부산광역시", "sigungu_name": "해운대구", "marital_status": "married",
    "economic_activity": "employed", "occupation": "3", "relationship": "head",
    "household_size": 3, "household_kind": "general", "household_type": "couple_children",
    "nationality": "korean", "dialect": "gyeongsang", "dialect_strength": "strong",
    "dialect_is_origin": False, "register_elders": "haeyo", "register_peers": "hae",
    "register_juniors": "haera", "communication_style": "direct", "messenger": "kakaotalk",
    "sns_main": "band", "sns_minutes_per_day": 40, "video_platform": "youtube",
    "portal": "naver", "weekday_activity": "work", "leave_weekday": 460, "return_weekday": 1160,
    "openness": 50.0, "conscientiousness": 65.0, "extraversion": 50.0, "agreeableness": 50.0,
    "neuroticism": 50.0, "risk_tolerance": 5,
}


def test_template_narratives_are_korean_and_pass_the_checker(facts: pl.DataFrame) -> None:
    result = generate_narratives(facts, seed=4)
    assert result.height == facts.height
    assert (result["source"] == "template").all()
    assert result["n_contradictions"].sum() == 0, result.filter(pl.col("n_contradictions") > 0)
    for text, age, name in zip(result["narrative"], facts["age"], facts["name"], strict=True):
        assert f"{age}살" in text and name in text
        assert sum("가" <= ch <= "힣" for ch in text) > 0.6 * len(text.replace(" ", ""))


@pytest.mark.parametrize(
    ("dialect", "sido", "markers"),
    [
        ("gyeongsang", ("21", "부산광역시"), ("예.", "라예")),
        ("jeolla", ("24", "광주광역시"), ("라우", "당께")),
        ("chungcheong", ("25", "대전광역시"), ("유.", "슈")),
        ("gangwon", ("32", "강원특별자치도"), ("드래요", "래요")),
        ("jeju", ("39", "제주특별자치도"), ("수다", "우다")),
    ],
)
def test_strong_dialects_are_rendered(
    dialect: str, sido: tuple[str, str], markers: tuple[str, ...]
) -> None:
    f = {**BASE, "dialect": dialect, "sido_code": sido[0], "sido_name": sido[1]}
    text = template_narrative(f, seed=1)
    assert any(m in text for m in markers), text
    assert check_narrative(text, f) == []


def test_place_without_sigungu_is_the_sido_alone() -> None:
    sejong = {**BASE, "dialect": "chungcheong", "sido_code": "29", "sido_name": "세종특별자치시",
              "sigungu_name": None}
    text = template_narrative(sejong, seed=1)
    assert "세종특별자치시에" in text and "None" not in text
    assert check_narrative(text, sejong) == []


def test_standard_speaker_uses_register() -> None:
    formal = {**BASE, "dialect": "seoul_gyeonggi", "dialect_strength": "standard",
              "sido_code": "11", "sido_name": "서울특별시", "sigungu_name": "종로구",
              "register_elders": "hasipsio"}
    for seed in range(20):
        text = template_narrative({**formal, "person_id": seed}, seed=seed)
        speech = classify_text(text)
        assert speech.level is Level.HASIPSIO and not speech.level_switches, text
        assert "니다." in text and "요." not in without_quotes(text)
        polite = template_narrative({**formal, "person_id": seed, "register_elders": "haeyo"},
                                    seed=seed)
        assert classify_text(polite).level is Level.HAEYO and "니다." not in polite


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("저는 부산에 사는 김영수예요. 올해 52살이에요.", "age: says 52, is 45"),
        ("우리 남편하고 같이 살아요.", "sex: a man speaks of"),
        ("저는 서울에 살고 있어요.", "region: says lives in 서울"),
        ("지금은 은퇴해서 쉬어요.", "activity: says retired"),
        ("아직 결혼은 안 했어요.", "marital: says never_married"),
        ("지금은 혼자 살아요.", "household: says lives alone"),
        ("집에는 다섯 식구가 살아요.", "household: says 5 members"),
        ("농사를 짓고 있어요.", "occupation: says '농사를 짓'"),
    ],
)
def test_checker_reports_each_kind_of_contradiction(text: str, expected: str) -> None:
    problems = check_narrative(text, BASE)
    assert any(p.startswith(expected) for p in problems), problems


def test_checker_accepts_consistent_statements() -> None:
    text = ("저는 부산 해운대구에 사는 김영수예요. 올해 45살이고, 아내와 세 식구가 살아요. "
            "회사에 다니고 있어요.")
    assert check_narrative(text, BASE) == []
    woman = {**BASE, "sex": "F", "marital_status": "widowed", "economic_activity": "inactive",
             "weekday_activity": "home_retired", "age": 71, "household_size": 1}
    text = "남편은 먼저 떠났고 지금은 혼자 살아요. 퇴직한 지 오래예요."
    assert check_narrative(text, woman) == []


def test_prompts_state_the_facts(facts: pl.DataFrame) -> None:
    prompts = build_narrative_requests(facts.head(3))
    for prompt, row in zip(prompts, facts.head(3).iter_rows(named=True), strict=True):
        assert prompt.person_id == row["person_id"]
        assert f"{row['age']}살" in prompt.prompt and row["name"] in prompt.prompt
        assert row["sido_name"] in prompt.prompt and "1인칭" in prompt.system


def test_llm_answers_are_checked_and_regenerated_once(facts: pl.DataFrame) -> None:
    rows = facts.head(4)
    calls: list[list[NarrativePrompt]] = []

    def scripted(prompts: Sequence[NarrativePrompt]) -> list[str]:
        calls.append(list(prompts))
        if len(calls) == 1:  # first answers: all claim an impossible age
            return ["저는 올해 150살이에요." for _ in prompts]
        return [f"올해 {age}살이에요." for age in rows["age"]][: len(prompts)]

    result = generate_narratives(rows, seed=1, generate=scripted, source="fake:scripted")
    assert len(calls) == 2 and len(calls[1]) == 4
    assert "150" in calls[1][0].prompt  # the retry names the contradiction
    assert (result["source"] == "fake:scripted").all()
    assert result["attempts"].to_list() == [2, 2, 2, 2]
    assert result["n_contradictions"].sum() == 0


def test_llm_contradictions_are_reported_not_hidden(facts: pl.DataFrame) -> None:
    rows = facts.head(2)
    result = generate_narratives(
        rows, seed=1, generate=lambda ps: ["저는 올해 150살이에요." for _ in ps],
        source="fake:stubborn",
    )
    assert (result["n_contradictions"] == 1).all()
    assert result["contradictions"][0][0].startswith("age: says 150")
    with pytest.raises(ValueError, match="returned 1 texts for 2 prompts"):
        generate_narratives(rows, seed=1, generate=lambda ps: ["x"], source="fake:short")


@pytest.mark.parametrize(
    ("kind", "overrides", "place"),
    [
        ("institutional", {"age": 78, "weekday_activity": "home_retired"}, "요양 시설"),
        ("institutional", {"age": 21, "occupation": "A"}, "부대 생활관"),
        ("non_kin_group", {"age": 19, "weekday_activity": "university",
                           "marital_status": "never_married"}, "학교 기숙사"),
        ("non_kin_group", {"age": 35}, "회사 기숙사"),
    ],
)
def test_group_residents_do_not_speak_of_a_family_home(
    kind: str, overrides: dict[str, Any], place: str
) -> None:
    f = {**BASE, "household_kind": kind, "household_type": "group_quarters",
         "household_size": 40, "relationship": "group_resident", **overrides}
    for seed in range(10):
        text = template_narrative({**f, "person_id": seed}, seed=seed)
        assert place in text and "식구" not in text and "혼자" not in text, text
        assert check_narrative(text, f) == [], text


@pytest.mark.parametrize(
    ("text", "overrides", "expected"),
    [
        ("집에는 네 식구가 같이 살아요.", {"household_kind": "institutional"},
         "household: says '식구'"),
        ("지금은 혼자 살아예.", {"household_kind": "non_kin_group", "age": 19},
         "household: says '혼자"),
        ("지금은 요양 시설에서 지내요.", {}, "household: says '시설에서'"),
        ("지는 부산에 사는 김영수라예. 올해 45살입니다. 요즘은 집에서 지내예.", {},
         "register: switches"),
        ("저는 서울에 사는 김영수예요. 밥 묵었어라우.", {"dialect": "seoul_gyeonggi"},
         "dialect: uses jeolla endings, speaks standard Korean"),
        ("나는 부산에 살아. 회사 다녀.", {}, "register: speaks hae to the reader"),
        ("YouTube, 예제리, 말투: 싱각타답 The 50 Most Influential Women in the World", {},
         "language: not Korean"),
        ("저는 東京 に住んでいます 김영수예요.", {}, "language: garbled"),
    ],
)
def test_checker_reports_household_kind_register_dialect_and_language(
    text: str, overrides: dict[str, Any], expected: str
) -> None:
    problems = check_narrative(text, {**BASE, **overrides})
    assert any(p.startswith(expected) for p in problems), problems


def test_openings_endings_and_quantities_vary_and_are_rounded(facts: pl.DataFrame) -> None:
    texts = generate_narratives(facts, seed=4)["narrative"].to_list()
    openings = {t.split()[0] for t in texts}
    last = {t.rsplit(". ", 1)[-1] for t in texts}
    assert len(openings) >= 3 and len(last) >= 10
    assert not any("하는 편이에요" in t and "아랫사람한테는" in t for t in texts)  # no meta line
    minutes = [int(m) for t in texts for m in re.findall(r"(\d+)분쯤", t)]
    assert minutes and all(m % 10 == 0 for m in minutes)
    assert not re.search(r"\d+시 \d+분", " ".join(texts))  # clock times: 시 or 시 반 only


def test_few_shot_prompts_carry_a_checked_worked_example(facts: pl.DataFrame) -> None:
    from synthsoc.persona.narratives import EXAMPLE_FACTS, first_paragraph

    prompt = build_narrative_requests(facts.head(1), few_shot=True)[0].prompt
    assert prompt.startswith("예시)") and prompt.endswith("자기소개:")
    example = template_narrative(EXAMPLE_FACTS, seed=0)
    assert example in prompt and check_narrative(example, EXAMPLE_FACTS) == []
    assert first_paragraph(" 저는 서울에 살아요.\n\n예시)\n이름: 누구") == "저는 서울에 살아요."
    assert first_paragraph("저는 서울에 살아요. 예시) 이름") == "저는 서울에 살아요."
