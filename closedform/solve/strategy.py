"""What a closed-form strategy returns, and the one check every exact candidate passes before it is kept."""
from __future__ import annotations

from dataclasses import dataclass, field
import mpmath
import sympy as sp

from ..model.numbers import to_mpf

VERIFY_DIGITS = 60


@dataclass
class Finding:
    """Verified exact points (reduced coordinates), solution sets and regions. ``complete``: nothing else
    finite exists, for the ``reason`` given."""

    points: list = field(default_factory=list)
    values: dict = field(default_factory=dict)  # point index -> decimal strings, where evaluating it is costly
    closed_form: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    complete: bool = False
    reason: str = ""
    notes: list = field(default_factory=list)
    factors: list = field(default_factory=list)  # irreducible polynomials whose roots are the points
    meaning: str = ""  # what a root of a factor is, for the obstruction's sentence


class Strategy:
    """One closed-form method: ``applies(reduced)`` says whether it is worth trying, ``solve(reduced, digits)``
    returns a :class:`Finding` with numbers good to ``digits`` (it runs in a worker under the time budget)."""

    name = "strategy"

    def applies(self, reduced) -> bool:
        raise NotImplementedError

    def solve(self, reduced, digits: int) -> Finding:
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"


def is_stationary(reduced, c, values=None) -> bool:
    """Exact substitution for rational c; otherwise the gradient at 60 digits (at ``values``, decimal strings of
    c, when given) must vanish to 50."""
    if all(sp.sympify(v).is_Rational for v in c):
        grad = reduced.gradient_expr().subs(dict(zip(reduced.variables, c)))
        return all(sp.simplify(e) == 0 for e in grad)
    with mpmath.workdps(VERIFY_DIGITS):
        point = [mpmath.mpf(v) for v in values] if values else [to_mpf(v, VERIFY_DIGITS + 10) for v in c]
        grad = reduced.model.mp_gradient(point)
        scale = 1 + sum(abs(float(x)) for row in reduced.z for x in row)
        return mpmath.norm(grad) < mpmath.mpf(10) ** (10 - VERIFY_DIGITS) * scale
