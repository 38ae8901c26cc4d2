"""Every person counted once into the cells the fit report, its structural checks and the HTML
report read, in one compiled pass over the population.

At 51 million persons, a boolean mask per figure (``korean & (age >= 30) & ...``) costs a
pass over every row and a temporary of every row each time; the report reads about a hundred
such figures. Here each person adds one to two tables, and every figure is a sum over a few
cells of them:

* ``by_sido``: si-do x nationality x sex x single year of age x marital status x education x
  economic activity (about a million cells);
* ``by_sgg``: si-gun-gu x living in a foreign household x nationality x living with a spouse
  in a general household x sex x single year of age;
* ``by_emd``: eup-myeon-dong x household kind x sex;
* ``workers_by_sgg``: the employed, and among them farm and fishery workers, per si-gun-gu.

Ages are not capped: the age axis runs to the oldest person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from synthsoc.synth import schema
from synthsoc.synth.assemble import Assembled
from synthsoc.synth.controls import RunControls
from synthsoc.synth.targets import living_with_spouse

FARM_OCCUPATION = list(schema.OCCUPATION_GROUPS).index("6")

Selection = int | tuple[int, int] | slice | list[int] | None


@dataclass(frozen=True)
class PersonTally:
    """Person counts per cell (float64: sums of them are exact below 2**53)."""

    by_sido: np.ndarray
    by_sgg: np.ndarray
    by_emd: np.ndarray
    workers_by_sgg: np.ndarray
    sido_codes: tuple[str, ...]

    def count(self, *, sido: Selection = None, foreign: Selection = None,
              sex: Selection = None, age: Selection = None, marital: Selection = None,
              education: Selection = None, activity: Selection = None) -> float:
        """Persons in the selected cells of ``by_sido``: an index, an inclusive ``(low,
        high)`` range (ages beyond the oldest are simply empty), a slice or a list of
        indices per axis; ``None`` for all."""
        axes = (sido, foreign, sex, age, marital, education, activity)
        return float(self.by_sido[tuple(_index(a) for a in axes)].sum())

    def share(self, within: dict[str, Selection], **also: Selection) -> float:
        """Share of the persons selected by ``within`` that the further ``also`` keeps
        (NaN when ``within`` holds nobody)."""
        n = self.count(**within)
        return self.count(**(within | also)) / n if n else float("nan")

    def sido(self, code: str) -> int:
        return self.sido_codes.index(code)


def _index(selection: Selection) -> int | slice | list[int]:
    if selection is None:
        return slice(None)
    if isinstance(selection, tuple):
        low, high = selection
        return slice(low, high + 1)
    return selection


def age_groups(table: np.ndarray, axis: int, group_of_age: np.ndarray,
               n_groups: int) -> np.ndarray:
    """``table`` with its single-year age axis summed into groups (``group_of_age[a]`` is the
    group of age ``a``)."""
    moved = np.moveaxis(table, axis, -1)
    one_hot = np.zeros((moved.shape[-1], n_groups))
    one_hot[np.arange(moved.shape[-1]), group_of_age[:moved.shape[-1]]] = 1.0
    return np.moveaxis(moved @ one_hot, -1, axis)


def tally_persons(pop: Assembled, controls: RunControls) -> PersonTally:
    """Count every person of ``pop`` once (see the module docstring)."""
    sido_codes, sido_of_emd = np.unique(controls.emd["sido_code"].to_numpy(),
                                        return_inverse=True)
    sgg_of_emd = controls.emd["sgg_idx"].to_numpy()
    n_age = int(pop.p_age.max()) + 1 if pop.p_age.size else 1
    by_sido = np.zeros((sido_codes.size, 2, 2, n_age, len(schema.MARITAL_STATUSES),
                        len(schema.EDUCATION_LEVELS), len(schema.ECONOMIC_ACTIVITIES)),
                       dtype=np.int64)
    by_sgg = np.zeros((controls.sigungu.height, 2, 2, 2, 2, n_age), dtype=np.int64)
    by_emd = np.zeros((controls.emd.height, len(schema.HOUSEHOLD_KINDS), 2), dtype=np.int64)
    workers = np.zeros((controls.sigungu.height, 2), dtype=np.int64)
    couple = living_with_spouse(pop.p_role, pop.p_hh, pop.hh_size.size)
    _tally(pop.p_hh, pop.hh_emd, pop.hh_kind, sido_of_emd.astype(np.int64),
           sgg_of_emd.astype(np.int64), pop.p_foreign, pop.p_sex, pop.p_age, pop.p_marital,
           pop.p_education, pop.p_activity, pop.p_occupation, couple,
           schema.HOUSEHOLD_KINDS.index("general"), schema.HOUSEHOLD_KINDS.index("foreign"),
           schema.ECONOMIC_ACTIVITIES.index("employed"), FARM_OCCUPATION,
           by_sido, by_sgg, by_emd, workers)
    return PersonTally(by_sido=by_sido.astype(np.float64), by_sgg=by_sgg.astype(np.float64),
                       by_emd=by_emd.astype(np.float64),
                       workers_by_sgg=workers.astype(np.float64),
                       sido_codes=tuple(sido_codes.tolist()))


@numba.njit(cache=True, nogil=True)
def _tally(p_hh: np.ndarray, hh_emd: np.ndarray, hh_kind: np.ndarray, sido_of_emd: np.ndarray,
           sgg_of_emd: np.ndarray, foreign: np.ndarray, sex: np.ndarray, age: np.ndarray,
           marital: np.ndarray, education: np.ndarray, activity: np.ndarray,
           occupation: np.ndarray, couple: np.ndarray, general_kind: int, foreign_kind: int,
           employed: int, farm: int, by_sido: np.ndarray, by_sgg: np.ndarray,
           by_emd: np.ndarray, workers: np.ndarray) -> None:
    for i in range(p_hh.size):
        h = p_hh[i]
        e = hh_emd[h]
        kind = hh_kind[h]
        nat = 1 if foreign[i] else 0
        by_sido[sido_of_emd[e], nat, sex[i], age[i], marital[i], education[i],
                activity[i]] += 1
        in_foreign = 1 if kind == foreign_kind else 0
        with_spouse = 1 if couple[i] and kind == general_kind else 0
        g = sgg_of_emd[e]
        by_sgg[g, in_foreign, nat, with_spouse, sex[i], age[i]] += 1
        by_emd[e, kind, sex[i]] += 1
        if activity[i] == employed:
            workers[g, 0] += 1
            if occupation[i] == farm:
                workers[g, 1] += 1
