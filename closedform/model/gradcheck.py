"""``check_gradient``: is a hand-derived gradient right? Symbolic difference first, then a 50-digit comparison
at random points (:func:`closedform.model.compare.compare`), so the answer is "equal" only when no point tells
them apart and "not equal" with a witness."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import sympy as sp

from ..errors import InputError
from ..printing import brief, brief_tuple, latex, latex_display, latex_point, latex_text, rounded, short_repr
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

    def __repr__(self):
        if self.equal:
            return short_repr(self, "equal", self.method)
        at = ", ".join(f"{k} = {brief(v)}" for k, v in self.point.items())
        return short_repr(self, "not equal", self.method, f"at {at}: gradient {brief_tuple(self.expected)}, "
                          f"candidate {brief_tuple(self.given)}")

    def _repr_latex_(self):
        if self.equal:
            return latex_display(r"\text{candidate} = \nabla E \qquad " + latex_text(f"({self.method} check)"))
        at = r",\ ".join(rf"{latex(sp.Symbol(k))} = {latex(rounded(v))}" for k, v in self.point.items())
        return latex_display(rf"\text{{at }} {at}: \quad \nabla E \approx {latex_point(self.expected, 15)} \ne "
                             rf"{latex_point(self.given, 15)} \approx \text{{candidate}} \qquad "
                             + latex_text(f"({self.method} check)"))


def check_gradient(problem, candidate) -> GradientCheck:
    """Compare ``candidate`` (a SymPy expression/Matrix/list, or safe strings in the problem's symbols) with
    ``problem.gradient`` (see :func:`closedform.model.compare.compare`)."""
    truth = problem.gradient
    given = as_gradient(candidate, problem, truth.shape[0])
    verdict = compare(truth, given, digits=DIGITS, trials=TRIALS, seed=20161)
    if verdict.equal:
        return GradientCheck(True, verdict.method)
    return GradientCheck(False, verdict.method, {str(k): v for k, v in verdict.point.items()},
                         tuple(sp.N(v, 15) for v in verdict.first), tuple(sp.N(v, 15) for v in verdict.second))


def as_gradient(candidate, problem, size) -> sp.Matrix:
    """``candidate`` (an expression, a list of them, or safe strings in the problem's symbols) as a column of
    ``size`` SymPy expressions; :class:`InputError` when the count or an expression is wrong."""
    names = {str(s): s for s in problem.weights}
    if problem.data.symbolic:
        names.update({str(s): s for row in problem.data.x for s in row})
        names.update({str(s): s for s in problem.data.t})
    items = list(candidate) if isinstance(candidate, (list, tuple, sp.MatrixBase)) else [candidate]
    exprs = [parse_expression(c, names) if isinstance(c, str) else sp.sympify(c, strict=True) for c in items]
    if len(exprs) != size:
        raise InputError(f"candidate gradient has {len(exprs)} component(s); the problem has {size} weight(s)")
    return sp.Matrix(exprs)
