"""Certified enclosures with interval arithmetic (mpmath.iv): the Krawczyk test. For a box X around c and
Y ~ H(c)^-1,   K(X) = c - Y g(c) + (I - Y H(X)) (X - c);   K(X) inside the interior of X proves that X holds
exactly one zero of the gradient g (and K(X) is a tighter enclosure of it). Interval versions of g and H come
from the per-sample expressions rewritten in exp (iv has no tanh) with every constant an interval, so the
enclosures are rigorous; piecewise activations are not certified this way."""
from __future__ import annotations

from contextlib import contextmanager

import flint
import mpmath
import sympy as sp
from mpmath import iv

from ..model.symbols import h, t


def _arb(raw) -> flint.arb:
    """The raw mpf tuple ``raw`` (sign, mantissa, exponent, bits) as an exact arb."""
    sign, man, exp, _ = raw
    man = -man if sign else man
    return flint.arb(flint.fmpq(man * 2**exp) if exp >= 0 else flint.fmpq(man, 2**-exp))


def _raw(x: flint.arb, rounding: str):
    """The exact arb ``x`` as a raw mpf at the interval precision, rounded down ("f") or up ("c")."""
    man, exp = x.man_exp()
    return mpmath.libmp.from_man_exp(int(man), int(exp), iv.prec, rounding)


_ONE, _MINUS_ONE = mpmath.libmp.fone, mpmath.libmp.fnone


def _iv_erf(x):
    """erf over an mpmath interval: erf increases, so the hull of arb's rigorous balls at the endpoints (not
    iv.erf: its series raises NoConvergence on ordinary inputs)."""
    lo, hi = iv.mpf(x)._mpi_
    old = flint.ctx.prec
    flint.ctx.prec = iv.prec + 10
    try:
        low = _MINUS_ONE if lo == mpmath.libmp.fninf else _raw(_arb(lo).erf().lower(), "f")
        high = _ONE if hi == mpmath.libmp.finf else _raw(_arb(hi).erf().upper(), "c")
    finally:
        flint.ctx.prec = old
    low = _MINUS_ONE if mpmath.libmp.mpf_lt(low, _MINUS_ONE) else low
    high = _ONE if mpmath.libmp.mpf_gt(high, _ONE) else high
    return iv.make_mpf((low, high))


_FUNCTIONS = {"mpf": iv.mpf, "exp": iv.exp, "log": iv.log, "sqrt": iv.sqrt, "sin": iv.sin, "cos": iv.cos,
              "erf": _iv_erf, "pi": iv.pi, "E": iv.e}
HESSIAN_DEPTH = 3  # the Hessian needs less tightness than the gradient: start nearer the bisection limit
MAX_WORK = 1000  # samples x variables^2 beyond which points are certified in float64 (.floatbox): mpmath's
# intervals cost ~1 ms per sample per enclosure


class NotCertifiable(Exception):
    """The expressions use something interval arithmetic here does not cover (Piecewise, unknown functions)."""


class IntervalModel:
    """Interval gradient and Hessian of a reduced problem."""

    digits = None  # the digits an enclosure can resolve: any, at the interval precision in force

    def __init__(self, reduced):
        fns = reduced.neuron.fns
        self.g = _interval_function(fns.g)
        self.g_h = _interval_function(fns.g_h)
        self.g_hh = _interval_function(sp.diff(fns.g_h, h))
        self.exact = (reduced.z, reduced.neuron.data.t, reduced.neuron.l2)
        self.mask = reduced.regularised
        self.r = reduced.r
        self._cache = {}

    def _data(self):
        """(z, t, l2) as intervals enclosing the exact rationals at the current interval precision."""
        if iv.prec not in self._cache:
            z, targets, l2 = self.exact
            enclose = lambda v: iv.mpf(sp.Rational(v).p) / sp.Rational(v).q  # noqa: E731
            self._cache[iv.prec] = ([[enclose(v) for v in row] for row in z], [enclose(v) for v in targets],
                                    enclose(l2))
        return self._cache[iv.prec]

    def _pre(self, X):
        z, targets, l2 = self._data()
        return z, targets, l2, [sum((zj * xj for zj, xj in zip(row, X)), iv.mpf(0)) for row in z]

    def terms(self, X):
        """(tight enclosures of g(t_i, h_i) over X, the rows z_i, the L2 part lam*X on regularised coordinates)."""
        z, targets, l2, hs = self._pre(X)
        return ([tight_range(self.g, self.g_h, ti, hi) for ti, hi in zip(targets, hs)], z,
                [l2 * x if m else iv.mpf(0) for x, m in zip(X, self.mask)])

    def gradient(self, X):
        gs, z, out = self.terms(X)
        for gi, row in zip(gs, z):
            out = [o + gi * zj for o, zj in zip(out, row)]
        return out

    def hessian(self, X):
        z, targets, l2, hs = self._pre(X)
        H = [[l2 if (i == j and self.mask[i]) else iv.mpf(0) for j in range(self.r)] for i in range(self.r)]
        for row, ti, hi in zip(z, targets, hs):
            ci = tight_range(self.g_h, self.g_hh, ti, hi, depth=HESSIAN_DEPTH)
            for i in range(self.r):
                for j in range(self.r):
                    H[i][j] += ci * row[i] * row[j]
        return H


