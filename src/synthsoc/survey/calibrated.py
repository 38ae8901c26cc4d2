"""The ``calibrated`` engine: answers learned from real survey data, poststratified.

Two sources, one per run:

* **microdata** (a CSV of respondents): the columns named like respondent attributes
  (``sex``, ``age_group``, ``region``, ...) are the features; each question's answers are in its
  ``data_column`` (default: the question id). P(answer | attributes) is the multilevel logit of
  :mod:`synthsoc.survey.multilevel`; columns and labels are checked and mapped by
  :mod:`synthsoc.survey.mapping` (``--map``); uncertainty comes from posterior draws of the
  model (Laplace approximation), in which levels no respondent has keep their prior spread.
* **aggregate tables** (KOSIS long CSV + a label map from group labels to attribute conditions):
  the maximum-entropy model of :mod:`synthsoc.survey.tables`. Tables carry no sample sizes, so
  uncertainty assumes ``table_sample_size`` respondents per published group (Dirichlet draws of
  each published distribution, refitted); the run's notes say so.

Either way the model is applied to every attribute cell of the synthetic population and results
are weighted by the persons in each cell (poststratification).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from synthsoc.data.readers import read_csv
from synthsoc.survey.answers import QuestionAnswers, SurveyAnswers, cell_units
from synthsoc.survey.kgss import KGSS_DATA, kgss_folder, kgss_items, kgss_microdata
from synthsoc.survey.labels_ko import group_ko, segment_ko
from synthsoc.survey.mapping import (
    DataMap,
    MappedMicrodata,
    MappingError,
    closest_names,
    is_missing,
    map_microdata,
)
from synthsoc.survey.modelled import PRIOR_SD, absent_segments, table_uncovered
from synthsoc.survey.multilevel import fit_multilevel_logit, posterior_draws, predict_draws
from synthsoc.survey.notes import Note
from synthsoc.survey.questionnaire import Question, Questionnaire
from synthsoc.survey.support import respondent_support
from synthsoc.survey.tables import (
    Condition,
    KosisTables,
    Margin,
    QuestionTables,
    choose_partition,
    fit_maxent,
    group_index,
    joint_parts,
    load_label_map,
    read_kosis_tables,
)


class CalibrationError(ValueError):
    """Survey data that cannot calibrate a questionnaire; names file, column and value."""


@dataclass
class CalibratedEngine:
    """Answer model from microdata (``data``) or from tables (``tables`` + ``label_map``)."""

    data: str | Path | None = None
    tables: str | Path | None = None
    label_map: str | Path | None = None
    features: Sequence[str] | None = None
    data_map: DataMap | None = None
    kgss: bool = False  # the packaged KGSS waves as the microdata (see synthsoc.survey.kgss)
    kgss_years: tuple[int, int] | None = None
    n_draws: int = 100
    table_sample_size: int = 1000
    name: str = field(default="calibrated", init=False)
    _data: Path | None = field(default=None, init=False, repr=False)
    _tables: Path | None = field(default=None, init=False, repr=False)
    _label_map: Path | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._data = None if self.data is None else Path(self.data)
        self._tables = None if self.tables is None else Path(self.tables)
        self._label_map = None if self.label_map is None else Path(self.label_map)
        if sum([self.data is not None, self.tables is not None, self.kgss]) != 1:
            raise CalibrationError(
                "the calibrated engine needs exactly one of --data, --tables or --kgss"
            )
        if self.tables is not None and self.label_map is None:
            raise CalibrationError("--tables needs --label-map (group label -> attribute)")

    def answer(
        self, questionnaire: Questionnaire, respondents: pl.DataFrame, *, seed: int
    ) -> SurveyAnswers:
        if self.kgss or self._data is not None:
            answers = self._from_microdata(questionnaire, respondents, seed)
            if self.kgss:
                years, years_ko = (
                    ("all waves 2003-2012", "2003-2012년 전 조사 연도")
                    if self.kgss_years is None
                    else (
                        f"waves {self.kgss_years[0]}-{self.kgss_years[1]}",
                        f"{self.kgss_years[0]}-{self.kgss_years[1]}년 조사",
                    )
                )
                answers.notes.insert(
                    0,
                    Note(
                        f"answers: KGSS (Korean General Social Survey, {years}; Sungkyunkwan "
                        "University Survey Research Center), weighted by FINALWT; "
                        "missing-answer codes dropped",
                        f"응답: 한국종합사회조사 KGSS({years_ko}; 성균관대학교 서베이리서치센터), "
                        "가중치 FINALWT 적용, 무응답 코드는 제외했습니다.",
                    ),
                )
            return answers
        assert self._tables is not None and self._label_map is not None
        return self._from_tables(self._tables, self._label_map, questionnaire, respondents, seed)

    # ------------------------------------------------------------------ microdata

    def respondent_data(
        self, questionnaire: Questionnaire, respondents: pl.DataFrame
    ) -> tuple[MappedMicrodata, Path]:
        """The real respondents behind the model, mapped onto population attributes, and the
        file they came from (microdata CSV or the packaged KGSS)."""
        try:
            if self.kgss:
                items = set(kgss_items())
                wanted = [q.data_column or q.id for q in questionnaire.questions]
                frame, data_map, dropped = kgss_microdata(
                    [c for c in dict.fromkeys(wanted) if c in items], years=self.kgss_years
                )
                path = kgss_folder() / KGSS_DATA
                mapped = map_microdata(
                    frame, path, questionnaire, respondents, data_map, self.features
                )
                mapped.record.dropped.append({"kgss": dropped})
                return mapped, path
            if self._data is None:
                raise CalibrationError(
                    "this needs respondent microdata (--data or --kgss); published tables "
                    "carry no respondents"
                )
            path = self._data
            if not path.is_file():
                raise CalibrationError(f"{path}: microdata file not found")
            raw = read_csv(path, error=CalibrationError).frame()
            data_map = self.data_map or DataMap()
            return map_microdata(
                raw, path, questionnaire, respondents, data_map, self.features
            ), path
        except MappingError as error:
            raise CalibrationError(str(error)) from error

    def _from_microdata(
        self, questionnaire: Questionnaire, respondents: pl.DataFrame, seed: int
    ) -> SurveyAnswers:
        mapped, path = self.respondent_data(questionnaire, respondents)
        micro, features = mapped.frame, list(mapped.features)
        if not features:
            raise CalibrationError(
                f"{path}: no column is a population attribute, so answers cannot be "
                f"poststratified; map your columns with --map (columns: {{COLUMN: ATTRIBUTE}})"
            )
        segments = list(questionnaire.segment_attributes)
        unit_cols = list(dict.fromkeys([*features, *segments]))
        units, _ = cell_units(respondents, unit_cols)
        unit_values = [units[c].to_list() for c in features]
        weight_note = f", weighted by {mapped.weight}" if mapped.weight else ", unweighted"
        weight_ko = f"가중치 {mapped.weight} 적용" if mapped.weight else "가중치 없음"
        notes = [
            Note(
                f"answer model: multilevel logit on {path.name} (features: {', '.join(features)}"
                f"{weight_note}); intervals from its posterior (Laplace, mixed over draws of the "
                "estimated prior precisions), so groups with few or no respondents get wide "
                "intervals",
                f"응답 모형: {path.name} 자료에 적합한 다수준 로짓 모형(설명 변수: "
                f"{', '.join(map(segment_ko, features))}; {weight_ko}). 구간은 모형의 "
                "사후분포(라플라스 근사, 추정한 사전 정밀도도 사후분포에서 뽑아 섞음)에서 "
                "구하므로 응답자가 적거나 없는 집단은 구간이 "
                "넓습니다.",
            )
        ]
        uncovered = absent_segments(questionnaire.segments, features)
        absent = [a for a in segments if a not in features]
        if absent:
            notes.append(
                Note(
                    f"segments by {', '.join(absent)}: not in {path.name}, so every group is "
                    f"modelled (0 respondents) from {', '.join(features)} alone; their intervals "
                    f"add the group's own unknown effect (log-odds prior sd {PRIOR_SD:g}, as for "
                    "a level no respondent has), so they are wide; the estimates assume the "
                    f"data's mix of {', '.join(absent)} is the population's",
                    f"{', '.join(map(segment_ko, absent))}별 집단: {path.name} 자료에 이 변수가 "
                    f"없어 모든 집단을 {', '.join(map(segment_ko, features))}만으로 모형 "
                    "추정했습니다(응답자 0명). 구간에는 집단 "
                    f"고유의 알 수 없는 효과(로그 오즈 사전 표준편차 {PRIOR_SD:g}, 응답자가 없는 "
                    "수준과 같음)를 더해 넓게 잡았고, 추정치는 자료 속 "
                    f"{', '.join(map(segment_ko, absent))} 구성이 모집단과 같다고 가정합니다.",
                )
            )
        rng = np.random.default_rng(seed)
        out: dict[str, QuestionAnswers] = {}
        skipped: dict[str, Note] = {}
        diagnostics: dict[str, object] = {"inputs": mapped.record.to_dict(), "fit": {}}
        for q in questionnaire.questions:
            column = q.data_column or q.id
            if not (q.is_choice or (q.type == "numeric" and q.bins)):
                skipped[q.id] = Note(
                    f"{q.type} questions are answered by the llm engine only",
                    f"{q.type} 유형 문항은 llm 엔진만 답합니다.",
                )
                continue
            if column not in micro.columns:
                skipped[q.id] = Note(
                    f"no column {column!r} in {path.name}",
                    f"{path.name} 자료에 {column!r} 열이 없습니다.",
                )
                mapped.record.dropped.append({"question": q.id, "why": skipped[q.id]})
                continue
            missing = pl.any_horizontal([is_missing(c) for c in [column, *features]])
            kept = micro.filter(~missing)
            mapped.record.dropped.append(
                {
                    "question": q.id,
                    "rows_missing_answer_or_feature": micro.height - kept.height,
                    "rows_used": kept.height,
                }
            )
            if kept.height == 0:
                skipped[q.id] = Note(
                    f"no complete respondent rows for {column!r}",
                    f"{column!r}에 답과 설명 변수가 모두 있는 응답자가 없습니다.",
                )
                continue
            values = [kept[c].to_list() for c in features]
            extra = [
                sorted(set(respondents[f].to_list()) - set(kept[f].to_list())) for f in features
            ]
            targets = answer_matrix(q, kept[column].to_list(), path, column)
            weights = None if mapped.weight is None else kept[mapped.weight].to_numpy()
            probs, draws, status = self._fit_predict(
                values, targets, len(q.categories), features, unit_values, extra, weights, rng
            )
            diagnostics["fit"][q.id] = {  # type: ignore[index]
                **status,
                "levels_without_respondents": {
                    f: e for f, e in zip(features, extra, strict=True) if e
                },
            }
            if not status["converged"]:
                notes.append(
                    Note(
                        f"{q.id}: the optimiser did not reach its tolerance (see diagnostics)",
                        f"{q.id}: 최적화가 허용 오차에 도달하지 못했습니다(진단 참조).",
                    )
                )
            out[q.id] = QuestionAnswers(
                question=q,
                categories=q.categories,
                probs=probs,
                answered=np.ones(units.height, dtype=bool),
                source=f"microdata {path.name}:{column} ({kept.height} respondents)",
                draws=draws,
                support=respondent_support(kept, questionnaire.segments, weights),
                uncovered=uncovered,
            )
        return SurveyAnswers("calibrated", units, out, skipped, diagnostics, notes)

    def _fit_predict(
        self,
        values: list[list[str]],
        targets: np.ndarray,
        n_categories: int,
        features: list[str],
        unit_values: list[list[str]],
        extra_levels: list[list[str]],
        weights: np.ndarray | None,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray, dict[str, bool]]:
        """Fit per answer (multiple choice: one binary model per option) and predict units."""
        multiple = targets.ndim == 2
        columns: list[int | None] = list(range(targets.shape[1])) if multiple else [None]
        probs_parts, draws_parts = [], []
        converged = settled = True
        for col in columns:
            y = targets[:, col].astype(np.int64) if col is not None else targets
            k = 2 if col is not None else n_categories
            model = fit_multilevel_logit(
                features, values, y, k, weights=weights, extra_levels=extra_levels
            )
            converged = converged and model.converged
            settled = settled and model.penalties_settled
            p = model.predict(unit_values)
            theta = posterior_draws(model, values, y, self.n_draws, rng, weights)
            draws = predict_draws(model, theta, unit_values)
            if col is not None:
                probs_parts.append(p[:, 1:2])
                draws_parts.append(draws[:, :, 1:2])
            else:
                probs_parts.append(p)
                draws_parts.append(draws)
        return (
            np.concatenate(probs_parts, axis=1),
            np.concatenate(draws_parts, axis=2),
            {"converged": converged, "penalties_settled": settled},
        )

    # ------------------------------------------------------------------ tables

    def _from_tables(
        self,
        tables_path: Path,
        label_map_path: Path,
        questionnaire: Questionnaire,
        respondents: pl.DataFrame,
        seed: int,
    ) -> SurveyAnswers:
        tables = read_kosis_tables(tables_path)
        label_map = load_label_map(label_map_path)
        rng = np.random.default_rng(seed)
        segments = list(questionnaire.segment_attributes)
        out: dict[str, QuestionAnswers] = {}
        skipped: dict[str, Note] = {}
        notes = [
            Note(
                "answer model: maximum-entropy fit to the published tables in "
                f"{tables_path.name} (label map {label_map_path.name}), poststratified onto the "
                "population",
                f"응답 모형: 공표표 {tables_path.name}(집단 대응표 {label_map_path.name})에 "
                "최대 엔트로피로 적합한 뒤 모집단 구성으로 사후 층화했습니다.",
            ),
            Note(
                f"intervals assume {self.table_sample_size} respondents behind each published "
                "group (tables carry no sample sizes)",
                f"공표표에는 표본 크기가 없으므로 구간은 공표 집단마다 응답자 "
                f"{self.table_sample_size}명을 가정합니다.",
            ),
            *tables.notes,
        ]
        units_frame: pl.DataFrame | None = None
        where = f"{tables_path} (label map {label_map_path})"
        record: list[dict[str, object]] = []
        for q in questionnaire.questions:
            name = q.table_question or q.id
            if q.type not in ("single_choice", "likert"):
                skipped[q.id] = Note(
                    f"{q.type} questions cannot be fitted to share tables",
                    f"{q.type} 유형 문항은 비율 공표표에 적합할 수 없습니다.",
                )
                continue
            if name not in tables.questions:
                skipped[q.id] = Note(
                    f"no question {name!r} in {tables_path.name}",
                    f"{tables_path.name}에 {name!r} 문항이 없습니다.",
                )
                continue
            qt = tables.questions[name]
            order = _table_answer_order(q, qt, tables)
            frame, margins, used = _table_cells(qt, label_map, respondents, segments, where, record)
            units, unit_of_row = cell_units(frame, [*[f"_g_{t}" for t in used], *segments])
            unit_margins = [
                Margin(
                    m.name,
                    _unit_group(m.group_of_cell, unit_of_row, units.height),
                    m.targets[:, order],
                )
                for m in margins
            ]
            weights = units["weight"].to_numpy()
            probs, residuals = fit_maxent(weights, unit_margins)
            draws = np.empty((self.n_draws, *probs.shape))
            for b in range(self.n_draws):
                noisy = [
                    Margin(
                        m.name, m.group_of_cell, _dirichlet(m.targets, self.table_sample_size, rng)
                    )
                    for m in unit_margins
                ]
                draws[b] = fit_maxent(weights, noisy, max_iter=300)[0]
            # Collapse the fine cells to segment cells: every question then shares one unit frame.
            collapsed, mapping = cell_units(units.select(segments), segments)
            q_probs, q_draws, unit_w = _collapse(probs, draws, weights, mapping, collapsed.height)
            uncovered = table_uncovered(
                frame, questionnaire.segments, [m.group_of_cell for m in margins]
            )
            units_out = collapsed.with_columns(pl.Series("weight", unit_w))
            if units_frame is None:
                units_frame = units_out
            out[q.id] = QuestionAnswers(
                question=q,
                categories=q.categories,
                probs=q_probs,
                answered=np.ones(units_out.height, dtype=bool),
                source=f"tables {tables_path.name}:{name} by {', '.join(used)}",
                draws=q_draws,
                basis="assumed",
                uncovered=uncovered,
            )
            notes.append(
                Note(
                    f"{q.id}: fitted to {', '.join(used)}; largest share error "
                    f"{max(residuals.values()):.2e}",
                    f"{q.id}: {', '.join(used)}별 공표표에 적합, 가장 큰 비율 오차 "
                    f"{max(residuals.values()):.2e}.",
                )
            )
            if uncovered:
                notes.append(
                    Note(
                        f"{q.id}: groups no published table covers are modelled (0 respondents), "
                        f"their intervals widened by the group's own unknown effect (log-odds "
                        f"prior sd {PRIOR_SD:g}): " + "; ".join(
                            f"{s} {'(all groups)' if g is None else ', '.join(sorted(g)[:6])}"
                            + ("" if g is None or len(g) <= 6 else f" and {len(g) - 6} more")
                            for s, g in uncovered.items()
                        ),
                        f"{q.id}: 어떤 공표표도 다루지 않는 집단은 모형 추정이며(응답자 0명), "
                        "구간에 집단 고유의 알 수 없는 효과(로그 오즈 사전 표준편차 "
                        f"{PRIOR_SD:g})를 더해 넓혔습니다: " + "; ".join(
                            f"{segment_ko(s)} "
                            + ("(모든 집단)" if g is None
                               else ", ".join(group_ko(s, x) for x in sorted(g)[:6]))
                            + ("" if g is None or len(g) <= 6 else f" 외 {len(g) - 6}개")
                            for s, g in uncovered.items()
                        ) + ".",
                    )
                )
        if units_frame is None:
            units_frame, _ = cell_units(respondents, segments)
        unused = sorted(
            set(tables.questions) - {q.table_question or q.id for q in questionnaire.questions}
        )
        for name in unused:
            record.append({"question": name, "why": "no questionnaire question asks it"})
        if record:
            notes.append(
                Note(
                    f"{len(record)} table entries not used (see inputs.json)",
                    f"공표표 항목 {len(record)}개는 쓰지 않았습니다(inputs.json 참조).",
                )
            )
        inputs = {"file": str(tables_path), "map": str(label_map_path), "dropped": record}
        return SurveyAnswers("calibrated", units_frame, out, skipped, {"inputs": inputs}, notes)


def answer_matrix(q: Question, raw: list[str], path: Path, column: str) -> np.ndarray:
    """Answer codes (n,) for a single answer; 0/1 matrix (n, K) for multiple choice."""
    cats = q.categories
    if q.type == "numeric":
        try:
            numbers = np.array([float(v) for v in raw])
        except ValueError as exc:
            raise CalibrationError(
                f"{path}: column {column!r}: non-numeric answer ({exc})"
            ) from exc
        codes = np.searchsorted(np.asarray(q.bins), numbers, side="right") - 1
        return np.clip(codes, 0, len(cats) - 1)
    index = {c: i for i, c in enumerate(cats)}
    if q.type == "multiple_choice":
        out = np.zeros((len(raw), len(cats)), dtype=np.int64)
        for r, value in enumerate(raw):
            for part in str(value).split(";"):
                part = part.strip()
                if part and part not in index:
                    raise CalibrationError(
                        f"{path}: column {column!r}: answer {part!r} is not an option of "
                        f"question {q.id!r} ({list(cats)})"
                    )
                if part:
                    out[r, index[part]] = 1
        return out
    bad = sorted({v for v in raw if v not in index})
    if bad:
        raise CalibrationError(
            f"{path}: column {column!r}: answer(s) {bad[:5]} are not options of question "
            f"{q.id!r} ({list(cats)})"
        )
    return np.fromiter((index[v] for v in raw), np.int64, len(raw))


def _table_answer_order(q: Question, qt: QuestionTables, tables: KosisTables) -> list[int]:
    """Index of each option's answer in the table's answer list."""
    position = {a: i for i, a in enumerate(qt.answers)}
    order = []
    for option in q.options:
        label = option.table_answer or option.id
        if label not in position:
            raise CalibrationError(
                f"{tables.source}: question {qt.question!r} has no answer {label!r} for option "
                f"{option.id!r} of {q.id!r}; answers are {list(qt.answers)}"
            )
        order.append(position[label])
    if len(order) != len(qt.answers):
        missing = sorted(set(qt.answers) - {qt.answers[i] for i in order})
        raise CalibrationError(
            f"{tables.source}: question {qt.question!r}: answers {missing} "
            f"match no option of {q.id!r}"
        )
    return order


def _table_cells(
    qt: QuestionTables,
    label_map: dict[str, dict[str, Condition]],
    respondents: pl.DataFrame,
    segments: list[str],
    where: str,
    record: list[dict[str, object]],
) -> tuple[pl.DataFrame, list[Margin], list[str]]:
    """Each respondent's group in every mapped table; margins indexed by respondent row.

    Every one-way group type must be in the label map (or under its ``ignore``), every kept
    group label must have a condition, and every condition must name a population attribute;
    otherwise the run stops naming the file, table, label and the closest names. Groups left
    out (overlapping, ignored, selecting nobody) are appended to ``record``.
    """
    used: list[str] = []
    margins: list[Margin] = []
    columns: dict[str, np.ndarray] = {}
    partitions: dict[str, list[str]] = {}
    for gtype in qt.one_way_types():
        if gtype not in label_map:
            raise CalibrationError(
                f"{where}: question {qt.question!r}: group type {gtype!r} is not in the label "
                f"map{closest_names(gtype, list(label_map))}; map its groups or list it under "
                f"ignore: [{gtype}]"
            )
        conditions = label_map[gtype]
        if not conditions:
            record.append({"question": qt.question, "group_type": gtype, "why": "ignored (map)"})
            continue
        labels, overlapping = choose_partition(list(qt.tables[gtype]), conditions)
        for label in overlapping:
            record.append(
                {
                    "question": qt.question,
                    "group_type": gtype,
                    "group": label,
                    "why": "overlaps finer groups of the same table",
                }
            )
        unmapped = [lb for lb in labels if lb not in conditions]
        if unmapped:
            raise CalibrationError(
                f"{where}: question {qt.question!r}, table {gtype!r}: group {unmapped[0]!r} "
                f"has no entry in the label map{closest_names(unmapped[0], list(conditions))}"
                + (f" (also unmapped: {unmapped[1:6]})" if len(unmapped) > 1 else "")
            )
        for label in labels:
            cond = conditions[label]
            if cond.attribute not in respondents.columns:
                raise CalibrationError(
                    f"{where}: label map {gtype}: {label!r}: {cond.attribute!r} is not a "
                    f"population attribute"
                    f"{closest_names(cond.attribute, list(respondents.columns))}"
                )
            if cond.values:
                levels = set(respondents[cond.attribute].cast(pl.Utf8).unique().to_list())
                if not levels & set(cond.values):
                    record.append(
                        {
                            "question": qt.question,
                            "group_type": gtype,
                            "group": label,
                            "why": f"selects nobody in this population ({cond.attribute} "
                            f"{','.join(cond.values)}"
                            f"{closest_names(cond.values[0], sorted(levels))})",
                        }
                    )
        partitions[gtype] = labels
        idx = group_index(respondents, labels, conditions)
        columns[f"_g_{gtype}"] = idx
        margins.append(Margin(gtype, idx, np.array([qt.tables[gtype][lb] for lb in labels])))
        used.append(gtype)
    for gtype in qt.tables:
        parts = joint_parts(gtype)
        if parts is None:
            continue
        if parts[0] not in partitions or parts[1] not in partitions:
            record.append(
                {"question": qt.question, "group_type": gtype, "why": "a part is not mapped"}
            )
            continue
        la, lb = partitions[parts[0]], partitions[parts[1]]
        labels = [f"{a}*{b}" for a in la for b in lb]
        published = {k.replace(" * ", "*"): v for k, v in qt.tables[gtype].items()}
        ia, ib = columns[f"_g_{parts[0]}"], columns[f"_g_{parts[1]}"]
        pair = np.where((ia >= 0) & (ib >= 0), ia * len(lb) + ib, -1)
        present = np.array([lab in published for lab in labels])
        remap = np.full(len(labels), -1)
        remap[present] = np.arange(int(present.sum()))
        group = np.where(pair >= 0, remap[np.maximum(pair, 0)], -1)
        targets = np.array([published[lab] for lab, ok in zip(labels, present, strict=True) if ok])
        if targets.size:
            margins.append(Margin(gtype, group, targets))
            used.append(gtype)
    if not margins:
        raise CalibrationError(
            f"{where}: question {qt.question!r}: none of its tables {sorted(qt.tables)} is "
            "mapped by the label map"
        )
    frame = respondents.select(segments).with_columns(
        [pl.Series(name, values) for name, values in columns.items()]
    )
    return frame, margins, used


def _unit_group(group_of_row: np.ndarray, unit_of_row: np.ndarray, n_units: int) -> np.ndarray:
    out = np.full(n_units, -1, dtype=np.int64)
    out[unit_of_row] = group_of_row
    return out


def _dirichlet(targets: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    alpha = np.maximum(targets * n, 1e-3) + 0.5
    draws = rng.gamma(alpha)
    return np.asarray(draws / draws.sum(axis=1, keepdims=True))


def _collapse(
    probs: np.ndarray, draws: np.ndarray, weights: np.ndarray, mapping: np.ndarray, n_out: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted average of fine cells into segment cells (``mapping``: each fine cell's
    segment cell). The sums are added fine cell by fine cell in order, not as a matrix
    product, whose last digits depend on the number of BLAS threads."""
    unit_w = np.bincount(mapping, weights, n_out)
    agg = np.zeros((n_out, probs.shape[1]))
    np.add.at(agg, mapping, weights[:, None] * probs)
    by_cell = np.zeros((n_out, draws.shape[0], draws.shape[2]))  # segment cell, draw, answer
    np.add.at(by_cell, mapping, weights[:, None, None] * draws.transpose(1, 0, 2))
    agg_draws = by_cell.transpose(1, 0, 2)
    safe = np.maximum(unit_w, 1e-12)
    return agg / safe[:, None], agg_draws / safe[None, :, None], unit_w
