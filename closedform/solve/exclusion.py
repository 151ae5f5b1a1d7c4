"""Branch and bound over a search box: a sub-box is discarded when an interval enclosure of some gradient
component excludes 0 (the naive enclosure intersected with the centred form g(m) + H(X)(X - m)), or when the
Krawczyk operator maps it outside itself; it holds exactly one zero when the Krawczyk operator maps it into its
interior; otherwise it is split along its widest side. When nothing is left undecided, every zero in the box
is accounted for: that is the proof behind ``complete = True`` for the box."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
import math
import time

import flint
import mpmath
import numpy as np
import sympy as sp
from mpmath import iv

from ..budget import Workers
from . import intervals as ia
from .certify import IntervalModel, interval_digits, inside, krawczyk
from .floatbox import FloatIntervalModel
from .separation import separating_direction

BATCH = 256  # boxes decided in one vectorised pass (fewer when boxes x samples would pass BATCH_ELEMENTS)
BATCH_ELEMENTS = 2**18
MAX_BOXES = 40000
MAX_DIRECTIONS = 64  # valley lines (r = 2) beyond which the mpmath model skips the directional test
DIGITS = 20
CUT = mpmath.mpf(511) / 1024
ROUND = 1.0  # seconds a worker searches per round before handing back what waits (a round costs ~0.1 s more)


class Verdict(IntEnum):
    """What a test proves of a sub-box (an int, so that a batch's verdicts are one NumPy array)."""
    NONE = 0  # no zero of the gradient
    UNIQUE = 1  # exactly one
    SPLIT = 2  # undecided at this size


NONE, UNIQUE, SPLIT = Verdict.NONE, Verdict.UNIQUE, Verdict.SPLIT


@dataclass
class BoxSearch:
    unique: list = field(default_factory=list)  # boxes proved to hold exactly one zero
    undecided: int = 0
    boxes: int = 0
    left: list = field(default_factory=list)  # (lo, hi) arrays not yet examined, when stopped at a frontier

    @property
    def complete(self) -> bool:
        return self.undecided == 0


def _mid(x):
    return mpmath.mpf(x.mid._mpi_[0])


def _cut(x):
    """Where a sub-box is split: a little off its middle (a dyadic fraction), so that a zero at a round number
    (0, 1/2, ...) does not sit on the edge of both halves, where no test can prove it unique."""
    return mpmath.mpf(x.a) + (mpmath.mpf(x.b) - mpmath.mpf(x.a)) * CUT


def _excludes_zero(interval) -> bool:
    return interval.a > 0 or interval.b < 0


def _centred_gradient(G_centre, X, centre, H):
    """g(c) + H(X)(X - c): the mean-value enclosure of the gradient on X."""
    r = len(X)
    return [G_centre[j] + sum((H[j][k] * (X[k] - centre[k]) for k in range(r)), iv.mpf(0)) for j in range(r)]


def hyperplanes(z) -> list:
    """For r = 2 and 3, each distinct hyperplane z_i.c = 0 through the data: its primitive integer normal (first
    nonzero entry positive) and the rows on it, those that are multiples of the normal; [] otherwise."""
    if not z or len(z[0]) not in (2, 3):
        return []
    planes = {}
    for index, row in enumerate(z):
        normal = _integer_row(row)
        divisor = math.gcd(*normal)
        if divisor:
            normal = [v // divisor for v in normal]
            sign = 1 if next(v for v in normal if v) > 0 else -1
            planes.setdefault(tuple(sign * v for v in normal), []).append(index)
    return list(planes.items())


class _MpBox:
    """The mpmath interval model (:class:`.certify.IntervalModel`) seen as the search sees a model: the
    slow, exact-exponent fallback where float64 loses what decides."""

    def __init__(self, model, planes):
        """``planes`` from :func:`hyperplanes`: in 2-D and for at most MAX_DIRECTIONS of them, each box tests
        d . grad along each line's direction d = (-b, a), its rows left out."""
        self.model, self.r = model, model.r
        planes = planes if self.r == 2 and len(planes) <= MAX_DIRECTIONS else []
        self.directions = [([iv.mpf(-b), iv.mpf(a)], set(rows)) for (a, b), rows in planes]

    def enclose(self, X):
        gs, rows, l2_part = self.model.terms(X)
        gradient = list(l2_part)
        for gi, row in zip(gs, rows):
            gradient = [o + gi * zj for o, zj in zip(gradient, row)]
        valleys = []
        for d, on_line in self.directions:
            total = sum((l * dj for l, dj in zip(l2_part, d)), iv.mpf(0))
            for i, (gi, row) in enumerate(zip(gs, rows)):
                if i not in on_line:
                    total += gi * (d[0] * row[0] + d[1] * row[1])
            valleys.append(total)
        return gradient, valleys

    def gradient(self, X):
        return self.model.gradient(X)

    def hessian(self, X):
        return self.model.hessian(X)


def search(model, box, hessian_at, max_boxes: int = MAX_BOXES) -> BoxSearch:
    """Branch and bound on ``box`` [(lo, hi), ...] one box at a time with ``model`` (enclose, gradient,
    hessian, r: the mpmath model, the reference route of :func:`batch_search`); ``hessian_at(point)`` gives a
    Hessian (the preconditioner: any matrix is sound)."""
    result = BoxSearch()
    with mpmath.workdps(DIGITS), interval_digits(DIGITS):
        stack = [[iv.mpf([lo, hi]) for lo, hi in box]]
        scale = max(hi - lo for lo, hi in box)
        while stack:
            if result.boxes >= max_boxes:
                result.undecided += len(stack)
                break
            X = stack.pop()
            result.boxes += 1
            verdict = _decide(model, X, hessian_at)
            if verdict == UNIQUE:
                result.unique.append(X)
            elif verdict == SPLIT:
                widths = [float(x.delta) for x in X]
                j = max(range(len(X)), key=widths.__getitem__)
                if widths[j] < 1e-12 * scale:
                    result.undecided += 1
                    continue
                m = _cut(X[j])
                stack.append(X[:j] + [iv.mpf([X[j].a, m])] + X[j + 1:])
                stack.append(X[:j] + [iv.mpf([m, X[j].b])] + X[j + 1:])
    return result


def _monotone_excludes_zero(model, X, H, j) -> bool:
    """Where dG_j/dw_k has a fixed sign on X, G_j's extremes sit on the matching faces: evaluate G_j there
    (the other coordinates as intervals) for a much tighter range."""
    low, high = [], []
    for k, x in enumerate(X):
        if H[j][k].a >= 0:
            low.append(iv.mpf(x.a))
            high.append(iv.mpf(x.b))
        elif H[j][k].b <= 0:
            low.append(iv.mpf(x.b))
            high.append(iv.mpf(x.a))
        else:
            low.append(x)
            high.append(x)
    if low == X:
        return False
    return model.gradient(low)[j].a > 0 or model.gradient(high)[j].b < 0


def _decide(model, X, hessian_at) -> Verdict:
    """The verdict on the box X (mpmath intervals); cheapest tests first, every enclosure computed once."""
    try:
        gradient, valleys = model.enclose(X)
        if any(_excludes_zero(g) for g in gradient) or any(_excludes_zero(s) for s in valleys):
            return NONE
        centre = [_mid(x) for x in X]
        G_centre = model.gradient([iv.mpf(c) for c in centre])
        H = model.hessian(X)
        if any(_excludes_zero(g) for g in _centred_gradient(G_centre, X, centre, H)):
            return NONE
        if any(_monotone_excludes_zero(model, X, H, j) for j in range(model.r)):
            return NONE
        Y = mpmath.inverse(hessian_at(centre))
        K = krawczyk(model, X, centre, Y, G_centre, H)
    except (ArithmeticError, ValueError, mpmath.libmp.NoConvergence):  # incl. a singular preconditioner
        return SPLIT
    if any(k.b < x.a or k.a > x.b for k, x in zip(K, X)):
        return NONE
    return UNIQUE if inside(K, X) else SPLIT


def _excludes(x: ia.Intervals) -> np.ndarray:
    return (x.lo > 0) | (x.hi < 0)


def _faces(lo, hi, slopes, toward_low: bool):
    """Per box, the face where a component with these slopes (r Intervals over the boxes) is least
    (``toward_low``) or greatest: a coordinate whose slope keeps one sign pinned to the matching end."""
    face_lo, face_hi = lo.copy(), hi.copy()
    for k, slope in enumerate(slopes):
        rising, falling = slope.lo >= 0, slope.hi <= 0
        low_end, high_end = (rising, falling) if toward_low else (falling, rising)
        face_hi[low_end, k] = lo[low_end, k]
        face_lo[high_end, k] = hi[high_end, k]
    return face_lo, face_hi


def _krawczyk_batch(X, c, Gc, HX, Hc):
    """K(X) = c - Y g(c) + (I - Y H(X)) (X - c) for every box at once, Y the float inverse of the midpoint of
    the Hessian at the centre (any Y is sound; the identity where that midpoint is not invertible)."""
    r = len(X)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):  # a singular M: the identity below
        M = np.stack([np.stack([Hc[i][j].lo / 2 + Hc[i][j].hi / 2 for j in range(r)], -1) for i in range(r)], -2)
        usable = np.isfinite(M).all(axis=(1, 2)) & (np.abs(np.linalg.det(np.nan_to_num(M))) > 0)
    M[~usable] = np.eye(r)
    try:
        Y = np.linalg.inv(M)
    except np.linalg.LinAlgError:  # a pivot the determinant did not see: no preconditioner is also sound
        Y = np.broadcast_to(np.eye(r), M.shape)
    K = []
    for j in range(r):
        value = ia.Intervals.points(c[:, j])
        for k in range(r):
            value = value - ia.Intervals.points(Y[:, j, k]) * Gc[k]
            factor = ia.constant(1.0 if j == k else 0.0)
            for m in range(r):
                factor = factor - ia.Intervals.points(Y[:, j, m]) * HX[m][k]
            value = value + factor * (X[k] - ia.Intervals.points(c[:, k]))
        K.append(value)
    return K


class SignCones:
    """Gordan's alternative over a box (:mod:`.separation`): where the terms g_i = g(t_i, z_i.c) in a set S keep
    strict signs s_i throughout the box (and, with an L2 term, the regularised c_j too), a v with s_i z_i.v > 0
    on S and z_k.v = 0 for every other row k gives v.grad = sum_S |g_i| s_i z_i.v > 0: the box holds no zero,
    however the sizes compare, so whole saturated regions go at once. v = N y for an exact basis N of the other
    rows' null space, y from one linear program per sign pattern (checked exactly, cached)."""

    def __init__(self, reduced):
        self.rows = [i for i, zi in enumerate(reduced.z) if any(zi)]  # a zero row adds nothing
        r = reduced.r
        self.axes = [j for j in range(r) if reduced.regularised[j]] if reduced.neuron.l2 != 0 else []
        self.z = [_integer_row(reduced.z[i]) for i in self.rows] + [[int(j == k) for k in range(r)]
                                                                     for j in self.axes]
        self.r = r
        self.known = {}

    def excluded(self, signs, lo, hi) -> np.ndarray:
        """Per box (term signs K x n, 0 where not strict; the boxes K x r): proved to hold no zero."""
        pattern = signs[:, self.rows]
        if self.axes:
            pattern = np.hstack([pattern, np.where(lo[:, self.axes] > 0, 1, np.where(hi[:, self.axes] < 0, -1, 0))])
        out = np.zeros(signs.shape[0], bool)
        some = np.flatnonzero((pattern != 0).any(axis=1))
        if some.size == 0:
            return out
        verdicts = {}
        for k in some:  # a pattern's bytes are its key: hashing n signs as a tuple cost more than the test
            key = pattern[k].astype(np.int8).tobytes()
            if key not in verdicts:
                verdicts[key] = self._separated(key, pattern[k])
            out[k] = verdicts[key]
        return out

    def _separated(self, key: bytes, pattern) -> bool:
        if key not in self.known:
            others = [z for s, z in zip(pattern.tolist(), self.z) if s == 0]
            if len(others) >= self.r and _clearly_spanning(others, self.r):  # v = 0 only: not separated (safe)
                self.known[key] = False
                return False
            basis = _null_space(others, self.r)
            rows = [(s, tuple(sum(a * b for a, b in zip(z, column)) for column in basis))
                    for s, z in zip(pattern.tolist(), self.z) if s != 0] if basis else []
            self.known[key] = bool(rows) and separating_direction(rows) is not None
        return self.known[key]


def _integer_row(z) -> list:
    """z times the lcm of its denominators: a positive multiple, so the signs of z.v and z.v = 0 are z's."""
    z = [sp.Rational(v) for v in z]
    q = math.lcm(*(int(v.q) for v in z))
    return [int(v.p) * (q // int(v.q)) for v in z]


def _clearly_spanning(rows, r: int) -> bool:
    """The float singular values of the rows show rank r with a wide margin (saying False is always safe)."""
    singular = np.linalg.svd(np.array(rows, dtype=float), compute_uv=False)
    return singular[r - 1] > 1e-6 * singular[0]


def _null_space(rows, r: int) -> list:
    """An exact integer basis (as columns) of {v : z.v = 0 for every row z} (FLINT; the unit vectors when there
    are no rows)."""
    if not rows:
        return [[int(i == j) for i in range(r)] for j in range(r)]
    N, nullity = flint.fmpz_mat(rows).nullspace()
    return [[int(N[i, j]) for i in range(r)] for j in range(nullity)]


def _rows(found, rows):
    """The boxes ``rows`` of a :class:`.floatbox.BatchGradient`."""
    n = found.terms.shape[1]
    pre = np.add.outer(rows * n, np.arange(n)).ravel()
    return type(found)([g[rows] for g in found.gradient], found.lossy[rows], found.signs[rows], found.terms[rows],
                       found.pre[pre])


def _decide_batch(model, lo, hi, cones=None):
    """Verdicts NONE / UNIQUE / SPLIT for the boxes [lo_k, hi_k] (K x r) by the tests of :func:`_decide` in
    float64 (and the sign cones', when given), each test on all the boxes still open at once; and the mask of
    boxes float64 may have misjudged."""
    r = model.r
    verdict = np.full(lo.shape[0], SPLIT)
    found = model.batch_gradient(lo, hi)
    lossy = found.lossy
    none = np.zeros(lo.shape[0], bool)
    for g in found.gradient:
        none |= _excludes(g)
    rest = np.flatnonzero(~none)  # the valley sums and the cones only where the components left a box open
    if rest.size:
        for v in model.valleys(lo[rest], hi[rest], _rows(found, rest)):
            none[rest] |= _excludes(v)
    if cones is not None:
        rest = ~none
        none[rest] = cones.excluded(model.term_signs(lo[rest], hi[rest], found.signs[rest]), lo[rest], hi[rest])
    verdict[none] = NONE
    open_ = np.flatnonzero(~none)
    if open_.size == 0:
        return verdict, lossy
    lo, hi = lo[open_], hi[open_]
    X = [ia.Intervals(lo[:, j], hi[:, j]) for j in range(r)]
    c = np.clip(lo + (hi - lo) / 2, lo, hi)
    at_centre = model.batch_gradient(c, c)
    Gc, lossy_c = at_centre.gradient, at_centre.lossy
    HX, lossy_h = model.batch_hessian(lo, hi)
    lossy[open_] |= lossy_c | lossy_h
    none = np.zeros(open_.size, bool)
    for j in range(r):  # the centred form g(c) + H(X)(X - c)
        centred = Gc[j]
        for k in range(r):
            centred = centred + HX[j][k] * (X[k] - ia.Intervals.points(c[:, k]))
        none |= _excludes(centred)
    for j in range(r):  # g_j at the faces where it is least and greatest, where some slope keeps its sign
        fixed = np.zeros(open_.size, bool)
        for slope in HX[j]:
            fixed |= (slope.lo >= 0) | (slope.hi <= 0)
        rows = np.flatnonzero(fixed & ~none)
        if rows.size:
            slopes = [slope[rows] for slope in HX[j]]
            low = model.batch_gradient(*_faces(lo[rows], hi[rows], slopes, True)).gradient[j]
            high = model.batch_gradient(*_faces(lo[rows], hi[rows], slopes, False)).gradient[j]
            none[rows] |= (low.lo > 0) | (high.hi < 0)
    rows = np.flatnonzero(~none)
    unique = np.zeros(open_.size, bool)
    if rows.size:
        Hc, _ = model.batch_hessian(c[rows], c[rows])
        K = _krawczyk_batch([x[rows] for x in X], c[rows], [g[rows] for g in Gc],
                            [[entry[rows] for entry in row] for row in HX], Hc)
        inside_, outside = np.ones(rows.size, bool), np.zeros(rows.size, bool)
        for k, lo_k, hi_k in zip(K, lo[rows].T, hi[rows].T):
            outside |= (k.hi < lo_k) | (k.lo > hi_k)
            inside_ &= (k.lo > lo_k) & (k.hi < hi_k)
        none[rows] |= outside
        unique[rows] = inside_ & ~outside
    verdict[open_] = np.where(none, NONE, np.where(unique, UNIQUE, SPLIT))
    return verdict, lossy


def batch_search(model, box, fallback, hessian_at, max_boxes: int = MAX_BOXES, cones=None) -> BoxSearch:
    """Branch and bound on ``box`` with the float64 ``model`` (:class:`.floatbox.FloatIntervalModel`) and
    ``cones`` (:class:`SignCones`, optional), up to BATCH boxes decided in one vectorised pass; a box float64
    leaves undecided after losing precision is put to ``fallback`` (the mpmath model, ``hessian_at`` its
    preconditioner) one by one."""
    lo = ia._down(np.array([float(a) for a, _ in box]))  # widened outward: a larger box is searched
    hi = ia._up(np.array([float(b) for _, b in box]))
    return branch_and_bound(model, [(lo, hi)], float(np.max(hi - lo)), fallback, hessian_at, max_boxes, cones)


def branch_and_bound(model, stack, scale: float, fallback, hessian_at, max_boxes: int, cones=None,
                     seconds: float = 0, frontier: int = 0) -> BoxSearch:
    """:func:`batch_search` from the (lo, hi) arrays on ``stack`` (``scale``: the whole box's widest side; a
    sub-box narrower than 1e-12 of it is left undecided). Stop, leaving what waits in ``left``, after ``seconds``
    or once ``frontier`` boxes wait (either, when given)."""
    result = BoxSearch()
    end = time.monotonic() + seconds
    per_pass = max(1, min(BATCH, BATCH_ELEMENTS // model.Z.shape[0]))
    with mpmath.workdps(DIGITS), interval_digits(DIGITS):
        while stack:
            if (seconds and time.monotonic() >= end) or (frontier and len(stack) >= frontier):
                result.left = stack
                break
            if result.boxes >= max_boxes:
                result.undecided += len(stack)
                break
            take = min(per_pass, len(stack), max_boxes - result.boxes)
            batch, stack = stack[-take:], stack[:-take]
            result.boxes += take
            lows, highs = np.array([b[0] for b in batch]), np.array([b[1] for b in batch])
            verdicts, lossy = _decide_batch(model, lows, highs, cones)
            for low, high, verdict, lost in zip(lows, highs, verdicts, lossy):
                X = [iv.mpf([a, b]) for a, b in zip(low, high)]
                if verdict == SPLIT and lost:
                    verdict = _decide(fallback, X, hessian_at)
                if verdict == UNIQUE:
                    result.unique.append(X)
                elif verdict == SPLIT:
                    j = int(np.argmax(high - low))
                    if high[j] - low[j] < 1e-12 * scale:
                        result.undecided += 1
                        continue
                    m = low[j] + (high[j] - low[j]) * float(CUT)
                    left_high, right_low = high.copy(), low.copy()
                    left_high[j] = right_low[j] = m
                    stack.append((low, left_high))
                    stack.append((right_low, high))
    return result


def box_search(reduced, box, max_boxes: int = MAX_BOXES, workers: int = 1):
    """Run :func:`batch_search` for a reduced problem; returns (unique boxes as [(lo, hi), ...] of mpf,
    undecided, boxes examined), plain values that cross a process boundary. With ``workers`` > 1 the waiting
    sub-boxes are dealt round by round to that many forked workers (sharing the models built here), each
    searching for ROUND seconds and handing back what waits: the work gathers around zeros and valleys, where
    a fixed split of the box would leave one worker with most of it (measured: one of 32 pieces, 7.8 of 13 s).
    The sub-boxes examined are the same as one process's."""
    planes = hyperplanes(reduced.z)  # the float model tests the few nearest each box
    model, fallback = FloatIntervalModel(reduced, planes), _MpBox(IntervalModel(reduced), planes)
    cones = SignCones(reduced)
    if workers == 1:
        return _plain(batch_search(model, box, fallback, reduced.model.mp_hessian, max_boxes, cones))
    lo = ia._down(np.array([float(a) for a, _ in box]))  # widened outward as batch_search does
    hi = ia._up(np.array([float(b) for _, b in box]))
    scale = float(np.max(hi - lo))

    def search(stack, most, seconds=0, frontier=0):
        found = branch_and_bound(model, stack, scale, fallback, reduced.model.mp_hessian, most, cones, seconds,
                                 frontier)
        return _plain(found) + (found.left,)

    unique, undecided, boxes, waiting = search([(lo, hi)], max_boxes, frontier=workers)  # enough to deal
    with Workers(search, workers) as pool:
        while waiting:
            if boxes >= max_boxes:
                undecided += len(waiting)
                break
            hands = [waiting[k::workers] for k in range(min(workers, len(waiting)))]
            waiting = []
            for found_unique, found_undecided, found_boxes, left in pool.map(
                    [(hand, (max_boxes - boxes) // len(hands), ROUND) for hand in hands]):
                unique, undecided, boxes = unique + found_unique, undecided + found_undecided, boxes + found_boxes
                waiting += left
    return unique, undecided, boxes


def _plain(found: BoxSearch):
    """(unique boxes as [(lo, hi), ...] of mpf, undecided, boxes examined)."""
    return ([[(mpmath.mpf(x._mpi_[0]), mpmath.mpf(x._mpi_[1])) for x in X] for X in found.unique], found.undecided,
            found.boxes)
