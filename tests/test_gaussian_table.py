"""The table of Gaussian integrals (closedform.model.gaussian) against high-precision quadrature.

Every entry C = E[f(h) f(g)], (h, g) ~ N((m1, m2), [[s11, s12], [s12, s22]]), is compared at seeded random exact
points with a 2-D quadrature at mp.dps = 30 that knows nothing of the package's formulas: f is the activation
written here with mpmath (max(0, h), mpmath.erf, (1 + mpmath.erf(h/sqrt 2))/2, ...), and (h, g) is built from two
independent standard normals, h = m1 + sqrt(s11) z1, g = m2 + s12/s11 (h - m1) + sqrt(s22 - s12^2/s11) z2. The
population loss of a neuron with a Gaussian teacher is compared, in d = 1 and d = 2, with
E[(f(v.x + c) - f(w.x + b))^2]/2 integrated over x ~ N(0, I_d) directly (for d = 2 over the coordinates x1 (outer)
and x2 (inner), no rotation). Agreement is required to 1e-20 (relative; absolute below 1).

The quadrature: each integration variable z runs over [-15, 15] (nodes whose Gaussian weight, in 2-D the product
of the two, is below 1e-45 are dropped: < 1e-26 even against the e^(2.9 |z|) growth of the exp cases), cut at 0, +-3, +-6, +-9 and, for the
kinked (relu, leaky_relu) or steep (erf, probit) activations, where an activation's argument is 0 -- solved for
the inner variable given the outer one; for the outer variable where the kink lines cross and where the inner
integral's transition is centred -- with a fixed Gauss-Legendre rule on each piece. The integrand is analytic on
every piece, so the rule converges geometrically: ``test_quadrature_converged`` refines it (8 more nodes on every
piece) at hard points and requires the result to move by < 1e-23. The node counts differ by activation only to keep
the file fast (mpmath's erf costs 15-70 us a call); run with -s to see the digits reached per case.

relu and leaky_relu with a bias (the student's or the teacher's) use Rosenbaum's closed form, which is 0/0 where h and
g are perfectly correlated (as on the teacher's line): its limits there, the entry's ``line`` branches, are compared
with a 1-D quadrature (``test_relu_on_the_line_matches_quadrature``).

Two profiles. By default (~25 s) every entry is compared with quadrature at one random point, the population loss of
every case in d = 1 (erf and probit at one student, the others at two) and of identity, square, the cubic and exp
with a bias, relu and leaky_relu in d = 2, and the quadrature's convergence is checked for the fast rules (relu's
pair, the 1-D rule). With
CLOSEDFORM_THOROUGH=1 every case runs at all its points (3; 2 for erf and probit without a bias), the population loss
in d = 2 for every case (erf and probit with and without a bias, the smooth cases without one too), a teacher's bias
with probit as well as erf, and the convergence of every rule.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import random

import mpmath
import pytest
import sympy as sp
from mpmath import mp

import closedform as cf
from closedform import get_activation
from closedform.model import population
from closedform.model.gaussian import TABLE, Pair, check_entry, gaussian_entry
from closedform.model.teacher import GaussianTeacher

THOROUGH = os.environ.get("CLOSEDFORM_THOROUGH") == "1"
thorough = pytest.mark.skipif(not THOROUGH, reason="slow: runs with CLOSEDFORM_THOROUGH=1")


def _profile(params) -> list:
    """The parameters this profile runs: those marked ``thorough`` only with CLOSEDFORM_THOROUGH=1 (left out of
    the default run instead of reported as skips)."""
    return [p for p in params if THOROUGH or thorough not in p.marks]
DPS = 30
TOL = sp.Float("1e-20")
GRID = (-15, -9, -6, -3, 0, 3, 6, 9, 15)
NEGLIGIBLE = mp.mpf("1e-45")
# Gauss-Legendre nodes per piece: (within |z| <= 6, within 6 <= |z| <= 9, beyond). Chosen per activation (erf and
# probit are slow to evaluate in mpmath); each is refined by 8 nodes per piece in test_quadrature_converged.
POLY, SMOOTH, KINKED, STEEP, ONE_D = (24, 20, 20), (32, 28, 20), (24, 20, 16), (24, 24, 16), (64, 48, 32)


def finer(rule):
    return tuple(n + 8 for n in rule)


# ---------------------------------------------------------------- the activations, independently, in mpmath

@functools.lru_cache(maxsize=None)
def _exact(x, prec):
    x = sp.Rational(x)
    return mp.mpf(x.p) / x.q


def _mpf(x):
    """An exact rational as an mpf at the working precision (evaluated inside the integrand, never at import)."""
    return _exact(str(x), mp.prec)


def _poly(*coefficients):
    """sum_j c_j x^j by Horner's rule (the coefficients as mpf at the working precision)."""
    def f(x):
        *rest, top = [_mpf(c) for c in coefficients]
        value = top
        for c in reversed(rest):
            value = value * x + c
        return value
    return f


