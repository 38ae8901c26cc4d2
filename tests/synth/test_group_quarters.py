"""Ages of group-quarter residents drawn from the register (a small hand-made register)."""

from __future__ import annotations

import numpy as np

from synthsoc.data.reference import SINGLE_AGES
from synthsoc.synth.group_quarters import Register, build_special_households


def _register(counts: dict[tuple[int, int, int], int]) -> Register:
    left = np.zeros((1, 2, SINGLE_AGES), dtype=np.int64)
    for (sgg, sex, age), n in counts.items():
        left[sgg, sex, age] = n
    return Register(left, np.zeros(2, dtype=np.int64))


def test_institution_ages_never_exceed_the_registered_residents() -> None:
    # Two areas of one si-gun-gu: 40 institutional women in 20 households. Registered women
    # of the 80-100 band: 30 aged 85 and 2 aged 98; each band's residents cover its members
    # at most as the register has them.
    women = {(0, 1, 85): 30, (0, 1, 98): 2} | {(0, 1, a): 20 for a in range(0, 80)}
    register = _register(women)
    before = register.left.copy()
    block = build_special_households(np.random.default_rng(3), "inst", np.array([10, 10]),
                                     np.array([[0, 20], [0, 20]]), register)
    ages = np.bincount(block.p_age, minlength=SINGLE_AGES)
    assert block.p_age.size == 40 and (block.p_sex == 1).all()
    assert block.beyond_register == 0
    assert (ages <= before[0, 1]).all()
    # Drawn without replacement: the register keeps what was not placed.
    np.testing.assert_array_equal(register.left[0, 1] + ages, before[0, 1])
    assert ages[99:].sum() == 0 and ages[86:98].sum() == 0


def test_members_a_band_cannot_hold_are_counted_not_hidden() -> None:
    # One registered woman in the whole register: the other members have nobody to take.
    register = _register({(0, 1, 90): 1})
    block = build_special_households(np.random.default_rng(4), "inst", np.array([3, 0]),
                                     np.array([[0, 3], [0, 0]]), register)
    assert block.p_age.size == 3
    assert block.beyond_register >= 2
    assert register.left.sum() == 0
