"""Interval arithmetic on NumPy arrays: X = [lo, hi] elementwise, vectorised over the data. Each operation is
computed in round-to-nearest and its endpoints moved outward: one ulp after + - * / (correctly rounded, error
<= 1/2 ulp) and ELEMENTARY_ULPS ulps after exp, log, sqrt, sin, cos, erf and powers (NumPy's float64 versions
are within 4 ulps, SciPy's erf (Cephes) within 3.7e-16 relative, under 4 ulps). A NaN endpoint (inf - inf, inf / inf) becomes (-oo, oo): an enclosure that says nothing, never a
wrong one. Sums carry the bound |fl(sum x_i) - sum x_i| <= n u sum |x_i| (u = 2^-53) on top."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

ELEMENTARY_ULPS = 8
_EXACT_INT = 2**53
_INF = np.inf


_ULP = 2.0**-52
_TINY = 2.0**-1074  # the least subnormal
_MAX = np.finfo(float).max


def _step(x: np.ndarray, ulps: int) -> np.ndarray:
    """A float q >= ulps spacings of x (plus one for rounding when ulps > 1), never below the least subnormal:
    |x| 2^-52 is at least the spacing of the floats at x (exact scaling by a power of 2, and rounding is
    monotone), so fl(x - q) <= x - spacing, the next float below x when ulps = 1. In place: ~13x cheaper than
    np.nextafter."""
    factor = 1 if ulps == 1 else ulps + 1
    q = np.abs(x, out=np.empty_like(x))
    q *= factor * _ULP
    q += factor * _TINY
    return q


def _down(x, ulps: int = 1):
    """A float at or below every exact value within ``ulps`` ulps of x (+oo moves to the largest float: a true
    lower bound of an overflow)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.subtract(x, _step(x, ulps), out=np.empty_like(x))
        if np.isnan(np.vdot(out, out)):  # +oo - oo (or a NaN x, kept)
            out = np.where(x == _INF, _MAX, out)
    return out[()]


