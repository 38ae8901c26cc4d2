"""The questionnaire format (YAML) and its validation.

A questionnaire holds questions and the segments to report results by::

    id: concept_test
    title: {ko: 신제품 콘셉트 테스트, en: New product concept test}
    universe: {min_age: 19}
    segments: [age_group, region, age_group*region]   # A*B: cross segment
    questions:
      - id: concept_a_intent
        type: likert     # single_choice | multiple_choice | likert | numeric | open_text
        text: {ko: 이 제품을 구매할 의향이 있으십니까?, en: Would you buy this product?}
        context: {ko: "콘셉트 A: ..."}     # optional material shown before the question
        options:
          - {id: "1", ko: 전혀 없다, en: Definitely not}
          - {id: "2", ko: 별로 없다}
        data_column: q1                   # microdata column (default: the question id)
        table_question: Purchase intent   # question name in a KOSIS table (default: the id)

An option may be written as a bare string (its id and Korean wording at once) and may name the
answer label it has in a KOSIS table (``table_answer``). Numeric questions take ``min``, ``max``
and optional ``bins`` (edges; answers are then also reported as shares per bin).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthsoc.data.readers import read_yaml
from synthsoc.survey.respondents import SEGMENT_ATTRIBUTES

QUESTION_TYPES: tuple[str, ...] = (
    "single_choice",
    "multiple_choice",
    "likert",
    "numeric",
    "open_text",
)
CHOICE_TYPES: tuple[str, ...] = ("single_choice", "multiple_choice", "likert")

_TOP_KEYS = {"id", "title", "description", "universe", "segments", "questions"}
_QUESTION_KEYS = {
    "id",
    "type",
    "text",
    "context",
    "options",
    "min",
    "max",
    "bins",
    "data_column",
    "table_question",
    "max_choices",
}
_OPTION_KEYS = {"id", "ko", "en", "table_answer"}
_UNIVERSE_KEYS = {"min_age", "max_age"}


class QuestionnaireError(ValueError):
    """A questionnaire file is malformed; the message names the file, field and value."""


@dataclass(frozen=True)
class Text:
    """Wording in Korean (required) and English (optional)."""

    ko: str
    en: str | None = None


@dataclass(frozen=True)
class Option:
    id: str
    text: Text
    table_answer: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: Text
    options: tuple[Option, ...] = ()
    context: Text | None = None
    minimum: float | None = None
    maximum: float | None = None
    bins: tuple[float, ...] = ()
    data_column: str | None = None
    table_question: str | None = None
    max_choices: int | None = None

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def is_ordinal(self) -> bool:
        return self.type == "likert" or (self.type == "numeric" and bool(self.bins))

    @property
    def categories(self) -> tuple[str, ...]:
        """Answer categories results are reported over (bins for a binned numeric question)."""
        if self.is_choice:
            return self.option_ids
        if self.type == "numeric" and self.bins:
            edges = self.bins
            return tuple(f"{_fmt(a)}-{_fmt(b)}" for a, b in zip(edges[:-1], edges[1:], strict=True))
        return ()


@dataclass(frozen=True)
class Questionnaire:
    id: str
    title: Text
    questions: tuple[Question, ...]
    segments: tuple[str, ...]
    min_age: int = 19
    max_age: int | None = None
    source: str = "<memory>"
    description: str = ""

    @property
    def segment_attributes(self) -> tuple[str, ...]:
        """Every attribute the segments use (a cross segment ``A*B`` uses A and B)."""
        return tuple(dict.fromkeys(p for s in self.segments for p in s.split("*")))

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read and validate a questionnaire YAML file."""
    path = Path(path)
    if not path.is_file():
        raise QuestionnaireError(f"{path}: questionnaire file not found")
    return parse_questionnaire(read_yaml(path, QuestionnaireError), source=str(path))


