"""Write a policy run folder: CSV tables, charts, a district map, report.md and run.json."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from synthsoc.atomic import write_json, write_text
from synthsoc.policy import behaviour, charts, report
from synthsoc.policy.claims import ClaimResult, claims_table
from synthsoc.policy.imputation import implied_mean_net_assets
from synthsoc.policy.run import PolicyRun
from synthsoc.policy.spending import ReliefSpending
from synthsoc.policy.system import RULE_LABELS


@dataclasses.dataclass(frozen=True)
class TakeupResult:
    scenario: str  # baseline | reform
    params: behaviour.TakeupParams
    curve: np.ndarray  # network curve, paid share of eligible households by day
    paid_households: float  # scaled
    paid_krw: float  # scaled, first draw's amounts
    spending_krw: tuple[float, float, float]  # mean, p05, p95 over draws


def relief_takeup(run: PolicyRun, adjacency: Any, person_household: np.ndarray,
                  seed: int) -> list[TakeupResult]:
    """Take-up and spending of the relief payment, baseline and (if any) reform."""
    if "emergency_relief" not in run.reform:
        return []
    income_rank = behaviour.relief_income_rank(run.households, seed)
    baseline = run.baseline["emergency_relief"]
    params = behaviour.fit_takeup_on_network(baseline[0] > 0, income_rank, person_household,
                                             adjacency, seed)
    scenarios = [("baseline", baseline)]
    if run.reform_spec is not None:
        scenarios.append(("reform", run.reform["emergency_relief"]))
    return [_takeup(run, name, amounts, params, adjacency, person_household, income_rank, seed)
            for name, amounts in scenarios]


def _takeup(run: PolicyRun, scenario: str, amounts: np.ndarray,
            params: behaviour.TakeupParams, adjacency: Any, person_household: np.ndarray,
            income_rank: np.ndarray, seed: int) -> TakeupResult:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x7A4E]))
    paid_day, curve = behaviour.simulate_takeup(amounts[0] > 0, income_rank, person_household,
                                                adjacency, params, rng)
    paid = paid_day >= 0
    low, high = behaviour.mpc_range()
    mpc = rng.uniform(low, high, size=amounts.shape[0])
    spending = (amounts[:, paid].sum(axis=1) * mpc) * run.weight
    return TakeupResult(
        scenario=scenario, params=params, curve=curve,
        paid_households=float(paid.sum() * run.weight),
        paid_krw=float(amounts[0, paid].sum() * run.weight),
        spending_krw=(float(spending.mean()), float(np.percentile(spending, 5)),
                      float(np.percentile(spending, 95))),
    )


def _md_table(frame: pl.DataFrame, money: tuple[str, ...] = ()) -> str:
    cols = frame.columns
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.iter_rows():
        cells = []
        for name, value in zip(cols, row, strict=True):
            if isinstance(value, float):
                cells.append(f"{value / 1e8:,.1f}억" if name in money else f"{value:,.0f}")
            else:
                cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_run(folder: Path, run: PolicyRun, population: Path, regions: pl.DataFrame,
              takeup: list[TakeupResult], charts_on: bool = True,
              claims: list[ClaimResult] | None = None,
              spending: ReliefSpending | None = None) -> dict[str, Any]:
    """Write every output of ``run`` into ``folder`` (already a staged directory)."""
    summary = report.summary_table(run)
    wl = report.winners_losers(run)
    tables = {key: report.group_table(run, key) for key in report.GROUPS}
    summary.write_csv(folder / "summary.csv")
    wl.write_csv(folder / "winners_losers.csv")
    for key, table in tables.items():
        table.write_csv(folder / f"by_{key}.csv")
    name = run.reform_spec.label or run.reform_spec.name if run.reform_spec else "기준 (baseline)"
    unmatched: list[str] = []
    if charts_on:
        charts.group_chart(tables, f"{name}: 가구당 평균 변화", folder / "gains_by_group.png")
        unmatched = charts.map_chart(
            tables["district"], regions, f"{name}\n시군구별 가구당 평균 변화 (만원/년)",
            folder / "district_map.png",
        )
    meta: dict[str, Any] = {
        "population": str(population),
        "weight": run.weight,
        "scale_stated": run.scale_stated,
        "population_year": run.population_year,
        "draws": run.config.draws,
        "seed": run.config.seed,
        "rule_years": run.config.rule_years,
        "reform": run.reform_spec.model_dump(mode="json") if run.reform_spec else None,
        "imputation": dataclasses.asdict(run.imputation),
        "imputed_mean_net_assets_krw": implied_mean_net_assets(run.imputation),
        "seconds_per_draw": run.seconds_per_draw,
        "districts_without_2020_boundary": unmatched,
    }
    if takeup:
        meta["takeup_params"] = dataclasses.asdict(takeup[0].params)
        meta["takeup"] = {t.scenario: {
            "network_curve": t.curve.round(4).tolist(),
            "paid_households_day_end": t.paid_households,
            "paid_krw_day_end": t.paid_krw,
            "spending_krw_mean_p05_p95": list(t.spending_krw),
        } for t in takeup}
        published = behaviour.anchors().filter(pl.col("indicator") == "relief_paid_share")
        lookup = dict(zip(published["day"].to_list(), published["value"].to_list(),
                          strict=True))
        days = np.arange(takeup[0].curve.size)
        frame = pl.DataFrame({"day": days, "published_paid_share": [lookup.get(int(d))
                                                                   for d in days]})
        for t in takeup:
            frame = frame.with_columns(pl.Series(f"paid_share_{t.scenario}", t.curve))
        frame.write_csv(folder / "takeup.csv")
    if claims:
        claims_table(claims).write_csv(folder / "takeup_rules.csv")
        meta["takeup_rules"] = {f"{c.rule}/{c.scenario}": dataclasses.asdict(c.params)
                                for c in claims}
    if spending is not None:
        spending.table.write_csv(folder / "spending_market.csv")
        meta["spending_market"] = {"params": dataclasses.asdict(spending.params),
                                   "innovation_fitted": spending.fitted,
                                   "fit_mpc": spending.fit_mpc}
    write_json(folder / "run.json", meta)
    write_text(folder / "report.md", _report_md(run, summary, wl, tables, takeup, unmatched,
                                                name, claims or [], spending))
    return meta


def _report_md(run: PolicyRun, summary: pl.DataFrame, wl: pl.DataFrame,
               tables: dict[str, pl.DataFrame], takeup: list[TakeupResult],
               unmatched: list[str], name: str, claims: list[ClaimResult],
               spending: ReliefSpending | None = None) -> str:
    money = ("baseline_cost_krw", "reform_cost_krw", "change_krw", "total_change_krw")
    cost = summary.select(
        "label", "year", "baseline_cost_krw", "reform_cost_krw", "change_krw",
        "change_krw_p05", "change_krw_p95", "baseline_recipients", "reform_recipients",
    )
    parts = [
        f"# 정책 효과: {name}",
        "",
        f"Population weight {run.weight:g} persons per synthetic person; {run.config.draws} "
        "draws of income within bracket and of assets (seed "
        f"{run.config.seed}). Figures are means over draws; p05/p95 the 5th and 95th "
        "percentiles across draws. Costs in 억원 (100 million KRW) per year. Recipients are "
        "receiving units: 세대 (relief), persons (basic pension, parent benefit), benefit "
        "units (earned income tax credit). Take-up is 100% in these tables; with take-up "
        "below 100% see the take-up sections below.",
        "",
        f"Population census year {run.population_year or 'not stated'}; rules evaluated for "
        + ", ".join(f"{RULE_LABELS[r]} {y}" for r, y in run.config.rule_years.items())
        + ". A rule year away from the population year adds error (households and ages of the "
        "population's year, rules of another).",
        "",
        *([] if run.reform_spec is None or np.any(report.household_change(run) != 0) else [
            "**The reform changes nothing in the evaluated years**: check its start dates "
            "against the rule years above.",
            "",
        ]),
        *([] if run.scale_stated else [
            "The population's manifest states no scale: figures are NOT scaled (weight 1).",
            "",
        ]),
        "## 비용과 수급자 (cost and recipients)",
        "",
        _md_table(cost, money + ("change_krw_p05", "change_krw_p95")),
        "",
        "## 이득·손실 가구 (winners and losers)",
        "",
        _md_table(wl),
        "",
    ]
    for key, label in report.GROUPS.items():
        t = tables[key].drop("synthetic_households")
        if key == "district":
            t = t.sort("mean_change_krw").head(10).vstack(
                t.sort("mean_change_krw").tail(10)) if t.height > 20 else t
            label += " (10 lowest and 10 highest mean change; all in by_district.csv)"
        parts += [f"## {label} ({key})", "", _md_table(t, money), ""]
    if unmatched:
        parts += [f"Districts without a 2020 boundary, not drawn on the map: "
                  f"{', '.join(unmatched)}.", ""]
    if takeup:
        lo, hi = behaviour.mpc_range()
        p = takeup[0].params
        parts += [
            f"## {RULE_LABELS['emergency_relief']} 신청과 소비 (take-up and spending)",
            "",
            f"Take-up fitted to MOIS daily paid shares of the universal payment on this "
            f"population's network: base {p.base:.3f}/day, peer {p.peer:.3f} x share of "
            f"contacts paid (RMSE {p.fit_rmse:.3f}; mean-field fit {p.mean_field_rmse:.3f}); "
            f"published: 98.6% of eligible households paid by 2020-06-01 "
            f"(day {p.days}). Extra spending at the KDI marginal propensity to consume "
            f"({lo:.1%}-{hi:.1%} of the payment), drawn per draw. Daily curves: takeup.csv.",
            "",
            "| scenario | paid share by day 13 (published 65.7%) | by day "
            f"{p.days} (published 98.6%) | households paid | amount paid (억원) "
            "| extra spending (억원) [p05, p95] |",
            "|---|---|---|---|---|---|",
        ]
        for result in takeup:
            spent = result.spending_krw
            parts.append(
                f"| {result.scenario} | {result.curve[13]:.1%} | {result.curve[-1]:.1%} | "
                f"{result.paid_households:,.0f} | {result.paid_krw / 1e8:,.0f} | "
                f"{spent[0] / 1e8:,.0f} [{spent[1] / 1e8:,.0f}, {spent[2] / 1e8:,.0f}] |")
        parts.append("")
    if spending is not None:
        parts += _spending_md(spending)
    if claims:
        parts += [
            "## 신청률 (take-up of the standing benefits)",
            "",
            f"Each household claims over {claims[0].params.rounds} monthly rounds with "
            "probability base + peer x (share of its members' contacts in eligible households "
            "who have claimed); base fitted on this population's network to the published "
            "take-up (takeup_rates.csv, cited), peer = base x the relief payment's fitted "
            "peer/base ratio (ASSUMPTION). Costs in 억원; [p05, p95] across draws. Table: "
            "takeup_rules.csv.",
            "",
            "| rule | scenario | published take-up | simulated take-up | cost, 100% (억원) "
            "| cost with take-up (억원) | recipients, 100% | recipients with take-up |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for c in claims:
            claimed, rec, share = c.claimed_cost_krw, c.claimed_recipients, c.takeup_share
            parts.append(
                f"| {RULE_LABELS[c.rule]} | {c.scenario} | {c.params.published_rate:.1%} | "
                f"{share[0]:.1%} [{share[1]:.1%}, {share[2]:.1%}] | "
                f"{c.entitled_cost_krw / 1e8:,.0f} | {claimed[0] / 1e8:,.0f} "
                f"[{claimed[1] / 1e8:,.0f}, {claimed[2] / 1e8:,.0f}] | "
                f"{c.entitled_recipients:,.0f} | "
                f"{rec[0]:,.0f} [{rec[1]:,.0f}, {rec[2]:,.0f}] |")
        parts.append("")
    return "\n".join(parts)


def _spending_md(spending: ReliefSpending) -> list[str]:
    p = spending.params
    how = (f"fitted so that the overall MPC meets the published six-week estimate (fit: "
           f"{spending.fit_mpc:.1%})" if spending.fitted else "as given (--spending-innovation)")
    parts = [
        f"## {RULE_LABELS['emergency_relief']} 시장 소비 (spending through the marketplace)",
        "",
        f"Recipients' budgets raised by their payment (shared among members aged 15+); the "
        f"marketplace (synthsoc.sim.market, one basket good of {p.price_mkrw * 100:.0f}만원, "
        f"ASSUMPTION) simulates {p.weeks} weekly steps with and without it, same seed. Weekly "
        f"purchase hazard {p.innovation:g} {how}. MPC = extra spending / payments, mean "
        f"[p05, p95] over {p.replicates} replicates. Published: 29% in six weeks (Kim, Koh & "
        "Lyou 2020), 21.7% for the cash recipients (KDI, Lee 2021); no published MPC by these "
        "income brackets was found. Every buyer buys at most once (a limit of the "
        "marketplace). Table: spending_market.csv.",
        "",
        "| scenario | group | payments (억원) | extra spending (억원) | MPC [p05, p95] "
        "| published | gap |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in spending.table.iter_rows(named=True):
        published = "" if r["published_mpc"] is None else f"{r['published_mpc']:.1%}"
        gap = "" if r["gap"] is None else f"{r['gap'] * 100:+.1f} points"
        parts.append(
            f"| {r['scenario']} | {r['group']} | {r['payment_krw'] / 1e8:,.0f} | "
            f"{r['extra_spending_krw'] / 1e8:,.0f} | {r['mpc']:.1%} [{r['mpc_p05']:.1%}, "
            f"{r['mpc_p95']:.1%}] | {published} | {gap} |")
    parts.append("")
    return parts
