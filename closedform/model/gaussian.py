"""The table of Gaussian integrals: E[f(h) f(g)] in closed form for a bivariate normal pair (h, g).

With (h, g) ~ N((m1, m2), [[s11, s12], [s12, s22]]) each registered entry gives C = E[f(h) f(g)] as a SymPy
expression (E[f(h)^2] is C at m2 = m1, s22 = s12 = s11) and names its source. An entry is checked where it is
used by a second formula through Stein's identity E[x phi(x)] = E[phi'(x)]: with a mean, the heat equations
dC/ds11 = (1/2) d^2C/dm1^2 and dC/ds12 = d^2C/dm1 dm2 (SymPy differentiates the entry); without one, Price's
theorem dC/ds12 = E[f'(h) f'(g)], the right side from its own formula (``price``). Activations without an entry
(sigmoid, tanh, softplus, silu: the logistic-normal integral has no known closed form) are refused by name.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional

import sympy as sp

from ..errors import InputError
from .activations import Activation
from .bivariate import Phi, Phi2, phi, vanishes_by_exponent_normalisation
from .symbols import h


class Pair(NamedTuple):
    """Means and covariance of (h, g)."""

    m1: sp.Expr
    m2: sp.Expr
    s11: sp.Expr
    s22: sp.Expr
    s12: sp.Expr


@dataclass(frozen=True)
class GaussianEntry:
    """One closed form of E[f(h) f(g)]. ``elementary``: False when it uses a special function (points found
    through it are certified numbers, never exact); ``kink_at_zero``: f is positively homogeneous without a
    bias, so the population loss is not differentiable at w = 0 (a kink handled by one-sided models)."""

    activation: str
    formula: str
    source: str
    cross: Callable[[Pair], sp.Expr]
    price: Optional[Callable[[Pair], sp.Expr]] = None  # E[f'(h) f'(g)] by its own formula (no-mean entries)
    elementary: bool = True
    kink_at_zero: bool = False
    second: Optional[Callable[[sp.Expr, sp.Expr], sp.Expr]] = None  # E[f(h)^2] where cross is 0/0 at rho = 1
    line: Optional[Callable[[Pair, int], list]] = None  # cross at rho = +-1 as branches (expression, domain > 0)
    mean: Optional[Callable[[sp.Expr, sp.Expr], sp.Expr]] = None  # E[f(h)] for h ~ N(m, s)

    def second_moment(self, m: sp.Expr, s: sp.Expr) -> sp.Expr:
        """E[f(h)^2] for h ~ N(m, s)."""
        return self.second(m, s) if self.second is not None else self.cross(Pair(m, m, s, s, s))


_M1, _M2 = sp.symbols("m1 m2", real=True)
_S11, _S22 = sp.symbols("s11 s22", positive=True)
_S12 = sp.Symbol("s12", real=True)
SYMBOLIC_PAIR = Pair(_M1, _M2, _S11, _S22, _S12)


def _isserlis(activation: Activation, bias: bool) -> GaussianEntry:
    """Polynomial f = sum a_j h^j: E[h^j g^k] = d^j/ds^j d^k/dt^k M(s, t) at 0, with the moment generating
    function M = exp(m1 s + m2 t + (s11 s^2 + 2 s12 s t + s22 t^2)/2)."""
    coefficients = sp.Poly(activation.expr, h).all_coeffs()[::-1]

    def cross(pair: Pair) -> sp.Expr:
        return sp.expand(sum(a * b * _moment(j, k).subs(dict(zip(SYMBOLIC_PAIR, pair)), simultaneous=True)
                             for j, a in enumerate(coefficients) for k, b in enumerate(coefficients) if a and b))

    return GaussianEntry(activation.name, "sum_jk a_j a_k E[h^j g^k] (moment generating function)",
                         "Isserlis (1918): moments of the normal distribution", cross)


@functools.lru_cache(maxsize=None)
def _moment(j: int, k: int) -> sp.Expr:
    s, t = sp.symbols("s t")
    m = sp.exp(_M1 * s + _M2 * t + (_S11 * s**2 + 2 * _S12 * s * t + _S22 * t**2) / 2)
    return sp.expand(sp.diff(m, s, j, t, k).subs({s: 0, t: 0}))


def _lognormal(activation: Activation, bias: bool) -> GaussianEntry:
    return GaussianEntry(activation.name, "E[e^h e^g] = exp(m1 + m2 + (s11 + 2 s12 + s22)/2)",
                         "the log-normal moments (moment generating function of h + g)",
                         lambda p: sp.exp(p.m1 + p.m2 + (p.s11 + 2 * p.s12 + p.s22) / 2))


def _arc_cosine(pair: Pair) -> sp.Expr:
    """E[relu(h) relu(g)] = sqrt(s11 s22)/(2 pi) (sin theta + (pi - theta) cos theta), cos theta = s12/sqrt(s11 s22)."""
    scale = sp.sqrt(pair.s11 * pair.s22)
    rho = pair.s12 / scale
    return scale / (2 * sp.pi) * (sp.sqrt(1 - rho**2) + (sp.pi - sp.acos(rho)) * rho)


def _sheppard(pair: Pair) -> sp.Expr:
    """P(h > 0, g > 0) = 1/4 + asin(rho)/(2 pi) (Sheppard 1899), rho the correlation."""
    return sp.Rational(1, 4) + sp.asin(pair.s12 / sp.sqrt(pair.s11 * pair.s22)) / (2 * sp.pi)


def _relu(activation: Activation, bias: bool) -> GaussianEntry:
    """leaky_relu(a)(h) = a h + (1 - a) relu(h) and E[h relu(g)] = s12/2 (Stein), so E[f(h) f(g)] =
    a s12 + (1 - a)^2 J(h, g) with J the arc-cosine kernel; relu is a = 0."""
    a = activation.piecewise_linear[0]
    return GaussianEntry(activation.name, "a s12 + (1 - a)^2 sqrt(s11 s22)/(2 pi) (sin theta + (pi - theta) cos theta)",
                         "Cho & Saul (2009), arc-cosine kernel of degree 1",
                         lambda p: a * p.s12 + (1 - a) ** 2 * _arc_cosine(p),
                         price=lambda p: a**2 + a * (1 - a) + (1 - a) ** 2 * _sheppard(p), kink_at_zero=True)


def _rosenbaum(p: Pair) -> sp.Expr:
    """E[relu(h) relu(g)] with means (Rosenbaum 1961, moments of a truncated bivariate normal): with
    a_i = m_i/sigma_i, rho the correlation and c = sqrt(1 - rho^2),
    (m1 m2 + s12) Phi2(a1, a2; rho) + m1 sigma2 phi(a2) Phi((a1 - rho a2)/c) + m2 sigma1 phi(a1) Phi((a2 - rho a1)/c)
    + sigma1 sigma2 c phi(a1) phi((a2 - rho a1)/c)."""
    s1, s2 = sp.sqrt(p.s11), sp.sqrt(p.s22)
    rho = p.s12 / (s1 * s2)
    a1, a2, c = p.m1 / s1, p.m2 / s2, sp.sqrt(1 - rho**2)
    return ((p.m1 * p.m2 + p.s12) * Phi2(a1, a2, rho) + p.m1 * s2 * phi(a2) * Phi((a1 - rho * a2) / c)
            + p.m2 * s1 * phi(a1) * Phi((a2 - rho * a1) / c) + s1 * s2 * c * phi(a1) * phi((a2 - rho * a1) / c))


def _rosenbaum_on_line(p: Pair, sign: int) -> list:
    """E[relu(h) relu(g)] when rho = sign (h, g on one line: h = m1 + sigma1 Z, g = m2 + sign sigma2 Z): an
    integral of a quadratic in Z over an interval, as branches (expression, domain): each holds where domain > 0
    (on a domain's boundary the neighbouring branches agree). rho = 1: Z > -min(a1, a2); rho = -1:
    -a1 < Z < a2, empty when a1 + a2 <= 0."""
    s1, s2 = sp.sqrt(p.s11), sp.sqrt(p.s22)
    a1, a2 = p.m1 / s1, p.m2 / s2
    if sign > 0:
        def above(u):  # E[(m1 + s1 Z)(m2 + s2 Z) 1{Z > -u}]
            return (p.m1 * p.m2 + s1 * s2) * Phi(u) + (p.m1 * s2 + p.m2 * s1 - s1 * s2 * u) * phi(u)
        return [(above(a1), a2 - a1), (above(a2), a1 - a2)]
    between = (p.m1 * p.m2 * (Phi(a2) - Phi(-a1)) + (s1 * p.m2 - s2 * p.m1) * (phi(a1) - phi(a2))
               - s1 * s2 * (Phi(a2) - Phi(-a1) - a2 * phi(a2) - a1 * phi(a1)))
    return [(between, a1 + a2), (sp.Integer(0), -a1 - a2)]


def _relu_mean(m, s) -> sp.Expr:
    """E[relu(h)] = m Phi(m/sigma) + sigma phi(m/sigma) for h ~ N(m, s)."""
    sigma = sp.sqrt(s)
    return m * Phi(m / sigma) + sigma * phi(m / sigma)


def _relu_moment(m, s) -> sp.Expr:
    """E[relu(h)^2] = (m^2 + s) Phi(m/sigma) + m sigma phi(m/sigma) for h ~ N(m, s)."""
    sigma = sp.sqrt(s)
    return (m**2 + s) * Phi(m / sigma) + m * sigma * phi(m / sigma)


def _relu_bias(activation: Activation, bias: bool) -> GaussianEntry:
    """With means, f = a h + (1 - a) relu(h): E[f(h) f(g)] = a^2 (m1 m2 + s12) + a (1 - a) (E[h relu(g)] +
    E[relu(h) g]) + (1 - a)^2 E[relu(h) relu(g)], where E[h relu(g)] = m1 E[relu(g)] + s12 Phi(a2) (Stein) and
    E[relu(g)] = m2 Phi(a2) + sigma2 phi(a2); the last term is Rosenbaum's. It is 0/0 on the teacher's line
    (rho = +-1), where ``line`` gives its limit in closed form."""
    a = activation.piecewise_linear[0]

    def mixed(p: Pair, relu_relu) -> sp.Expr:
        s1, s2 = sp.sqrt(p.s11), sp.sqrt(p.s22)
        h_relu_g = p.m1 * _relu_mean(p.m2, p.s22) + p.s12 * Phi(p.m2 / s2)
        relu_h_g = p.m2 * _relu_mean(p.m1, p.s11) + p.s12 * Phi(p.m1 / s1)
        return a**2 * (p.m1 * p.m2 + p.s12) + a * (1 - a) * (h_relu_g + relu_h_g) + (1 - a) ** 2 * relu_relu

    return GaussianEntry(
        activation.name, "a^2 (m1 m2 + s12) + a (1 - a) (E[h relu(g)] + E[relu(h) g]) + (1 - a)^2 [(m1 m2 + s12) "
        "Phi2(a1, a2; rho) + m1 sigma2 phi(a2) Phi((a1 - rho a2)/c) + m2 sigma1 phi(a1) Phi((a2 - rho a1)/c) + "
        "sigma1 sigma2 c phi(a1) phi((a2 - rho a1)/c)], a_i = m_i/sigma_i, c = sqrt(1 - rho^2)",
        "Rosenbaum (1961), moments of a truncated bivariate normal; Stein's identity for the mixed terms",
        lambda p: mixed(p, _rosenbaum(p)), elementary=False, kink_at_zero=True,
        second=lambda m, s: a**2 * (m**2 + s) + (1 - a**2) * _relu_moment(m, s),
        line=lambda p, sign: [(mixed(p, e), domain) for e, domain in _rosenbaum_on_line(p, sign)],
        mean=lambda m, s: a * m + (1 - a) * _relu_mean(m, s))


def _erf(activation: Activation, bias: bool) -> GaussianEntry:
    return GaussianEntry(activation.name, "(2/pi) asin(2 s12 / sqrt((1 + 2 s11)(1 + 2 s22)))",
                         "Williams (1998), Computation with infinite neural networks",
                         lambda p: 2 / sp.pi * sp.asin(2 * p.s12 / sp.sqrt((1 + 2 * p.s11) * (1 + 2 * p.s22))),
                         price=lambda p: 4 / sp.pi / sp.sqrt((1 + 2 * p.s11) * (1 + 2 * p.s22) - 4 * p.s12**2))


def _probit(activation: Activation, bias: bool) -> GaussianEntry:
    """probit(h) = P(Z <= h), so E[probit(h) probit(g)] is an orthant probability of a normal pair with
    correlation s12/sqrt((1 + s11)(1 + s22)) (Sheppard's formula)."""
    return GaussianEntry(activation.name, "1/4 + asin(s12 / sqrt((1 + s11)(1 + s22)))/(2 pi)",
                         "Sheppard (1899) orthant probability; Williams (1998)",
                         lambda p: sp.Rational(1, 4) + sp.asin(p.s12 / sp.sqrt((1 + p.s11) * (1 + p.s22))) / (2 * sp.pi),
                         price=lambda p: 1 / (2 * sp.pi * sp.sqrt((1 + p.s11) * (1 + p.s22) - p.s12**2)))


def _probit_bias(activation: Activation, bias: bool) -> GaussianEntry:
    """With means: probit(h) = P(Z <= h) for an independent Z ~ N(0, 1), so E[probit(h) probit(g)] =
    P(Z1 - h <= 0, Z2 - g <= 0), and (Z1 - h, Z2 - g) has means (-m1, -m2), variances 1 + s11, 1 + s22 and
    covariance s12: standardising gives the bivariate normal CDF."""
    def cross(p: Pair) -> sp.Expr:
        return Phi2(p.m1 / sp.sqrt(1 + p.s11), p.m2 / sp.sqrt(1 + p.s22),
                    p.s12 / sp.sqrt((1 + p.s11) * (1 + p.s22)))

    return GaussianEntry(activation.name, "Phi2(m1/sqrt(1 + s11), m2/sqrt(1 + s22); s12/sqrt((1 + s11)(1 + s22)))",
                         "the bivariate normal CDF Phi2 (Owen 1956; Genz 2004), via probit(h) = P(Z <= h)",
                         cross, elementary=False)


def _erf_bias(activation: Activation, bias: bool) -> GaussianEntry:
    """With means: erf(h) = 2 Phi(sqrt2 h) - 1, so E[erf(h) erf(g)] = 4 E[Phi(sqrt2 h) Phi(sqrt2 g)]
    - 2 E[Phi(sqrt2 h)] - 2 E[Phi(sqrt2 g)] + 1; (sqrt2 h, sqrt2 g) has means sqrt2 (m1, m2) and covariance
    2 [[s11, s12], [s12, s22]], so the probit entry gives the first term and E[Phi(sqrt2 h)] =
    Phi(sqrt2 m1/sqrt(1 + 2 s11)), i.e. 2 E[Phi(sqrt2 h)] - 1 = E[erf(h)] = erf(m1/sqrt(1 + 2 s11))."""
    def cross(p: Pair) -> sp.Expr:
        d1, d2 = sp.sqrt(1 + 2 * p.s11), sp.sqrt(1 + 2 * p.s22)
        return (4 * Phi2(sp.sqrt(2) * p.m1 / d1, sp.sqrt(2) * p.m2 / d2, 2 * p.s12 / (d1 * d2))
                - 1 - sp.erf(p.m1 / d1) - sp.erf(p.m2 / d2))

    return GaussianEntry(activation.name, "4 Phi2(sqrt2 m1/sqrt(1 + 2 s11), sqrt2 m2/sqrt(1 + 2 s22); "
                         "2 s12/sqrt((1 + 2 s11)(1 + 2 s22))) - 1 - erf(m1/sqrt(1 + 2 s11)) - erf(m2/sqrt(1 + 2 s22))",
                         "the bivariate normal CDF Phi2 (Owen 1956; Genz 2004), via erf(h) = 2 Phi(sqrt2 h) - 1",
                         cross, elementary=False)


# (activation key, bias) -> entry; None for the bias means "with or without".
TABLE: dict[tuple, Callable[[Activation, bool], GaussianEntry]] = {
    ("identity", None): _isserlis, ("square", None): _isserlis, ("polynomial", None): _isserlis,
    ("exp", None): _lognormal,
    ("relu", False): _relu, ("leaky_relu", False): _relu,
    ("erf", False): _erf, ("probit", False): _probit,
    ("erf", True): _erf_bias, ("probit", True): _probit_bias,
    ("relu", True): _relu_bias, ("leaky_relu", True): _relu_bias,
}
NO_CLOSED_FORM = ("sigmoid", "tanh", "softplus", "silu", "custom")


def gaussian_entry(activation: Activation, bias: bool) -> GaussianEntry:
    """The table's entry for ``activation`` (``bias``: with nonzero means, from the student's or the teacher's
    bias), or an :class:`InputError` that says why there is none and what to use instead."""
    key = activation.key[0] if activation.key else activation.name
    factory = TABLE.get((key, None)) or TABLE.get((key, bias))
    if factory is not None:
        return factory(activation, bias)
    if key in NO_CLOSED_FORM:
        raise InputError(f"activation {activation.name!r} has no known closed form of its Gaussian integral (the "
                         f"logistic-normal integral); use 'probit' (sigmoid(h) ~ probit(sqrt(pi/8) h) within 0.018) "
                         f"or 'erf', or population='numeric' (--population numeric)")
    raise InputError(f"activation {activation.name!r}{' with a bias' if bias else ''} has no entry in the table of "
                     f"Gaussian integrals; entries: {', '.join(sorted({k for k, b in TABLE if b in (None, bias)}))}")


def check_entry(entry: GaussianEntry) -> str:
    """Check ``entry`` by Stein's identity (see the module docstring) and say how; raise AssertionError when the
    two formulas disagree (a wrong table entry is a bug, never an answer)."""
    c = entry.cross(SYMBOLIC_PAIR)
    if entry.price is None:
        residuals = [sp.diff(c, _S11) - sp.diff(c, _M1, 2) / 2, sp.diff(c, _S12) - sp.diff(c, _M1, _M2)]
        how = "the heat equations dC/ds11 = C_m1m1/2 and dC/ds12 = C_m1m2 (Stein's identity) hold symbolically"
    else:
        residuals = [sp.diff(c, _S12) - entry.price(SYMBOLIC_PAIR)]
        how = "Price's theorem dC/ds12 = E[f'(h) f'(g)] holds symbolically (Stein's identity; E[f' f'] by its own formula)"
    if entry.second is not None:  # E[f(h)^2] = E[psi(h)] solves the heat equation in (m, s) as well
        moment = entry.second(_M1, _S11)
        residuals.append(sp.diff(moment, _S11) - sp.diff(moment, _M1, 2) / 2)
        how += "; E[f(h)^2] by its own formula, checked by the heat equation"
    for residual in residuals:
        if not _vanishes(residual, entry.elementary):
            raise AssertionError(f"table entry {entry.activation}: {entry.formula} fails its check: {residual}")
    return how


def _vanishes(residual, elementary: bool) -> bool:
    """residual == 0 proved: for entries through Phi2 the exponent normalisation of :mod:`.bivariate` (equal
    exponentials and erf(-x) = -erf(x) seen as such), else SymPy's simplify (acos written as pi/2 - asin)."""
    if not elementary and vanishes_by_exponent_normalisation(residual):  # fast where it applies; simplify is not
        return True
    return sp.simplify(residual.replace(sp.acos, lambda x: sp.pi / 2 - sp.asin(x))) == 0
