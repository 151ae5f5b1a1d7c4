"""Zeros at infinity. Along c = c0 + s v, s -> oo, term i's g(t_i, h_i) tends to G+(t_i) or G-(t_i) by the
sign of v.z_i, so in a cell of the arrangement {v.z_i = 0} the limiting gradient is sum_i Gexact_sign(t_i) z_i,
exact: the gradient vanishes at infinity in that cell iff that sum is 0. The limiting loss is
sum_i Lexact_sign(t_i). When sign * Gexact_sign(t) >= 0 for every term (cross-entropy, Poisson) v.grad =
sum_i Gexact_sign(t_i) |v.z_i| cannot cancel, so a zero needs every term to vanish: one linear program (Konis' test of
separation) decides, its answer checked exactly (the signs of its direction, or a Farkas certificate), linear in
n. Otherwise cells are enumerated exactly for r <= 3 while they are few (MAX_CELL_WORK), and beyond that the
linear program gives the term-by-term condition only."""
from __future__ import annotations

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


@lru_cache(maxsize=None)
def _symbolic_limit(activation, loss, which: str, sign: int):
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


def zeros_at_infinity(reduced):
    """(asymptotes lowest limit loss first, notes, complete): ``complete`` when every open cell of the arrangement
    was decided exactly (the faces inside the lines z_i.v = 0, r >= 2, are not part of it)."""
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
    if reduced.r > 2:
        notes.append("rays inside the hyperplanes z_i.v = 0 (restricted problems) are not analysed")
    return found, notes, complete


@dataclass(frozen=True)
class Face:
    """A ray c0 + s v (s -> oo) inside the line z_i.v = 0 of a 2-D arrangement: the rows ``rows`` parallel to
    z_i (z_k = scale_k z_i) keep the finite pre-activation scale_k c, c = c0.z_i, while every other row saturates
    with a limiting gradient that sums to exactly 0 here; so the zeros at infinity along v are the stationary
    points c* of the restricted problem sum_k loss(t_k, f(scale_k c)), each with limiting loss its loss plus
    ``saturated_loss``."""

    v: tuple  # Fractions, reduced coordinates
    z: tuple  # the face's row z_i (exact)
    rows: tuple  # (scale_k, t_k) of the rows on the face
    saturated_loss: sp.Expr


def faces(reduced) -> list:
    """Every face ray of a 2-D reduced problem (l2 = 0) whose saturated rows' limiting gradient is exactly 0."""
    n = reduced.neuron
    if reduced.r != 2 or n.l2 != 0:
        return []
    act, loss = n.activation, n.criterion
    rows = [(tuple(sp.Rational(x) for x in zi), ti) for zi, ti in zip(reduced.z, n.data.t) if any(zi)]
    out, seen = [], set()
    for z, _ in rows:
        key = _line(z)
        if key in seen:
            continue
        seen.add(key)
        on = [(_scale(zk, z), tk) for zk, tk in rows if _line(zk) == key]
        for v in ((-z[1], z[0]), (z[1], -z[0])):
            v = tuple(Fraction(int(x.p), int(x.q)) for x in v)
            gradient, total = [sp.Integer(0)] * 2, sp.Integer(0)
            for zk, tk in rows:
                s = exact_sign(zk, v)
                if s == 0:
                    continue
                G = limit(act, loss, "g", s, tk)
                gradient = [g + G * x for g, x in zip(gradient, zk)]
                total += limit(act, loss, "loss", s, tk)
            if all(g == 0 for g in gradient) and total.is_finite:
                out.append(Face(v, z, tuple(on), total))
    return sorted(out, key=lambda face: float(face.saturated_loss))  # the lowest limits first, if time runs short


def _line(z) -> tuple:
    """The line through 0 and z, as its direction with first non-zero entry 1."""
    lead = next(x for x in z if x != 0)
    return tuple(x / lead for x in z)


def _scale(zk, z) -> sp.Rational:
    """lambda with zk = lambda z (zk and z parallel)."""
    j = next(i for i, x in enumerate(z) if x != 0)
    return zk[j] / z[j]


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
    """The zero at infinity of ``face`` from a stationary point c* of its restricted problem: along
    w0 + s v_w with c0 = c* z/|z|^2 (so c0.z = c*, c0.v = 0), the loss tends to E_restricted(c*) + the saturated
    rows' limits (exact when c* is a short closed form; a root of a polynomial is used by its decimal value,
    since printing or simplifying CRootOf of a high degree can take minutes)."""
    exact = point.exact[0] if isinstance(point.exact, (tuple, list, sp.Tuple)) else point.exact
    if exact is not None and exact.has(sp.CRootOf):
        exact = None
    c_star = exact if exact is not None else sp.Float(decimal(point.w[0], precision), precision)
    z = sp.Matrix(face.z)
    w0 = reduced.to_weights(list(z * c_star / (z.T * z)[0]))
    if exact is not None:
        per = per_sample(reduced.neuron.activation, reduced.neuron.criterion).loss
        inner = sp.simplify(sum(per.subs({t: tk, h: scale * c_star}) for scale, tk in face.rows))
        where = ", ".join(text(x) for x in w0)
    else:
        inner = sp.Float(decimal(point.loss, precision), precision)
        where = ", ".join(decimal(x, 10) for x in w0)
    v = [sp.Rational(x.numerator, x.denominator) for x in face.v]
    description = (f"along the direction ({', '.join(text(x) for x in v)}) of the data span from w0 = ({where}), "
                   f"inside the line where only the rows parallel to ({', '.join(text(x) for x in face.z)}) stay "
                   f"finite (a {point.kind.value} of their restricted problem)")
    return Asymptote(tuple(reduced.to_weights(v)), inner + face.saturated_loss, description, tuple(w0))
