"""The bivariate normal CDF Phi2 and the Gaussian-table entries with a bias (erf, probit) built on it, against
independent computations: Phi2 against a 2-D Gauss-Legendre quadrature of the bivariate density (python-flint
balls at 40 digits), Drezner's angular form at 50 digits, and scipy at float precision; its derivatives against
central finite differences at 30 digits; each entry E[f(h) f(g)] against a 2-D quadrature over (X, Z) with
h = m1 + sqrt(s11) X, g = m2 + s12/sqrt(s11) X + sqrt(s22 - s12^2/s11) Z at 22 digits; the heat equations of the
entries symbolically (through the exponent normalisation) and numerically (``check_entry_numerically`` below, a
check independent of the package's symbolic one). relu and leaky_relu with a bias have no entry (Rosenbaum's
closed form is 0/0 where h and g are perfectly correlated) and must be refused."""
import functools
import random

import mpmath
import pytest
import sympy as sp
from flint import arb, ctx

from closedform.model.activations import get_activation
from closedform.model.bivariate import MPMATH, Phi, Phi2, phi, phi2, vanishes_by_exponent_normalisation
from closedform.model.gaussian import SYMBOLIC_PAIR, GaussianEntry, Pair, _M1, _M2, _S11, _S12, _S22, gaussian_entry

R = sp.Rational
a, b, rho = sp.symbols("a b rho", real=True)
BIASED = ("erf", "probit")


@pytest.fixture
def dps40():
    old = ctx.dps
    ctx.dps = 40
    yield
    ctx.dps = old


@functools.lru_cache(maxsize=None)
def _legendre(n: int, dps: int):
    return [arb.legendre_p_root(n, k, weight=True) for k in range(n)]


def _rule(lo, hi, pieces: int, n: int = 24):
    """Gauss-Legendre nodes and weights (arb) on [lo, hi] cut into ``pieces`` equal parts."""
    lo, hi = arb(lo), arb(hi)
    out, width = [], (hi - lo) / pieces
    for j in range(pieces):
        centre, half = lo + width * (2 * j + 1) / 2, width / 2
        out += [(centre + half * x, half * w) for x, w in _legendre(n, ctx.dps)]
    return out


def _npdf(x):
    return (-x * x / 2).exp() / (2 * arb.pi()).sqrt()


def _arb(v) -> arb:
    return arb(str(sp.N(v, 45)))


L = 13  # phi(13) ~ 1e-37: the truncation of (-oo, oo) to [-L, L] costs nothing at 25 digits


# ------------------------------------------------------------------------------------------------ Phi2 itself

def test_special_values():
    assert Phi2(a, b, 0) == Phi(a) * Phi(b)
    assert Phi2(0, 0, rho) == R(1, 4) + sp.asin(rho) / (2 * sp.pi)
    assert Phi2(0, 0, R(1, 2)) == R(1, 4) + R(1, 12)  # Sheppard: 1/4 + (pi/6)/(2 pi) = 1/3
    assert Phi2(a, b, 1) == Phi(sp.Min(a, b))
    assert Phi2(a, b, -1) == sp.Max(0, Phi(a) + Phi(b) - 1)
    assert Phi2(sp.oo, b, rho) == Phi(b) and Phi2(a, sp.oo, rho) == Phi(a)
    assert Phi2(-sp.oo, b, rho) == 0 and Phi2(a, -sp.oo, rho) == 0
    assert isinstance(Phi2(a, b, rho), Phi2) and Phi2(a, b, rho).is_real is None
    assert Phi2(a, b, R(1, 3)).is_real


def test_latex():
    assert sp.latex(Phi2(a, b, rho)) == r"\Phi_2\left(a, b; \rho\right)"
    assert sp.latex(Phi2(a, b, rho) ** 2) == r"\Phi_2\left(a, b; \rho\right)^{2}"


def _phi2_density_quadrature(x, y, r, pieces=10, n=24):
    """int_-L^x int_-L^y phi2(u, v; r) dv du, Gauss-Legendre in both variables (arb at the context precision)."""
    r, s = _arb(r), (1 - _arb(r) ** 2).sqrt()
    inner_rule = _rule(-L, y, pieces, n)
    total = arb(0)
    for u, wu in _rule(-L, x, pieces, n):
        inner = sum((w * (-(u * u - 2 * r * u * v + v * v) / (2 * s * s)).exp() for v, w in inner_rule), arb(0))
        total += wu * inner
    return total / (2 * arb.pi() * s)


@pytest.mark.parametrize("x, y, r", [(R(1, 3), R(-1, 2), R(2, 5)), (R(-6, 5), R(7, 10), R(-3, 5)),
                                     (R(3, 2), R(2), R(7, 10))])