def _relu(x):
    return x if x > 0 else mp.zero


def _leaky(a):
    return lambda x: _mpf(a) * x if x <= 0 else x


def _erf(x):
    """mpmath.erf; +-1 where it rounds to +-1 at 30 digits anyway (erfc(9) < 1e-36), for speed."""
    return mp.erf(x) if abs(x) < 9 else mp.mpf(1 if x > 0 else -1)


@functools.lru_cache(maxsize=None)
def _root_half(prec):
    return 1 / mp.sqrt(2)


def _probit(x):
    """The normal CDF (1 + erf(x/sqrt 2))/2 with mpmath's erf (3 times faster than mpmath.ncdf, the same to an
    absolute 1e-31); 1 where it rounds to 1 at 30 digits anyway (1 - ncdf(12) < 2e-33), for speed."""
    return (1 + mp.erf(x * _root_half(mp.prec))) / 2 if x < 12 else mp.one


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    spec: tuple           # get_activation(*spec)
    f: object             # the activation in mpmath
    bias: bool            # which table entry: with a bias it must take means
    means: bool           # random means at the table points (False: m1 = m2 = 0)
    kinks: bool = False   # cut the integration ranges where the activation's argument is 0
    rule: tuple = SMOOTH
    points: int = 3       # random table points with CLOSEDFORM_THOROUGH=1
    quick: int = 3        # ... by default (>= 1)

    @property
    def n_points(self) -> int:
        return self.points if THOROUGH else self.quick


SMOOTH_CASES = [   # entries with means, the same with or without a bias
    Case("identity", ("identity",), lambda x: x, False, True, rule=POLY, quick=1),
    Case("square", ("square",), lambda x: x * x, False, True, rule=POLY, quick=1),
    Case("h+h^2", ("polynomial", "0", "1", "1"), _poly(0, 1, 1), False, True, rule=POLY, quick=1),
    Case("1-2h+h^3/3", ("polynomial", "1", "-2", "0", "1/3"), _poly(1, -2, 0, "1/3"), False, True, rule=POLY, quick=1),
    Case("exp", ("exp",), mp.exp, False, True, quick=1),
]
NO_MEANS = [
    Case("relu", ("relu",), _relu, False, False, True, KINKED, quick=1),
    Case("leaky_relu(1/10)", ("leaky_relu", "1/10"), _leaky("1/10"), False, False, True, KINKED, quick=1),
    Case("erf", ("erf",), _erf, False, False, True, STEEP, points=2, quick=1),
    Case("probit", ("probit",), _probit, False, False, True, STEEP, points=2, quick=1),
]
# With a bias (means): erf and probit through Phi2, relu and leaky_relu by Rosenbaum's form (with Phi2), whose limits
# on a line (rho = +-1) are checked by test_relu_on_the_line_matches_quadrature.
BIASED = [dataclasses.replace(c, id=c.id + "+bias", bias=True, means=True, points=3, quick=1) for c in NO_MEANS]
CASES = SMOOTH_CASES + NO_MEANS + BIASED
STEEP_IDS = ("erf", "probit")
KINKED_WITH_BIAS = [c for c in BIASED if c.id.split("+")[0] not in STEEP_IDS]   # relu, leaky_relu(1/10) with a bias


