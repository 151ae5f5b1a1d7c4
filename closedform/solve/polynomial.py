"""Polynomial activations with a squared or matching loss: grad E = 0 is a polynomial system with rational
coefficients. One variable: its real roots, isolated exactly (FLINT), counted again by Descartes bisection when the
certificate is checked. Several: a Groebner basis; when the system is zero-dimensional its real solutions come
from the eigenvalues of a multiplication matrix and their number, independently, from Hermite's trace form
(:mod:`.polysystem`). SymPy's ``solve_poly_system`` is never used: it returns incomplete real solution lists."""
from __future__ import annotations

import mpmath
import sympy as sp

from ..kinds import CertificateKind, Scope
from .linear import output_power
from .parts import Certificate
from .polysystem import solve_system
from .roots import real_roots
from .strategy import Finding, Strategy
from ..printing import text


class Polynomial(Strategy):
    name = "polynomial system"

    def applies(self, reduced) -> bool:
        activation = reduced.neuron.activation
        return activation.polynomial and not activation.linear and output_power(reduced) is not None

    def solve(self, reduced, digits: int = 60) -> Finding:
        equations = [sp.expand(e) for e in reduced.gradient_expr()]
        variables = reduced.variables
        if len(variables) == 1:
            poly = sp.Poly(equations[0], variables[0])
            if poly.is_zero:
                return Finding(notes=["the gradient vanishes identically"])
            poly = sp.Poly(poly.clear_denoms()[1], variables[0])
            found = sorted(real_roots(poly, digits), key=lambda item: float(item[1]))
            certificate = Certificate(CertificateKind.EXACT_ROOTS, Scope.GLOBAL,
                                      f"the gradient is the polynomial {text(poly.as_expr())} (times a positive "
                                      f"constant); each of its {len(found)} real roots is a stationary point",
                                      facts={"polynomial": poly, "lower": None, "count": len(found)})
            return Finding(points=[(root,) for root, _, _ in found],
                           values={i: (value,) for i, (_, value, _) in enumerate(found)}, certificate=certificate,
                           equivalence=True, factors=list({factor: None for _, _, factor in found}),
                           meaning="the stationary point cannot be written in radicals")
        system = solve_system(equations, variables, digits)
        if not system.zero_dimensional:
            return Finding(notes=["the gradient system has a positive-dimensional solution set (a continuum of "
                                  "stationary points or of complex solutions); its real points are searched "
                                  "numerically only"])
        certificate = Certificate(CertificateKind.POLYNOMIAL_SYSTEM, Scope.GLOBAL,
                                  f"the gradient system is zero-dimensional with {system.complex_count} complex "
                                  f"solutions (with multiplicity); Hermite's trace form counts {system.real_count} "
                                  f"distinct real ones",
                                  facts={"real_count": system.real_count, "complex_count": system.complex_count})
        # points known only as decimals: no exact form, their values carry them
        return Finding(points=[None] * len(system.points), certificate=certificate, equivalence=True,
                       values={i: tuple(mpmath.nstr(v, digits + 5) for v in p) for i, p in enumerate(system.points)},
                       notes=list(system.notes))
