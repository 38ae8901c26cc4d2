"""The kernels' thread count beside busy threads."""

from __future__ import annotations

import numba
import pytest

from synthsoc.synth.threads import kernel_threads_beside


def test_kernels_beside_busy_threads_take_the_free_cores_and_give_them_back() -> None:
    before = numba.get_num_threads()
    with kernel_threads_beside(1):
        assert numba.get_num_threads() == max(1, before - 1)
    with kernel_threads_beside(before + 5):
        assert numba.get_num_threads() == 1  # one at least
    with pytest.raises(RuntimeError), kernel_threads_beside(1):
        raise RuntimeError("a failed report")
    assert numba.get_num_threads() == before