def _entry(case: Case):
    return gaussian_entry(get_activation(*case.spec), bias=case.bias)


# ---------------------------------------------------------------- quadrature

@functools.lru_cache(maxsize=None)
def _legendre(n: int, prec: int):
    with mp.workprec(prec + 60):
        nodes, weights = mpmath.gauss_quadrature(n, "legendre")
    norm = 1 / mp.sqrt(2 * mp.pi)
    return tuple(nodes), tuple(w * norm for w in weights)


def _rule(breaks, rule):
    """Nodes z and weights w with sum w F(z) ~ int phi(z) F(z) dz, phi the standard normal density."""
    n_core, n_mid, n_far = rule
    cuts = sorted({*GRID, *(b for b in breaks if GRID[0] < b < GRID[-1])})
    zs, ws = [], []
    for a, b in zip(cuts, cuts[1:]):
        distance = min(abs(a), abs(b)) if a * b > 0 else 0
        n = n_core if distance < 6 else n_mid if distance < 9 else n_far
        nodes, weights = (_grid_piece if a in GRID and b in GRID else _piece)(a, b, n, mp.prec)
        zs += nodes
        ws += weights
    return zs, ws


def _piece(a, b, n, prec):
    """Gauss-Legendre on [a, b] for the weight phi (nodes of weight below 1e-45 dropped)."""
    nodes, weights = _legendre(n, prec)
    a, b = mp.mpf(a), mp.mpf(b)
    half, mid = (b - a) / 2, (a + b) / 2
    zs = [mid + half * x for x in nodes]
    ws = [half * w * mp.exp(-z * z / 2) for z, w in zip(zs, weights)]
    keep = [i for i, w in enumerate(ws) if w > NEGLIGIBLE]
    return [zs[i] for i in keep], [ws[i] for i in keep]


_grid_piece = functools.lru_cache(maxsize=None)(_piece)   # the pieces between grid points recur: computed once


def quad_pair(f, pair, rule, kinks):
    """E[f(h) f(g)] by 2-D quadrature over independent standard normals z1 (outer) and z2 (inner)."""
    return _quad_pair(f, pair, rule, kinks, mp.prec)


@functools.lru_cache(maxsize=None)   # the negative controls reuse a point of test_entry_matches_quadrature
def _quad_pair(f, pair, rule, kinks, prec):
    m1, m2, s11, s22, s12 = map(_mpf, pair)
    sd1, slope = mp.sqrt(s11), s12 / s11
    sd2 = mp.sqrt(s22 - s12**2 / s11)               # the sd of g given h
    # z1: cut where h = 0 and where E[g | h] = 0 (where the inner integral's transition is centred)
    outer = [-m1 / sd1] + ([-m2 / (slope * sd1)] if slope else []) if kinks else []
    z1s, w1s = _rule(outer, rule)
    total = []
    for z1, w1 in zip(z1s, w1s):
        fh = f(m1 + sd1 * z1)
        if fh == 0:
            continue
        mean2 = m2 + slope * sd1 * z1               # E[g | h]
        z2s, w2s = _rule([-mean2 / sd2] if kinks else [], rule)   # z2: cut where g = 0
        cut = NEGLIGIBLE / w1                       # drop the inner nodes with w1 w2 < 1e-45
        total.append(w1 * fh * mp.fdot((w2, f(mean2 + sd2 * z2)) for z2, w2 in zip(z2s, w2s) if w2 > cut))
    return mp.fsum(total)


def quad_second_moment(f, m, s, kinks):
    """E[f(h)^2], h ~ N(m, s), by 1-D quadrature."""
    m, sd = _mpf(m), mp.sqrt(_mpf(s))
    zs, ws = _rule([-m / sd] if kinks else [], ONE_D)
    return mp.fdot(ws, [f(m + sd * z) ** 2 for z in zs])


