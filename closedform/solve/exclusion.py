"""Branch and bound over a search box: a sub-box is discarded when an interval enclosure of some gradient
component excludes 0 (the naive enclosure intersected with the centred form g(m) + H(X)(X - m)), or when the
Krawczyk operator maps it outside itself; it holds exactly one zero when the Krawczyk operator maps it into its
interior; otherwise it is split along its widest side. When nothing is left undecided, every zero in the box
is accounted for: that is the proof behind ``complete = True`` for the box."""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import sympy as sp
from mpmath import iv

from .certify import interval_digits, inside, krawczyk

MAX_BOXES = 40000
DIGITS = 20


@dataclass
class BoxSearch:
    unique: list = field(default_factory=list)  # boxes proved to hold exactly one zero
    undecided: int = 0
    boxes: int = 0

    @property
    def complete(self) -> bool:
        return self.undecided == 0


def _mid(x):
    return mpmath.mpf(x.mid._mpi_[0])


def _excludes_zero(interval) -> bool:
    return interval.a > 0 or interval.b < 0


def _centred_gradient(G_centre, X, centre, H):
    """g(c) + H(X)(X - c): the mean-value enclosure of the gradient on X."""
    r = len(X)
    return [G_centre[j] + sum((H[j][k] * (X[k] - centre[k]) for k in range(r)), iv.mpf(0)) for j in range(r)]


def valley_directions(z) -> list:
    """In 2-D, the direction perpendicular to each distinct data row: along it that row's term drops out
    exactly, which decides boxes in a valley where the term sits at its zero (a zero at infinity inside the
    hyperplane z_i.c = 0)."""
    if not z or len(z[0]) != 2:
        return []
    out = {}
    for a, b in z:
        if a or b:
            scale = max(abs(sp.Rational(a)), abs(sp.Rational(b)))
            d = (-sp.Rational(b) / scale, sp.Rational(a) / scale)
            out.setdefault(d if (d[0] > 0 or (d[0] == 0 and d[1] > 0)) else (-d[0], -d[1]), None)
    return list(out)


def _enclose(value):
    value = sp.Rational(value)
    return iv.mpf(value.p) / value.q


def _directions(model):
    """[(d, weights d.z_i)] as intervals, the weights computed exactly (None where d.z_i = 0)."""
    rows = model.exact[0]
    out = []
    for d in valley_directions(rows):
        weights = [sum(sp.Rational(a) * sp.Rational(b) for a, b in zip(d, row)) for row in rows]
        out.append(([_enclose(v) for v in d], [None if w == 0 else _enclose(w) for w in weights]))
    return out


def _directional_excludes_zero(terms, directions) -> bool:
    gs, _, l2_part = terms
    for d, weights in directions:
        total = sum((l * dj for l, dj in zip(l2_part, d)), iv.mpf(0))
        for gi, weight in zip(gs, weights):
            if weight is not None:
                total += gi * weight
        if _excludes_zero(total):
            return True
    return False


def search(model, box, hessian_at, max_boxes: int = MAX_BOXES) -> BoxSearch:
    """Branch and bound on ``box`` [(lo, hi), ...]; ``hessian_at(point)`` gives an mp Hessian (preconditioner)."""
    result = BoxSearch()
    with mpmath.workdps(DIGITS), interval_digits(DIGITS):
        stack = [[iv.mpf([lo, hi]) for lo, hi in box]]
        directions = _directions(model)
        scale = max(hi - lo for lo, hi in box)
        while stack:
            if result.boxes >= max_boxes:
                result.undecided += len(stack)
                break
            X = stack.pop()
            result.boxes += 1
            try:
                verdict = _decide(model, X, hessian_at, directions)
            except (ArithmeticError, ValueError, mpmath.libmp.NoConvergence):
                verdict = "split"
            if verdict == "unique":
                result.unique.append(X)
            elif verdict == "split":
                widths = [float(x.delta) for x in X]
                j = max(range(len(X)), key=widths.__getitem__)
                if widths[j] < 1e-12 * scale:
                    result.undecided += 1
                    continue
                m = _mid(X[j])
                stack.append(X[:j] + [iv.mpf([X[j].a, m])] + X[j + 1:])
                stack.append(X[:j] + [iv.mpf([m, X[j].b])] + X[j + 1:])
    return result


def _monotone_excludes_zero(model, X, H, j) -> bool:
    """Where dG_j/dw_k has a fixed sign on X, G_j's extremes sit on the matching faces: evaluate G_j there
    (the other coordinates as intervals) for a much tighter range."""
    low, high = [], []
    for k, x in enumerate(X):
        if H[j][k].a >= 0:
            low.append(iv.mpf(x.a))
            high.append(iv.mpf(x.b))
        elif H[j][k].b <= 0:
            low.append(iv.mpf(x.b))
            high.append(iv.mpf(x.a))
        else:
            low.append(x)
            high.append(x)
    if low == X:
        return False
    return model.gradient(low)[j].a > 0 or model.gradient(high)[j].b < 0


def _decide(model, X, hessian_at, directions) -> str:
    """"none", "unique" or "split"; cheapest tests first, every enclosure computed once."""
    terms = model.terms(X)
    gs, rows, gradient = terms
    for gi, row in zip(gs, rows):
        gradient = [o + gi * zj for o, zj in zip(gradient, row)]
    if any(_excludes_zero(g) for g in gradient):
        return "none"
    if directions and _directional_excludes_zero(terms, directions):
        return "none"
    centre = [_mid(x) for x in X]
    G_centre = model.gradient([iv.mpf(c) for c in centre])
    H = model.hessian(X)
    if any(_excludes_zero(g) for g in _centred_gradient(G_centre, X, centre, H)):
        return "none"
    if any(_monotone_excludes_zero(model, X, H, j) for j in range(model.r)):
        return "none"
    try:
        Y = mpmath.inverse(hessian_at(centre))
    except ZeroDivisionError:
        return "split"
    K = krawczyk(model, X, centre, Y, G_centre, H)
    if any(k.b < x.a or k.a > x.b for k, x in zip(K, X)):
        return "none"
    return "unique" if inside(K, X) else "split"


def box_search(reduced, box, max_boxes: int = MAX_BOXES):
    """Run :func:`search` for a reduced problem; returns (unique boxes as [(lo, hi), ...] of mpf, undecided,
    boxes examined), plain values that cross a process boundary."""
    from .certify import IntervalModel

    model = IntervalModel(reduced)
    found = search(model, box, lambda c: reduced.model.mp_hessian(c), max_boxes)
    unique = [[(mpmath.mpf(x._mpi_[0]), mpmath.mpf(x._mpi_[1])) for x in X] for X in found.unique]
    return unique, found.undecided, found.boxes
