"""Stationary points of a population loss L(w, b) = F(q, r, b) (a Gaussian teacher, :mod:`..model.population`).

grad_w L = Sigma (2 F_q w + F_r v), so a stationary w lies on the teacher's line w = alpha v (where
2 alpha F_q + F_r = 0) or off it with F_q = F_r = 0 (and F_b = 0 with a bias). Write w = a v + beta u with u
Sigma-orthogonal to v and u^T Sigma u = 1: then L = G(a, beta, b) = F(a^2 p + beta^2, a p, b), and

- on the line (beta = 0): the stationary points of G(+-s, 0, b), s > 0, and the point a = 0;
- off the line (beta > 0, q p > r^2): the solutions (q, r, b) of F_q = F_r (= F_b) = 0; each is a mirror pair
  w = a v +- beta u in d = 2 and a (d - 2)-sphere (an orbit) in d >= 3.

Each system has at most three unknowns. With square roots only, it is a polynomial system (:mod:`.radicals`):
its real solutions come with Hermite's independent count (:mod:`.polysystem`), so the list is complete. An
equation that depends only on the correlation rho = r / sqrt(q p) and has no zero on (-1, 1) (its derivative has
none, by the same route, and its limits at the ends do not change sign) rules a system out. Every point's kind
comes from the Hessian of G: the block in (a, b) and, on the line, 2 F_q for each of the d - 1 directions across
it (an orbit is flat along its own d - 2 directions). Every point is checked again on grad L, a different
derivative of the same loss."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Optional

import mpmath
import numpy as np
import sympy as sp

from ..budget import run_with_budget
from ..kinds import Finish, Kind, RegionKind
from ..model.bivariate import MPMATH, NUMPY, Phi
from ..model.population import b as B, q as Q, r as R
from ..printing import text
from .enclosure import Enclosure, NotEnclosable, compile_ball, krawczyk, precision
from .parts import Region
from .polysystem import solve_system
from .radicals import as_polynomial_system
from .roots import real_roots

EXACT_SECONDS = 3.0  # for SymPy's exact forms of one system (the decimals stand without them)
SLOPE = 1e-8  # least singular value of the Jacobian at a float64 root worth polishing
SOLVABLE = (sp.exp, sp.log)  # the functions of non-algebraic systems SymPy's solve is asked to solve exactly
S = sp.Symbol("s", positive=True)       # |alpha| on the line
A = sp.Symbol("a", real=True)           # w = a v + beta u
BETA = sp.Symbol("beta", positive=True)
RHO = sp.Symbol("rho", real=True)       # r / sqrt(q p)
K = sp.Symbol("k", real=True)           # u^T Sigma v for a Sigma-unit direction u at infinity


@dataclass
class Solutions:
    """The real solutions of one reduced system: dicts of values (exact SymPy numbers or mpf), ``complete``
    when their list is proved to be all of them, and how."""

    values: list = field(default_factory=list)
    complete: bool = False
    evidence: str = ""
    notes: list = field(default_factory=list)
    proofs: Optional[list] = None  # per value: its Krawczyk :class:`.enclosure.Enclosure` (the Jacobian of these
    # systems is a Hessian: of the line's G, of F off it); no list: every value came from the exact (polynomial)
    # route

    across: Optional[list] = None  # on the line: 2 F_q over each proof's box (the curvature across the line)
    kind: Optional[Kind] = None  # every value's kind, known from an argument of its own (a global minimum)
    regions: list = field(default_factory=list)  # continua (relu's dead set)

    def certified(self, k: int) -> bool:
        return self.proofs is None or self.proofs[k] is not None

    def proof(self, k: int):
        return None if self.proofs is None else self.proofs[k]


class PopulationSolver:
    """One population problem: the systems, their solutions and the answer's parts."""

    def __init__(self, neuron, digits: int):
        self.neuron = neuron
        self.pop = neuron.population
        self.digits = digits
        self.p = self.pop.p
        self.F = self.pop.F
        self.G = self.F.subs({Q: A**2 * self.p + BETA**2, R: A * self.p}, simultaneous=True)
        self.bias_vars = (B,) if self.pop.bias else ()
        self.notes: list = []

    # -- the systems -----------------------------------------------------------------------------------------
    def on_line(self, sign: int) -> Solutions:
        branches = self.pop.on_line(sign)
        if branches is not None:
            return self.on_line_by_branches(sign, branches)
        line = self.G.subs({A: sign * S, BETA: 0})
        unknowns = (S,) + self.bias_vars
        found = self.solve([sp.diff(line, v) for v in unknowns], unknowns, lambda v: True, nonzero=S)
        if found.proofs is not None:
            across = 2 * sp.diff(self.F, Q).subs({Q: S**2 * self.p, R: sign * S * self.p}, simultaneous=True)
            found.across = [None if proof is None else _over(across, unknowns, proof.box, self.digits)
                            for proof in found.proofs]
        for value in found.values:
            value[A] = sign * value.pop(S)
        return found

    def kink_slopes(self) -> list:
        """Signs of the loss's one-sided slopes at w = 0 (relu-like f, no bias) along +v, -v and, in d >= 2, across
        v, as s -> 0+ (the second derivative where the first vanishes); on the line where G is 0/0 the branch
        that holds there (with no student bias its domain is a constant)."""
        p = self.p
        rays = []
        for sign in (1, -1):
            branches = [x for x in self.pop.on_line(sign) or [] if sp.sympify(x.domain).is_positive]
            rays.append(branches[0].F.subs({Q: S**2 * p, R: sign * S * p}, simultaneous=True) if branches
                        else self.G.subs({A: sign * S, BETA: 0}))
        if self.neuron.dim >= 2:
            rays.append(self.G.subs({A: 0}).subs(BETA, S))
        slopes = []
        for ray in rays:
            first = limit_value(sp.diff(ray, S), S, 0)
            slopes.append(int(sp.sign(first if first != 0 else limit_value(sp.diff(ray, S, 2), S, 0))))
        return slopes

    def dead_set(self) -> Solutions:
        """w = 0 with a bias, f piecewise linear with slopes (a, 1): h = b is constant, so grad_w L = -f'(b)
        E[f'(g)] Sigma v and dL/db = (f(b) - E t) f'(b); E[f'(g)] = a Phi(-c/sqrt p) + Phi(c/sqrt p). Stationary
        exactly where f'(b) = 0: for relu (a = 0) the dead set {w = 0, b <= 0} (f'(0) = 0 by relu's convention),
        a flat region where the student is 0 and the loss constant; otherwise nowhere (unless E[f'(g)] = 0)."""
        a = self.neuron.activation.piecewise_linear[0]
        c = self.pop.teacher.c if self.pop.teacher.c is not None else sp.Integer(0)
        root = sp.sqrt(self.p)
        mean_slope = sp.simplify(a * Phi(-c / root) + Phi(c / root))
        if _is_zero(mean_slope) is not False:
            return Solutions([], False, "", [f"E[f'(g)] = {text(mean_slope)} is not proved nonzero: w = 0 not analysed"])
        if a != 0:
            return Solutions([], True, f"f' >= {min(a, 1)} > 0 and E[f'(g)] = {text(mean_slope)} != 0: the gradient "
                                       f"at w = 0 is not 0")
        d = self.neuron.dim
        weights = self.neuron.weights
        loss = sp.simplify(self.pop.at_zero(-1))
        region = Region(RegionKind.FLAT, f"the dead set w = 0, b <= 0: the student is 0 there (f' = 0), the loss "
                        f"constant = {text(loss)}", sp.And(*[sp.Eq(x, 0) for x in weights[:d]], weights[d] <= 0),
                        tuple([sp.Integer(0)] * d) + (sp.Integer(-1),))
        return Solutions([], True, "grad L = 0 at w = 0 iff f'(b) = 0: the dead set b <= 0", regions=[region])

    def on_line_by_branches(self, sign: int, branches) -> Solutions:
        """The line where the entry is 0/0 (relu-like with means): each branch's system where its domain > 0.
        On a boundary (domain = 0) the student is +-s times the teacher (h = +-s g, f positively homogeneous), so
        L = E[(f(g) - s f(+-g))^2]/2 + noise/2 along it, whose s-derivative vanishes only at the teacher itself
        (sign +1, s = 1: reported by :meth:`teacher`); for sign -1 it is s E[f(-g)^2] - E[f(g) f(-g)] > 0, since
        f(g) f(-g) = -a g^2 <= 0 (leaky slope a)."""
        unknowns = (S,) + self.bias_vars
        on_line = {Q: S**2 * self.p, R: sign * S * self.p}
        merged = Solutions(proofs=[], across=[])
        for branch in branches:
            line = branch.F.subs(on_line, simultaneous=True)
            domain = sp.simplify(branch.domain.subs(on_line, simultaneous=True))
            found = self.solve([sp.diff(line, v) for v in unknowns], unknowns,
                               lambda v, domain=domain: domain.subs(v) if v[S] is not S else domain, nonzero=S)
            across = branch.across.subs(on_line, simultaneous=True)
            for k, value in enumerate(found.values):
                value[A] = sign * value.pop(S)
                proof = found.proof(k)
                merged.values.append(value)
                merged.proofs.append(proof)
                merged.across.append(None if proof is None else _over(across, unknowns, proof.box, self.digits))
            merged.notes.extend(f"where {text(domain)} > 0: {note}" for note in found.notes)
        return merged

    def teacher(self) -> Optional[Solutions]:
        """w = v, b = c when the student can equal the teacher (the squared loss): L = noise/2 there, the least
        value of E[(t - y)^2]/2 + noise/2, so a global minimum (strict: f(w.x + b) = f(v.x + c) almost surely
        only there, for the relu-like entries that need this); reported exactly where the line's branches meet."""
        c = self.pop.teacher.c if self.pop.teacher.c is not None else sp.Integer(0)
        if self.pop.entry.line is None or not self.pop.form.teacher_minimum or self.pop.l2 or (c != 0 and not self.bias_vars):
            return None
        value = {A: sp.Integer(1)} | ({B: c} if self.bias_vars else {})
        return Solutions([value], True, "the student equals the teacher: the loss is noise/2, its least value",
                         kind=Kind.MIN)

    def at_zero(self) -> Solutions:
        """w = 0: the gradient there is F_r(0, 0, b) Sigma v (and F_b); with a kink (relu-like, no bias) it is
        -f'(0) E[f'(g)] Sigma v by the convention f'(0) of the activation, zero iff f'(0) = 0."""
        if self.pop.entry.kink_at_zero and self.bias_vars:
            return self.dead_set()
        if self.pop.entry.kink_at_zero:
            slope = self.neuron.activation.derivative.subs(sp.Symbol("h", real=True), 0)
            slope = sp.sympify(slope)
            if slope == 0:
                return Solutions([{A: sp.Integer(0)}], True, f"f'(0) = 0 by the convention of {self.neuron.activation.name}")
            slopes = self.kink_slopes() if self.neuron.dim == 1 else []
            if len(set(slopes)) == 1 and slopes[0] != 0:  # d = 1: the loss rises (falls) on both sides of the kink
                return Solutions([{A: sp.Integer(0)}], True, f"w = 0 is a kink where the loss "
                                 f"{'rises' if slopes[0] > 0 else 'falls'} on both sides (one-sided slopes)")
            return Solutions([], True, f"f'(0) = {slope} and E[f'(g)] > 0, so the gradient at w = 0 is not 0"
                             + ("; the one-sided slopes have opposite signs" if slopes else ""))
        equations = [sp.diff(self.F, R).subs({Q: 0, R: 0})] + [sp.diff(self.F, v).subs({Q: 0, R: 0})
                                                               for v in self.bias_vars]
        if not self.bias_vars:
            vanishes = _is_zero(equations[0])
            if vanishes is None:
                return Solutions([], False, "", [f"F_r(0, 0) = {text(equations[0])} not decided"])
            return Solutions([{A: sp.Integer(0)}] if vanishes else [], True, f"F_r(0, 0) = {text(equations[0])}")
        found = self.solve(equations, self.bias_vars, lambda v: True)
        for value in found.values:
            value[A] = sp.Integer(0)
        return found

    def off_line(self) -> Solutions:
        unknowns = (Q, R) + self.bias_vars
        equations = [sp.diff(self.F, v) for v in unknowns]
        p = self.p
        inside = lambda v: v[Q] * p - v[R] ** 2  # noqa: E731  (> 0 off the line)
        found = self.solve(equations, unknowns, inside)
        if found.complete:
            return found
        excluded = self.exclude_by_correlation(equations)
        return excluded or found

    # -- solving -----------------------------------------------------------------------------------------------
    def solve(self, equations, unknowns, inside, nonzero=None) -> Solutions:
        """All real solutions with every ``inside(v)`` > 0 and s > 0, by the polynomial route when it applies;
        ``nonzero``: an unknown whose zeros are excluded exactly (z ``nonzero`` = 1, Rabinowitsch)."""
        system = as_polynomial_system(equations, unknowns)
        if system is None:
            return self.search(equations, unknowns, inside, nonzero)
        z = sp.Dummy("z")
        extra = ([z * nonzero - 1], (z,)) if nonzero is not None else ([], ())
        solved = solve_system(list(system.equations) + extra[0], system.unknowns + extra[1], self.digits)
        if not solved.zero_dimensional:
            return Solutions(notes=list(solved.notes))
        margin = mpmath.mpf(10) ** (-(self.digits // 2))
        kept, undecided = [], 0
        for point in solved.points:
            values = dict(zip(system.unknowns + extra[1], point))
            with mpmath.workdps(self.digits):
                signs = [values[y] for y in system.roots] + ([values[S]] if S in values else [])
                signs += [mpmath.mpf(sp.N(inside(values), self.digits))] if not isinstance(inside(values), bool) else []
                dens = [abs(sp.N(d.subs(values), self.digits)) for d in system.denominators]
            if any(abs(x) <= margin for x in signs) or any(d <= margin for d in dens):
                undecided += 1
            elif all(x > 0 for x in signs):
                kept.append({v: sp.Float(values[v], self.digits) for v in unknowns})  # keeps every digit
        complete = undecided == 0 and len(solved.points) == solved.real_count
        evidence = (f"{len(system.equations)} polynomial equations in {', '.join(map(str, system.unknowns))}: "
                    f"zero-dimensional, {solved.real_count} distinct real solutions by Hermite's count, "
                    f"{len(kept)} meet the sign conditions")
        notes = list(solved.notes) + ([f"{undecided} solution(s) on the boundary of the domain not decided"]
                                      if undecided else [])
        return Solutions(self.exact(kept, system, unknowns), complete, evidence, notes)

    def search(self, equations, unknowns, inside, nonzero=None) -> Solutions:
        """Equations that are not algebraic (exp, asin with l2, special functions): Newton from a grid of starts,
        each zero kept only if Newton then converges quadratically at ``digits`` digits. Never complete."""
        jacobian_expr = sp.Matrix(equations).jacobian(unknowns).tolist()
        f = sp.lambdify(unknowns, list(equations), [MPMATH, "mpmath"], cse=True)
        jacobian = sp.lambdify(unknowns, jacobian_expr, [MPMATH, "mpmath"], cse=True)
        f_float = sp.lambdify(unknowns, list(equations), [NUMPY, "scipy", "numpy"], cse=True)
        jacobian_float = sp.lambdify(unknowns, jacobian_expr, [NUMPY, "scipy", "numpy"], cse=True)
        grids = {S: [0.1, 0.3, 0.7, 1, 1.5, 2.5, 4, 8], B: [-3, -1, -0.3, 0.3, 1, 3], Q: [0.05, 0.3, 1, 3, 10],
                 R: [-0.8, -0.3, 0.3, 0.8]}
        starts = [dict(zip(unknowns, combo)) for combo in itertools.product(*(grids[u] for u in unknowns))]
        candidates: list = []
        for start in starts:
            if R in start:   # the grid's R is a correlation: r = rho sqrt(q p)
                start[R] = start[R] * float(sp.sqrt(start[Q] * self.p))
            x = _float_newton(f_float, jacobian_float, [start[u] for u in unknowns])
            if x is not None and not any(max(abs(a - b) for a, b in zip(x, c)) < 1e-7 * (1 + max(map(abs, c)))
                                         for c in candidates):
                candidates.append(x)
        found: list = []
        for candidate in candidates:   # each float candidate polished, and judged, at the working precision
            point = _newton(f, jacobian, candidate, self.digits)
            if point is None:
                continue
            values = dict(zip(unknowns, point))
            if nonzero is not None and values[nonzero] <= 0:
                continue
            margin = 10 ** (-(self.digits // 2))
            check = inside(values)
            if not isinstance(check, bool) and sp.N(check, 30) <= margin:
                continue
            if not any(all(abs(values[u] - other[u]) < 1e-10 * (1 + abs(other[u])) for u in unknowns) for other in found):
                found.append(values)
        proofs = [self.certify(equations, unknowns, values, inside, nonzero) for values in found]
        values = [{u: sp.Float(v[u], self.digits) for u in unknowns} for v, proof in zip(found, proofs) if proof]
        proofs = [proof for proof in proofs if proof is not None]
        if values and all(f.func in SOLVABLE for e in equations for f in e.atoms(sp.Function)):
            outcome = run_with_budget(_solve_exactly, equations, unknowns, seconds=EXACT_SECONDS)
            candidates = outcome.value if outcome.status is Finish.DONE else []
            values = [self._match([value], candidates, unknowns)[0] for value in values]
        dropped = len(found) - len(values)
        return Solutions(values, False, "",
                         [f"the equations are not algebraic: {len(found)} candidate(s) found by Newton from "
                          f"{len(starts)} starts (float64, then each at {self.digits} digits, where it must converge "
                          f"quadratically), {len(values)} proved by Krawczyk's test in ball arithmetic (python-flint arb)"
                          + (f"; {dropped} not proved, so not reported (where the gradient is only exponentially small, "
                             f"a plateau looks like a zero at any precision)" if dropped else "")
                          + "; not proved complete"], proofs=proofs)

    def certify(self, equations, unknowns, values, inside, nonzero) -> Optional[Enclosure]:
        """A Krawczyk enclosure of the zero ``values`` of ``equations`` (:mod:`.enclosure`) whose box lies where
        the signs required (s > 0, q p > r^2) hold, or None."""
        try:
            proof = krawczyk(equations, unknowns, [values[u] for u in unknowns], self.digits)
            if proof is None:
                return None
            box = proof.box
            with precision(self.digits + 10):
                signs = [box[unknowns.index(nonzero)]] if nonzero is not None else []
                domain = inside(dict(zip(unknowns, unknowns)))
                if not isinstance(domain, bool):
                    signs.append(compile_ball(domain, unknowns)(box))
                return proof if all(x > 0 for x in signs) else None
        except NotEnclosable:
            return None

    def exact(self, kept, system, unknowns) -> list:
        """Exact forms of the solutions where one exists and substitutes to 0: one unknown through its
        eliminant (exact real roots), several without square roots through SymPy's solve of the basis."""
        if not kept:
            return kept
        candidates = []
        if len(unknowns) == 1:
            basis = sp.groebner(system.equations, *system.roots, unknowns[0], order="lex")
            last = [g for g in basis.exprs if g.free_symbols <= {unknowns[0]}]
            if last:
                poly = sp.Poly(last[-1], unknowns[0])
                candidates = [{unknowns[0]: root} for root, _, _ in real_roots(sp.Poly(poly.clear_denoms()[1], unknowns[0]), self.digits)]
        elif not system.roots:  # SymPy's solve has no timeout: it runs in a worker of its own, EXACT_SECONDS at most
            outcome = run_with_budget(_solve_exactly, system.equations, unknowns, seconds=EXACT_SECONDS)
            candidates = outcome.value if outcome.status is Finish.DONE else []
        return self._match(kept, candidates, unknowns)

    def _match(self, kept, candidates, unknowns) -> list:
        """Each decimal solution in ``kept`` replaced by the exact candidate that agrees with it to half the
        working digits (a certified solution: unique in its box), or kept as it is."""
        out = []
        with mpmath.workdps(self.digits):
            tolerance = mpmath.mpf(10) ** (-(self.digits // 2))
            for value in kept:
                match = next((c for c in candidates
                              if all(abs(mpmath.mpf(sp.N(c[v] - value[v], self.digits))) <= tolerance * (1 + abs(value[v]))
                                     for v in unknowns)), None)
                out.append(dict(match) if match is not None else value)
        return out

    def exclude_by_correlation(self, equations) -> Optional[Solutions]:
        """No solution off the line when one equation, written with r = rho sqrt(q p), depends on rho alone and
        is strictly monotone on (-1, 1) with end limits of one sign (zero allowed at an end)."""
        for equation in equations:
            shape = equation.subs(R, RHO * sp.sqrt(Q * self.p))
            if _varies(shape, [u for u in shape.free_symbols if u is not RHO]):
                continue
            shape = sp.simplify(shape)
            if shape.free_symbols != {RHO}:
                continue
            reason = no_zero_between(shape, RHO, -1, 1)
            if reason:
                return Solutions([], True, f"{text(equation)} = 0 has no solution with |rho| < 1: {reason}")
        return None


def _over(expr, unknowns, box, digits):
    """An arb enclosure of ``expr`` over ``box``, or None where ball arithmetic does not apply."""
    try:
        with precision(digits + 10):
            return compile_ball(expr, unknowns)(box)
    except NotEnclosable:
        return None


def no_zero_between(f, x, lo, hi) -> Optional[str]:
    """Why f has no zero on the open interval (lo, hi), or None. Algebraic f: the polynomial route finds no
    root there. Otherwise f' has none there (the same route), so f is strictly monotone, and its one-sided limits
    at the ends are not of opposite strict signs (nor both 0)."""
    if _algebraic_roots_between(f, x, lo, hi) == 0:
        return "the polynomial system of f = 0 has no real solution there"
    if _algebraic_roots_between(sp.diff(f, x), x, lo, hi) != 0:
        return None
    ends = [limit_value(f, x, lo, "+"), limit_value(f, x, hi, "-")]
    signs = [sp.sign(e) for e in ends]
    if any(not s.is_number for s in signs) or signs[0] * signs[1] < 0 or signs == [0, 0]:
        return None
    return (f"its derivative has no zero there, so it is strictly monotone, from {text(ends[0])} to "
            f"{text(ends[1])}")


def _varies(expr, symbols) -> bool:
    """True when ``expr`` is seen (in float64) to change with one of ``symbols`` at rho = 1/3, or cannot be
    evaluated there: it is then not taken to depend on rho alone, and no simplification is tried (which only
    forgoes an exclusion)."""
    if not symbols:
        return False
    function = sp.lambdify((RHO,) + tuple(symbols), expr, [NUMPY, "scipy", "numpy"])
    with np.errstate(all="ignore"):
        base = float(function(1 / 3, *[0.5] * len(symbols)))
        moved = [float(function(1 / 3, *[1.5 if j == k else 0.5 for j in range(len(symbols))])) for k in range(len(symbols))]
    return not np.isfinite(base) or any(not np.isfinite(m) or abs(m - base) > 1e-9 * (1 + abs(base)) for m in moved)


def _algebraic_roots_between(f, x, lo, hi) -> Optional[int]:
    """The number of zeros of f on (lo, hi) when f is algebraic (square roots), else None."""
    system = as_polynomial_system([f], [x])
    if system is None:
        return None
    solved = solve_system(list(system.equations), system.unknowns, 30)
    if not solved.zero_dimensional or len(solved.points) != solved.real_count:
        return None
    index = system.unknowns.index(x)
    lo_, hi_ = (mpmath.mpf(sp.N(e, 30)) for e in (lo, hi))
    margin = mpmath.mpf(10) ** -12
    inside = [p for p in solved.points if all(p[system.unknowns.index(y)] > 0 for y in system.roots)]
    if any(abs(p[index] - e) <= margin for p in inside for e in (lo_, hi_)):
        return None
    return sum(lo_ < p[index] < hi_ for p in inside)


def _solve_exactly(equations, unknowns) -> list:
    """SymPy's solutions of a small polynomial system, the real ones only (candidates: each is matched against a
    certified decimal solution before it is used)."""
    try:
        return [s for s in sp.solve(list(equations), list(unknowns), dict=True)
                if len(s) == len(unknowns) and all(v.is_real for v in s.values())]
    except NotImplementedError:
        return []


def _float_newton(f, jacobian, start, steps: int = 40):
    """A float64 Newton run from ``start``: the point where the step fell below 1e-12 (relative), or None (also
    when it wanders beyond |x| = 1e4, where no start of the grid leads to a root it would polish)."""
    x = np.array(start, float)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            try:
                step = np.linalg.solve(np.array(jacobian(*x), float), np.array(f(*x), float))
            except (np.linalg.LinAlgError, ValueError, TypeError, ZeroDivisionError, OverflowError):
                return None
            if not np.all(np.isfinite(step)):
                return None
            x = x - step
            if np.max(np.abs(x)) > 1e4:
                return None
            if np.max(np.abs(step)) < 1e-12 * (1 + np.max(np.abs(x))):
                J = np.array(jacobian(*x), float)  # on a saturated tail values and slopes underflow together
                return list(x) if np.all(np.isfinite(J)) and np.linalg.svd(J, compute_uv=False).min() > SLOPE else None
    return None


def _newton(f, jacobian, start, digits: int):
    """A zero of f near ``start`` to ``digits`` digits, or None: Newton at 20 digits, then at ``digits`` digits
    where the last steps must shrink quadratically (a tail where f only underflows does not)."""
    try:
        with mpmath.workdps(20):
            x = mpmath.matrix(start)
            for _ in range(60):
                step = mpmath.lu_solve(mpmath.matrix(jacobian(*x)), mpmath.matrix(f(*x)))
                x -= step
                if mpmath.norm(step) < mpmath.mpf(10) ** -15 * (1 + mpmath.norm(x)):
                    break
            else:
                return None
        with mpmath.workdps(digits + 10):
            x = mpmath.matrix([mpmath.mpf(v) for v in x])
            sizes = []
            for _ in range(12):
                step = mpmath.lu_solve(mpmath.matrix(jacobian(*x)), mpmath.matrix(f(*x)))
                x -= step
                sizes.append(mpmath.norm(step))
                if sizes[-1] < mpmath.mpf(10) ** -(digits + 5) * (1 + mpmath.norm(x)):
                    break
            else:
                return None
            quadratic = len(sizes) < 3 or sizes[-2] < mpmath.mpf(10) ** -(digits // 3) or sizes[-1] <= sizes[-3] ** 1.5
            return list(x) if quadratic and all(mpmath.isfinite(v) and v.imag == 0 if isinstance(v, mpmath.mpc) else mpmath.isfinite(v) for v in x) else None
    except (ZeroDivisionError, ValueError, TypeError, OverflowError):
        return None


def limit_value(expr, x, point, side="+"):
    """lim expr as x -> point: by substitution where that is defined, else after simplification (relu's
    0/0 on the teacher's line cancels), else by SymPy's limit (slow on acos)."""
    for form in (expr, None):
        value = (form if form is not None else sp.simplify(expr)).subs(x, point)
        if value.is_number and not value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return value
    return sp.limit(expr, x, point, side)


def _is_zero(value) -> Optional[bool]:
    """value == 0 (True), != 0 (False), or undecided (None): exact simplification, else 50 digits."""
    value = sp.simplify(value)
    if value == 0:
        return True
    return False if abs(sp.N(value, 50)) > sp.Float("1e-40") else None
