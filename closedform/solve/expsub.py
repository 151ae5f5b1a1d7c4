"""The exponential substitution. For rational 1-D (reduced) data, an activation with f, f' rational in
exp(-k h) and a loss with dl/dy rational in y, put U = exp(-k c / q) (q = common denominator of the z_i): then
exp(-k h_i) = U^(q z_i) and grad E = 0 becomes P(U) = 0 with integer coefficients. Stationary points are
c = -(q/k) log U over the positive real roots U of P, exact algebraic numbers (CRootOf or radicals)."""
from __future__ import annotations

from functools import lru_cache, reduce as fold

import sympy as sp

from ..model.activations import rational_in_u
from ..model.symbols import t, u
from .strategy import Finding, Strategy, is_stationary


@lru_cache(maxsize=None)
def g_in_u(activation, loss):
    """g(t, h) as (numerator, denominator) polynomials in u = exp(-k h) and t, or None."""
    g = rational_in_u(loss.per_sample(activation).diff(sp.Symbol("h", real=True)), activation.exp_scale)
    if g is None:
        return None
    num, den = sp.fraction(sp.cancel(g))
    return sp.Poly(num, u, t), sp.Poly(den, u, t)


def u_polynomial(reduced):
    """(P as a Poly in u with integer coefficients, q, k): grad E(c) = 0 with c = -(q/k) log u iff P(u) = 0, u > 0."""
    neuron = reduced.neuron
    k = neuron.activation.exp_scale
    num, den = g_in_u(neuron.activation, neuron.criterion)
    terms = [(zi[0], ti) for zi, ti in zip(reduced.z, neuron.data.t) if zi[0] != 0]
    q = fold(sp.ilcm, [sp.Rational(z).q for z, _ in terms], 1)
    fractions = []
    for z, target in terms:
        m = int(z * q)
        N = sp.Poly(num.as_expr().subs(t, target), u)
        D = sp.Poly(den.as_expr().subs(t, target), u)
        N, D = _compose_power(N, m), _compose_power(D, m)
        fractions.append((z * N, D))
    L = fold(lambda a, b: a.lcm(b), [D for _, D in fractions])
    P = sum((N * sp.Poly(sp.quo(L.as_expr(), D.as_expr(), u), u) for N, D in fractions), sp.Poly(0, u))
    P = _strip_powers_of_u(P)
    if not P.is_zero:
        P = sp.Poly(P.clear_denoms()[1].primitive()[1], u)
        P = -P if P.LC() < 0 else P
    return P, q, k


def _compose_power(poly, m):
    """poly(u^m) for an integer m; for m < 0 multiplied through by u^(|m| deg) to stay a polynomial."""
    if m > 0:
        return sp.Poly(poly.as_expr().subs(u, u**m), u)
    degree = poly.degree()
    return sp.Poly(sp.expand(poly.as_expr().subs(u, u**m) * u ** (-m * degree)), u)


def _strip_powers_of_u(P):
    if P.is_zero:
        return P
    low = min(mon[0] for mon in P.monoms())
    return sp.Poly(sp.expand(P.as_expr() / u**low), u)


def exact_log_roots(P, q, k):
    """[(exact c, irreducible factor)] for the positive real roots of P; radicals up to degree 2 or when SymPy's
    ``roots`` finds them, CRootOf otherwise."""
    out = []
    for factor, _ in P.factor_list()[1]:
        positives = [r for r in factor.real_roots() if r.is_positive]
        if not positives:
            continue
        radicals = sp.roots(factor, u, filter="R") if factor.degree() <= 2 else {}
        for root in positives:
            value = next((rad for rad in radicals if abs(sp.N(rad - root, 50)) < 1e-40), root)
            out.append((sp.simplify(-sp.Rational(q, k) * sp.log(value)), factor))
    return out


class ExpSubstitution(Strategy):
    name = "exponential substitution"

    def applies(self, reduced) -> bool:
        n = reduced.neuron
        return (n.activation.exp_scale is not None and reduced.r == 1 and n.l2 == 0
                and g_in_u(n.activation, n.criterion) is not None)

    def solve(self, reduced) -> Finding:
        P, q, k = u_polynomial(reduced)
        if P.is_zero:
            return Finding(notes=["the gradient vanishes identically on the data span"])
        roots = exact_log_roots(P, q, k)
        points = [(c,) for c, _ in roots if is_stationary(reduced, (c,))]
        factors = [f for f, _ in P.factor_list()[1] if f.degree() > 0]
        reason = (f"with u = exp(-{sp.Rational(k, q)}*c) the gradient vanishes iff P(u) = {sp.sstr(P.as_expr())} = 0; "
                  f"its positive real roots were isolated exactly")
        if not points:
            reason += " and there are none"
        return Finding(points=points, complete=True, reason=reason, factors=factors, variable=u)
