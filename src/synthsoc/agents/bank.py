"""An agent bank grounded in real respondents: one generative agent per KGSS respondent.

Each agent's memory stream holds its own survey answers (one memory per answered item, in
Korean: the question and the option chosen) and the agent carries a short Korean life sketch
derived from its demographic answers (age, sex, region, size of place, marital status,
schooling, religion, household, income, work). Asked a question it never answered, the agent
retrieves the answers most relevant to it (recency x importance x relevance, as in the town;
here only relevance differs) and the model chooses an option in character. The
*demographics-only* agent is the same agent with the sketch and no answers (genagents' baseline).

The bundled files ``data/kgss/kgss_WAVE_bank.csv.gz`` hold the respondents of the waves in
:data:`WAVES`: 2010 (1,576 respondents) with 13 demographic and design columns, the 48
:data:`MEMORY_ITEMS` and the 10 :data:`HELD_OUT_ITEMS` (chosen so that each held-out item has kin
among the memory items: trust in local government beside trust in central government, paying
taxes for the environment beside paying prices for it, and so on); 2011 (1,535) and 2012 (1,396)
with the same columns less those the wave did not ask (the 2010 environment and migration
modules). A bank of several waves keeps only the items every chosen wave asked (the KGSS
cumulative file gives an item one name and one coding across waves), so its questions are
comparable: 2010-2012 share 28 memory items and 3 held-out items (trust in local government,
political leaning, subjective household income). The codebook rows are in the same folder, all
files cited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from synthsoc.agents.embedding import Embedder
from synthsoc.agents.memory import Memory, MemoryStream
from synthsoc.agents.params import RetrievalWeights
from synthsoc.data.kgss import KgssVariable, read_codebook, read_respondents
from synthsoc.llm import LLM, LLMRequest, LLMResponse, parse_answer
from synthsoc.llm.batch import complete_in_prefix_order
from synthsoc.llm.choice import choice_request, option_distribution, option_labels

WAVES: tuple[int, ...] = (2010, 2011, 2012)  # the bundled waves
DEFAULT_WAVES: tuple[int, ...] = (2010,)
BANK_CODEBOOK = "kgss_bank_codebook.csv"
DEMOGRAPHICS = ("SEX", "AGE", "MARITAL", "EDUC", "REGION", "URBRURAL", "HOMPOP", "RELIG", "EMPLY",
                "INCOM0")
MEMORY_ITEMS = (
    "CONBUS", "CONCLERG", "CONEDUC", "CONLABOR", "CONPRESS", "CONTV", "CONMEDIC", "CONGOVT",
    "CONLEGIS", "CONJUDGE", "CONSCI", "CONARMY", "CONFINAN", "CONBLUHO", "CONCSO", "POLPROS",
    "CURGOV", "EQWLTH", "CORRUPT", "NORTHPOL", "NORTHWHO", "UNIFI", "SATPOL", "ECOPROS",
    "SATFIN", "FINALTER", "FINPROS", "PARSOL", "KIDSOL06", "STRESFUL", "HEALTHY", "FRNWRKR",
    "NKREFUGE", "KRCHN", "IMMJOBS", "IMMIDEAS", "KRPROUD", "CANTRUST", "GOVDOOK", "GOVEQINC",
    "GRNPRICE", "GRNSOL", "IHLPGRN", "RECYCLE", "FREQDRNK", "FREQEXER", "SAFE", "CARES",
)
HELD_OUT_ITEMS = (
    "CONLGOVT", "PARTYLR", "TAXFAIR", "FRNEXPRT", "NEIGHCN", "GRNTAXES", "POLGREED", "HOPELESS",
    "WILNGHLP", "FINREL05",
)
ANSWER_IMPORTANCE = 5.0  # every answer alike: retrieval then ranks by relevance alone
# Short on purpose: Hangul costs about one token a byte in SmolLM2's vocabulary, and prompt
# processing is most of the embedded model's time.
SYSTEM = "너는 아래의 실제 한국 사람이다. 이 사람이 했을 답 하나를 JSON으로 고른다."
LABEL_SYSTEM = "너는 아래의 실제 한국 사람이다. 이 사람이 했을 답의 번호 하나만 쓴다."


def bank_folder() -> Path:
    return Path(str(resources.files("synthsoc.agents") / "data" / "kgss"))


def bank_file(wave: int) -> Path:
    """The bundled respondents of one wave; a wave not bundled is an error naming the ones
    that are."""
    if wave not in WAVES:
        raise ValueError(f"no bundled KGSS wave {wave} in {bank_folder()} (bundled: "
                         f"{', '.join(map(str, WAVES))})")
    return bank_folder() / f"kgss_{wave}_bank.csv.gz"


@dataclass(frozen=True)
class BankRespondent:
    """One KGSS respondent: id (unique within its wave), life sketch, valid answers (item ->
    code), demographic codes (age in decades, income in bands of 100만원; missing ones left
    out) and the wave."""

    respid: str
    sketch: str
    answers: Mapping[str, str]
    demographics: Mapping[str, str]
    wave: int = 2010


@dataclass(frozen=True)
class AgentBank:
    """Respondents of the chosen waves, and the memory and held-out items every one of those
    waves asked (in the order of :data:`MEMORY_ITEMS` and :data:`HELD_OUT_ITEMS`)."""

    codebook: Mapping[str, KgssVariable]
    respondents: tuple[BankRespondent, ...]
    waves: tuple[int, ...] = DEFAULT_WAVES
    memory_items: tuple[str, ...] = MEMORY_ITEMS
    held_out_items: tuple[str, ...] = HELD_OUT_ITEMS

    def item(self, name: str) -> KgssVariable:
        if name not in self.codebook:
            raise ValueError(f"{bank_folder() / BANK_CODEBOOK}: no item {name!r}")
        return self.codebook[name]


def _label(book: Mapping[str, KgssVariable], name: str, code: str | None) -> str | None:
    return None if code is None else book[name].labels.get(code)


def life_sketch(row: Mapping[str, str | None], book: Mapping[str, KgssVariable],
                wave: int) -> str:
    """A short Korean life sketch from one respondent's demographic answers in ``wave`` (the
    age is the age that year; missing answers are left out, never guessed)."""
    parts: list[str] = []
    age = row.get("AGE")
    sex = _label(book, "SEX", row.get("SEX"))
    who = " ".join(p for p in (f"{int(float(age))}세" if age else None, sex) if p)
    if who:
        parts.append(f"{wave}년에 {who}.")
    region, place = _label(book, "REGION", row.get("REGION")), _label(
        book, "URBRURAL", row.get("URBRURAL"))
    if region or place:
        where = " ".join(p for p in (region and f"{region} 지역", place and f"'{place}'") if p)
        parts.append(f"{where}에 산다.")
    for name, lead in (("MARITAL", "혼인 상태"), ("EDUC", "최종 학교"), ("RELIG", "종교"),
                       ("EMPLY", "일")):
        value = _label(book, name, row.get(name))
        if value:
            parts.append(f"{lead}: {value}.")
    household = _label(book, "HOMPOP", row.get("HOMPOP"))
    if household:
        parts.append(f"함께 사는 가족 {household}(본인 포함).")
    income = row.get("INCOM0")
    if income is not None and income not in book["INCOM0"].missing:
        parts.append(f"월평균 가구소득 약 {int(float(income))}만원.")
    return " ".join(parts)


def demographic_codes(row: Mapping[str, str | None],
                      book: Mapping[str, KgssVariable]) -> dict[str, str]:
    """The demographic answers as categories for a statistical model."""
    out: dict[str, str] = {}
    for name in DEMOGRAPHICS:
        value = row.get(name)
        if value is None or value in book[name].missing:
            continue
        if name == "AGE":
            value = str(int(float(value)) // 10 * 10)
        elif name == "INCOM0":
            value = str(min(int(float(value)) // 100 * 100, 1000))
        elif value not in book[name].labels:
            continue
        out[name] = value
    return out


def load_bank(waves: Sequence[int] = DEFAULT_WAVES) -> AgentBank:
    """The bundled bank of ``waves``: every respondent of those waves with a sketch and valid
    answers to the items all of them asked."""
    waves = tuple(dict.fromkeys(waves))
    if not waves:
        raise ValueError("an agent bank needs at least one wave")
    folder = bank_folder()
    book = read_codebook(folder / BANK_CODEBOOK)
    frames = {wave: read_respondents(bank_file(wave)) for wave in waves}
    for wave, frame in frames.items():
        lacking = [c for c in ("YEAR", "RESPID", *DEMOGRAPHICS) if c not in frame.columns]
        if lacking:
            raise ValueError(f"{bank_file(wave)}: no KGSS column(s) {lacking}")
        years = set(frame["YEAR"].unique().to_list())
        if years != {str(wave)}:
            raise ValueError(f"{bank_file(wave)}: field YEAR holds {sorted(years)}, not {wave}")
    memory = tuple(i for i in MEMORY_ITEMS if all(i in f.columns for f in frames.values()))
    held_out = tuple(i for i in HELD_OUT_ITEMS if all(i in f.columns for f in frames.values()))
    items = (*memory, *held_out)
    respondents = []
    for wave, frame in frames.items():
        for row in frame.select(["RESPID", *DEMOGRAPHICS, *items]).iter_rows(named=True):
            answers = {i: row[i] for i in items if row[i] in book[i].labels}
            respondents.append(BankRespondent(str(row["RESPID"]), life_sketch(row, book, wave),
                                              answers, demographic_codes(row, book), wave))
    return AgentBank(book, tuple(respondents), waves, memory, held_out)


def answer_memory(item: KgssVariable, code: str) -> str:
    return f"설문 '{item.label}': {item.labels[code]}"


@dataclass
class BankAgent:
    """A respondent's agent: its sketch and a memory stream of its own answers."""

    respondent: BankRespondent
    stream: MemoryStream


