"""Each rule on hand-written households; expected amounts are worked out from the legal text
(parameters cited in src/synthsoc/policy/parameters/), not produced by the code under test."""

from __future__ import annotations

import numpy as np
import pytest

from synthsoc.policy.evaluate_rules import evaluate_rule
from synthsoc.policy.system import korea_system
from tests.policy.households import Home, Member, build

M = 10_000  # 만원


def amounts(homes: list[Home], rule: str, year: int) -> np.ndarray:
    units, money = build(homes)
    return evaluate_rule(korea_system(), units, money, rule, year).amount


def test_emergency_relief_by_household_size() -> None:
    adult = Member("head", 40)
    homes = [
        Home((adult,)),
        Home((adult, Member("spouse", 38))),
        Home((adult, Member("spouse", 38), Member("child", 5))),
        Home((adult, Member("spouse", 38), Member("child", 5), Member("child", 3),
              Member("child", 1))),
        # foreign-only household: not eligible
        Home((Member("head", 30, foreign=True), Member("spouse", 29, foreign=True)),
             kind="foreign"),
        # two residents of an institution: each a one-person 세대
        Home((Member("head", 80), Member("group_resident", 85)), kind="institutional"),
    ]
    # 2020년 제2회 추경: 1인 40만, 2인 60만, 3인 80만, 4인 이상 100만원
    expected = [40 * M, 60 * M, 80 * M, 100 * M, 0, 2 * 40 * M]
    assert amounts(homes, "emergency_relief", 2020).tolist() == expected


def test_emergency_relief_only_in_2020() -> None:
    assert amounts([Home((Member("head", 40),))], "emergency_relief", 2021).tolist() == [0]


def test_basic_pension_2024_cases() -> None:
    homes = [
        # single 70, 100만/month other income, assets 1억 in a metropolitan gu: the asset is
        # under 기본재산액 1억3,500만 + 금융 2,000만, so 소득인정액 100만 <= 213만: full 334,810
        Home((Member("head", 70, other_income=1200 * M),), assets=10_000 * M,
             region="metropolitan"),
        # couple 66/67: wages 200만/month -> (200 - 110) x 0.7 = 63만; assets 3억 in a city:
        # (3억 - 8,500만 - 2,000만) x 4% / 12 = 65만; 128만 <= 340.8만; both receive,
        # each 334,810 x 0.8 = 267,848 a month
        Home((Member("head", 66, earnings=2400 * M), Member("spouse", 67)), assets=30_000 * M),
        # single 70 with 200만/month other income: 200만 + 334,810 > 213만, so the pension is
        # cut to 213만 - 200만 = 130,000 a month (소득역전 방지)
        Home((Member("head", 70, other_income=2400 * M),)),
        # single 70 with 220만/month: above 213만, nothing
        Home((Member("head", 70, other_income=2640 * M),)),
        # 64: too young
        Home((Member("head", 64),)),
        # a 75-year-old parent without income living with a son's family: tested alone on
        # their own income (the son's earnings do not count): full amount
        Home((Member("head", 45, earnings=5000 * M), Member("parent", 75))),
    ]
    expected = [
        12 * 334_810,
        2 * 12 * 267_848,
        12 * 130_000,
        0,
        0,
        12 * 334_810,
    ]
    assert amounts(homes, "basic_pension", 2024) == pytest.approx(expected)


def test_basic_pension_2023_amount_and_threshold() -> None:
    homes = [
        Home((Member("head", 80),)),
        # 2023 threshold 202만: 205만/month is above it
        Home((Member("head", 80, other_income=2460 * M),)),
    ]
    assert amounts(homes, "basic_pension", 2023) == pytest.approx([12 * 323_180, 0])


def test_parent_benefit_by_child_age() -> None:
    family = (Member("head", 33), Member("spouse", 31))
    homes = [
        Home((*family, Member("child", 0))),
        Home((*family, Member("child", 1))),
        Home((*family, Member("child", 2))),
    ]
    # 2024: 0세 월 100만원, 1세 월 50만원; 2023: 70만원, 35만원
    assert amounts(homes, "parent_benefit", 2024).tolist() == [12 * 100 * M, 12 * 50 * M, 0]
    assert amounts(homes, "parent_benefit", 2023).tolist() == [12 * 70 * M, 12 * 35 * M, 0]


