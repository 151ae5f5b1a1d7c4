r"""The bivariate normal CDF as a SymPy function: Phi2(a, b, rho) = P(X <= a, Y <= b).

(X, Y) are standard normals with correlation rho, |rho| <= 1. Phi2 is a special function (not elementary);
SymPy knows:

* exact special values: rho = 0 gives Phi(a) Phi(b) (independence); a = b = 0 gives Sheppard's orthant
  probability 1/4 + asin(rho)/(2 pi) (Sheppard 1899); rho = 1 gives Phi(min(a, b)); rho = -1 gives
  max(0, Phi(a) + Phi(b) - 1); an infinite a or b gives 0 or the other margin. Here
  Phi(x) = (1 + erf(x/sqrt 2))/2 and phi(x) = exp(-x^2/2)/sqrt(2 pi).
* the derivatives (``fdiff``), so expressions containing Phi2 differentiate to any order:

      dPhi2/da   = phi(a) Phi((b - rho a)/sqrt(1 - rho^2))      (X = a, then Y <= b given X = a)
      dPhi2/db   = phi(b) Phi((a - rho b)/sqrt(1 - rho^2))
      dPhi2/drho = phi2(a, b; rho)
                 = exp(-(a^2 - 2 rho a b + b^2)/(2 (1 - rho^2)))/(2 pi sqrt(1 - rho^2))

  the last is Plackett's identity (Plackett 1954): the density's rho-derivative equals its mixed
  (a, b)-derivative, the heat equation of the normal family.
* numbers at any precision (``evalf``): conditioning on X,

      Phi2(a, b, rho) = int_-oo^a phi(u) Phi((b - rho u)/sqrt(1 - rho^2)) du,

  a positive, log-concave integrand (nothing cancels, even far in the tails), integrated by mpmath's tanh-sinh
  quadrature at the requested precision plus guard bits (more for large |a|, |b| and for |rho| near 1),
  scaled to height and width 1 around the integrand's mode and split there and, for |rho| near 1, around the
  step of Phi (see ``_breakpoints``); mpmath's error estimate is checked against the requested precision. The test
  suite compares it with Plackett's / Drezner's form Phi(a) Phi(b) + int_0^rho phi2(a, b; s) ds (Drezner &
  Wesolowsky 1990; Genz 2004) and with a 2-D quadrature of the density.

Sources: D. B. Owen (1956), Tables for computing bivariate normal probabilities, Ann. Math. Statist. 27;
R. L. Plackett (1954), A reduction formula for normal multivariate integrals, Biometrika 41;
Z. Drezner & G. O. Wesolowsky (1990), On the computation of the bivariate normal integral, J. Statist. Comput.
Simul. 35; A. Genz (2004), Numerical computation of rectangular bivariate and trivariate normal and t
probabilities, Statistics and Computing 14.
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
from mpmath.libmp import prec_to_dps
from sympy.core.function import ArgumentIndexError


def Phi(x) -> sp.Expr:
    """The standard normal CDF (1 + erf(x/sqrt 2))/2 (the same expression as the 'probit' activation)."""
    return (1 + sp.erf(x / sp.sqrt(2))) / 2


def phi(x) -> sp.Expr:
    """The standard normal density exp(-x^2/2)/sqrt(2 pi)."""
    return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)


def phi2(a, b, rho) -> sp.Expr:
    """The standard bivariate normal density with correlation rho at (a, b)."""
    return sp.exp(-(a**2 - 2 * rho * a * b + b**2) / (2 * (1 - rho**2))) / (2 * sp.pi * sp.sqrt(1 - rho**2))


class Phi2(sp.Function):
    r"""P(X <= a, Y <= b) for standard normals X, Y with correlation rho (see the module docstring)."""

    nargs = 3

    @classmethod
    def eval(cls, a, b, rho):
        if a is sp.S.NegativeInfinity or b is sp.S.NegativeInfinity:
            return sp.S.Zero
        if a is sp.S.Infinity:
            return Phi(b)
        if b is sp.S.Infinity:
            return Phi(a)
        if rho.is_zero:
            return Phi(a) * Phi(b)
        if a.is_zero and b.is_zero:
            return sp.Rational(1, 4) + sp.asin(rho) / (2 * sp.pi)
        if rho == 1:
            return Phi(sp.Min(a, b))
        if rho == -1:
            return sp.Max(0, Phi(a) + Phi(b) - 1)
        return None

    def fdiff(self, argindex=1):
        a, b, rho = self.args
        root = sp.sqrt(1 - rho**2)
        if argindex == 1:
            return phi(a) * Phi((b - rho * a) / root)
        if argindex == 2:
            return phi(b) * Phi((a - rho * b) / root)
        if argindex == 3:
            return phi2(a, b, rho)
        raise ArgumentIndexError(self, argindex)

    def _is_probability(self):
        """A probability in [0, 1] when a, b are (extended) real and |rho| <= 1; None when not known."""
        a, b, rho = self.args
        if a.is_extended_real and b.is_extended_real and rho.is_real and (1 - rho**2).is_nonnegative:
            return True
        return None

    _eval_is_extended_real = _eval_is_finite = _eval_is_nonnegative = _is_probability

    def _eval_evalf(self, prec):
        values = _numbers(self.args, prec + 40)
        if values is None or abs(values[2]) > 1:
            return None
        extra = _extra_bits(*values)
        if extra:  # large |a|, |b| or |rho| near 1: the result is that much more sensitive to the arguments
            values = _numbers(self.args, prec + 40 + extra)
        return sp.Float._new(_phi2_mpf(*values, prec=prec)._mpf_, prec)

    def _latex(self, printer, exp=None):
        a, b, rho = (printer._print(x) for x in self.args)
        tex = r"\Phi_2\left(%s, %s; %s\right)" % (a, b, rho)
        return tex if exp is None else r"%s^{%s}" % (tex, exp)


def _numbers(args, prec: int):
    """The arguments as real SymPy numbers (exact ones kept) to ``prec`` bits, or None."""
    values = []
    for arg in args:
        v = arg if arg.is_Number else arg.evalf(prec_to_dps(prec))
        if not v.is_Number or not v.is_extended_real:
            return None
        values.append(v)
    return values


def _extra_bits(a, b, rho) -> int:
    """2 log2 max(|a|, |b|) + log2 1/(1 - |rho|): the bits lost to placing quadrature nodes a width (>= 1/|a|,
    >= sqrt(1 - rho^2)) apart near |a|, and to the condition of Phi2 (a Gaussian tail exp(-a^2/2))."""
    big = max([0] + [int(mpmath.mag(mpmath.mpf(sp.Float(v, 15)._mpf_))) for v in (a, b)
                     if v.is_finite and not v.is_zero])
    gap = 1 - abs(rho)  # exact in SymPy
    small = max(0, -int(mpmath.mag(mpmath.mpf(sp.Float(gap, 15)._mpf_)))) if gap > 0 else 0
    return 2 * big + small


def _phi2_mpf(a, b, rho, prec: int) -> mpmath.mpf:
    """Phi2(a, b, rho) as an mpf good to ``prec`` bits (a, b, rho: real SymPy numbers, |rho| <= 1)."""
    work = prec + 30 + _extra_bits(a, b, rho)
    with mpmath.workprec(work):
        x, y, r = (_to_mpf(v, work) for v in (a, b, rho))
        if x == -mpmath.inf or y == -mpmath.inf:
            return mpmath.mpf(0)
        if mpmath.isinf(x) or mpmath.isinf(y):
            return mpmath.ncdf(y if mpmath.isinf(x) else x)
        if abs(r) == 1:
            return mpmath.ncdf(min(x, y)) if r > 0 else max(mpmath.mpf(0), mpmath.ncdf(x) - mpmath.ncdf(-y))
        if x > y:  # Phi2 is symmetric; integrating over the smaller margin keeps the range short
            x, y = y, x
        s = mpmath.sqrt(1 - r**2)
        nodes, mode, width = _breakpoints(x, y, r)
        # mpmath's quad stops on an absolute error estimate, so the integrand is scaled to height 1 and width 1
        # (u = mode + width v; otherwise a value like 1e-200 is "converged" at once); the estimate is then
        # checked relative to the value, against the requested precision.
        # phi(mode + w v)/phi(mode) = exp(-mode w v - (w v)^2/2) and z(v) = z(0) - (r w/s) v, free of the
        # cancellation of two huge exponents that computing phi(u)/phi(mode) directly would suffer
        z0, dz = (y - r * mode) / s, r * width / s
        base = mpmath.ncdf(z0)
        peak = mpmath.npdf(mode) * base

        # integrand <= exp(exponent)/Phi(z0) (as Phi <= 1): below 2^-(work + 20) it is 0 (and far out on the
        # infinite piece, ncdf of an astronomically large argument would overflow)
        cutoff = mpmath.log(base) - (work + 20) * mpmath.ln2

        def integrand(v):
            exponent = -mode * width * v - (width * v) ** 2 / 2
            if exponent < cutoff:
                return mpmath.mpf(0)
            return mpmath.exp(exponent) * mpmath.ncdf(z0 - dz * v) / base

        scaled = [n if mpmath.isinf(n) else (n - mode) / width for n in nodes]
        tolerance = mpmath.ldexp(1, -prec - 10)  # relative to the value; the guard bits absorb rounding noise
        value, error = mpmath.quad(integrand, scaled, error=True)
        if error > value * tolerance:
            value, error = mpmath.quad(integrand, scaled, error=True, maxdegree=12)
            if error > value * tolerance:
                raise ArithmeticError(f"Phi2({a}, {b}, {rho}): quadrature did not converge (error {error})")
        return value * peak * width


def _to_mpf(v, work: int) -> mpmath.mpf:
    if v.is_infinite:
        return mpmath.inf if v > 0 else -mpmath.inf
    return mpmath.mpf(sp.Float(v, prec_to_dps(work) + 5)._mpf_)


def _breakpoints(x, y, r) -> tuple:
    """Nodes splitting (-oo, x] for the integrand phi(u) Phi((y - r u)/s): it is log-concave (a product of
    log-concave functions), so it is one bump around its mode u*, narrower than a unit Gaussian (the log's
    second derivative is <= -1); the nodes sit at u* + k w (w the curvature width, or 1/slope when the mode is
    the end x; k out to -1024 so the last, infinite piece holds nothing) and, where s is small, around
    the step of Phi at u = y/r (width s). tanh-sinh on each piece then converges at the working precision.
    Returns the nodes, the mode and the width."""
    s = mpmath.sqrt(1 - r**2)
    # at the caller's precision, which resolves the width (rho may be 1 - 1e-30, x may be -1e20)
    with mpmath.workprec(mpmath.mp.prec):

        def slope(u):  # d/du log(integrand) = -u - (r/s) phi(z)/Phi(z), z = (y - r u)/s; decreasing in u
            z = (y - r * u) / s
            return -u - r / s * mpmath.npdf(z) / mpmath.ncdf(z)

        if slope(x) >= 0:
            mode = x
        else:
            step, low = mpmath.mpf(1), x - 1
            while slope(low) < 0:
                step *= 2
                low = x - step
            high = x
            for _ in range(80):
                mid = (low + high) / 2
                low, high = (mid, high) if slope(mid) >= 0 else (low, mid)
            mode = (low + high) / 2
        z = (y - r * mode) / s
        mills = mpmath.npdf(z) / mpmath.ncdf(z)
        width = 1 / mpmath.sqrt(1 + (r / s) ** 2 * mills * (z + mills))
        if mode == x and slope(x) > 0:
            width = min(width, 1 / slope(x))
        nodes = {mode + k * width for k in (-1024, -256, -64, -32, -16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16, 32, 64)}
        if r != 0 and s < 1:
            nodes |= {y / r + k * s for k in (-16, -4, -1, 0, 1, 4, 16)}
    nodes = sorted(n for n in nodes if n < x)
    return [-mpmath.inf] + [mpmath.mpf(n) for n in nodes] + [x], mpmath.mpf(mode), mpmath.mpf(width)


def vanishes_by_exponent_normalisation(expr: sp.Expr) -> bool:
    """A sound (one-sided) zero test for the derivatives of Phi2 closed forms, where ``sp.simplify`` fails.

    Such an expression is a sum of terms algebraic * exp(...) * erf(...) (the Phi2 terms cancel structurally).
    Equal exponentials arrive with exponents that are equal rational functions written differently, and
    erf(x) with erf(-x); simplify does not see either. Here every exp becomes an opaque EXP, every erf an
    opaque ERF of its argument brought to a normal form (together, radsimp, cancel) with the sign fixed by
    erf(-x) = -erf(x); after expansion the EXP factors of each term merge into one EXP of the cancelled sum of
    their exponents, terms are grouped by their EXP * ERF factor, and each group's coefficient must simplify
    to 0. Every step is an identity, so True proves expr == 0; False proves nothing."""
    exp_, erf_ = sp.Function("EXP"), sp.Function("ERF")

    def normal(x):
        return sp.cancel(sp.radsimp(sp.together(x)))

    def odd(x):
        y, z = normal(x), normal(-x)
        return erf_(y) if sp.default_sort_key(y) <= sp.default_sort_key(z) else -erf_(z)

    e = sp.expand(expr.replace(sp.exp, exp_).replace(sp.erf, odd))
    groups: dict = {}
    for term in sp.Add.make_args(e):
        exponent, coefficient, key = sp.S.Zero, sp.S.One, sp.S.One
        for factor in sp.Mul.make_args(term):
            base, power = factor.as_base_exp()
            if isinstance(base, exp_):
                exponent += power * base.args[0]
            elif isinstance(base, (erf_, Phi2)):
                key *= factor
            else:
                coefficient *= factor
        key *= exp_(normal(exponent))
        groups[key] = groups.get(key, 0) + coefficient
    return all(sp.simplify(c) == 0 for c in groups.values())


def mp_phi2(a, b, rho) -> mpmath.mpf:
    """Phi2 at mpmath numbers and mpmath's working precision: the function ``lambdify`` maps Phi2 to
    (``MPMATH``), so a whole expression evaluates at one fixed precision (SymPy's evalf raises the precision
    again and again where terms cancel, each time through the quadrature)."""
    digits = prec_to_dps(mpmath.mp.prec) + 5
    return _phi2_mpf(*(sp.Float(mpmath.mpf(x), digits) for x in (a, b, rho)), prec=mpmath.mp.prec)


def float_phi2(a, b, rho):
    """Phi2 in float64 (for Newton's starts, plots and quick values; NumPy arrays too) by Owen's T function
    (Owen 1956): Phi2 = Phi(a)/2 + Phi(b)/2 - T(a, (b - rho a)/(a c)) - T(b, (a - rho b)/(b c)) - delta, with
    c = sqrt(1 - rho^2), delta = 1/2 when a b < 0 or (a b = 0 and a + b < 0), else 0; at a = b = 0 Sheppard's value."""
    from scipy.special import ndtr, owens_t
    a, b, rho = (np.asarray(x, float) for x in (a, b, rho))
    c = np.sqrt(1 - rho**2)
    tiny = 1e-300
    a_, b_ = np.where(a == 0, tiny, a), np.where(b == 0, tiny, b)
    delta = np.where((a * b < 0) | ((a * b == 0) & (a + b < 0)), 0.5, 0.0)
    owen = (ndtr(a) / 2 + ndtr(b) / 2 - owens_t(a_, (b - rho * a) / (a_ * c)) - owens_t(b_, (a - rho * b) / (b_ * c))
            - delta)
    return np.where((a == 0) & (b == 0), 0.25 + np.arcsin(rho) / (2 * np.pi), owen)  # Sheppard at the origin


def ball_phi2(a, b, rho):
    """An arb enclosure of Phi2 over balls a, b, rho (|rho| < 1): Phi2 increases in each argument (its partial
    derivatives are the positive densities of the module docstring), so it lies between its values at the
    lower and the upper corners, each Phi(a) Phi(b) + int_0^rho phi2(a, b; t) dt with the integral by arb's
    rigorous integration (acb_calc, Petras' algorithm with error bounds)."""
    import flint

    def corner(x, y, r):
        x, y, r = flint.arb(x), flint.arb(y), flint.arb(r)
        two = flint.arb(2)

        def density(t, analytic):
            one = 1 - t * t
            return (-(x * x - 2 * t * x * y + y * y) / (2 * one)).exp() / (2 * flint.arb.pi() * one.sqrt(analytic=analytic))
        integral = flint.acb.integral(density, 0, r).real
        cdf = lambda z: (1 + (z / two.sqrt()).erf()) / 2  # noqa: E731
        return cdf(x) * cdf(y) + integral

    if not (abs(rho) < 1):
        return flint.arb.nan()
    low = corner(a.lower(), b.lower(), rho.lower())
    high = corner(a.upper(), b.upper(), rho.upper())
    return low.union(high)


MPMATH = {"Phi2": mp_phi2}
NUMPY = {"Phi2": float_phi2}
