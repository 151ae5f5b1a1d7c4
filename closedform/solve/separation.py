"""Strict separation of signed rows: a direction v with s_i (z_i . v) > 0 for every row (by Gordan's theorem,
one exists exactly when no non-zero lam >= 0 has sum_i lam_i s_i z_i = 0). One linear program (HiGHS) for
s_i (z_i . v) >= 1, its answer checked in exact rationals: a direction returned is a proof."""
from __future__ import annotations

from fractions import Fraction
from typing import Optional

import numpy as np
import sympy as sp


def exact_sign(zi, v) -> int:
    """The sign of z_i . v in rationals (z_i exact numbers, v Fractions)."""
    value = sum(Fraction(int(a.p), int(a.q)) * b for a, b in zip(map(sp.Rational, zi), v))
    return (value > 0) - (value < 0)


def load_linprog() -> None:
    """Import SciPy's linear programming now, in this process: forked workers then inherit it instead of each
    paying the import (0.85 s) again."""
    import scipy.optimize  # noqa: F401


def separating_direction(rows) -> Optional[tuple]:
    """v (Fractions) with s (z . v) > 0 for every (s, z) in ``rows``, checked exactly; None when the linear
    program finds none or its answer fails the exact check (no proof either way)."""
    from scipy.optimize import linprog

    r = len(rows[0][1])
    A = np.array([[-s * float(x) for x in z] for s, z in rows])
    solution = linprog(np.zeros(r), A_ub=A, b_ub=-np.ones(len(rows)), bounds=[(None, None)] * r, method="highs")
    if solution.status != 0:
        return None
    v = tuple(Fraction(x).limit_denominator(10**9) for x in solution.x)
    return v if all(exact_sign(z, v) == s for s, z in rows) else None
