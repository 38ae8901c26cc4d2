"""Hand-written households in the population's public schema, for rule tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from synthsoc.policy.imputation import MoneyDraw, given_money
from synthsoc.policy.units import PolicyUnits, build_units
from synthsoc.synth import Population

# one si-gun-gu of each 기본재산액 class
SIGUNGU = {
    "metropolitan": ("11010", "종로구", "11"),
    "city": ("31010", "수원시", "31"),
    "rural": ("32510", "홍천군", "32"),
}


@dataclass(frozen=True)
class Member:
    relationship: str
    age: int
    earnings: float = 0.0  # KRW per year
    other_income: float = 0.0
    employed: bool = False
    foreign: bool = False


@dataclass(frozen=True)
class Home:
    members: tuple[Member, ...]
    assets: float = 0.0
    region: str = "city"
    kind: str = "general"
    income_bracket: str = "30_50m"


def build(homes: list[Home]) -> tuple[PolicyUnits, MoneyDraw]:
    """Units and the given money of ``homes``; persons numbered in order."""
    persons, households = [], []
    pid = 0
    for hid, home in enumerate(homes):
        code, _, sido = SIGUNGU[home.region]
        head = pid
        for m in home.members:
            persons.append({
                "person_id": pid, "household_id": hid, "relationship": m.relationship,
                "age": m.age, "nationality": "foreign" if m.foreign else "korean",
                "economic_activity": "employed" if (m.employed or m.earnings > 0) else "inactive",
                "earnings": m.earnings, "other_income": m.other_income,
            })
            pid += 1
        households.append({
            "household_id": hid, "size": len(home.members), "kind": home.kind,
            "income_bracket": home.income_bracket, "head_person_id": head,
            "sido_code": sido, "sigungu_code": code, "emd_code": code + "000",
            "assets": home.assets,
        })
    p = pl.DataFrame(persons)
    h = pl.DataFrame(households)
    regions = pl.DataFrame([
        {"emd_code": c + "000", "emd_name": None, "sigungu_code": c, "sigungu_name": n,
         "sido_code": s, "sido_name": "", "sido_name_en": ""}
        for c, n, s in SIGUNGU.values()
    ])
    pop = Population(persons=p, households=h, regions=regions, manifest={})
    units = build_units(pop)
    money = given_money(units, p["earnings"].to_numpy(), p["other_income"].to_numpy(),
                        h["assets"].to_numpy().astype(np.float64))
    return units, money