def build_agents(bank: AgentBank, respondents: Sequence[BankRespondent], embedder: Embedder,
                 items: Sequence[str] | None = None) -> list[BankAgent]:
    """Agents whose memories are their answers to ``items`` (default: the bank's memory
    items); each distinct memory text is embedded once (there are at most a few hundred)."""
    items = bank.memory_items if items is None else items
    texts = sorted({answer_memory(bank.item(i), r.answers[i])
                    for r in respondents for i in items if i in r.answers})
    vectors = dict(zip(texts, embedder.embed(texts), strict=True)) if texts else {}
    agents = []
    for r in respondents:
        stream = MemoryStream(embedder.dim)
        for i in items:
            if i in r.answers:
                text = answer_memory(bank.item(i), r.answers[i])
                stream.add(Memory(0, "answer", text, ANSWER_IMPORTANCE), vectors[text])
        agents.append(BankAgent(r, stream))
    return agents


def choice_schema(item: KgssVariable) -> dict[str, Any]:
    return {"type": "object", "properties": {"choice": {"type": "string",
                                                        "enum": list(item.labels)}},
            "required": ["choice"], "additionalProperties": False}


def question_prompt(sketch: str, memories: Sequence[str], item: KgssVariable) -> str:
    options = "; ".join(f"{code}={label}" for code, label in item.labels.items())
    lines = [f"나: {sketch}"]
    if memories:
        lines += ["내가 예전에 한 설문 답:", *(f"- {m}" for m in memories)]
    lines += [f"질문: {item.label}", f"선택지: {options}", "이 사람의 답(choice)은?"]
    return "\n".join(lines)


