"""Zeros at infinity. Along c = c0 + s v, s -> oo, term i's g(t_i, h_i) tends to G+(t_i) or G-(t_i) by the
sign of v.z_i, so in a cell of the arrangement {v.z_i = 0} the limiting gradient is sum_i G_sign(t_i) z_i,
exact: the gradient vanishes at infinity in that cell iff that sum is 0. The limiting loss is
sum_i L_sign(t_i). Cells are enumerated exactly for r <= 3; for r > 3 a linear program looks for a cell where
every term vanishes, which is also necessary when sign * G_sign(t) >= 0 for every term (then
v.grad = sum_i G_sign(t_i) |v.z_i| cannot cancel), as for cross-entropy."""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp

from ..model.evaluators import per_sample
from ..model.symbols import h, t
from .parts import Asymptote
from .cells import cells

MAX_REPORTED = 12


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


def _sign(zi, v):
    value = sum(Fraction(int(a.p), int(a.q)) * b for a, b in zip(map(sp.Rational, zi), v))
    return (value > 0) - (value < 0)


def _cell_limit(reduced, v):
    """(limiting gradient vector, limiting loss) in the cell of direction v."""
    n = reduced.neuron
    act, loss = n.activation, n.criterion
    gradient = [sp.Integer(0)] * reduced.r
    total = sp.Integer(0)
    for zi, ti in zip(reduced.z, n.data.t):
        s = _sign(zi, v)
        if s == 0:
            total += per_sample(act, loss).loss.subs({t: ti, h: 0})
            continue
        G = limit(act, loss, "g", s, ti)
        gradient = [g + G * z if z != 0 else g for g, z in zip(gradient, zi)]
        total += limit(act, loss, "loss", s, ti)
    return gradient, total


def _describe(reduced, v):
    if reduced.r == 1:
        form = sp.sstr(reduced.combinations[0])
        return f"{form} -> {'+oo' if v[0] > 0 else '-oo'}"
    return "along the direction (" + ", ".join(sp.sstr(sp.Rational(x.numerator, x.denominator))
                                               for x in _as_fractions(v)) + ") of the data span"


def _as_fractions(v):
    return [x if isinstance(x, Fraction) else Fraction(x) for x in v]


def zeros_at_infinity(reduced):
    """(asymptotes lowest limit loss first, notes)."""
    n = reduced.neuron
    if n.l2 != 0:
        return [], ["l2 > 0: the term l2*w grows along every ray that moves the weights, so there is no zero at "
                    "infinity there (a pure-bias ray is not analysed)"]
    notes = []
    if reduced.r <= 3:
        directions = cells(reduced.z, reduced.r)
    else:
        directions, note = _lp_direction(reduced)
        notes.append(note)
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
    found.sort(key=lambda a: float(a.limit_loss) if a.limit_loss.is_finite else float("inf"))
    if len(found) > MAX_REPORTED:
        notes.append(f"the gradient vanishes at infinity in {len(found)} cells; the {MAX_REPORTED} lowest are listed")
        found = found[:MAX_REPORTED]
    if reduced.r > 1:
        notes.append("rays inside the hyperplanes z_i.v = 0 (restricted problems) are not analysed")
    return found, notes


def _lp_direction(reduced):
    """For r > 3: a direction in a cell where every term's limit vanishes, by linear programming (HiGHS), the
    candidate checked exactly; ([], reason) when none exists or it is not decided."""
    from scipy.optimize import linprog

    n = reduced.neuron
    rows, bounds_ok, monotone = [], True, True
    for zi, ti in zip(reduced.z, n.data.t):
        if not any(zi):
            continue
        plus, minus = (limit(n.activation, n.criterion, "g", s, ti) for s in (1, -1))
        monotone &= bool(plus >= 0) and bool(minus <= 0) if plus.is_real and minus.is_real else False
        allowed = [s for s, G in ((1, plus), (-1, minus)) if G == 0]
        if not allowed:
            bounds_ok = False
            break
        if len(allowed) == 1:
            rows.append((allowed[0], zi))
    if not bounds_ok:
        proof = "no cell exists (each term's limit is one-signed, so none can cancel)" if monotone else "not decided"
        return [], f"r > 3: some term's gradient limit is non-zero on both sides: {proof}"
    if not rows:
        v = np.random.default_rng(1).standard_normal(reduced.r)
        return [tuple(Fraction(x).limit_denominator(10**6) for x in v)], \
            "r > 3: every term's gradient vanishes at both infinities; one generic direction is shown"
    A = np.array([[-s * float(x) for x in z] for s, z in rows])
    solution = linprog(np.zeros(reduced.r), A_ub=A, b_ub=-np.ones(len(rows)), bounds=[(None, None)] * reduced.r,
                       method="highs")
    if solution.status != 0:
        proof = "proved by the sign argument" if monotone else "for the term-by-term condition only"
        return [], f"r > 3: the linear program found no cell where every term vanishes ({proof})"
    v = tuple(Fraction(x).limit_denominator(10**9) for x in solution.x)
    if all(_sign(zi, v) == s for s, zi in rows):
        return [v], "r > 3: a cell where every term vanishes, found by linear programming and checked exactly"
    return [], "r > 3: the linear program's candidate failed the exact sign check; not decided"
