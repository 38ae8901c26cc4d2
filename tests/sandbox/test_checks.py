"""The rule checks against hand-computed values."""

from __future__ import annotations

import pytest

from synthsoc.persona.korean import Level
from synthsoc.sandbox.checks import (
    REQUIRED_LEVEL,
    AgeFitRules,
    app_only,
    check_answer,
    loanword_share,
    mean_sentence_chars,
    prices_manwon,
    speech_check,
)


def test_required_level_is_haeyo() -> None:
    # NIKL 표준 언어 예절: 해요체 or 하십시오체 to strangers and customers.
    assert REQUIRED_LEVEL is Level.HAEYO


def test_speech_level() -> None:
    assert speech_check("이 상품을 추천해요. 값은 만 원입니다.") == ("haeyo", 0, True)
    level, impolite, ok = speech_check("이 상품을 추천해. 값이 싸요.")
    assert impolite == 1 and not ok
    assert speech_check("This plan is good.") == (None, 0, False)


def test_prices_are_read_in_manwon() -> None:
    assert prices_manwon("값은 18만 원이고 배송비는 3,000원이에요.") == (18.0, 0.3)
    assert prices_manwon("1,200만 원짜리예요.") == (1200.0,)
    assert prices_manwon("오천만 원까지 보호돼요.") == ()


def test_readability_by_hand() -> None:
    answer = "앱을 여세요. 메뉴에서 버튼을 누르고 신청하세요."
    # sentences: "앱을 여세요." (7 chars), "메뉴에서 버튼을 누르고 신청하세요." (19 chars)
    assert mean_sentence_chars(answer) == pytest.approx((7 + 19) / 2)
    # words: 앱을 여세요 메뉴에서 버튼을 누르고 신청하세요 -> loanwords 앱, 메뉴, 버튼 = 3 of 6
    assert loanword_share(answer) == pytest.approx(3 / 6)
    assert app_only(answer)
    assert not app_only("앱이나 전화로 신청하실 수 있어요.")


def test_budget_household_and_age_rules() -> None:
    rules = AgeFitRules()
    common = {"intent": ("청소기",), "budget_manwon": 20, "stated_household_size": 3,
              "rules": rules}
    good = check_answer("3명이 쓰실 청소기는 18만 원짜리가 좋아요.", age=80, digital="low",
                        **common)  # type: ignore[arg-type]
    assert good.served and good.speech_ok and good.socio_ok and good.age_fit_ok
    dear = check_answer("청소기는 95만 원짜리가 좋아요.", age=30, digital="high",
                        **common)  # type: ignore[arg-type]
    assert dear.over_budget and not dear.socio_ok
    wrong_size = check_answer("4인 가구에는 이 청소기가 좋아요.", age=30, digital="high",
                              **common)  # type: ignore[arg-type]
    assert wrong_size.contradicts_household and not wrong_size.over_budget
    app = "청소기는 앱으로 주문하세요."
    assert check_answer(app, age=30, digital="high", **common).age_fit_ok  # type: ignore[arg-type]
    assert not check_answer(app, age=80, digital="high",
                            **common).age_fit_ok  # type: ignore[arg-type]
    assert not check_answer(app, age=40, digital="low",
                            **common).age_fit_ok  # type: ignore[arg-type]
