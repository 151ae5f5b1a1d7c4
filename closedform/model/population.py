"""The population loss of a Gaussian teacher: L(w, b) = E[(t - f(w.x + b))^2]/2 + (lam/2)|w|^2.

(h, g) = (w.x + b, v.x + c) is bivariate normal with means (b, c), variances q = w^T Sigma w and p = v^T Sigma v
and covariance r = w^T Sigma v, so L = F(q, r, b) = (E f(g)^2 - 2 E f(h) f(g) + E f(h)^2)/2 + noise/2 + lam q/2
with the table entry's closed forms (:mod:`.gaussian`), and grad_w L = Sigma (2 F_q w + F_r v), dL/db = F_b."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from ..errors import InputError
from .gaussian import GaussianEntry, Pair, check_entry, gaussian_entry
from .teacher import GaussianTeacher

q = sp.Symbol("q", nonnegative=True)
r = sp.Symbol("r", real=True)
b = sp.Symbol("b", real=True)


_CHECKED: dict = {}


def checked(entry: GaussianEntry) -> str:
    """:func:`check_entry` once per entry and process (a Phi2 entry's proof takes seconds)."""
    key = (entry.activation, entry.formula)
    if key not in _CHECKED:
        _CHECKED[key] = check_entry(entry)
    return _CHECKED[key]


@dataclass(frozen=True, eq=False)
class PopulationLoss:
    """F(q, r, b) for one (activation, bias, l2, teacher)."""

    entry: GaussianEntry
    teacher: GaussianTeacher
    bias: bool
    l2: sp.Rational
    checked: str  # how the entry was checked (Stein's identity) when this loss was built
    exact = True  # closed forms (the quadrature route of :mod:`.quadrature` is not)

    @classmethod
    def build(cls, activation, loss, bias: bool, l2, teacher: GaussianTeacher) -> "PopulationLoss":
        if loss.name != "mse":
            raise InputError(f"loss {loss.name!r} with a Gaussian teacher: only 'mse' has a population loss here")
        if l2 and teacher.cov is not None:
            raise InputError("l2 > 0 with a covariance cov: |w|^2 is not a function of w^T Sigma w; whiten the "
                             "inputs (use cov=None) or set l2 = 0")
        means = bias or (teacher.c is not None and teacher.c != 0)  # a mean in h or in g needs an entry with means
        entry = gaussian_entry(activation, means)
        return cls(entry, teacher, bias, l2, checked(entry))

    @property
    def p(self) -> sp.Expr:
        """The teacher's pre-activation variance v^T Sigma v."""
        v = sp.Matrix(self.teacher.v)
        return (v.T * self.teacher.sigma * v)[0]

    @property
    def variables(self) -> tuple:
        return (q, r, b) if self.bias else (q, r)

    @cached_property
    def F(self) -> sp.Expr:
        c = self.teacher.c if self.teacher.c is not None else sp.Integer(0)
        mean = b if self.bias else sp.Integer(0)
        e = self.entry
        target = e.second_moment(c, self.p)
        return ((target - 2 * e.cross(Pair(mean, c, q, self.p, r)) + e.second_moment(mean, q)) / 2
                + self.teacher.noise / 2 + self.l2 * q / 2)

    def forms(self, weights) -> dict:
        """{q: w^T Sigma w, r: w^T Sigma v, b: b} in the weight symbols (the last one is b with a bias)."""
        d = self.teacher.dim
        w = sp.Matrix(weights[:d])
        sigma, v = self.teacher.sigma, sp.Matrix(self.teacher.v)
        out = {q: sp.expand((w.T * sigma * w)[0]), r: sp.expand((w.T * sigma * v)[0])}
        if self.bias:
            out[b] = weights[d]
        return out

    @cached_property
    def _numeric(self):
        """F, F_q, F_r, F_b as one NumPy function of (q, r, b)."""
        parts = [self.F] + [sp.diff(self.F, x) for x in (q, r, b)]
        return sp.lambdify((q, r, b), parts, "numpy")

    @cached_property
    def _floats(self) -> tuple:
        """(Sigma or None for the identity, v) in float64."""
        cov = self.teacher.cov
        return (None if cov is None else np.array(cov.tolist(), float)), np.array([float(x) for x in self.teacher.v])

    def value_and_gradient(self, w, bias=0.0) -> tuple:
        """(L, grad L) in float64 at the weights ``w`` (and the bias): O(d) work, grad_w L = Sigma (2 F_q w + F_r v),
        dL/db = F_b (last), whatever the dimension."""
        w = np.asarray(w, float)
        sigma, v = self._floats
        sw, sv = (w, v) if sigma is None else (sigma @ w, sigma @ v)
        F, F_q, F_r, F_b = (float(x) for x in self._numeric(float(w @ sw), float(w @ sv), float(bias)))
        grad = 2 * F_q * sw + F_r * sv
        return F, (np.append(grad, F_b) if self.bias else grad)

    def loss(self, weights) -> sp.Expr:
        """F at (w^T Sigma w, w^T Sigma v, b). In d = 1 with a relu-like entry the correlation is sign(w), and
        sqrt(1 - rho^2) = 0 would differentiate to 0 * oo: the loss is written piecewise in the sign of w."""
        if self.teacher.dim == 1 and self.entry.kink_at_zero:
            w, s = weights[0], sp.Symbol("s", positive=True)
            sides = [self.F.subs(self.forms((sign * s,) + tuple(weights[1:])), simultaneous=True).subs(s, sign * w)
                     for sign in (1, -1)]
            at_zero = self.F.subs(self.forms((s,) + tuple(weights[1:])), simultaneous=True).limit(s, 0, "+")
            return sp.Piecewise((sp.expand(sides[0]), w > 0), (at_zero, sp.Eq(w, 0)), (sp.expand(sides[1]), True))
        return self.F.subs(self.forms(weights), simultaneous=True)
