"""An area-level (Fay-Herriot) model of province log-odds, fitted by NUTS in NumPyro.

For each province ``s`` with ``y_s`` of ``n_s`` and an expected rate ``r_s`` (the national
rates of every sex x age cell applied to the province's own structure), the observed
age-standardised log-odds deviation ``e_s = logit(y_s / n_s) - logit(r_s)`` is modelled as

    e_s ~ Normal(alpha + X_s . beta, sqrt(sigma_area**2 + s_s**2))
    s_s**2 = 1 / (n_s p_s (1 - p_s))            the table's own sampling variance (known)
    alpha, beta ~ N(0, 1), sigma_area ~ HalfNormal(0.5)

with the province's own effect integrated out. The binomial-logit model of
:mod:`synthsoc.synth.small_area` fits eup-myeon-dong samples of a few hundred; the province
tables count hundreds of thousands, where its non-centred area effects make NUTS crawl (a fit
was stopped after 10 minutes); this marginal form has 7 parameters per table, and compiling the
sampler takes most of a fit's time (figures in docs/benchmarks.md).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from synthsoc.synth.small_area import (
    FIT_SOURCE,
    AreaData,
    Diagnostic,
    FitSettings,
    SmallAreaError,
)

HYPER = ("alpha", "beta", "sigma_area")


@dataclass(frozen=True)
class ProvinceFit:
    """Posterior draws of the province model's parameters, with the data it saw."""

    data: AreaData
    deviation: np.ndarray  # e_s, observed log-odds deviation from the expected rate
    sampling_var: np.ndarray  # s_s**2
    hyper: dict[str, np.ndarray]  # alpha (D,), beta (D, K), sigma_area (D,)
    diagnostics: tuple[Diagnostic, ...]
    settings: FitSettings
    fit_seconds: float  # of the joint run that fitted it
    source: str = FIT_SOURCE + "; area-level (Fay-Herriot) form"

    @property
    def n_draws(self) -> int:
        return int(self.hyper["alpha"].shape[0])

    @property
    def max_r_hat(self) -> float:
        return max((d.r_hat for d in self.diagnostics), default=float("nan"))

    @property
    def min_ess(self) -> float:
        return min((d.ess for d in self.diagnostics), default=float("nan"))


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1.0 - p))


