"""Town agents grounded in real respondents: each adult agent of a town is matched to one KGSS
2010 respondent of the agent bank (:mod:`synthsoc.agents.bank`) and starts with that person's
survey answers as memories, so interviews and surveys of the town answer from real attitudes.

The match: same sex, same 10-year age band (the bank's AGE category; the respondent's age in
2010, not the cohort) and the same KGSS region as the town's province
(``data/kgss/kgss_region_of_sido.csv``, cited); where no respondent of that region is left, the
same sex and age band anywhere, and the match says so. Among the candidates one is drawn by the
run's seed, each respondent at most once per town while others remain. Agents under the survey's
age (18) are not grounded. The answers are those of a similar person surveyed in 2010, not of
the synthetic person: a proxy for attitudes, stated in the run's summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synthsoc.agents.bank import (
    MEMORY_ITEMS,
    AgentBank,
    BankRespondent,
    answer_memory,
    bank_folder,
    load_bank,
)
from synthsoc.agents.residents import Resident
from synthsoc.data.readers import read_csv

REGION_FILE = "kgss_region_of_sido.csv"
MIN_AGE = 18  # the KGSS universe: adults 18 and over


@dataclass(frozen=True)
class Grounding:
    """One agent's respondent and how closely it matched."""

    person_id: int
    respid: str
    match: str  # "sex+age band+region" or "sex+age band"
    memories: tuple[str, ...]  # the respondent's answers, as Korean memory texts


def kgss_region(sido_name: str, path: Path | None = None) -> str:
    """The KGSS REGION code of a province, from the bundled crosswalk."""
    path = path or bank_folder() / REGION_FILE
    table = read_csv(path, required=("sido_name", "kgss_region"))
    name, code = table.header.index("sido_name"), table.header.index("kgss_region")
    regions = {row[name]: row[code] for row in table.rows}
    if sido_name not in regions:
        raise ValueError(f"{path}: no row for province {sido_name!r} (field sido_name)")
    return regions[sido_name]


def _sex_code(sex: str) -> str:
    return {"M": "1", "F": "2"}[sex]


def _band(age: int) -> str:
    return str(min(age, 120) // 10 * 10)


def match_residents(residents: Iterable[Resident], sido_name: str, seed: int,
                    bank: AgentBank | None = None) -> list[Grounding]:
    """A respondent for every resident aged 18 or over (in person_id order)."""
    bank = bank or load_bank()
    region = kgss_region(sido_name)
    rng = np.random.default_rng([seed, 71])
    used: set[str] = set()
    out: list[Grounding] = []
    for r in sorted(residents, key=lambda r: r.person_id):
        if r.age < MIN_AGE:
            continue
        alike = [p for p in bank.respondents if p.demographics.get("SEX") == _sex_code(r.sex)
                 and p.demographics.get("AGE") == _band(r.age)]
        local = [p for p in alike if p.demographics.get("REGION") == region]
        pool, match = (local, "sex+age band+region") if local else (alike, "sex+age band")
        if not pool:
            continue
        fresh = [p for p in pool if p.respid not in used] or pool
        chosen: BankRespondent = fresh[int(rng.integers(len(fresh)))]
        used.add(chosen.respid)
        texts = tuple(answer_memory(bank.item(i), chosen.answers[i])
                      for i in MEMORY_ITEMS if i in chosen.answers)
        out.append(Grounding(r.person_id, chosen.respid, match, texts))
    return out
