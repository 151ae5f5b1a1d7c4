"""The population loss of a Gaussian teacher: L(w, b) = E[l(t, f(w.x + b))] + (lam/2)|w|^2, t = f(v.x + c).

(h, g) = (w.x + b, v.x + c) is bivariate normal with means (b, c), variances q = w^T Sigma w and p = v^T Sigma v
and covariance r = w^T Sigma v, so L = F(q, r, b): for mse (E f(g)^2 - 2 E f(h) f(g) + E f(h)^2)/2 + noise/2 with
the table entry's closed forms (:mod:`.gaussian`); for poisson with exp E e^h - E[h e^g] (linear in t: noise adds
nothing); plus lam q/2. grad_w L = Sigma (2 F_q w + F_r v), dL/db = F_b."""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable, NamedTuple, Optional

import numpy as np
import sympy as sp

from ..errors import InputError
from .bivariate import NUMPY
from .gaussian import SYMBOLIC_PAIR, GaussianEntry, Pair, check_entry, gaussian_entry
from .symbols import h
from .teacher import GaussianTeacher

q = sp.Symbol("q", nonnegative=True)
r = sp.Symbol("r", real=True)
b = sp.Symbol("b", real=True)


_CHECKED: dict = {}
_M1, _M2, _S11, _S22, _S12 = SYMBOLIC_PAIR


@dataclass(frozen=True)
class LossForm:
    """How one loss becomes F(q, r, b) from Gaussian moments. ``activations``: the only activations it admits
    (None: any with a table entry); ``convex``: L is strictly convex in (w, b) (Gaussian inputs span every
    direction), so one stationary point is the only one; ``moment``: (name, E[...] in m1, m2, s11, s22, s12);
    ``teacher_minimum``: E l(t, y) is least when y = t (mse: E[(t - y)^2] >= noise; poisson: e^h - t h is least
    at h = log t), so without L2 a student equal to the teacher is a global minimum."""

    name: str
    describe: Callable  # entry -> (formula, source)
    build: Callable
    moment: Callable
    check: Callable  # entry -> how it was checked (raises AssertionError when it fails)
    expectation: str  # LaTeX of the expected loss in y (the student's output) and t
    activations: Optional[tuple] = None
    convex: bool = False
    teacher_minimum: bool = True  # without L2 the loss is least where the student equals the teacher


def _squared(entry: GaussianEntry, mean, c, p, noise) -> sp.Expr:
    """E[(f(g) + noise - f(h))^2]/2."""
    return (entry.second_moment(c, p) - 2 * entry.cross(Pair(mean, c, q, p, r)) + entry.second_moment(mean, q)
            + noise) / 2


def _h_exp_g(pair: Pair) -> sp.Expr:
    """E[h e^g] = (m1 + s12) E[e^g] = (m1 + s12) exp(m2 + s22/2) (Stein's identity, the log-normal mean)."""
    return (pair.m1 + pair.s12) * sp.exp(pair.m2 + pair.s22 / 2)


def _poisson(entry: GaussianEntry, mean, c, p, noise) -> sp.Expr:
    """E[y - t log y] with y = e^h, t = e^g (+ noise of mean 0): E e^h - E[h e^g]."""
    return sp.exp(mean + q / 2) - _h_exp_g(Pair(mean, c, q, p, r))


FORMS = {
    "mse": LossForm("mse", lambda entry: (entry.formula, entry.source), _squared,
                    lambda entry: (r"\mathbb{E}[f(h)\,f(g)]", entry.cross(SYMBOLIC_PAIR)), lambda entry: checked(entry),
                    r"\tfrac{1}{2}\,\mathbb{E}\big[(t - y)^{2}\big]"),
    "poisson": LossForm("poisson", lambda entry: ("F = E e^h - E[h e^g] = exp(b + q/2) - (b + r) exp(c + p/2)",
                                                  "the log-normal mean and Stein's identity E[h e^g] = (m1 + s12) E[e^g]"),
                        _poisson, lambda entry: (r"\mathbb{E}[h\,e^{g}]", _h_exp_g(SYMBOLIC_PAIR)),
                        lambda entry: _check_poisson_moment(), r"\mathbb{E}\big[y - t \log y\big]", ("exp",),
                        convex=True),
}


def _check_poisson_moment() -> str:
    """E[h e^g] by the heat equations in (m2, s22) and Price's theorem dC/ds12 = E[1 * e^g] (the log-normal mean)."""
    C = _h_exp_g(SYMBOLIC_PAIR)
    residuals = [sp.diff(C, _S22) - sp.diff(C, _M2, 2) / 2, sp.diff(C, _S12) - sp.exp(_M2 + _S22 / 2),
                 sp.diff(sp.exp(_M1 + _S11 / 2), _S11) - sp.diff(sp.exp(_M1 + _S11 / 2), _M1, 2) / 2]
    if any(sp.simplify(x) != 0 for x in residuals):
        raise AssertionError(f"E[h e^g] = {C} fails its check")
    return "E[h e^g]: the heat equation in (m2, s22) and Price's theorem dC/ds12 = E[e^g] hold symbolically"


def checked(entry: GaussianEntry) -> str:
    """:func:`check_entry` once per entry and process (a Phi2 entry's proof takes seconds)."""
    key = (entry.activation, entry.formula)
    if key not in _CHECKED:
        _CHECKED[key] = check_entry(entry)
    return _CHECKED[key]


