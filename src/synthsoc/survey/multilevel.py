"""P(answer | attributes) from respondent microdata: a multilevel multinomial logit.

The model is the one multilevel regression and poststratification (MRP) fits, estimated the
fast way. For K answers and categorical attributes A, B, C the log-odds of each answer are

    eta[k] = b[k] + a_A[level_A, k] + a_B[level_B, k] + ... (main effects)
                  + g_AB[level_A, level_B, k] + ...          (interactions, up to ``max_order``)

Every effect is a group-level random effect with a Gaussian prior of precision ``lambda``
(main effects share one precision, each interaction order another). The fit is the posterior
mode (a ridge-penalised multinomial logit), so thinly-populated groups are shrunk toward what
the main effects predict: partial pooling. Each effect has its own precision (its variance
component), estimated by empirical Bayes (type-II maximum likelihood with MacKay's fixed-point
updates), so a real interaction (attitudes by party changing over decades) is kept while a noise
interaction is shrunk to nothing. Respondents are aggregated into cells first, so fitting cost
depends on the number of distinct attribute combinations, not on the number of respondents.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import linalg, sparse
from scipy.sparse import linalg as splinalg
from threadpoolctl import threadpool_limits

from synthsoc.survey.precisions import PrecisionPrior, precision_posterior

MIN_PENALTY = 1.0
MAX_PENALTY = 1e5
NEGLIGIBLE_PENALTY = 1e3  # prior sd 0.03 on the logit scale: the effect is shrunk to nothing


@dataclass(frozen=True)
class Encoding:
    """Categorical levels of each attribute, in a fixed order."""

    columns: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]

    @classmethod
    def from_values(
        cls,
        columns: Sequence[str],
        values: Sequence[Sequence[str]],
        extra_levels: Sequence[Sequence[str]] | None = None,
    ) -> Encoding:
        """Levels seen in ``values``, plus ``extra_levels`` (levels no respondent has)."""
        extra = extra_levels if extra_levels is not None else [[] for _ in columns]
        return cls(
            tuple(columns),
            tuple(tuple(sorted(set(v) | set(e))) for v, e in zip(values, extra, strict=True)),
        )

    def codes(self, values: Sequence[Sequence[str]]) -> np.ndarray:
        """Integer codes (n, p); an unseen level gets -1 (it then contributes no effect)."""
        out = np.empty((len(values[0]) if values else 0, len(self.columns)), dtype=np.int64)
        for j, (levels, column) in enumerate(zip(self.levels, values, strict=True)):
            lookup = {level: i for i, level in enumerate(levels)}
            out[:, j] = np.fromiter((lookup.get(v, -1) for v in column), np.int64, len(column))
        return out


@dataclass(frozen=True)
class _Terms:
    """Which attribute subsets enter the model, and where each subset's columns start."""

    subsets: tuple[tuple[int, ...], ...]
    sizes: tuple[int, ...]
    offsets: tuple[int, ...]
    orders: tuple[int, ...]

    @classmethod
    def build(cls, n_levels: Sequence[int], max_order: int) -> _Terms:
        subsets: list[tuple[int, ...]] = []
        for order in range(1, min(max_order, len(n_levels)) + 1):
            subsets.extend(itertools.combinations(range(len(n_levels)), order))
        sizes = tuple(int(np.prod([n_levels[j] for j in s])) for s in subsets)
        offsets = tuple(int(x) for x in np.concatenate([[0], np.cumsum(sizes)[:-1]]))
        return cls(tuple(subsets), sizes, offsets, tuple(len(s) for s in subsets))

    @property
    def n_columns(self) -> int:
        return int(sum(self.sizes))

    def design(self, codes: np.ndarray, n_levels: Sequence[int]) -> sparse.csr_matrix:
        """Sparse 0/1 design: one active column per term per row (none for unseen levels)."""
        n = codes.shape[0]
        rows, cols = [], []
        for subset, offset in zip(self.subsets, self.offsets, strict=True):
            index = np.zeros(n, dtype=np.int64)
            valid = np.ones(n, dtype=bool)
            for j in subset:
                index = index * n_levels[j] + codes[:, j]
                valid &= codes[:, j] >= 0
            rows.append(np.flatnonzero(valid))
            cols.append(offset + index[valid])
        r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        data = np.ones(r.size)
        return sparse.csr_matrix((data, (r, c)), shape=(n, self.n_columns))


