"""Register by relation and setting: the ordering Korean norms require, and hand-picked cases."""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl

from synthsoc.persona import build_personas
from synthsoc.persona.korean import POLITENESS, Level
from synthsoc.persona.register_norms import Relation, Setting, register_for
from synthsoc.synth import load_population

ORDER = list(Level)  # most to least polite


def _everyday_triples() -> list[tuple[Level, Level, Level]]:
    """Every (elders, peers, juniors) the persona draw can produce (politeness non-increasing)."""
    return [(e, p, j) for e, p, j in itertools.product(ORDER, repeat=3)
            if ORDER.index(e) <= ORDER.index(p) <= ORDER.index(j)]


def test_juniors_never_more_polite_than_peers_nor_peers_than_elders() -> None:
    for age, setting, (e, p, j) in itertools.product((8, 16, 25, 42, 70), Setting,
                                                      _everyday_triples()):
        level = {r: POLITENESS[register_for(r, setting, age, e, p, j)] for r in Relation}
        assert level[Relation.JUNIOR] <= level[Relation.PEER] <= level[Relation.ELDER]
        if age >= 20:
            assert level[Relation.CUSTOMER] >= level[Relation.STRANGER] >= level[Relation.PEER]
            assert level[Relation.STRANGER] >= POLITENESS[Level.HAEYO]


def test_hand_picked_cases() -> None:
    everyday = (Level.HAEYO, Level.HAE, Level.HAERA)
    # A 42-year-old speaks 반말 to friends, 해요체 to colleagues, 하십시오체 to customers at work.
    assert register_for(Relation.PEER, Setting.PRIVATE, 42, *everyday) is Level.HAE
    assert register_for(Relation.PEER, Setting.WORK, 42, *everyday) is Level.HAEYO
    assert register_for(Relation.CUSTOMER, Setting.WORK, 42, *everyday) is Level.HASIPSIO
    assert register_for(Relation.JUNIOR, Setting.WORK, 42, *everyday) is Level.HAEYO
    assert register_for(Relation.JUNIOR, Setting.PRIVATE, 42, *everyday) is Level.HAERA
    # A 10-year-old: 해요체 to strangers, even in a formal setting; 반말 to friends.
    child = (Level.HAE, Level.HAE, Level.HAE)
    assert register_for(Relation.STRANGER, Setting.PRIVATE, 10, *child) is Level.HAEYO
    assert register_for(Relation.ELDER, Setting.FORMAL, 10, *child) is Level.HAEYO
    assert register_for(Relation.PEER, Setting.PRIVATE, 10, *child) is Level.HAE
    # A man who speaks 하십시오체 to elders keeps it with strangers.
    formal = (Level.HASIPSIO, Level.HAE, Level.HAE)
    assert register_for(Relation.STRANGER, Setting.PRIVATE, 30, *formal) is Level.HASIPSIO


def test_drawn_personas_keep_the_order_and_vary_by_age(population_dir: Path) -> None:
    personas = build_personas(load_population(population_dir), seed=3)
    rank = {r: i for i, r in enumerate(ORDER)}
    codes = personas.select(
        pl.col(c).cast(pl.String).replace_strict({k.value: v for k, v in rank.items()})
        .alias(c) for c in ("register_elders", "register_peers", "register_juniors"))
    assert (codes["register_elders"] <= codes["register_peers"]).all()
    assert (codes["register_peers"] <= codes["register_juniors"]).all()
