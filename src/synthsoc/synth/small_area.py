"""Hierarchical Bayesian small-area estimation of a rate, with posterior draws per area.

The model is a binomial-logit with three levels of partial pooling, fitted with NumPyro's NUTS
sampler (JAX on the CPU):

    logit p_a = logit(r_parent(a)) + alpha + X_a beta + sigma_mid * w_mid(a) + sigma_area * v_a
    y_a ~ Binomial(n_a, p_a)            for every area a with a sample (n_a > 0)

``r_parent`` is the rate of the area's parent (a province) from a published table: the prior
centre every area is pooled toward. ``X`` holds standardised covariates of each area from
full-count tables; ``w_mid`` is a random effect of the middle level (si-gun-gu) and ``v`` one of
the area itself, both non-centred. An area with no sample gets its rate from the parent table,
its covariates and its middle level's sampled neighbours, and the prior on ``v``: its interval
is wide, as it should be.

NumPyro was chosen over PyMC because PyMC 6 needs Python 3.12 (synthsoc runs on 3.11) and
because JAX's compiled gradient keeps NUTS on ~4,000 parameters to seconds on two cores.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

FIT_SOURCE = "NumPyro NUTS (numpyro 0.22, JAX on CPU)"


class SmallAreaError(ValueError):
    """Inputs that cannot be fitted, with the field and value named."""


@dataclass(frozen=True)
class AreaData:
    """One row per target area: its parents, prior centre, covariates and sample."""

    area_codes: tuple[str, ...]
    mid_index: np.ndarray  # area -> middle-level group (e.g. si-gun-gu), 0..G-1
    parent_rate: np.ndarray  # published rate of the area's parent, in (0, 1)
    covariates: np.ndarray  # A x K, standardised
    covariate_names: tuple[str, ...]
    sample_n: np.ndarray  # A, sampled units (0 = no sample)
    sample_y: np.ndarray  # A, sampled units with the attribute

    def __post_init__(self) -> None:
        a = len(self.area_codes)
        for name in ("mid_index", "parent_rate", "sample_n", "sample_y"):
            arr = getattr(self, name)
            if arr.shape != (a,):
                raise SmallAreaError(f"{name}: shape {arr.shape}, expected ({a},)")
        if self.covariates.shape != (a, len(self.covariate_names)):
            raise SmallAreaError(f"covariates: shape {self.covariates.shape}, expected "
                                 f"({a}, {len(self.covariate_names)})")
        bad = np.flatnonzero((self.parent_rate <= 0) | (self.parent_rate >= 1)
                             | ~np.isfinite(self.parent_rate))
        if bad.size:
            i = int(bad[0])
            raise SmallAreaError(f"parent_rate: area {self.area_codes[i]} has "
                                 f"{self.parent_rate[i]!r}; a rate strictly between 0 and 1 "
                                 "is needed")
        if not np.isfinite(self.covariates).all():
            i = int(np.flatnonzero(~np.isfinite(self.covariates).all(axis=1))[0])
            raise SmallAreaError(f"covariates: area {self.area_codes[i]} has a missing value")
        over = np.flatnonzero((self.sample_y < 0) | (self.sample_y > self.sample_n))
        if over.size:
            i = int(over[0])
            raise SmallAreaError(f"sample_y: area {self.area_codes[i]} has {self.sample_y[i]} "
                                 f"of {self.sample_n[i]} sampled")
        if self.mid_index.min(initial=0) < 0:
            raise SmallAreaError("mid_index: negative group index")

    @property
    def n_mid(self) -> int:
        return int(self.mid_index.max(initial=-1)) + 1


@dataclass(frozen=True)
class FitSettings:
    """NUTS settings; every random choice flows from ``seed``."""

    chains: int = 2
    warmup: int = 500
    samples: int = 500
    seed: int = 0
    target_accept: float = 0.9

    def __post_init__(self) -> None:
        if self.chains < 1 or self.warmup < 1 or self.samples < 1:
            raise SmallAreaError("chains, warmup and samples must be at least 1")
        if not 0.5 <= self.target_accept < 1.0:
            raise SmallAreaError(f"target_accept {self.target_accept}: use 0.5 <= x < 1")


@dataclass(frozen=True)
class Diagnostic:
    """Convergence of one parameter: worst split R-hat and smallest bulk ESS over its elements."""

    name: str
    r_hat: float
    ess: float


@dataclass(frozen=True)
class PosteriorRates:
    """Posterior draws of every area's rate, with the fit's diagnostics."""

    area_codes: tuple[str, ...]
    rates: np.ndarray  # draws x A
    hyper: dict[str, np.ndarray]  # alpha, beta, sigma_mid, sigma_area: draws (x K)
    diagnostics: tuple[Diagnostic, ...]
    settings: FitSettings
    fit_seconds: float
    source: str = field(default=FIT_SOURCE)

    @property
    def max_r_hat(self) -> float:
        return max(d.r_hat for d in self.diagnostics)

    @property
    def min_ess(self) -> float:
        return min(d.ess for d in self.diagnostics)

    def mean(self) -> np.ndarray:
        return self.rates.mean(axis=0)

    def interval(self, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed posterior interval of each area's rate."""
        if not 0.0 < level < 1.0:
            raise SmallAreaError(f"level {level}: use 0 < level < 1")
        tail = (1.0 - level) / 2.0
        lo, hi = np.quantile(self.rates, [tail, 1.0 - tail], axis=0)
        return lo, hi

    def draws(self, k: int, seed: int) -> np.ndarray:
        """``k`` whole posterior draws (k x A), chosen without replacement by ``seed``."""
        total = self.rates.shape[0]
        if not 1 <= k <= total:
            raise SmallAreaError(f"draws: k={k}, the fit holds {total} posterior draws")
        pick = np.sort(np.random.default_rng(seed).choice(total, size=k, replace=False))
        return self.rates[pick]


