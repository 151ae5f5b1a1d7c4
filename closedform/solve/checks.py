"""Checkers for completeness certificates, one per :class:`CertificateKind`, each by a route that did not
produce the points: a strategy proposes a certificate, and only what passes here makes an answer "complete".

- exact roots: Descartes' rule with bisection counts the real roots of P (FLINT's complex isolation found
  them), the count must equal the
  verified points, and P's sign must agree with the gradient's (up to one constant sign) between the roots;
- one datapoint: each root h* satisfies f(h*) = t (or f'(h*) = 0) exactly, and their number is counted again;
- linear system: det A != 0 and A c = b, exactly;
- activation patterns: every one of the 2^n patterns re-solved in Fractions, independently of the arrangement
  enumeration that produced the points;
- polynomial system: Hermite's count of real solutions equals the verified points;
- exponential system: msolve's count of positive solutions equals the verified points, and P's signs agree with
  the gradient's, component by component, at sample points;
- separable: every datapoint lies in one coordinate block (re-read from the data) and the verified points are as
  many as the products of the blocks' points;
- convexity: a matching loss with f' > 0 (registry facts) and data spanning the space (exact rank) has at most
  one stationary point: exactly one was verified."""
from __future__ import annotations

import math
from fractions import Fraction
from itertools import product

import flint
import mpmath
import numpy as np
import sympy as sp

from ..kinds import CertificateKind, RegionKind
from ..model.compare import vanishes
from ..model.symbols import h, t
from .blocks import separates
from .descartes import count_real_roots
from .separation import exact_sign
from .taillimit import limit_at_infinity
from ..printing import text

MAX_PATTERN_UNITS = 12
SIGN_SAMPLES = 24  # random points at which P's signs are compared with the gradient's


def _distinct_points(state, source):
    return [v for v in state.verified if v.source == source]


def check_exact_roots(state, proposal):
    facts = proposal.certificate.facts
    P, lower = facts["polynomial"], facts["lower"]
    count = count_real_roots(P, lower)
    found = _distinct_points(state, proposal.source)
    if count != len(found):
        return False, f"Descartes' rule with bisection counts {count} root(s) of P, but {len(found)} point(s) verified"
    reduction = proposal.reduction
    values = sorted(_variable(v.c[0], reduction) for v in found)
    samples = _samples(values, lower)
    signs = set()
    with mpmath.workdps(60):
        for sample in samples:
            p_value = P.eval(sample)
            c = _coordinate(sample, reduction)
            g = state.reduced.model.mp_gradient([c])[0]
            if p_value != 0 and g != 0:
                signs.add((p_value > 0) == (g > 0))
    if len(signs) > 1:
        return False, "P's sign disagrees with the gradient's between its roots: P is not the gradient's numerator"
    return True, (f"Descartes-bisection count {count} = verified points; P's sign agrees with the gradient's at "
                  f"{len(samples)} points")


def _variable(c, reduction):
    """The polynomial's variable at the reduced coordinate c: u = exp(-k c / q), or c itself."""
    return c if reduction is None else mpmath.exp(-reduction.k * c / mpmath.mpf(reduction.q))


def _coordinate(sample, reduction):
    value = mpmath.mpf(sample.p) / sample.q
    return value if reduction is None else -mpmath.mpf(reduction.q) / reduction.k * mpmath.log(value)


def _samples(values, lower):
    """Rational points between and beyond the roots (inside the domain u > 0 when ``lower`` is 0)."""
    def rational(x):
        return sp.Rational(Fraction(float(x)).limit_denominator(10**6))
    if not values:
        return [sp.Rational(1, 2), sp.Integer(1), sp.Integer(2)] if lower is not None else [sp.Integer(-1), sp.Integer(0), sp.Integer(1)]
    out = [rational((a + b) / 2) for a, b in zip(values, values[1:])]
    out.append(rational(values[0] / 2) if lower is not None else rational(values[0] - 1))
    out.append(rational(values[-1] * 2 + 1))
    return [s for s in out if lower is None or s > 0]


