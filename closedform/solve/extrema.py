"""The range of a per-sample term phi(t_i, h) over an interval [a, b] of h from its critical points: phi is smooth
there, so its least and greatest values sit at a, b or at a zero of phi_h inside. For a term rational in u = e^h
alone (sigmoid, tanh with any loss rational in f) or in h alone (polynomial activations), the zeros of phi_h
for each distinct target are the positive (real) roots of one polynomial, isolated rigorously (FLINT) once;
each box then costs two endpoint values per term instead of a bisection of its interval."""
from __future__ import annotations

from fractions import Fraction
import math

import flint
import numpy as np
import sympy as sp

from ..model.symbols import h, t
from . import intervals as ia

MAX_TARGETS = 256  # distinct targets beyond which the roots are not isolated (the bisection serves)

_u = sp.Symbol("u", positive=True)


def in_exp(expr, u=_u):
    """``expr`` as a rational function of h and u = e^h (None when h appears otherwise)."""
    def power(arg):
        k = sp.simplify(arg / h)
        return u**k if k.is_integer else sp.exp(arg)

    substituted = expr.replace(lambda e: isinstance(e, sp.exp), lambda e: power(e.args[0]))
    if substituted.has(sp.exp) or not substituted.is_rational_function(u, h):
        return None
    return sp.cancel(substituted)


class CriticalValues:
    """Per term i: enclosures [hc_lo, hc_hi] of the critical points of phi(t_i, .) (padded with empty ones) and
    [v_lo, v_hi] of phi's values there, arrays n x m."""

    def __init__(self, hc_lo, hc_hi, v_lo, v_hi):
        self.hc_lo, self.hc_hi, self.v_lo, self.v_hi = hc_lo, hc_hi, v_lo, v_hi

    @classmethod
    def build(cls, expr, phi, targets):
        """For the term ``expr`` (SymPy, in t and h), compiled as ``phi(T, H)`` over Intervals, and the exact
        ``targets`` (one per sample): the critical values, or None when phi is not rational in u alone or in h
        alone, has a pole on the real line, or the targets are too many to isolate roots for."""
        form = in_exp(expr)
        if form is None:
            return None
        if h not in form.free_symbols:
            variable, positive = _u, True
        elif not form.has(_u):
            variable, positive = h, False
        else:
            return None
        groups = {}
        index = np.fromiter((groups.setdefault(target, len(groups)) for target in targets), dtype=np.intp,
                            count=len(targets))
        if len(groups) > MAX_TARGETS or any(not sp.sympify(target).is_Rational for target in groups):
            return None
        denominator = _in_variable(sp.fraction(sp.together(form))[1], variable)
        slope = _in_variable(sp.fraction(sp.together(sp.diff(form, variable)))[0], variable)
        if denominator is None or slope is None:  # an irrational coefficient (custom(pi*h)): the bisection serves
            return None
        exact = {target: Fraction(str(sp.Rational(target))) for target in groups}
        if any(_has_pole(denominator, exact[target], positive) for target in groups):
            return None
        found = [(target, _critical_points(slope, exact[target], positive)) for target in groups]
        m = max((len(points) for _, points in found), default=0)
        hc_lo, hc_hi = np.full((len(found), m), np.inf), np.full((len(found), m), -np.inf)  # empty: never inside
        v_lo, v_hi = hc_lo.copy(), hc_hi.copy()
        slots = [(g, j, target, a, b) for g, (target, points) in enumerate(found) for j, (a, b) in enumerate(points)]
        if slots:
            g, j, targets_, a, b = zip(*slots)
            span = ia.Intervals(np.array(a), np.array(b))
            span = ia.log(span) if positive else span
            T = [ia.constant(target) for target in targets_]
            value = phi(ia.Intervals(np.array([x.lo for x in T]), np.array([x.hi for x in T])), span)
            hc_lo[g, j], hc_hi[g, j], v_lo[g, j], v_hi[g, j] = span.lo, span.hi, value.lo, value.hi
        return cls(hc_lo[index], hc_hi[index], v_lo[index], v_hi[index])

    def range(self, phi, T: ia.Intervals, H: ia.Intervals) -> ia.Intervals:
        """phi(t_i, .) over H (K boxes x n terms, flattened box-major; T tiled alike): the hull of the endpoint
        values and of the critical values inside."""
        size = H.shape[0]
        ends = phi(ia.Intervals(np.concatenate([T.lo, T.lo]), np.concatenate([T.hi, T.hi])),
                   ia.Intervals.points(np.concatenate([H.lo, H.hi])))
        lo, hi = np.minimum(ends.lo[:size], ends.lo[size:]), np.maximum(ends.hi[:size], ends.hi[size:])
        count, rest = divmod(size, self.hc_lo.shape[0])
        if rest:
            raise ValueError(f"{size} pre-activations are not whole boxes of {self.hc_lo.shape[0]} terms")
        for j in range(self.hc_lo.shape[1]):
            inside = (H.lo <= np.tile(self.hc_hi[:, j], count)) & (H.hi >= np.tile(self.hc_lo[:, j], count))
            if inside.any():
                lo = np.where(inside, np.minimum(lo, np.tile(self.v_lo[:, j], count)), lo)
                hi = np.where(inside, np.maximum(hi, np.tile(self.v_hi[:, j], count)), hi)
        return ia.Intervals(lo, hi)


