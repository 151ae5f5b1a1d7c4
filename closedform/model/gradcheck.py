"""``check_gradient``: is a hand-derived gradient right? Symbolic difference first, then a 50-digit comparison
at random points, so the answer is "equal" only when no point tells them apart and "not equal" with a witness."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional

import sympy as sp

from ..errors import InputError
from .expressions import parse_expression

DIGITS = 50
TRIALS = 12


@dataclass(frozen=True)
class GradientCheck:
    """``equal``; ``method`` ("symbolic" or "numeric"); ``point`` where they differ and the two values there."""

    equal: bool
    method: str
    point: Optional[dict] = None
    expected: Optional[tuple] = None
    given: Optional[tuple] = None

    def __bool__(self):
        return self.equal

    def __str__(self):
        if self.equal:
            return f"equal ({self.method})"
        at = ", ".join(f"{k} = {v}" for k, v in self.point.items())
        return f"not equal: at {at} the gradient is {self.expected} but the candidate gives {self.given}"


def check_gradient(problem, candidate) -> GradientCheck:
    """Compare ``candidate`` (a SymPy expression/Matrix/list, or safe strings in the problem's symbols) with
    ``problem.gradient``."""
    truth = problem.gradient
    given = _as_matrix(candidate, problem, truth.shape[0])
    difference = (truth - given).applyfunc(lambda e: sp.simplify(e.rewrite(sp.exp)))
    if all(e == 0 for e in difference):
        return GradientCheck(True, "symbolic")
    free = sorted(set().union(*(e.free_symbols for e in truth), *(e.free_symbols for e in given)), key=str)
    rng = random.Random(20161)
    for _ in range(TRIALS):
        point = {s: _sample(s, rng) for s in free}
        expected = [sp.N(e.subs(point), DIGITS) for e in truth]
        value = [sp.N(e.subs(point), DIGITS) for e in given]
        scale = 1 + max(abs(v) for v in expected)
        if any(abs(a - b) > sp.Float(10) ** (5 - DIGITS) * scale for a, b in zip(expected, value)):
            return GradientCheck(False, "numeric", {str(k): v for k, v in point.items()},
                                 tuple(sp.N(v, 15) for v in expected), tuple(sp.N(v, 15) for v in value))
    return GradientCheck(True, f"numeric at {TRIALS} random points, {DIGITS} digits")


def _sample(symbol, rng):
    """Targets in (0, 1) (inside every loss's domain), other symbols in [-2, 2]; exact rationals."""
    if symbol.name.startswith("t"):
        return sp.Rational(rng.randint(1, 99), 100)
    return sp.Rational(rng.randint(-200, 200), 100)


def _as_matrix(candidate, problem, size) -> sp.Matrix:
    names = {str(s): s for s in problem.weights}
    if problem.data.symbolic:
        names.update({str(s): s for row in problem.data.x for s in row})
        names.update({str(s): s for s in problem.data.t})
    items = list(candidate) if isinstance(candidate, (list, tuple, sp.MatrixBase)) else [candidate]
    exprs = [parse_expression(c, names) if isinstance(c, str) else sp.sympify(c, strict=True) for c in items]
    if len(exprs) != size:
        raise InputError(f"candidate gradient has {len(exprs)} component(s); the problem has {size} weight(s)")
    return sp.Matrix(exprs)
