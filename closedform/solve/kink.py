"""The kind of a stationary point on a kink of a piecewise-linear activation (some z_i.c = 0 exactly), from the
one-sided models of the adjacent activation patterns, never from one side's Hessian.

Near such a point c the kink lines {d : z_i.d = 0} cut the directions into sectors; inside a sector every unit
keeps one side, and the loss is exactly quadratic there: E(c + e d) = E(c) + e a.d + e^2/2 d^T H d for small
e > 0, with a and H that sector's one-sided gradient and Hessian. The point is a strict minimum iff in every
sector each direction has a.d > 0, or a.d = 0 and d^T H d > 0; a maximum likewise with the signs reversed; a
saddle when some direction descends and another ascends; otherwise degenerate. Everything is exact rational
arithmetic; sectors are enumerated for r <= 2 (r = 1: the two rays)."""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ..kinds import Kind
from ..model.symbols import h, t

MAX_DIM = 2


@lru_cache(maxsize=None)
def _branch(expr: sp.Expr, side: int) -> sp.Expr:
    """The piece of a Piecewise in h that holds just to the ``side`` (+1 / -1) of h = 0."""
    expr = sp.piecewise_fold(expr)
    if not isinstance(expr, sp.Piecewise):
        return expr
    near = side * sp.Rational(1, 10**9)
    return next(piece for piece, condition in expr.args if condition.subs(h, near) == sp.true)


def _one_sided(fns, target, value, side):
    """(g, g') of one term at h = value, from the ``side`` of 0 when value == 0."""
    if value != 0:
        side = 1 if value > 0 else -1
    g = _branch(fns.g, side).subs({t: target, h: value})
    g_h = _branch(fns.g_h, side).subs({t: target, h: value})
    return g, g_h


def kink_units(reduced, c) -> list:
    """Indices i with z_i != 0 and z_i.c = 0 exactly."""
    return [i for i, zi in enumerate(reduced.z) if any(zi) and sum(a * b for a, b in zip(zi, c)) == 0]


def _sectors(reduced, units):
    """Pairs (r1, r2) of rays bounding each sector around c, every sector narrower than pi (r <= 2)."""
    if reduced.r == 1:
        return [((sp.Integer(1),), (sp.Integer(1),)), ((sp.Integer(-1),), (sp.Integer(-1),))]
    rays = []
    for i in units:
        a, b = reduced.z[i]
        rays += [(-b, a), (b, -a), (a, b), (-a, -b)]  # the kink line and its normal: sectors of at most pi/2
    unique = {}
    for x, y in rays:
        unique.setdefault(sp.atan2(y, x), (x, y))
    ordered = [unique[angle] for angle in sorted(unique, key=lambda v: float(v))]
    return list(zip(ordered, ordered[1:] + ordered[:1]))


def _model(reduced, c, units, direction):
    """(a, H) of the sector containing ``direction``."""
    neuron = reduced.neuron
    r = reduced.r
    a = sp.Matrix([neuron.l2 * cj if m else 0 for cj, m in zip(c, reduced.regularised)])
    H = sp.diag(*[neuron.l2 if m else 0 for m in reduced.regularised])
    for i, (zi, ti) in enumerate(zip(reduced.z, neuron.data.t)):
        if not any(zi):
            continue
        side = 0
        if i in units:
            dot = sum(x * y for x, y in zip(zi, direction))
            side = 1 if dot > 0 else -1
        g, g_h = _one_sided(neuron.fns, ti, sum(x * y for x, y in zip(zi, c)), side)
        z = sp.Matrix(zi)
        a += g * z
        H += g_h * z * z.T
    return a, H.reshape(r, r)


def _signs_on_sector(a, H, r1, r2):
    """(some direction descends, some ascends, every direction strictly ascends, every one strictly descends)."""
    v1, v2 = sp.Matrix(r1), sp.Matrix(r2)
    slope = [(a.T * v)[0] for v in (v1, v2)]
    curvature = [(v.T * H * v)[0] for v in (v1, v2)]
    edge = [(s, q) for s, q in zip(slope, curvature) if s == 0]
    if all(s == 0 for s in slope):  # a = 0 on this sector: the quadratic form decides on the whole sector
        lam = sp.Symbol("lam")
        v = (1 - lam) * v1 + lam * v2
        q = sp.expand((v.T * H * v)[0])
        candidates = [q.subs(lam, 0), q.subs(lam, 1)]
        stationary = sp.solve(sp.diff(q, lam), lam)
        candidates += [q.subs(lam, s) for s in stationary if s.is_real and 0 < s < 1]
        low, high = min(candidates), max(candidates)
        return low < 0, high > 0, low > 0, high < 0
    descends = min(slope) < 0 or any(qv < 0 for _, qv in edge)
    ascends = max(slope) > 0 or any(qv > 0 for _, qv in edge)
    rising = min(slope) >= 0 and all(qv > 0 for _, qv in edge)
    falling = max(slope) <= 0 and all(qv < 0 for _, qv in edge)
    return descends, ascends, rising, falling


def classify_kink(reduced, c):
    """The kind of the exact rational point ``c`` from its one-sided models; None when c is not on a kink or
    the dimension is beyond :data:`MAX_DIM` (then the caller says degenerate)."""
    units = kink_units(reduced, c)
    if not units or reduced.r > MAX_DIM:
        return None
    verdicts = []
    for r1, r2 in _sectors(reduced, units):
        inside = tuple(x + y for x, y in zip(r1, r2))
        a, H = _model(reduced, c, units, inside)
        verdicts.append(_signs_on_sector(a, H, r1, r2))
    if all(v[2] for v in verdicts):
        return Kind.MIN
    if all(v[3] for v in verdicts):
        return Kind.MAX
    if any(v[0] for v in verdicts) and any(v[1] for v in verdicts):
        return Kind.SADDLE
    return Kind.DEGENERATE
