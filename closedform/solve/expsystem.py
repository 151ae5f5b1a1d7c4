"""The exponential substitution in several variables. For rational reduced data (r >= 2: d >= 2, or d = 1 with a
bias), an activation with f, f' rational in exp(-k h), a loss with dl/dy rational in y and no L2 term, put
u_j = exp(-k c_j / q_j), with q_j making the exponents m_ij = q_j z_ij integers. Then exp(-k h_i) = prod_j u_j^m_ij,
the term g(t_i, h_i) of grad E is N_i(u) / D_i(u), and with L(u) a common multiple of the D_i that is positive on
the open orthant u > 0, grad E = 0 there iff P_j(u) = L(u) sum_i z_ij N_i(u) / D_i(u) = 0 (j = 1..r): a polynomial
system with integer coefficients. msolve isolates its real solutions in generic coordinates u = M v, twice (two
random unimodular M: in u itself msolve 0.10 can merge a simple solution into a multiple one on L = 0 that shares
a coordinate with it), and only when both runs agree are the positive ones claimed to be every stationary point
on all of R^r, c_j = -(q_j / k) log u_j. Components where some u_j = 0 or L = 0 (outside the orthant) are removed
by Rabinowitsch's trick (y u_1 ... u_r S(u) = 1, S the product of L's factors) when they make the system
positive-dimensional."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import reduce as fold
from typing import NamedTuple

import flint
import mpmath
import sympy as sp

from ..kinds import CertificateKind, Scope
from ..model.symbols import t, u
from .expsub import exponent_scale, g_in_u
from .msolve import binary, real_solutions
from .parts import Certificate
from .roots import real_roots
from ..printing import text
from .strategy import Finding, Strategy

MAX_EXACT_DEGREE = 12  # eliminants up to this degree are searched for exact points (CRootOf); beyond, SymPy's root
# isolation (used when a CRootOf is printed or compared) costs seconds, and the decimals stand alone
MAX_EXACT_TEXT = 300  # characters of the exact coordinates beyond which a point is given by its decimals only
MSOLVE_SECONDS, MSOLVE_BEZOUT = 7.7, 2209  # one measured point of msolve's cost (see expected_seconds)
MAX_BEZOUT = 40_000  # product of the equations' total degrees beyond which msolve is not tried (AHW (4, 2): 961)
BOUND_FACTOR = 20  # the bound overestimates (shared factors of parallel rows): only far beyond it is building skipped
REFINEMENTS = 3  # times the isolation is redone at twice the bits when a box touches u_j = 0


@dataclass(frozen=True)
class ExpSystem:
    """P_j as {exponents: int} dicts in u_1..u_r, the squarefree product S of L's factors, the scales q_j and k."""
    equations: tuple
    support: dict
    q: tuple
    k: int

    @property
    def bezout(self) -> int:
        return math.prod(self.bezout_degrees())

    def value(self, c):
        """P(u(c)) at the reduced point c (u_j = exp(-k c_j / q_j)), at the working precision plus the digits its
        largest term has, which is what the sum can cancel."""
        logs = [abs(float(cj)) * self.k * float(qj.q) / float(qj.p) / math.log(10) for cj, qj in zip(c, self.q)]
        largest = max((len(str(abs(coefficient))) + sum(e * l for e, l in zip(monomial, logs))
                       for P in self.equations for monomial, coefficient in P.items()), default=0)
        with mpmath.extradps(int(largest) + 30):  # the largest term's digits: what the sum can cancel
            u_values = [mpmath.exp(-self.k * cj * qj.q / qj.p) for cj, qj in zip(c, self.q)]
            return [+mpmath.fsum(coefficient * mpmath.fprod(v ** e for v, e in zip(u_values, monomial) if e)
                                 for monomial, coefficient in P.items()) for P in self.equations]

    def bezout_degrees(self) -> list:
        return [max(map(sum, P), default=0) for P in self.equations]