def quad_population(f, v, c, w, b, rule, kinks):
    """E[(f(v.x + c) - f(w.x + b))^2]/2 over x ~ N(0, I_d), d = len(v) in (1, 2), integrating over the
    coordinates of x themselves (x1 outer, x2 inner), cut where v.x + c = 0 or w.x + b = 0 (when ``kinks``)."""
    v, w, c, b = [_mpf(x) for x in v], [_mpf(x) for x in w], _mpf(c), _mpf(b)
    def loss(t, s):
        gap = f(t) - f(s)
        return gap * gap / 2
    if len(v) == 1:
        xs, ws = _rule([-c / v[0], -b / w[0]] if kinks else [], ONE_D)
        return mp.fdot(ws, [loss(v[0] * x + c, w[0] * x + b) for x in xs])
    (v1, v2), (w1, w2) = v, w
    outer = []
    if kinks:
        outer = [-c / v1, -b / w1]   # the centres of the inner integral's transitions (the kink lines if v2 or w2 = 0)
        det = v1 * w2 - v2 * w1
        if det:
            outer.append((b * v2 - c * w2) / det)   # x1 where the two lines cross
    x1s, w1s = _rule(outer, rule)
    total = []
    for x1, wt1 in zip(x1s, w1s):
        t0, s0 = v1 * x1 + c, w1 * x1 + b
        inner = (([-t0 / v2] if v2 else []) + ([-s0 / w2] if w2 else [])) if kinks else []
        x2s, wt2s = _rule(inner, rule)
        cut = NEGLIGIBLE / wt1
        total.append(wt1 * mp.fdot((wt2, loss(t0 + v2 * x2, s0 + w2 * x2)) for x2, wt2 in zip(x2s, wt2s) if wt2 > cut))
    return mp.fsum(total)


# ---------------------------------------------------------------- random exact points

def _rational(rng, lo, hi, dens=(1, 2, 3, 4)):
    den = rng.choice(dens)
    return sp.Rational(rng.randint(int(lo * den), int(hi * den)), den)


def random_pair(rng, means: bool) -> Pair:
    """Variances in [1/4, 2], |correlation| < 0.9, means in [-3/2, 3/2] (or 0)."""
    while True:
        s11, s22 = sp.Rational(rng.randint(1, 8), 4), sp.Rational(rng.randint(1, 8), 4)
        s12 = sp.Rational(rng.randint(-16, 16), 8)
        if s12**2 < sp.Rational(81, 100) * s11 * s22:
            break
    m1, m2 = (_rational(rng, -1.5, 1.5), _rational(rng, -1.5, 1.5)) if means else (sp.S.Zero, sp.S.Zero)
    return Pair(m1, m2, s11, s22, s12)


def _nonzero(rng, lo, hi):
    while True:
        x = _rational(rng, lo, hi)
        if x:
            return x


def _seed(text: str) -> int:
    return sum((i + 1) * ord(ch) for i, ch in enumerate(text))   # stable across runs (no hash randomisation)


# ---------------------------------------------------------------- comparison

def _agree(closed: sp.Expr, quad) -> tuple[bool, float]:
    """(|closed - quad| <= 1e-20 max(1, |closed|), digits of agreement)."""
    exact = sp.N(closed, DPS)
    assert exact.is_real, f"closed form {closed} is not a real number: {exact}"
    gap = abs(exact - sp.Float(mp.nstr(quad, DPS + 5), DPS + 5))
    scale = max(sp.Float(1), abs(exact))
    digits = 99.0 if gap == 0 else float(-sp.log(gap / scale, 10))
    return gap <= TOL * scale, digits


def _report(label, worst):
    print(f"\n[{label}] worst agreement with quadrature: {min(worst, 30):.1f} digits")


# ---------------------------------------------------------------- 1. the table entries

