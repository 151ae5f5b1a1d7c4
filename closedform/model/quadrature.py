"""The population loss by quadrature, for activations without a closed form (sigmoid, tanh, softplus, silu):
``population="numeric"``. Numbers only, float64, never certified.

With g = c + sqrt(p) z1 and h = b + (r/sqrt p) z1 + sqrt(q - r^2/p) z2 (z1, z2 standard normal), F(q, r, b) and its
derivatives are Gaussian expectations computed by the trapezoid rule on [-8.5, 8.5]^2 with spacing
min(1/4, 1/(4 sigma)) per axis, sigma that axis's standard deviation in h or g, at most 401 nodes (spectrally
accurate for analytic f; truncation ~1e-16). By Stein's identity, with C = E f(h) f(g) and M = E f(h)^2: dC/db = E f'(h) f(g), dC/dq = E f''(h) f(g)/2,
dC/dr = E f'(h) f'(g), dM/db = 2 E f f'(h), dM/dq = E[f'(h)^2 + f f''(h)]."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import mpmath
import numpy as np
import sympy as sp

from ..errors import InputError
from .population import FORMS
from .symbols import h

HALF_WIDTH = 8.5
MAX_NODES = 401  # per axis: full accuracy up to a standard deviation of about 6 (|w| ~ 6), less beyond
ACCURATE_UP_TO = 6.0  # the largest standard deviation of h the grid resolves fully


def _nodes(sigma: float):
    """Trapezoid nodes and weights for E[phi(sigma z)], z ~ N(0, 1): spacing min(1/4, 1/(4 sigma))."""
    step = max(min(0.25, 0.25 / max(sigma, 1e-300)), 2 * HALF_WIDTH / (MAX_NODES - 1))
    z = np.arange(-HALF_WIDTH, HALF_WIDTH + step / 2, step)
    return z, np.exp(-z * z / 2) * step / np.sqrt(2 * np.pi)


@dataclass(frozen=True, eq=False)
class QuadraturePopulation:
    """F(q, r, b) = (E f(g)^2 - 2 E f(h) f(g) + E f(h)^2)/2 + noise/2 + lam q/2 and its first derivatives."""

    activation: object
    teacher: object
    bias: bool
    l2: sp.Rational
    exact = False
    form = FORMS["mse"]  # the squared loss only

    @classmethod
    def build(cls, activation, loss, bias: bool, l2, teacher) -> "QuadraturePopulation":
        if loss.name != "mse":
            raise InputError(f"loss {loss.name!r} with a Gaussian teacher: only 'mse' has a population loss here")
        if teacher.cov is not None:
            raise InputError("population='numeric' takes x ~ N(0, I): whiten the inputs (cov=None)")
        return cls(activation, teacher, bias, l2)

    @property
    def p(self) -> float:
        return float(sum(v * v for v in self.teacher.v))

    @cached_property
    def _f(self):
        """f, f', f'' as NumPy functions."""
        expr = self.activation.expr
        return [sp.lambdify(h, sp.diff(expr, h, k) + 0 * h, "numpy") for k in range(3)]

    def describe(self) -> str:
        return "by quadrature (trapezoid rule on a Gaussian grid, float64; no error bound)"

    def values(self, q: float, r: float, b: float = 0.0) -> tuple:
        """(F, F_q, F_r, F_b) at (q, r, b)."""
        p, c = self.p, float(self.teacher.c or 0)
        along, across = abs(r) / np.sqrt(p), np.sqrt(max(q - r * r / p, 0.0))
        (z1, w1), (z2, w2) = _nodes(max(np.sqrt(p), along)), _nodes(across)
        z1, z2 = z1[:, None], z2[None, :]
        W = w1[:, None] * w2[None, :]
        g = c + np.sqrt(p) * z1 + 0 * z2
        hh = b + r / np.sqrt(p) * z1 + across * z2
        f, f1, f2 = self._f
        with np.errstate(over="ignore", invalid="ignore"):
            fh, f1h, f2h = f(hh), f1(hh), f2(hh)
            fg, f1g = f(g), f1(g)
        E = lambda values: float(np.sum(W * values))  # noqa: E731
        target, C, M = E(fg * fg), E(fh * fg), E(fh * fh)
        lam = float(self.l2)
        F = (target - 2 * C + M) / 2 + float(self.teacher.noise) / 2 + lam * q / 2
        F_q = E(f1h * f1h + fh * f2h) / 2 - E(f2h * fg) / 2 + lam / 2
        F_r = -E(f1h * f1g)
        F_b = E(fh * f1h) - E(f1h * fg)
        return F, F_q, F_r, F_b

    def limit_along(self, sign: int) -> float:
        """lim F along w = sign s v, s -> oo (f bounded): f(h) -> f(+oo) where sign (g - c) > 0, f(-oo) elsewhere;
        a 1-D integral split at the jump (mpmath.quad, 20 digits)."""
        lo, hi = (mpmath.mpf(sp.N(x, 25)) for x in self.activation.limits)
        f = sp.lambdify(h, self.activation.expr, "mpmath")
        p, c = mpmath.sqrt(self.p), mpmath.mpf(sp.N(self.teacher.c or 0, 25))
        with mpmath.workdps(20):
            def side(z, saturated):
                return mpmath.npdf(z) * (f(c + p * z) - saturated) ** 2
            total = (mpmath.quad(lambda z: side(z, hi if sign > 0 else lo), [0, mpmath.inf])
                     + mpmath.quad(lambda z: side(z, lo if sign > 0 else hi), [-mpmath.inf, 0]))
        return float(total) / 2 + float(self.teacher.noise) / 2