@dataclass(frozen=True)
class MultilevelLogit:
    """A fitted model: call :meth:`predict` with attribute values to get answer probabilities."""

    encoding: Encoding
    terms: _Terms
    intercept: np.ndarray
    coef: np.ndarray
    term_penalties: tuple[float, ...]
    n_answers: int
    converged: bool = True  # the optimiser (L-BFGS) met its tolerance on the final fit
    penalties_settled: bool = True  # the evidence updates of the precisions stopped moving
    estimated_terms: tuple[bool, ...] = ()  # which precisions empirical Bayes estimated

    def term_names(self) -> list[str]:
        """Each effect's name, ``A`` or ``A:B``, in the terms' order."""
        return [":".join(self.encoding.columns[j] for j in s) for s in self.terms.subsets]

    def predict_codes(self, codes: np.ndarray) -> np.ndarray:
        n_levels = [len(x) for x in self.encoding.levels]
        design = self.terms.design(codes, n_levels)
        return _softmax(design @ self.coef + self.intercept)

    def predict(self, values: Sequence[Sequence[str]]) -> np.ndarray:
        """Probabilities (n, K) for attribute columns given in the encoding's column order."""
        return self.predict_codes(self.encoding.codes(values))

    def penalties_by_term(self) -> dict[str, float]:
        """The prior precision of each effect, keyed ``A`` or ``A:B``."""
        return dict(zip(self.term_names(), self.term_penalties, strict=True))


def fit_multilevel_logit(
    columns: Sequence[str],
    values: Sequence[Sequence[str]],
    answers: np.ndarray,
    n_answers: int,
    *,
    weights: np.ndarray | None = None,
    max_order: int = 2,
    penalty: float | None = None,
    main_penalty: float = 1.0,
    em_iterations: int = 12,
    extra_levels: Sequence[Sequence[str]] | None = None,
) -> MultilevelLogit:
    """Fit the model.

    ``values`` holds one sequence of category labels per attribute column; ``answers`` the answer
    codes 0..``n_answers``-1 of the same respondents; ``weights`` optional survey weights. With
    ``penalty`` given, every effect gets that prior precision (``max_order=1, penalty=1`` is a
    plain L2 logistic regression with C=1). Otherwise each effect's precision is estimated by
    empirical Bayes (MacKay's evidence updates): lambda_t = gamma_t / |w_t|^2 with gamma_t the
    effective number of parameters the data determine in effect t. Main effects keep the fixed
    precision ``main_penalty``: interactions contain the main effects as sums, and left free the
    evidence updates would let interactions absorb them.

    ``extra_levels`` adds levels that no respondent has (a province nobody in the sample lives
    in): their effects stay at the prior mean, and :func:`posterior_draws` draws them from the
    prior, so an unsurveyed group is as uncertain as the prior says, never falsely certain.
    """
    encoding = Encoding.from_values(columns, values, extra_levels)
    codes = encoding.codes(values)
    answers = np.asarray(answers, dtype=np.int64)
    if answers.size != codes.shape[0]:
        raise ValueError("answers and attribute values differ in length")
    if answers.size == 0:
        raise ValueError("no respondents to fit")
    if answers.min() < 0 or answers.max() >= n_answers:
        raise ValueError(f"answer codes must lie in 0..{n_answers - 1}")
    w = np.ones(answers.size) if weights is None else np.asarray(weights, dtype=np.float64)
    n_levels = [len(x) for x in encoding.levels]
    terms = _Terms.build(n_levels, max_order)
    cell_codes, cell_of_row = np.unique(codes, axis=0, return_inverse=True)
    design = terms.design(cell_codes, n_levels)
    counts = np.zeros((cell_codes.shape[0], n_answers))
    np.add.at(counts, (cell_of_row, answers), w)

    term_of_column = np.repeat(np.arange(len(terms.sizes)), terms.sizes)
    estimated = tuple(penalty is None and order > 1 for order in terms.orders)
    if penalty is not None:
        lambdas = np.full(len(terms.sizes), float(penalty))
        intercept, coef, converged = _fit_map(design, counts, lambdas[term_of_column])
        settled = True
    else:
        is_main = np.array([order == 1 for order in terms.orders])
        lambdas = np.where(is_main, main_penalty, 16.0)
        start: tuple[np.ndarray, np.ndarray] | None = None
        totals = counts.sum(axis=1, keepdims=True)
        settled = False
        for _ in range(em_iterations):
            intercept, coef, _ = _fit_map(design, counts, lambdas[term_of_column], start)
            start = (intercept, coef)
            probs = _softmax(design @ coef + intercept)
            curvature = design.T @ (totals * probs * (1.0 - probs))
            lam_col = lambdas[term_of_column][:, None]
            gamma = np.bincount(
                term_of_column, (curvature / (curvature + lam_col)).sum(axis=1), len(lambdas)
            )
            energy = np.bincount(term_of_column, (coef**2).sum(axis=1), len(lambdas))
            updated = np.clip(gamma / np.maximum(energy, 1e-12), MIN_PENALTY, MAX_PENALTY)
            updated[is_main] = main_penalty
            # settled: every precision stopped moving, or is so large that its effect is nil
            # whatever its exact value (noise interactions creep toward the cap)
            negligible = (updated >= NEGLIGIBLE_PENALTY) & (lambdas >= NEGLIGIBLE_PENALTY)
            settled = bool(np.all((np.abs(np.log(updated / lambdas)) < 0.02) | negligible))
            lambdas = updated
            if settled:
                break
        intercept, coef, converged = _fit_map(design, counts, lambdas[term_of_column], start)
    return MultilevelLogit(
        encoding,
        terms,
        intercept,
        coef,
        tuple(float(x) for x in lambdas),
        n_answers,
        converged,
        settled,
        estimated,
    )


