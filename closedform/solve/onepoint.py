"""One datapoint: g(t, h) = dl/dy(t, f(h)) f'(h), and every registered loss has dl/dy = 0 exactly at y = t, so
g = 0 iff f(h) = t or f'(h) = 0. The stationary set is the union of hyperplanes w.x~ = h* over those roots.

Each equation in h is solved by the first rule that applies; every root carries the condition on the target t
under which it is a real root, and every rule says whether its list is all of them (only then is the ONE_POINT
certificate proposed):

- the registry's own solutions: ``Activation.preimages`` / ``critical`` (silu through Lambert W), ``inverse``;
- a polynomial f: the real roots of one polynomial for a number t; for a symbolic t the formulas by degree
  (a h^n + c for every n, the quadratic formula, the cubic's trigonometric/hyperbolic forms), else a note;
- a Piecewise f (relu): each piece solved on its own, under the piece's condition;
- anything else: SymPy's solveset, whose FiniteSet is taken but not counted as complete.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import sympy as sp

from ..kinds import CertificateKind, RegionKind, Scope
from ..model.symbols import h
from .parts import Certificate, ClosedForm, Region
from .strategy import Finding, Strategy


@dataclass
class Roots:
    """The real solutions h of one equation: ``pairs`` [(h, condition on the target)], ``flat`` a region of h on
    which the equation holds identically (relu's h <= 0 for f' = 0), ``complete`` whether that is proved to be all
    of them, ``note`` what was not solved."""

    pairs: list = field(default_factory=list)
    flat: Optional[sp.Basic] = None
    complete: bool = True
    note: str = ""

    @property
    def values(self) -> list:
        return [root for root, _ in self.pairs]


def output_roots(activation, target) -> Roots:
    """The real h with f(h) = target."""
    if activation.preimages is not None:
        return Roots([(root, _in_terms_of(condition, target)) for root, condition in activation.preimages(target)])
    if activation.inverse is not None and activation.range is not None:
        return Roots([(activation.inverse(target), activation.range.as_relational(target))])
    return equation_roots(activation.expr, target)


def critical_points(activation) -> Roots:
    """The real h with f'(h) = 0 (conditions are all true: f' does not depend on t)."""
    if activation.increasing:
        return Roots()
    if activation.critical is not None:
        return Roots([(root, sp.true) for root in activation.critical])
    return equation_roots(activation.derivative, sp.Integer(0))


def equation_roots(f, target) -> Roots:
    """The real h with f(h) = target, for an expression f in h."""
    if isinstance(f, sp.Piecewise):
        return _piecewise_roots(f, target)
    if f.is_polynomial(h):
        return _polynomial_roots(f, target)
    found = sp.solveset(f - target, h, sp.Reals)
    if isinstance(found, sp.FiniteSet):
        return Roots([(root, sp.true) for root in found], complete=False,
                     note=f"{sp.sstr(f)} = {sp.sstr(target)}: solveset's roots are not counted as a proof")
    return Roots(complete=False, note=f"{sp.sstr(f)} = {sp.sstr(target)} is not solved in closed form "
                                      f"(solveset returns {type(found).__name__})")


def _piecewise_roots(f, target) -> Roots:
    """Piece by piece. The piece (e_i, c_i) is f where c_i holds and no earlier c_j does, so a root r of e_i(h) =
    target is a root of f under "c_i and not c_j (j < i)" at h = r. A piece constant in h and equal to the target
    is a flat region; one that equals a symbolic t only when t is that constant is skipped: f' = 0 on it (the
    derivative's Piecewise has the same conditions), so critical_points reports it as the flat region."""
    out, earlier = Roots(), []
    for piece, condition in f.args:
        where = sp.And(condition, *[sp.Not(c) for c in earlier])
        earlier.append(condition)
        if not piece.has(h):
            if sp.simplify(piece - target) == 0:
                out.flat = where if out.flat is None else sp.Or(out.flat, where)
            continue
        found = equation_roots(piece, target)
        out.pairs += [(root, _in_terms_of(sp.And(valid, where.subs(h, root)), target)) for root, valid in found.pairs]
        out.complete &= found.complete
        out.note = "; ".join(n for n in (out.note, found.note) if n)
    return out


