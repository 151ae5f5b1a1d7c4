"""The landscape of a population loss (a Gaussian teacher): L on the plane w = a v + beta u, where u is a unit
direction across the teacher's line (|v| a along v, beta across). Every stationary point lies in that plane up to
rotations about v (an orbit in d >= 3 meets it in its mirror pair a v +- beta u), so the plot shows all of them.
With a bias in d = 1 the axes are (w, b) instead. Points are marked by kind, the teacher by a star, the zeros at
infinity along +-v by arrows. Point markers carry the gid ``stationary-point:<kind>``."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from matplotlib.colors import BoundaryNorm

from ..errors import InputError
from ..kinds import Kind, RegionKind
from ..model.bivariate import NUMPY
from ..model.population import b, q, r
from ..printing import text
from .colours import STYLE

GRID = 161  # points per axis (closed forms); the quadrature route draws a coarser grid
NUMERIC_GRID = 41


def plot_landscape(result):
    neuron = result.problem
    pop, d = neuron.population, neuron.dim
    if neuron.data.cov is not None:
        raise InputError("a population landscape is drawn for x ~ N(0, I) only (cov = None)")
    if neuron.bias and d >= 2:
        raise InputError("a population landscape with a bias is drawn for d = 1 only (three variables otherwise)")
    v = np.array([float(x) for x in neuron.data.v])
    norm_v = float(np.sqrt(v @ v))
    across = d >= 2
    coordinates = [_plane(point.w, v, norm_v, neuron) for point in result.points]
    coordinates += [_plane(region.representative, v, norm_v, neuron) for region in result.regions]
    reach = max([2.0] + [1.4 * max(abs(a), abs(b)) for a, b in coordinates])
    size = GRID if pop.exact else NUMERIC_GRID
    x = np.linspace(-reach, reach, size)
    y = np.linspace(-reach, reach, size) if (across or neuron.bias) else None
    fig, ax = plt.subplots(figsize=(7.2, 6.2), constrained_layout=True)
    if y is None:  # d = 1 without a bias: the loss against w
        loss = _losses(neuron, [(xi, 0.0) for xi in x])
        ax.plot(x, loss, color="black", lw=1.2, label="loss L(w)")
        for point, (a, _) in zip(result.points, coordinates):
            marker, colour = STYLE[point.kind]
            ax.plot([a], [float(point.loss)], marker, color=colour, ms=9, label=f"{point.kind.value}",
                    gid=f"stationary-point:{point.kind.value}")
        ax.set_xlabel("w")
        ax.set_ylabel("population loss L")
    else:
        A, B = np.meshgrid(x, y)
        loss = np.array(_losses(neuron, list(zip(A.ravel(), B.ravel())))).reshape(A.shape)
        finite = loss[np.isfinite(loss)]
        levels = np.unique(np.quantile(finite, np.linspace(0, 1, 31)))  # equal areas per colour: the basins show
        filled = ax.contourf(A, B, np.ma.masked_invalid(loss), levels=levels, norm=BoundaryNorm(levels, 256),
                             cmap="viridis")
        fig.colorbar(filled, ax=ax, label="population loss L (colour bands of equal area)", format="%.3g")
        seen = set()
        for item, (a, b) in zip(list(result.points) + list(result.regions), coordinates):
            if getattr(item, "kind", None) is RegionKind.FLAT:  # relu's dead set {w = 0, b <= 0} in the (w, b) plane
                ax.plot([0, 0], [-reach, 0], "-", color="white", lw=5, solid_capstyle="butt",
                        label="flat region (the dead set)", gid="stationary-set:flat")
                continue
            kind = item.kind if hasattr(item, "w") else item.along_span or Kind.UNCLASSIFIED
            marker, colour = STYLE[kind]
            what = kind.value if hasattr(item, "w") else f"orbit ({kind.value} across)"
            for mirror in ((1, -1) if not hasattr(item, "w") or d >= 3 and b else (1,)):
                ax.plot([a], [mirror * b], marker, color=colour, ms=10, mec="black",
                        label=None if what in seen else what, gid=f"stationary-point:{kind.value}")
                seen.add(what)
        if not neuron.bias:
            ax.plot([norm_v], [0], "*", color="white", ms=16, mec="black", label="the teacher w = v")
            for asymptote in result.asymptotic:
                sign = 1 if float(asymptote.direction[0]) * v[0] + sum(
                    float(a) * b for a, b in zip(asymptote.direction[1:d], v[1:])) > 0 else -1
                ax.annotate("", xy=(sign * 0.95 * reach, 0), xytext=(sign * 0.6 * reach, 0),
                            arrowprops={"arrowstyle": "->", "color": "white", "lw": 2})
                ax.text(sign * 0.78 * reach, 0.05 * reach, f"L -> {float(asymptote.limit_loss):.4g}", color="white",
                        ha="center")
        ax.set_xlabel("w.v/|v|  (along the teacher)" if not neuron.bias else "w")
        ax.set_ylabel(("(v x w)/|v|  (across the teacher)" if d == 2 else "|w - (w.v) v/|v|^2|  (across; mirror "
                       "below)") if not neuron.bias else "b")
        ax.set_aspect("equal")
    route = "" if pop.exact else " (numeric)"
    ax.set_title(f"f(h) = {text(neuron.activation.expr)}, teacher v = ({', '.join(map(str, neuron.data.v))}), d = {d}{route}",
                 fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def _plane(w, v, norm_v, neuron):
    """(along, across) of a point: w.v/|v| and the length of w's part across v (or (w, b) with a bias in d = 1)."""
    if neuron.bias:
        return float(w[0]), float(w[1])
    w = np.array([float(x) for x in w[: neuron.dim]])
    along = float(w @ v) / norm_v
    across = float(np.sqrt(max(w @ w - along**2, 0.0)))
    if neuron.dim == 2 and v[0] * w[1] - v[1] * w[0] < 0:  # in the plane itself: the side of the line
        across = -across
    return along, across


def _losses(neuron, plane) -> list:
    """L at each (along, across) of the plane (or (w, b) with a bias)."""
    pop = neuron.population
    p, v0 = float(pop.p), float(neuron.data.v[0])
    if pop.exact:
        F = sp.lambdify((q, r, b), pop.F, [NUMPY, "scipy", "numpy"])
        with np.errstate(all="ignore"):
            pairs = np.array(plane, float)
            if neuron.bias:  # d = 1: the plane is (w, b), and L in the weights (branches where F is 0/0)
                out = sp.lambdify(neuron.weights, neuron.loss, [NUMPY, "scipy", "numpy"])(pairs[:, 0], pairs[:, 1])
            else:
                out = F(pairs[:, 0] ** 2 + pairs[:, 1] ** 2, pairs[:, 0] * np.sqrt(p), 0.0)
            return list(np.broadcast_to(np.real(out), (len(plane),)).astype(float))
    if neuron.bias:
        return [pop.values(a * a, a * v0, bb)[0] for a, bb in plane]
    return [pop.values(a * a + c * c, a * np.sqrt(p), 0.0)[0] for a, c in plane]
