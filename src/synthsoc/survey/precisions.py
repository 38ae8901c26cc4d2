"""The posterior of the multilevel logit's estimated prior precisions (its variance components).

Empirical Bayes (:func:`synthsoc.survey.multilevel.fit_multilevel_logit`) picks one precision
per interaction, lambda_t, the value that maximises the evidence. Plugging that value in as if
it were known makes the intervals too narrow wherever the evidence is flat: a small interaction
that the data cannot tell from none is pushed to the cap (1e5, prior sd 0.003), and the draws
then allow no such effect at all. Full Bayes instead puts a hyperprior on each prior sd and
integrates over it; this module gives the posterior of log lambda_t that the draws mix over.

For one estimated term t, with the other precisions at their estimates and every other
parameter integrated out, the Laplace approximation of the likelihood of the term's
coefficients w_t is Gaussian: log L(w_t) = const - 1/2 (w_t - m)' Q (w_t - m), with Q the
data curvature of w_t after the rest is integrated out (the Schur complement; from the
posterior covariance S at the fitted mode, Q = S_tt^-1 - lambda_hat I) and Q m = Q w_hat + s
(s the log-likelihood's gradient in w_t at the mode). The evidence for any lambda is then the
Gaussian integral of L against the prior N(0, I / lambda), in closed form on Q's eigenbasis
(q_i, b_i = V' Q m):

    log p(y | lambda) = sum_i [1/2 log(lambda / (lambda + q_i))
                               - 1/2 b_i^2 lambda / (q_i (q_i + lambda))]

so a fine grid over log lambda costs one eigendecomposition per term. The hyperprior is
half-Cauchy(0, scale) on the prior sd sigma_t = lambda_t^-1/2 (Gelman 2006, the usual weakly
informative prior for a variance component): proper, and vanishing as sigma -> 0, so the
posterior cannot collapse onto "no effect" when the data are merely silent about it.

Approximations, stated: the Gaussian (Laplace) likelihood at the empirical-Bayes mode; each
term's posterior is conditional on the other terms' estimated precisions and the terms are
drawn independently (a mean-field product, not the joint posterior); the grid is truncated to
``low``..``high``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PrecisionPrior:
    """Half-Cauchy(0, ``scale``) on each estimated effect's prior sd, on a log-spaced grid of
    precisions from ``low`` (sd 10) to ``high`` (sd 0.001)."""

    scale: float = 1.0
    low: float = 1e-2
    high: float = 1e6
    n_grid: int = 121

    def grid(self) -> np.ndarray:
        """Log-precisions of the grid (uniform steps)."""
        return np.linspace(np.log(self.low), np.log(self.high), self.n_grid)

    def log_density(self, log_precision: np.ndarray) -> np.ndarray:
        """Log density of log lambda (up to a constant): sigma / (1 + (sigma / scale)^2)."""
        log_sd = -0.5 * log_precision
        return np.asarray(log_sd - np.log1p(np.exp(2.0 * log_sd) / self.scale**2))


@dataclass(frozen=True)
class PrecisionPosterior:
    """Posterior weights of each estimated term's log-precision on the prior's grid."""

    names: tuple[str, ...]
    log_grid: np.ndarray  # (G,)
    weights: np.ndarray  # (T, G), rows sum to 1

    def draw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Precisions (n, T): a grid point per term by its weight, jittered within its step."""
        step = float(self.log_grid[1] - self.log_grid[0]) if self.log_grid.size > 1 else 0.0
        out = np.empty((n, len(self.names)))
        for t in range(len(self.names)):
            picks = rng.choice(self.log_grid.size, size=n, p=self.weights[t])
            jitter = rng.uniform(-0.5, 0.5, n) * step
            out[:, t] = np.exp(np.clip(self.log_grid[picks] + jitter, self.log_grid[0],
                                       self.log_grid[-1]))
        return out


def precision_posterior(
    solve: Callable[[np.ndarray], np.ndarray],
    blocks: Sequence[np.ndarray],
    estimates: Sequence[float],
    mode: np.ndarray,
    score: np.ndarray,
    names: Sequence[str],
    prior: PrecisionPrior,
) -> PrecisionPosterior:
    """Posterior of each term's log-precision (see the module docstring).

    ``solve`` applies the inverse of the posterior precision matrix at the fitted mode (a
    factorised Hessian); ``blocks`` are the flat parameter indices of each estimated term,
    ``estimates`` their empirical-Bayes precisions, ``mode`` the fitted parameters and ``score``
    the log-likelihood's gradient at the mode (both flat, in the Hessian's order).
    """
    log_grid = prior.grid()
    precision = np.exp(log_grid)[:, None]  # (G, 1)
    log_prior = prior.log_density(log_grid)
    n = mode.size
    weights = np.empty((len(blocks), log_grid.size))
    for t, (index, estimate) in enumerate(zip(blocks, estimates, strict=True)):
        unit = np.zeros((n, index.size))
        unit[index, np.arange(index.size)] = 1.0
        cov = solve(unit)[index]  # S_tt
        cov = 0.5 * (cov + cov.T)
        curvature = np.linalg.inv(cov) - estimate * np.eye(index.size)
        q, v = np.linalg.eigh(0.5 * (curvature + curvature.T))
        b = v.T @ (curvature @ mode[index] + score[index])
        informative = q > 1e-9 * max(float(q.max()), 1.0)
        q, b = q[informative], b[informative]
        log_evidence = 0.5 * np.log(precision / (precision + q)).sum(axis=1) - 0.5 * (
            b**2 * precision / (q * (q + precision))
        ).sum(axis=1)
        log_post = log_evidence + log_prior
        w = np.exp(log_post - log_post.max())
        weights[t] = w / w.sum()
    return PrecisionPosterior(tuple(names), log_grid, weights)
