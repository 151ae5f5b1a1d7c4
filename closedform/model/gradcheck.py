"""``check_gradient``: is a hand-derived gradient right? Symbolic difference first, then a 50-digit comparison
at random points (:func:`closedform.model.compare.compare`), so the answer is "equal" only when no point tells
them apart and "not equal" with a witness."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import sympy as sp

from ..errors import InputError
from .expressions import parse_expression
from .compare import compare

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
    ``problem.gradient`` (see :func:`closedform.model.compare.compare`)."""
    truth = problem.gradient
    given = _as_matrix(candidate, problem, truth.shape[0])
    verdict = compare(truth, given, digits=DIGITS, trials=TRIALS, seed=20161)
    if verdict.equal:
        return GradientCheck(True, verdict.method)
    return GradientCheck(False, verdict.method, {str(k): v for k, v in verdict.point.items()},
                         tuple(sp.N(v, 15) for v in verdict.first), tuple(sp.N(v, 15) for v in verdict.second))


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