class LineBranch(NamedTuple):
    """F on the teacher's line where ``domain`` > 0 (expressions in q, r, b), and 2 F_q there."""

    F: sp.Expr
    domain: sp.Expr
    across: sp.Expr


@dataclass(frozen=True, eq=False)
class PopulationLoss:
    """F(q, r, b) for one (activation, bias, l2, teacher)."""

    entry: GaussianEntry
    form: LossForm
    teacher: GaussianTeacher
    bias: bool
    l2: sp.Rational
    checked: str  # how the moments were checked (Stein's identity) when this loss was built
    f: sp.Expr = None  # the activation f(h)
    exact = True  # closed forms (the quadrature route of :mod:`.quadrature` is not)

    @classmethod
    def build(cls, activation, loss, bias: bool, l2, teacher: GaussianTeacher) -> "PopulationLoss":
        form = FORMS.get(loss.name)
        if form is None or (form.activations is not None and activation.name not in form.activations):
            raise InputError(f"loss {loss.name!r} with activation {activation.name!r} and a Gaussian teacher: no "
                             f"population loss here (mse with the table's activations, or poisson with exp)")
        if l2 and teacher.cov is not None:
            raise InputError("l2 > 0 with a covariance cov: |w|^2 is not a function of w^T Sigma w; whiten the "
                             "inputs (use cov=None) or set l2 = 0")
        means = bias or (teacher.c is not None and teacher.c != 0)  # a mean in h or in g needs an entry with means
        entry = gaussian_entry(activation, means)
        return cls(entry, form, teacher, bias, l2, form.check(entry), activation.expr)

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
        return self.form.build(self.entry, mean, c, self.p, self.teacher.noise) + self.l2 * q / 2

    @functools.lru_cache(maxsize=2)
    def on_line(self, sign: int) -> Optional[list]:
        """Where the table entry is 0/0 on the teacher's line (rho = sign): F there as :class:`LineBranch`-es in
        (q, r, b), each valid where its domain > 0; None where F itself holds on the line. 2 F_q (the curvature
        across the line) comes from the heat equation dC/ds11 = C_m1m1/2: 2 F_q = -C_m1m1 + d/dq E[f(h)^2] + lam,
        and on the line C is a function of m1 (the means stay free there), so the branch gives it."""
        if self.entry.line is None:
            return None
        c = self.teacher.c if self.teacher.c is not None else sp.Integer(0)
        mean = b if self.bias else sp.Integer(0)
        m1 = sp.Dummy("m1", real=True)
        moment = sp.diff(self.entry.second_moment(mean, q), q) + self.l2
        out = []
        for cross, domain in self.entry.line(Pair(m1, c, q, self.p, r), sign):
            entry = replace(self.entry, cross=lambda pair, cross=cross.subs(m1, mean): cross)
            F = self.form.build(entry, mean, c, self.p, self.teacher.noise) + self.l2 * q / 2
            out.append(LineBranch(F, domain.subs(m1, mean), -sp.diff(cross, m1, 2).subs(m1, mean) + moment))
        return out

    @property
    def formula(self) -> str:
        return self.form.describe(self.entry)[0]

    @property
    def source(self) -> str:
        return self.form.describe(self.entry)[1]

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
        return sp.lambdify((q, r, b), parts, [NUMPY, "scipy", "numpy"])

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
            sides = [self._side(sign, s, weights[1:]).subs(s, sign * w) for sign in (1, -1)]
            if self.entry.line is None:
                at_zero = self.F.subs(self.forms((s,) + tuple(weights[1:])), simultaneous=True).limit(s, 0, "+")
            else:
                at_zero = self.at_zero(weights[1] if self.bias else 0)
            return sp.Piecewise((sides[0], w > 0), (at_zero, sp.Eq(w, 0)), (sides[1], True))
        return self.F.subs(self.forms(weights), simultaneous=True)

    def at_zero(self, bias) -> sp.Expr:
        """L at w = 0, where the student is the constant y = f(b): E[(t - y)^2]/2 + noise/2 (an entry with line
        branches is 0/0 at q = 0 as well)."""
        y = self.f.subs(h, bias)
        c = self.teacher.c if self.teacher.c is not None else sp.Integer(0)
        return (self.entry.second_moment(c, self.p) - 2 * y * self.entry.mean(c, self.p) + y**2 + self.teacher.noise) / 2

    def _side(self, sign: int, s, rest) -> sp.Expr:
        """L at w = sign s (d = 1, s > 0): F itself, or its branches on the line where F is 0/0 (the first
        branch on its domain's boundary, where the branches agree); the correlation of h and g is sign(w v)."""
        forms = self.forms((sign * s,) + tuple(rest))
        branches = self.on_line(sign if self.teacher.v[0] > 0 else -sign)  # w = sign s is on the side sign(w v) of v
        if branches is None:
            return sp.expand(self.F.subs(forms, simultaneous=True))
        pieces = [(x.F.subs(forms, simultaneous=True), x.domain.subs(forms, simultaneous=True)) for x in branches]
        return sp.Piecewise(*[(F, domain >= 0) for F, domain in pieces[:-1]], (pieces[-1][0], True))
