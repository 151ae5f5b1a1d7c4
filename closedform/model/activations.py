"""Activation functions: a registry, one entry each, with the metadata the solvers use.

Each :class:`Activation` knows its expression f(h), derivative, range, inverse (where f is injective), limits at
+-oo, the scale k for which f and f' are rational functions of u = exp(-k h) (None if they are not), and its
convention at non-differentiable points. Where SymPy cannot solve f(h) = y or f'(h) = 0 itself, the entry gives the
solutions: ``preimages`` (every real h with f(h) = y, each with its condition on y) and ``critical``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable, Optional

import sympy as sp

from ..errors import InputError, registry_entry
from .expressions import parse_expression
from .numbers import exact_number
from .symbols import h, u


@dataclass(frozen=True, eq=False)
class Activation:
    """One activation y = f(h). ``inverse`` maps an output y to the h with f(h) = y on ``range``."""

    name: str
    expr: sp.Expr
    range: Optional[sp.Set]  # None: not analysed (custom expressions)
    inverse: Optional[Callable[[sp.Expr], sp.Expr]] = None
    exp_scale: Optional[int] = None
    polynomial: bool = False
    piecewise_linear: Optional[tuple] = None  # (slope for h <= 0, slope for h > 0)
    convention: str = ""
    increasing: bool = False  # f' > 0 everywhere (matching-loss problems are then convex)
    key: tuple = field(default=())
    preimages: Optional[Callable[[sp.Expr], list]] = None  # y -> [(h, condition on y)]: every real h with f(h) = y
    critical: Optional[tuple] = None  # every real h with f'(h) = 0, where solveset finds none

    @cached_property
    def derivative(self) -> sp.Expr:
        """f'(h); at kinks the Piecewise keeps the left branch (relu'(0) = 0)."""
        return sp.diff(self.expr, h)

    @property
    def linear(self) -> bool:
        """f(h) = s h with one slope everywhere (the identity)."""
        return self.piecewise_linear is not None and self.piecewise_linear[0] == self.piecewise_linear[1]

    @cached_property
    def limits(self) -> tuple[sp.Expr, sp.Expr]:
        """(lim f at -oo, lim f at +oo)."""
        return sp.limit(self.expr, h, -sp.oo), sp.limit(self.expr, h, sp.oo)

    @cached_property
    def in_exp(self) -> Optional[sp.Expr]:
        """f as a rational function of u = exp(-k h), k = ``exp_scale``; None when there is no such form."""
        if self.exp_scale is None:
            return None
        return rational_in_u(self.expr, self.exp_scale)

    def __repr__(self):
        return f"Activation({self.name!r}: f(h) = {self.expr})"

    def _latex(self, printer):
        return printer._print(self.expr)


def rational_in_u(expr: sp.Expr, scale: int) -> Optional[sp.Expr]:
    """``expr`` (in h) rewritten with h = -log(u)/scale, as a cancelled rational function of u, or None."""
    candidate = sp.cancel(sp.together(expr.rewrite(sp.exp).subs(h, -sp.log(u) / scale)))
    return candidate if candidate.is_rational_function(u) else None


def _sigmoid():
    return Activation("sigmoid", 1 / (1 + sp.exp(-h)), sp.Interval.open(0, 1), increasing=True,
                      inverse=lambda v: sp.log(v / (1 - v)), exp_scale=1, key=("sigmoid",))


def _tanh():
    return Activation("tanh", sp.tanh(h), sp.Interval.open(-1, 1), increasing=True,
                      inverse=lambda v: sp.log((1 + v) / (1 - v)) / 2, exp_scale=2, key=("tanh",))


def _exp():
    return Activation("exp", sp.exp(h), sp.Interval.open(0, sp.oo), increasing=True, inverse=sp.log, exp_scale=1, key=("exp",))


def _identity():
    return Activation("identity", h, sp.Reals, increasing=True, inverse=lambda v: v, polynomial=True,
                      piecewise_linear=(1, 1), key=("identity",))


def _softplus():
    return Activation("softplus", sp.log(1 + sp.exp(h)), sp.Interval.open(0, sp.oo), increasing=True,
                      inverse=lambda v: sp.log(sp.exp(v) - 1), key=("softplus",))


def _square():
    return Activation("square", h**2, sp.Interval(0, sp.oo), polynomial=True, key=("square",))


def _probit():
    return Activation("probit", (1 + sp.erf(h / sp.sqrt(2))) / 2, sp.Interval.open(0, 1), increasing=True,
                      inverse=lambda v: sp.sqrt(2) * sp.erfinv(2 * v - 1), key=("probit",))


def _erf():
    return Activation("erf", sp.erf(h), sp.Interval.open(-1, 1), increasing=True, inverse=sp.erfinv, key=("erf",))


def _silu_preimages(v):
    """f(h) = v  <=>  h = v (1 + e^-h)  <=>  (h - v) e^(h - v) = v e^-v, so h = v + W_k(v e^-v) for each real branch
    k of Lambert W. v e^-v increases on v < 1 and is positive for v > 0, so with omega = W_0(1/e) ~ 0.27846:
    v e^-v >= -1/e  <=>  v >= -omega (branch 0), and -1/e <= v e^-v < 0  <=>  -omega <= v < 0 (branch -1).
    So: no root for v < -omega, one (the minimum, h = -1 - omega) at v = -omega, two for -omega < v < 0, one for
    v >= 0."""
    omega, z = sp.LambertW(sp.exp(-1)), v * sp.exp(-v)
    return [(v + sp.LambertW(z), v >= -omega), (v + sp.LambertW(z, -1), (v >= -omega) & (v < 0))]


def _silu():
    """f'(h) = s(h) (1 + h (1 - s(h))) = 0  <=>  1 + h + e^h = 0  <=>  y e^y = 1/e with y = -(h + 1), whose only
    real solution (1/e > 0) is y = W_0(1/e): one critical point h = -1 - W_0(1/e) ~ -1.27846, the minimum."""
    return Activation("silu", h / (1 + sp.exp(-h)), sp.Interval(sp.Float("-0.27846454276107380", 17), sp.oo),
                      convention="range minimum -0.2784645427610738... (approximate endpoint)", key=("silu",),
                      preimages=_silu_preimages, critical=(-1 - sp.LambertW(sp.exp(-1)),))


def _relu():
    return Activation("relu", sp.Piecewise((0, h <= 0), (h, True)), sp.Interval(0, sp.oo),
                      piecewise_linear=(0, 1), convention="relu'(0) = 0 (the h <= 0 branch)", key=("relu",))


def _leaky_relu(slope=sp.Rational(1, 100)):
    a = exact_number(slope, "leaky_relu slope")
    if not a > 0:
        raise InputError(f"leaky_relu slope = {a} must be > 0 (use 'relu' for slope 0)")
    return Activation(f"leaky_relu({a})", sp.Piecewise((a * h, h <= 0), (h, True)), sp.Reals, increasing=True,
                      inverse=lambda v: sp.Piecewise((v / a, v <= 0), (v, True)), piecewise_linear=(a, 1),
                      convention=f"f'(0) = {a} (the h <= 0 branch)", key=("leaky_relu", a))


def _polynomial(*coefficients):
    """f(h) = c0 + c1 h + c2 h^2 + ...; coefficients lowest degree first."""
    if not coefficients:
        raise InputError("polynomial activation needs coefficients, e.g. polynomial(0, 1, 1) for h + h^2")
    cs = [exact_number(c, f"polynomial coefficient {i}") for i, c in enumerate(coefficients)]
    expr = sum(c * h**i for i, c in enumerate(cs))
    if sp.degree(expr, h) < 1:
        raise InputError(f"polynomial activation {expr} is constant; it needs degree >= 1")
    lo, hi = sp.limit(expr, h, -sp.oo), sp.limit(expr, h, sp.oo)
    range_ = sp.Reals if {lo, hi} == {-sp.oo, sp.oo} else sp.calculus.util.function_range(expr, h, sp.Reals)
    return Activation(f"polynomial({expr})", expr, range_, polynomial=True, key=("polynomial", *cs))


def _custom(text: str):
    """An expression in h given as a string, parsed through the whitelist of :mod:`.expressions`."""
    expr = parse_expression(text, {"h": h})
    if not expr.has(h):
        raise InputError(f"custom activation {text!r} does not depend on h")
    _check_float_range(expr, text)
    return Activation(f"custom({expr})", expr, sp.Reals if expr.is_polynomial(h) and sp.degree(expr, h) % 2 else None,
                      polynomial=bool(expr.is_polynomial(h)),
                      exp_scale=1 if rational_in_u(expr, 1) is not None and expr.has(sp.exp) else None,
                      convention="range not analysed for custom expressions", key=("custom", sp.srepr(expr)))


def _check_float_range(expr: sp.Expr, text: str):
    """Refuse f when f or f' reaches 1e300 for some h in -1, 0, 1: the numeric stages work in float64 and
    would see nothing of it. Points outside f's domain (log(h) at h = -1) are skipped."""
    parts = {"f": expr, "f'": sp.diff(expr, h)}
    functions = sp.lambdify(h, list(parts.values()), modules="math")
    for point in (-1, 0, 1):
        try:
            sizes = [abs(v) for v in functions(float(point))]
        except OverflowError:
            sizes = [math.inf] * len(parts)
        except (ArithmeticError, ValueError):
            continue
        for part, size in zip(parts, sizes):
            if size >= 1e300:
                raise InputError(f"custom activation {text!r} is too large for float64: |{part}(h)| >= 1e300 "
                                 f"at h = {point}; the numeric stages need f and f' below 1e300 for -1 <= h <= 1")


