"""Writing survey results: JSON, CSV, answers.parquet, inputs.json, a Korean report and charts.

Every share row carries its interval, the respondents behind it and its basis (measured,
thin, modelled, assumed, llm, too_few); the report and the charts show all three. A ``banner``
(the illustrative demo's ``ILLUSTRATIVE``) is written into every output: a field of the JSON,
a column of every CSV row, the title of every chart, the first line of the report.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from synthsoc.atomic import staged_directory, write_bytes, write_json, write_text  # noqa: E402
from synthsoc.korean_font import use_korean_font  # noqa: E402
from synthsoc.survey.labels_ko import group_ko, segment_ko  # noqa: E402
from synthsoc.survey.notes import korean  # noqa: E402
from synthsoc.survey.questionnaire import Questionnaire  # noqa: E402
from synthsoc.survey.results import ALL, SurveyResult  # noqa: E402

BASIS_KO = {
    "measured": "실측",
    "thin": "표본 적음(다른 집단에서 차용)",
    "modelled": "모형 추정(응답자 없음)",
    "assumed": "공표표(표본 크기 가정)",
    "llm": "LLM 페르소나",
    "ppi": "실측+LLM 결합(PPI)",
    "too_few": "표본 부족(추정 안 함)",
}
POPULATION_SHARE = "population_share_of_variance"  # rows of a survey over posterior draws
BASIS_MARK = {
    "measured": "",
    "thin": "*",
    "modelled": "**",
    "assumed": "",
    "llm": "",
    "ppi": "",
    "too_few": "x",
}


def write_outputs(
    result: SurveyResult,
    questionnaire: Questionnaire,
    out: Path,
    *,
    extra: dict[str, Any] | None = None,
    force: bool = False,
    banner: str | None = None,
) -> Path:
    """Write ``results.json``, ``results.csv``, ``report.md``, ``charts/*.png`` (and, when
    present, ``answers.parquet`` with the personas' verbatims and ``inputs.json`` with what the
    run used and dropped) to ``out``. The folder appears complete or not at all.
    """
    payload: dict[str, Any] = {"banner": banner} if banner else {}
    payload.update(result.to_dict())
    if extra:
        payload.update(extra)
    with staged_directory(out, kind="survey", force=force) as staging:
        write_json(staging / "results.json", payload)
        write_bytes(staging / "results.csv", _csv(result.rows, banner))
        if result.rows:
            write_bytes(staging / "results_ko.csv", _csv_ko(result, questionnaire, banner))
        if result.numeric:
            write_bytes(staging / "numeric.csv", _csv(result.numeric, banner))
        if result.verbatims:
            buffer = io.BytesIO()
            _with_banner(
                pl.DataFrame(result.verbatims, infer_schema_length=None), banner
            ).write_parquet(buffer)
            write_bytes(staging / "answers.parquet", buffer.getvalue())
        if "inputs" in result.diagnostics:
            inputs = dict(result.diagnostics["inputs"])
            if banner:
                inputs["banner"] = banner
            write_json(staging / "inputs.json", inputs)
        charts = _charts(result, questionnaire, staging / "charts", banner)
        write_text(
            staging / "report.md", _markdown(result, questionnaire, charts, extra or {}, banner)
        )
    return out


def _with_banner(frame: pl.DataFrame, banner: str | None) -> pl.DataFrame:
    return frame.with_columns(pl.lit(banner).alias("banner")) if banner else frame


def _csv(rows: list[dict[str, Any]], banner: str | None) -> bytes:
    buffer = io.BytesIO()
    _with_banner(pl.DataFrame(rows, infer_schema_length=None), banner).write_csv(buffer)
    return buffer.getvalue()


def _csv_ko(result: SurveyResult, questionnaire: Questionnaire, banner: str | None) -> bytes:
    """The share table for people: Korean headers and labels, percentages (``results.csv`` is
    the same table for programs)."""
    level = int(round(100 * result.meta.get("level", 0.95)))
    rows = []
    for r in result.rows:
        q = questionnaire.question(str(r["question"]))

        def pct(value: Any) -> float | None:
            return None if value is None else round(100 * float(value), 1)

        row = {
            "문항": r["question"],
            "문항 내용": q.text.ko,
            "구분": segment_ko(r["segment"]),
            "집단": group_ko(r["segment"], r["group"]),
            "응답": _label(questionnaire, str(r["question"]), str(r["category"])),
            "비율(%)": pct(r["share"]),
            f"{level}% 구간 하한(%)": pct(r.get("ci_low")),
            f"{level}% 구간 상한(%)": pct(r.get("ci_high")),
            "응답자 수": r.get("n_respondents"),
            "유효 표본 수": r.get("n_effective"),
            "근거": BASIS_KO.get(str(r["basis"]), str(r["basis"])),
        }
        if POPULATION_SHARE in r:  # a survey over posterior populations
            share = r[POPULATION_SHARE]
            row["모집단 불확실성 비중(%)"] = pct(share)
            row["응답 엔진 불확실성 비중(%)"] = None if share is None else pct(1 - share)
        if banner:
            row["표시"] = banner
        rows.append(row)
    buffer = io.BytesIO()
    pl.DataFrame(rows, infer_schema_length=None).write_csv(buffer)
    return buffer.getvalue()


def _label(questionnaire: Questionnaire, qid: str, category: str) -> str:
    """The Korean wording of an option (the category id itself for derived categories)."""
    q = questionnaire.question(qid)
    for option in q.options:
        if option.id == category:
            return option.text.ko
    return category


def _charts(
    result: SurveyResult, questionnaire: Questionnaire, folder: Path, banner: str | None
) -> list[Path]:
    """One grouped bar chart per question and segment: intervals as whiskers, respondents per
    group under its label, and the basis marked (* thin, ** modelled, x too few)."""
    if not result.rows:
        return []
    use_korean_font()
    frame = result.frame()
    level = int(round(100 * result.meta.get("level", 0.95)))
    paths = []
    for (qid, segment), part in frame.group_by(["question", "segment"], maintain_order=True):
        if "*" in str(segment):
            continue  # cross segments: too many groups for one chart (in the tables and CSV)
        groups = list(dict.fromkeys(part["group"].to_list()))
        cats = list(dict.fromkeys(part["category"].to_list()))
        width = 0.8 / len(cats)
        fig, ax = plt.subplots(figsize=(max(6.0, 0.5 * len(groups) * len(cats) ** 0.5 + 4), 4.8))
        x = np.arange(len(groups))
        first = part.filter(pl.col("category") == cats[0])
        info = {
            g: (n, b) for g, n, b in first.select("group", "n_respondents", "basis").iter_rows()
        }
        for j, cat in enumerate(cats):
            sub = part.filter(pl.col("category") == cat)
            lookup = {
                g: (s, lo, hi)
                for g, s, lo, hi in sub.select("group", "share", "ci_low", "ci_high").iter_rows()
            }

            share, low, high = (
                np.array(
                    [
                        np.nan if lookup.get(g, (None,) * 3)[i] is None else lookup[g][i]
                        for g in groups
                    ],
                    dtype=float,
                )
                for i in range(3)
            )
            ax.bar(
                x + (j - (len(cats) - 1) / 2) * width,
                share,
                width,
                yerr=np.vstack([share - low, high - share]),
                capsize=2,
                label=_label(questionnaire, str(qid), cat),
            )
        ticks = [
            f"{group_ko(str(segment), g)}{BASIS_MARK.get(info[g][1], '')}\n"
            f"n={'?' if info[g][0] is None else info[g][0]}"
            if g in info
            else group_ko(str(segment), g)
            for g in groups
        ]
        ax.set_xticks(x, ticks, rotation=45 if len(groups) > 6 else 0, ha="right", fontsize=7)
        ax.set_ylabel(f"응답 비율 ({level}% 구간)")
        q = questionnaire.question(str(qid))
        title = f"{q.text.ko} - {segment_ko(str(segment))}별"
        if banner:
            title = f"{banner} - {title}"
        ax.set_title(title, fontsize=9, color="red" if banner else "black")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        basis_used = sorted({b for _, b in info.values()})
        footer = (
            "n = 집단별 실제 응답자 수 (llm: 페르소나 수); "
            "* 표본 적음 (유효 n<30), ** 모형 추정 (응답자 없음), x 너무 적어 추정 안 함"
            f"; 이 차트의 근거: {', '.join(BASIS_KO.get(b, b) for b in basis_used)}"
        )
        fig.text(0.01, 0.01, footer, fontsize=6)
        if banner:
            fig.text(
                0.5,
                0.5,
                banner.split()[0],  # the first word as a watermark; full text in the title
                fontsize=40,
                color="red",
                alpha=0.15,
                ha="center",
                va="center",
                rotation=20,
            )
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        path = folder / f"{qid}_{segment}.png"
        folder.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        fig.savefig(
            buffer, format="png", dpi=90, metadata={"Title": title, "Description": banner or title}
        )
        plt.close(fig)
        write_bytes(path, buffer.getvalue())
        paths.append(path)
    return paths


def _count(n_respondents: Any, n_effective: Any) -> str:
    if n_respondents is None:
        return "미상(공표표)"
    return f"{n_respondents} ({n_effective:g})"


def _cell(share: Any, low: Any, high: Any, population_share: Any = None) -> str:
    if share is None:
        return "표본 부족"
    cell = f"{100 * share:.1f} ({100 * low:.1f}-{100 * high:.1f})"
    if population_share is not None:  # a survey over posterior populations
        cell += f" [모집단 {100 * population_share:.0f}%]"
    return cell


def _markdown(
    result: SurveyResult,
    questionnaire: Questionnaire,
    charts: list[Path],
    extra: dict[str, Any],
    banner: str | None,
) -> str:
    level = int(round(100 * result.meta["level"]))
    lines = []
    if banner:
        lines += [f"> **{banner}**", ""]
    lines += [
        # a questionnaire without a title is titled by its id: a code
        f"# 설문 `{questionnaire.id}`"
        if questionnaire.title.ko == questionnaire.id
        else f"# {questionnaire.title.ko}",
        "",
        f"설문 `{questionnaire.id}`, 응답 엔진 `{result.engine}`, 모집단 대상자 "
        f"{result.meta.get('n_respondents', '?')}명(만 {questionnaire.min_age}세 이상). "
        f"비율(%)과 {level}% 구간을 함께 표시합니다. '응답자 수'는 각 집단의 추정 뒤에 있는 "
        "실제 응답자 수(가중 후 유효 표본 수)이며, '근거'는 실측인지 모형 추정인지를 나타냅니다.",
        "",
    ]
    if "posterior_draws" in result.meta:
        lines += [
            f"모집단 사후 추출 {result.meta['posterior_draws']}개에 걸친 결과입니다. 각 추정치 "
            "옆 [모집단 x%]는 구간의 분산 가운데 모집단 불확실성(사후 추출 사이의 차이)이 "
            "차지하는 비중이며, 나머지(100-x%)는 응답 엔진 자체의 불확실성입니다.",
            "",
        ]
    lines += [
        "## 응답의 출처",
        "",
        *_korean_summary(result),
        "",
        "### 엔진 기록",
        "",
        *[f"- {korean(note)}" for note in result.notes],
        "",
        "근거 구분: "
        + "; ".join(f"{ko} = `{key}`" for key, ko in BASIS_KO.items())
        + ". 응답자가 없는 집단은 다른 집단에서 빌려 온 추정이며 구간이 넓습니다.",
        "",
    ]
    if result.skipped:
        lines += ["## 이 엔진이 답하지 않은 문항", ""]
        lines += [f"- `{q}`: {korean(why)}" for q, why in result.skipped.items()]
        lines.append("")
    frame = result.frame() if result.rows else None
    quotes = _quotes(result)
    for q in questionnaire.questions:
        lines += [f"## {q.id}: {q.text.ko}", ""]
        if q.context is not None:
            lines += [f"> {q.context.ko}", ""]
        if frame is not None and q.id in set(frame["question"].to_list()):
            part = frame.filter(pl.col("question") == q.id)
            if POPULATION_SHARE not in part.columns:
                part = part.with_columns(pl.lit(None).alias(POPULATION_SHARE))
            header = " | ".join(_label(questionnaire, q.id, c) for c in q.categories)
            lines += [f"| 구분 | 집단 | {header} | 응답자 수(유효) | 근거 |"]
            lines += ["|---|---|" + "---|" * len(q.categories) + "---|---|"]
            for (segment, group), rows in part.group_by(["segment", "group"], maintain_order=True):
                cells = {
                    c: (s, lo, hi, ps)
                    for c, s, lo, hi, ps in rows.select(
                        "category", "share", "ci_low", "ci_high", POPULATION_SHARE
                    ).iter_rows()
                }
                values = [_cell(*cells[c]) if c in cells else "" for c in q.categories]
                n_resp, n_eff, basis = rows.select("n_respondents", "n_effective", "basis").row(0)
                label = "전체" if segment == ALL else segment_ko(segment)
                group_label = group_ko(segment, group, code=True)
                lines.append(
                    f"| {label} | {group_label} | "
                    + " | ".join(values)
                    + f" | {_count(n_resp, n_eff)} | {BASIS_KO.get(basis, basis)} |"
                )
            lines.append("")
            for path in charts:
                if path.name.startswith(f"{q.id}_"):
                    lines.append(f"![{path.stem}](charts/{path.name})")
            lines.append("")
        numeric = [r for r in result.numeric if r["question"] == q.id]
        if numeric:
            lines += ["| 구분 | 집단 | 평균 (구간) | 응답 수 |", "|---|---|---|---|"]
            for r in numeric:
                mean = (
                    "표본 부족"
                    if r["mean"] is None
                    else f"{r['mean']:.4g} ({r['ci_low']:.4g}-{r['ci_high']:.4g})"
                )
                lines.append(
                    f"| {segment_ko(r['segment'])} | "
                    f"{group_ko(r['segment'], r['group'], code=True)} | {mean} | "
                    f"{r['n_units']} |"
                )
            lines.append("")
        for segment, groups in quotes.get(q.id, []):
            lines += [
                f"### 응답 사례: {segment_ko(segment)}별 (페르소나의 답과 이유)",
                "",
            ]
            for group, items in groups:
                said = " / ".join(_quote(questionnaire, q.id, v) for v in items)
                lines.append(f"- **{group_ko(segment, group, code=True)}**: {said}")
            lines.append("")
    comparison = extra.get("comparison")
    if comparison:
        lines += ["## 실제 응답과의 비교", ""]
        if comparison.get("in_sample"):
            lines += [
                "> **표본 내 비교(IN-SAMPLE)**: 기준 자료가 모형을 적합한 바로 그 자료입니다. "
                "아래 수치는 적합도이며 새로운 응답자에 대한 정확도가 아닙니다.",
                "",
            ]
        lines += [
            f"- 비교한 집단 수: {comparison['n_compared']}, 평균 TVD: "
            f"{comparison['mean_tvd']}, TVD < 0.15 비율: {comparison['share_decision_grade']}",
            "",
        ]
    if result.diagnostics:
        lines += ["## 진단", "", *_diagnostic_lines(result.diagnostics), ""]
        if "inputs" in result.diagnostics:
            lines += ["사용한 열과 제외한 항목은 `inputs.json`에 있습니다.", ""]
    if "replicates" in extra:
        lines += ["## 반복 실행", "", _replicates_ko(extra["replicates"]), ""]
    return "\n".join(lines) + "\n"


DIAGNOSTIC_LINES = 80  # leaves listed in the report (all of them are in results.json)


def _diagnostic_lines(diagnostics: dict[str, Any]) -> list[str]:
    """The engine's diagnostics as ``- `key.path`: `value``` lines (keys stay English, as in
    ``results.json``); values written as English sentences are counted and left to the JSON."""
    leaves: list[str] = []
    worded = 0

    def walk(path: str, value: Any) -> None:
        nonlocal worded
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{path}.{key}" if path else str(key), item)
        elif isinstance(value, list) and not all(
            isinstance(x, bool | int | float) for x in value
        ):
            for i, item in enumerate(value):
                walk(f"{path}[{i}]", item)
        elif isinstance(value, str) and re.search(r"\s", value):
            worded += 1
        else:
            leaves.append(f"- `{path}`: `{value}`")

    walk("", {k: v for k, v in diagnostics.items() if k != "inputs"})
    lines = ["항목 이름과 값은 `results.json`의 `diagnostics`와 같습니다(키는 영문)."]
    lines += leaves[:DIAGNOSTIC_LINES]
    if len(leaves) > DIAGNOSTIC_LINES:
        more = len(leaves) - DIAGNOSTIC_LINES
        lines.append(f"- 그 밖의 항목 {more}개는 `results.json`에 있습니다.")
    if worded:
        lines.append(f"- 문장으로 된 진단 값 {worded}개는 `results.json`에 있습니다.")
    return lines


def _replicates_ko(replicates: dict[str, Any]) -> str:
    """The replicate verdict in Korean, from its counts."""
    stable = "안정적입니다" if replicates["overall_stable"] else "안정적이지 않습니다(NOT stable)"
    return (
        f"{replicates['replicates']}회 반복 실행: 비율 {replicates['n_shares']}개 중 "
        f"{replicates['n_converging']}개가 허용 폭 {replicates['tolerance']:g} 안에서 수렴했고, "
        f"전체 비율은 {stable}."
    )


ENGINE_KO = {
    "calibrated": "실제 조사 자료(마이크로데이터 또는 공표표)로 보정한 모형",
    "llm": "LLM 페르소나 응답",
    "hybrid": "실제 응답자와 LLM 페르소나의 결합(예측 기반 추론, PPI)",
    "town": "마을 실행의 에이전트 응답(기억을 바탕으로 한 LLM 응답)",
}


def _korean_summary(result: SurveyResult) -> list[str]:
    """The facts a reader needs first, in Korean, counted from the result rows themselves:
    where the answers came from, how many segment groups rest on which basis, which groups no
    data measured and which are too few to estimate."""
    groups: dict[str, set[tuple[str, str]]] = {}
    for row in result.rows:
        if row["segment"] != ALL:
            groups.setdefault(str(row["basis"]), set()).add((row["segment"], row["group"]))
    lines = [f"- 응답 엔진: {ENGINE_KO.get(result.engine, result.engine)}."]
    if groups:
        counts = ", ".join(
            f"{BASIS_KO.get(b, b)} {len(groups[b])}개" for b in BASIS_KO if b in groups
        )
        lines.append(f"- 집단별 근거(문항을 합쳐 센 집단 수): {counts}.")


    def named(basis: str) -> str:
        items = sorted(f"{segment_ko(s)} {group_ko(s, g, code=True)}"
                       for s, g in groups[basis])
        return ", ".join(items[:10]) + (f" 외 {len(items) - 10}개" if len(items) > 10 else "")

    if "modelled" in groups:
        lines.append(
            f"- 모형 추정(응답자 없음): {named('modelled')}. 자료가 직접 잰 집단이 아니므로 "
            "다른 집단에서 빌려 온 추정이며, 구간에 집단 고유의 알 수 없는 효과를 더해 넓게 "
            "잡았습니다."
        )
    if "too_few" in groups:
        lines.append(f"- 표본 부족으로 비율을 추정하지 않은 집단: {named('too_few')}.")
    if result.engine in ("llm", "hybrid"):
        lines.append(
            "- LLM 페르소나의 구간은 페르소나 표본 추출의 불확실성만 반영하며, 모델 자체의 "
            "편향은 반영하지 않습니다(실제 응답자와 결합한 hybrid 구간은 편향과 무관하게 유효)."
        )
    return lines


QUOTE_SEGMENTS = 2  # segments quoted per question (the first non-cross ones)
QUOTE_GROUPS = 12  # groups quoted per segment
QUOTES_PER_GROUP = 2


def _quotes(
    result: SurveyResult,
) -> dict[str, list[tuple[str, list[tuple[str, list[dict[str, Any]]]]]]]:
    """Verbatims to quote: per question, per segment (the first :data:`QUOTE_SEGMENTS` plain
    segments, or ``all`` when there is none), per group a few personas' answers and reasons.
    Every verbatim is in ``answers.parquet``; the report shows a sample."""
    by_question: dict[str, list[dict[str, Any]]] = {}
    for v in result.verbatims:
        if v.get("reason") or v.get("text"):
            by_question.setdefault(str(v["question"]), []).append(v)
    segments = [s for s in result.meta.get("segments", []) if "*" not in s][:QUOTE_SEGMENTS]
    out: dict[str, list[tuple[str, list[tuple[str, list[dict[str, Any]]]]]]] = {}
    for qid, items in by_question.items():
        quoted = []
        for segment in [s for s in segments if s in items[0]] or [ALL]:
            groups: dict[str, list[dict[str, Any]]] = {}
            for v in items:
                groups.setdefault(ALL if segment == ALL else str(v[segment]), []).append(v)
            quoted.append(
                (
                    segment,
                    [(g, vs[:QUOTES_PER_GROUP]) for g, vs in sorted(groups.items())][
                        :QUOTE_GROUPS
                    ],
                )
            )
        out[qid] = quoted
    return out


def _quote(questionnaire: Questionnaire, qid: str, verbatim: dict[str, Any]) -> str:
    """``답: 좋다 (확률 0.62) "이유"`` for one persona."""
    answer = verbatim.get("answer")
    said = ""
    if answer:
        said = f"답: {_label(questionnaire, qid, str(answer))}"
        probability = verbatim.get("answer_probability")
        if probability is not None and probability < 1.0:
            said += f" (확률 {probability:.2f})"
        said += " "
    return f'{said}"{verbatim.get("text") or verbatim.get("reason")}"'