def test_earned_income_tax_credit_schedule_2024() -> None:
    homes = [
        # 단독: phase-in 165만 x 300/400
        Home((Member("head", 30, earnings=300 * M),)),
        # 단독 plateau
        Home((Member("head", 30, earnings=600 * M),)),
        # 단독 phase-out: 165만 x (2,200 - 1,500) / (2,200 - 900)
        Home((Member("head", 30, earnings=1500 * M),)),
        # 홑벌이 (spouse without earnings) plateau 285만
        Home((Member("head", 40, earnings=1000 * M), Member("spouse", 40))),
        # 홑벌이: spouse earns 200만 < 300만; combined 1,200만 still on the plateau
        Home((Member("head", 40, earnings=1000 * M), Member("spouse", 40, earnings=200 * M))),
        # 맞벌이 2024: combined 2,500만; 330만 x (4,400 - 2,500) / (4,400 - 1,700)
        Home((Member("head", 40, earnings=1500 * M), Member("spouse", 40, earnings=1000 * M))),
        # single parent with a child under 18: 홑벌이
        Home((Member("head", 40, earnings=1000 * M), Member("child", 10))),
        # 단독 with assets 2억 (>= 1억7천만, < 2억4천만): half of 165만
        Home((Member("head", 30, earnings=600 * M),), assets=20_000 * M),
        # 단독 with assets 2억5천만: not eligible
        Home((Member("head", 30, earnings=600 * M),), assets=25_000 * M),
        # 단독 at 2,200만: at the ceiling, nothing
        Home((Member("head", 30, earnings=2200 * M),)),
    ]
    expected = [
        165 * M * 300 / 400,
        165 * M,
        165 * M * 700 / 1300,
        285 * M,
        285 * M,
        330 * M * 1900 / 2700,
        285 * M,
        165 * M / 2,
        0,
        0,
    ]
    assert amounts(homes, "earned_income_tax_credit", 2024) == pytest.approx(expected)


def test_earned_income_tax_credit_by_income_year() -> None:
    dual = Home((Member("head", 40, earnings=1500 * M), Member("spouse", 40, earnings=1000 * M)))
    single = Home((Member("head", 30, earnings=600 * M),))
    # 2023 귀속: 맞벌이 ceiling 3,800만; 2022 귀속: 맞벌이 300만 max, ceiling 3,600만, 단독 150만
    assert amounts([dual, single], "earned_income_tax_credit", 2023) == pytest.approx(
        [330 * M * 1300 / 2100, 165 * M]
    )
    assert amounts([dual, single], "earned_income_tax_credit", 2022) == pytest.approx(
        [300 * M * 1100 / 1900, 150 * M]
    )


def test_adult_child_is_a_unit_of_their_own() -> None:
    # a 25-year-old earning 600만 living with parents claims as 단독; parents earn too much
    home = Home((Member("head", 55, earnings=6000 * M), Member("spouse", 53),
                 Member("child", 25, earnings=600 * M)))
    assert amounts([home], "earned_income_tax_credit", 2024) == pytest.approx([165 * M])


def test_basic_pension_asset_deduction_by_region() -> None:
    # single 70 with 200만/month other income and assets 1억2천만:
    # metropolitan: 1.2억 - 1.35억 - 0.2억 < 0 -> 소득인정액 200만 -> cut to 213만 - 200만
    # rural: (1.2억 - 7,250만 - 2,000만) x 4% / 12 = 91,666.67 -> 2,091,666.67; room 38,333.33
    # is above the floor of 10% x 334,810 = 33,481
    def home(region: str) -> Home:
        return Home((Member("head", 70, other_income=2400 * M),), assets=12_000 * M,
                    region=region)

    result = amounts([home("metropolitan"), home("rural")], "basic_pension", 2024)
    # OpenFisca computes in float32: 2,091,666.67 carries about 0.1 KRW of rounding
    assert result == pytest.approx([12 * 130_000, 12 * (2_130_000 - 2_091_666.6667)], rel=2e-6)
