"""Linguistic attributes: dialect (residence or origin), strength, speech registers."""

from __future__ import annotations

import numpy as np

from synthsoc.persona import params as P
from synthsoc.persona.inputs import Demographics
from synthsoc.persona.sampling import choose_rows, draw_by_age, probs_by_age

STANDARD = P.DIALECTS.index("seoul_gyeonggi")


def linguistic(d: Demographics, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Dialect spoken (origin zone for migrants), its strength, and the three registers."""
    capital = d.residence_zone == STANDARD
    p_migrant = np.where(
        capital,
        probs_by_age(P.ORIGIN_MIGRANT_CAPITAL, d.age)[:, 1],
        probs_by_age(P.ORIGIN_MIGRANT_OTHER, d.age)[:, 1],
    )
    migrant = rng.random(d.n) < p_migrant
    weights = np.tile(np.array([P.ORIGIN_ZONE_WEIGHTS[z] for z in P.DIALECTS]), (d.n, 1))
    weights[np.arange(d.n), d.residence_zone] = 0.0
    origin = choose_rows(weights, rng)
    dialect = np.where(migrant, origin, d.residence_zone)
    if d.foreign is not None:  # foreign residents learned standard Korean (ASSUMPTION)
        migrant &= ~d.foreign
        dialect = np.where(d.foreign, STANDARD, dialect)

    strength = draw_by_age(P.DIALECT_STRENGTH_BY_AGE, d.age, rng) + 1  # 1 light .. 3 strong
    strength = np.where(migrant, np.maximum(strength - P.MIGRANT_STRENGTH_STEP_DOWN, 1), strength)
    strength = np.where(dialect == STANDARD, 0, strength)

    elders = probs_by_age(P.REGISTER_ELDERS, d.age)
    formal, polite = P.REGISTERS.index("hasipsio"), P.REGISTERS.index("haeyo")
    shift = np.where(~d.female & (d.age >= 20), P.REGISTER_ELDERS_MALE_FORMAL_SHIFT, 0.0)
    shift = np.minimum(shift, elders[:, polite])
    elders[:, formal] += shift
    elders[:, polite] -= shift
    register_elders = choose_rows(elders, rng)
    register_peers = draw_by_age(P.REGISTER_PEERS, d.age, rng)
    register_juniors = draw_by_age(P.REGISTER_JUNIORS, d.age, rng)
    # Politeness order: nobody speaks more politely to peers than to elders, or to juniors than
    # to peers (REGISTERS runs from most to least polite, so a larger index is less polite).
    register_peers = np.maximum(register_peers, register_elders)
    register_juniors = np.maximum(register_juniors, register_peers)
    return {
        "dialect": dialect,
        "dialect_is_origin": migrant,
        "dialect_strength": strength,
        "register_elders": register_elders,
        "register_peers": register_peers,
        "register_juniors": register_juniors,
    }
