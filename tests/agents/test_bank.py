"""The KGSS agent bank: bundled data against the shared source, life sketches, memories of
one's own answers, retrieval, and accuracy against the respondents' own answers and baselines."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from synthsoc.agents import HashEmbedder
from synthsoc.agents.bank import (
    HELD_OUT_ITEMS,
    MEMORY_ITEMS,
    BankRespondent,
    ask_bank,
    ask_bank_items,
    bank_file,
    build_agents,
    life_sketch,
    load_bank,
)
from synthsoc.agents.bank_eval import (
    majority_answer,
    per_respondent_accuracy,
    score,
    split_bank,
    statistical_predictions,
)
from synthsoc.data.kgss import read_respondents
from synthsoc.llm import LLMRequest

from ..llm.llm_fakes import Answer, ScriptedLLM

SHARED = Path("/work/shared/data/korea/microdata/kgss_2003_2012.csv.gz")


@pytest.fixture(scope="module")
def bank():  # type: ignore[no-untyped-def]
    return load_bank()


def test_bundled_rows_are_the_2010_wave_of_the_shared_kgss_file() -> None:
    if not SHARED.is_file():
        pytest.skip("the shared KGSS file is not on this machine")
    columns = ["RESPID", "AGE", "PARTYLR", "CONGOVT", "GRNTAXES"]
    source = (pl.read_csv(SHARED, infer_schema=False, columns=["YEAR", *columns])
              .filter(pl.col("YEAR") == "2010").drop("YEAR"))
    bundled = read_respondents(bank_file(2010), columns)
    assert bundled.height == source.height == 1576
    assert bundled.sort("RESPID").equals(source.sort("RESPID"))


def test_life_sketch_of_hand_written_answers(bank) -> None:  # type: ignore[no-untyped-def]
    row = {"SEX": "1", "AGE": "45.0", "REGION": "5", "URBRURAL": "3", "MARITAL": "1",
           "EDUC": "3", "RELIG": "1", "EMPLY": "1", "HOMPOP": "4", "INCOM0": "300"}
    assert life_sketch(row, bank.codebook, 2010) == (
        "2010년에 45세 남자. 경상 지역 '작은 도시'에 산다. 혼인 상태: 기혼. 최종 학교: 고등학교. "
        "종교: 불교. 일: 취업. 함께 사는 가족 4명(본인 포함). 월평균 가구소득 약 300만원.")
    unknown = {**row, "INCOM0": "-8", "RELIG": "88"}  # don't know: left out, not guessed
    sketch = life_sketch(unknown, bank.codebook, 2010)
    assert "소득" not in sketch and "종교" not in sketch


def test_each_agent_remembers_exactly_its_own_answers(bank) -> None:  # type: ignore[no-untyped-def]
    people = bank.respondents[:3]
    agents = build_agents(bank, people, HashEmbedder())
    for agent, person in zip(agents, people, strict=True):
        answered = [i for i in MEMORY_ITEMS if i in person.answers]
        assert len(agent.stream) == len(answered)
        for memory, item in zip(agent.stream.memories, answered, strict=True):
            variable = bank.item(item)
            assert variable.label in memory.text
            assert variable.labels[person.answers[item]] in memory.text
        assert not any(bank.item(i).label in m.text for m in agent.stream.memories
                       for i in HELD_OUT_ITEMS)


def choice_of(code: str) -> ScriptedLLM:
    def answer(request: LLMRequest, number: int) -> Answer:
        return json.dumps({"choice": code})
    return ScriptedLLM(answer)


def test_agent_answers_are_scored_against_the_respondents_own(bank) -> None:  # type: ignore[no-untyped-def]
    people = bank.respondents[:40]
    item = bank.item("CONLGOVT")
    llm = choice_of("2")
    embedder = HashEmbedder()
    agents = build_agents(bank, people, embedder)
    answers = ask_bank(agents, item, llm, embedder, k=4, concurrency=1)
    assert llm.calls == 40 and answers.failures == 0
    result, _ = score(people, "CONLGOVT", "agent", answers.codes)
    # hand count: respondents whose own answer was 2 (다소 신뢰)
    assert result.answered == sum("CONLGOVT" in p.answers for p in people)
    assert result.correct == sum(p.answers.get("CONLGOVT") == "2" for p in people)
    with_memories = next(r.prompt for r in llm.requests if people[0].sketch in r.prompt)
    assert with_memories.count("\n- 설문") == 4 and item.label in with_memories
    demographic = choice_of("2")
    ask_bank(agents, item, demographic, embedder, with_memories=False, concurrency=1)
    assert "설문" not in demographic.requests[0].prompt.split("질문:")[0]


def test_log_probability_scoring_reads_the_whole_distribution(bank) -> None:  # type: ignore[no-untyped-def]
    """One label token per agent: the distribution over the item's codes is the label mass
    renormalised (hand-computed), the answer its most probable code; an agent whose first
    token put almost nothing on the labels (below MIN_LABEL_MASS) is non-response."""
    import math

    people = bank.respondents[:3]
    item = bank.item("CONLGOVT")  # three options: labels 1, 2, 3
    embedder = HashEmbedder()
    agents = build_agents(bank, people, embedder)
    script = [{"1": math.log(0.1), "2": math.log(0.3), " 3": math.log(0.4), "x": math.log(0.2)},
              {"3": math.log(0.5), "1": math.log(0.5)},
              {"네": math.log(0.995), "2": math.log(0.005)}]

    def answer(request: LLMRequest, number: int) -> Answer:  # by respondent, whatever the order
        return next(s for p, s in zip(people, script, strict=True) if p.sketch in request.prompt)

    llm = ScriptedLLM(answer)
    answers = ask_bank(agents, item, llm, embedder, k=4, concurrency=1, scoring="logprobs")
    assert llm.calls == 3 and all(r.max_tokens == 1 and r.logprobs for r in llm.requests)
    codes = list(item.labels)
    assert answers.codes == (codes[2], codes[0], None) and answers.failures == 1
    assert answers.distributions is not None and answers.distributions[2] is None
    first = answers.distributions[0]
    assert first is not None
    assert [round(first[c], 6) for c in codes] == [0.125, 0.375, 0.5]  # 0.1, 0.3, 0.4 over 0.8
    prompt = next(r.prompt for r in llm.requests if people[0].sketch in r.prompt)
    assert "1. " in prompt and "3. " in prompt and prompt.count("\n- 설문") == 4
    with pytest.raises(ValueError, match="scoring"):
        ask_bank(agents, item, llm, embedder, scoring="sampling")


def test_a_malformed_answer_counts_as_wrong_and_is_reported(bank) -> None:  # type: ignore[no-untyped-def]
    people = bank.respondents[:5]
    embedder = HashEmbedder()
    agents = build_agents(bank, people, embedder)
    llm = ScriptedLLM(lambda request, number: "모르겠어요")
    answers = ask_bank(agents, bank.item("PARTYLR"), llm, embedder, concurrency=1)
    assert answers.codes == (None,) * 5 and answers.failures == 5
    result, hits = score(people, "PARTYLR", "agent", answers.codes)
    assert result.correct == 0 and result.missing == result.answered


def test_retrieval_brings_the_kindred_trust_answers(bank) -> None:  # type: ignore[no-untyped-def]
    embedder = HashEmbedder()
    agent = build_agents(bank, bank.respondents[:1], embedder)[0]
    query = embedder.embed([bank.item("CONLGOVT").label], query=True)[0]
    from synthsoc.agents.params import RetrievalWeights

    found = agent.stream.retrieve(query, 0, RetrievalWeights(), 5)
    assert all("지도층에 대한 신뢰" in m.text for m in found)


def person(respid: str, x: str, y: str | None) -> BankRespondent:
    answers = {"CONGOVT": x} | ({"CONLGOVT": y} if y is not None else {})
    return BankRespondent(respid, "", answers, {"SEX": "1"})


def test_baselines_on_a_hand_made_bank() -> None:
    # CONLGOVT equals CONGOVT for everyone: the statistical model must learn it; the majority
    # answer is 3 (three of five training respondents).
    train = [person(str(i), x, x) for i, x in enumerate("33312" * 8)]
    test = [person("t1", "1", "1"), person("t2", "2", "2"), person("t3", "3", "3"),
            person("t4", "2", None)]
    assert majority_answer(train, "CONLGOVT") == "3"
    predicted = statistical_predictions(train, test, "CONLGOVT", ("CONGOVT",), seed=1)
    result, hits = score(test, "CONLGOVT", "statistical", predicted)
    assert (result.answered, result.correct) == (3, 3)
    majority, _ = score(test, "CONLGOVT", "majority", ["3"] * 4)
    assert (majority.answered, majority.correct) == (3, 1)
    assert per_respondent_accuracy(hits[:, None]).tolist() == [1.0, 1.0, 1.0]


def test_the_split_is_seeded_and_disjoint(bank) -> None:  # type: ignore[no-untyped-def]
    a, b = split_bank(bank, 0.25, 3), split_bank(bank, 0.25, 3)
    assert a == b
    assert len(a.test) == 394 and len(a.train) + len(a.test) == 1576
    assert not {r.respid for r in a.train} & {r.respid for r in a.test}


def test_all_items_of_an_agent_go_in_prefix_order_with_answers_in_item_order(bank) -> None:  # type: ignore[no-untyped-def]
    """ask_bank_items sends one agent's prompts sorted (so a llama.cpp server reuses their
    shared beginning) and still files each answer under its own item and agent: the script
    answers each prompt with the code of its item's position, checked per item."""
    people = bank.respondents[:2]
    embedder = HashEmbedder()
    agents = build_agents(bank, people, embedder)
    items = [bank.item(i) for i in HELD_OUT_ITEMS[:4]]

    def answer(request: LLMRequest, number: int) -> Answer:
        position = next(j for j, item in enumerate(items)
                        if f"질문: {item.label}\n" in request.prompt)
        return json.dumps({"choice": str(1 + position % 2)})

    llm = ScriptedLLM(answer)
    found = ask_bank_items(agents, items, llm, embedder, with_memories=True)
    assert [a.item for a in found] == [i.name for i in items]
    assert [a.codes for a in found] == [("1", "1"), ("2", "2"), ("1", "1"), ("2", "2")]
    prompts = [r.prompt for r in llm.requests]
    assert prompts == sorted(prompts) and len(prompts) == 8
    # the same prompts one at a time (the old order): identical requests, only the order moved
    single = ScriptedLLM(answer)
    for item in items:
        ask_bank(agents, item, single, embedder)
    assert sorted(r.prompt for r in single.requests) == prompts