@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_entry_matches_quadrature(case):
    entry = _entry(case)
    rng = random.Random(_seed(case.id))
    worst, failures = 99.0, []
    with mp.workdps(DPS):
        for _ in range(case.n_points):
            pair = random_pair(rng, case.means)
            quad = quad_pair(case.f, pair, case.rule, case.kinks)
            ok, digits = _agree(entry.cross(pair), quad)
            quad2 = quad_second_moment(case.f, pair.m1, pair.s11, case.kinks)
            ok2, digits2 = _agree(entry.second_moment(pair.m1, pair.s11), quad2)
            worst = min(worst, digits, digits2)
            if not (ok and ok2):
                failures.append(f"{pair}: cross {digits:.1f} digits (table {sp.N(entry.cross(pair), 25)}, quadrature "
                                f"{mp.nstr(quad, 25)}), second moment {digits2:.1f} digits")
    _report(case.id, worst)
    assert not failures, f"{case.id}: the table disagrees with quadrature at\n" + "\n".join(failures)


# ---------------------------------------------------------------- 2. the population loss in d = 1 and d = 2

def _population_param(c, d, bias):
    """By default d = 1 always; d = 2 for the smooth cases with a bias (the case without one is its special case
    b = c = 0; h+h^2 only in the thorough profile, the cubic covers the polynomials), relu and leaky_relu. With
    CLOSEDFORM_THOROUGH=1 also the other d = 2 cases (seconds each for erf and probit: a 2-D quadrature through
    mpmath's erf, and Phi2 at 30 digits with a bias)."""
    slow = d == 2 and (not bias or c.id == "h+h^2" if c in SMOOTH_CASES else c.id in STEEP_IDS)
    return pytest.param(c, d, bias, id=f"{c.id}-d{d}{'-bias' if bias else ''}", marks=[thorough] if slow else [])


POPULATION = _profile([_population_param(c, d, bias) for c in SMOOTH_CASES + NO_MEANS for d in (1, 2)
                       for bias in (False, True)])


@pytest.mark.parametrize("case,d,bias", POPULATION)
def test_population_loss_matches_quadrature(case, d, bias):
    """Teacher v = (5/4) or (1, 1/2), c = -1/2 with a bias, no noise; student w in [-1, 1]^d, b in [-1, 1]."""
    v = ("5/4",) if d == 1 else (1, "1/2")
    c = sp.Rational(-1, 2) if bias else None
    neuron = cf.Neuron(get_activation(*case.spec), "mse", bias=bias, data=GaussianTeacher(v=v, c=c, noise=0))
    rng = random.Random(_seed(f"{case.id}-{d}-{bias}"))
    worst, failures = 99.0, []
    with mp.workdps(DPS):
        for _ in range(2 if d == 1 and (THOROUGH or case.id not in STEEP_IDS) else 1):
            w = [_nonzero(rng, -1, 1) for _ in range(d)]
            b = _rational(rng, -1, 1) if bias else sp.S.Zero
            loss = neuron.loss.subs(dict(zip(neuron.weights, w + ([b] if bias else []))))
            quad = quad_population(case.f, v, c or 0, w, b, case.rule, case.kinks)
            ok, digits = _agree(loss, quad)
            worst = min(worst, digits)
            if not ok:
                failures.append(f"w = {w}, b = {b}: {digits:.1f} digits (loss {sp.N(loss, 25)}, quadrature "
                                f"{mp.nstr(quad, 25)})")
    _report(f"{case.id} d={d} bias={bias}", worst)
    assert not failures, f"{case.id}, d = {d}: the population loss disagrees with quadrature at\n" + "\n".join(failures)


TEACHER_BIAS = [c for c in SMOOTH_CASES + NO_MEANS if c.id in ("h+h^2", "exp", "erf", "probit", "relu")]


@pytest.mark.parametrize("case", _profile([pytest.param(c, id=c.id, marks=[thorough] if c.id == "probit" else [])
                                           for c in TEACHER_BIAS]))   # probit's Phi2 path is erf's: thorough only