def parse_questionnaire(raw: Any, *, source: str = "<memory>") -> Questionnaire:
    """Validate a questionnaire already parsed from YAML (a mapping)."""
    if not isinstance(raw, Mapping):
        raise QuestionnaireError(f"{source}: top level must be a mapping with `questions`")
    _check_keys(raw, _TOP_KEYS, source, "top level")
    qid = _require_str(raw, "id", source, "top level")
    title = _text(raw.get("title", qid), source, "title")
    universe = raw.get("universe") or {}
    if not isinstance(universe, Mapping):
        raise QuestionnaireError(f"{source}: `universe` must be a mapping, got {universe!r}")
    _check_keys(universe, _UNIVERSE_KEYS, source, "universe")
    min_age = _int(universe.get("min_age", 19), source, "universe.min_age")
    max_age = universe.get("max_age")
    if max_age is not None:
        max_age = _int(max_age, source, "universe.max_age")
        if max_age < min_age:
            raise QuestionnaireError(f"{source}: universe.max_age {max_age} < min_age {min_age}")

    segments_raw = raw.get("segments", [])
    if not isinstance(segments_raw, list) or not all(isinstance(s, str) for s in segments_raw):
        raise QuestionnaireError(f"{source}: `segments` must be a list of attribute names")
    for seg in segments_raw:
        for part in seg.split("*"):
            if part.strip() not in SEGMENT_ATTRIBUTES:
                raise QuestionnaireError(
                    f"{source}: segments: unknown attribute {part.strip()!r}; known attributes "
                    f"are {', '.join(SEGMENT_ATTRIBUTES)} (cross two with A*B)"
                )
    if len(set(segments_raw)) != len(segments_raw):
        raise QuestionnaireError(f"{source}: segments: duplicate attribute in {segments_raw}")

    questions_raw = raw.get("questions")
    if not isinstance(questions_raw, list) or not questions_raw:
        raise QuestionnaireError(f"{source}: `questions` must be a non-empty list")
    questions = tuple(_question(q, source, index) for index, q in enumerate(questions_raw))
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise QuestionnaireError(f"{source}: duplicate question id {q.id!r}")
        seen.add(q.id)
    return Questionnaire(
        id=qid,
        title=title,
        questions=questions,
        segments=tuple("*".join(p.strip() for p in s.split("*")) for s in segments_raw),
        min_age=min_age,
        max_age=max_age,
        source=source,
        description=str(raw.get("description", "")),
    )


def _question(raw: Any, source: str, index: int) -> Question:
    where = f"questions[{index}]"
    if not isinstance(raw, Mapping):
        raise QuestionnaireError(f"{source}: {where} must be a mapping")
    qid = _require_str(raw, "id", source, where)
    where = f"question {qid!r}"
    _check_keys(raw, _QUESTION_KEYS, source, where)
    qtype = _require_str(raw, "type", source, where)
    if qtype not in QUESTION_TYPES:
        raise QuestionnaireError(
            f"{source}: {where}: unknown type {qtype!r}; use one of {', '.join(QUESTION_TYPES)}"
        )
    if "text" not in raw:
        raise QuestionnaireError(f"{source}: {where}: missing `text` (Korean wording)")
    text = _text(raw["text"], source, f"{where}.text")
    context = _text(raw["context"], source, f"{where}.context") if "context" in raw else None
    options: tuple[Option, ...] = ()
    if qtype in CHOICE_TYPES:
        opts = raw.get("options")
        if not isinstance(opts, list) or not opts:
            raise QuestionnaireError(f"{source}: {where}: `options` must be a non-empty list")
        options = tuple(_option(o, source, f"{where}.options[{i}]") for i, o in enumerate(opts))
        ids = [o.id for o in options]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise QuestionnaireError(f"{source}: {where}: duplicate option id(s) {dupes}")
        if len(options) < 2:
            raise QuestionnaireError(f"{source}: {where}: a choice question needs >= 2 options")
    elif "options" in raw:
        raise QuestionnaireError(f"{source}: {where}: type {qtype!r} takes no `options`")
    minimum = maximum = None
    bins: tuple[float, ...] = ()
    if qtype == "numeric":
        minimum = _float(raw.get("min"), source, f"{where}.min") if "min" in raw else None
        maximum = _float(raw.get("max"), source, f"{where}.max") if "max" in raw else None
        if minimum is not None and maximum is not None and minimum >= maximum:
            raise QuestionnaireError(
                f"{source}: {where}: min {minimum} must be below max {maximum}"
            )
        if "bins" in raw:
            if not isinstance(raw["bins"], list) or len(raw["bins"]) < 3:
                raise QuestionnaireError(f"{source}: {where}.bins: need at least 3 edges")
            bins = tuple(_float(b, source, f"{where}.bins") for b in raw["bins"])
            if any(b >= c for b, c in zip(bins[:-1], bins[1:], strict=True)):
                raise QuestionnaireError(f"{source}: {where}.bins must increase: {list(bins)}")
    else:
        for key in ("min", "max", "bins"):
            if key in raw:
                raise QuestionnaireError(f"{source}: {where}: `{key}` is only for numeric")
    max_choices = None
    if "max_choices" in raw:
        if qtype != "multiple_choice":
            raise QuestionnaireError(f"{source}: {where}: `max_choices` is for multiple_choice")
        max_choices = _int(raw["max_choices"], source, f"{where}.max_choices")
        if not 1 <= max_choices <= len(options):
            raise QuestionnaireError(f"{source}: {where}.max_choices must be 1..{len(options)}")
    return Question(
        id=qid,
        type=qtype,
        text=text,
        options=options,
        context=context,
        minimum=minimum,
        maximum=maximum,
        bins=bins,
        data_column=_opt_str(raw, "data_column", source, where),
        table_question=_opt_str(raw, "table_question", source, where),
        max_choices=max_choices,
    )


