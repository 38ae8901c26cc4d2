"""A reform changes exactly what it should, and a bad reform file is refused by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthsoc.policy.evaluate_rules import evaluate_rule
from synthsoc.policy.reform import ReformError, build_reform, load_reform
from synthsoc.policy.system import korea_system
from tests.policy.households import Home, Member, build

REFORMS = Path(__file__).resolve().parents[2] / "src" / "synthsoc" / "policy" / "reforms"
M = 10_000
RULE_YEARS = {"emergency_relief": 2020, "basic_pension": 2024, "parent_benefit": 2024,
              "earned_income_tax_credit": 2024}


def singles() -> list[Home]:
    return [Home((Member("head", 40, earnings=(i + 1) * 500 * M),)) for i in range(10)]


def homes() -> list[Home]:
    return singles() + [
        Home((Member("head", 70),)),  # basic pension, far below the threshold
        Home((Member("head", 66), Member("spouse", 67))),  # couple, both receive
        Home((Member("head", 70, other_income=2400 * M),)),  # capped by 소득역전 방지
        Home((Member("head", 70, other_income=6000 * M),)),  # too rich for the means test
        Home((Member("head", 33, earnings=1000 * M), Member("spouse", 31), Member("child", 0))),
    ]


def run_all(reform_file: str | None, cases: list[Home] | None = None) -> dict[str, np.ndarray]:
    units, money = build(cases if cases is not None else homes())
    system = korea_system()
    if reform_file is not None:
        system = build_reform(system, load_reform(REFORMS / reform_file))
    return {rule: evaluate_rule(system, units, money, rule, year).amount
            for rule, year in RULE_YEARS.items()}


def test_relief_bottom_70_removes_exactly_the_top_30_percent() -> None:
    # ten one-person households and two couples, each ranked within its household size:
    # the top three singles lose 40만; of two couples (rank 0.5 and 1.0) the richer loses 60만
    couples = [Home((Member("head", 50, earnings=e * M), Member("spouse", 50)))
               for e in (3000, 9000)]
    cases = singles() + couples
    base = run_all(None, cases)
    reform = run_all("relief_bottom_70.yaml", cases)
    change = reform["emergency_relief"] - base["emergency_relief"]
    assert change.tolist() == [0] * 7 + [-40 * M] * 3 + [0, -60 * M]
    for rule in ("basic_pension", "parent_benefit", "earned_income_tax_credit"):
        assert np.array_equal(reform[rule], base[rule]), rule


def test_basic_pension_base_amount_change() -> None:
    base, reform = run_all(None), run_all("basic_pension_400k.yaml")
    change = reform["basic_pension"] - base["basic_pension"]
    step = 400_000 - 334_810
    # single far below the threshold: 12 x step; couple: both, each reduced by 20%;
    # capped single: still 213만 - 200만, unchanged; rich single: nothing either way
    assert change[10:14] == pytest.approx([12 * step, 2 * 12 * 0.8 * step, 0, 0])
    assert np.all(change[:10] == 0) and change[14] == 0
    for rule in ("emergency_relief", "parent_benefit", "earned_income_tax_credit"):
        assert np.array_equal(reform[rule], base[rule]), rule


def test_replaced_rule_pays_everyone_over_65() -> None:
    base, reform = run_all(None), run_all("basic_pension_universal.yaml")
    # the means-tested-out single (500만/month) now receives the full base amount; the capped
    # single gets the full amount too (no income test, so no 소득역전 cut)
    assert reform["basic_pension"][13] == pytest.approx(12 * 334_810)
    assert reform["basic_pension"][12] == pytest.approx(12 * 334_810)
    assert reform["basic_pension"][10:12] == pytest.approx(base["basic_pension"][10:12])
    assert korea_system().variables["basic_pension"].label == "기초연금 (KRW per year)"


def test_reform_leaves_the_baseline_unchanged() -> None:
    build_reform(korea_system(), load_reform(REFORMS / "relief_bottom_70.yaml"))
    ceiling = korea_system().parameters.emergency_relief.income_rank_ceiling
    assert ceiling("2020-05-01") == 1.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nparameters:\n  basic_pension.no_such:\n    2024-01-01: 1\n",
         "parameters.basic_pension.no_such: no parameter 'no_such'"),
        ("name: x\nparamters: {}\n", "paramters"),
        ("name: x\nreplace:\n  basic_pension: nothing\n", "unknown alternative 'nothing'"),
        ("name: x\nreplace:\n  parent_benefit: basic_pension_universal\n",
         "replaces 'basic_pension'"),
        ("name: x\nparameters:\n  basic_pension:\n    2024-01-01: 1\n", "is a group"),
        ("- just a list\n", "expected a mapping"),
    ],
)
def test_bad_reform_files_are_refused_with_the_file_named(tmp_path: Path, text: str,
                                                           message: str) -> None:
    path = tmp_path / "reform.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReformError) as err:
        build_reform(korea_system(), load_reform(path), where=str(path))
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_unknown_income_bracket_is_an_error() -> None:
    from synthsoc.policy.imputation import default_imputation, draw_money

    units, _ = build([Home((Member("head", 40),), income_bracket="lots")])
    with pytest.raises(ValueError, match="income_bracket values \\['lots'\\]"):
        draw_money(units, default_imputation(), 1, 0)
    assert isinstance(units.households, pl.DataFrame)