def _polynomial_roots(f, target) -> Roots:
    """f(h) = target for a polynomial f. A number target: the real roots of f - target (exact, complete). A
    symbolic one, with f = a_n h^n + ... + a_0:
    - a_n h^n + a_0: h = s^(1/n) with s = (target - a_0)/a_n, two signs for even n (real iff s >= 0), the real
      n-th root for odd n (s^(1/n) if s >= 0, -(-s)^(1/n) if s < 0);
    - degree 2: h = (-a_1 +- sqrt(D)) / (2 a_2), D = a_1^2 - 4 a_2 (a_0 - target), real iff D >= 0;
    - degree 3: :func:`_cubic_roots`; higher degrees are left unsolved with a note."""
    if target.is_number:
        return Roots([(root, sp.true) for root in dict.fromkeys(sp.Poly(f - target, h).real_roots())])
    a = sp.Poly(f, h).all_coeffs()[::-1]  # a[i] multiplies h^i
    n = len(a) - 1
    if all(c == 0 for c in a[1:n]):
        return _in_terms_of_all(_real_nth_roots((target - a[0]) / a[n], n), target, sp.simplify)
    if n == 2:
        D = a[1] ** 2 - 4 * a[2] * (a[0] - target)
        pairs = [((-a[1] - sign * sp.sqrt(D)) / (2 * a[2]), D >= 0) for sign in (1, -1)]
        return _in_terms_of_all(pairs, target, sp.simplify)
    if n == 3:
        return _in_terms_of_all(_cubic_roots(a, target), target)
    return Roots(complete=False, note=f"{sp.sstr(f)} = {sp.sstr(target)} has degree {n} in h: its real roots are "
                                      f"not given in closed form for a symbolic {target}")


def _real_nth_roots(s, n) -> list:
    """The real h with h^n = s, each with its condition."""
    if n == 1:
        return [(s, sp.true)]
    r = s ** sp.Rational(1, n)
    if n % 2 == 0:
        return [(-r, s >= 0), (r, s >= 0)]
    return [(r, s >= 0), (-(-s) ** sp.Rational(1, n), s < 0)]


def _cubic_roots(a, target) -> list:
    """a_3 h^3 + a_2 h^2 + a_1 h + a_0 = target. With h = z - a_2/(3 a_3), z^3 + p z + q = 0 (p fixed, q linear in
    the target), and its real roots in forms free of complex numbers (Viete; Holmes 2002), m = sqrt(|p|/3):
    - p = 0: z^3 = -q;
    - p > 0 (f monotone): one root, z = -2 m sinh(asinh(3q/(2p) sqrt(3/p))/3);
    - p < 0 and 4p^3 + 27q^2 <= 0: three, z_k = 2 m cos(acos(3q/(2p) sqrt(-3/p))/3 - 2 pi k/3), k = 0, 1, 2
      (double where 4p^3 + 27q^2 = 0);
    - p < 0 and 4p^3 + 27q^2 > 0: one, z = -2 sign(q) m cosh(acosh(-3|q|/(2p) sqrt(-3/p))/3)."""
    B, C, D = a[2] / a[3], a[1] / a[3], (a[0] - target) / a[3]
    p, q = C - B**2 / 3, 2 * B**3 / 27 - B * C / 3 + D
    shift = -B / 3
    if p == 0:
        roots = _real_nth_roots(-q, 3)
    elif p > 0:
        roots = [(-2 * sp.sqrt(p / 3) * sp.sinh(sp.asinh(3 * q / (2 * p) * sp.sqrt(3 / p)) / 3), sp.true)]
    else:
        m, three = sp.sqrt(-p / 3), 4 * p**3 + 27 * q**2 <= 0
        roots = [(2 * m * sp.cos(sp.acos(3 * q / (2 * p) * sp.sqrt(-3 / p)) / 3 - 2 * sp.pi * k / 3), three)
                 for k in range(3)]
        roots += [(-sign * 2 * m * sp.cosh(sp.acosh(-sign * 3 * q / (2 * p) * sp.sqrt(-3 / p)) / 3),
                   sp.Not(three) & (sign * q > 0)) for sign in (1, -1)]
    return [(shift + z, condition) for z, condition in roots]


def _in_terms_of(condition, target):
    """``condition`` on the target as an interval relation (t >= -1/4, not 4*t + 1 >= 0) when SymPy can."""
    if not isinstance(target, sp.Symbol) or condition.free_symbols != {target}:
        return condition
    try:
        where = condition.as_set()
    except NotImplementedError:
        return condition
    return sp.true if where == sp.Reals else where.as_relational(target)