def test_evalf_against_2d_quadrature_of_the_density(dps40, x, y, r):
    reference = _phi2_density_quadrature(_arb(x), _arb(y), r)
    value = _arb(Phi2(x, y, r).evalf(35))
    assert abs(value - reference).upper() < arb("1e-30") * abs(reference).lower()


def _drezner(x, y, r, dps: int) -> mpmath.mpf:
    """Phi(x) Phi(y) + (1/2 pi) int_0^asin r exp(-(x^2 - 2 x y sin t + y^2)/(2 cos^2 t)) dt (r > 0), or from
    r = -1: max(0, Phi(x) - Phi(-y)) + (1/2 pi) int_-pi/2^asin r ... (r < 0); the integrand is scaled to its
    largest value so mpmath's absolute tolerance is a relative one."""
    with mpmath.workdps(dps + 20):
        x, y, r = (mpmath.mpf(str(sp.N(v, dps + 30))) for v in (x, y, r))

        def exponent(t):  # -(x^2 - 2 x y sin t + y^2)/(2 cos^2 t), written without cancellation near t = +-pi/2
            if t >= 0:
                return -(x - y) ** 2 / (2 * mpmath.cos(t) ** 2) - x * y / (1 + mpmath.sin(t))
            return -(x + y) ** 2 / (2 * mpmath.cos(t) ** 2) + x * y / (1 - mpmath.sin(t))

        if r > 0:
            lo, base = mpmath.mpf(0), mpmath.ncdf(x) * mpmath.ncdf(y)
        else:
            lo, base = -mpmath.pi / 2, max(mpmath.mpf(0), mpmath.ncdf(x) - mpmath.ncdf(-y))
        top = mpmath.asin(r)
        grid = mpmath.linspace(lo, top, 200)[1:-1]
        peak = max(exponent(t) for t in grid)
        integral = mpmath.quad(lambda t: mpmath.exp(exponent(t) - peak), mpmath.linspace(lo, top, 40))
        return base + integral * mpmath.exp(peak) / (2 * mpmath.pi)


@pytest.mark.parametrize("x, y, r", [
    (R(1, 3), R(-1, 2), R(2, 5)), (sp.sqrt(2), sp.pi, R(999, 1000)), (R(-3), R(3), R(-99, 100)), (20, -20, R(-1, 3)),
    (R(-6), R(-6), R(1, 2)), (R(-30), R(-1), R(1, 3)), (R(-8), R(-7), R(-9, 10)), (R(1), R(2), R(-1, 7)),
    (R(2), R(2), R(-999999, 1000000))])
def test_evalf_50_digits(x, y, r):
    """50 correct digits, far tails (values down to 1e-249) and |rho| near 1 included."""
    value = Phi2(x, y, r).evalf(50)
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(str(value)) / _drezner(x, y, r, 60) - 1) < 1e-49


def test_evalf_against_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = random.Random(7)
    for _ in range(5):
        x, y, r = rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-0.9, 0.9)
        expected = stats.multivariate_normal(mean=[0, 0], cov=[[1, r], [r, 1]]).cdf([x, y])
        assert abs(float(Phi2(sp.Float(x), sp.Float(y), sp.Float(r))) - expected) < 1e-7


def test_float_arguments_evaluate_and_symbols_do_not():
    assert isinstance(Phi2(sp.Float(0.5), sp.Float(-0.25), sp.Float(0.3)), sp.Float)
    assert isinstance(Phi2(a, R(1, 2), R(1, 3)).evalf(), Phi2)
    assert isinstance(Phi2(R(1, 2), R(1, 2), R(3)).evalf(), Phi2)  # |rho| > 1: not a probability


def test_derivatives_against_finite_differences():
    point = (R(2, 7), R(-3, 5), R(-4, 9))
    step = R(1, 10**15)
    for index, symbol in enumerate((a, b, rho)):
        exact = sp.diff(Phi2(a, b, rho), symbol).subs(dict(zip((a, b, rho), point))).evalf(40)
        up, down = list(point), list(point)
        up[index] += step
        down[index] -= step
        difference = (Phi2(*up).evalf(60) - Phi2(*down).evalf(60)) / (2 * step)
        assert abs(exact - difference) < 1e-28, (symbol, exact, difference)


