"""Exact limits at h -> +-oo of expressions in exp(h): with u = exp(-sign h) (u -> 0+), an expression built from
exp, the hyperbolic functions and rational operations is a rational function P(u)/Q(u); writing P = u^a P1 and
Q = u^b Q1 with P1(0), Q1(0) != 0, the limit is 0 (a > b), P1(0)/Q1(0) (a = b) or +-oo by the sign of
P1(0)/Q1(0) (a < b). Milliseconds where SymPy's Gruntz algorithm takes tens; anything else goes to ``sp.limit``."""
from __future__ import annotations

import sympy as sp

U = sp.Dummy("u", positive=True)


def limit_at_infinity(expr, h, sign: int):
    """lim_{h -> sign*oo} expr, exact."""
    rational = _in_u(expr, h, sign)
    if rational is None:
        return sp.limit(expr, h, sign * sp.oo)
    numerator, denominator = (sp.Poly(part, U) for part in sp.fraction(sp.cancel(rational)))
    a, p = _order(numerator)
    b, q = _order(denominator)
    if p == 0:
        return sp.Integer(0)
    if a > b:
        return sp.Integer(0)
    if a == b:
        return p / q
    return sp.oo * sp.sign(p / q)


def _in_u(expr, h, sign: int):
    """expr with h = -sign log(u), when that is a rational function of u with rational coefficients (else None)."""
    rewritten = expr.rewrite(sp.exp).subs(h, -sign * sp.log(U))
    if rewritten.free_symbols - {U} or not rewritten.is_rational_function(U):
        return None
    rational = sp.together(rewritten)
    if any(not c.is_Rational for c in sp.Poly(sp.numer(rational), U).coeffs() + sp.Poly(sp.denom(rational), U).coeffs()):
        return None
    return rational


def _order(poly):
    """(the order of ``poly`` at u = 0, the coefficient there): poly = u^a (c + O(u))."""
    if poly.is_zero:
        return 0, sp.Integer(0)
    for a, coefficient in enumerate(reversed(poly.all_coeffs())):
        if coefficient != 0:
            return a, coefficient