def bezout_bound(reduced) -> int:
    """An upper bound on the Bezout number of :func:`exp_system` before building it: equation j's degree is at
    most the common denominator's, deg D sum |m_i| over the distinct exponent vectors m_i of the rows touching
    coordinate j, plus the largest numerator's, max(deg N, deg D) sum |m_i|."""
    neuron = reduced.neuron
    num, den = g_in_u(neuron.activation, neuron.criterion)
    rows = {tuple(z) for z in reduced.z if any(zj != 0 for zj in z)}
    q = [exponent_scale([z[j] for z in rows if z[j] != 0]) for j in range(reduced.r)]
    size = {z: sum(abs(int(zj * qj)) for zj, qj in zip(z, q)) for z in rows}
    top, low = max(num.degree(u), den.degree(u)), den.degree(u)
    return math.prod(low * sum(size[z] for z in rows if z[j] != 0) + top * max(size[z] for z in rows if z[j] != 0)
                     for j in range(reduced.r))


class _Row(NamedTuple):
    """One datapoint's term: N~ / (constant prod f~^power u^spare), its factors f~ named by their keys."""
    z: tuple
    numerator: object
    constant: sp.Rational
    powers: dict
    spare: list


def exp_system(reduced):
    """The system of the module's docstring, or None when a denominator factor is not positive on the orthant
    (its coefficients change sign)."""
    neuron = reduced.neuron
    r, k = reduced.r, neuron.activation.exp_scale
    num, den = g_in_u(neuron.activation, neuron.criterion)
    rows = [(z, target) for z, target in zip(reduced.z, neuron.data.t) if any(zj != 0 for zj in z)]
    q = tuple(exponent_scale([z[j] for z, _ in rows if z[j] != 0]) for j in range(r))
    context = flint.fmpq_mpoly_ctx.get(("u", r), "degrevlex")
    one = context.from_dict({(0,) * r: 1})
    terms, factors = [], {}
    for z, target in rows:
        m = [int(zj * qj) for zj, qj in zip(z, q)]
        A = context.from_dict({tuple(max(e, 0) for e in m): 1})
        B = context.from_dict({tuple(max(-e, 0) for e in m): 1})
        N, D = (sp.Poly(part.as_expr().subs(t, target), u) for part in (num, den))
        degree = max(N.degree(), D.degree())
        constant, powers = sp.factor_list(D.as_expr(), u)
        mine = {}
        for factor, power in powers:
            f = _homogenise(sp.Poly(factor, u), A, B, sp.Poly(factor, u).degree(), context)
            if all(c < 0 for c in f.coeffs()):
                f, constant = -f, constant * (-1) ** power
            if not all(c >= 0 for c in f.coeffs()):
                return None
            power, lead = int(power), f.leading_coefficient()
            f, constant = f / lead, constant * sp.Rational(int(lead.p), int(lead.q)) ** power  # D~ unchanged
            key = tuple(sorted(f.to_dict().items()))
            factors[key] = f
            mine[key] = mine.get(key, 0) + power
        # B^degree D(A / B) = constant * prod f~^power * B^(degree - deg D): the monomial is positive for u > 0
        spare = [(degree - D.degree()) * max(-e, 0) for e in m]
        terms.append(_Row(z, _homogenise(N, A, B, degree, context), constant, mine, spare))
    equations = []
    for j in range(r):  # L_j: a common multiple of the denominators of the rows with z_ij != 0 only
        used = [row for row in terms if row.z[j] != 0]
        highest = {key: max(row.powers.get(key, 0) for row in used) for key in factors}
        spare_max = [max(row.spare[l] for row in used) for l in range(r)]
        total = context.from_dict({})
        for z, N, constant, mine, spare in used:
            monomial = context.from_dict({tuple(a - b for a, b in zip(spare_max, spare)): 1})
            cofactor = fold(lambda a, b: a * b, (factors[key] ** (power - mine.get(key, 0))
                                                 for key, power in highest.items() if power), monomial)
            total += flint.fmpq(*_ratio(z[j] / constant)) * N * cofactor
        equations.append(_integral(total, r))
    support = fold(lambda a, b: a * b, factors.values(), one)
    return ExpSystem(tuple(equations), _integral(support, r), q, k)


