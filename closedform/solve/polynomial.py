"""Polynomial activations with a squared or matching loss: grad E = 0 is a polynomial system with rational
coefficients. One variable: its real roots, isolated exactly (FLINT), counted again by Descartes bisection when the
certificate is checked. Several: a Groebner basis; when the system is zero-dimensional its real solutions come
from the eigenvalues of a multiplication matrix and their number, independently, from Hermite's trace form
(:mod:`.polysystem`). SymPy's ``solve_poly_system`` is never used: it returns incomplete real solution lists."""
from __future__ import annotations

import itertools

import mpmath
import sympy as sp

from ..kinds import CertificateKind, RegionKind, Scope
from .linear import output_power
from .parts import Certificate, Region
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
            spheres = _spheres(reduced, equations, variables, digits) if reduced.is_full else None
            return spheres or Finding(notes=["the gradient system has a positive-dimensional solution set (a "
                                             "continuum of stationary points or of complex solutions); its real "
                                             "points are searched numerically only"])
        certificate = Certificate(CertificateKind.POLYNOMIAL_SYSTEM, Scope.GLOBAL,
                                  f"the gradient system is zero-dimensional with {system.complex_count} complex "
                                  f"solutions (with multiplicity); Hermite's trace form counts {system.real_count} "
                                  f"distinct real ones",
                                  facts={"real_count": system.real_count, "complex_count": system.complex_count})
        # points known only as decimals: no exact form, their values carry them
        return Finding(points=[None] * len(system.points), certificate=certificate, equivalence=True,
                       values={i: tuple(mpmath.nstr(v, digits + 5) for v in p) for i, p in enumerate(system.points)},
                       notes=list(system.notes))


def _spheres(reduced, equations, variables, digits: int):
    """grad E = G(w) Q(w) with G a common factor of every component that is invariant under rotations
    ((w_i d/dw_j - w_j d/dw_i) G = 0), so G = g(|w|^2): each positive root s0 of g is a sphere |w|^2 = s0 of
    stationary points (an orbit), a root 0 the point w = 0, and the rest are the real solutions of Q = 0, a
    zero-dimensional system disjoint from G = 0 (a Groebner basis of Q and G is {1}). None when the common factor
    is not of that kind."""
    polys = [sp.Poly(e, *variables) for e in equations]
    common = polys[0]
    for poly in polys[1:]:
        common = common.gcd(poly)
    common = common.monic()
    G = common.as_expr()
    if common.total_degree() == 0 or any(sp.expand(wi * sp.diff(G, wj) - wj * sp.diff(G, wi)) != 0
                                         for wi, wj in itertools.combinations(variables, 2)):
        return None
    s = sp.Symbol("s")
    g = sp.Poly(sp.expand(G.subs({v: (sp.sqrt(s) if k == 0 else 0) for k, v in enumerate(variables)})), s)
    quotients = [sp.div(poly, common)[0].as_expr() for poly in polys]
    rest = solve_system(quotients, variables, digits)
    if not rest.zero_dimensional or sp.groebner(quotients + [G], *variables, order="grevlex").exprs != [1]:
        return None
    radii = [root for root, _, _ in real_roots(sp.Poly(g.clear_denoms()[1], s), digits) if root > 0]
    square = sum(v ** 2 for v in variables)
    shape = "circle" if len(variables) == 2 else "sphere"
    regions = [Region(RegionKind.ORBIT, f"the {shape} {text(square)} = {text(radius)}: every point on it is "
                                        f"stationary (the gradient's components share the factor {text(G)}, "
                                        f"invariant under rotations)", sp.Eq(square, radius),
                      representative=(sp.sqrt(radius),) + (sp.Integer(0),) * (len(variables) - 1))
               for radius in radii]
    origin = [tuple(sp.Integer(0) for _ in variables)] if g.eval(0) == 0 else []
    count = rest.real_count + len(origin)
    certificate = Certificate(CertificateKind.POLYNOMIAL_SYSTEM, Scope.GLOBAL,
                              f"the gradient is {text(G)} times a zero-dimensional system with {rest.complex_count} "
                              f"complex solutions, {rest.real_count} of them real (Hermite's trace form), none on "
                              f"{text(G)} = 0; {text(G)} = 0 is {len(radii)} {shape}(s) of stationary points"
                              + (" and the point w = 0" if origin else ""),
                              facts={"real_count": count, "complex_count": rest.complex_count, "common": common,
                                     "radii": radii})
    values = {len(origin) + i: tuple(mpmath.nstr(v, digits + 5) for v in p) for i, p in enumerate(rest.points)}
    return Finding(points=origin + [None] * len(rest.points), values=values, regions=regions,
                   certificate=certificate, equivalence=True, notes=list(rest.notes))