def label_prompt(sketch: str, memories: Sequence[str], item: KgssVariable) -> str:
    """The forced-choice prompt: options behind one-token labels, the label to answer."""
    labels = option_labels(len(item.labels))
    lines = [f"나: {sketch}"]
    if memories:
        lines += ["내가 예전에 한 설문 답:", *(f"- {m}" for m in memories)]
    lines += [f"질문: {item.label}", "선택지:"]
    lines += [f"{label}. {text}" for label, text in zip(labels, item.labels.values(),
                                                          strict=True)]
    lines.append(f"이 사람의 답 ({', '.join(labels)} 중 하나):")
    return "\n".join(lines)


def _seed(*parts: object) -> int:
    text = "|".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=4).digest(), "little")


@dataclass(frozen=True)
class BankAnswers:
    """One held-out item asked of a list of agents: the chosen codes (None where the model's
    answer stayed malformed after the llm layer's re-asks, or, scored by log-probabilities, put
    less than ``MIN_LABEL_MASS`` on the labels: counted in ``failures``) and, when scored by
    log-probabilities, each agent's distribution over the item's codes (None where unusable)."""

    item: str
    codes: tuple[str | None, ...]
    failures: int
    distributions: tuple[dict[str, float] | None, ...] | None = None


SCORING = ("json", "logprobs")
# Below this share of the first token's probability on the option labels the model was not
# answering the question at all: non-response, not a weak answer.
MIN_LABEL_MASS = 0.01