def posterior_draws(
    model: MultilevelLogit,
    values: Sequence[Sequence[str]],
    answers: np.ndarray,
    n_draws: int,
    rng: np.random.Generator,
    weights: np.ndarray | None = None,
    *,
    precisions: Literal["posterior", "plug_in"] = "posterior",
    precision_prior: PrecisionPrior | None = None,
    n_precision_draws: int = 20,
) -> np.ndarray:
    """Parameter draws (B, 1 + n_columns, K) from the Laplace approximation of the posterior.

    The posterior of the penalised logit is approximated by a Gaussian at the fitted mode with
    precision H = X'WX + Lambda (the Hessian of the objective on the training cells). Effects
    the data barely determine (thin cells, levels no respondent has) keep a variance close to
    their prior's 1/lambda; this is how partial pooling shows up as uncertainty. Row 0 of each
    draw is the intercept. Sampling without forming H^-1: with H = A'A (A stacks the weighted
    data rows and sqrt(Lambda)), x = H^-1 A'z for z ~ N(0, I) has covariance H^-1; H is sparse
    and factorised (SuperLU), so the cost grows with the model's non-zeros, not its size
    squared.

    ``precisions="posterior"`` (the default) also carries the uncertainty of the precisions
    that empirical Bayes estimated (the interactions'): ``n_precision_draws`` precision vectors
    are drawn from their posterior under ``precision_prior`` (:mod:`synthsoc.survey.precisions`)
    and the draws are split among them; for each, the mode moves by one Newton step from the
    fitted one and H is refactorised (one dense Cholesky factorisation per precision draw,
    the time cost). ``"plug_in"`` treats the estimated precisions as known (the
    empirical-Bayes interval, too narrow where an interaction was shrunk to nothing). A model
    fitted with a fixed ``penalty`` has no estimated precision, so both give the plug-in draws.
    """
    codes = model.encoding.codes(values)
    n_levels = [len(x) for x in model.encoding.levels]
    answers = np.asarray(answers, dtype=np.int64)
    w = np.ones(answers.size) if weights is None else np.asarray(weights, dtype=np.float64)
    cell_codes, cell_of_row = np.unique(codes, axis=0, return_inverse=True)
    k = model.n_answers
    counts = np.zeros((cell_codes.shape[0], k))
    np.add.at(counts, (cell_of_row.ravel(), answers), w)
    design = sparse.hstack(
        [np.ones((cell_codes.shape[0], 1)), model.terms.design(cell_codes, n_levels)]
    ).tocsr()
    n_params = design.shape[1]
    probs = _softmax(design[:, 1:] @ model.coef + model.intercept)
    totals = counts.sum(axis=1)
    term_of_column = np.repeat(np.arange(len(model.terms.sizes)), model.terms.sizes)
    penalty = np.concatenate([[1e-4], np.asarray(model.term_penalties)[term_of_column]])
    design_t = design.T.tocsr()
    blocks = [
        [
            design_t @ sparse.diags(totals * probs[:, a] * ((a == b) - probs[:, b])) @ design
            for b in range(k)
        ]
        for a in range(k)
    ]
    data_hessian = sparse.bmat(blocks).tocsc()
    mode = np.vstack([model.intercept[None], model.coef])  # (P, K)
    estimated = [t for t, e in enumerate(model.estimated_terms) if e]
    if precisions == "plug_in" or not estimated:
        factor = splinalg.splu((data_hessian + sparse.diags(np.tile(penalty, k))).tocsc())
        noise = _gaussian_draws(factor.solve, design_t, probs, totals, penalty, n_draws, rng)
        return mode[None] + noise
    if precisions != "posterior":
        raise ValueError(f"precisions must be 'posterior' or 'plug_in', got {precisions!r}")
    # flat parameter vectors follow the Hessian's order: index a * P + j (answer a, column j)
    mode_flat = mode.T.ravel()
    score_flat = (design_t @ (counts - totals[:, None] * probs)).T.ravel()
    column_of = [1 + np.flatnonzero(term_of_column == t) for t in estimated]
    flat_blocks = [(np.arange(k)[:, None] * n_params + cols[None]).ravel() for cols in column_of]
    names = model.term_names()
    dense_hessian = data_hessian.toarray()
    # one thread: OpenBLAS's threads spin against each other on a busy machine (10-20x slower)
    with threadpool_limits(1):
        hyper = precision_posterior(
            _cholesky_solver(dense_hessian, np.tile(penalty, k)),
            flat_blocks,
            [model.term_penalties[t] for t in estimated],
            mode_flat,
            score_flat,
            [names[t] for t in estimated],
            precision_prior or PrecisionPrior(),
        )
        n_hyper = max(1, min(n_precision_draws, n_draws))
        drawn = hyper.draw(n_hyper, rng)  # (M, T)
        sizes = np.full(n_hyper, n_draws // n_hyper) + (np.arange(n_hyper) < n_draws % n_hyper)
        out = np.empty((n_draws, n_params, k))
        done = 0
        for lambdas, size in zip(drawn, sizes, strict=True):
            pen = penalty.copy()
            for cols, lam in zip(column_of, lambdas, strict=True):
                pen[cols] = lam
            pen_flat = np.tile(pen, k)
            solve = _cholesky_solver(dense_hessian, pen_flat)
            # one Newton step from the fitted mode to the mode under these precisions
            centre = (mode_flat - solve(pen_flat * mode_flat - score_flat)).reshape(k, n_params).T
            noise = _gaussian_draws(solve, design_t, probs, totals, pen, int(size), rng)
            out[done : done + size] = centre[None] + noise
            done += int(size)
    return out


def _cholesky_solver(
    data_hessian: np.ndarray, penalty: np.ndarray
) -> Callable[[np.ndarray], np.ndarray]:
    """x -> (data_hessian + diag(penalty))^-1 x, by a dense Cholesky factorisation."""
    matrix = data_hessian.copy()
    matrix[np.diag_indices_from(matrix)] += penalty
    factor = linalg.cho_factor(matrix, lower=True, check_finite=False)
    return lambda rhs: np.asarray(linalg.cho_solve(factor, rhs, check_finite=False))


def _gaussian_draws(
    solve: Callable[[np.ndarray], np.ndarray],
    design_t: sparse.csr_matrix,
    probs: np.ndarray,
    totals: np.ndarray,
    penalty: np.ndarray,
    n_draws: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Zero-mean draws (B, P, K) with covariance H^-1, ``solve`` applying H^-1 for
    H = X'WX + diag(penalty)."""
    k = probs.shape[1]
    n_params = design_t.shape[0]
    root_p = np.sqrt(probs)
    z_data = rng.standard_normal((n_draws, probs.shape[0], k))
    z_prior = rng.standard_normal((n_draws, k, n_params))
    # S_c z with S_c = sqrt(n_c) (I - p 1') diag(sqrt p): S_c S_c' = n_c (diag p - p p').
    scaled = root_p[None] * z_data
    u = np.sqrt(totals)[None, :, None] * (scaled - probs[None] * scaled.sum(axis=2, keepdims=True))
    rhs = np.empty((k * n_params, n_draws))
    for b in range(n_draws):
        data_part = design_t @ u[b]  # (P, K)
        rhs[:, b] = (data_part.T + np.sqrt(penalty)[None] * z_prior[b]).ravel()
    noise = solve(rhs)  # (K * P, B), index a * P + j
    return np.asarray(noise.T.reshape(n_draws, k, n_params).transpose(0, 2, 1))


def predict_draws(
    model: MultilevelLogit, draws: np.ndarray, values: Sequence[Sequence[str]]
) -> np.ndarray:
    """Answer probabilities (B, n, K) of the units ``values`` under each parameter draw."""
    return predict_draws_codes(model, draws, model.encoding.codes(values))


def predict_draws_codes(model: MultilevelLogit, draws: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """:func:`predict_draws` for integer level codes (n, p)."""
    n_levels = [len(x) for x in model.encoding.levels]
    design = model.terms.design(codes, n_levels)
    out = np.empty((draws.shape[0], design.shape[0], model.n_answers))
    for b in range(draws.shape[0]):
        out[b] = _softmax(design @ draws[b, 1:] + draws[b, 0])
    return out


def _fit_map(
    design: sparse.csr_matrix,
    counts: np.ndarray,
    penalty: np.ndarray,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Posterior mode of the penalised multinomial logit on cell counts; and if it converged."""
    n_cols = design.shape[1]
    k = counts.shape[1]
    scale = 1.0 / max(float(counts.sum()), 1.0)
    totals = counts.sum(axis=1, keepdims=True)
    design_t = design.T.tocsr()
    pen = penalty[:, None]

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b = theta[:k]
        coef = theta[k:].reshape(n_cols, k)
        eta = design @ coef + b
        eta -= eta.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(eta).sum(axis=1, keepdims=True))
        log_p = eta - log_norm
        value = -float(np.sum(counts * log_p)) + 0.5 * float(np.sum(pen * coef**2))
        value += 0.5e-4 * _dot(b, b)
        resid = totals * np.exp(log_p) - counts
        grad_coef = design_t @ resid + pen * coef
        grad = np.concatenate([resid.sum(axis=0) + 1e-4 * b, grad_coef.ravel()])
        return value * scale, grad * scale

    if start is None:
        share = counts.sum(axis=0) + 0.5
        theta0 = np.concatenate([np.log(share / share.sum()), np.zeros(n_cols * k)])
    else:
        theta0 = np.concatenate([start[0], start[1].ravel()])
    found = minimize_lbfgs(objective, theta0)
    theta = found.x
    return theta[:k], theta[k:].reshape(n_cols, k), found.converged


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """``a . b`` as numpy's pairwise sum of the products: the same digits on any number of
    threads (a BLAS dot product of a long vector is split over threads)."""
    return float(np.sum(a * b))


def _softmax(eta: np.ndarray) -> np.ndarray:
    z = eta - eta.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


@dataclass(frozen=True)
class Minimum:
    """Where :func:`minimize_lbfgs` stopped."""

    x: np.ndarray
    converged: bool
    iterations: int


def minimize_lbfgs(
    objective: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x0: np.ndarray,
    *,
    memory: int = 10,
    max_iter: int = 1000,
    gtol: float = 1e-7,
) -> Minimum:
    """Minimise a smooth function with L-BFGS and a backtracking (Armijo) line search.

    Returns the point, whether a tolerance (gradient or relative change) was met before
    ``max_iter``, and the iterations used.

    Written here rather than calling scipy's L-BFGS-B because that one calls multithreaded BLAS
    on tiny vectors and ran 10-30x slower on a busy 2-core machine. This loop takes its dot
    products with :func:`_dot`, not BLAS: OpenBLAS splits a dot product of more than about
    10,000 entries over its threads, so its last digits, and through the iterations the fitted
    model (a survey fit of 10,912 parameters: 230 of 396 result rows), depended on the number
    of cores.
    """
    x = x0.copy()
    f, g = objective(x)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    for iteration in range(max_iter):
        if float(np.max(np.abs(g))) < gtol:
            return Minimum(x, True, iteration)
        q = g.copy()
        alphas = []
        for s_i, y_i in zip(reversed(s_hist), reversed(y_hist), strict=True):
            a = _dot(s_i, q) / _dot(y_i, s_i)
            alphas.append(a)
            q -= a * y_i
        if s_hist:
            q *= _dot(s_hist[-1], y_hist[-1]) / _dot(y_hist[-1], y_hist[-1])
        for (s_i, y_i), a in zip(zip(s_hist, y_hist, strict=True), reversed(alphas), strict=True):
            q += s_i * (a - _dot(y_i, q) / _dot(y_i, s_i))
        direction = -q
        slope = _dot(g, direction)
        if slope >= 0:  # not a descent direction: restart from steepest descent
            s_hist.clear()
            y_hist.clear()
            direction, slope = -g, -_dot(g, g)
        step = 1.0
        while True:
            x_new = x + step * direction
            f_new, g_new = objective(x_new)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_vec, y_vec = x_new - x, g_new - g
        if _dot(s_vec, y_vec) > 1e-12:
            s_hist.append(s_vec)
            y_hist.append(y_vec)
            if len(s_hist) > memory:
                s_hist.pop(0)
                y_hist.pop(0)
        converged = abs(f - f_new) <= 1e-12 * max(1.0, abs(f))
        x, f, g = x_new, f_new, g_new
        if converged:
            return Minimum(x, True, iteration + 1)
    return Minimum(x, float(np.max(np.abs(g))) < gtol, max_iter)