def _model(data: AreaData):  # type: ignore[no-untyped-def]
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist

    k = data.covariates.shape[1]
    offset = jnp.asarray(np.log(data.parent_rate / (1.0 - data.parent_rate)))
    x = jnp.asarray(data.covariates)
    mid = jnp.asarray(data.mid_index)
    sampled = np.flatnonzero(data.sample_n > 0)

    def model() -> None:
        alpha = numpyro.sample("alpha", dist.Normal(0.0, 1.0))
        beta = numpyro.sample("beta", dist.Normal(0.0, 1.0).expand([k]).to_event(1))
        sigma_mid = numpyro.sample("sigma_mid", dist.HalfNormal(0.5))
        sigma_area = numpyro.sample("sigma_area", dist.HalfNormal(0.5))
        w = numpyro.sample("w_mid", dist.Normal(0.0, 1.0).expand([data.n_mid]).to_event(1))
        v = numpyro.sample("v_area", dist.Normal(0.0, 1.0)
                           .expand([len(data.area_codes)]).to_event(1))
        eta = offset + alpha + x @ beta + sigma_mid * w[mid] + sigma_area * v
        numpyro.deterministic("rate", 1.0 / (1.0 + jnp.exp(-eta)))
        numpyro.sample("y", dist.Binomial(total_count=jnp.asarray(data.sample_n[sampled]),
                                          logits=eta[sampled]),
                       obs=jnp.asarray(data.sample_y[sampled]))

    return model


def fit_rates(data: AreaData, settings: FitSettings | None = None) -> PosteriorRates:
    """Fit the model by NUTS and return the posterior draws of every area's rate."""
    settings = settings or FitSettings()
    try:
        import jax
        from numpyro.diagnostics import summary
        from numpyro.infer import MCMC, NUTS
    except ImportError as exc:  # pragma: no cover - the extra is part of `make install`
        raise SmallAreaError("posterior populations need the 'posterior' extra: "
                             "pip install 'synthsoc[posterior]'") from exc
    if int((data.sample_n > 0).sum()) == 0:
        raise SmallAreaError("sample_n: no area has a sample; nothing to fit")
    jax.config.update("jax_enable_x64", True)
    started = time.perf_counter()
    kernel = NUTS(_model(data), target_accept_prob=settings.target_accept)
    mcmc = MCMC(kernel, num_warmup=settings.warmup, num_samples=settings.samples,
                num_chains=settings.chains, chain_method="vectorized", progress_bar=False)
    mcmc.run(jax.random.PRNGKey(settings.seed))
    grouped = mcmc.get_samples(group_by_chain=True)
    elapsed = time.perf_counter() - started
    stats = summary({k: np.asarray(grouped[k]) for k in
                     ("alpha", "beta", "sigma_mid", "sigma_area", "rate")}, group_by_chain=True)
    diagnostics = tuple(
        Diagnostic(name, float(np.max(s["r_hat"])), float(np.min(s["n_eff"])))
        for name, s in stats.items()
    )
    flat = {k: np.asarray(v).reshape((-1,) + np.asarray(v).shape[2:])
            for k, v in grouped.items()}
    return PosteriorRates(
        area_codes=data.area_codes,
        rates=flat["rate"],
        hyper={k: flat[k] for k in ("alpha", "beta", "sigma_mid", "sigma_area")},
        diagnostics=diagnostics,
        settings=settings,
        fit_seconds=elapsed,
    )