def check_one_point(state, proposal):
    facts = proposal.certificate.facts
    activation, target = state.neuron.activation, facts["target"]
    if facts["row"] is None and activation.polynomial and not activation.linear:
        return _check_symbolic_polynomial(activation, facts)
    if facts["row"] is None and activation.piecewise_linear is not None and not activation.increasing:
        return _check_symbolic_piecewise(state, activation, facts)
    for root in facts["roots"]:
        if not vanishes(activation.expr.subs(h, root) - target):
            return False, f"f({root}) != {target}"
    for root in facts["criticals"]:
        if not vanishes(activation.derivative.subs(h, root)):
            return False, f"f'({root}) != 0"
    if activation.polynomial and facts["row"] is not None:
        expected = len(set(sp.Poly(activation.expr - target, h).real_roots())
                       | set(sp.Poly(activation.derivative, h).real_roots()))
    elif activation.increasing:
        expected = len(facts["roots"])
        if expected > 1 or facts["criticals"]:
            return False, "an increasing activation has one preimage and no critical point"
    else:
        return False, "no independent count of f(h) = t and f'(h) = 0 for this activation"
    if facts["row"] is None:
        return True, "each root checked by substitution"
    found = _distinct_points(state, proposal.source)
    if len(found) != expected:
        return False, f"{expected} root(s) in h, {len(found)} point(s) verified"
    return True, f"each root checked by substitution; {expected} counted again"


def _check_symbolic_polynomial(activation, facts):
    """f a polynomial of degree n, t a symbol: the listed roots of f(h) = t must be n, pairwise distinct, each
    satisfying it identically, so they are all its complex roots (their product identity holds for generic t,
    hence for every t); each must have the form a + b sqrt(A) (a, b, A rational in t, at most one square root),
    real exactly where A >= 0, which must be its stated condition; f' (free of t) has its real roots counted."""
    t, roots, conditions = facts["target"], facts["roots"], facts["conditions"]
    degree = sp.Poly(activation.expr, h).degree()
    if len(roots) != degree:
        return False, f"{len(roots)} root(s) of f(h) = t listed, degree {degree}"
    for root in roots:
        if not vanishes(activation.expr.subs(h, root) - t):
            return False, f"f({root}) != {t}"
    if any(vanishes(a - b) for i, a in enumerate(roots) for b in roots[i + 1:]):
        return False, "two listed roots of f(h) = t coincide for every t"
    for root, condition in zip(roots, conditions):
        real_where = _real_where(root)
        if real_where is None:
            return False, f"where {root} is real is not decided"
        if real_where.as_set() != sp.sympify(condition).as_set():
            return False, f"{root} is real where {real_where}, not where {condition}"
    criticals = set(sp.Poly(activation.derivative, h).real_roots())
    if criticals != set(facts["criticals"]) or any(activation.derivative.subs(h, c) != 0 for c in criticals):
        return False, "the real roots of f' differ"
    return True, (f"the {degree} roots of f(h) = t each satisfy it identically and are distinct (all of them), "
                  f"each real exactly where its square root's radicand is >= 0; the {len(criticals)} real root(s) "
                  f"of f' counted again")


def _check_symbolic_piecewise(state, activation, facts):
    """f = a h for h <= 0 and b h for h > 0 (b > 0, a >= 0), t a symbol: f(h) = t is solved again piece by
    piece, t/b where t/b > 0 and, when a != 0, t/a where t/a <= 0, and must give the listed roots under the same
    conditions; with a = 0, f' = 0 on the whole half-space h <= 0, which must be reported as a flat region."""
    a, b = activation.piecewise_linear
    t = facts["target"]
    expected = {(t / b, (t / b > 0).as_set())} | ({(t / a, (t / a <= 0).as_set())} if a else set())
    listed = {(root, sp.sympify(condition).as_set()) for root, condition in zip(facts["roots"], facts["conditions"])}
    if listed != expected or len(listed) != len(facts["roots"]):
        return False, f"f(h) = t solved piece by piece gives {sorted(map(str, expected))}, not the roots listed"
    if facts["criticals"]:
        return False, "a piecewise-linear f has no isolated critical point"
    neuron = state.neuron
    flat = neuron.pre_activation(neuron.data.x[0]) <= 0
    if a == 0 and not any(region.kind is RegionKind.FLAT and region.expr == flat for region in state.regions):
        return False, f"the flat half-space {flat} (f' = 0 there) is not reported"
    return True, ("f(h) = t solved again piece by piece: the same roots under the same conditions"
                  + ("; the flat half-space h <= 0 reported" if a == 0 else ""))