def _homogenise(poly, A, B, degree, context):
    """B^degree poly(A / B) for a univariate SymPy Poly of degree <= ``degree``: a polynomial in u."""
    out = context.from_dict({})
    for (power,), coefficient in poly.terms():
        out += flint.fmpq(*_ratio(coefficient)) * A ** power * B ** (degree - power)
    return out


def _ratio(value):
    value = sp.Rational(value)
    return int(value.p), int(value.q)


def _integral(poly, r) -> dict:
    """``poly`` times the positive rational making its coefficients coprime integers, divided by the largest
    monomial dividing it (positive on the orthant), as {exponents: int}."""
    items = poly.to_dict()
    if not items:
        return {}
    low = [min(m[j] for m in items) for j in range(r)]
    denominators = fold(math.lcm, (int(c.q) for c in items.values()), 1)
    integers = {m: int(c * denominators) for m, c in items.items()}
    divisor = fold(math.gcd, (abs(c) for c in integers.values()), 0)
    return {tuple(int(e - lo) for e, lo in zip(m, low)): c // divisor for m, c in integers.items()}


class ExpSystemStrategy(Strategy):
    name = "exponential system"

    def applies(self, reduced) -> bool:
        n = reduced.neuron
        return (reduced.r >= 2 and n.activation.exp_scale is not None and n.l2 == 0
                and all(v.is_Rational for z in reduced.z for v in z) and all(v.is_Rational for v in n.data.t)
                and g_in_u(n.activation, n.criterion) is not None and binary() is not None)

    def expected_seconds(self, reduced) -> float:
        """msolve's time (both isolations) from the Bezout number B: about MSOLVE_SECONDS * (B / MSOLVE_BEZOUT)^3,
        fitted on sigmoid + mse in 2-D with entries in [-4, 4] (B = 2209: 7.7 s, 2300: 10 s, 3819: 50 s, 8645: over
        300 s); 0 where :meth:`solve` declines at once."""
        if bezout_bound(reduced) > BOUND_FACTOR * MAX_BEZOUT:
            return 0.0
        system = exp_system(reduced)
        return 0.0 if system is None else MSOLVE_SECONDS * (system.bezout / MSOLVE_BEZOUT) ** 3

    def solve(self, reduced, digits: int = 60) -> Finding:
        bound = bezout_bound(reduced)
        if bound > BOUND_FACTOR * MAX_BEZOUT:
            return Finding(notes=[f"the polynomial system in u would have Bezout number up to {bound} (by the "
                                  f"exponents of its rows): not built; the box search answers instead"])
        system = exp_system(reduced)
        if system is None:
            return Finding(notes=["a denominator of g is not positive for u > 0: no polynomial system"])
        if system.bezout > MAX_BEZOUT:
            return Finding(notes=[f"the polynomial system in u has Bezout number {system.bezout} > {MAX_BEZOUT}: "
                                  f"not sent to msolve; the box search answers instead"])
        r = reduced.r
        bits = max(128, int(3.33 * (digits + 20)))
        changes = (_unimodular(r, seed=1), _unimodular(r, seed=2))
        first = _positive_solutions(system, r, bits, changes[0], parametrize=True)
        second = _positive_solutions(system, r, bits, changes[1])
        if isinstance(first, str) or isinstance(second, str):
            return Finding(notes=[first if isinstance(first, str) else second])
        (positive, found), (again, _) = first, second
        agree = _same_points(positive, again)
        if not agree:  # msolve merged a solution in one of the two: every box is a candidate, nothing is claimed
            positive = positive + [box for box in again if not any(_meet(box, other) for other in positive)]
        values, points = {}, []
        with mpmath.workdps(digits + 15):
            for index, box in enumerate(positive):
                middle = [mpmath.mpf(lo.numerator) / lo.denominator / 2 + mpmath.mpf(hi.numerator) / hi.denominator / 2
                          for lo, hi in box]
                values[index] = tuple(mpmath.nstr(-mpmath.mpf(qj.p) / qj.q / system.k * mpmath.log(v), digits + 5)
                                      for v, qj in zip(middle, system.q))
        if not agree:
            return Finding(points=[None] * len(positive), values=values, notes=[
                f"msolve's two isolations (in v with u = M v, for two random unimodular M) disagree: "
                f"{len(first[0])} against {len(again)} positive solution(s); their points are candidates, no claim "
                f"of completeness from this route"])
        exact = _exact_points(found.parametrization, positive, r, digits, changes[0])
        for index in range(len(positive)):
            u_exact = exact.get(index)
            points.append(None if u_exact is None else tuple(-sp.Rational(qj) / system.k * sp.log(v, evaluate=False)
                                                              for v, qj in zip(u_exact, system.q)))
        names = ", ".join(f"u{j + 1} = {text(sp.exp(-sp.Rational(system.k) / system.q[j] * c))}"
                          for j, c in enumerate(reduced.variables))
        details = (f"with {names}, grad E = 0 on all of R^{r} iff the integer polynomial system P(u) = 0 (degrees "
                   f"{', '.join(map(str, system.bezout_degrees()))}) holds with u > 0; "
                   f"msolve isolates its {len(found.boxes)} real solution(s), {len(positive)} of them positive, each "
                   f"a stationary point, in v with u = M v for two random unimodular M (generic coordinates: in u "
                   f"itself msolve 0.10 can merge a solution into a multiple one sharing a coordinate), the two "
                   f"agreeing box for box")
        if exact:
            details += (f"; {len(exact)} of them exact: u as a polynomial in a root of msolve's eliminating "
                        f"polynomial (degree {len(found.parametrization.eliminant) - 1})")
        certificate = Certificate(CertificateKind.EXP_SYSTEM, Scope.GLOBAL, details,
                                  facts={"system": system, "count": len(positive), "real": len(found.boxes)})
        return Finding(points=points, values=values, certificate=certificate, equivalence=True)


def _positive_solutions(system, r, bits, change, saturate=False, parametrize=False):
    """(the boxes of the solutions with u > 0, msolve's answer), in u = M v when ``change`` is M; with ``saturate``
    (or when the plain system is positive-dimensional) of y u_1 ... u_r S(u) = 1 too, which removes the
    components on u_j = 0 and L = 0; or a note when msolve cannot decide."""
    equations, count = [dict(P) for P in system.equations], r
    if saturate:
        rabinowitsch = {tuple(e + 1 for e in m) + (1,): c for m, c in system.support.items()}
        rabinowitsch[(0,) * (r + 1)] = rabinowitsch.get((0,) * (r + 1), 0) - 1
        equations, count = [{m + (0,): c for m, c in P.items()} for P in equations] + [rabinowitsch], r + 1
    if change is not None:
        equations = _substituted(equations, change, r, count)
    for _ in range(REFINEMENTS):
        # no time limit of its own: the bounded worker kills msolve with it
        found = real_solutions(equations, count, None, bits, parametrize=parametrize)
        if found.dimension == 1:
            if not saturate:
                return _positive_solutions(system, r, bits, change, True, parametrize)
            return ("the polynomial system in u has a positive-dimensional solution set off u_j = 0 and L = 0: a "
                    "continuum of stationary points may exist, so no finite list is claimed complete")
        boxes = [_image(box[:r], change) for box in found.boxes]
        if all(all(lo > 0 for lo, _ in box) or any(hi <= 0 for _, hi in box) for box in boxes):
            return [box for box in boxes if all(lo > 0 for lo, _ in box)], found
        bits *= 2
    return "msolve's boxes still touch u_j = 0 at the highest precision: no claim"


def _unimodular(r, seed):
    """A random integer matrix with determinant 1: unit lower triangular times unit upper triangular."""
    rng = random.Random(seed)
    def entry():  # never 0: M must mix every pair of coordinates
        return rng.choice((-2, -1, 1, 2))
    lower = [[1 if i == j else (entry() if j < i else 0) for j in range(r)] for i in range(r)]
    upper = [[1 if i == j else (entry() if j > i else 0) for j in range(r)] for i in range(r)]
    return [[sum(lower[i][k] * upper[k][j] for k in range(r)) for j in range(r)] for i in range(r)]


def _substituted(equations, M, r, count):
    """The equations (in ``count`` variables) with the first r replaced by u = M v."""
    context = flint.fmpz_mpoly_ctx.get(("v", count), "degrevlex")
    gens = context.gens()
    images = [sum((M[i][j] * gens[j] for j in range(r)), context.from_dict({})) for i in range(r)] + list(gens[r:])
    out = []
    for equation in equations:
        poly = context.from_dict(equation).compose(*images)
        out.append({tuple(int(e) for e in m): int(c) for m, c in poly.to_dict().items()})
    return out


def _image(box, M):
    """The box of u = M v for a box of v (interval arithmetic on exact Fractions); the box itself without M."""
    if M is None:
        return box
    return [(sum(min(a * lo, a * hi) for a, (lo, hi) in zip(row, box)),
             sum(max(a * lo, a * hi) for a, (lo, hi) in zip(row, box))) for row in M]


def _meet(a, b) -> bool:
    return all(lo1 <= hi2 and lo2 <= hi1 for (lo1, hi1), (lo2, hi2) in zip(a, b))


def _same_points(boxes, others) -> bool:
    """One-to-one: every box meets exactly one of the others (both isolate the same positive solutions)."""
    return len(boxes) == len(others) and all(sum(_meet(a, b) for b in others) == 1 for a in boxes)


def _exact_points(parametrization, boxes, r, digits, M) -> dict:
    """{index of a box: (u_1, ..., u_r) exact}: each real root theta of the eliminant (isolated by FLINT) whose
    point u = M v(theta) falls inside a box names that box's point, each u_j reduced to a polynomial in theta
    modulo theta's irreducible factor; kept only when it is short enough to read (MAX_EXACT_TEXT characters)."""
    if parametrization is None or len(parametrization.eliminant) - 1 > MAX_EXACT_DEGREE:
        return {}
    theta = sp.Symbol("theta")
    eliminant = sp.Poly(list(reversed(parametrization.eliminant)), theta)
    v = parametrization.coordinates(theta, r)
    coordinates = [sp.fraction(sp.cancel(sum(a * vj for a, vj in zip(row, v)))) for row in M]
    found = {}
    for root, value, factor in real_roots(eliminant, digits):
        at = sp.Float(value, digits + 10)
        point = [mpmath.mpf(sp.N((num / den).subs(theta, at), digits + 5)) for num, den in coordinates]
        for index, box in enumerate(boxes):
            if index in found or not all(mpmath.mpf(lo.numerator) / lo.denominator - _slack(digits) <= v
                                         <= mpmath.mpf(hi.numerator) / hi.denominator + _slack(digits)
                                         for v, (lo, hi) in zip(point, box)):
                continue
            minimal = sp.Poly(factor.as_expr().subs(factor.gen, theta), theta)
            reduced = [sp.Poly(num, theta).mul(sp.Poly(sp.invert(den, minimal.as_expr(), theta), theta)).rem(minimal)
                       for num, den in coordinates]
            exact = tuple(poly.as_expr().subs(theta, root) for poly in reduced)
            if sum(len(text(v)) for v in exact) <= MAX_EXACT_TEXT:
                found[index] = exact
    return found


def _slack(digits):
    return mpmath.mpf(10) ** -(digits // 2)
