"""Behaviour around a payment: take-up spreading through the social network, and spending.

Take-up (the 2020 relief payment). On day 0 the poorest ``automatic_share`` of eligible
households are paid without applying (cash to recipients of other benefits; MOIS: 286만
households, 13.2%). From ``open_day`` on, each unpaid eligible household applies on a day with
probability ``base + peer * f``, where ``f`` is the share of its members' contacts (work, school,
neighbourhood, online) whose households have been paid. ``base`` and ``peer`` are fitted to the
published cumulative paid shares (``data/behaviour_anchors.csv``): first in the mean-field
version of the model (``f`` = overall paid share), then refined by a grid around that fit on
the population's own network, for the universal payment the published shares describe; both
fit errors are reported. A reform runs with the parameters fitted on the baseline.

Spending. Extra consumption = MPC x payment received, with the MPC drawn uniformly in the KDI
range (26.2%-36.1% of the funds usable by card) for each draw. This is the payment's direct
effect; the spending simulated by synthsoc's marketplace is in ``spending.py``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import polars as pl
import scipy.sparse as sp

from synthsoc.synth import schema

TAKEUP_LAYERS: tuple[str, ...] = ("work", "school", "neighbourhood", "online")


def anchors() -> pl.DataFrame:
    path = files("synthsoc.policy") / "data" / "behaviour_anchors.csv"
    return pl.read_csv(str(path), comment_prefix="#")


@dataclass(frozen=True)
class TakeupParams:
    automatic_share: float
    open_day: int  # first day households can apply (card applications, 2020-05-11)
    days: int
    base: float
    peer: float
    fit_rmse: float  # fit to the published curve, share (network fit where refined)
    mean_field_rmse: float


def _mean_field(base: float, peer: float, automatic: float, open_day: int,
                days: int) -> np.ndarray:
    paid = np.empty(days + 1)
    paid[0] = automatic
    for t in range(1, days + 1):
        hazard = min(1.0, base + peer * paid[t - 1]) if t >= open_day else 0.0
        paid[t] = paid[t - 1] + (1.0 - paid[t - 1]) * hazard
    return paid


def fit_takeup(open_day: int = 7) -> TakeupParams:
    """Fit ``base`` and ``peer`` to the published paid shares (grid search, mean field)."""
    table = anchors()
    curve = table.filter(pl.col("indicator") == "relief_paid_share")
    days_obs = curve["day"].to_numpy().astype(int)
    shares = curve["value"].to_numpy()
    automatic = float(table.filter(pl.col("indicator") == "relief_paid_share_automatic")
                      ["value"][0])
    days = int(days_obs.max())
    best = (np.inf, 0.0, 0.0)
    for base in np.linspace(0.0, 0.4, 81):
        for peer in np.linspace(0.0, 0.6, 61):
            err = _mean_field(base, peer, automatic, open_day, days)[days_obs] - shares
            rmse = float(np.sqrt(np.mean(err**2)))
            if rmse < best[0]:
                best = (rmse, float(base), float(peer))
    return TakeupParams(automatic_share=automatic, open_day=open_day, days=days,
                        base=best[1], peer=best[2], fit_rmse=best[0], mean_field_rmse=best[0])


def _published() -> tuple[np.ndarray, np.ndarray]:
    curve = anchors().filter(pl.col("indicator") == "relief_paid_share")
    return curve["day"].to_numpy().astype(int), curve["value"].to_numpy()


def fit_takeup_on_network(eligible: np.ndarray, income: np.ndarray,
                          person_household: np.ndarray, adjacency: sp.csr_matrix, seed: int,
                          factors: tuple[float, ...] = (0.7, 1.0, 1.4, 2.0)) -> TakeupParams:
    """Refine the mean-field fit on the network: ``base`` and ``peer`` scaled by ``factors``
    (a grid of len(factors)^2 network runs), keeping the one closest to the published curve."""
    start = fit_takeup()
    days_obs, shares = _published()
    best = start
    best_rmse = np.inf
    for fb in factors:
        for fp in factors:
            trial = dataclasses.replace(start, base=start.base * fb, peer=start.peer * fp)
            rng = np.random.default_rng(np.random.SeedSequence([seed, 0x7A4F]))
            _, curve = simulate_takeup(eligible, income, person_household, adjacency, trial, rng)
            rmse = float(np.sqrt(np.mean((curve[days_obs] - shares) ** 2)))
            if rmse < best_rmse:
                best, best_rmse = trial, rmse
    return dataclasses.replace(best, fit_rmse=best_rmse)


def simulate_takeup(eligible: np.ndarray, income: np.ndarray, person_household: np.ndarray,
                    adjacency: sp.csr_matrix, params: TakeupParams,
                    rng: np.random.Generator, among_eligible: bool = False
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Day each household is paid (-1: never within ``params.days``) and the daily paid share.

    ``eligible``/``income`` are per household; ``person_household`` maps persons (the rows of
    ``adjacency``, ``A[v, u] = 1`` when u influences v) to households. ``f`` is the share of a
    person's contacts who are paid; with ``among_eligible``, of their contacts in eligible
    households (for a targeted benefit: peers who could claim it).
    """
    n_hh = eligible.size
    paid_day = np.full(n_hh, -1, dtype=np.int64)
    candidates = np.flatnonzero(eligible)
    n_auto = int(round(params.automatic_share * candidates.size))
    poorest = candidates[np.argsort(income[candidates], kind="stable")[:n_auto]]
    paid_day[poorest] = 0
    if among_eligible:
        degree = adjacency @ eligible[person_household].astype(np.float32)
    else:
        degree = np.asarray(adjacency.sum(axis=1)).ravel()
    members = np.bincount(person_household, minlength=n_hh).astype(np.float64)
    curve = np.zeros(params.days + 1)
    curve[0] = n_auto / max(candidates.size, 1)
    for t in range(1, params.days + 1):
        if t >= params.open_day:
            paid_person = (paid_day[person_household] >= 0).astype(np.float32)
            contacts = adjacency @ paid_person
            share = np.divide(contacts, degree, out=np.zeros_like(contacts), where=degree > 0)
            f = np.bincount(person_household, weights=share, minlength=n_hh) / np.maximum(
                members, 1)
            hazard = np.clip(params.base + params.peer * f, 0.0, 1.0)
            waiting = eligible & (paid_day < 0)
            apply = waiting & (rng.random(n_hh) < hazard)
            paid_day[apply] = t
        curve[t] = (paid_day[candidates] >= 0).mean() if candidates.size else 0.0
    return paid_day, curve


def mpc_range() -> tuple[float, float]:
    table = anchors()
    low = float(table.filter(pl.col("indicator") == "relief_mpc_low")["value"][0])
    high = float(table.filter(pl.col("indicator") == "relief_mpc_high")["value"][0])
    return low, high


def relief_income_rank(households: pl.DataFrame, seed: int) -> np.ndarray:
    """The order in which households count as poorest (the relief payment's automatic, cash
    recipients come first): by income bracket, ties broken at random from ``seed``."""
    order = {b: i for i, b in enumerate(schema.INCOME_BRACKETS)}
    tie = np.random.default_rng(np.random.SeedSequence([seed, 0x7A4D]))
    return households["income_bracket"].replace_strict(
        order, default=len(order), return_dtype=pl.Float64).to_numpy() + tie.random(
        households.height) * 0.5