def test_teacher_bias_without_student_bias(case):
    """A teacher with a bias c = 1, a student without one: (h, g) has means (0, c), so the entry with means is used."""
    neuron = cf.Neuron(get_activation(*case.spec), "mse", bias=False, data=GaussianTeacher(v=(1,), c=1))
    loss = neuron.loss
    w = sp.Rational(3, 4)
    with mp.workdps(DPS):
        quad = quad_population(case.f, (1,), 1, (w,), 0, case.rule, case.kinks)
        ok, digits = _agree(loss.subs(neuron.weights[0], w), quad)
    _report(f"{case.id} teacher c = 1, no student bias", digits)
    assert ok, (f"{case.id}: teacher c = 1, student without bias, w = {w}: loss "
                f"{sp.N(loss.subs(neuron.weights[0], w), 20)} but quadrature {mp.nstr(quad, 20)}")


# ---------------------------------------------------------------- the quadrature itself

def _pair(*xs):
    return Pair(*map(sp.Rational, xs))


CONVERGENCE = {   # hard points (large variances, strong correlations, means), each with its case's rule
    "erf-pair": (STEEP, lambda r: quad_pair(_erf, _pair(1, "-3/2", 2, 2, "-7/4"), r, True)),
    "cubic-pair": (POLY, lambda r: quad_pair(SMOOTH_CASES[3].f, _pair("3/2", "-3/2", 2, 2, "7/4"), r, False)),
    "exp-pair": (SMOOTH, lambda r: quad_pair(mp.exp, _pair("1/2", -1, 2, 2, "7/4"), r, False)),
    "relu-pair": (KINKED, lambda r: quad_pair(_relu, _pair("3/2", "-1", 2, "1/4", "-5/8"), r, True)),
    "relu-population-d2": (KINKED, lambda r: quad_population(_relu, (1, "1/2"), "-1/2", (-1, "3/4"), "3/4", r, True)),
}
SLOW_CONVERGENCE = ("erf-pair", "relu-population-d2", "cubic-pair", "exp-pair")   # only with CLOSEDFORM_THOROUGH=1


@pytest.mark.parametrize("which", _profile([pytest.param(k, marks=[thorough] if k in SLOW_CONVERGENCE else [])
                                            for k in CONVERGENCE]))
def test_quadrature_converged(which):
    """Refining the rule (8 more nodes on every piece) moves the hardest integrals by < 1e-23 (relative): the
    quadrature's own accuracy, independent of the closed forms."""
    rule, integral = CONVERGENCE[which]
    with mp.workdps(DPS):
        a, b = integral(rule), integral(finer(rule))
    digits = 99.0 if a == b else float(-mp.log10(abs(a - b) / max(1, abs(b))))
    print(f"\n[quadrature {which}] rule {rule} vs {finer(rule)}: {min(digits, 30):.1f} digits")
    assert abs(a - b) <= mp.mpf("1e-23") * max(1, abs(b)), (which, a, b)


def test_one_d_quadrature_converged():
    """The 1-D rule (second moments, d = 1) on E[erf(2x)^2 ...]-like integrands at the steepest slopes used."""
    f = lambda x: (_erf(mp.mpf(5) / 4 * x - mp.mpf(1) / 2) - _erf(x + 1)) ** 2
    with mp.workdps(DPS):
        breaks = [mp.mpf(2) / 5, mp.mpf(-1)]
        values = [mp.fdot(ws, [f(x) for x in xs]) for xs, ws in (_rule(breaks, r) for r in (ONE_D, finer(ONE_D)))]
    assert abs(values[0] - values[1]) <= mp.mpf("1e-25"), values


# ---------------------------------------------------------------- 3. check_entry and negative controls

@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_entry_passes(case):
    """check_entry proves every entry. The population loss runs it once per entry and process (``checked``; a Phi2
    entry's proof takes seconds), so a run made there while building the losses above is reused, not repeated."""
    run = getattr(population, "checked", check_entry)
    assert isinstance(run(_entry(case)), str)


def test_every_table_key_is_covered():
    """Every key of the table has a case here (an entry added later must get a quadrature case too)."""
    covered = {(get_activation(*c.spec).key[0], c.bias) for c in CASES}
    for key, bias in TABLE:
        assert any(k == key and (bias is None or b == bias) for k, b in covered), (key, bias)


