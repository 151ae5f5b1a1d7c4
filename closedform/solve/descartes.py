"""Counting real roots exactly by Descartes' rule of signs with bisection (Vincent, Collins and Akritas): a
route independent of the complex root isolation that produces the points. For a squarefree p, the number of
sign changes of the coefficients of (x + 1)^n p(1 / (x + 1)) bounds the roots of p in (0, 1) and has its parity;
0 or 1 is exact, otherwise halve the interval (p(x/2), p((x + 1)/2)) and count both halves. Integer arithmetic
only (FLINT polynomials), so the count is exact for any degree (SymPy's Sturm sequences stall at degree 331)."""
from __future__ import annotations

import flint
import sympy as sp

SHIFT = flint.fmpz_poly([1, 1])  # x + 1


def _variations(p) -> int:
    signs = [c > 0 for c in p.coeffs() if c != 0]
    return sum(a != b for a, b in zip(signs, signs[1:]))


def _reverse(p, n):
    """x^n p(1/x) for a polynomial of degree <= n."""
    coefficients = list(p.coeffs()) + [0] * (n + 1 - len(p.coeffs()))
    return flint.fmpz_poly(list(reversed(coefficients)))


def _in_unit_interval(p, n) -> int:
    """Roots of p (squarefree, degree n, p(0) != 0 not required) strictly inside (0, 1)."""
    v = _variations(_reverse(p, n)(SHIFT))
    if v <= 1:
        return v
    half = flint.fmpz_poly([c * 2 ** (n - k) for k, c in enumerate(list(p.coeffs()) + [0] * (n + 1 - len(p.coeffs())))])
    right = half(SHIFT)  # 2^n p((x + 1)/2)
    middle = 1 if right.coeffs() and right.coeffs()[0] == 0 else 0  # p(1/2) = 0
    return _in_unit_interval(half, n) + _in_unit_interval(right, n) + middle


def _positive(p) -> int:
    """Distinct roots of the integer polynomial p in (0, oo)."""
    n = p.degree()
    if n < 1:
        return 0
    at_one = 1 if p(1) == 0 else 0
    return _in_unit_interval(p, n) + _in_unit_interval(_reverse(p, n), n) + at_one


def count_real_roots(poly: sp.Poly, lower=None) -> int:
    """Distinct real roots of ``poly`` (integer coefficients): in (0, oo) when ``lower`` is 0, else in R."""
    p = flint.fmpz_poly([int(c) for c in reversed(poly.all_coeffs())])
    if p.degree() < 1:
        return 0
    zero = 1 if p.coeffs()[0] == 0 else 0
    p = p // p.gcd(p.derivative())  # squarefree: Descartes' count needs simple roots
    while p.coeffs() and p.coeffs()[0] == 0:  # a root at 0 is neither positive nor negative
        p = flint.fmpz_poly(p.coeffs()[1:])
    if lower == 0:
        return _positive(p)
    mirrored = flint.fmpz_poly([c * (-1) ** k for k, c in enumerate(p.coeffs())])
    return _positive(p) + _positive(mirrored) + zero
