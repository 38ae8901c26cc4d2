"""`synthsoc policy run` and `validate` end to end on a real 1% population."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from synthsoc.cli import app

REFORMS = Path(__file__).resolve().parents[2] / "src" / "synthsoc" / "policy" / "reforms"
pytestmark = pytest.mark.slow


def test_run_relief_reform_writes_tables_charts_map_and_takeup(
    population_2020_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(app, [
        "policy", "run", "--population", str(population_2020_dir), "--reform",
        str(REFORMS / "relief_bottom_70.yaml"), "--rules", "emergency_relief,parent_benefit",
        "--draws", "2", "--out", str(out), "--market-spending", "--spending-innovation", "0.3",
        "--spending-replicates", "2",
    ])
    assert result.exit_code == 0, result.output
    for name in ("summary.csv", "winners_losers.csv", "by_income_bracket.csv", "by_type.csv",
                 "by_age_group.csv", "by_district.csv", "gains_by_group.png",
                 "district_map.png", "takeup.csv", "report.md", "run.json"):
        assert (out / name).is_file(), name
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "긴급재난지원금 소득 하위 70%" in report and "시군구" in report
    wl = pl.read_csv(out / "winners_losers.csv")
    assert wl.filter(pl.col("households") == "winners")["count"][0] == 0
    districts = pl.read_csv(out / "by_district.csv", schema_overrides={"sigungu_code": pl.Utf8})
    # every household is in exactly one district: district totals add up to the whole
    summary = pl.read_csv(out / "summary.csv")
    assert districts["total_change_krw"].sum() == pytest.approx(summary["change_krw"][0],
                                                                rel=1e-9)
    takeup = pl.read_csv(out / "takeup.csv")
    assert takeup["paid_share_baseline"].is_sorted()
    # the parent benefit's take-up through the network: fitted to the cited rate, it lowers
    # cost and recipients; the relief reform leaves it exactly as it was
    claims = pl.read_csv(out / "takeup_rules.csv")
    assert claims["rule"].to_list() == ["parent_benefit", "parent_benefit"]
    base, reform = claims.row(0, named=True), claims.row(1, named=True)
    assert base["takeup_share"] == pytest.approx(2_300_000 / 2_530_000, abs=0.02)
    assert base["claimed_cost_krw"] < base["entitled_cost_krw"]
    assert base["claimed_recipients"] < base["entitled_recipients"]
    assert {k: v for k, v in reform.items() if k != "scenario"} == {
        k: v for k, v in base.items() if k != "scenario"}
    assert "신청률" in report
    # the relief payment spent through the marketplace: every household's payment counted once,
    # the plan pays nothing to the top 30% within each size, MPCs between 0 and 1
    spent = pl.read_csv(out / "spending_market.csv")
    base_all = spent.filter((pl.col("scenario") == "baseline") & (pl.col("group") == "all"))
    relief = summary.filter(pl.col("rule") == "emergency_relief")
    assert base_all["payment_krw"][0] == pytest.approx(relief["baseline_cost_krw"][0], rel=1e-9)
    plan_all = spent.filter((pl.col("scenario") == "reform") & (pl.col("group") == "all"))
    # the plan's payments are the first draw's (its ranking depends on the income draw), the
    # summary the mean over draws: equal within the draws' spread
    assert plan_all["payment_krw"][0] == pytest.approx(relief["reform_cost_krw"][0], rel=0.005)
    assert plan_all["payment_krw"][0] < base_all["payment_krw"][0]
    assert spent["mpc"].is_between(0.0, 1.0).all()
    assert base_all["published_mpc"][0] == 0.29
    assert "시장 소비" in report


def test_same_seed_same_tables(population_2020_dir: Path, tmp_path: Path) -> None:
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = CliRunner().invoke(app, [
            "policy", "run", "--population", str(population_2020_dir), "--rules",
            "basic_pension,earned_income_tax_credit", "--draws", "2", "--no-takeup",
            "--no-charts", "--out", str(out), "--seed", "4",
        ])
        assert result.exit_code == 0, result.output
        outputs.append((out / "by_district.csv").read_bytes())
    assert outputs[0] == outputs[1]


def test_bad_inputs_are_named(tmp_path: Path, population_2020_dir: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["policy", "run", "--population", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nparameters:\n  emergency_relief.typo:\n    2020-01-01: 1\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["policy", "run", "--population", str(population_2020_dir),
                                 "--reform", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "typo" in result.output
    rules = runner.invoke(app, ["policy", "run", "--population", str(population_2020_dir),
                                "--rules", "nope"])
    assert rules.exit_code != 0 and "nope" in rules.output


def test_outputs_never_replace_what_synthsoc_did_not_write(
    population_2020_dir: Path, tmp_path: Path
) -> None:
    """Issue 8's folder rules hold for both policy commands: a user's folder is refused and
    left as it was; a new folder gets the validation table."""
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "thesis.tex").write_text("draft", encoding="utf-8")
    runner = CliRunner()
    for command in (["run", "--rules", "emergency_relief", "--no-takeup", "--no-charts"],
                    ["validate"]):
        refused = runner.invoke(app, ["policy", *command, "--population",
                                      str(population_2020_dir), "--draws", "1",
                                      "--out", str(mine)])
        assert refused.exit_code == 2, refused.output
        assert sorted(p.name for p in mine.iterdir()) == ["thesis.tex"]
        assert (mine / "thesis.tex").read_text(encoding="utf-8") == "draft"
    out = tmp_path / "validation"
    done = runner.invoke(app, ["policy", "validate", "--population", str(population_2020_dir),
                               "--draws", "1", "--out", str(out)])
    assert done.exit_code == 0, done.output
    table = pl.read_csv(out / "validation.csv")
    assert {"rule", "official", "simulated", "gap"} <= set(table.columns)
