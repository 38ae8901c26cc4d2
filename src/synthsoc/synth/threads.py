"""How many threads the compiled kernels of the calling thread use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numba


@contextmanager
def kernel_threads_beside(busy: int) -> Iterator[None]:
    """The compiled kernels of this thread on the cores ``busy`` threads leave free (one at
    least), as long as the block runs.

    Used where other threads of the run are busy beside this one: the names drawn beside
    the person attributes, the Parquet writers beside the fit report. A parallel kernel
    waits for its slowest thread, and with every core taken one of its threads is often
    off the core: on 2 cores, Seoul at 5%, the fit report's roster look-up took 9 to 45 ms
    on both threads and 1.5 to 6 ms on one. Every kernel of the synthesis gives the same
    result on any number of threads. The setting is this thread's own
    (``numba.set_num_threads``).
    """
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, before - busy))
    try:
        yield
    finally:
        numba.set_num_threads(before)