ACTIVATIONS: dict[str, Callable[..., Activation]] = {
    "sigmoid": _sigmoid, "tanh": _tanh, "relu": _relu, "leaky_relu": _leaky_relu, "identity": _identity,
    "softplus": _softplus, "exp": _exp, "square": _square, "polynomial": _polynomial, "probit": _probit, "erf": _erf,
    "silu": _silu, "custom": _custom,
}
ALIASES = {"swish": "silu", "linear": "identity", "logistic": "sigmoid"}


def registered(activation: Activation) -> bool:
    """Is ``activation`` the registry's own entry for its key (same name, expression and flags)? Facts that
    decide proofs (``increasing``) are trusted only from the registry, never from a user-built Activation."""
    if not activation.key or activation.key[0] not in ACTIVATIONS:
        return False
    try:
        fresh = ACTIVATIONS[activation.key[0]](*activation.key[1:])
    except (InputError, TypeError):
        return False
    return (fresh.name, fresh.expr, fresh.increasing) == (activation.name, activation.expr, activation.increasing)


def get_activation(spec, *params) -> Activation:
    """An :class:`Activation` from a name (``"sigmoid"``, ``"leaky_relu"`` with a slope, ``"polynomial"``
    with coefficients, ``"custom"`` with an expression string), or an Activation passed through."""
    if isinstance(spec, Activation):
        return spec
    build = registry_entry("activation", spec, ACTIVATIONS, ALIASES, "sigmoid")
    try:
        hash(params)
    except TypeError:  # coefficients in a list: built afresh
        return build(*params)
    return _entry(build, tuple((type(value), value) for value in params))  # typed: True is not 1


@lru_cache(maxsize=256)
def _entry(build, typed_params: tuple) -> Activation:
    """One object per registry key, so the caches keyed by the activation (per-sample forms, limits) are shared
    by every Neuron built from the same name and parameters."""
    return build(*(value for _, value in typed_params))
