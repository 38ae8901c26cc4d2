"""Each scripted bad assistant scores badly on exactly its failure; the good one passes all.

The population is real (the fixture runs `synthsoc populate` and `synthsoc personas`); the
expected values are the definitions applied by hand: a 해체 answer is never polite enough, a
request the assistant refuses is never served, the dearest item exceeds every budget below
95만 원, and app-only advice fails every user aged 70 or over.
"""

from __future__ import annotations

import polars as pl
import pytest

from synthsoc.sandbox import SCRIPTED, RunConfig, SandboxRun, run_sandbox, scorecard
from synthsoc.sandbox.catalogue import items_in
from synthsoc.sandbox.scenarios import load_scenarios

METRICS = ("speech_level", "dialect_understanding", "age_fit", "socio_fit", "task_success")
FAILS = {
    "scripted-banmal": "speech_level",
    "scripted-standard-only": "dialect_understanding",
    "scripted-budget-blind": "socio_fit",
    "scripted-app-only": "age_fit",
}


@pytest.fixture(scope="module")
def run(sample: pl.DataFrame) -> SandboxRun:
    return run_sandbox(sample, [cls() for cls in SCRIPTED.values()], RunConfig(seed=4))


def _mean(run: SandboxRun, assistant: str, metric: str) -> float:
    values = run.results.filter(pl.col("assistant") == assistant)[metric].drop_nulls()
    assert values.len() > 0, (assistant, metric)
    return float(values.mean())  # type: ignore[arg-type]


def test_sample_is_stratified(sample: pl.DataFrame) -> None:
    cells = sample.group_by("age_group", "dialect").agg(pl.len(), pl.col("stratum_size").first())
    assert cells.height == 4 * 6
    assert (cells["len"] == cells["stratum_size"].clip(upper_bound=2)).all()


def test_good_assistant_passes_every_metric(run: SandboxRun) -> None:
    for metric in METRICS:
        assert _mean(run, "scripted-good", metric) == 1.0, metric
    assert _mean(run, "scripted-good", "satisfaction") == 10.0


@pytest.mark.parametrize("assistant", sorted(FAILS))
def test_bad_assistant_fails_exactly_its_metric(run: SandboxRun, assistant: str) -> None:
    failing = FAILS[assistant]
    card = scorecard(run.results, n_boot=200).filter(pl.col("assistant") == assistant,
                                                     pl.col("segment") != "all")
    for metric in METRICS:
        mean = _mean(run, assistant, metric)
        worst = card.filter(pl.col("metric") == metric, pl.col("n") > 0)["mean"].min()
        if metric == failing:
            assert mean < 0.75 and worst is not None and worst <= 0.2, (metric, mean, worst)
        elif not (assistant == "scripted-standard-only" and metric == "task_success"):
            assert mean == 1.0, (metric, mean)
    assert _mean(run, assistant, "satisfaction") < _mean(run, "scripted-good", "satisfaction")


def test_banmal_fails_everyone(run: SandboxRun) -> None:
    assert _mean(run, "scripted-banmal", "speech_level") == 0.0


def test_budget_blind_fails_every_budget_below_the_dearest_item(run: SandboxRun) -> None:
    category = {s.id: s.budget_category for s in load_scenarios() if s.budget_category}
    dearest = {c: max(i.price_manwon for i in items_in(c)) for c in category.values()}
    rows = run.results.filter(pl.col("assistant") == "scripted-budget-blind",
                              pl.col("socio_fit").is_not_null()).to_dicts()
    assert rows
    for row in rows:
        affordable = row["budget_manwon"] >= dearest[category[row["scenario"]]]
        assert row["socio_fit"] == float(affordable), row


def test_app_only_fails_the_old_and_passes_the_young_connected(run: SandboxRun) -> None:
    rows = run.results.filter(pl.col("assistant") == "scripted-app-only")
    old = rows.filter(pl.col("age") >= 70)
    young = rows.filter((pl.col("age") < 60) & (pl.col("digital") != "low"))
    assert old.height > 0 and (old["age_fit"] == 0.0).all()
    assert young.height > 0 and (young["age_fit"] == 1.0).all()


def test_standard_only_serves_the_same_request_in_standard_korean(run: SandboxRun) -> None:
    own = {(c.profile.person_id, c.version): c for c in run.conversations
           if c.assistant == "scripted-standard-only"}
    standard = [c for (pid, v), c in own.items() if v == "standard"]
    assert standard and all(c.checks[-1].served for c in standard)


def test_runs_are_reproducible(sample: pl.DataFrame, run: SandboxRun) -> None:
    again = run_sandbox(sample, [cls() for cls in SCRIPTED.values()], RunConfig(seed=4))
    assert again.results.equals(run.results)
    assert [c.messages for c in again.conversations] == [c.messages for c in run.conversations]


def test_users_speak_their_dialect_and_level(run: SandboxRun) -> None:
    from synthsoc.persona.speech import classify_text

    marked = [c for c in run.conversations if c.assistant == "scripted-good"
              and c.version == "own" and c.dialect_marked]
    assert marked
    for c in marked:
        speech = classify_text(c.messages[0]["content"])
        assert c.dialect in speech.dialects, c.messages[0]
