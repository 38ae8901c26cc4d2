"""Prediction-powered inference (Angelopoulos, Bates, Fannjiang, Jordan and Zrnic, Science 2023).

A share theta = E[Y] (Y the one-hot answer of a real person) is estimated from

* ``n`` real respondents with survey weights w_i, their answers Y_i and the LLM's prediction
  f(X_i) for them, and
* ``N`` personas drawn from the population (a simple random sample, equal weights) with only
  the LLM's prediction f(X~_j):

    theta_PP = mean_j f(X~_j) + sum_i w_i (Y_i - f(X_i)) / sum_i w_i

The second term (the *rectifier*, a weighted mean because the real sample is weighted) measures
the LLM's bias on real people and removes it, so the estimate is consistent and its normal
interval, with variance var(f)/N + V_w(Y - f), is valid whatever the LLM's bias. V_w is the
usual linearisation (sandwich) variance of a weighted (Hajek) mean,

    V_w(r) = n / (n - 1) * sum_i w_i^2 (r_i - rbar_w)^2 / (sum_i w_i)^2,

which for equal weights is var(r)/n (ddof 1), and for weights unrelated to r is about
var_w(r)/n_eff with Kish's effective n, (sum w)^2 / sum w^2: unequal weights cost precision.
When f predicts Y well, var(Y - f) < var(Y) and the interval is narrower than the real
sample's own (classical, equally weighted) interval ybar_w +- z sqrt(V_w(Y)); when the LLM is
useless it is at most slightly wider. Both intervals are returned so the gain shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

MIN_LABELLED = 10  # fewer effective real respondents: no interval (the normal approximation fails)


@dataclass(frozen=True)
class PPIEstimate:
    """Per answer category: the PPI share and interval, and the real sample's own interval."""

    share: np.ndarray
    low: np.ndarray
    high: np.ndarray
    classical_share: np.ndarray
    classical_low: np.ndarray
    classical_high: np.ndarray
    n_labelled: int
    n_unlabelled: int
    n_effective: float  # Kish's effective number of the real respondents, after weighting

    @property
    def width_ratio(self) -> float:
        """Mean PPI interval width over the classical one (below 1: the LLM narrowed it)."""
        ppi = np.mean(self.high - self.low)
        classical = np.mean(self.classical_high - self.classical_low)
        return float(ppi / classical) if classical > 0 else float("nan")


def ppi_shares(
    unlabelled: np.ndarray,
    labelled_predictions: np.ndarray,
    labelled_answers: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    level: float = 0.95,
) -> PPIEstimate | None:
    """PPI estimate of the answer shares (None with fewer than MIN_LABELLED effective real
    respondents or fewer than 2 personas).

    ``unlabelled`` (N, K): the LLM's answer probabilities for the personas; ``labelled_*``
    (n, K): its probabilities for the real respondents and their one-hot answers; ``weights``
    (n,): the real respondents' survey weights (None: equal).
    """
    f_big = np.asarray(unlabelled, dtype=np.float64)
    f_small = np.asarray(labelled_predictions, dtype=np.float64)
    y = np.asarray(labelled_answers, dtype=np.float64)
    n, big_n = y.shape[0], f_big.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (n,) or (n and (not np.all(np.isfinite(w)) or w.min() <= 0)):
        raise ValueError("weights must be one positive number per real respondent")
    n_eff = float(w.sum() ** 2 / np.sum(w**2)) if n else 0.0
    if n < 2 or n_eff < MIN_LABELLED or big_n < 2:
        return None
    z = float(norm.ppf(0.5 + level / 2.0))
    rectifier, rectifier_var = weighted_mean_and_variance(y - f_small, w)
    share = f_big.mean(axis=0) + rectifier
    se = np.sqrt(f_big.var(axis=0, ddof=1) / big_n + rectifier_var)
    classical, classical_var = weighted_mean_and_variance(y, w)
    classical_se = np.sqrt(classical_var)
    return PPIEstimate(
        share=share,
        low=np.clip(share - z * se, 0.0, 1.0),
        high=np.clip(share + z * se, 0.0, 1.0),
        classical_share=classical,
        classical_low=np.clip(classical - z * classical_se, 0.0, 1.0),
        classical_high=np.clip(classical + z * classical_se, 0.0, 1.0),
        n_labelled=n,
        n_unlabelled=big_n,
        n_effective=n_eff,
    )


def weighted_mean_and_variance(
    values: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted (Hajek) mean of the rows of ``values`` (n, K) and its linearisation variance
    n / (n - 1) * sum w^2 (x - mean)^2 / (sum w)^2 (per column)."""
    n = values.shape[0]
    total = float(weights.sum())
    mean = weights @ values / total
    spread = (weights[:, None] * (values - mean)) ** 2
    return mean, n / (n - 1) * spread.sum(axis=0) / total**2