def _option(raw: Any, source: str, where: str) -> Option:
    if isinstance(raw, str | int | float) and not isinstance(raw, bool):
        label = str(raw).strip()
        if not label:
            raise QuestionnaireError(f"{source}: {where}: empty option")
        return Option(label, Text(label))
    if not isinstance(raw, Mapping):
        raise QuestionnaireError(f"{source}: {where}: an option is a string or a mapping")
    _check_keys(raw, _OPTION_KEYS, source, where)
    if "id" not in raw or raw["id"] is None or str(raw["id"]).strip() == "":
        raise QuestionnaireError(f"{source}: {where}: option needs an `id`")
    if isinstance(raw["id"], bool) or not isinstance(raw["id"], str | int):
        raise QuestionnaireError(
            f"{source}: {where}: option id {raw['id']!r} must be text; quote it")
    oid = str(raw["id"]).strip()
    ko = str(raw.get("ko", oid)).strip()
    en = raw.get("en")
    table_answer = raw.get("table_answer")
    return Option(
        oid,
        Text(ko, None if en is None else str(en)),
        None if table_answer is None else str(table_answer),
    )


def _text(raw: Any, source: str, where: str) -> Text:
    if isinstance(raw, str):
        if not raw.strip():
            raise QuestionnaireError(f"{source}: {where}: empty text")
        return Text(raw.strip())
    if isinstance(raw, Mapping):
        _check_keys(raw, {"ko", "en"}, source, where)
        ko = raw.get("ko")
        if not isinstance(ko, str) or not ko.strip():
            raise QuestionnaireError(f"{source}: {where}: needs Korean wording `ko`")
        en = raw.get("en")
        return Text(ko.strip(), None if en is None else str(en).strip())
    raise QuestionnaireError(f"{source}: {where}: expected text or {{ko, en}}, got {raw!r}")


def _check_keys(raw: Mapping[str, Any], allowed: set[str], source: str, where: str) -> None:
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise QuestionnaireError(
            f"{source}: {where}: unknown field(s) {unknown}; allowed: {', '.join(sorted(allowed))}"
        )


def _require_str(raw: Mapping[str, Any], key: str, source: str, where: str) -> str:
    value = raw.get(key)
    if value is None or not str(value).strip():
        raise QuestionnaireError(f"{source}: {where}: missing `{key}`")
    return str(value).strip()


def _opt_str(raw: Mapping[str, Any], key: str, source: str, where: str) -> str | None:
    return _require_str(raw, key, source, where) if key in raw else None


def _int(value: Any, source: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QuestionnaireError(f"{source}: {where}: expected an integer, got {value!r}")
    return value


def _float(value: Any, source: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QuestionnaireError(f"{source}: {where}: expected a number, got {value!r}")
    return float(value)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