def _real_where(root):
    """For a + b sqrt(A) (a, b, A rational in the real symbols, b != 0): A >= 0; without any root: true;
    otherwise (several roots, a root of a root, a cube root) None."""
    radicals = _radicals(root)
    if not radicals:
        return sp.true
    (radical, *others) = radicals
    s = sp.Dummy("s")
    linear = sp.Poly(sp.expand(root.xreplace({radical: s})), s)
    if others or radical.exp != sp.S.Half or _radicals(radical.base) or linear.degree() != 1 or any(
            _radicals(c) for c in linear.all_coeffs()):
        return None
    return radical.base >= 0


def _radicals(expr) -> list:
    """The powers of ``expr`` with a non-integer exponent."""
    return [p for p in expr.atoms(sp.Pow) if not p.exp.is_Integer]


def check_face_ray(reduced, face, ray, digits: int = 50) -> bool:
    """A zero at infinity inside a face, checked without the face or cell machinery, from v and w0 alone: every
    row with z_k.v != 0 has |z_k.(c0 + s v)| -> oo, and SymPy's limit of its own g(t_k, h) there (from the
    per-sample formula) must sum to the zero vector exactly; the rows with z_k.v = 0 (zero rows included) keep
    h_k = z_k.c0, and sum_k g(t_k, h_k) z_k over them must vanish to ``digits`` digits. The limiting loss is
    summed the same way, row by row (SymPy's limits of the per-sample loss, and its values at h_k), and must
    equal the ray's to ``digits`` // 2 digits."""
    n = reduced.neuron
    forms = n.fns
    v = sp.Matrix([sp.Rational(x.numerator, x.denominator) for x in face.v])
    c0 = reduced.basis.T * sp.Matrix(ray.finite_part)  # c = B^T w
    if v.norm() == 0:
        return False
    saturated, on_face, loss = sp.zeros(reduced.r, 1), sp.zeros(reduced.r, 1), sp.Integer(0)
    for zk, tk in zip(reduced.z, n.data.t):
        zk = sp.Matrix([sp.Rational(x) for x in zk])
        slope = (zk.T * v)[0]
        if slope == 0:
            at = {t: tk, h: (zk.T * c0)[0]}
            on_face += forms.g.subs(at) * zk
            loss += forms.loss.subs(at)
        else:
            sign = int(sp.sign(slope))
            saturated += _tail_limit(forms.g, sign, tk) * zk
            loss += _tail_limit(forms.loss, sign, tk)
    if any(x != 0 for x in saturated):
        return False
    with mpmath.workdps(digits + 10):
        vanishes = all(abs(mpmath.mpf(sp.N(x, digits + 10))) < mpmath.mpf(10) ** (-digits // 2) for x in on_face)
        gap = abs(mpmath.mpf(sp.N(loss - ray.limit_loss, digits + 10)))
        return vanishes and gap < mpmath.mpf(10) ** (-digits // 2) * (1 + abs(mpmath.mpf(sp.N(loss, digits + 10))))


_TAIL_LIMITS: dict = {}  # (form, sign, target) -> limit, for every ray of a problem (see :func:`tail_limits`)


def _tail_limit(expr, sign: int, target):
    """lim_{h -> sign*oo} of a per-sample form at t = target (:mod:`.taillimit`), remembered."""
    key = (expr, sign, target)
    if key not in _TAIL_LIMITS:
        _TAIL_LIMITS[key] = limit_at_infinity(_far_branch(expr.subs(t, target), sign), h, sign)
    return _TAIL_LIMITS[key]


def tail_limits(neuron) -> dict:
    """Every limit :func:`check_face_ray` may ask of ``neuron``: both forms, both signs, each distinct target.
    Computed in one worker and handed to :func:`remember_tail_limits` in the parent, so that the workers checking
    the faces one by one inherit them instead of each computing them again."""
    forms = neuron.fns
    for target in set(neuron.data.t):
        for expr in (forms.g, forms.loss):
            for sign in (1, -1):
                _tail_limit(expr, sign, target)
    return dict(_TAIL_LIMITS)


def remember_tail_limits(limits: dict) -> None:
    _TAIL_LIMITS.update(limits)


def _far_branch(expr, sign):
    """A piecewise expression's branch that holds at h = sign * 10^9 (beyond every kink), else ``expr`` (written
    apart from the asymptotics' own tail rule on purpose: the check shares no code with what it checks)."""
    expr = sp.piecewise_fold(expr)
    if not isinstance(expr, sp.Piecewise):
        return expr
    return next(branch for branch, condition in expr.args if condition.subs(h, sign * sp.Integer(10) ** 9) == sp.true)


def check_linear_system(state, proposal):
    A, rhs = proposal.certificate.facts["A"], proposal.certificate.facts["rhs"]
    if A.det() == 0:
        return False, "the matrix is singular"
    found = _distinct_points(state, proposal.source)
    if len(found) != 1 or found[0].exact is None or A * sp.Matrix(found[0].exact) != rhs:
        return False, "the reported point does not solve the system exactly"
    return True, "det A != 0 and A c = b, exactly"


def check_patterns(state, proposal):
    """Re-solve every activation pattern with Fractions (Gauss-Jordan) and compare the isolated solutions."""
    reduced = state.reduced
    neuron = reduced.neuron
    units = [i for i, zi in enumerate(reduced.z) if any(zi)]
    if len(units) > MAX_PATTERN_UNITS:
        return False, f"{len(units)} units: more than {MAX_PATTERN_UNITS} for the independent re-enumeration"
    lower, upper = (Fraction(int(sp.Rational(s).p), int(sp.Rational(s).q)) for s in neuron.activation.piecewise_linear)
    power = neuron.criterion.output_power(neuron.activation)
    z = [[_fraction(v) for v in reduced.z[i]] for i in units]
    targets = [_fraction(neuron.data.t[i]) for i in units]
    l2 = _fraction(neuron.l2)
    isolated, singular = set(), 0
    for pattern in product((False, True), repeat=len(units)):
        slopes = [upper if on else lower for on in pattern]
        if not any(slopes) and power >= 1:
            continue  # the flat region: g = 0 on every term
        A = [[sum(s ** (power + 1) * zi[j] * zi[k] for s, zi in zip(slopes, z)) + (l2 if j == k and reduced.regularised[j] else 0)
              for k in range(reduced.r)] for j in range(reduced.r)]
        b = [sum(s ** power * ti * zi[j] for s, ti, zi in zip(slopes, targets, z)) for j in range(reduced.r)]
        c = _solve(A, b)
        if c is None:
            singular += 1
            continue
        dots = [sum(a * x for a, x in zip(zi, c)) for zi in z]
        if all((d > 0) == on for d, on in zip(dots, pattern)):
            isolated.add(tuple(c))
    reported = {tuple(_fraction(v) for v in p.exact) for p in _distinct_points(state, proposal.source) if p.exact is not None}
    if isolated != reported:
        return False, f"re-enumeration finds {len(isolated)} isolated point(s), the strategy {len(reported)}"
    if singular and not state.regions:
        return False, f"{singular} singular pattern(s) and no region reported"
    return True, f"all {2 ** len(units)} patterns re-solved in exact arithmetic: the same {len(isolated)} point(s)"


def _fraction(value):
    value = sp.Rational(value)
    return Fraction(int(value.p), int(value.q))


def _solve(A, b):
    """The unique solution of A x = b in Fractions, or None when A is singular."""
    n = len(A)
    M = [row[:] + [bi] for row, bi in zip(A, b)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if M[r][col] != 0), None)
        if pivot is None:
            return None
        M[col], M[pivot] = M[pivot], M[col]
        for r in range(n):
            if r != col and M[r][col] != 0:
                factor = M[r][col] / M[col][col]
                M[r] = [x - factor * y for x, y in zip(M[r], M[col])]
    return [M[i][n] / M[i][i] for i in range(n)]


def check_exp_system(state, proposal):
    """msolve's positive count against the verified points, and the sign of each P_j(u(c)) against the gradient's
    component j (model gradient at 60 digits, a different route) at the verified points pushed apart and at random
    points: P_j must be the gradient times a positive function."""
    facts = proposal.certificate.facts
    system, count = facts["system"], facts["count"]
    found = _distinct_points(state, proposal.source)
    if count != len(found):
        return False, f"msolve isolates {count} positive solution(s), but {len(found)} point(s) verified"
    rng = np.random.default_rng(20261201)
    r = state.reduced.r
    samples = [[mpmath.mpf(float(x)) for x in row] for row in rng.uniform(-4, 4, size=(SIGN_SAMPLES, r))]
    samples += [[v.c[j] + mpmath.mpf(float(e)) for j, e in enumerate(rng.normal(0, 0.3, r))] for v in found]
    compared = 0
    with mpmath.workdps(60):
        for c in samples:
            gradient = state.reduced.model.mp_gradient(c)
            for p_value, g_value in zip(system.value(c), gradient):
                if abs(g_value) > mpmath.mpf(10) ** -40 and abs(p_value) > 0:
                    if (p_value > 0) != (g_value > 0):
                        return False, (f"P's component has the opposite sign of the gradient's at c = "
                                       f"{[mpmath.nstr(x, 8) for x in c]}: P is not the gradient times a positive "
                                       f"function")
                    compared += 1
    return True, (f"msolve's {count} positive solution(s) = verified points; P's signs agree with the gradient's "
                  f"in {compared} components at {len(samples)} points")


def check_separable(state, proposal):
    """The blocks re-checked against the data (every row inside one block, the L2 term block by block) and the
    count of verified points against the product of the blocks' counts."""
    facts = proposal.certificate.facts
    if not separates(state.reduced, facts["blocks"]):
        return False, "a datapoint (or the L2 term) couples two of the proposed blocks"
    expected = math.prod(facts["counts"])
    found = _distinct_points(state, proposal.source)
    if len(found) != expected:
        return False, f"the blocks' points give {expected} products, {len(found)} verified"
    return True, f"every row lies in one block; {expected} products = verified points"


def check_polynomial_system(state, proposal):
    facts = proposal.certificate.facts
    expected = facts["real_count"]
    found = _distinct_points(state, proposal.source)
    if len(found) != expected:
        return False, f"Hermite's trace form counts {expected} real solution(s), {len(found)} verified"
    if "radii" not in facts:
        return True, f"Hermite's count {expected} = verified points"
    spheres = _check_spheres(state.reduced, facts["common"], facts["radii"])
    if spheres is not True:
        return False, spheres
    return True, (f"Hermite's count {expected} = verified points; the common factor divides every gradient "
                  f"component exactly and the gradient vanishes at {SPHERE_SAMPLES} points of each sphere")


SPHERE_SAMPLES = 5


def _check_spheres(reduced, common, radii):
    """True, or why not: ``common`` divides each component of the gradient rebuilt from the per-sample formula,
    and at SPHERE_SAMPLES points of each sphere |w|^2 = radius (pseudo-random directions) the model's own mpmath
    gradient is below 10^-30."""
    for component in reduced.gradient_expr():
        if sp.Poly(sp.expand(component), *common.gens).rem(common) != 0:
            return "the common factor does not divide the gradient"
    rng = np.random.default_rng(7)
    with mpmath.workdps(50):
        for radius in radii:
            for _ in range(SPHERE_SAMPLES):
                direction = [mpmath.mpf(float(x)) for x in rng.standard_normal(reduced.r)]
                scale = mpmath.sqrt(mpmath.mpf(sp.N(radius, 60)) / sum(x * x for x in direction))
                gradient = reduced.model.mp_gradient([scale * x for x in direction])
                if max(abs(x) for x in gradient) > mpmath.mpf(10) ** -30:
                    return f"the gradient does not vanish on the sphere |w|^2 = {text(radius)}"
    return True


def spans(rows, r: int, floats: np.ndarray) -> bool:
    """Do the exact rows span Q^r? Float pivoting on their float copies ``floats`` picks r candidate rows;
    their exact determinant decides (a nonzero r x r minor proves rank r); when it vanishes, the exact rank of
    all rows does. ``rows`` is indexed, not read whole, unless that minor vanishes."""
    if len(rows) < r:
        return False
    if _determinant([rows[i] for i in _pivot_rows(floats, r)]) != 0:
        return True
    return sp.Matrix(list(rows)).rank() == r


def _determinant(square):
    """The exact determinant: FLINT's over Q when every entry is rational, else SymPy's."""
    if all(isinstance(v, sp.Rational) for row in square for v in row):
        return flint.fmpq_mat(len(square), len(square), [flint.fmpq(int(v.p), int(v.q)) for row in square
                                                         for v in row]).det()
    return sp.Matrix(square).det()


def _pivot_rows(Z, r: int) -> list:
    """r row indices chosen greedily by the largest residual after projecting out the rows chosen before: the
    squared residuals are updated by one product Z q per choice (q the new orthonormal direction), O(n r) each."""
    squares, chosen, basis = np.einsum("ij,ij->i", Z, Z), [], []
    for _ in range(r):
        k = int(np.argmax(squares))
        chosen.append(k)
        q = Z[k].astype(float)
        for b in basis:
            q = q - (q @ b) * b
        q = q / (np.linalg.norm(q) or 1.0)
        basis.append(q)
        squares = squares - (Z @ q) ** 2
        squares[chosen] = -np.inf  # a chosen row's residual is zero up to rounding: never again
    return chosen


def check_convexity(state, proposal):
    reduced = state.reduced
    neuron = reduced.neuron
    if not neuron.convex_matching:
        return False, "not a matching loss of a registered increasing activation (checked: g = f(h) - t)"
    rows, floats = reduced.z, reduced.model.Z
    if neuron.l2:
        penalised = [tuple(sp.Integer(j == k) for k in range(reduced.r)) for j, m in enumerate(reduced.regularised) if m]
        rows = list(rows) + penalised
        floats = np.vstack([floats, np.array(penalised, dtype=float).reshape(len(penalised), reduced.r)])
    if not spans(rows, reduced.r, floats):
        return False, "the data (and the L2 term) do not span the space: not strictly convex"
    if len(state.verified) != 1:
        return False, f"a strictly convex loss has at most one stationary point; {len(state.verified)} verified"
    return True, ("matching loss (g = f(h) - t, simplified), f' > 0, data spanning the space (exact rank): "
                  "strictly convex, one point")


def check_signs(state, proposal):
    """Gordan's alternative on the whole space, re-derived from the exact data: g = f(h) - t (simplified) with f
    strictly increasing, so g(t_i, .) > 0 on R exactly when t_i <= lim_{-oo} f and < 0 exactly when
    t_i >= lim_{+oo} f (SymPy's limits, compared exactly); every row's z_i.v then has that sign, in rationals."""
    reduced = state.reduced
    neuron = reduced.neuron
    if neuron.l2 != 0:
        return False, "an L2 term: lam w.v has no fixed sign"
    if not neuron.convex_matching:
        return False, "not a matching loss of a registered increasing activation (checked: g = f(h) - t)"
    if state.verified:
        return False, f"{len(state.verified)} verified stationary point(s) contradict a gradient that never vanishes"
    try:
        low, high = (sp.limit(neuron.activation.expr, h, end) for end in (-sp.oo, sp.oo))
    except (TypeError, ValueError, NotImplementedError) as reason:
        return False, f"the limits of f at -oo and +oo were not found ({type(reason).__name__})"
    if not all(end.is_extended_real for end in (low, high)):
        return False, f"the limits of f at -oo and +oo ({low}, {high}) are not extended reals"
    v = proposal.certificate.facts.get("direction")
    if v is None or len(v) != reduced.r:
        return False, "no direction v of the right dimension"
    for i, (zi, ti) in enumerate(zip(reduced.z, neuron.data.t)):
        s = 1 if sp.Le(ti, low) == sp.true else -1 if sp.Ge(ti, high) == sp.true else 0
        if s == 0:
            return False, f"datapoint {i + 1}: t = {ti} lies inside f's range ({low}, {high}): g changes sign"
        if exact_sign(zi, v) != s:
            return False, f"datapoint {i + 1}: z.v does not have the sign {s} of its term"
    return True, (f"g = f(h) - t with f increasing from {low} to {high}: each target outside that range gives its "
                  f"term one strict sign on R, and every row's z.v has that sign (exact rationals)")


CHECKS = {
    CertificateKind.EXACT_ROOTS: check_exact_roots,
    CertificateKind.ONE_POINT: check_one_point,
    CertificateKind.LINEAR_SYSTEM: check_linear_system,
    CertificateKind.PATTERNS: check_patterns,
    CertificateKind.POLYNOMIAL_SYSTEM: check_polynomial_system,
    CertificateKind.EXP_SYSTEM: check_exp_system,
    CertificateKind.SEPARABLE: check_separable,
    CertificateKind.CONVEXITY: check_convexity,
    CertificateKind.SIGNS: check_signs,
}


def check(state, proposal):
    """(accepted, reason) for a proposed certificate, by its kind's checker."""
    checker = CHECKS.get(proposal.certificate.kind)
    if checker is None:
        return False, f"no checker for {proposal.certificate.kind.value}"
    return checker(state, proposal)
