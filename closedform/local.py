"""Local models of a gradient step. Around w0, with g = grad E(w0), H = Hess E(w0) and the steepest-descent
direction d = -g:
    linear model     m1(s) = E(w0) + s g.d
    quadratic model  m2(s) = m1(s) + s^2/2 d.H d
and the Newton point w0 - H^-1 g. For a quadratic loss (identity + squared loss) m2 is exact and one Newton
step lands on the minimum, exactly in rational arithmetic; for a sigmoid neuron neither holds, and the linear
model's error grows with the step: a gradient step is "linear" only to first order. The result has a one-line
repr (no arrays) and a rich display (LaTeX)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import mpmath
import numpy as np
import sympy as sp

from .errors import InputError
from .model.numbers import exact_number, shown, to_mpf
from .printing import brief, brief_tuple, latex_display, latex_point, latex_text, short_repr, text

DIGITS = 40


@dataclass(frozen=True)
class LocalModel:
    """The models of one step from ``at``; the public :class:`closedform.LocalModel` (:mod:`closedform.problem`)
    adds ``plot`` and ``derivation``."""

    at: tuple
    value: sp.Expr
    gradient: sp.Matrix
    hessian: sp.Matrix
    newton_point: Optional[tuple]  # None when the Hessian at w0 is singular
    newton_gradient: Optional[tuple]  # the gradient at the Newton point (exact zeros for a quadratic loss)
    steps: np.ndarray
    true_loss: np.ndarray
    linear: np.ndarray
    quadratic: np.ndarray
    threshold: float
    threshold_step: float  # first step length where the linear model's relative error exceeds the threshold

    @property
    def linear_error(self):
        return self.true_loss - self.linear

    @property
    def quadratic_error(self):
        return self.true_loss - self.quadratic

    @property
    def newton_reaches_stationary_point(self) -> bool:
        return self.newton_gradient is not None and all(sp.sympify(v).is_Rational and sp.sympify(v) == 0
                                                        for v in self.newton_gradient)

    def summary(self) -> str:
        listed = lambda values, digits: ", ".join(text(shown(v, digits)) for v in values)  # noqa: E731
        newton = ("the Hessian is singular at w0: no Newton step" if self.newton_point is None else
                  f"Newton point w0 - H^-1 g = ({listed(self.newton_point, 15)}); gradient there: "
                  f"({listed(self.newton_gradient, 6)})")
        return "\n".join([
            f"at w0 = ({listed(self.at, 12)}): E = {text(shown(self.value, 12))}, gradient ({listed(self.gradient, 12)})",
            newton + ("  -> one Newton step reaches the stationary point" if self.newton_reaches_stationary_point
                      else ""),
            f"linear model: relative error passes {self.threshold:g} at step length {self.threshold_step:.4g}"
            if np.isfinite(self.threshold_step) else
            f"linear model: relative error stays below {self.threshold:g} on the steps examined",
        ])

    def _linear_words(self) -> str:
        if np.isfinite(self.threshold_step):
            return f"the linear model's relative error > {self.threshold:g} from step length {self.threshold_step:.4g}"
        return f"the linear model's relative error < {self.threshold:g} on the steps examined"

    def __repr__(self):
        newton = ("no Newton step (H singular)" if self.newton_point is None else
                  f"Newton point {brief_tuple(self.newton_point)}" +
                  (" is stationary" if self.newton_reaches_stationary_point else ""))
        return short_repr(self, f"at {brief_tuple(self.at)}", f"E = {brief(self.value)}", newton)

    def _repr_latex_(self):
        """The start, the loss and gradient there, the Newton point and the gradient at it (exact where the loss
        is quadratic), and where the linear model stops being trustworthy."""
        def equals(values):  # "= exact" for rationals, "\approx rounded" otherwise
            exact = all(sp.sympify(v).is_Rational for v in values)
            return ("= " if exact else r"\approx ") + latex_point(values, 12)

        rows = [(rf"\mathbf{{w}}_0 {equals(self.at)},\quad E(\mathbf{{w}}_0) {equals([self.value])},\quad "
                 rf"g = \nabla E(\mathbf{{w}}_0) {equals(self.gradient)}")]
        if self.newton_point is None:
            rows.append(r"\det H = 0: \quad " + latex_text("no Newton step"))
        else:
            rows.append(rf"\mathbf{{w}}_0 - H^{{-1}} g {equals(self.newton_point)},\quad \nabla E "
                        rf"{equals(self.newton_gradient)}" + (
                            r" \qquad " + latex_text("(one Newton step reaches the stationary point)")
                            if self.newton_reaches_stationary_point else ""))
        rows.append(latex_text(self._linear_words()))
        return latex_display(*rows)


def _newton(problem, w0, g, H):
    """(w0 - H^-1 g, the gradient there): exact in rational arithmetic, else at 40 digits; (None, None) when H is
    singular at w0 (no Newton step exists)."""
    if all(e.is_Rational for e in list(g) + list(H)):
        if H.det() == 0:
            return None, None
        newton = sp.Matrix(w0) - H.LUsolve(g)
        at = problem.gradient.subs(dict(zip(problem.weights, newton)))
        # a polynomial loss gives rationals (exact zeros); exp of a rational stays symbolic: its value at 40 digits
        # (sp.simplify of it can run for minutes and gigabytes); only an exact rational 0 counts as stationary
        return tuple(newton), tuple(e if e.is_Rational else sp.N(e, DIGITS) for e in at)
    with mpmath.workdps(DIGITS):
        Hm = mpmath.matrix([[to_mpf(e, DIGITS) for e in H.row(i)] for i in range(H.rows)])
        gm = mpmath.matrix([to_mpf(e, DIGITS) for e in g])
        try:
            step = mpmath.lu_solve(Hm, gm)
        except ZeroDivisionError:
            return None, None
        newton = sp.Matrix([sp.Float(str(v), DIGITS) for v in (mpmath.matrix(w0) - step)])
    return tuple(newton), tuple(sp.N(e, 15) for e in problem.gradient.subs(dict(zip(problem.weights, newton))))


def local_model(problem, at, threshold: float = 0.1, steps=None) -> LocalModel:
    """The local models of ``problem`` (a Neuron with concrete data) around ``at`` (exact numbers)."""
    if problem.data.symbolic:
        raise InputError("local_model needs concrete data; this problem's data is symbolic")
    w0 = [exact_number(v, f"at[{i}]") for i, v in enumerate(at if isinstance(at, (list, tuple)) else [at])]
    if len(w0) != problem.p:
        raise InputError(f"at has {len(w0)} coordinate(s); the problem has {problem.p} weight(s)")
    point = dict(zip(problem.weights, w0))
    g = problem.gradient.subs(point)
    H = problem.hessian.subs(point)
    value = problem.loss.subs(point)
    newton, residual = _newton(problem, w0, g, H)
    d = -g
    slope = (g.T * d)[0]
    curvature = (d.T * H * d)[0]
    gnorm = float(sp.sqrt(sum(e**2 for e in g)))
    grid = np.linspace(0, 4 / max(gnorm, 1e-12), 81) if steps is None else np.asarray(steps, dtype=float)
    model = problem.numeric
    direction = np.array([float(e) for e in d])
    base = np.array([float(e) for e in w0])
    true = model.loss(base[None, :] + grid[:, None] * direction[None, :])
    E0, slope_f, curv_f = float(value), float(slope), float(curvature)
    linear = E0 + grid * slope_f
    quadratic = linear + 0.5 * grid**2 * curv_f
    change = np.abs(true - E0)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(change > 0, np.abs(true - linear) / change, 0.0)
    over = grid[(relative > threshold) & (grid > 0)]
    return LocalModel(tuple(w0), value, g, H, newton, residual, grid, true, linear, quadratic, threshold,
                      float(over[0]) if over.size else float("inf"))
