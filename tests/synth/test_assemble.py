"""Assemble's index helper against the plain numpy it replaces."""

from __future__ import annotations

import numpy as np
import pytest

from synthsoc.synth.assemble import concatenated_ranges


def test_concatenated_ranges_are_the_aranges_joined_and_refuse_a_negative_length() -> None:
    starts = np.array([7, 0, 100, 3], dtype=np.int64)
    lengths = np.array([3, 0, 2, 1], dtype=np.int32)
    got = concatenated_ranges(starts, lengths)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, [7, 8, 9, 100, 101, 3])
    wide = concatenated_ranges(np.array([2**31 - 1]), np.array([2]))
    assert wide.dtype == np.int64 and wide.tolist() == [2**31 - 1, 2**31]
    assert concatenated_ranges(np.zeros(0, np.int64), np.zeros(0, np.int32)).size == 0
    with pytest.raises(ValueError, match="a length is negative"):
        concatenated_ranges(starts, np.array([1, -1, 0, 0]))
