"""Equations with square roots as polynomial systems.

Each square root sqrt(B) (innermost first; B a rational function) becomes a new unknown y with y^2 = B and
y > 0, and (...)^(k/2) becomes y^k. An expression E in x is then a rational function N(x, y)/D(x, y), and
E(x) = 0 iff N(x, y) = 0, D(x, y) != 0 and y_j^2 den(B_j) = num(B_j) with y_j > 0: an exact equivalence, so
the real solutions of the polynomial system that meet the sign conditions are exactly the zeros of E."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class AlgebraicSystem:
    """``equations`` = 0 (polynomials in ``variables`` + ``roots``), with every root y > 0 and every
    ``denominators`` != 0 at a solution; ``definitions[y]`` = B where y = sqrt(B)."""

    variables: tuple
    roots: tuple
    definitions: dict
    equations: tuple
    denominators: tuple

    @property
    def unknowns(self) -> tuple:
        return tuple(self.variables) + tuple(self.roots)


def as_polynomial_system(expressions, variables) -> AlgebraicSystem | None:
    """The system of ``expressions`` = 0 as an :class:`AlgebraicSystem`, or None when something other than
    square roots of rational functions remains (asin, exp, pi outside a constant factor, ...)."""
    expressions = [sp.sympify(e) for e in expressions]
    if any(f.free_symbols for e in expressions for f in e.atoms(sp.Function)):
        return None  # a function of the unknowns (exp, erf, asin, ...) is not algebraic
    definitions: dict = {}
    roots: dict = {}

    def swap(e):
        if e.is_Atom:
            return e
        e = e.func(*[swap(a) for a in e.args])
        if e.is_Pow and e.exp.is_Rational and e.exp.q == 2:
            base = sp.factor(sp.together(e.base))
            if base not in roots:
                roots[base] = sp.Symbol(f"y{len(roots) + 1}", positive=True)
                definitions[roots[base]] = base
            return roots[base] ** (e.exp * 2)
        return e

    unknowns = tuple(variables)
    equations, denominators = [], []
    for expression in expressions:
        numerator, denominator = sp.fraction(sp.together(swap(expression)))
        numerator = _drop_constant_factor(sp.expand(numerator), unknowns + tuple(roots.values()))
        denominator = _drop_constant_factor(sp.expand(denominator), unknowns + tuple(roots.values()))
        if numerator is None or denominator is None:
            return None
        equations.append(numerator)
        denominators.append(denominator)
    all_unknowns = unknowns + tuple(roots.values())
    for y, base in definitions.items():
        numerator, denominator = sp.fraction(sp.together(base))
        equations.append(sp.expand(y**2 * denominator - numerator))
        denominators.append(denominator)
    if not all(_rational(e, all_unknowns) for e in equations + denominators):
        return None
    return AlgebraicSystem(unknowns, tuple(roots.values()), definitions, tuple(equations), tuple(denominators))


def _drop_constant_factor(expression, unknowns):
    """``expression`` divided by its content over the constants (pi, sqrt(2), ...), or None when what is left
    still has a coefficient outside Q."""
    if expression == 0:
        return expression
    content, primitive = sp.factor_terms(expression).as_independent(*unknowns, as_Add=False)
    primitive = sp.expand(primitive)
    return primitive if _rational(primitive, unknowns) else None


def _rational(expression, unknowns) -> bool:
    try:
        return sp.Poly(expression, *unknowns).domain.is_QQ or sp.Poly(expression, *unknowns).domain.is_ZZ
    except sp.PolynomialError:
        return False
