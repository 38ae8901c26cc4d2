"""Social behaviour that the simulations read: resharing, prosociality and a main interest.

Drawn after the cognitive traits, which they depend on (see ``params.py`` for every constant and
its source): the reshare probability per seen post falls with age and rises with extraversion;
prosociality (0-1) is the normal CDF of a latent score weighting agreeableness and
self-transcendence; the main interest topic depends on age band and sex.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.special import ndtr

from synthsoc.persona import params as P
from synthsoc.persona.inputs import Demographics

AGE_BAND_EDGES = (0, 20, 30, 40, 50, 60, 70)


def social(
    d: Demographics, traits: Mapping[str, np.ndarray], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """``reshare_propensity``, ``prosociality`` and ``interest_topic`` for one chunk."""
    z_extra = (traits["extraversion"] - P.BIG_FIVE_T_MEAN) / P.BIG_FIVE_T_SD
    z_agree = (traits["agreeableness"] - P.BIG_FIVE_T_MEAN) / P.BIG_FIVE_T_SD
    intercept, scale = P.RESHARE_AGE
    reshare = (
        rng.beta(*P.RESHARE_BETA, d.n)
        * np.maximum(intercept - d.age / scale, 0.0)
        * np.exp(P.RESHARE_PER_EXTRAVERSION_SD * z_extra)
    )
    latent = (
        P.PROSOCIAL_WEIGHTS["agreeableness"] * z_agree
        + P.PROSOCIAL_WEIGHTS["value_self_transcendence"] * traits["value_self_transcendence"]
        + rng.normal(0.0, P.PROSOCIAL_NOISE_SD, d.n)
    )
    band = np.searchsorted(np.array(AGE_BAND_EDGES), d.age, side="right") - 1
    shift = band.astype(np.int64) + d.female.astype(np.int64) * 3
    topic = (shift + rng.geometric(P.INTEREST_GEOMETRIC_P, d.n) - 1) % len(P.INTEREST_TOPICS)
    return {
        "reshare_propensity": np.clip(reshare, 0.0, 1.0).astype(np.float32),
        "prosociality": ndtr(latent).astype(np.float32),
        "interest_topic": topic.astype(np.int64),
    }
