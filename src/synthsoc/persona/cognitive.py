"""Cognitive attributes: Big Five traits, risk tolerance, value dimensions, decision heuristic."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from synthsoc.persona import params as P
from synthsoc.persona import tables
from synthsoc.persona.inputs import Demographics
from synthsoc.persona.sampling import FloatArray, softmax_choice


def _decades(age: npt.NDArray[np.int64], low: int, high: int) -> FloatArray:
    return (np.clip(age, low, high) - low).astype(np.float64) / 10.0


def cognitive(d: Demographics, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw traits (T-scores), risk (0-10), values (z units) and a decision heuristic."""
    sex = d.female.astype(np.float64) - 0.5  # +/-0.5 so that d is the female-male difference
    adult_decades = _decades(d.age, 20, 70)
    # Correlated residuals: the inter-trait correlations of Korean adults (KGSS TIPI).
    residual = rng.standard_normal((d.n, len(P.BIG_FIVE))) @ np.linalg.cholesky(
        tables.big_five_correlation()).T
    z: dict[str, FloatArray] = {}
    for k, trait in enumerate(P.BIG_FIVE):
        z[trait] = (
            P.BIG_FIVE_SEX_D[trait] * sex
            + P.BIG_FIVE_AGE_PER_DECADE[trait] * adult_decades
            + residual[:, k]
        )
    centred = (np.clip(d.age, 15, 85) - 45).astype(np.float64) / 10.0
    z["value_conservation"] = (
        P.VALUE_CONSERVATION_PER_DECADE * centred
        + P.VALUE_CONSERVATION_FEMALE * sex
        + rng.standard_normal(d.n)
    )
    values = {
        "value_conservation": z["value_conservation"],
        "value_self_transcendence": P.VALUE_SELF_TRANSCENDENCE_FEMALE * sex
        + P.VALUE_SELF_TRANSCENDENCE_PER_DECADE * centred
        + rng.standard_normal(d.n),
        "value_materialism": P.VALUE_MATERIALISM_PER_DECADE * centred + rng.standard_normal(d.n),
        "value_family": P.VALUE_FAMILY_MARRIED * (d.married - 0.5)
        + P.VALUE_FAMILY_PER_DECADE * centred
        + rng.standard_normal(d.n),
    }
    risk = (
        P.RISK_BASE
        + P.RISK_FEMALE_SHIFT * d.female
        + P.RISK_PER_DECADE * adult_decades
        + sum(w * z[t] for t, w in P.RISK_TRAIT_WEIGHTS.items())
        + rng.normal(0.0, P.RISK_NOISE_SD, d.n)
    )
    out: dict[str, np.ndarray] = {
        t: np.round(P.BIG_FIVE_T_MEAN + P.BIG_FIVE_T_SD * z[t], 1).astype(np.float32)
        for t in P.BIG_FIVE
    }
    out["risk_tolerance"] = np.clip(np.round(risk), 0, 10).astype(np.int8)
    out.update({k: np.round(v, 2).astype(np.float32) for k, v in values.items()})
    out["decision_heuristic"] = softmax_choice(P.DECISION_HEURISTIC_WEIGHTS, z, rng)
    out["communication_style"] = softmax_choice(P.COMMUNICATION_STYLE_WEIGHTS, z, rng)
    return out
