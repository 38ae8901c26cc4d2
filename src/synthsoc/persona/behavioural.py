"""Behavioural attributes: media diet and consumption profile."""

from __future__ import annotations

import numpy as np

from synthsoc.persona import params as P
from synthsoc.persona import tables
from synthsoc.persona.inputs import Demographics
from synthsoc.persona.sampling import band_index, choose_rows, draw_by_age, probs_by_age
from synthsoc.synth import schema


def sns_targets() -> np.ndarray:
    """Target SNS use probability, shape (age group, sex) with sex 0 = M, 1 = F."""
    return np.array(
        [[tables.sns_use_rate(label, sex) for sex in schema.SEXES] for label in P.SNS_AGE_LABELS]
    )


def behavioural(d: Demographics, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Messenger, SNS use / platform / minutes, video, portal, consumption, online shopping;
    a serving conscript's SNS minutes fit the barracks' phone hours."""
    group = band_index(d.age, P.SNS_AGE_BANDS)
    uses_sns = rng.random(d.n) < sns_targets()[group, d.female.astype(np.int64)]
    uses_sns &= d.age >= P.SNS_MIN_AGE  # no infant accounts
    mean_minutes = np.array([tables.sns_minutes(label) for label in P.SNS_AGE_LABELS])[group]
    sigma = P.SNS_MINUTES_SIGMA
    minutes = mean_minutes * np.exp(sigma * rng.standard_normal(d.n) - sigma**2 / 2.0)
    # Serving conscripts have their phones only after duty hours.
    serving = d.activity == schema.ECONOMIC_ACTIVITIES.index("military_service")
    minutes = np.where(serving, np.minimum(minutes, P.CONSCRIPT_PHONE_MINUTES), minutes)
    platform = draw_by_age(P.SNS_PLATFORM_BY_AGE, d.age, rng) + 1  # 0 is "none"

    income_weights = np.array([P.CONSUMPTION_BY_INCOME[b] for b in schema.INCOME_BRACKETS])
    consumption = income_weights[d.income] * probs_by_age(P.CONSUMPTION_AGE_TILT, d.age)
    return {
        "messenger": draw_by_age(P.MESSENGER_USE, d.age, rng),
        "uses_sns": uses_sns,
        "sns_main": np.where(uses_sns, platform, 0),
        "sns_minutes_per_day": np.where(uses_sns, np.round(minutes), 0).astype(np.int16),
        "video_platform": draw_by_age(P.VIDEO_PLATFORM_BY_AGE, d.age, rng),
        "portal": draw_by_age(P.PORTAL_BY_AGE, d.age, rng),
        "consumption_style": choose_rows(consumption, rng),
        "online_shopping": draw_by_age(P.ONLINE_SHOPPING_BY_AGE, d.age, rng),
    }
