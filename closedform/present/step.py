"""The checked derivation of one step from w0: the Taylor models of the loss, the Newton point and what the
gradient is there. For a quadratic loss the second-order model is the loss itself, so the Newton point is the
minimum; otherwise the remaining gradient is shown."""
from __future__ import annotations

import sympy as sp

from ..local import shown
from .derivation import Derivation, assert_equal


def derive_step(model) -> Derivation:
    d = Derivation("Local models of a gradient step")
    w0 = sp.Matrix(model.at)
    g, H = model.gradient, model.hessian
    exact = all(e.is_Rational for e in list(g) + list(H))
    show = lambda e: shown(e, 15)  # noqa: E731
    s = sp.Symbol("s")
    d.statement("The starting point.", "w_0", w0.T)
    d.statement("The loss, its gradient g and its Hessian H there" + (" (exact)." if exact else
                " (to 15 digits)."), r"E(w_0),\ g,\ H", sp.Tuple(show(model.value), g.T.applyfunc(show),
                                                                  H.applyfunc(show)))
    slope, curvature = show((g.T * -g)[0]), show((g.T * H * g)[0])
    d.statement("Along the steepest-descent direction -g the first-order (linear) model changes at the rate "
                "-|g|^2; a gradient step trusts this model.", "m_1(s)", show(model.value) + s * slope)
    d.statement("The second-order model adds the curvature along -g.", "m_2(s)",
                show(model.value) + s * slope + s**2 / 2 * curvature)
    if model.newton_point is None:
        d.statement("The Hessian is singular at w_0, so H (w - w_0) = -g has no unique solution: there is no "
                    "Newton step from here.", r"\det H", 0)
        return d
    newton = sp.Matrix(model.newton_point)
    assert_equal(H * (newton - w0), -g, "Newton step")
    d.statement("The Newton step solves H (w - w_0) = -g" + (" exactly, in rational arithmetic." if exact else
                " (at 40 digits)."), "w", newton.T.applyfunc(show))
    rest = sp.Matrix(model.newton_gradient)
    if model.newton_reaches_stationary_point:
        d.statement("The gradient there is exactly zero: the loss is quadratic, its second-order model is exact, "
                    "and one Newton step lands on the stationary point.", r"\nabla E(w)", rest.T)
    else:
        d.statement("The gradient there is not zero: the loss is not quadratic, so neither model is exact and "
                    "one step does not reach the minimum.", r"\nabla E(w)", rest.T, relation=r"\approx")
    return d
