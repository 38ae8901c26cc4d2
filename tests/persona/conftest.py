"""A small seeded population folder in the synth format (a test fixture, not a real population)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from synthsoc.synth import schema

SIDO = {
    "11": ("서울특별시", "Seoul", "종로구", 0.18),
    "21": ("부산광역시", "Busan", "해운대구", 0.07),
    "22": ("대구광역시", "Daegu", "수성구", 0.05),
    "23": ("인천광역시", "Incheon", "남동구", 0.06),
    "24": ("광주광역시", "Gwangju", "북구", 0.03),
    "25": ("대전광역시", "Daejeon", "유성구", 0.03),
    "26": ("울산광역시", "Ulsan", "남구", 0.02),
    "29": ("세종특별자치시", "Sejong", "세종시", 0.01),
    "31": ("경기도", "Gyeonggi", "수원시", 0.26),
    "32": ("강원특별자치도", "Gangwon", "춘천시", 0.03),
    "33": ("충청북도", "Chungbuk", "청주시", 0.03),
    "34": ("충청남도", "Chungnam", "천안시", 0.04),
    "35": ("전북특별자치도", "Jeonbuk", "전주시", 0.035),
    "36": ("전라남도", "Jeonnam", "목포시", 0.035),
    "37": ("경상북도", "Gyeongbuk", "포항시", 0.05),
    "38": ("경상남도", "Gyeongnam", "창원시", 0.06),
    "39": ("제주특별자치도", "Jeju", "제주시", 0.01),
}
SURNAMES = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"]
GIVEN = [
    "민준", "서연", "지훈", "하은", "도윤", "수빈",
    "현우", "지영", "영수", "순자", "정호", "미경",
]


def _person_row(rng: np.random.Generator, hid: int, pid: int, rel: str, age: int, sex: str,
                sido: str) -> dict[str, object]:
    if age < 15:
        activity, marital, edu = "under_15", "never_married", "elementary" if age >= 7 else "none"
    else:
        p_emp = 0.75 if 25 <= age < 60 else (0.45 if 60 <= age < 70 else 0.2)
        activity = rng.choice(["employed", "unemployed", "inactive"], p=[p_emp, 0.04, 0.96 - p_emp])
        marital = "married" if rel in ("head", "spouse") and age >= 28 and rng.random() < 0.8 else (
            "never_married" if age < 40 else str(rng.choice(["widowed", "divorced", "married"])))
        edu = str(rng.choice(["middle", "high", "college", "university"]))
    employed = activity == "employed"
    occupation = str(rng.choice(list(schema.OCCUPATION_GROUPS)[:9])) if employed else None
    return {
        "person_id": pid, "household_id": hid, "relationship": rel, "age": age, "sex": sex,
        "sido_code": sido, "sigungu_code": sido + "010", "emd_code": sido + "010101",
        "name": str(rng.choice(SURNAMES)) + str(rng.choice(GIVEN)), "marital_status": marital,
        "education": edu, "economic_activity": str(activity), "occupation": occupation,
        "nationality": "korean",
    }


def write_population(folder: Path, n_households: int, seed: int) -> Path:
    """Write a population folder with ``n_households`` households (about 2.3 persons each)."""
    rng = np.random.default_rng(seed)
    codes = list(SIDO)
    weights = np.array([SIDO[c][3] for c in codes])
    persons: list[dict[str, object]] = []
    households: list[dict[str, object]] = []
    pid = 0
    for hid in range(n_households):
        sido = codes[rng.choice(len(codes), p=weights / weights.sum())]
        size = int(rng.choice([1, 2, 3, 4, 5], p=[0.33, 0.28, 0.2, 0.15, 0.04]))
        head_age = int(rng.integers(20, 90))
        head_sex = "M" if rng.random() < 0.65 else "F"
        members = [("head", head_age, head_sex)]
        if size >= 2:
            members.append(("spouse", max(20, head_age + int(rng.integers(-5, 6))),
                            "F" if head_sex == "M" else "M"))
        for _ in range(size - len(members)):
            members.append(("child", max(0, head_age - int(rng.integers(22, 40))),
                            "M" if rng.random() < 0.5 else "F"))
        for rel, age, sex in members:
            persons.append(_person_row(rng, hid, pid, rel, age, sex, sido))
            pid += 1
        households.append({
            "household_id": hid, "size": size, "kind": "general",
            "type": "one_person" if size == 1 else ("couple" if size == 2 else "couple_children"),
            "dwelling_type": str(rng.choice(["apartment", "detached"])),
            "income_bracket": str(rng.choice(schema.INCOME_BRACKETS)),
            "head_person_id": pid - size, "sido_code": sido, "sigungu_code": sido + "010",
            "emd_code": sido + "010101",
        })
    folder.mkdir(parents=True, exist_ok=True)
    # Coded columns stored as categoricals, like the synthesiser writes them.
    frame = pl.DataFrame(persons, schema_overrides={"occupation": pl.String})
    coded = [c for c, t in frame.schema.items() if t == pl.String]
    frame.with_columns(pl.col(c).cast(pl.Categorical) for c in coded).write_parquet(
        folder / schema.PERSONS_FILE)
    pl.DataFrame(households).write_parquet(folder / schema.HOUSEHOLDS_FILE)
    pl.DataFrame([
        {"emd_code": c + "010101", "emd_name": "중앙동", "sigungu_code": c + "010",
         "sigungu_name": SIDO[c][2], "sido_code": c, "sido_name": SIDO[c][0],
         "sido_name_en": SIDO[c][1]} for c in codes
    ]).write_parquet(folder / schema.REGIONS_FILE)
    (folder / schema.MANIFEST_FILE).write_text(json.dumps({"seed": seed, "fixture": True}))
    return folder


@pytest.fixture(scope="session")
def population_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 3,500 persons, shared read-only by the tests (copy it before writing into it)."""
    return write_population(tmp_path_factory.mktemp("pop") / "pop", n_households=1500, seed=7)