def test_derivative_formulas_and_higher_orders():
    P = Phi2(a, b, rho)
    root = sp.sqrt(1 - rho**2)
    assert sp.diff(P, a) == phi(a) * Phi((b - rho * a) / root)
    assert sp.diff(P, b) == phi(b) * Phi((a - rho * b) / root)
    assert sp.diff(P, rho) == phi2(a, b, rho)
    # Plackett's identity Phi2_ab = Phi2_rho and Phi2_aa = -a Phi2_a - rho Phi2_rho, to second and third order
    assert vanishes_by_exponent_normalisation(sp.diff(P, a, b) - sp.diff(P, rho))
    assert vanishes_by_exponent_normalisation(sp.diff(P, a, 2) + a * sp.diff(P, a) + rho * sp.diff(P, rho))
    assert vanishes_by_exponent_normalisation(sp.diff(P, a, 2, b) - sp.diff(P, a, rho))
    assert not vanishes_by_exponent_normalisation(sp.diff(P, a, 2))


# ----------------------------------------------------------------------------------- the entries with a bias

def _points():
    rng = random.Random(2024)
    out = []
    for _ in range(3):
        m1, m2 = (R(rng.choice([-1, 1]) * rng.randint(10, 150), 100) for _ in range(2))
        s11, s22 = (R(rng.randint(50, 200), 100) for _ in range(2))
        out.append(Pair(m1, m2, s11, s22, R(rng.randint(-80, 80), 100) * min(s11, s22)))
    return out


def _expectation(name: str, p: Pair):
    """E[f(h) f(g)] by 2-D Gauss-Legendre quadrature over (X, Z) ~ N(0, I) (arb at the context precision)."""
    m1, m2, s11, s22, s12 = (_arb(v) for v in p)
    sigma1 = s11.sqrt()
    beta, t = s12 / sigma1, (s22 - s12 * s12 / s11).sqrt()
    if name == "erf":
        f = arb.erf
    else:
        root2 = arb(2).sqrt()

        def f(y):
            return (1 + (y / root2).erf()) / 2
    rule = _rule(-L, L, 10)
    total = arb(0)
    for x, wx in rule:
        mean = m2 + beta * x
        inner = sum((w * _npdf(z) * f(mean + t * z) for z, w in rule), arb(0))
        total += wx * _npdf(x) * f(m1 + sigma1 * x) * inner
    return total


@pytest.mark.parametrize("name", BIASED)
def test_entry_against_2d_quadrature(dps40, name):
    entry = gaussian_entry(get_activation(name), True)
    assert entry.elementary is False and "Phi2" in entry.formula
    for p in _points():
        value = _arb(entry.cross(p))
        reference = _expectation(name, p)
        assert abs(value - reference).upper() < arb("1e-22"), (name, p, value, reference)


@pytest.mark.parametrize("name", BIASED)
def test_entry_without_means_is_the_unbiased_entry(name):
    """At m1 = m2 = 0 the entries reduce to the table's entries without a bias (Williams / Sheppard)."""
    biased, plain = gaussian_entry(get_activation(name), True), gaussian_entry(get_activation(name), False)
    for p in _points():
        p0 = p._replace(m1=0, m2=0)
        assert abs(sp.N(biased.cross(p0) - plain.cross(p0), 40)) < 1e-38


@pytest.mark.parametrize("name", BIASED)
def test_heat_equations_symbolically(name):
    """dC/ds11 = C_m1m1/2, dC/ds22 = C_m2m2/2, dC/ds12 = C_m1m2 hold as identities (sp.simplify alone does not
    reduce them; the exponent normalisation does), and fail for a wrong entry."""
    c = gaussian_entry(get_activation(name), True).cross(SYMBOLIC_PAIR)
    for residual in (sp.diff(c, _S11) - sp.diff(c, _M1, 2) / 2, sp.diff(c, _S22) - sp.diff(c, _M2, 2) / 2,
                     sp.diff(c, _S12) - sp.diff(c, _M1, _M2)):
        assert vanishes_by_exponent_normalisation(residual)
    wrong = c.subs(_S11, 2 * _S11)
    assert not vanishes_by_exponent_normalisation(sp.diff(wrong, _S11) - sp.diff(wrong, _M1, 2) / 2)


