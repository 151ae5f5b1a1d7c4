"""The exponential substitution. For rational 1-D (reduced) data, an activation with f, f' rational in
exp(-k h) and a loss with dl/dy rational in y, put U = exp(-k c / q) (q chosen so that the exponents q z_i are coprime integers): then
exp(-k h_i) = U^(q z_i) and grad E = 0 becomes P(U) = 0 with integer coefficients. Stationary points are
c = -(q/k) log U over the positive real roots U of P, exact algebraic numbers (CRootOf or radicals)."""
from __future__ import annotations

from functools import lru_cache, reduce as fold

import mpmath
import sympy as sp

from ..kinds import CertificateKind, Scope
from ..model.activations import rational_in_u
from ..model.symbols import t, u
from ..printing import text
from .parts import Certificate, Reduction
from .roots import real_roots
from .strategy import Finding, Strategy


@lru_cache(maxsize=None)
def g_in_u(activation, loss):
    """g(t, h) as (numerator, denominator) polynomials in u = exp(-k h) and t, or None."""
    g = rational_in_u(loss.per_sample(activation).diff(sp.Symbol("h", real=True)), activation.exp_scale)
    if g is None:
        return None
    num, den = sp.fraction(sp.cancel(g))
    return sp.Poly(num, u, t), sp.Poly(den, u, t)


def exponent_scale(terms):
    """q making the exponents m_i = q z_i coprime integers: lcm of the denominators over gcd of the numerators."""
    return sp.Rational(fold(sp.ilcm, [sp.Rational(z).q for z in terms], 1),
                       fold(sp.igcd, [sp.Rational(z).p for z in terms], 0))


def degree_bound(reduced) -> int:
    """An upper bound on deg P before it is built: the common denominator has degree at most
    sum over distinct |m_i| of |m_i| deg D, and P's degree is at most that plus max |m_i| deg N."""
    num, den = g_in_u(reduced.neuron.activation, reduced.neuron.criterion)
    terms = {zi[0] for zi in reduced.z if zi[0] != 0}
    if not terms or len(terms) > MAX_DEGREE:  # each distinct exponent adds at least 1
        return len(terms)
    q = exponent_scale(terms)
    exponents = {abs(int(z * q)) for z in terms}
    shift = max(num.degree(u), den.degree(u))
    return sum(exponents) * shift + max(exponents) * shift


def u_polynomial(reduced):
    """(P as a Poly in u with integer coefficients, q, k): grad E(c) = 0 with c = -(q/k) log u iff P(u) = 0, u > 0."""
    neuron = reduced.neuron
    k = neuron.activation.exp_scale
    num, den = g_in_u(neuron.activation, neuron.criterion)
    terms = [(zi[0], ti) for zi, ti in zip(reduced.z, neuron.data.t) if zi[0] != 0]
    q = exponent_scale([z for z, _ in terms])
    fractions = []
    for z, target in terms:
        m = int(z * q)
        N = sp.Poly(num.as_expr().subs(t, target), u)
        D = sp.Poly(den.as_expr().subs(t, target), u)
        N, D = _compose_power(N, D, m)
        fractions.append((z * N, D))
    L = fold(lambda a, b: a.lcm(b), [D for _, D in fractions])
    P = sum((N * L.exquo(D) for N, D in fractions), sp.Poly(0, u, domain=L.domain))
    P = _strip_powers_of_u(P)
    if not P.is_zero:
        P = sp.Poly(P.clear_denoms()[1].primitive()[1], u)
        P = -P if P.LC() < 0 else P
    return P, q, k


def _compose_power(N, D, m):
    """N(u^m), D(u^m) for an integer m; for m < 0 both multiplied by the same u^(|m| max(deg N, deg D)), so
    the fraction is unchanged and both stay polynomials."""
    def inflate(poly, shift):
        return sp.Poly.from_dict({(abs(m) * (shift - k) if m < 0 else m * k,): c for (k,), c in poly.terms()}, u,
                                 domain=poly.domain)
    shift = max(N.degree(), D.degree())
    return inflate(N, shift), inflate(D, shift)


def _strip_powers_of_u(P):
    if P.is_zero:
        return P
    low = min(mon[0] for mon in P.monoms())
    return sp.Poly(sp.expand(P.as_expr() / u**low), u)


MAX_DEGREE = 20_000  # (of the bound) beyond this SymPy's polynomial arithmetic alone outlasts any sensible timeout
MAX_EXACT_DEGREE = 400  # factors beyond this give decimals only: rebuilding log(CRootOf) (pickling between processes,
                        # any sign query) re-isolates the roots in SymPy, 2 s at degree 333, over 40 s at 1147


class ExpSubstitution(Strategy):
    name = "exponential substitution"

    def applies(self, reduced) -> bool:
        n = reduced.neuron
        return (n.activation.exp_scale is not None and reduced.r == 1 and n.l2 == 0
                and g_in_u(n.activation, n.criterion) is not None and degree_bound(reduced) <= MAX_DEGREE)

    def solve(self, reduced, digits: int = 60) -> Finding:
        P, q, k = u_polynomial(reduced)
        if P.is_zero:
            return Finding(notes=["the gradient vanishes identically on the data span"])
        scale = q / k
        points, values, factors = [], {}, []
        with mpmath.workdps(digits + 10):
            for root, value, factor in real_roots(P, digits, MAX_EXACT_DEGREE):
                if mpmath.mpf(value) <= 0:
                    continue
                values[len(points)] = (mpmath.nstr(-mpmath.mpf(scale.p) / scale.q * mpmath.log(mpmath.mpf(value)),
                                                   digits + 5),)
                # log.eval would isolate the root again in SymPy
                points.append(None if root is None else (-scale * sp.log(root, evaluate=False),))
                factors += [factor] if factor not in factors else []
        c = reduced.combinations[0]
        details = (f"with u = {text(sp.exp(-c / scale))} the gradient vanishes iff P(u) = 0 and u > 0, where "
                   f"P(u) = {text(P.as_expr())}; P has {len(points)} positive real root(s), each a stationary point "
                   f"{text(sp.Eq(c, -scale * sp.log(u)))}")
        meaning = (f"u* = {text(sp.exp(-c / scale))} at a stationary point cannot be written in radicals, and "
                   f"{text(c)} = {text(-scale * sp.log(sp.Symbol('u*')))} is not the logarithm of a radical expression")
        certificate = Certificate(CertificateKind.EXACT_ROOTS, Scope.GLOBAL, details,
                                  facts={"polynomial": P, "lower": 0, "count": len(points)})
        return Finding(points=points, values=values, certificate=certificate, equivalence=True,
                       reduction=Reduction(P, q, k), factors=factors, meaning=meaning)
