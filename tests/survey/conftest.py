"""Test fixture: a small seeded population folder in the synthsoc format (not real data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

REGIONS = [
    ("11010510", "청운효자동", "11010", "종로구", "11", "서울특별시", "Seoul"),
    ("11230510", "역삼1동", "11230", "강남구", "11", "서울특별시", "Seoul"),
    ("21010510", "중앙동", "21010", "중구", "21", "부산광역시", "Busan"),
    ("31011510", "파장동", "31011", "수원시 장안구", "31", "경기도", "Gyeonggi-do"),
    ("39010510", "일도1동", "39010", "제주시", "39", "제주특별자치도", "Jeju-do"),
]


def write_population(folder: Path, n_households: int = 1500, seed: int = 7) -> Path:
    """Write a plausible small population (households of 1-4 persons) to ``folder``."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    regions = pl.DataFrame(
        REGIONS,
        schema=[
            "emd_code",
            "emd_name",
            "sigungu_code",
            "sigungu_name",
            "sido_code",
            "sido_name",
            "sido_name_en",
        ],
        orient="row",
    )
    region_idx = rng.choice(len(REGIONS), size=n_households, p=[0.2, 0.15, 0.2, 0.35, 0.1])
    sizes = rng.choice([1, 2, 3, 4], size=n_households, p=[0.33, 0.28, 0.2, 0.19])
    hh_ids = np.arange(n_households)
    person_hh = np.repeat(hh_ids, sizes)
    n = person_hh.size
    first = np.r_[True, person_hh[1:] != person_hh[:-1]]
    age = np.where(first, rng.integers(20, 90, n), rng.integers(0, 90, n))
    sex = rng.choice(["M", "F"], n)
    edu = rng.choice(["middle", "high", "college", "university", "graduate"], n)
    activity = np.where(age < 15, "under_15", rng.choice(["employed", "inactive"], n))
    occupation = np.where(activity == "employed", rng.choice(["2", "3", "5", "7"], n), None)
    emd = [REGIONS[i] for i in region_idx[person_hh]]
    persons = pl.DataFrame(
        {
            "person_id": np.arange(n),
            "household_id": person_hh,
            "relationship": np.where(first, "head", "child"),
            "age": age,
            "sex": sex,
            "sido_code": [r[4] for r in emd],
            "sigungu_code": [r[2] for r in emd],
            "emd_code": [r[0] for r in emd],
            "name": ["김민수"] * n,
            "marital_status": np.where(age < 30, "never_married", "married"),
            "education": edu,
            "economic_activity": activity,
            "occupation": list(occupation),
            "nationality": ["korean"] * n,
        }
    )
    hh_regions = [REGIONS[i] for i in region_idx]
    households = pl.DataFrame(
        {
            "household_id": hh_ids,
            "size": sizes,
            "kind": ["general"] * n_households,
            "type": np.where(sizes == 1, "one_person", "couple_children"),
            "dwelling_type": rng.choice(["apartment", "detached"], n_households),
            "income_bracket": rng.choice(["10_30m", "30_50m", "50_70m", "70_100m"], n_households),
            "head_person_id": np.flatnonzero(first),
            "sido_code": [r[4] for r in hh_regions],
            "sigungu_code": [r[2] for r in hh_regions],
            "emd_code": [r[0] for r in hh_regions],
        }
    )
    persons.write_parquet(folder / "persons.parquet")
    households.write_parquet(folder / "households.parquet")
    regions.write_parquet(folder / "regions.parquet")
    (folder / "manifest.json").write_text(json.dumps({"fixture": True, "seed": seed}))
    return folder


@pytest.fixture(scope="session")
def population_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_population(tmp_path_factory.mktemp("population") / "pop")
