"""Rigorous enclosures of SymPy expressions with python-flint's arb balls, and Krawczyk's test on them.

For a box X around c and any matrix Y (here ~ J(c)^-1), K(X) = c - Y f(c) + (I - Y J(X)) (X - c); K(X) inside
the interior of X proves that X holds exactly one zero of f (Krawczyk 1969). f and J are evaluated in ball
arithmetic from their SymPy expressions, every constant enclosed exactly, so the proof does not rest on the
floating-point Newton iteration that found c."""
from __future__ import annotations

import operator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import reduce
from typing import Callable, Optional

import flint
import mpmath
import sympy as sp

from ..model.bivariate import Phi2, ball_phi2

_FUNCTIONS = {sp.exp: flint.arb.exp, sp.log: flint.arb.log, sp.erf: flint.arb.erf, sp.erfc: flint.arb.erfc,
              sp.asin: flint.arb.asin, sp.acos: flint.arb.acos, sp.atan: flint.arb.atan, sp.sin: flint.arb.sin,
              sp.cos: flint.arb.cos, sp.Abs: abs, sp.LambertW: flint.arb.lambertw}

_MULTI = {Phi2: ball_phi2}


class NotEnclosable(Exception):
    """An expression with a part ball arithmetic here does not cover (an unknown function, I)."""


@contextmanager
def precision(digits: int):
    """arb's working precision set to ``digits`` decimal digits (restored afterwards)."""
    previous = flint.ctx.dps
    flint.ctx.dps = digits
    try:
        yield
    finally:
        flint.ctx.dps = previous


def compile_ball(expr, unknowns) -> Callable:
    """``expr`` as a function of arb balls for ``unknowns``: its value encloses expr over the balls."""
    index = {u: k for k, u in enumerate(unknowns)}
    return _build(sp.sympify(expr), index)


def _build(e, index):
    if e in index:
        k = index[e]
        return lambda x: x[k]
    if e.is_Rational:
        p, q = int(e.p), int(e.q)
        return lambda x: flint.arb(p) / q
    if e.is_Float:  # a binary number: sign, mantissa, exponent, enclosed exactly
        sign, mantissa, exponent, _ = e._mpf_
        return lambda x: (-1) ** sign * flint.arb(int(mantissa)) * flint.arb(2) ** int(exponent)
    if e is sp.pi:
        return lambda x: flint.arb.pi()
    if e is sp.E:
        return lambda x: flint.arb(1).exp()
    parts = [_build(a, index) for a in e.args]
    if e.is_Add:
        return lambda x: reduce(operator.add, (f(x) for f in parts))
    if e.is_Mul:
        return lambda x: reduce(operator.mul, (f(x) for f in parts))
    if e.is_Pow:
        base, exponent = parts
        if e.exp.is_Integer:
            n = int(e.exp)
            return lambda x: base(x) ** n
        if e.exp == sp.Rational(1, 2):
            return lambda x: base(x).sqrt()
        if e.exp == -sp.Rational(1, 2):
            return lambda x: base(x).rsqrt()
        return lambda x: (exponent(x) * base(x).log()).exp()
    if e.func in _MULTI:
        function = _MULTI[e.func]
        return lambda x: function(*(f(x) for f in parts))
    function = _FUNCTIONS.get(e.func)
    if function is None or len(parts) != 1:
        raise NotEnclosable(f"{e.func} in {e}")
    inner = parts[0]
    return lambda x: function(inner(x))


def _ball(value, radius=0):
    """A ball around an mpmath / SymPy number (its decimal digits at the current precision) of ``radius``."""
    return flint.arb(mpmath.nstr(mpmath.mpf(value), flint.ctx.dps + 5, strip_zeros=False), radius)


@dataclass(frozen=True)
class Enclosure:
    """A box (arb balls, one per unknown) proved to hold exactly one zero, and the Jacobian over that box."""

    box: list
    jacobian: list


def krawczyk(equations, unknowns, point, digits: int) -> Optional[Enclosure]:
    """An :class:`Enclosure` of the one zero of ``equations`` near ``point`` (a list of numbers), or None when no
    box from 10^-(digits/2) to 10^-6 (relative) passes the test."""
    n = len(unknowns)
    f = [compile_ball(e, unknowns) for e in equations]
    J = [[compile_ball(sp.diff(e, u), unknowns) for u in unknowns] for e in equations]
    with precision(digits + 10), mpmath.workdps(digits + 10):
        c = [_ball(v) for v in point]
        try:
            middle = mpmath.matrix([[mpmath.mpf(g(c).mid().str(digits + 5, radius=False)) for g in row] for row in J])
            Yf = mpmath.inverse(middle)
        except (ZeroDivisionError, ValueError):
            return None
        Y = [[_ball(Yf[i, j]) for j in range(n)] for i in range(n)]
        fc = [g(c) for g in f]
        for exponent in sorted({digits // 2, digits // 3, 6}, reverse=True):
            X = [flint.arb(ci.mid(), (abs(ci.mid()) + 1) * flint.arb(10) ** -exponent) for ci in c]
            JX = [[g(X) for g in row] for row in J]
            if not all(e.is_finite() for row in JX for e in row) or not all(e.is_finite() for e in fc):
                continue
            K = []
            for i in range(n):
                value = c[i] - sum((Y[i][k] * fc[k] for k in range(n)), flint.arb(0))
                for j in range(n):
                    M = (1 if i == j else 0) - sum((Y[i][k] * JX[k][j] for k in range(n)), flint.arb(0))
                    value += M * (X[j] - c[j])
                K.append(value)
            if all(x.contains_interior(k) for x, k in zip(X, K)):
                return Enclosure([k.intersection(x) for k, x in zip(K, X)], JX)
    return None


def definiteness(matrix) -> Optional[int]:
    """For a symmetric matrix of balls (n <= 3; every matrix inside it): +1 positive definite, -1 negative
    definite, 0 indefinite and nonsingular, None when the balls do not decide. Sylvester: the leading minors D_k
    are all > 0 (positive definite) or (-1)^k D_k > 0 (negative); a nonzero determinant with a minor of the wrong
    sign for each is indefinite."""
    n = len(matrix)
    minors = [_determinant([row[:k] for row in matrix[:k]]) for k in range(1, n + 1)]
    if all(m > 0 for m in minors):
        return 1
    if all((m if k % 2 == 0 else -m) > 0 for k, m in enumerate(minors, 1)):
        return -1
    nonsingular = minors[-1] > 0 or minors[-1] < 0
    if nonsingular and any(m < 0 for m in minors) and any((m if k % 2 == 0 else -m) < 0 for k, m in enumerate(minors, 1)):
        return 0
    return None


def _determinant(m):
    """Laplace expansion (n <= 3) in ball arithmetic."""
    if len(m) == 1:
        return m[0][0]
    return sum(((-1) ** j * m[0][j] * _determinant([row[:j] + row[j + 1:] for row in m[1:]]) for j in range(len(m))),
               flint.arb(0))
