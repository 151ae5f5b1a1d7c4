"""The numeric fallback: batched damped Newton from many starts at once (NumPy), then a high-precision polish
(mpmath) that keeps a point only if Newton's steps shrink to nothing. On a saturating tail the gradient is tiny
but Newton's step stays near constant (g ~ e^-h gives step ~ 1), so such "roots" are rejected: they belong to
the zeros at infinity."""
from __future__ import annotations

import itertools

import mpmath
import numpy as np
import sympy as sp

BOX_REACH = 50.0  # default box: |h| up to this for the smallest data entry
LADDER_REACH = 4.0  # the box proof's first box: |h| up to this for a row at its column's median
MAX_STARTS = 400
RUNAWAY = 1e6  # a polish whose iterate leaves this multiple of its start has run off to a tail
WORK_BUDGET = 3e7  # starts x n x r^2 per Newton sweep
MP_HESSIAN_WORK = 1000  # samples x variables^2 up to which the polish's Newton uses the mpmath Hessian (beyond:
# float64's, which still gains ~15 digits per step)
TAIL_STEP = 1e-6  # a converged root's last Newton step, relative to the box; a tail's stays near 1/|z|


def target_reach(neuron) -> float:
    """The pre-activation scale the targets ask for: 2 max |f^-1(t_i)| over targets inside f's open range (the
    softplus minimum for t = 400 sits near h = 400), at least 50. f is strictly monotone where it has an
    inverse, so the largest |f^-1(t)| comes from the smallest or the largest target inside the range."""
    activation = neuron.activation
    reach = BOX_REACH
    if activation.inverse is None or activation.range is None:
        return reach
    targets = sorted(set(neuron.data.t))
    inside = [t for t in targets if _inside(activation.range, t)]  # comparisons with the range's ends only
    for target in {inside[0], inside[-1]} if inside else ():
        value = sp.N(activation.inverse(target), 20)
        if value.is_real:
            reach = max(reach, 2 * abs(float(value)))
    return reach


def _inside(interval, value) -> bool:
    """value in the open interior of ``interval`` (an Interval or the reals)."""
    return bool(interval.inf < value) and bool(value < interval.sup)


def default_box(reduced) -> list:
    """[-R_j, R_j] per coordinate, R_j = reach / min_i |z_ij| over non-zero entries: pre-activations up to the
    reach (50, or what the targets ask for: :func:`target_reach`)."""
    Z = np.abs(reduced.model.Z)
    scale = target_reach(reduced.neuron)
    box = []
    for j in range(reduced.r):
        column = Z[:, j][Z[:, j] > 0]
        reach = scale / column.min() if column.size else scale
        box.append((-reach, reach))
    return box


def box_ladder(reduced, box) -> list:
    """The boxes the box proof tries in turn, up to ``box`` (the default box, whose reach 50 / min_i |z_ij| grows
    like n for Gaussian data): [-R_j 2^k, R_j 2^k] from R_j = LADDER_REACH / median_i |z_ij| (the typical row sets
    the scale), doubling while under half the default, each side at most the default's; the last is ``box``."""
    Z = np.abs(reduced.model.Z)
    first = []
    for j, (_, hi) in enumerate(box):
        column = Z[:, j][Z[:, j] > 0]
        first.append(LADDER_REACH / np.median(column) if column.size else hi)
    ladder = []
    scale = 1.0
    while any(2 * r * scale < hi for r, (_, hi) in zip(first, box)):
        ladder.append([(-min(r * scale, hi), min(r * scale, hi)) for r, (_, hi) in zip(first, box)])
        scale *= 2
    return ladder + [box]


def starting_points(box, n: int, seed: int = 0, decades: int = 0) -> np.ndarray:
    """Starts over the box plus its centre: for r <= 3 the product of per-axis points, each axis holding a grid
    at the box's scale and, with ``decades`` > 0, at 1/10, 1/100, ... of it (features of data on several scales
    combine across axes); for r > 3 random points. At most what the work budget allows."""
    r = len(box)
    count = int(min(MAX_STARTS, max(4, WORK_BUDGET / (max(n, 1) * r * r))))
    lo, hi = np.array([b[0] for b in box]), np.array([b[1] for b in box])
    centre = (lo + hi) / 2
    if r > 3:
        unit = np.random.default_rng(seed).random((count, r))
        return np.vstack([centre, lo + unit * (hi - lo)])
    per_scale = max(2, int(round(count ** (1 / r) / (1 + decades))))
    axes = [np.unique(np.concatenate([c + np.linspace(a - c, b - c, per_scale) / 10**k for k in range(decades + 1)]))
            for a, b, c in zip(lo, hi, centre)]
    return np.vstack([centre, np.array(list(itertools.product(*axes)))])


def scale_decades(reduced) -> int:
    """How many decades the non-zero data entries span (0 for data on one scale)."""
    Z = np.abs(reduced.model.Z)
    nonzero = Z[Z > 0]
    return int(np.ceil(np.log10(nonzero.max() / nonzero.min()))) if nonzero.size else 0


def newton_search(model, box, iterations: int = 100, decades: int = 0) -> np.ndarray:
    """Candidate stationary points: Newton on grad E from every start at once, with backtracking on |grad E|
    (overflowing starts turn into inf / NaN and are dropped, silently)."""
    with np.errstate(all="ignore"):
        return _newton_search(model, box, iterations, decades)


