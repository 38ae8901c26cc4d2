"""Hand-set posterior parameters on the real evidence, so posterior draws need no sampler."""

from __future__ import annotations

import numpy as np

from synthsoc.synth.posterior_draws import AttributeModel
from synthsoc.synth.posterior_evidence import EVIDENCE
from synthsoc.synth.province_model import ProvinceFit
from synthsoc.synth.small_area import FitSettings


def hand_set_models(sigma: float, beta: float = 0.0, draws: int = 4,
                    year: int = 2025) -> tuple[AttributeModel, ...]:
    """Every posterior draw has ``sigma_area = sigma`` and every covariate slope ``beta``."""
    out = []
    for build in EVIDENCE.values():
        ev = build(year)
        k = ev.provinces.covariates.shape[1]
        hyper = {"alpha": np.zeros(draws), "beta": np.full((draws, k), beta),
                 "sigma_area": np.full(draws, sigma)}
        fit = ProvinceFit(ev.provinces, np.zeros(17), np.full(17, 1e-4), hyper, (),
                          FitSettings(), 0.0)
        out.append(AttributeModel(ev, fit))
    return tuple(out)