@pytest.mark.parametrize("case", KINKED_WITH_BIAS, ids=[c.id for c in KINKED_WITH_BIAS])
@pytest.mark.parametrize("sign", [1, -1])
def test_relu_on_the_line_matches_quadrature(case, sign):
    """Rosenbaum's form is 0/0 when h and g are perfectly correlated (rho = +-1: every student in d = 1, the teacher's
    line); the entry's ``line`` branches give the limit there. With h = m1 + sigma1 z and g = m2 + sign sigma2 z,
    E[f(h) f(g)] is a 1-D integral (cut where h = 0 and g = 0): every branch whose domain holds (> 0) must agree
    with it to 1e-20, at points on both sides of each branch boundary and on it (where the branches agree)."""
    entry = _entry(case)
    rng = random.Random(_seed(f"{case.id}-line-{sign}"))
    worst, failures, used = 99.0, [], set()
    with mp.workdps(DPS):
        points = [random_pair(rng, True) for _ in range(4)]
        points.append(Pair(sp.Rational(1, 2), sign * sp.Rational(1, 2), sp.Integer(1), sp.Integer(1), sp.Integer(sign)))
        for pair in points:
            s1, s2 = sp.sqrt(pair.s11), sp.sqrt(pair.s22)
            pair = pair._replace(s12=sign * s1 * s2)
            m1, m2, sd1, sd2 = _mpf(pair.m1), _mpf(pair.m2), mp.sqrt(_mpf(pair.s11)), mp.sqrt(_mpf(pair.s22))
            zs, ws = _rule([-m1 / sd1, -sign * m2 / sd2], ONE_D)
            quad = mp.fdot(ws, [case.f(m1 + sd1 * z) * case.f(m2 + sign * sd2 * z) for z in zs])
            for k, (cross, domain) in enumerate(entry.line(pair, sign)):
                if sp.N(domain, DPS) < 0:
                    continue
                used.add(k)
                ok, digits = _agree(cross, quad)
                worst = min(worst, digits)
                if not ok:
                    failures.append(f"{pair}, branch {k}: {digits:.1f} digits ({sp.N(cross, 25)} vs {mp.nstr(quad, 25)})")
    _report(f"{case.id} on the line rho = {sign}", worst)
    assert not failures, "\n".join(failures)
    assert used == {0, 1}, f"both branches must be exercised: {used}"


def _wrong_entries():
    erf = gaussian_entry(get_activation("erf"), bias=False)
    exp = gaussian_entry(get_activation("exp"), bias=False)
    return {
        "erf-times-1.0001": (NO_MEANS[2], dataclasses.replace(
            erf, cross=lambda p: sp.Rational(10001, 10000) * erf.cross(p))),
        "exp-with-s12/2": (SMOOTH_CASES[4], dataclasses.replace(
            exp, cross=lambda p: sp.exp(p.m1 + p.m2 + (p.s11 + p.s12 + p.s22) / 2))),
    }


@pytest.mark.parametrize("which", ["erf-times-1.0001", "exp-with-s12/2"])
def test_wrong_entry_is_caught(which):
    case, wrong = _wrong_entries()[which]
    with pytest.raises(AssertionError):
        check_entry(wrong)
    pair = random_pair(random.Random(_seed(case.id)), case.means)   # the first point of the case's own test
    with mp.workdps(DPS):
        ok, digits = _agree(wrong.cross(pair), quad_pair(case.f, pair, case.rule, case.kinks))
    assert not ok and digits < 6, (which, digits)


def test_quadrature_catches_an_error_price_cannot_see():
    """An additive constant is invisible to Price's theorem (a derivative in s12); the quadrature sees it."""
    erf = gaussian_entry(get_activation("erf"), bias=False)
    wrong = dataclasses.replace(erf, cross=lambda p: erf.cross(p) + sp.Rational(1, 10**6))
    pair = random_pair(random.Random(_seed("erf")), False)
    with mp.workdps(DPS):
        ok, _ = _agree(wrong.cross(pair), quad_pair(_erf, pair, STEEP, True))
    assert not ok
