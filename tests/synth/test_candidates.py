"""The candidate pool's cell table against the fit's incidence matrix."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from synthsoc.synth.candidates import _cells
from synthsoc.synth.seeds import MAX_SIZE, build_template_pool
from synthsoc.synth.targets import N_COLUMNS, incidence_cells, pool_incidence


def test_cells_mark_each_cell_a_candidate_falls_in_once_and_its_size() -> None:
    pool = build_template_pool(3)
    rows, columns, members = incidence_cells(pool)
    assert (members >= 1).all()
    # Some cells are listed twice (two members of one sex and single year of age, say):
    # the table still counts each candidate once per cell.
    assert np.unique(rows * N_COLUMNS + columns).size < rows.size
    cells = _cells(pool)
    dense = cells.toarray()
    assert set(np.unique(dense).tolist()) == {0, 1}
    want = np.zeros((pool.n_households, N_COLUMNS + MAX_SIZE), dtype=np.int32)
    want[:, :N_COLUMNS] = pool_incidence(pool).toarray() > 0
    want[np.arange(pool.n_households), N_COLUMNS + pool.hh_size.astype(np.int64) - 1] = 1
    np.testing.assert_array_equal(dense, want)
    assert isinstance(cells, sp.csr_matrix) and cells.has_canonical_format