def _up(x, ulps: int = 1):
    """A float at or above every exact value within ``ulps`` ulps of x (-oo moves to the least float)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.add(x, _step(x, ulps), out=np.empty_like(x))
        if np.isnan(np.vdot(out, out)):
            out = np.where(x == -_INF, -_MAX, out)
    return out[()]


def _fraction_interval(value: Fraction) -> "Intervals":
    nearest = float(value)  # correctly rounded
    if Fraction(nearest) == value:
        return Intervals(nearest, nearest)
    return Intervals(_down(nearest), _up(nearest))


def constant(value) -> "Intervals":
    """A rigorous enclosure of an exact constant: an int, a Fraction, a SymPy Rational, an mpmath mpf tuple
    (sign, mantissa, exponent, bits) or a decimal string."""
    if isinstance(value, Intervals):
        return value
    if isinstance(value, tuple):
        sign, mantissa, exponent = value[:3]
        value = (-1) ** sign * Fraction(mantissa) * Fraction(2) ** exponent
    elif isinstance(value, str):
        value = Fraction(value)
    elif hasattr(value, "p") and hasattr(value, "q"):
        value = Fraction(int(value.p), int(value.q))
    elif isinstance(value, float):
        return Intervals(value, value)
    elif not isinstance(value, (int, Fraction)):
        raise TypeError(f"no exact enclosure of {value!r}")
    if isinstance(value, int) and abs(value) < _EXACT_INT:
        return Intervals(float(value), float(value))
    return _fraction_interval(Fraction(value))


class Intervals:
    """Arrays lo <= hi of equal shape (0-d for a scalar interval)."""

    __slots__ = ("lo", "hi")
    __array_priority__ = 1000  # ndarray (op) Intervals defers to Intervals

    def __init__(self, lo, hi):
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        if np.isnan(np.vdot(lo, lo)) or np.isnan(np.vdot(hi, hi)):  # a NaN somewhere (x.x adds no NaN of its own)
            bad = np.isnan(lo) | np.isnan(hi)
            lo, hi = np.where(bad, -_INF, lo), np.where(bad, _INF, hi)
        self.lo, self.hi = lo, hi

    @classmethod
    def points(cls, x) -> "Intervals":
        x = np.asarray(x, dtype=float)
        return cls(x, x)

    @classmethod
    def around(cls, x) -> "Intervals":
        """The float64 values x, each the correctly rounded value of an exact number: one ulp either side, none
        at 0 (nonzero data have magnitude above 1e-300, so only 0 rounds to 0); an integral float may stand
        for a nearby non-integer (0.99999999999999997 rounds to 1.0), so it is widened too."""
        x = np.asarray(x, dtype=float)
        zero = x == 0
        return cls(np.where(zero, 0.0, _down(x)), np.where(zero, 0.0, _up(x)))

    def __getitem__(self, index) -> "Intervals":
        return Intervals(self.lo[index], self.hi[index])

    @property
    def shape(self):
        return self.lo.shape

    @property
    def finite(self) -> bool:
        return bool(np.all(np.isfinite(self.lo)) and np.all(np.isfinite(self.hi)))

    def __repr__(self):
        return f"Intervals({self.lo!r}, {self.hi!r})"

    # arithmetic ------------------------------------------------------------------------------------------------

    def __neg__(self):
        return Intervals(-self.hi, -self.lo)

    def __pos__(self):
        return self

    def __add__(self, other):
        other = _coerce(other)
        with np.errstate(invalid="ignore", over="ignore"):
            return Intervals(_down(self.lo + other.lo), _up(self.hi + other.hi))

    __radd__ = __add__

    def __sub__(self, other):
        return self + (-_coerce(other))

    def __rsub__(self, other):
        return _coerce(other) + (-self)

    def __mul__(self, other):
        other = _coerce(other)
        with np.errstate(invalid="ignore", over="ignore"):
            signed = _signed_product(self, other)
            if signed is not None:
                return signed
            a, b, c, d = self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi
        # fmin / fmax skip the NaN of 0 * oo (an endpoint 0 times an unbounded side: the other products bound
        # the range); operands never hold NaN, so all four are NaN only in (0 * oo) twice, then (-oo, oo)
        return Intervals(_down(np.fmin(np.fmin(a, b), np.fmin(c, d))), _up(np.fmax(np.fmax(a, b), np.fmax(c, d))))

    __rmul__ = __mul__

    def reciprocal(self) -> "Intervals":
        spans_zero = (self.lo <= 0) & (self.hi >= 0)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            lo, hi = _down(1.0 / self.hi), _up(1.0 / self.lo)
        return Intervals(np.where(spans_zero, -_INF, lo), np.where(spans_zero, _INF, hi))

    def __truediv__(self, other):
        return self * _coerce(other).reciprocal()

    def __rtruediv__(self, other):
        return _coerce(other) * self.reciprocal()

    def __pow__(self, exponent):
        if isinstance(exponent, Intervals) or not isinstance(exponent, int):
            exponent = _coerce(exponent)
            if exponent.shape == () and exponent.lo == exponent.hi and float(exponent.lo).is_integer():
                return self ** int(exponent.lo)
            if exponent.shape == () and exponent.lo == exponent.hi == 0.5:
                return sqrt(self)
            return exp(exponent * log(self))
        if exponent < 0:
            return (self ** -exponent).reciprocal()
        if exponent == 0:
            return Intervals.points(np.ones(self.shape))
        if exponent == 1:
            return self
        if exponent == 2:
            least = np.where((self.lo <= 0) & (self.hi >= 0), 0.0, np.minimum(np.abs(self.lo), np.abs(self.hi)))
            most = np.maximum(np.abs(self.lo), np.abs(self.hi))
            with np.errstate(over="ignore"):
                return Intervals(np.maximum(_down(least * least), 0.0), _up(most * most))
        with np.errstate(over="ignore", under="ignore"):
            if exponent % 2:
                return Intervals(_down(_power(self.lo, exponent), ELEMENTARY_ULPS),
                                 _up(_power(self.hi, exponent), ELEMENTARY_ULPS))
            low, high = np.abs(self.lo), np.abs(self.hi)
            spans_zero = (self.lo <= 0) & (self.hi >= 0)
            least = np.where(spans_zero, 0.0, np.minimum(low, high))
            return Intervals(np.maximum(_down(_power(least, exponent), ELEMENTARY_ULPS), 0.0),
                             _up(_power(np.maximum(low, high), exponent), ELEMENTARY_ULPS))


def _signed_product(a: Intervals, b: Intervals):
    """a * b when each factor keeps one sign throughout (the common case: e^h, a sigmoid, their powers): two
    products instead of four and no min/max; None otherwise (and where an endpoint product is 0 * oo)."""
    if a.lo.size == 0 or b.lo.size == 0:
        return None
    a_pos, b_pos = a.lo.min() >= 0, b.lo.min() >= 0
    a_neg, b_neg = not a_pos and a.hi.max() <= 0, not b_pos and b.hi.max() <= 0
    if not (a_pos or a_neg) or not (b_pos or b_neg):
        return None
    if a_pos and b_pos:
        lo, hi = a.lo * b.lo, a.hi * b.hi
    elif a_pos:  # b <= 0
        lo, hi = a.hi * b.lo, a.lo * b.hi
    elif b_pos:  # a <= 0
        lo, hi = a.lo * b.hi, a.hi * b.lo
    else:
        lo, hi = a.hi * b.hi, a.lo * b.lo
    if np.isnan(np.vdot(lo, lo)) or np.isnan(np.vdot(hi, hi)):  # 0 * oo: the four products' min / max decide
        return None
    return Intervals(_down(lo), _up(hi))


def _power(x: np.ndarray, exponent: int) -> np.ndarray:
    """x**exponent (exponent >= 3) by repeated squaring up to exponent 8: a relative error of at most
    (exponent - 1) half-ulps (each product's rounding, raised to the power still to come), within
    ELEMENTARY_ULPS; an underflowed product only shrinks when multiplied by |x| < 1. Products are ~20x faster
    than np.power's per-element pow(), which serves larger exponents."""
    if exponent > 8:
        return x ** exponent
    result, square = None, x
    while exponent:
        if exponent & 1:
            result = square if result is None else result * square
        exponent >>= 1
        if exponent:
            square = square * square
    return result


def _coerce(value) -> Intervals:
    return value if isinstance(value, Intervals) else constant(value)


def exp(x) -> Intervals:
    x = _coerce(x)
    with np.errstate(over="ignore"):
        return Intervals(np.maximum(_down(np.exp(x.lo), ELEMENTARY_ULPS), 0.0), _up(np.exp(x.hi), ELEMENTARY_ULPS))


def log(x) -> Intervals:
    x = _coerce(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(x.lo > 0, _down(np.log(np.maximum(x.lo, 0)), ELEMENTARY_ULPS), -_INF)
        hi = np.where(x.hi > 0, _up(np.log(np.maximum(x.hi, 0)), ELEMENTARY_ULPS), np.nan)
    return Intervals(lo, hi)  # log of an interval below 0: NaN, then (-oo, oo)


def sqrt(x) -> Intervals:
    x = _coerce(x)
    with np.errstate(invalid="ignore"):
        lo = np.where(x.lo > 0, np.maximum(_down(np.sqrt(np.maximum(x.lo, 0)), ELEMENTARY_ULPS), 0.0), 0.0)
        hi = np.where(x.hi >= 0, _up(np.sqrt(np.maximum(x.hi, 0)), ELEMENTARY_ULPS), np.nan)
    return Intervals(lo, hi)


def erf(x) -> Intervals:
    """erf increases: the values at the endpoints, moved outward, clipped to [-1, 1]."""
    from scipy import special  # 0.2 s to import: only where erf is enclosed

    x = _coerce(x)
    return Intervals(np.maximum(_down(special.erf(x.lo), ELEMENTARY_ULPS), -1.0),
                     np.minimum(_up(special.erf(x.hi), ELEMENTARY_ULPS), 1.0))


_TWO_PI = 2 * np.pi
_TRIG_LIMIT = 1e6  # beyond, argument reduction is not trusted: [-1, 1]


def _contains_phase(x: Intervals, phase: float):
    """Whether x may contain phase + 2 pi k for some integer k (generous: near misses count as hits)."""
    k = np.ceil((x.lo - phase) / _TWO_PI - 1e-9)
    return phase + k * _TWO_PI <= x.hi + 1e-9 * (1 + np.abs(x.hi))


def sin(x) -> Intervals:
    x = _coerce(x)
    wide = (x.hi - x.lo >= _TWO_PI) | (np.abs(x.lo) > _TRIG_LIMIT) | (np.abs(x.hi) > _TRIG_LIMIT) | \
        ~np.isfinite(x.lo) | ~np.isfinite(x.hi)
    with np.errstate(invalid="ignore"):
        a, b = np.sin(x.lo), np.sin(x.hi)
        lo = np.where(_contains_phase(x, -np.pi / 2), -1.0, _down(np.minimum(a, b), ELEMENTARY_ULPS))
        hi = np.where(_contains_phase(x, np.pi / 2), 1.0, _up(np.maximum(a, b), ELEMENTARY_ULPS))
    return Intervals(np.where(wide, -1.0, np.maximum(lo, -1.0)), np.where(wide, 1.0, np.minimum(hi, 1.0)))


def cos(x) -> Intervals:
    x = _coerce(x)
    return sin(x + constant_pi() / 2)


def constant_pi() -> Intervals:
    return Intervals(_down(np.pi), _up(np.pi))


def constant_e() -> Intervals:
    return Intervals(_down(np.e), _up(np.e))


def total(x: Intervals, axis=0) -> Intervals:
    """sum_i x_i along ``axis``, enclosed: the float sums widened by n u sum |x_i| and one ulp."""
    count = x.lo.shape[axis]
    bound = count * 2.0**-52  # 2u: a margin over n u for the rounding of the bound itself
    with np.errstate(invalid="ignore", over="ignore"):
        lo, hi = x.lo.sum(axis=axis), x.hi.sum(axis=axis)
        lo = lo - bound * np.abs(x.lo).sum(axis=axis)
        hi = hi + bound * np.abs(x.hi).sum(axis=axis)
    return Intervals(_down(lo), _up(hi))


def matmul(x: Intervals, w: Intervals) -> Intervals:
    """x @ w (K x n by n x p) enclosed, by midpoint and radius with three BLAS products: with x = m +- rho and
    w = c +- eps the sum lies in m @ c +- (|m| @ eps + rho @ (|c| + eps)), and a float product of length n is
    within n u / (1 - n u) |m| @ |c| of its exact value in any order of summation (plus n subnormal units for
    underflow). As tight as the endpoint form when w is exact. Non-finite entries: ``total(x * w)`` instead."""
    if not (np.isfinite(x.lo).all() and np.isfinite(x.hi).all() and np.isfinite(w.lo).all()
            and np.isfinite(w.hi).all()):
        return total(x[:, :, None] * w[None, :, :], axis=1)
    m, rho = _midpoint_radius(x)
    c, eps = _midpoint_radius(w)
    n = x.lo.shape[-1]
    gamma = 2.0 * (n + 4) * 2.0**-53  # > the n u / (1 - n u) of each product (n u < 1/4 here), with room
    with np.errstate(invalid="ignore", over="ignore"):
        centre = m @ c
        magnitude = np.abs(m)
        spread = magnitude @ eps + rho @ _up(np.abs(c) + eps)
        error = gamma * (magnitude @ np.abs(c) + spread) + spread + 3 * n * _TINY
        return Intervals(_down(centre - _up(error)), _up(centre + _up(error)))


def _midpoint_radius(x: Intervals):
    """(m, rho) with [lo, hi] inside [m - rho, m + rho]: m = lo/2 + hi/2 (no overflow), rho rounded up."""
    m = x.lo / 2 + x.hi / 2
    return m, _up(np.maximum(x.hi - m, m - x.lo))


def hull(a: Intervals, b: Intervals) -> Intervals:
    return Intervals(np.minimum(a.lo, b.lo), np.maximum(a.hi, b.hi))


def where(mask, a: Intervals, b: Intervals) -> Intervals:
    return Intervals(np.where(mask, a.lo, b.lo), np.where(mask, a.hi, b.hi))


MODULE = {"mpf": constant, "exp": exp, "log": log, "sqrt": sqrt, "sin": sin, "cos": cos, "erf": erf,
          "pi": constant_pi(), "E": constant_e(), "e": constant_e()}
"""The namespace :func:`sympy.lambdify` (mpmath printer) compiles per-sample expressions against."""
