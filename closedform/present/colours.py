"""The colours and markers every plot shares: one marker per kind of stationary point, and a colour scale for
a grid of losses that stays readable when the loss spans many decades."""
from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm, Normalize
from matplotlib.ticker import MaxNLocator

from ..kinds import Kind

STYLE = {Kind.MIN: ("o", "tab:green"), Kind.MAX: ("^", "tab:red"), Kind.SADDLE: ("s", "tab:orange"),
         Kind.DEGENERATE: ("X", "tab:gray"), Kind.UNCLASSIFIED: ("D", "tab:purple")}
DECADES = 2  # log colours when max(E - min E) exceeds 10^DECADES times its lower quartile over the plot


def colour_scale(loss):
    """(values to contour, norm, levels, colour-bar label) for a grid of losses: E on a linear scale, or E - min E
    on a log scale when max(E - min E) is more than 10^DECADES times its lower quartile -- a linear scale would
    then paint most of the plot, the minima with it, in its lowest colour. Non-finite values are left to mask."""
    finite = loss[np.isfinite(loss)]
    if finite.size == 0:
        return loss, Normalize(0, 1), np.linspace(0, 1, 2), "loss E"
    lo, hi = float(finite.min()), float(finite.max())
    if hi <= lo:  # constant over the plot
        return loss, Normalize(lo - 1, lo + 1), np.array([lo - 1, lo + 1]), "loss E (constant here)"
    above = finite - lo
    positive = above[above > 0]
    if hi - lo > 10.0**DECADES * np.percentile(positive, 25):
        floor = float(np.percentile(positive, 0.2))
        with np.errstate(invalid="ignore"):
            values = np.where(np.isfinite(loss), np.maximum(loss - lo, floor), np.nan)
        return (values, LogNorm(floor, hi - lo), np.geomspace(floor, hi - lo, 31),
                f"E - {lo:.4g}  (log scale; {lo:.4g} = least E on this grid)")
    levels = MaxNLocator(30).tick_values(lo, hi)
    return loss, Normalize(levels[0], levels[-1]), levels, "loss E"
