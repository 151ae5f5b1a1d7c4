"""Real roots of an integer polynomial, exact and numeric: FLINT's certified complex root isolation
(``fmpz_poly.complex_roots``; a real root comes back with an imaginary part of exactly zero) gives the values,
SymPy gives the exact objects (real radicals up to degree 4, else ``CRootOf`` by index among the real roots in
increasing order, which is also FLINT's order after sorting).

A CRootOf crosses from a worker to the parent by its polynomial and index only: SymPy's own pickling rebuilds
it through ``CRootOf(f, x, index)``, which isolates every real root again (2.2 s for a degree-333 factor)."""
from __future__ import annotations

import copyreg

import flint
import sympy as sp
from sympy.polys.rootoftools import ComplexRootOf


def _root_by_index(root):
    return ComplexRootOf._new, (root.poly, root.index)


copyreg.pickle(ComplexRootOf, _root_by_index)


def real_roots(poly: sp.Poly, digits: int, max_exact_degree=None) -> list:
    """[(exact root, decimal string to ``digits`` digits, irreducible factor)] over the distinct real roots of
    ``poly`` (integer coefficients), ascending within each factor. The exact root is None for a factor of degree
    above ``max_exact_degree``: SymPy isolates a CRootOf's real roots again, in pure Python, whenever an
    expression holding it is rebuilt or asked its sign (tens of seconds from degree 700 on), so a caller that
    moves points between processes or prints them can cap it."""
    out = []
    for factor, _ in poly.factor_list()[1]:
        if factor.degree() < 1:
            continue
        carried = max_exact_degree is None or factor.degree() <= max_exact_degree
        for index, value in enumerate(_flint_real_roots(factor, digits)):
            out.append((_exact(factor, index, value) if carried else None, value, factor))
    return out


def _flint_real_roots(factor: sp.Poly, digits: int) -> list:
    previous = flint.ctx.prec
    try:
        flint.ctx.dps = digits + 20
        coefficients = [int(c) for c in reversed(factor.all_coeffs())]
        roots = flint.fmpz_poly(coefficients).complex_roots()
        reals = sorted((z.real for z, _ in roots if z.imag == 0), key=lambda x: float(x.mid()))
        return [x.mid().str(digits + 10, radius=False) for x in reals]
    finally:
        flint.ctx.prec = previous


def _exact(factor: sp.Poly, index: int, value: str):
    if factor.degree() == 1:
        a, b = factor.all_coeffs()
        return sp.Rational(-b, a)
    if factor.degree() <= 4:  # solvable: SymPy's formulas give radicals, kept where they stay real
        for root in sp.roots(factor):
            if not root.has(sp.I) and abs(sp.N(root, 30) - sp.Float(value, 30)) < sp.Float(10) ** -20:
                return root
    # degree > 4, or a real root whose radicals pass through complex numbers (three real roots of a cubic:
    # casus irreducibilis): the real root by its index
    return sp.CRootOf(factor.as_expr(), index)