def fit_province_models(datas: Sequence[AreaData], settings: FitSettings
                        ) -> tuple[ProvinceFit, ...]:
    """Fit the area-level model to each table in ``datas`` (same provinces and covariates);
    one NUTS run over all of them at once, since compiling the sampler is most of the time."""
    import jax
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist
    from numpyro.diagnostics import summary
    from numpyro.infer import MCMC, NUTS

    if not datas:
        raise SmallAreaError("no tables to fit")
    shapes = {d.covariates.shape for d in datas}
    if len(shapes) != 1:
        raise SmallAreaError(f"tables with different provinces or covariates: {sorted(shapes)}")
    es, s2s = [], []
    for data in datas:
        n = data.sample_n.astype(np.float64)
        y = data.sample_y.astype(np.float64)
        bad = np.flatnonzero((n <= 0) | (y <= 0) | (y >= n))
        if bad.size:
            i = int(bad[0])
            raise SmallAreaError(f"province {data.area_codes[i]}: {y[i]:.0f} of {n[i]:.0f}; "
                                 "the area-level model needs a count strictly inside 0..n")
        p = y / n
        es.append(_logit(p) - _logit(data.parent_rate))
        s2s.append(1.0 / (n * p * (1.0 - p)))
    m, k = len(datas), datas[0].covariates.shape[1]
    x = jnp.asarray(np.stack([d.covariates for d in datas]))
    e_all, s2_all = np.stack(es), np.stack(s2s)

    def model() -> None:
        alpha = numpyro.sample("alpha", dist.Normal(0.0, 1.0).expand([m]).to_event(1))
        beta = numpyro.sample("beta", dist.Normal(0.0, 1.0).expand([m, k]).to_event(2))
        sigma = numpyro.sample("sigma_area", dist.HalfNormal(0.5).expand([m]).to_event(1))
        mean = alpha[:, None] + jnp.einsum("mak,mk->ma", x, beta)
        scale = jnp.sqrt(sigma[:, None] ** 2 + jnp.asarray(s2_all))
        numpyro.sample("e", dist.Normal(mean, scale).to_event(2), obs=jnp.asarray(e_all))

    jax.config.update("jax_enable_x64", True)
    started = time.perf_counter()
    mcmc = MCMC(NUTS(model, target_accept_prob=settings.target_accept, dense_mass=True),
                num_warmup=settings.warmup, num_samples=settings.samples,
                num_chains=settings.chains, chain_method="vectorized", progress_bar=False)
    mcmc.run(jax.random.PRNGKey(settings.seed))
    grouped = {h: np.asarray(v) for h, v in mcmc.get_samples(group_by_chain=True).items()}
    elapsed = time.perf_counter() - started
    fits = []
    for i, data in enumerate(datas):
        mine = {h: grouped[h][:, :, i] for h in HYPER}
        stats = summary(mine, group_by_chain=True)
        diagnostics = tuple(Diagnostic(h, float(np.max(st["r_hat"])), float(np.min(st["n_eff"])))
                            for h, st in stats.items())
        flat = {h: v.reshape((-1,) + v.shape[2:]) for h, v in mine.items()}
        fits.append(ProvinceFit(data, e_all[i], s2_all[i], flat, diagnostics, settings,
                                elapsed))
    return tuple(fits)


def predictive_checks(fit: ProvinceFit, seed: int, replicates: int = 1000) -> dict[str, object]:
    """Posterior predictive check against the fitted province table.

    Each replicate draws a new province effect from the fitted line and spread (what a
    district's deviation is drawn from) and the table's sampling noise:
    e_rep ~ N(alpha + X beta, sqrt(sigma**2 + s**2)). Reported: provinces whose observed rate
    lies in its 90% predictive interval (about 90% expected), and the p-value of the
    chi-square discrepancy sum (e - mu)**2 / (sigma**2 + s**2) (near 0 or 1: misfit).
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1414, 99]))
    d = fit.n_draws
    pick = np.sort(rng.choice(d, size=min(replicates, d), replace=False))
    mu = fit.hyper["alpha"][pick, None] + fit.hyper["beta"][pick] @ fit.data.covariates.T
    var = fit.hyper["sigma_area"][pick, None] ** 2 + fit.sampling_var[None, :]
    e_rep = mu + np.sqrt(var) * rng.standard_normal(mu.shape)
    base = _logit(fit.data.parent_rate)[None, :]
    rate_rep = 1.0 / (1.0 + np.exp(-(base + e_rep)))
    lo, hi = np.quantile(rate_rep, [0.05, 0.95], axis=0)
    observed = fit.data.sample_y / fit.data.sample_n
    t_obs = ((fit.deviation[None, :] - mu) ** 2 / var).sum(axis=1)
    t_rep = ((e_rep - mu) ** 2 / var).sum(axis=1)
    inside = (observed >= lo) & (observed <= hi)
    return {
        "replicates": int(pick.size),
        "provinces": int(observed.size),
        "provinces_in_90pct_predictive_interval": int(inside.sum()),
        "chi_square_p": float((t_rep >= t_obs).mean()),
        "by_province": [{"sido_code": c, "observed": round(float(o), 4),
                         "expected": round(float(r), 4), "p_lo_90": round(float(a), 4),
                         "p_hi_90": round(float(b), 4), "inside": bool(i)}
                        for c, o, r, a, b, i in zip(fit.data.area_codes, observed,
                                                    fit.data.parent_rate, lo, hi, inside,
                                                    strict=True)],
    }
