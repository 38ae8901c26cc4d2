"""Town agents grounded in KGSS respondents: the match by sex, age band and region (checked
against the bundled respondents' own codes), the answers as memories, the fallback when a
region has no respondent, and a grounded town checkpointed and resumed."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthsoc.agents import HashEmbedder, LLMJudge, load_checkpoint
from synthsoc.agents.bank import MEMORY_ITEMS, AgentBank, answer_memory, load_bank
from synthsoc.agents.checkpoint import save_checkpoint
from synthsoc.agents.grounding import kgss_region, match_residents

from .conftest import family, make_town, resident


@pytest.fixture(scope="module")
def bank() -> AgentBank:
    return load_bank()


def test_each_adult_gets_a_respondent_of_its_sex_age_band_and_region(bank: AgentBank) -> None:
    people = (resident(1, age=45, sex="F"), resident(2, age=45, sex="F"),
              resident(3, age=67, sex="M"), resident(4, age=16, sex="M"))
    matches = match_residents(people, "서울특별시", seed=1, bank=bank)
    by_id = {r.respid: r for r in bank.respondents}
    assert [g.person_id for g in matches] == [1, 2, 3]  # the 16-year-old is not grounded
    expected = [("2", "40"), ("2", "40"), ("1", "60")]
    for g, (sex, band) in zip(matches, expected, strict=True):
        who = by_id[g.respid].demographics
        assert (who["SEX"], who["AGE"], who["REGION"]) == (sex, band, "1")  # 1 = 서울
        assert g.match == "sex+age band+region"
        own = by_id[g.respid].answers
        assert g.memories == tuple(answer_memory(bank.item(i), own[i])
                                   for i in MEMORY_ITEMS if i in own)
    assert matches[0].respid != matches[1].respid  # one respondent per agent while others remain
    assert match_residents(people, "서울특별시", seed=1, bank=bank) == matches  # seeded


def test_a_region_with_no_respondent_left_falls_back_and_says_so(bank: AgentBank) -> None:
    seoul_only = AgentBank(bank.codebook, tuple(r for r in bank.respondents
                                                if r.demographics.get("REGION") == "1"))
    (g,) = match_residents((resident(1, age=33, sex="M"),), "제주특별자치도", seed=2,
                           bank=seoul_only)
    assert g.match == "sex+age band"
    assert kgss_region("제주특별자치도") == "7" and kgss_region("인천광역시") == "2"
    with pytest.raises(ValueError, match="sido_name"):
        kgss_region("평양직할시")


def test_a_grounded_town_remembers_the_answers_and_resumes_identically(
        scripted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    town = make_town(family(3), scripted, grounding="kgss")
    town.run_until(town.minute + 30)
    adults = [p for p in town.ids if town.residents[p].age >= 18]
    assert sorted(town.grounding) == adults
    for pid in adults:
        answers = [m.text for m in town.streams[pid].memories if m.kind == "survey_answer"]
        assert answers == list(town.grounding[pid].memories)
    summary = town.summary()
    assert summary["grounded_agents"] == len(adults) and summary["ungrounded_adults"] == []
    save_checkpoint(town, tmp_path)
    again = load_checkpoint(tmp_path, HashEmbedder(), LLMJudge(scripted, concurrency=1))
    assert again.grounding == town.grounding
    assert [m.text for m in again.streams[adults[0]].memories] == [
        m.text for m in town.streams[adults[0]].memories]
    with pytest.raises(ValueError, match="grounding"):
        make_town(family(1), scripted, grounding="gss")
