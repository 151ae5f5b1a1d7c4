"""The checked derivation of one step from w0: the Taylor models of the loss, the Newton point and what the
gradient is there. For a quadratic loss the second-order model is the loss itself, so the Newton point is the
minimum; otherwise the remaining gradient is shown. And the plot of the loss along the step with both models."""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..model.numbers import shown
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


def plot_step(model):
    """Loss along the steepest-descent step with the linear and quadratic models (a matplotlib Figure)."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
    ax.plot(model.steps, model.true_loss, color="tab:blue", label="loss E(w0 - s g)")
    ax.plot(model.steps, model.linear, "--", color="tab:red", label="linear model")
    ax.plot(model.steps, model.quadratic, ":", color="tab:green", label="quadratic model")
    if np.isfinite(model.threshold_step):
        ax.axvline(model.threshold_step, color="gray", linewidth=0.8, label=f"linear error > {model.threshold:g}")
    ax.set_xlabel("step length s")
    ax.set_ylabel("loss")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig
