"""Extract the KGSS 2003-2012 household rosters into ``src/synthsoc/data/reference``.

    SYNTHSOC_SHARED=/work/shared python scripts/extract_kgss_rosters.py

Each KGSS respondent lists every member of the household (relationship to the respondent,
sex, age, marital status, whether employed, whether living there) and names the householder.
This script keeps the members who live in the household, re-expresses every relationship
relative to the householder and writes one row per member. A roster is left out, never
patched, when a member's sex, age, marital status or employment is missing, when the
householder is not the respondent, the respondent's spouse, parent or parent-in-law (the
relationships of the others to the head cannot be read off), when the members living there
do not add up to the respondent's own household count (HOMPOP), or when it has more than 10
members. The counts left out for each reason are written in the file's header.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SYNTHSOC_SHARED", ROOT.parent / "shared")) / "data" / "korea"
OUT = ROOT / "src" / "synthsoc" / "data" / "reference" / "kgss_household_rosters_2003_2012.csv"
MAX_MEMBERS = 10

# KGSS relationship to the respondent (RELATE2..10): 2 spouse, 3 child, 4 child's spouse,
# 5 grandchild, 6 grandchild's spouse, 7 parent, 8 spouse's parent, 9 sibling, 10 spouse's
# sibling, 11 grandparent, 12 friend, 13 nephew/niece, 14 sibling's spouse, 15 cousin,
# 16 parent's sibling, 17 lodger, 18 carer, 19 housekeeper, 20 partner, 21 other.
NON_RELATIVE = {12, 17, 18, 19, 20}
# Relationship to the head, by who the head is (respondent's code of the head -> respondent's
# code of a member -> relationship to the head); codes not listed are "other_relative" for
# relatives and "non_relative" for NON_RELATIVE. 1 is the respondent.
TO_HEAD: dict[int, dict[int, str]] = {
    1: {2: "spouse", 3: "child", 5: "grandchild", 7: "parent", 9: "sibling"},
    2: {1: "spouse", 3: "child", 5: "grandchild", 8: "parent", 10: "sibling"},
    7: {1: "child", 7: "spouse", 3: "grandchild", 9: "child", 13: "grandchild"},
    8: {2: "child", 8: "spouse", 3: "grandchild", 10: "child"},
}
# Generation relative to the head (for the family type), same keys.
GENERATION: dict[int, dict[int, int]] = {
    1: {2: 0, 3: -1, 4: -1, 5: -2, 6: -2, 7: 1, 8: 1, 9: 0, 10: 0, 11: 2, 13: -1, 14: 0,
        15: 0, 16: 1},
    2: {1: 0, 3: -1, 4: -1, 5: -2, 6: -2, 7: 1, 8: 1, 9: 0, 10: 0, 11: 2, 13: -1, 14: 0,
        15: 0, 16: 1},
    7: {1: -1, 7: 0, 2: -1, 3: -2, 4: -2, 5: -3, 8: 0, 9: -1, 10: -1, 11: 1, 13: -2, 14: -1,
        15: -1, 16: 0},
    8: {1: -1, 2: -1, 8: 0, 3: -2, 4: -2, 5: -3, 7: 0, 9: -1, 10: -1, 11: 1, 13: -2, 14: -1,
        15: -1, 16: 0},
}
MARITAL = {1: "married", 2: "widowed", 3: "divorced", 4: "divorced", 5: "never_married",
           6: "never_married"}  # separated counted as divorced, cohabiting as never married


def household_type(roles: list[str], generations: set[int]) -> str:
    if len(roles) == 1:
        return "one_person"
    relatives = [r for r in roles[1:] if r != "non_relative"]
    if not relatives:
        return "non_family"
    if len(generations) >= 3:
        return "three_generation"
    others = set(roles[1:])
    if others == {"spouse"}:
        return "couple"
    if "spouse" in others and others <= {"spouse", "child"}:
        return "couple_children"
    if others == {"child"}:
        return "single_parent"
    return "other_family"


def main() -> None:
    raw = pl.read_csv(SHARED / "microdata" / "kgss_2003_2012.csv.gz", infer_schema_length=0)
    names = ["YEAR", "RESPID", "FINALWT", "SEX", "AGE", "MARITAL", "EMPLY", "HOMPOP", "HHWHO"]
    names += [f"{v}{k}" for k in range(2, 11)
              for v in ("RELATE", "GENDER", "OLD", "MAR", "AWAY", "EMPLY")]
    frame = raw.select(names).with_columns(pl.exclude("FINALWT").cast(pl.Float64, strict=False)
                                           .fill_null(-1).cast(pl.Int64),
                                           pl.col("FINALWT").cast(pl.Float64))
    rows: list[dict[str, object]] = []
    dropped: Counter[str] = Counter()
    kept = 0
    for rec in frame.iter_rows(named=True):
        members = [(1, rec["SEX"], rec["AGE"], rec["MARITAL"], rec["EMPLY"])]
        for k in range(2, 11):
            if rec[f"AWAY{k}"] == 1:
                members.append((rec[f"RELATE{k}"], rec[f"GENDER{k}"], rec[f"OLD{k}"],
                                rec[f"MAR{k}"], rec[f"EMPLY{k}"]))
        head_no = rec["HHWHO"]
        if head_no == 1:
            head_code = 1
        elif 2 <= head_no <= 10 and rec[f"AWAY{head_no}"] == 1:
            head_code = rec[f"RELATE{head_no}"]
        else:
            dropped["householder missing or not living there"] += 1
            continue
        if head_code not in TO_HEAD:
            dropped["householder not respondent, spouse, parent or parent-in-law"] += 1
            continue
        if len(members) != rec["HOMPOP"]:
            dropped["members living there differ from HOMPOP"] += 1
            continue
        if len(members) > MAX_MEMBERS:
            dropped["more than 10 members"] += 1
            continue
        bad = [m for m in members
               if m[0] not in range(1, 22) or m[1] not in (1, 2) or not 0 <= m[2] <= 110
               or (m[2] >= 15 and (m[3] not in MARITAL or m[4] not in (1, 2)))]
        if bad:
            dropped["a member's relationship, sex, age, marital status or employment "
                    "missing"] += 1
            continue
        # The head: the respondent or the member at HHWHO (its code for the case).
        head_index = 0 if head_no == 1 else 1 + sum(
            1 for k in range(2, head_no) if rec[f"AWAY{k}"] == 1)
        mapping, gens = TO_HEAD[head_code], GENERATION[head_code]
        roles, generation = [], {0}
        for i, (code, *_rest) in enumerate(members):
            if i == head_index:
                roles.append("head")
                continue
            if code in NON_RELATIVE:
                roles.append("non_relative")
                continue
            roles.append(mapping.get(code, "other_relative"))
            generation.add(gens.get(code, 0))
        if roles.count("spouse") > 1:
            dropped["two members would be the head's spouse"] += 1
            continue
        order = [head_index] + [i for i in range(len(members)) if i != head_index]
        ordered_roles = [roles[i] for i in order]
        htype = household_type(ordered_roles, generation)
        roster_id = kept
        kept += 1
        for member_no, i in enumerate(order):
            _code, sex, age, mar, emp = members[i]
            rows.append({
                "roster_id": roster_id, "survey_year": rec["YEAR"],
                "weight": round(rec["FINALWT"], 4), "household_type": htype, "member": member_no,
                "relationship": roles[i], "sex": "M" if sex == 1 else "F", "age": age,
                "marital_status": MARITAL[mar] if age >= 15 else "never_married",
                "employed": int(age >= 15 and emp == 1),
            })
    table = pl.DataFrame(rows)
    n_rosters = table["roster_id"].n_unique()
    header = [
        "source: Korean General Social Survey (KGSS) 2003-2012 respondent microdata, household "
        "roster items RELATE/GENDER/OLD/MAR/AWAY/EMPLY 2-10, HHWHO, HOMPOP and the respondent's "
        "SEX/AGE/MARITAL/EMPLY/FINALWT (Sungkyunkwan University Survey Research Center; Kim, "
        "Jibum et al. 2017, Korean General Social Survey 2003-2016), via "
        "../shared/data/korea/microdata/kgss_2003_2012.csv.gz (GitHub mrchypark/KGSS commit "
        "b5d6d6c4, CC0)",
        "derived here by scripts/extract_kgss_rosters.py: roster_id numbers the kept rosters "
        "in the order of the source file; members living in the household, "
        "relationship re-expressed relative to the householder (HHWHO), one row per member, "
        "head first; separated counted as divorced, cohabiting as never married; under 15: "
        "never married and not employed. weight = FINALWT (survey weight of the respondent, "
        "mean 1), the same for every member. Ages as reported in the survey year.",
        f"kept {n_rosters} of {frame.height} rosters; left out (never patched): "
        + "; ".join(f"{reason}: {n}" for reason, n in sorted(dropped.items())),
    ]
    OUT.write_text("".join(f"# {line}\n" for line in header) + table.write_csv(),
                   encoding="utf-8")
    sizes = table.group_by("roster_id").len()["len"].to_numpy()
    print(f"{n_rosters} rosters, {table.height} members -> {OUT}")
    print("sizes", np.unique(sizes, return_counts=True))
    print(dict(dropped))


if __name__ == "__main__":
    main()
