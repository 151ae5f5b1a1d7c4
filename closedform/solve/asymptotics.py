"""Zeros at infinity. Along c = c0 + s v, s -> oo, term i's g(t_i, h_i) tends to G+(t_i) or G-(t_i) by the
sign of v.z_i, so in a cell of the arrangement {v.z_i = 0} the limiting gradient is sum_i G_sign(t_i) z_i,
exact: the gradient vanishes at infinity in that cell iff that sum is 0. The limiting loss is
sum_i L_sign(t_i). When sign * G_sign(t) >= 0 for every term (cross-entropy, Poisson) v.grad =
sum_i G_sign(t_i) |v.z_i| cannot cancel, so a zero needs every term to vanish: one linear program (Konis' test of
separation) decides, its answer checked exactly (the signs of its direction, or a Farkas certificate), linear in
n. Otherwise cells are enumerated exactly for r <= 3 while they are few (MAX_CELL_WORK), and beyond that the
linear program gives the term-by-term condition only. Inside a face (a subspace F spanned by rows, v orthogonal
to F) the rows of F stay finite: the zeros there are the stationary points of the restricted problem on F
(:func:`faces`, solved by the pipeline itself)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp

from ..model.evaluators import per_sample
from ..model.symbols import h, t
from .parts import Asymptote, decimal
from .separation import exact_sign, separating_direction
from .cells import cells
from ..printing import text

MAX_REPORTED = 12
MAX_CELL_WORK = 2e5  # cells x terms beyond which the cells are not enumerated


def _tail(activation, loss, which: str, sign: int):
    """The per-sample expression, with a Piecewise replaced by its branch for h beyond every kink (the
    registered kinks are at h = 0; 10^9 is past them)."""
    expr = sp.piecewise_fold(getattr(per_sample(activation, loss), which))
    if isinstance(expr, sp.Piecewise):
        far = sign * sp.Integer(10) ** 9
        expr = next(branch for branch, condition in expr.args if condition.subs(h, far) == sp.true)
    return expr


_SYMBOLIC: dict = {}  # (activation, loss, which, sign) -> the limit for a symbolic t, or None


def _symbolic_limit(activation, loss, which: str, sign: int):
    key = (activation, loss, which, sign)
    if key not in _SYMBOLIC:
        _SYMBOLIC[key] = _generic_limit(activation, loss, which, sign)
    return _SYMBOLIC[key]


def _generic_limit(activation, loss, which: str, sign: int):
    expr = _tail(activation, loss, which, sign)
    try:
        value = sp.limit(expr, h, sign * sp.oo)
    except Exception:  # SymPy's limit raises a zoo of errors on hard inputs: fall back per value
        return None
    clean = not value.has(sp.sign, sp.Piecewise, sp.oo, -sp.oo, sp.zoo, sp.nan, sp.Limit, sp.AccumBounds)
    return value if clean else None


@lru_cache(maxsize=None)
def limit(activation, loss, which: str, sign: int, target):
    """lim_{h -> sign*oo} of the per-sample ``which`` in {"g", "loss"} at t = target (exact; may be +-oo)."""
    generic = _symbolic_limit(activation, loss, which, sign)
    if generic is not None:
        return generic.subs(t, target)
    expr = _tail(activation, loss, which, sign).subs(t, target)
    try:
        return sp.limit(expr, h, sign * sp.oo)
    except Exception:
        return sp.nan


def _cell_limit(reduced, v):
    """(limiting gradient vector, limiting loss) in the cell of direction v."""
    n = reduced.neuron
    act, loss = n.activation, n.criterion
    gradient = [sp.Integer(0)] * reduced.r
    total = sp.Integer(0)
    for zi, ti in zip(reduced.z, n.data.t):
        s = exact_sign(zi, v)
        if s == 0:
            total += per_sample(act, loss).loss.subs({t: ti, h: 0})
            continue
        G = limit(act, loss, "g", s, ti)
        gradient = [g + G * z if z != 0 else g for g, z in zip(gradient, zi)]
        total += limit(act, loss, "loss", s, ti)
    return gradient, total


def _describe(reduced, v):
    if reduced.r == 1:
        form = text(reduced.combinations[0])
        return f"{form} -> {'+oo' if v[0] > 0 else '-oo'}"
    return "along the direction (" + ", ".join(text(sp.Rational(x.numerator, x.denominator))
                                               for x in _as_fractions(v)) + ") of the data span"


def _as_fractions(v):
    return [x if isinstance(x, Fraction) else Fraction(x) for x in v]


def symbolic_limits(activation, loss) -> dict:
    """The four tail limits of the activation/loss pair for a symbolic t (SymPy's limit, about 1 s), to be
    computed once in a worker (under the deadline) and handed to :func:`remember` in the parent: each forked
    worker of :func:`zeros_at_infinity` then inherits them instead of computing them afresh and losing them with
    its exit, and repeated analyses in one process (a census worker, a notebook) pay them once."""
    return {(which, sign): _symbolic_limit(activation, loss, which, sign)
            for which, sign in itertools.product(("g", "loss"), (-1, 1))}


def known(activation, loss) -> bool:
    """Are the four limits of :func:`symbolic_limits` already in this process?"""
    return all((activation, loss, which, sign) in _SYMBOLIC
               for which, sign in itertools.product(("g", "loss"), (-1, 1)))


def remember(activation, loss, limits: dict) -> None:
    """Keep the limits :func:`symbolic_limits` computed in a worker (keyed here by this process's own activation
    and loss objects)."""
    _SYMBOLIC.update({(activation, loss, which, sign): value for (which, sign), value in limits.items()})


def zeros_at_infinity(reduced):
    """(asymptotes lowest limit loss first, notes, complete): ``complete`` when every open cell of the arrangement
    was decided exactly (the faces inside the subspaces z_i.v = 0, r >= 2, are not part of it: :func:`faces`)."""
    n = reduced.neuron
    if n.l2 != 0:
        return [], ["l2 > 0: the term l2*w grows along every ray that moves the weights, so there is no zero at "
                    "infinity there (a pure-bias ray is not analysed)"], all(reduced.regularised)
    notes, complete = [], True
    conditions = _sign_conditions(reduced)
    rows, possible, one_signed = conditions
    every_term_one_side = len(rows) == sum(1 for zi in reduced.z if any(zi))
    if (one_signed and (every_term_one_side or not possible)) or reduced.r > 3 or _too_many_cells(reduced):
        # one linear program decides
        directions, note = _lp_direction(reduced, conditions)
        notes.append(note)
        complete = one_signed and "not decided" not in note and "one generic direction" not in note
    else:
        directions = cells(reduced.z, reduced.r)
    found, undecided = [], 0
    for v in directions:
        gradient, total = _cell_limit(reduced, v)
        if any(g.has(sp.nan) or g is sp.nan for g in gradient):
            undecided += 1
            continue
        if all(g == 0 for g in gradient):
            w_dir = reduced.to_weights([sp.Rational(x.numerator, x.denominator) for x in _as_fractions(v)])
            found.append(Asymptote(tuple(w_dir), total, _describe(reduced, v)))
    if undecided:
        notes.append(f"{undecided} cell(s) at infinity undecided (opposite infinite limits)")
        complete = False
    found.sort(key=lambda a: float(a.limit_loss) if a.limit_loss.is_finite else float("inf"))
    if len(found) > MAX_REPORTED:
        notes.append(f"the gradient vanishes at infinity in {len(found)} cells; the {MAX_REPORTED} lowest are listed")
        found = found[:MAX_REPORTED]
    if reduced.r > 3:
        notes.append("rays inside the faces z_i.v = 0 (restricted problems) are not analysed for r > 3")
    return found, notes, complete


@dataclass(frozen=True)
class Face:
    """A ray c0 + s v (s -> oo) inside a face of the arrangement: the rows z_k of the subspace F (spanned by the
    rows ``basis``, dim F = k < r, v orthogonal to F) keep the finite pre-activation z_k.c0 = a_k.y with
    z_k = B a_k and y = B^T c0, while every other row saturates with limiting gradient ``offset``. When the
    offset is 0 the zeros at infinity along v are the stationary points y* of the restricted problem
    sum_k loss(t_k, f(a_k.y)), each with limiting loss its loss plus ``saturated_loss`` (the saturated rows'
    limits and the zero rows' constant loss(t_k, f(0))); a non-zero offset (inside F) shifts that problem by a
    linear term, which the pipeline does not solve."""

    v: tuple  # Fractions, reduced coordinates
    basis: tuple  # k independent rows of F (exact), the columns of B
    rows: tuple  # (a_k, t_k) of the rows in F, a_k their coordinates in B (a tuple of k entries)
    saturated_loss: sp.Expr
    offset: tuple  # the saturated rows' limiting gradient (exact): 0, or a non-zero vector inside F

    @property
    def dimension(self) -> int:
        return len(self.basis)

    def restricted_data(self) -> list:
        """The restricted problem's datapoints (x, t): x a number in one dimension, a tuple beyond."""
        return [(a[0] if len(a) == 1 else a, tk) for a, tk in self.rows]


MAX_FACE_WORK = 5e4  # face cells x terms beyond which the faces are not enumerated (25 rows in 3-D: 2 s)


def faces(reduced):
    """(every face ray of a 2-D or 3-D reduced problem (l2 = 0) whose saturated rows' limiting gradient lies in
    the face, lowest saturated loss first; the number of face cells left undecided (opposite infinite limits), or
    None when there are too many faces to enumerate (:data:`MAX_FACE_WORK`) and none was)."""
    n = reduced.neuron
    if reduced.r not in (2, 3) or n.l2 != 0:
        return [], 0
    rows = [(tuple(sp.Rational(x) for x in zi), ti) for zi, ti in zip(reduced.z, n.data.t) if any(zi)]
    lines = len({_line(z) for z, _ in rows})  # at most C(lines, 2) planes, 2 lines cells across a line
    cells_across = lines * 2 if reduced.r == 2 else lines * 2 * lines + lines * (lines - 1)
    if cells_across * len(rows) > MAX_FACE_WORK:
        return [], None
    flats = _flats([z for z, _ in rows], reduced.r)
    per = per_sample(n.activation, n.criterion).loss
    constant = sum((per.subs({t: tk, h: 0}) for zi, tk in zip(reduced.z, n.data.t) if not any(zi)), sp.Integer(0))
    tails = {tk: {s: (limit(n.activation, n.criterion, "g", s, tk), limit(n.activation, n.criterion, "loss", s, tk))
                  for s in (1, -1)} for tk in {tk for _, tk in rows}}
    out, undecided = [], 0
    for basis, across in flats:
        inside = [(z, tk) for z, tk in rows if all(_dot(z, p) == 0 for p in across)]
        outside = [(z, tuple(Fraction(int(x.p), int(x.q)) for x in z), tails[tk])
                   for z, tk in rows if any(_dot(z, p) != 0 for p in across)]
        coordinates = _coordinates(basis)
        on = tuple((coordinates(z), tk) for z, tk in inside)
        for alpha in cells([[_dot(z, p) for p in across] for z, _, _ in outside], len(across)):
            v = tuple(sum((a * Fraction(int(p[j].p), int(p[j].q)) for a, p in zip(alpha, across)), Fraction(0))
                      for j in range(reduced.r))
            offset, total = _saturated(outside, v)
            if offset is None:
                undecided += 1
            elif all(_dot(offset, p) == 0 for p in across):  # the offset lies in F
                out.append(Face(v, basis, on, total + constant, offset))  # zero rows: on every face
    return sorted(out, key=lambda face: float(face.saturated_loss)), undecided  # the lowest limits first


def _flats(rows, r: int) -> list:
    """The subspaces F spanned by rows with 0 < dim F < r, each as (k independent rows spanning it, an exact
    basis of its orthogonal complement): the lines through the rows, and in 3-D the planes through two of them."""
    out, seen = [], set()
    for z in rows:
        key = _line(z)
        if key not in seen:
            seen.add(key)
            out.append(((z,), tuple(tuple(p) for p in sp.Matrix([z]).nullspace())))
    if r == 3:
        for a, b in itertools.combinations(rows, 2):
            normal = tuple(sp.Matrix(a).cross(sp.Matrix(b)))
            if any(normal) and ("plane",) + _line(normal) not in seen:
                seen.add(("plane",) + _line(normal))
                out.append(((a, b), (normal,)))
    return out


def _coordinates(basis):
    """z -> a with z = B a for z in span(B), exactly (B's columns the rows ``basis``)."""
    B = sp.Matrix.hstack(*[sp.Matrix(z) for z in basis])
    left = (B.T * B).inv() * B.T
    return lambda z: tuple(left * sp.Matrix(z))


def _saturated(outside, v):
    """(limiting gradient, limiting loss) along v of the rows off the face, each given as (z exact, z in
    Fractions, its tails {sign: (G, L)}), exact; (None, None) when a limit is undefined (opposite infinite
    limits)."""
    gradient, total = [sp.Integer(0)] * len(v), sp.Integer(0)
    for z, fractions, tails in outside:
        slope = sum(a * b for a, b in zip(fractions, v))
        G, L = tails[1 if slope > 0 else -1]
        if G != 0:  # oo * 0 would be nan: a zero entry adds nothing
            gradient = [g + G * x if x != 0 else g for g, x in zip(gradient, z)]
        total += L
    if any(g.has(sp.nan) or g is sp.nan for g in gradient):
        return None, None
    return tuple(gradient), total


def _dot(a, b):
    return sum((x * y for x, y in zip(a, b)), sp.Integer(0))


def _line(z) -> tuple:
    """The line through 0 and z, as its direction with first non-zero entry 1."""
    lead = next(x for x in z if x != 0)
    return tuple(x / lead for x in z)


def _too_many_cells(reduced) -> bool:
    """Would enumerating the cells (about 2n in 2-D, n^2 in 3-D, each limit a sum over n terms) cost more
    than MAX_CELL_WORK? Then the linear program's term-by-term answer is given instead (linear in n)."""
    n, r = len(reduced.z), reduced.r
    return r >= 2 and n * (2 * n if r == 2 else n * n) > MAX_CELL_WORK


def _sign_conditions(reduced):
    """(rows, possible, one_signed): the sign s each term needs for its limit to vanish, as (s, z_i) for terms
    allowed only one side; ``possible`` False when some term vanishes on neither side; ``one_signed`` True
    when every term's limits satisfy G+(t) >= 0 >= G-(t), so that v.grad = sum_i G_sign |v.z_i| cannot cancel
    and a zero at infinity needs every term to vanish (cross-entropy, Poisson)."""
    n = reduced.neuron
    rows, possible, one_signed = [], True, True
    for zi, ti in zip(reduced.z, n.data.t):
        if not any(zi):
            continue
        plus, minus = (limit(n.activation, n.criterion, "g", s, ti) for s in (1, -1))
        one_signed &= bool(plus >= 0) and bool(minus <= 0) if plus.is_real and minus.is_real else False
        allowed = [s for s, G in ((1, plus), (-1, minus)) if G == 0]
        if not allowed:
            possible = False
        elif len(allowed) == 1:
            rows.append((allowed[0], zi))
    return rows, possible, one_signed


def _lp_direction(reduced, conditions):
    """A direction in a cell where every term's limit vanishes: one linear program (HiGHS) for v with
    s_i z_i.v >= 1, its answer checked exactly: a feasible v by the signs in rationals, an infeasible one by a
    Farkas certificate (lam >= 0, sum lam = 1, sum lam_i s_i z_i = 0, solved exactly on the dual's support).
    ([directions], note); linear in n."""
    rows, possible, one_signed = conditions
    proof = "proved by the sign argument" if one_signed else "for the term-by-term condition only"
    if not possible:
        return [], f"some term's gradient limit is non-zero at both infinities: no cell where every term vanishes ({proof})"
    if not rows:
        v = np.random.default_rng(1).standard_normal(reduced.r)
        return [tuple(Fraction(x).limit_denominator(10**6) for x in v)], \
            "every term's gradient vanishes at both infinities, so every cell of the arrangement is a zero " \
            "at infinity; one generic direction is shown"
    v = separating_direction(rows)
    if v is not None:
        return [v], "a cell where every term vanishes (the data are separated), found by linear programming " \
                    "and checked exactly"
    if _farkas(rows):
        return [], f"no cell where every term vanishes: the data are not separable (an exact Farkas certificate; {proof})"
    return [], "the linear program found no separating direction, but no exact Farkas certificate was found; not decided"


def _farkas(rows) -> bool:
    """An exact proof that no v has s_i z_i.v > 0 for all i: lam >= 0, sum lam = 1, sum lam_i s_i z_i = 0."""
    from scipy.optimize import linprog

    S = np.array([[s * float(x) for x in z] for s, z in rows])
    equalities = np.vstack([S.T, np.ones(len(rows))])
    target = np.zeros(equalities.shape[0])
    target[-1] = 1
    dual = linprog(np.zeros(len(rows)), A_eq=equalities, b_eq=target, bounds=[(0, None)] * len(rows), method="highs")
    if dual.status != 0:
        return False
    support = [i for i in np.argsort(-dual.x)[:equalities.shape[0]] if dual.x[i] > 0]
    M = sp.Matrix([[s * sp.Rational(x) for x in z] for s, z in (rows[i] for i in support)]).T
    M = M.col_join(sp.ones(1, len(support)))
    rhs = sp.zeros(M.rows, 1)
    rhs[-1] = 1
    try:
        lam, free = M.gauss_jordan_solve(rhs)
    except ValueError:  # no exact solution on this support
        return False
    lam = lam.subs({symbol: 0 for symbol in free})
    return all(value >= 0 for value in lam) and M * lam == rhs


def face_ray(reduced, face: Face, point, precision: int) -> Asymptote:
    """The zero at infinity of ``face`` from a stationary point y* of its restricted problem: along
    w0 + s v_w with c0 = B (B^T B)^-1 y* (so B^T c0 = y* and c0.v = 0), the loss tends to E_restricted(y*) + the
    saturated rows' limits (exact when y* is a short closed form; a root of a polynomial is used by its decimal
    value, since printing or simplifying CRootOf of a high degree can take minutes)."""
    exact = point.exact
    if exact is not None:
        exact = tuple(exact) if isinstance(exact, (tuple, list, sp.Tuple)) else (exact,)
        exact = None if any(sp.sympify(y).has(sp.CRootOf) for y in exact) else exact
    y = exact if exact is not None else tuple(sp.Float(decimal(x, precision), precision) for x in point.w)
    B = sp.Matrix.hstack(*[sp.Matrix(z) for z in face.basis])
    w0 = reduced.to_weights(list(B * (B.T * B).inv() * sp.Matrix(y)))
    if exact is not None:
        per = per_sample(reduced.neuron.activation, reduced.neuron.criterion).loss
        inner = sp.simplify(sum(per.subs({t: tk, h: sum(ak * yk for ak, yk in zip(a, y))}) for a, tk in face.rows))
        where = ", ".join(text(x) for x in w0)
    else:
        inner = sp.Float(decimal(point.loss, precision), precision)
        where = ", ".join(decimal(x, 10) for x in w0)
    v = [sp.Rational(x.numerator, x.denominator) for x in face.v]
    shape = "line" if face.dimension == 1 else "plane"
    spanned = " and ".join("(" + ", ".join(text(x) for x in z) + ")" for z in face.basis)
    description = (f"along the direction ({', '.join(text(x) for x in v)}) of the data span from w0 = ({where}), "
                   f"inside the {shape} where only the rows in the span of {spanned} stay finite (a "
                   f"{point.kind.value} of their restricted problem)")
    return Asymptote(tuple(reduced.to_weights(v)), inner + face.saturated_loss, description, tuple(w0))