def _newton_search(model, box, iterations, decades):
    W = starting_points(box, model.Z.shape[0], decades=decades)
    width = max(hi - lo for lo, hi in box)
    G = model.gradient(W)
    done = np.zeros(len(W), dtype=bool)
    for _ in range(iterations):
        live = ~done & np.isfinite(G).all(axis=1)
        if not live.any():
            break
        H = model.hessian(W[live])
        finite = np.isfinite(H).all(axis=(1, 2))
        done[np.flatnonzero(live)[~finite]] = True
        live[np.flatnonzero(live)[~finite]] = False
        if not live.any():
            break
        step = _newton_steps(H[finite], G[live])
        norms = np.linalg.norm(step, axis=1)
        step *= np.minimum(1.0, width / 2 / np.maximum(norms, 1e-300))[:, None]
        current = np.linalg.norm(G[live], axis=1)
        accepted = np.zeros(len(step), dtype=bool)
        trial_W, trial_G = W[live].copy(), G[live].copy()
        start = W[live]
        for _halving in range(8):
            pending = np.flatnonzero(~accepted)
            if pending.size == 0:
                break
            candidate = start[pending] + step[pending]
            cand_G = model.gradient(candidate)
            better = np.isfinite(cand_G).all(axis=1) & (np.linalg.norm(cand_G, axis=1) <= current[pending])
            trial_W[pending[better]], trial_G[pending[better]] = candidate[better], cand_G[better]
            accepted[pending[better]] = True
            step[pending[~better]] /= 2
        index = np.flatnonzero(live)
        small = np.linalg.norm(trial_W - W[live], axis=1) <= 1e-13 * (1 + np.linalg.norm(W[live], axis=1))
        W[index], G[index] = trial_W, trial_G
        done[index[small | ~accepted]] = True
    inside = np.all([(W[:, j] >= 2 * lo) & (W[:, j] <= 2 * hi) for j, (lo, hi) in enumerate(box)], axis=0)
    scale = 1 + np.abs(model.Z).sum()
    good = inside & np.isfinite(G).all(axis=1) & (np.linalg.norm(G, axis=1) < 1e-6 * scale)
    W = deduplicate(W[good])
    if len(W) == 0:
        return W
    H = model.hessian(W)
    usable = np.isfinite(H).all(axis=(1, 2))
    steps = np.full(len(W), np.inf)
    steps[usable] = np.linalg.norm(_newton_steps(H[usable], model.gradient(W[usable])), axis=1)
    return W[steps <= TAIL_STEP * width]  # a tail: |grad| tiny but Newton's step of order 1/|z|


def _newton_steps(H, G):
    """Solve H s = -G for each start; least squares where H is singular."""
    try:
        return -np.linalg.solve(H, G[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.stack([-np.linalg.lstsq(Hk, gk, rcond=None)[0] for Hk, gk in zip(H, G)])


def deduplicate(points, tolerance: float = 1e-6) -> np.ndarray:
    kept = []
    for p in points:
        if all(np.linalg.norm(p - q) > tolerance * (1 + np.linalg.norm(q)) for q in kept):
            kept.append(p)
    return np.array(kept).reshape(len(kept), points.shape[1] if len(points) else 0)


def polish(model, start, precision: int, max_iterations: int = 300):
    """Newton in mpmath at precision + 15 digits. Returns the point (mp matrix) or None when the steps stop
    shrinking (a tail, not a root), the Hessian is singular, or a step throws the iterate so far out
    (|c| > 10^6 times its start) that exp() of it cannot be evaluated. Linear convergence (a multiple root) is
    allowed while each step is at most 0.95 of the previous one."""
    try:
        return _polish(model, start, precision, max_iterations)
    except (ArithmeticError, MemoryError, ValueError):  # overflow, division by zero on a far tail
        return None


def _polish(model, start, precision, max_iterations):
    exact_hessian = model.Z.shape[0] * model.p**2 <= MP_HESSIAN_WORK
    with mpmath.workdps(precision + 15):
        c = mpmath.matrix([mpmath.mpf(float(v)) if not isinstance(v, mpmath.mpf) else v for v in start])
        reach = RUNAWAY * (1 + mpmath.norm(c))
        tolerance = mpmath.mpf(10) ** (-(precision + 8))
        previous = None
        for k in range(max_iterations):
            G = model.mp_gradient(c)
            H = model.mp_hessian(c) if exact_hessian else mpmath.matrix(model.hessian(np.array([float(v) for v in c]))[0].tolist())
            try:
                delta = mpmath.lu_solve(H, -G)
            except ZeroDivisionError:
                return None
            c += delta
            size = mpmath.norm(delta)
            if not mpmath.isfinite(size) or mpmath.norm(c) > reach:
                return None
            if size <= tolerance * (1 + mpmath.norm(c)):
                return c
            if previous is not None and k > 4 and size > 0.95 * previous:
                return None
            previous = size
    return None


def progress_bar(items, what: str, progress=None, unit: str = "point"):
    """``items`` with a progress bar on a terminal (or as ``progress`` says): the notebook widget where
    ipywidgets is installed, else the plain text bar (tqdm.auto would warn "IProgress not found" in Jupyter)."""
    from importlib.util import find_spec

    if find_spec("ipywidgets") is not None:  # loads only where a bar can be needed
        from tqdm.auto import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm(items, desc=what, unit=unit, disable=None if progress is None else not progress, leave=False)
