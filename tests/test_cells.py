"""Cell enumeration against Zaslavsky's count: m central hyperplanes in general position in R^d cut it into
2 * sum_{k<d} C(m-1, k) cells (2m in the plane, m^2 - m + 2 in space)."""
from itertools import product
from math import comb

import numpy as np
import pytest

from closedform.solve.cells import cells, signs


def _generic(m, d, seed):
    rng = np.random.default_rng(seed)
    return [tuple(int(v) for v in rng.integers(-9, 10, d)) for _ in range(m)]


@pytest.mark.parametrize("m, d", [(1, 2), (3, 2), (7, 2), (3, 3), (5, 3), (8, 3)])
def test_cell_count_for_generic_arrangements(m, d):
    normals = _generic(m, d, seed=m * 10 + d)
    reps = cells(normals, d)
    expected = 2 * sum(comb(m - 1, k) for k in range(d))
    assert len(reps) == expected
    assert len({signs(v, normals) for v in reps}) == expected  # distinct cells
    assert all(0 not in signs(v, normals) for v in reps)  # off every hyperplane


def test_all_sign_vectors_of_the_coordinate_arrangement():
    reps = cells([(1, 0, 0), (0, 1, 0), (0, 0, 1)], 3)
    assert {signs(v, [(1, 0, 0), (0, 1, 0), (0, 0, 1)]) for v in reps} == set(product((-1, 1), repeat=3))


def test_parallel_normals_are_one_hyperplane():
    assert len(cells([(1, 2), (2, 4), (-1, -2)], 2)) == 2