def check_entry_numerically(entry: GaussianEntry, digits: int = 40, points: int = 5, seed: int = 0) -> str:
    """An independent numerical check of the residuals that ``closedform.model.gaussian.check_entry`` proves
    symbolically (with means: the heat equations dC/ds11 = C_m1m1/2, dC/ds22 = C_m2m2/2, dC/ds12 = C_m1m2;
    without: Price's theorem). The residuals are differentiated symbolically, then evaluated to ``digits`` digits
    at ``points`` seeded random rational points (|m| <= 2, variances in [1/4, 3], |correlation| <= 9/10); each
    must be below 10^-(3 digits/4) (1e-30 at 40 digits) in absolute value, else AssertionError."""
    rng = random.Random(seed)
    c = entry.cross(SYMBOLIC_PAIR)
    if entry.price is None:
        residuals = [sp.diff(c, _S11) - sp.diff(c, _M1, 2) / 2, sp.diff(c, _S22) - sp.diff(c, _M2, 2) / 2,
                     sp.diff(c, _S12) - sp.diff(c, _M1, _M2)]
        how = "the heat equations dC/ds11 = C_m1m1/2, dC/ds22 = C_m2m2/2 and dC/ds12 = C_m1m2 (Stein's identity)"
    else:
        residuals = [sp.diff(c, _S12) - entry.price(SYMBOLIC_PAIR)]
        how = "Price's theorem dC/ds12 = E[f'(h) f'(g)] (Stein's identity; E[f' f'] by its own formula)"
    tolerance = R(1, 10 ** ((3 * digits) // 4))
    for _ in range(points):
        s11, s22 = (R(rng.randint(25, 300), 100) for _ in range(2))
        point = {_M1: R(rng.randint(-200, 200), 100), _M2: R(rng.randint(-200, 200), 100),
                 _S11: s11, _S22: s22, _S12: R(rng.randint(-90, 90), 100) * min(s11, s22)}
        for residual in residuals:
            value = sp.N(residual.xreplace(point), digits)
            if not value.is_number or value.has(sp.nan, sp.zoo) or not abs(value) < tolerance:
                raise AssertionError(f"table entry {entry.activation}: {entry.formula} fails its numerical check at "
                                     f"{point}: residual {value}")
    return f"{how} hold at {points} random rational points to {digits} digits (|residual| < 1e-{(3 * digits) // 4})"


@pytest.mark.parametrize("name", BIASED)
def test_check_entry_numerically(name):
    entry = gaussian_entry(get_activation(name), True)
    assert "hold at 5 random rational points to 40 digits" in check_entry_numerically(entry)
    wrong = GaussianEntry(name, "wrong", "none", lambda p: entry.cross(p._replace(m1=p.m1 * R(11, 10))),
                          elementary=False)
    with pytest.raises(AssertionError, match="fails its numerical check"):
        check_entry_numerically(wrong, points=1)


def test_student_without_weights():
    """s11 = s12 = 0 (w = 0, h = m1 constant): E[f(h) f(g)] = f(m1) E[f(g)]; probit and erf evaluate there directly."""
    m1, m2, s22 = R(1, 2), R(-1, 3), R(3, 2)
    for name in ("probit", "erf"):
        activation = gaussian_entry(get_activation(name), True)
        f = get_activation(name).expr
        h = list(f.free_symbols)[0]
        mean_g = {"probit": Phi(m2 / sp.sqrt(1 + s22)), "erf": sp.erf(m2 / sp.sqrt(1 + 2 * s22))}[name]
        assert sp.simplify(activation.cross(Pair(m1, m2, 0, s22, 0)) - f.subs(h, m1) * mean_g) == 0


@pytest.mark.parametrize("spec", [("relu",), ("leaky_relu", "1/10")])
@pytest.mark.parametrize("sign", [1, -1])
def test_relu_with_a_bias_meets_its_line_branches(spec, sign):
    """Rosenbaum's form (relu, leaky_relu with a bias) is 0/0 where h and g are perfectly correlated (rho = +-1:
    every student in d = 1, the teacher's line); the entry's ``line`` branches are its limits there. Just off the
    line (rho = sign (1 - 10^-24)) the general form, evaluated at 60 digits through Phi2, agrees with the branch
    that holds to 10^-9 (the gap is O(sqrt(1 - |rho|)))."""
    entry = gaussian_entry(get_activation(*spec), True)
    s11, s22 = sp.Rational(3, 2), sp.Rational(5, 4)
    for m1, m2 in [(sp.Rational(1, 3), sp.Rational(-1, 2)), (sp.Rational(-1, 4), sp.Rational(3, 4)), (1, 1)]:
        on_line = Pair(m1, m2, s11, s22, sign * sp.sqrt(s11 * s22))
        assert entry.cross(on_line).has(sp.nan, sp.zoo) or not sp.N(entry.cross(on_line)).is_finite  # 0/0 there
        near = Pair(m1, m2, s11, s22, sign * (1 - sp.Rational(1, 10**24)) * sp.sqrt(s11 * s22))
        with mpmath.workdps(60):
            general = sp.lambdify((), entry.cross(near), [MPMATH, "mpmath"])()
        (branch,) = [c for c, domain in entry.line(on_line, sign) if sp.N(domain) >= 0][:1]
        assert abs(general - mpmath.mpf(sp.N(branch, 30))) < 1e-9, (m1, m2, general, sp.N(branch, 30))