def tight_range(f, derivative, target, H, depth: int = 0, max_depth: int = 4):
    """An enclosure of f(target, .) over the interval H. Each term depends on one scalar h, so where the
    derivative keeps one sign f is monotone and its range is spanned by the endpoint values; elsewhere H is
    bisected (up to 4 times) before falling back on the naive enclosure. This removes the dependency blow-up of
    expressions with e^h in several places (saturating tails)."""
    if H.delta == 0:
        return f(target, H)
    slope = derivative(target, H)
    if slope.a >= 0 or slope.b <= 0:
        left, right = f(target, iv.mpf(H.a)), f(target, iv.mpf(H.b))
        return iv.mpf([min(left.a, right.a), max(left.b, right.b)])
    if depth >= max_depth:
        return f(target, H)
    middle = H.mid
    low = tight_range(f, derivative, target, iv.mpf([H.a, middle.a]), depth + 1, max_depth)
    high = tight_range(f, derivative, target, iv.mpf([middle.a, H.b]), depth + 1, max_depth)
    return iv.mpf([min(low.a, high.a), max(low.b, high.b)])


def interval_ready(expr):
    """``expr`` in the functions interval arithmetic covers here (hyperbolic ones rewritten in exp), or
    NotCertifiable naming what is not covered."""
    expr = expr.rewrite([sp.tanh, sp.cosh, sp.sinh], sp.exp)
    if expr.has(sp.Piecewise, sp.Max, sp.Min, sp.Abs):
        raise NotCertifiable("piecewise expressions are not certified by interval arithmetic here")
    unknown = {type(f).__name__ for f in expr.atoms(sp.Function)} - set(_FUNCTIONS)
    if unknown:
        raise NotCertifiable(f"no interval version of {', '.join(sorted(unknown))}")
    return expr


def _interval_function(expr):
    compiled = sp.lambdify((t, h), interval_ready(expr), modules=[_FUNCTIONS, "mpmath"], cse=True)
    return lambda target, value: iv.mpf(compiled(target, value))  # constants come back as plain numbers


def krawczyk(model: IntervalModel, X, centre, Y, G=None, H=None):
    """K(X) for the box X (list of intervals) around ``centre`` (mp numbers) with preconditioner Y (mp matrix);
    G = g(centre) and H = H(X) may be passed when already computed."""
    C = [iv.mpf(c) for c in centre]
    G = model.gradient(C) if G is None else G
    H = model.hessian(X) if H is None else H
    K = []
    for j in range(model.r):
        value = C[j] - sum((iv.mpf(Y[j, k]) * G[k] for k in range(model.r)), iv.mpf(0))
        for k in range(model.r):
            factor = (1 if j == k else 0) - sum((iv.mpf(Y[j, l]) * H[l][k] for l in range(model.r)), iv.mpf(0))
            value += factor * (X[k] - C[k])
        K.append(value)
    return K


@contextmanager
def interval_digits(digits):
    """iv has no workdps: set and restore its precision."""
    previous = iv.prec
    iv.dps = digits
    try:
        yield
    finally:
        iv.prec = previous


def inside(K, X) -> bool:
    return all(k.a > x.a and k.b < x.b for k, x in zip(K, X))


def certify_point(reduced, model: IntervalModel, c, hessian, precision: int):
    """An enclosure [(lo, hi), ...] proved to hold exactly one zero near c, or None."""
    with mpmath.workdps(precision + 20), interval_digits(precision + 20):
        try:
            Y = mpmath.inverse(hessian)
        except ZeroDivisionError:
            return None
        resolved = precision if model.digits is None else min(precision, model.digits)
        radius = mpmath.mpf(10) ** (3 - resolved) * (1 + max(abs(v) for v in c))
        X = [iv.mpf([v - radius, v + radius]) for v in c]
        try:
            K = krawczyk(model, X, c, Y)
        except (ArithmeticError, ValueError, mpmath.libmp.NoConvergence):  # e.g. log of an interval below 0
            return None
        if not inside(K, X):
            return None
        return [(mpmath.mpf(k._mpi_[0]), mpmath.mpf(k._mpi_[1])) for k in K]
