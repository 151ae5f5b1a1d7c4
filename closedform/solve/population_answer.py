"""The answer for a population loss: the reduced systems' solutions (:mod:`.population`) turned into points,
orbits, kinds, zeros at infinity and a certificate, all in one bounded worker.

Kinds: w = a v + beta u gives L = G(a, beta, b); on the line the Hessian of L is congruent to the (a, b) block
of the Hessian of G plus G_beta,beta = 2 F_q on each of the d - 1 directions across it; off it, the whole Hessian
of G (in d >= 3 the orbit adds d - 2 flat directions). At infinity: for bounded f every direction u (Sigma-unit)
is a zero, the loss tending to L_oo(k) = lim F(s^2, s k, b), k = u^T Sigma v; for f with E f(h)^2 -> oo the loss
is coercive (||t - y|| >= ||y|| - ||t|| in L2), so there is none."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import mpmath
import sympy as sp

from ..kinds import CertificateKind, Finish, Kind, RegionKind, Scope, Status
from ..model.bivariate import MPMATH
from ..model.population import b as B, q as Q, r as R
from ..printing import text
from .enclosure import NotEnclosable, compile_ball, definiteness, precision
from .parts import Asymptote, Certificate, Region, StationaryPoint
from .population import A, BETA, K, PopulationSolver, limit_value, no_zero_between
from ..budget import run_with_budget

S_INF = sp.Symbol("s", positive=True)


@dataclass
class Answer:
    points: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    asymptotic: list = field(default_factory=list)
    certificate: object = None
    infinity_complete: bool = False
    notes: list = field(default_factory=list)
    inconsistencies: list = field(default_factory=list)  # a reduced solution that grad L does not confirm


def answer(neuron, digits: int) -> Answer:
    """Every part of the answer for ``neuron`` (a Gaussian teacher), computed at ``digits`` digits."""
    solver = PopulationSolver(neuron, digits)
    pieces = [("on the line w = alpha v, alpha > 0", solver.on_line(1)),
              ("on the line, alpha < 0", solver.on_line(-1)), ("at w = 0", solver.at_zero())]
    if neuron.dim >= 2:
        pieces.append(("off the line (F_q = F_r = 0" + (", F_b = 0)" if neuron.bias else ")"), solver.off_line()))
    teacher = solver.teacher()
    if teacher is not None:
        pieces.append(("where the line's branches meet", teacher))
    out = Answer(notes=[f"{neuron.population.formula} ({neuron.population.source}); {neuron.population.checked}"])
    geometry = Geometry(neuron)
    for where, found in pieces:
        out.notes.extend(f"{where}: {n}" for n in found.notes)
        out.regions.extend(found.regions)
        for k, value in enumerate(found.values):
            _add(out, solver, geometry, value, digits, found.certified(k), found.kind or _proved_kind(found, k, neuron.dim))
    if all(found.complete for _, found in pieces):
        details = "; ".join(f"{where}: {found.evidence}" for where, found in pieces)
        out.certificate = Certificate(
            CertificateKind.POPULATION, Scope.GLOBAL,
            f"grad_w L = {'' if neuron.data.cov is None else 'Sigma '}(2 F_q w + F_r v): every stationary point is on "
            f"the teacher's line or solves "
            f"F_q = F_r = 0; {details}", checked_by="Hermite's count of each polynomial system (independent of "
            f"the eigenvalue route); every point's grad L evaluated again at {digits} digits")
    if out.certificate is None:
        out.certificate = _convexity(neuron, out)
    out.asymptotic, out.infinity_complete, notes = _at_infinity(neuron, solver, out.certificate)
    out.notes.extend(notes)
    return out


def _convexity(neuron, out: Answer):
    """A strictly convex population loss (the form says so, and the per-sample gradient is checked to be
    f(h) - t with f increasing: Hess L = E[f'(h) x~ x~^T] + lam, positive definite because Gaussian x~ = (x, 1)
    charges every direction) has at most one stationary point: one certified minimum is all of them."""
    points = out.points
    if not (neuron.population.form.convex and neuron.convex_matching) or out.regions or len(points) != 1:
        return None
    if not points[0].certified or points[0].kind is not Kind.MIN:
        return None
    return Certificate(CertificateKind.CONVEXITY, Scope.GLOBAL,
                       "the loss is strictly convex (matching loss of an increasing f, Gaussian inputs spanning every "
                       "direction): at most one stationary point, and one is proved",
                       checked_by="the per-sample gradient simplified to f(h) - t; the point by Krawczyk's test in "
                                  "ball arithmetic; its Hessian positive definite (an independent evaluation)")


def run(compute, neuron, deadline, *args):
    """``compute(neuron, *args)`` (an :class:`Answer`) in a forked worker that stops at ``deadline`` (SymPy has
    no timeout of its own)."""
    outcome = run_with_budget(compute, neuron, *args, seconds=deadline.left())
    if outcome.status is Finish.DONE:
        return outcome.value, Status.OK
    return Answer(notes=[f"the population analysis did not finish: {outcome.message.splitlines()[0]}"]), (
        Status.TIMEOUT if outcome.status is Finish.TIMEOUT else Status.PARTIAL)


class Geometry:
    """w = a v + beta u with u Sigma-orthogonal to v, u^T Sigma u = 1 (exact)."""

    def __init__(self, neuron):
        teacher = neuron.data
        self.v = sp.Matrix(teacher.v)
        sigma = teacher.sigma
        sv = sigma * self.v
        d = len(teacher.v)
        self.u = None
        for j in range(d):  # Gram-Schmidt of e_j against v in the Sigma inner product
            e = sp.zeros(d, 1)
            e[j] = 1
            cand = e - (sv.T * e)[0] / (sv.T * self.v)[0] * self.v
            if any(c != 0 for c in cand):
                self.u = cand / sp.sqrt((cand.T * sigma * cand)[0])
                break

    def w(self, a, beta):
        return tuple(a * self.v + (beta * self.u if not sp.sympify(beta).is_zero else sp.zeros(len(self.v), 1)))


def _proved_kind(found, k, d) -> Optional[Kind]:
    """The kind decided in ball arithmetic from a Krawczyk proof, or None. Its Jacobian is a Hessian: of
    G(+-s, 0, b) on the line (congruent to the (a, b) block), of F(q, r, b) off it (congruent to the Hessian of G
    there, since F_q = F_r = 0 and (a, beta) -> (q, r) is regular for beta > 0); on the line each of the d - 1
    directions across adds the sign of 2 F_q."""
    proof = found.proof(k)
    if proof is None:
        return None
    block = definiteness(proof.jacobian)
    signs = {block} if block != 0 else {1, -1}
    if found.across is not None and d >= 2:
        across = found.across[k]
        if across is None or not (across > 0 or across < 0):
            return None
        signs.add(1 if across > 0 else -1)
    if block is None:
        return None
    return Kind.SADDLE if len(signs) > 1 else Kind.MIN if signs == {1} else Kind.MAX


def _add(out: Answer, solver, geometry, value, digits, certified: bool, proved: Optional[Kind] = None):
    """One solution of a reduced system as points (or an orbit) with their kind (``proved``: decided in ball
    arithmetic) and loss."""
    neuron, p = solver.neuron, solver.p
    if Q in value:  # off the line
        a, beta = value[R] / p, sp.sqrt(value[Q] - value[R] ** 2 / p)
    else:
        a, beta = value[A], sp.Integer(0)
    b = value.get(B)
    at = {A: a, BETA: beta} | ({B: b} if b is not None else {})
    exact = not any(x.has(sp.Float) for x in at.values())
    loss = _loss(solver, at, digits)
    loss = sp.radsimp(sp.simplify(loss)) if exact else _decimal(loss, digits)
    kink = a == 0 and beta == 0 and neuron.population.entry.kink_at_zero
    branches = beta == 0 and a != 0 and solver.pop.on_line(1 if a > 0 else -1) is not None
    if kink or proved:
        kind = _kink_kind(solver) if kink else proved
    else:  # G itself is 0/0 on a line that needs branches: a kind only from a proof
        kind = Kind.UNCLASSIFIED if branches else _kind(solver, at, digits, neuron.dim, on_line=beta == 0)
    bias = (b,) if b is not None else ()
    if beta != 0 and neuron.dim >= 3:
        rep = geometry.w(a, beta) + bias
        out.regions.append(Region(
            RegionKind.ORBIT, (f"the sphere w.v = {text(value[R])}, |w|^2 = {text(value[Q])}" if neuron.data.cov is None
                               else f"the ellipsoid w.Sigma v = {text(value[R])}, w.Sigma w = {text(value[Q])}")
            + (f", b = {text(b)}" if b is not None else "") + f" ({neuron.dim - 2}-dimensional): {kind.value} "
            f"across it, flat along it", sp.true, rep, kind))
        return
    for sign in ((1, -1) if beta != 0 else (1,)):
        w = geometry.w(a, sign * beta) + bias
        residual = 0 if kink else _residual(neuron, geometry, w, digits)
        if residual > mpmath.mpf(10) ** (-(digits // 2)):
            out.inconsistencies.append(f"w = {text(w)} solves a reduced system but |grad L| = "
                                       f"{mpmath.nstr(residual, 5)} there")
            continue
        out.points.append(StationaryPoint(
            w, kind, loss, residual, certified=certified,
            exact=(sp.Tuple(*w) if len(w) > 1 else w[0]) if exact else None, kink=kink))


def _value(expr, at, digits):
    """``expr`` at ``at``; on the line (beta = 0) as the limit beta -> 0+ (relu's sqrt(1 - rho^2) is 0/0 there)."""
    rest = expr.subs({k: x for k, x in at.items() if k is not BETA})
    return limit_value(rest, BETA, at[BETA]) if at[BETA] == 0 else rest.subs(BETA, at[BETA])


def _loss(solver, at, digits):
    """L at ``at``; on the line where the entry is 0/0 from a branch whose domain holds there (they agree where
    they meet)."""
    branches = solver.pop.on_line(1 if at[A] > 0 else -1) if at[BETA] == 0 and at[A] != 0 else None
    for branch in branches or []:
        point = {Q: at[A] ** 2 * solver.p, R: at[A] * solver.p} | ({B: at[B]} if B in at else {})
        if sp.N(branch.domain.subs(point), digits) >= 0:
            return branch.F.subs(point)
    return _value(solver.G, at, digits)


def _decimal(value, digits):
    """A number at ``digits`` digits, evaluated once at that precision (mpmath, Phi2 by quadrature)."""
    with mpmath.workdps(digits):
        return sp.Float(sp.lambdify((), value, [MPMATH, "mpmath"])(), digits)


def _residual(neuron, geometry, w, digits):
    """|grad L(w)| from the loss in the weights (not the reduced systems), at ``digits`` digits; where the
    closed form is 0/0 (relu on the teacher's line) its limit from w + beta u, beta -> 0+."""
    across = geometry.u if geometry.u is not None else (1,)  # d = 1: approach along w itself
    # from the exact binary value of each decimal: rounded products could put rho = r/sqrt(q p) above 1
    path = tuple((sp.Rational(x) if isinstance(x, sp.Float) else x) + BETA * y for x, y in zip(w, across)) \
        + tuple(w[len(across):])
    values = []
    with mpmath.workdps(digits):
        for g in neuron.gradient:
            value = _number(g.subs(dict(zip(neuron.weights, w))), digits)
            if value is None:  # 0/0, or Phi2 at a rounded correlation +-1.0 on the line
                value = (limit_value(g.subs(dict(zip(neuron.weights, path))), BETA, 0) if neuron.population.entry.elementary
                         else _near(g.subs(dict(zip(neuron.weights, path))), digits))
                value = _number(value, digits)
            values.append(mpmath.inf if value is None else abs(value))
        return max(values)


def _number(value, digits):
    """``value`` as a finite mpf at ``digits`` digits, or None where it is not one (nan, oo, unevaluated)."""
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not value.is_number:
        return None
    try:
        number = mpmath.mpf(sp.N(value, digits))
    except (TypeError, ValueError):
        return None
    return number if mpmath.isfinite(number) else None


def _near(expr, digits):
    """``expr`` at BETA = 10^-(digits/2 + 10) in ball arithmetic (Phi2 by arb's
    integration): a one-sided value within O(BETA) of the limit BETA -> 0+ of a gradient that is continuous
    there (the Phi2 forms, whose limit SymPy does not find); the ball's far end, so the residual is not
    understated."""
    k = digits // 2 + 10
    at = expr.subs(BETA, sp.Rational(1, 10**k))
    try:
        with precision(3 * k + digits + 20):  # 1 - rho^2 ~ BETA^2 cancels 2k digits, and the balls must stay thin
            ball = compile_ball(at, ())([])
            return sp.Float(abs(ball).upper().str(digits, radius=False) if ball.is_finite() else "inf", digits)
    except NotEnclosable:
        with mpmath.workdps(3 * k + digits + 20):
            return sp.Float(sp.lambdify((), at, [MPMATH, "mpmath"])(), digits)


def _kind(solver, at, digits, d, on_line) -> Kind:
    variables = (A,) + ((BETA,) if not on_line else ()) + solver.bias_vars
    block = [[_value(sp.diff(solver.G, x, y), at, digits) for y in variables] for x in variables]
    signs = _inertia(block, digits)
    if on_line and d >= 2:
        signs += _inertia([[_value(sp.diff(solver.G, BETA, 2), at, digits)]], digits) * (d - 1)
    if None in signs:
        return Kind.UNCLASSIFIED
    if 0 in signs:
        return Kind.DEGENERATE
    return Kind.MIN if all(s > 0 for s in signs) else Kind.MAX if all(s < 0 for s in signs) else Kind.SADDLE


def _inertia(matrix, digits) -> list:
    """Signs (+1, -1, 0; None undecided) of the eigenvalues of a symmetric matrix. Exact entries: the
    characteristic polynomial is real-rooted, so Descartes' rule on p(x) and p(-x) counts the positive and
    negative eigenvalues exactly, and the lowest vanishing coefficients count the zero ones. Decimal entries:
    eigenvalues at ``digits`` digits, decided only beyond 10^-(digits/2)."""
    m = sp.Matrix(matrix)
    if not m.has(sp.Float):
        x = sp.Dummy("x")
        coefficients = [sp.radsimp(sp.simplify(c)) for c in m.charpoly(x).all_coeffs()[::-1]]  # constant first
        signs = [_sign(c) for c in coefficients]
        if None not in signs:
            zero = next(k for k, s in enumerate(signs) if s != 0)
            rest = [s for s in signs[zero:] if s != 0]
            alternate = [s * (-1) ** k for k, s in enumerate(signs[zero:]) if s != 0]
            changes = lambda seq: sum(a != b for a, b in zip(seq, seq[1:]))  # noqa: E731
            return [1] * changes(rest) + [-1] * changes(alternate) + [0] * zero
    with mpmath.workdps(digits):
        values = mpmath.eigsy(mpmath.matrix([[mpmath.mpf(sp.N(e, digits)) for e in row] for row in matrix]))[0]
        margin = mpmath.mpf(10) ** (-(digits // 2))
        return [(1 if v > 0 else -1) if abs(v) > margin else None for v in values]


def _sign(value):
    """The sign of an exact number (0 only when it simplifies to 0), None when 50 digits cannot tell."""
    if value == 0:
        return 0
    approx = sp.N(value, 50)
    return None if abs(approx) < sp.Float("1e-40") else (1 if approx > 0 else -1)


def _kink_kind(solver) -> Kind:
    """w = 0 for a relu-like f: the loss along +-v and across, as s -> 0+ (:meth:`.PopulationSolver.kink_slopes`);
    a fall and a rise make a saddle; in d = 1 two falls make a maximum and two rises a minimum."""
    slopes = solver.kink_slopes()
    if 1 in slopes and -1 in slopes:
        return Kind.SADDLE
    if solver.neuron.dim == 1 and len(set(slopes)) == 1 and slopes[0] != 0:  # the two rays are every direction
        return Kind.MIN if slopes[0] > 0 else Kind.MAX
    return Kind.UNCLASSIFIED


def _at_infinity(neuron, solver, certificate):
    """(asymptotes, every zero at infinity found, notes)."""
    F, p = solver.F, solver.p
    notes = []
    if neuron.population.form.convex:
        if certificate is not None and certificate.kind is CertificateKind.CONVEXITY:
            return [], True, ["no zero at infinity: a convex loss with a strict minimum has bounded sublevel sets"]
        return [], False, ["zeros at infinity not analysed: no strict minimum of the convex loss was proved"]
    values = neuron.activation.range
    bounded = values is not None and values.inf.is_finite and values.sup.is_finite
    if bounded and neuron.l2 and not neuron.bias:
        return [], True, ["no zero at infinity: f is bounded and the L2 term lam |w|^2/2 -> oo (coercive)"]
    if bounded and not neuron.bias:
        ray = {Q: S_INF**2, R: S_INF * K}
        limit = sp.simplify(sp.limit(F.subs(ray), S_INF, sp.oo))
        fading = [sp.limit(S_INF * sp.diff(F, Q).subs(ray), S_INF, sp.oo), sp.limit(sp.diff(F, R).subs(ray), S_INF, sp.oo)]
        if limit.has(sp.Limit) or limit.free_symbols - {K} or any(f != 0 for f in fading):
            return [], False, ["zeros at infinity: the limits along rays were not found"]
        root = sp.sqrt(p)
        unit, product = ("a unit vector", "u.v") if neuron.data.cov is None else ("a Sigma-unit vector", "u.Sigma v")
        v = tuple(neuron.data.v) + ((sp.Integer(0),) if neuron.bias else ())
        rays = [Asymptote(v, sp.simplify(limit.subs(K, root)),
                          f"w = s v, s -> +oo (every direction is a zero at infinity: along {unit} u the loss "
                          f"tends to {text(limit)} with k = {product})"),
                Asymptote(tuple(-x for x in v), sp.simplify(limit.subs(K, -root)), "w = -s v, s -> +oo")]
        monotone = no_zero_between(sp.diff(limit, K), K, -root, root)
        if monotone is None:
            notes.append("the limiting loss is not proved monotone in the direction; the lowest limit may lie "
                         "between +v and -v")
        return sorted(rays, key=lambda a: float(a.limit_loss)), monotone is not None, notes
    if bounded and neuron.bias:
        return _bounded_with_bias(neuron, solver)
    if neuron.bias and neuron.activation.piecewise_linear is not None:
        return _homogeneous_with_bias(neuron, solver)
    second = neuron.population.entry.second_moment(B if neuron.bias else 0, Q)
    if neuron.activation.polynomial or (not neuron.bias and sp.limit(second, Q, sp.oo) is sp.oo):
        notes.append("no zero at infinity: E f(w.x + b)^2 -> oo, so the loss -> oo as |w| -> oo (coercive)")
        return [], True, notes
    return [], False, ["zeros at infinity not analysed for this activation" + (" with a bias" if neuron.bias else "")]


BETA_INF = sp.Symbol("beta", real=True)  # b = beta s along a direction (u, beta) at infinity


def _limit_by_arguments(expr, s):
    """lim expr as s -> oo for a sum of constants times functions (Phi2, erf, exp, asin) continuous on the extended
    reals where they are evaluated: each function at the limits of its arguments (algebraic, so SymPy's limit
    finds them); None when s remains or a value is not finite."""
    functions = {f: f.func(*(sp.limit(a, s, sp.oo) for a in f.args)) for f in expr.atoms(sp.Function) if f.has(s)}
    value = expr.xreplace(functions)
    if value.has(s) or value.has(sp.nan, sp.zoo) or any(a.has(sp.Limit) for a in functions.values()):
        return None
    return value


def _bounded_with_bias(neuron, solver):
    """Bounded f with a bias and no L2: along any (w, b) = s (u, beta) the gradient tends to 0 (grad L =
    E[(y - t) f'(h) (x, 1)] and f' is integrable: E f'(s z) = O(1/s) for z = u.x + beta with u != 0, and f'(s beta)
    -> 0 for u = 0), so every direction is a zero at infinity; the student tends to the step f(+oo) 1(z > 0) +
    f(-oo) 1(z < 0). The limits come from the table entry, each function at the limits of its arguments."""
    if neuron.l2:
        return [], True, ["no zero at infinity: f is bounded and the L2 term lam |w|^2/2 -> oo (coercive)"]
    F, p = solver.F, solver.p
    general = _limit_by_arguments(F.subs({Q: S_INF**2, R: S_INF * K, B: S_INF * BETA_INF}, simultaneous=True), S_INF)
    root = sp.sqrt(p)
    rays = []
    for direction, ray, where in [((1, 0), {Q: S_INF**2, R: S_INF * root, B: 0}, "w = s v/|v|, b fixed"),
                                  ((-1, 0), {Q: S_INF**2, R: -S_INF * root, B: 0}, "w = -s v/|v|, b fixed"),
                                  ((0, 1), {Q: 0, R: 0, B: S_INF}, "w = 0, b = s"),
                                  ((0, -1), {Q: 0, R: 0, B: -S_INF}, "w = 0, b = -s")]:
        limit = _limit_by_arguments(F.subs(ray, simultaneous=True), S_INF)
        if limit is None:
            return [], False, ["zeros at infinity: the limits along rays were not found"]
        w = tuple(direction[0] * x / root for x in neuron.data.v)
        rays.append(Asymptote(w + (sp.Integer(direction[1]),), sp.simplify(limit), f"{where}, s -> +oo"))
    rays.sort(key=lambda a: float(a.limit_loss))
    unit = "a unit vector" if neuron.data.cov is None else "a Sigma-unit vector"
    formula = "" if general is None else f": along (w, b) = s (u, beta), u {unit}, the loss tends to {text(general)}, k = u.v"
    return rays, False, [f"every direction (u, beta) of (w, b) is a zero at infinity (f is bounded, f' integrable)"
                         f"{formula}; the four rays listed are examples, and the least limit over all directions is "
                         f"not located"]


def _homogeneous_with_bias(neuron, solver):
    """f piecewise linear with slopes (a, 1) and a bias: along (w, b) = s (u, beta), f(s z) = s f(z), so
    E f(h)^2 = s^2 E f(z)^2 -> oo and the loss -> oo (||t - y|| >= ||y|| - ||t||) unless f(z) = 0 almost surely:
    only for relu (a = 0) with u = 0, beta < 0, the dead set's own direction, where the student is 0."""
    if neuron.activation.piecewise_linear[0] != 0:
        return [], True, ["no zero at infinity: f(s z) = s f(z), so E f(w.x + b)^2 -> oo along every direction "
                          "(coercive)"]
    d = neuron.dim
    loss = sp.simplify(neuron.population.at_zero(-1))
    return ([Asymptote((sp.Integer(0),) * d + (sp.Integer(-1),), loss, "w = 0, b = -s, s -> +oo: the dead set "
                       "itself (the student is 0, the gradient exactly 0)")], True,
            ["zeros at infinity: only along the dead set (w = 0, b -> -oo); along every other direction (u, beta), "
             "relu(s z) = s relu(z) with P(z > 0) > 0, so E relu(w.x + b)^2 -> oo and the loss -> oo"])