def _in_terms_of_all(pairs, target, tidy=lambda e: e) -> Roots:
    return Roots([(tidy(root), _in_terms_of(condition, target)) for root, condition in pairs])


class OnePoint(Strategy):
    """Invert the activation: the closed form for one datapoint, symbolic or concrete, any dimension."""

    name = "one datapoint"

    def applies(self, reduced) -> bool:
        if reduced.neuron.l2 != 0 or reduced.neuron.data.symbolic:
            return reduced.neuron.l2 == 0
        return reduced.r == 1 and sum(1 for z in reduced.z if any(z)) == 1

    def solve(self, reduced, digits: int = 60) -> Finding:
        neuron = reduced.neuron
        if neuron.data.symbolic:
            return self._symbolic(neuron)
        (index, z), = [(i, z) for i, z in enumerate(reduced.z) if any(z)]
        activation, target = neuron.activation, neuron.data.t[index]
        found, critical = output_roots(activation, target), critical_points(activation)
        finding = Finding(notes=[n for n in (found.note, critical.note) if n])
        undecided = [root for root, condition in found.pairs if condition not in (sp.true, sp.false)]
        roots = [root for root, condition in found.pairs if condition == sp.true]
        reason = "one datapoint: g(t, h) = 0 iff f(h) = t or f'(h) = 0, both solved exactly"
        if not roots and activation.range is not None and activation.range.contains(target) == sp.false:
            reason = (f"t = {target} is outside the range {activation.range} of "
                      f"{activation.name}, so f(h) = t has no solution")
        if undecided:
            finding.notes.append(f"could not decide whether {', '.join(map(sp.sstr, undecided))} solve f(h) = {target}")
        hs = {sp.simplify(r) for r in roots + critical.values}
        finding.points = [(hv / z[0],) for hv in sorted(hs, key=lambda e: float(sp.N(e)))]
        if critical.flat is not None:
            w = z[0] * reduced.variables[0]
            finding.regions.append(Region(RegionKind.FLAT, f"every w with {sp.sstr(critical.flat.subs(h, w))} "
                                                           f"(f' = 0 there: {activation.convention})",
                                          critical.flat.subs(h, w), representative=(sp.Integer(-1) / z[0],)))
        if not hs and activation.increasing:
            reason += "; f' > 0 everywhere, so no finite stationary point exists"
        if found.complete and critical.complete and not undecided:
            finding.certificate = Certificate(CertificateKind.ONE_POINT, Scope.GLOBAL, reason,
                                              facts={"target": target, "roots": roots, "criticals": critical.values,
                                                     "row": z[0]})
        return finding

    def _symbolic(self, neuron) -> Finding:
        (x,), (target,) = neuron.data.x[:1], neuron.data.t[:1]
        if neuron.data.n != 1:
            return Finding(notes=["symbolic data with n > 1 points is not solved in closed form"])
        found, critical = output_roots(neuron.activation, target), critical_points(neuron.activation)
        h_of_w = neuron.pre_activation(x)
        nonzero = sp.Or(*[sp.Ne(v, 0) for v in neuron.extended(x)])
        finding = Finding(notes=[n for n in (found.note, critical.note) if n])
        if found.complete and critical.complete:
            finding.certificate = Certificate(
                CertificateKind.ONE_POINT, Scope.GLOBAL,
                "one datapoint: g(t, h) = 0 iff f(h) = t or f'(h) = 0, both solved exactly",
                facts={"target": target, "roots": found.values, "criticals": critical.values, "row": None,
                       "conditions": [condition for _, condition in found.pairs]})
        for root, condition in found.pairs:
            finding.closed_form.append(ClosedForm(sp.Eq(h_of_w, root), sp.And(condition, nonzero),
                                                  "the stationary hyperplane w.x = h with f(h) = t"))
        for root in critical.values:
            finding.closed_form.append(ClosedForm(sp.Eq(h_of_w, root), nonzero, "a critical point of f"))
        if critical.flat is not None:
            finding.regions.append(Region(RegionKind.FLAT, f"{sp.sstr(critical.flat.subs(h, h_of_w))}: f' = 0 there "
                                                           f"({neuron.activation.convention})",
                                          critical.flat.subs(h, h_of_w)))
        if not nonzero == sp.true:
            zero = sp.And(*[sp.Eq(v, 0) for v in x])
            finding.closed_form.append(ClosedForm(sp.ProductSet(*[sp.Reals] * neuron.p), zero,
                                                  "x = 0: the loss does not depend on w"))
        return finding