@pytest.mark.parametrize("wave", [2011, 2012])
def test_bundled_later_waves_are_the_rows_of_the_shared_kgss_file(wave: int) -> None:
    if not SHARED.is_file():
        pytest.skip("the shared KGSS file is not on this machine")
    bundled = read_respondents(bank_file(wave))
    source = (pl.read_csv(SHARED, infer_schema=False, columns=bundled.columns)
              .filter(pl.col("YEAR") == str(wave)))
    assert bundled.height == source.height == {2011: 1535, 2012: 1396}[wave]
    assert bundled.sort("RESPID").equals(source.sort("RESPID"))


def test_a_bank_of_several_waves_asks_only_what_every_wave_asked() -> None:
    """The items kept are those the codebook (an independent record: its years_asked field)
    lists for both 2010 and 2012; every respondent of both waves is there, with its own year."""
    both = load_bank((2010, 2012))
    book = both.codebook
    asked = [i for i in (*MEMORY_ITEMS, *HELD_OUT_ITEMS) if {2010, 2012} <= set(book[i].years)]
    assert (*both.memory_items, *both.held_out_items) == tuple(asked)
    assert both.held_out_items == ("CONLGOVT", "PARTYLR", "FINREL05")
    assert len(both.respondents) == 1576 + 1396 and both.waves == (2010, 2012)
    later = [r for r in both.respondents if r.wave == 2012]
    assert len(later) == 1396 and all(r.sketch.startswith("2012년에") for r in later[:50])
    assert all(set(r.answers) <= set(asked) for r in both.respondents)
    alone = load_bank()
    assert alone.waves == (2010,) and alone.memory_items == MEMORY_ITEMS
    with pytest.raises(ValueError, match="no bundled KGSS wave 2009.*2010, 2011, 2012"):
        load_bank((2010, 2009))
