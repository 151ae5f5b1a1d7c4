"""Polynomial activations with squared loss: grad E = 0 is a polynomial system. One variable: exact real-root
isolation; several: a lex Groebner basis (SymPy's ``solve_poly_system``), then the real solutions."""
from __future__ import annotations

import sympy as sp

from .linear import _squared_loss
from .roots import real_roots
from .strategy import Finding, Strategy, is_stationary


class Polynomial(Strategy):
    name = "polynomial system"

    def applies(self, reduced) -> bool:
        return reduced.neuron.activation.polynomial and reduced.neuron.activation.name != "identity" \
            and _squared_loss(reduced)

    def solve(self, reduced, digits: int = 60) -> Finding:
        equations = [sp.expand(e) for e in reduced.gradient_expr()]
        variables = reduced.variables
        if len(variables) == 1:
            poly = sp.Poly(equations[0], variables[0])
            if poly.is_zero:
                return Finding(notes=["the gradient vanishes identically"], complete=False)
            poly = sp.Poly(poly.clear_denoms()[1], variables[0])
            found = sorted(real_roots(poly, digits), key=lambda item: float(item[1]))
            return Finding(points=[(root,) for root, _, _ in found],
                           values={i: (value,) for i, (_, value, _) in enumerate(found)}, complete=True,
                           factors=list({factor: None for _, _, factor in found}), meaning="the stationary point cannot be written in radicals",
                           reason="all real roots of the gradient polynomial were isolated exactly")
        try:
            solutions = sp.solve_poly_system(equations, *variables)
        except NotImplementedError:
            return Finding(notes=["the polynomial system is not zero-dimensional; solved numerically only"])
        real = [tuple(s) for s in solutions or [] if all(sp.im(sp.N(v, 50)) == 0 for v in s)]
        real = [s for s in real if is_stationary(reduced, s)]
        return Finding(points=real, complete=True,
                       reason="the Groebner basis of the gradient system was solved exactly")