def ask_bank(agents: Sequence[BankAgent], item: KgssVariable, llm: LLM, embedder: Embedder, *,
             with_memories: bool = True, k: int = 4, concurrency: int = 1,
             weights: RetrievalWeights | None = None, scoring: str = "json") -> BankAnswers:
    """Ask ``item`` of every agent in one batch (:func:`ask_bank_items` with one item)."""
    return ask_bank_items(agents, [item], llm, embedder, with_memories=with_memories, k=k,
                          concurrency=concurrency, weights=weights, scoring=scoring)[0]


def ask_bank_items(agents: Sequence[BankAgent], items: Sequence[KgssVariable], llm: LLM,
                   embedder: Embedder, *, with_memories: bool = True, k: int = 4,
                   concurrency: int = 1, weights: RetrievalWeights | None = None,
                   scoring: str = "json") -> list[BankAnswers]:
    """Ask every item of every agent in one batch, one :class:`BankAnswers` per item.

    ``with_memories=False`` is the demographics-only agent (sketch only). ``scoring="json"``
    has the model write its choice in a JSON schema; ``"logprobs"`` asks for one label token
    and reads the whole distribution from its log-probabilities (the server must return them:
    ``open_llm(logprobs=True)``), the most probable code being the agent's answer.

    The requests go in prefix order (:func:`synthsoc.llm.batch.complete_in_prefix_order`): one
    agent's prompts start with the same system prompt and sketch (and, as an agent, often the
    same first memories), so a llama.cpp server evaluates only what follows the shared prefix.
    The prompts are the same whatever the order; only the cost changes.
    """
    if scoring not in SCORING:
        raise ValueError(f"scoring {scoring!r} is not one of {', '.join(SCORING)}")
    weights = weights or RetrievalWeights()
    # one label at a time, as the town asks (a batch may pad, and move a tie in retrieval)
    queries = [embedder.embed([item.label], query=True)[0] for item in items]
    requests: list[LLMRequest] = []
    for item, query in zip(items, queries, strict=True):
        for agent in agents:
            memories = ([m.text for m in agent.stream.retrieve(query, 0, weights, k)]
                        if with_memories else [])
            seed = _seed(agent.respondent.respid, item.name, with_memories)
            if scoring == "logprobs":
                requests.append(choice_request(
                    label_prompt(agent.respondent.sketch, memories, item), system=LABEL_SYSTEM,
                    seed=seed))
            else:
                requests.append(LLMRequest(
                    prompt=question_prompt(agent.respondent.sketch, memories, item),
                    system=SYSTEM, max_tokens=24, temperature=0.0,
                    json_schema=choice_schema(item), seed=seed))
    responses = complete_in_prefix_order(llm, requests, concurrency)
    read = _read_label if scoring == "logprobs" else _read_json
    out = []
    for j, item in enumerate(items):
        part = slice(j * len(agents), (j + 1) * len(agents))
        found = [read(item, request, response)
                 for request, response in zip(requests[part], responses[part], strict=True)]
        codes = tuple(code for code, _ in found)
        distributions = tuple(d for _, d in found) if scoring == "logprobs" else None
        out.append(BankAnswers(item.name, codes, sum(c is None for c in codes), distributions))
    return out


def _read_json(item: KgssVariable, request: LLMRequest, response: LLMResponse | None,
               ) -> tuple[str | None, None]:
    value: Any = None if response is None else response.data
    if response is not None and value is None and request.json_schema is not None:
        try:
            value = parse_answer(response.text, request.json_schema)
        except ValueError:
            value = None
    code = value.get("choice") if isinstance(value, dict) else None
    return (str(code) if code in item.labels else None), None


def _read_label(item: KgssVariable, request: LLMRequest, response: LLMResponse | None,
                ) -> tuple[str | None, dict[str, float] | None]:
    if response is None:
        return None, None
    labels = option_labels(len(item.labels))
    found = option_distribution(response, labels)  # NoLogprobs: the server cannot score
    if found.mass < MIN_LABEL_MASS:
        return None, None
    codes_in_order = list(item.labels)
    best = codes_in_order[max(range(len(labels)), key=found.probs.__getitem__)]
    return best, dict(zip(codes_in_order, found.probs, strict=True))
