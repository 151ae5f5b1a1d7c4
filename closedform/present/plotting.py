"""Plots of a :class:`StationarySet` (matplotlib only). 1-D (one reduced variable): loss and gradient against
the variable, points marked by kind, the limits at infinity as dashed lines on their side, flat regions shaded.
2-D: filled loss contours, points by kind, flat regions shaded, directions of the zeros at infinity as arrows."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg") if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline") else None
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

from ..errors import InputError  # noqa: E402
from ..kinds import Kind, RegionKind  # noqa: E402
from ..printing import text  # noqa: E402
from ..solve.reduction import reduce  # noqa: E402

STYLE = {Kind.MIN: ("o", "tab:green"), Kind.MAX: ("^", "tab:red"), Kind.SADDLE: ("s", "tab:orange"),
         Kind.DEGENERATE: ("X", "tab:gray"), Kind.UNCLASSIFIED: ("D", "tab:purple")}


def plot(result):
    """The figure for ``result``; raises InputError for symbolic data or more than two reduced variables."""
    neuron = result.problem
    if neuron.data.symbolic:
        raise InputError("plots need concrete data; this problem's data is symbolic")
    reduced = reduce(neuron)
    if reduced.r == 1:
        return _plot_1d(result, reduced)
    if reduced.r == 2:
        return _plot_2d(result, reduced)
    raise InputError(f"plots are drawn for 1 or 2 variables after reduction; this problem has {reduced.r}")


def _coordinates(reduced, point):
    """The reduced coordinates c = B^T w of a reported point."""
    B = np.array(reduced.basis.tolist(), dtype=float)
    return B.T @ np.array([float(v) for v in point.w])


def _reach(reduced, centres):
    z = np.abs(reduced.model.Z)
    reach = 8.0 / z[z > 0].min()
    return max([reach] + [1.5 * np.max(np.abs(c)) + 1 for c in centres])


def _plot_1d(result, reduced):
    model = reduced.model
    centres = [_coordinates(reduced, p) for p in result.points]
    reach = _reach(reduced, centres)
    grid = np.linspace(-reach, reach, 1201)[:, None]
    label = text(reduced.combinations[0])
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(7, 6), constrained_layout=True)
    top.plot(grid[:, 0], model.loss(grid), color="tab:blue", label="loss E")
    bottom.plot(grid[:, 0], model.gradient(grid)[:, 0], color="tab:purple", label=f"dE/d({label})")
    bottom.axhline(0, color="black", linewidth=0.6)
    seen = set()
    for point, c in zip(result.points, centres):
        marker, colour = STYLE[point.kind]
        kind_label = point.kind.value if point.kind not in seen else None
        seen.add(point.kind)
        top.plot([c[0]], [float(point.loss)], marker=marker, color=colour, markersize=9, linestyle="none",
                 label=kind_label, gid="stationary-point")
        bottom.plot([c[0]], [0.0], marker=marker, color=colour, markersize=9, linestyle="none")
    for asymptote in result.asymptotic:
        positive = float(np.dot(np.array(reduced.basis.T.tolist(), dtype=float) @ np.array(
            [float(v) for v in asymptote.direction]), [1.0])) > 0
        level = float(asymptote.limit_loss)
        top.axhline(level, xmin=0.5 if positive else 0.0, xmax=1.0 if positive else 0.5, linestyle="--",
                    color="tab:gray", label=f"{asymptote.description}: loss -> {text(asymptote.limit_loss)}",
                    gid="asymptote")
    for region in result.regions:
        if region.kind is RegionKind.FLAT:
            mask = _region_mask(region, reduced, grid)
            if mask is not None and mask.any():
                xs = grid[mask, 0]
                top.axvspan(xs.min(), xs.max(), color="tab:olive", alpha=0.2, label="flat region", gid="flat")
    top.set_ylabel("loss E")
    bottom.set_ylabel("gradient")
    bottom.set_xlabel(label)
    top.set_title(result.problem.describe())
    top.legend(fontsize=8, loc="best")
    top.grid(alpha=0.3)
    bottom.grid(alpha=0.3)
    return fig


def _region_mask(region, reduced, grid):
    """Where a region's inequalities hold on the grid (None if they are not in the reduced variables)."""
    symbols = list(reduced.neuron.weights) if reduced.is_full else None
    if symbols is None or region.expr in (sp.true, sp.false):
        return None
    test = sp.lambdify(symbols, region.expr, "numpy")
    return np.broadcast_to(np.asarray(test(*grid.T), dtype=bool), grid.shape[:1])


def _plot_2d(result, reduced):
    model = reduced.model
    centres = [_coordinates(reduced, p) for p in result.points]
    reach = _reach(reduced, centres)
    axis = np.linspace(-reach, reach, 241)
    A, B = np.meshgrid(axis, axis)
    grid = np.column_stack([A.ravel(), B.ravel()])
    loss = model.loss(grid).reshape(A.shape)
    fig, ax = plt.subplots(figsize=(7, 6), constrained_layout=True)
    filled = ax.contourf(A, B, loss, levels=30, cmap="viridis")
    fig.colorbar(filled, ax=ax, label="loss E")
    for region in result.regions:
        if region.kind is RegionKind.FLAT:
            mask = _region_mask(region, reduced, grid)
            if mask is not None and mask.any():
                ax.contourf(A, B, mask.reshape(A.shape).astype(float), levels=[0.5, 1.5], colors="white",
                            alpha=0.35, hatches=["//"])
                ax.plot([], [], color="white", alpha=0.6, linewidth=8, label="flat region")
    seen = set()
    for point, c in zip(result.points, centres):
        marker, colour = STYLE[point.kind]
        ax.plot([c[0]], [c[1]], marker=marker, color=colour, markersize=10, markeredgecolor="black",
                linestyle="none", label=point.kind.value if point.kind not in seen else None, gid="stationary-point")
        seen.add(point.kind)
    for asymptote in result.asymptotic:
        v = np.array(reduced.basis.T.tolist(), dtype=float) @ np.array([float(x) for x in asymptote.direction])
        v = 0.85 * reach * v / np.linalg.norm(v)
        ax.annotate("", xy=(v[0], v[1]), xytext=(0, 0), arrowprops=dict(arrowstyle="->", color="white", lw=1.5),
                    gid="asymptote")
        ax.text(0.7 * v[0], 0.7 * v[1], f"loss -> {text(asymptote.limit_loss)}", color="white", fontsize=8,
                ha="center", va="bottom")
    names = [text(c) for c in reduced.combinations]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(result.problem.describe())
    if seen or any(r.kind is RegionKind.FLAT for r in result.regions):
        ax.legend(loc="upper left", fontsize=8)
    return fig
