"""The checked derivation of one step from w0: the Taylor models of the loss, the Newton point and what the
gradient is there. For a quadratic loss the second-order model is the loss itself, so the Newton point is the
minimum; otherwise the remaining gradient is shown. And the plot of the loss along the step with both models."""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..model.numbers import shown
from ..printing import text
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
                "minus the squared length of g; a gradient step trusts this model.", "m_1(s)",
                show(model.value) + s * slope)
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


def line_minimum(model):
    """(s, E) of the least loss sampled along the line w0 - s g, refined by the parabola through that sample and
    its two neighbours (exact for a quadratic loss); None when the least sample is an end of the steps shown."""
    steps, loss = np.asarray(model.steps, dtype=float), np.asarray(model.true_loss, dtype=float)
    if not np.isfinite(loss).any():
        return None
    i = int(np.nanargmin(np.where(np.isfinite(loss), loss, np.nan)))
    if i == 0 or i == len(loss) - 1 or not np.isfinite(loss[i - 1:i + 2]).all():
        return None
    a, b, c = np.polyfit(steps[i - 1:i + 2], loss[i - 1:i + 2], 2)
    if a <= 0:
        return float(steps[i]), float(loss[i])
    s = -b / (2 * a)
    return float(s), float(np.polyval([a, b, c], s))


def newton_along_line(model):
    """(s, distance): the step length s of the Newton point's projection onto the line w0 - s g and the
    Newton point's distance from that line (0 when g is an eigenvector of H); None without a Newton point."""
    if model.newton_point is None:
        return None
    w0 = np.array([float(v) for v in model.at])
    d = -np.array([float(v) for v in model.gradient])
    delta = np.array([float(v) for v in model.newton_point]) - w0
    if not d.any():
        return 0.0, float(np.linalg.norm(delta))
    s = float(delta @ d / (d @ d))
    off = float(np.linalg.norm(delta - s * d))
    return s, (0.0 if off <= 1e-9 * max(np.linalg.norm(delta), 1.0) else off)


def plot_step(model):
    """Loss along the steepest-descent line w0 - s g with its linear and quadratic models (a matplotlib Figure),
    titled with w0. Marked: the minimum of the loss along the line, and the Newton point w0 - H^-1 g on the
    quadratic model where it lies on the line; where it does not, the quadratic model's minimum along the line
    is marked instead and the legend says how far off the line the Newton point is."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7.5, 5), constrained_layout=True)
    ax.plot(model.steps, model.true_loss, color="tab:blue", label="loss E(w0 - s g)")
    ax.plot(model.steps, model.linear, "--", color="tab:red", label="linear model")
    ax.plot(model.steps, model.quadratic, ":", color="tab:green", linewidth=2, label="quadratic model")
    if np.isfinite(model.threshold_step):
        ax.axvline(model.threshold_step, color="gray", linewidth=0.8, label=f"linear error > {model.threshold:g}")
    lo, hi = float(np.min(model.steps)), float(np.max(model.steps))
    best = line_minimum(model)
    if best is not None:
        ax.plot(*best, marker="*", markersize=13, color="tab:blue", markeredgecolor="black", linestyle="none", zorder=5,
                gid="line-minimum", label=f"minimum of E along the line: s = {best[0]:.4g}, E = {best[1]:.4g}")
    else:
        ax.plot([], [], " ", label="minimum of E along the line: not within the steps shown")
    g = np.array([float(v) for v in model.gradient])
    slope, curvature = -float(g @ g), float(g @ np.array(model.hessian.tolist(), dtype=float) @ g)
    m2 = lambda s: float(model.value) + slope * s + 0.5 * curvature * s**2  # noqa: E731
    newton = newton_along_line(model)
    if newton is None:
        ax.plot([], [], " ", label="no Newton point: H is singular at w0")
    elif newton[1] == 0:
        s = newton[0]
        if lo <= s <= hi:
            ax.plot([s], [m2(s)], marker="D", markersize=15, markerfacecolor="none", markeredgecolor="black",
                    markeredgewidth=2, linestyle="none", gid="newton-point",
                    label=f"Newton point w0 - H^-1 g: s = {s:.4g}, quadratic model {m2(s):.4g}")
        else:
            ax.plot([], [], " ",
                    label=f"Newton point w0 - H^-1 g: on this line at s = {s:.4g}, beyond the steps shown")
    else:
        ax.plot([], [], " ", label=f"Newton point w0 - H^-1 g: off this line (distance {newton[1]:.3g}), not shown")
        if curvature > 0 and lo <= -slope / curvature <= hi:
            s = -slope / curvature
            ax.plot([s], [m2(s)], marker="D", markersize=15, markerfacecolor="none", markeredgecolor="tab:green",
                    markeredgewidth=2, linestyle="none", gid="quadratic-minimum",
                    label=f"minimum of the quadratic model along the line: s = {s:.4g}, value {m2(s):.4g}")
    at = "(" + ", ".join(text(shown(v, 6)) for v in model.at) + ")"
    ax.set_title(f"Is a gradient step only linear? The loss along w0 - s g from w0 = {at}\n"
                 "against its linear model (what a gradient step trusts) and its quadratic model", fontsize=11)
    ax.set_xlabel("step length s")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig
