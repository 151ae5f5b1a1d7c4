"""Plots of a :class:`StationarySet` (matplotlib only). 1-D (one reduced variable): loss and gradient against
the variable, points marked by kind, the limits at infinity as dashed lines on their side, flat regions shaded.
2-D: filled loss contours (on a log scale in E - min E when that spans more than ``DECADES`` decades), the
arrangement lines x~_i.w = 0 where a pre-activation changes sign, flat regions and affine sets of stationary
points, points by kind, and the zeros at infinity as numbered arrows whose numbers the legend explains.

Artists carry a ``gid`` naming what they show (``stationary-point``, ``stationary-set``, ``arrangement``,
``flat``, ``affine-line``, ``affine-area``, ``asymptote``, ``asymptote-label``), for tests and for readers."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg") if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline") else None
import matplotlib.patheffects as effects  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import LogLocator, MaxNLocator  # noqa: E402

from ..errors import InputError  # noqa: E402
from ..kinds import Kind, RegionKind  # noqa: E402
from ..printing import text  # noqa: E402
from ..solve.reduction import reduce  # noqa: E402
from .colours import STYLE, colour_scale  # noqa: E402
from .landscape import plot_landscape  # noqa: E402

LEGEND_WIDE = 55  # characters of a legend entry beyond which two columns would run off the figure
LEGEND_ROWS = 8  # legend rows the figure holds at its base height
LEGEND_ROW = 0.17  # inches per legend row beyond those
MAX_LINES = 30  # more arrangement lines than this are not drawn (they would hide the contours)
ARROW = 0.7  # the arrows of the zeros at infinity end at this fraction of the plotted half-width
OUTLINE = [effects.withStroke(linewidth=3, foreground="black")]
LABEL_BOX = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "black", "linewidth": 0.6}


def plot(result):
    """The figure for ``result``; raises InputError for symbolic data or more than two reduced variables (a
    Gaussian teacher's: its landscape, :mod:`.landscape`)."""
    if result.problem.population is not None:
        return plot_landscape(result)
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
    return B.T @ np.array([float(v) for v in point])


def _reach(reduced, centres):
    z = np.abs(reduced.model.Z)
    reach = 8.0 / z[z > 0].min()
    return max([reach] + [1.5 * np.max(np.abs(c)) + 1 for c in centres])


def _plot_1d(result, reduced):
    model = reduced.model
    centres = [_coordinates(reduced, p.w) for p in result.points]
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
    return _holds(_parts(region.expr)[1], symbols, grid)


def _parts(expr):
    """(equations, other conditions) of a conjunction."""
    terms = expr.args if isinstance(expr, sp.And) else (expr,)
    return ([e for e in terms if isinstance(e, sp.Equality)],
            [e for e in terms if not isinstance(e, sp.Equality) and e is not sp.true])


def _holds(conditions, symbols, points):
    """Where all ``conditions`` (relations in ``symbols``) hold at ``points`` (m x len(symbols))."""
    if not conditions:
        return np.ones(len(points), dtype=bool)
    test = sp.lambdify(symbols, sp.And(*conditions), "numpy")
    return np.broadcast_to(np.asarray(test(*points.T), dtype=bool), points.shape[:1])


# --- two variables ------------------------------------------------------------------------------------------

def _plot_2d(result, reduced):
    model = reduced.model
    centres = [_coordinates(reduced, p.w) for p in result.points]
    reach = _reach(reduced, centres)
    axis = np.linspace(-reach, reach, 241)
    A, B = np.meshgrid(axis, axis)
    grid = np.column_stack([A.ravel(), B.ravel()])
    with np.errstate(all="ignore"):
        loss = model.loss(grid).reshape(A.shape)
    fig, ax = plt.subplots(figsize=(7.5, 7.8), constrained_layout=True)
    legend = []  # (handle, label) in the order drawn
    values, norm, levels, bar_label = colour_scale(loss)
    filled = ax.contourf(A, B, np.ma.masked_invalid(values), levels=levels, norm=norm, cmap="viridis")
    filled.set_gid("loss")
    bar = ax.inset_axes([1.03, 0, 0.04, 1])  # beside the square axes, as tall as they are
    fig.colorbar(filled, cax=bar, label=bar_label,
                 ticks=LogLocator() if isinstance(norm, LogNorm) else MaxNLocator(8))
    _draw_arrangement(ax, reduced, reach, legend)
    _draw_regions(ax, result, reduced, A, B, grid, reach, legend)
    _draw_points(ax, result, centres, legend)
    arrows, labels = _draw_asymptotes(ax, result, reduced, reach, legend)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    names = [text(c) for c in reduced.combinations]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(result.problem.describe())
    if legend:  # two columns while the entries are short; one (and a taller figure) when they are not
        columns = 2 if max(len(label) for _, label in legend) <= LEGEND_WIDE else 1
        rows = -(-len(legend) // columns)
        fig.set_figheight(fig.get_figheight() + LEGEND_ROW * max(0, rows - LEGEND_ROWS))
        fig.legend(*zip(*legend), loc="outside lower center", ncols=columns, fontsize=8)
    if labels:
        _separate(fig, ax, arrows, labels, reach)
    return fig


def arrangement(reduced):
    """Unit normals of the distinct lines z_i.c = 0 (that is x~_i.w = 0, a pre-activation zero) of a 2-D reduced
    problem, one per direction of a nonzero z_i up to sign and scale; None when there are more than MAX_LINES."""
    Z = reduced.model.Z
    sizes = np.linalg.norm(Z, axis=1)
    U = Z[sizes > 0] / sizes[sizes > 0, None]
    U = U * np.where(U[:, :1] < 0, -1.0, 1.0)  # one sign per line: first coordinate >= 0 ...
    U[(U[:, 0] == 0) & (U[:, 1] < 0)] *= -1  # ... and (0, 1) rather than (0, -1)
    normals = np.unique(np.round(U, 12) + 0.0, axis=0)
    return None if len(normals) > MAX_LINES else normals


def _draw_arrangement(ax, reduced, reach, legend):
    normals = arrangement(reduced)
    if normals is None or len(normals) == 0:
        return
    for u in normals:
        along = 2 * reach * np.array([-u[1], u[0]])
        ax.plot([-along[0], along[0]], [-along[1], along[1]], color="0.55", linewidth=0.8, linestyle="--",
                gid="arrangement")
    bias = " + b" if reduced.neuron.bias else ""
    what = f"x_i.w{bias} = 0" if reduced.is_full and reduced.neuron.p == 2 else "x~_i.w = 0"
    legend.append((Line2D([], [], color="0.55", linewidth=0.8, linestyle="--"),
                   f"{what}: a pre-activation is 0 ({len(normals)} line{'s' if len(normals) > 1 else ''})"))


def _draw_regions(ax, result, reduced, A, B, grid, reach, legend):
    """Flat regions and affine sets of stationary points: areas shaded, lines drawn, single points marked."""
    drawn = set()

    def once(key, handle, label):
        if key not in drawn:
            drawn.add(key)
            legend.append((handle, label))

    for region in result.regions:
        if not reduced.is_full:
            # the set {w : B^T w = c*} (flat along the rest) is the single point c* in the reduced variables
            if region.kind is RegionKind.AFFINE and region.representative is not None:
                c = _coordinates(reduced, region.representative)
                kind = region.along_span or Kind.UNCLASSIFIED
                marker, colour = STYLE[kind]
                handle, = ax.plot([c[0]], [c[1]], marker=marker, color=colour, markersize=11,
                                  markeredgecolor="white", markeredgewidth=1.5, linestyle="none",
                                  gid="stationary-set")
                once(("set", kind), handle, f"{kind.value} along the data span (a whole affine set in w)")
            continue
        shape = _shape(region, reduced, reach)
        if shape is None:
            continue
        if shape[0] == "area":
            mask = _holds(shape[1], list(reduced.neuron.weights), grid).reshape(A.shape)
            if not mask.any():
                continue
            flat = region.kind is RegionKind.FLAT
            colour, hatch = ("white", "//") if flat else ("tab:pink", "\\\\")
            shaded = ax.contourf(A, B, mask.astype(float), levels=[0.5, 1.5], colors=colour, alpha=0.35,
                                 hatches=[hatch])
            shaded.set_gid("flat" if flat else "affine-area")
            once(shaded.get_gid(), Patch(facecolor=colour, edgecolor="0.3", alpha=0.5, hatch=hatch),
                 "flat region: f' = 0, loss constant" if flat else "an area of stationary points")
        elif shape[0] == "line":
            xs, ys = shape[1]
            if not np.any((np.abs(xs) <= reach) & (np.abs(ys) <= reach)):
                continue
            ax.plot(xs, ys, color="magenta", linewidth=2.5, solid_capstyle="butt", gid="affine-line",
                            path_effects=OUTLINE)
            once("affine-line", Line2D([], [], color="magenta", linewidth=2.5, path_effects=OUTLINE),
                 "a line of stationary points")
        else:
            c = shape[1]
            handle, = ax.plot([c[0]], [c[1]], marker="P", color="magenta", markersize=11, markeredgecolor="black",
                              linestyle="none", gid="stationary-set")
            once("set-point", handle, "stationary set (one point here)")


def _shape(region, reduced, reach):
    """How a region of a full 2-D problem looks: ("area", conditions), ("line", (xs, ys)) -- NaN where the
    conditions fail -- or ("point", w); None when its description is not in the weights."""
    weights = list(reduced.neuron.weights)
    if region.expr in (sp.true, sp.false):
        return None
    equations, conditions = _parts(region.expr)
    if not equations:
        return "area", conditions
    solutions = list(sp.linsolve(equations, weights))
    if len(solutions) != 1:
        return None
    solution = sp.Matrix(solutions[0])
    free = sorted(solution.free_symbols, key=str)
    if len(free) >= 2:
        return "area", conditions
    if not free:
        return "point", np.array([float(v) for v in solution])
    base = np.array([float(v) for v in solution.subs(free[0], 0)])
    step = np.array([float(v) for v in solution.subs(free[0], 1)]) - base
    span = (np.linalg.norm(base) + 2 * reach) / np.linalg.norm(step)
    points = base + np.linspace(-span, span, 4001)[:, None] * step
    inside = _holds(conditions, weights, points)
    points[~inside] = np.nan
    return "line", (points[:, 0], points[:, 1])


def _draw_points(ax, result, centres, legend):
    seen = set()
    for point, c in zip(result.points, centres):
        marker, colour = STYLE[point.kind]
        handle, = ax.plot([c[0]], [c[1]], marker=marker, color=colour, markersize=10, markeredgecolor="black",
                          linestyle="none", gid="stationary-point")
        if point.kind not in seen:
            seen.add(point.kind)
            legend.append((handle, point.kind.value))


def _draw_asymptotes(ax, result, reduced, reach, legend):
    """Arrows from the origin along the zeros at infinity, each numbered at its tip; the legend says which
    number goes where (and from which w0, for a ray inside a face) and to what loss."""
    to_reduced = reduced.basis.T
    arrows, labels = [], []
    for k, asymptote in enumerate(result.asymptotic, 1):
        direction = to_reduced * sp.Matrix(asymptote.direction)
        v = np.array([float(x) for x in direction])
        u = v / np.linalg.norm(v)
        arrow = ax.annotate("", xy=tuple(ARROW * reach * u), xytext=(0, 0), gid="asymptote",
                            arrowprops={"arrowstyle": "-|>", "color": "white", "lw": 1.6, "mutation_scale": 14})
        arrow.arrow_patch.set_path_effects(OUTLINE)
        label = ax.text(0, 0, str(k), fontsize=9, fontweight="bold", gid="asymptote-label", zorder=5, bbox=LABEL_BOX)
        label.set_in_layout(False)
        label.direction = u
        arrows.append(arrow)
        labels.append(label)
        start = "" if asymptote.finite_part is None else \
            " from w0 = (" + ", ".join(f"{float(x):.4g}" for x in asymptote.finite_part) + ")"
        legend.append((Line2D([], [], marker=f"${k}$", color="black", linestyle="none", markersize=8),
                       f"zero at infinity along {text(tuple(direction))}{start}: loss -> {text(asymptote.limit_loss)}"))
    return arrows, labels


def _separate(fig, ax, arrows, labels, reach):
    """Put each arrow's number beyond its tip, on the side away from the origin, moving it outwards (then
    sideways) until its box meets no arrow, no stationary marker and no number placed before it."""
    fig.canvas.draw()  # settles the layout, so that boxes in pixels are final
    renderer = fig.canvas.get_renderer()
    obstacles = [a.arrow_patch.get_window_extent(renderer) for a in arrows]
    obstacles += [line.get_window_extent(renderer) for line in ax.get_lines()
                  if line.get_gid() in ("stationary-point", "stationary-set")]
    frame = ax.get_window_extent(renderer)
    for label in labels:
        u = label.direction
        label.set_horizontalalignment("left" if u[0] > 0.3 else "right" if u[0] < -0.3 else "center")
        label.set_verticalalignment("bottom" if u[1] > 0.3 else "top" if u[1] < -0.3 else "center")
        side = np.array([-u[1], u[0]])
        for radius, shift in [(r, s) for r in (0.76, 0.83, 0.9) for s in (0, 0.07, -0.07, 0.14, -0.14)] + [(0.76, 0)]:
            label.set_position(tuple(reach * (radius * u + shift * side)))
            box = label.get_window_extent(renderer).expanded(1.05, 1.1)
            if (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
                    and not any(box.overlaps(other) for other in obstacles)):
                break
        obstacles.append(label.get_window_extent(renderer))
