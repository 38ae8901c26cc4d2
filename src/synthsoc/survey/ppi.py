"""Prediction-powered inference (Angelopoulos, Bates, Fannjiang, Jordan and Zrnic, Science 2023).

A share theta = E[Y] (Y the one-hot answer of a real person) is estimated from

* ``n`` real respondents with their answers Y_i and the LLM's prediction f(X_i) for them, and
* ``N`` personas drawn from the population with only the LLM's prediction f(X~_j):

    theta_PP = mean_j f(X~_j) + mean_i (Y_i - f(X_i))

The second term (the *rectifier*) measures the LLM's bias on real people and removes it, so the
estimate is unbiased and its normal interval, with variance var(f)/N + var(Y - f)/n, is valid
whatever the LLM's bias; when f predicts Y well, var(Y - f) < var(Y) and the interval is
narrower than the real sample's own (classical) interval mean(Y) +- z sd(Y)/sqrt(n). When the
LLM is useless it is at most slightly wider. Both intervals are returned so the gain shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

MIN_LABELLED = 10  # fewer real respondents: no interval (the normal approximation fails)


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
    level: float = 0.95,
) -> PPIEstimate | None:
    """PPI estimate of the answer shares (None with fewer than MIN_LABELLED respondents or
    fewer than 2 personas).

    ``unlabelled`` (N, K): the LLM's answer probabilities for the personas; ``labelled_*``
    (n, K): its probabilities for the real respondents and their one-hot answers.
    """
    f_big = np.asarray(unlabelled, dtype=np.float64)
    f_small = np.asarray(labelled_predictions, dtype=np.float64)
    y = np.asarray(labelled_answers, dtype=np.float64)
    n, big_n = y.shape[0], f_big.shape[0]
    if n < MIN_LABELLED or big_n < 2:
        return None
    z = float(norm.ppf(0.5 + level / 2.0))
    rectifier = y - f_small
    share = f_big.mean(axis=0) + rectifier.mean(axis=0)
    se = np.sqrt(f_big.var(axis=0, ddof=1) / big_n + rectifier.var(axis=0, ddof=1) / n)
    classical = y.mean(axis=0)
    classical_se = np.sqrt(y.var(axis=0, ddof=1) / n)
    return PPIEstimate(
        share=share,
        low=np.clip(share - z * se, 0.0, 1.0),
        high=np.clip(share + z * se, 0.0, 1.0),
        classical_share=classical,
        classical_low=np.clip(classical - z * classical_se, 0.0, 1.0),
        classical_high=np.clip(classical + z * classical_se, 0.0, 1.0),
        n_labelled=n,
        n_unlabelled=big_n,
    )
