"""Take-up below 100% of the standing benefits, spreading through the social network.

The basic pension, the parent benefit and the earned income tax credit are paid only to those
who apply. Each runs on the relief payment's network model (:func:`behaviour.simulate_takeup`)
over ``ROUNDS`` monthly application rounds of one year: an eligible household that has not
claimed applies in a round with probability ``base + peer * f``, ``f`` the share of its
members' contacts in eligible households who have claimed (peers who could claim it too).

* ``peer = PEER_RATIO * base``, the ratio of the relief payment's peer to base effect in its
  mean-field fit to MOIS's daily paid shares. ASSUMPTION: the standing benefits have the same
  social multiplier as the relief payment; no published estimate for them was found.
* ``base`` is fitted by bisection on the population's own network (the tried value closest
  wins) so that the share of eligible households that have claimed by the end of the year
  equals the published take-up rate
  (``data/takeup_rates.csv``, cited), on the first draw of the baseline.
* The household is the claiming unit: its members' benefits of one rule are claimed together
  (an approximation: the published rates count persons, notified households and children).
* Every draw is simulated on its own eligibility, with its own random stream; a reform runs
  with the base fitted on the baseline and the same streams as the baseline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import polars as pl
import scipy.sparse as sp

from synthsoc.policy.behaviour import TakeupParams, fit_takeup, simulate_takeup
from synthsoc.policy.run import PolicyRun

ROUNDS = 12  # monthly application rounds in one year (ASSUMPTION)
CLAIM_RULES: tuple[str, ...] = ("basic_pension", "parent_benefit", "earned_income_tax_credit")
BISECTION_STEPS = 10  # base to within 1/1,024 of its range [0, 1]


def takeup_rates() -> dict[str, float]:
    """Published take-up of each standing benefit, from the cited counts in the data file."""
    path = files("synthsoc.policy") / "data" / "takeup_rates.csv"
    frame = pl.read_csv(str(path), comment_prefix="#")
    value = {(r, c): float(v) for r, c, v in frame.select("rule", "counts", "value").iter_rows()}
    try:
        return {
            "basic_pension": value[("basic_pension", "recipients")]
            / value[("basic_pension", "eligible")],
            "parent_benefit": value[("parent_benefit", "applications")]
            / value[("parent_benefit", "eligible")],
            "earned_income_tax_credit": 1.0
            - value[("earned_income_tax_credit", "notified_not_applied_share")],
        }
    except KeyError as exc:
        raise ValueError(f"takeup_rates.csv: missing row (rule, counts) = {exc.args[0]}") from exc


@cache
def peer_ratio() -> float:
    """Peer effect over base effect of the relief payment's mean-field fit."""
    relief = fit_takeup()
    return relief.peer / relief.base


@dataclass(frozen=True)
class ClaimParams:
    rule: str
    published_rate: float
    base: float  # per round
    peer: float  # per round, times the share of eligible contacts who claimed
    rounds: int
    fitted_rate: float  # share of eligible households claimed on the network with base, peer


def claims(eligible: np.ndarray, person_household: np.ndarray, adjacency: sp.csr_matrix,
           base: float, peer: float, rounds: int, seed: int, stream: int
           ) -> tuple[np.ndarray, float]:
    """Which households claim (per household) and the share of eligible households that do."""
    params = TakeupParams(automatic_share=0.0, open_day=1, days=rounds, base=base, peer=peer,
                          fit_rmse=math.nan, mean_field_rmse=math.nan)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xC1A1, stream]))
    paid_day, curve = simulate_takeup(eligible, np.zeros(eligible.size), person_household,
                                      adjacency, params, rng, among_eligible=True)
    return paid_day >= 0, float(curve[-1])


def fit_claims(rule: str, eligible: np.ndarray, person_household: np.ndarray,
               adjacency: sp.csr_matrix, seed: int, rounds: int = ROUNDS) -> ClaimParams:
    """``base`` (with ``peer = peer_ratio() * base``) that reaches the published take-up."""
    rate = takeup_rates()[rule]
    ratio = peer_ratio()
    low, high = 0.0, 1.0
    best = (np.inf, 1.0, 1.0)  # (distance to the rate, base, share)
    for _ in range(BISECTION_STEPS):
        mid = (low + high) / 2
        _, share = claims(eligible, person_household, adjacency, mid, ratio * mid, rounds,
                          seed, 0)
        best = min(best, (abs(share - rate), mid, share))
        low, high = (mid, high) if share < rate else (low, mid)
    _, base, share = best
    return ClaimParams(rule=rule, published_rate=rate, base=base, peer=ratio * base,
                       rounds=rounds, fitted_rate=share)


@dataclass(frozen=True)
class ClaimResult:
    """One rule under one scenario with take-up applied; (mean, p05, p95) across draws."""

    rule: str
    scenario: str  # baseline | reform
    params: ClaimParams
    takeup_share: tuple[float, float, float]
    entitled_cost_krw: float  # mean over draws, scaled, 100% take-up
    claimed_cost_krw: tuple[float, float, float]
    entitled_recipients: float
    claimed_recipients: tuple[float, float, float]


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    return (float(values.mean()), float(np.percentile(values, 5)),
            float(np.percentile(values, 95)))


def rule_claims(run: PolicyRun, adjacency: sp.csr_matrix, person_household: np.ndarray,
                seed: int) -> list[ClaimResult]:
    """Take-up of every standing benefit of ``run``, baseline and (if any) reform."""
    results = []
    for rule in CLAIM_RULES:
        if rule not in run.config.rule_years:
            continue
        params = fit_claims(rule, run.baseline[rule][0] > 0, person_household, adjacency, seed)
        scenarios = [("baseline", run.baseline[rule], run.baseline_recipients[rule])]
        if run.reform_spec is not None:
            scenarios.append(("reform", run.reform[rule], run.reform_recipients[rule]))
        for name, amounts, recipients in scenarios:
            eligible = amounts > 0
            claimed = np.stack([
                claims(eligible[d], person_household, adjacency, params.base, params.peer,
                       params.rounds, seed, d)[0]
                for d in range(amounts.shape[0])
            ])
            share = (claimed & eligible).sum(axis=1) / np.maximum(eligible.sum(axis=1), 1)
            results.append(ClaimResult(
                rule=rule, scenario=name, params=params, takeup_share=_interval(share),
                entitled_cost_krw=float(amounts.sum(axis=1).mean() * run.weight),
                claimed_cost_krw=_interval((amounts * claimed).sum(axis=1) * run.weight),
                entitled_recipients=float(recipients.sum(axis=1).mean() * run.weight),
                claimed_recipients=_interval((recipients * claimed).sum(axis=1) * run.weight),
            ))
    return results


def claims_table(results: list[ClaimResult]) -> pl.DataFrame:
    """One row per rule and scenario (``takeup_rules.csv``)."""
    rows = []
    for r in results:
        row: dict[str, object] = {
            "rule": r.rule, "scenario": r.scenario, "published_takeup": r.params.published_rate,
            "base_per_round": r.params.base, "peer_per_round": r.params.peer,
            "rounds": r.params.rounds, "fitted_takeup": r.params.fitted_rate,
            "entitled_cost_krw": r.entitled_cost_krw,
            "entitled_recipients": r.entitled_recipients,
        }
        for name, values in (("takeup_share", r.takeup_share),
                             ("claimed_cost_krw", r.claimed_cost_krw),
                             ("claimed_recipients", r.claimed_recipients)):
            row |= {name: values[0], f"{name}_p05": values[1], f"{name}_p95": values[2]}
        rows.append(row)
    return pl.DataFrame(rows)