def _in_variable(expr, variable) -> list:
    """``expr`` (a polynomial in the variable and t) as its coefficients, lowest power first, each a list of
    (power of t, Fraction) pairs; None when a coefficient is not rational."""
    poly = sp.Poly(expr, variable)
    out = []
    for coefficient in reversed(poly.all_coeffs()):
        terms = sp.Poly(coefficient, t).terms() if coefficient.has(t) else [((0,), coefficient)]
        if not all(sp.sympify(c).is_Rational for _, c in terms):
            return None
        out.append([(k, Fraction(int(c.p), int(c.q))) for (k,), c in terms])
    return out


def _integer_poly(coefficients, target: Fraction, positive: bool):
    """The polynomial at t = target with integer coefficients (a positive multiple; its zero roots divided out
    on the positive domain), or None when it vanishes identically."""
    values = [sum((c * target**k for k, c in terms), Fraction(0)) for terms in coefficients]
    while values and values[-1] == 0:
        values.pop()
    if positive:
        while values and values[0] == 0:
            values.pop(0)
    if not values:
        return None
    scale = math.lcm(*(v.denominator for v in values))
    return flint.fmpz_poly([int(v * scale) for v in values])


def _real_roots(poly) -> list:
    """The real roots of an integer polynomial as arb balls (FLINT isolates every complex root and returns the
    real ones with imaginary part exactly 0)."""
    if poly.degree() <= 0:
        return []
    return [z.real for z, _ in poly.complex_roots() if z.imag == 0]


def _critical_points(slope, target: Fraction, positive: bool):
    """Enclosures [(lo, hi)] (floats) of the zeros of the slope's numerator at ``target`` on the domain (> 0
    when ``positive``, else the real line)."""
    poly = _integer_poly(slope, target, positive)
    if poly is None:
        return []
    points = []
    for x in _real_roots(poly):
        lo, hi = float(ia._down(float(x.lower()))), float(ia._up(float(x.upper())))
        if not positive or hi > 0:
            points.append((max(lo, 0.0) if positive else lo, hi))
    return points


def _has_pole(denominator, target: Fraction, positive: bool) -> bool:
    """Whether the denominator vanishes on the domain at ``target`` (a root ball reaching it counts)."""
    poly = _integer_poly(denominator, target, positive)
    if poly is None:
        return True
    return any(not positive or x.upper() > 0 for x in _real_roots(poly))
