"""Interval enclosures of the reduced gradient and Hessian over a box, vectorised over the data in float64
(:mod:`.intervals`): the fast model of the box search, linear in n with NumPy's constant.

A per-sample function that is rational in h and e^h (sigmoid, tanh, silu, ...) is compiled twice, in u = e^h
(used where h <= 0) and in v = e^-h (where h >= 0), so that neither overflows: far out in a saturating tail each term keeps its sign even
when its size underflows, and a sum of same-signed terms still excludes 0. Each term's range over its
h-interval is the hull of its endpoint values and its values at the critical points inside, where those are
known for every target (:mod:`.extrema`); otherwise it is tightened as in :func:`.certify.tight_range`: where
the h-derivative keeps one sign the range is spanned by the endpoint values, else the interval is bisected. Where float64 may lose what decides (an overflow,
or a gradient enclosure within TINY of 0, where terms may have underflowed) the batch methods mark the box and
the search asks the mpmath model instead."""
from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import NamedTuple

import numpy as np
import sympy as sp
from mpmath import iv

from ..model.symbols import h, t
from . import intervals as ia
from .certify import interval_ready
from .extrema import CriticalValues, in_exp

TINY = 1e-200  # a gradient enclosure inside (-TINY, TINY) may hold underflowed terms (e^-2|h| is 0 in float64
# past |h| = 372): such a box is put to the mpmath model when float64 leaves it undecided
MAX_DEPTH = 4
VALLEYS_PER_BOX = 8  # valley directions tested on each box: orthogonal to the nearest planes z_i.c = 0
PLANES_PER_BOX_3D = 4  # in 3-D, the pairs among this many nearest planes (6 directions)
HESSIAN_DEPTH = 3
EXACT_INT64 = 2**19  # normals' entries below this: |d . n| <= 3 (2 * 2^38) 2^19 < 2^63, exact in int64
CACHED_WEIGHTS = 2**23  # valley weights d . z_i kept for reuse (floats per endpoint, ~134 MB at most)

_u, _v = sp.symbols("u v", positive=True)


class _Compiled:
    """f(t, h) over intervals: in (h, u = e^h) and (h, v = e^-h) where f is rational in h and e^h, else as
    written."""

    def __init__(self, expr):
        expr = interval_ready(expr)
        in_u = in_exp(expr, _u)
        modules = [ia.MODULE, "mpmath"]
        if in_u is None:
            self._plain = sp.lambdify((t, h), expr, modules=modules, cse=True)
            self._u = self._v = None
        else:
            self._plain = None
            self._u = sp.lambdify((t, h, _u), in_u, modules=modules, cse=True)
            self._v = sp.lambdify((t, h, _v), sp.cancel(in_u.subs(_u, 1 / _v)), modules=modules, cse=True)

    def __call__(self, T: ia.Intervals, H: ia.Intervals) -> ia.Intervals:
        if self._plain is not None:
            return _broadcast(self._plain(T, H), H)
        out = ia.Intervals(np.empty(H.shape), np.empty(H.shape))
        negative, positive = H.lo < 0, H.hi > 0
        for side, form, sign in ((negative, self._u, 1), (positive, self._v, -1)):
            if side.any():  # u = e^h on the part h <= 0, v = e^-h on h >= 0: each in (0, 1]
                index = np.flatnonzero(side)
                part = ia.Intervals(np.minimum(H.lo[index], 0), np.minimum(H.hi[index], 0)) if sign > 0 else \
                    -ia.Intervals(np.maximum(H.lo[index], 0), np.maximum(H.hi[index], 0))
                value = _broadcast(form(T[index], part if sign > 0 else -part, ia.exp(part)), part)
                both = (negative & positive)[index] if sign < 0 else np.zeros(index.size, bool)
                out.lo[index] = np.where(both, np.minimum(out.lo[index], value.lo), value.lo)
                out.hi[index] = np.where(both, np.maximum(out.hi[index], value.hi), value.hi)
        zero = ~(negative | positive)  # h = 0 exactly
        if zero.any():
            index = np.flatnonzero(zero)
            zero = ia.Intervals.points(np.zeros(index.size))
            value = _broadcast(self._u(T[index], zero, ia.constant(1)), zero)
            out.lo[index], out.hi[index] = value.lo, value.hi
        return out


def _broadcast(value, like: ia.Intervals) -> ia.Intervals:
    value = ia.constant(value) if not isinstance(value, ia.Intervals) else value
    return ia.Intervals(np.broadcast_to(value.lo, like.shape), np.broadcast_to(value.hi, like.shape))


def _concat(*parts: ia.Intervals) -> ia.Intervals:
    return ia.Intervals(np.concatenate([p.lo for p in parts]), np.concatenate([p.hi for p in parts]))


def tight_range(f, derivative, T, H, depth: int = 0) -> ia.Intervals:
    """An enclosure of f(T_i, .) over each H_i: the hull of the endpoint values where the derivative keeps one
    sign, else the halves (breadth first, every piece of a level in one call, to MAX_DEPTH), then the naive
    enclosure."""
    if np.array_equal(H.lo, H.hi):
        return f(T, H)
    depth = min(depth, MAX_DEPTH)  # the last level always writes every term (an unwritten one would be empty)
    n = H.shape[0]
    out = ia.Intervals(np.full(n, np.inf), np.full(n, -np.inf))
    owner, lo, hi = np.arange(n), H.lo, H.hi
    for level in range(depth, MAX_DEPTH + 1):
        pieces = ia.Intervals(lo, hi)
        monotone = (lambda slope: (slope.lo >= 0) | (slope.hi <= 0))(derivative(T, pieces))
        ends = f(_concat(T, T), ia.Intervals.points(np.concatenate([lo, hi])))
        m = lo.size
        value = ia.hull(ends[:m], ends[m:])
        done = monotone if level < MAX_DEPTH else np.ones(m, bool)
        if level == MAX_DEPTH and not monotone.all():
            value = ia.where(monotone, value, f(T, pieces))
        np.fmin.at(out.lo, owner[done], value.lo[done])
        np.fmax.at(out.hi, owner[done], value.hi[done])
        rest = ~done
        if not rest.any():
            break
        middle = lo[rest] + (hi[rest] - lo[rest]) / 2
        owner = np.concatenate([owner[rest], owner[rest]])
        lo, hi = np.concatenate([lo[rest], middle]), np.concatenate([middle, hi[rest]])
        T = _concat(T[rest], T[rest])
    return out


def _to_iv(x: ia.Intervals):
    return iv.mpf([float(x.lo), float(x.hi)])  # float endpoints are exact in mpmath


def _from_iv(X) -> ia.Intervals:
    """Boxes as float intervals, rounded outward from mpmath's endpoints."""
    return ia.Intervals(ia._down([float(x.a) for x in X]), ia._up([float(x.b) for x in X]))


def sign_part(expr):
    """``expr`` without its factors that are positive for real h (exp(-h^2/2), positive constants, ...): the
    same sign, without the factors that underflow in a tail; None when there is no such factor."""
    factors = sp.Mul.make_args(sp.factor_terms(expr))
    kept = [f for f in factors if not f.is_positive]
    return sp.Mul(*kept) if len(kept) < len(factors) else None


class BatchGradient(NamedTuple):
    """Enclosures over K boxes."""
    gradient: list  # r Intervals of shape (K,)
    lossy: np.ndarray  # (K,) a non-finite value, or a component within TINY of 0 (every term may have underflowed)
    signs: np.ndarray  # (K, n) the sign of each term g(t_i, z_i.c) throughout the box, 0 where not strict
    terms: ia.Intervals  # (K, n) each term g(t_i, z_i.c) over the box
    pre: ia.Intervals  # (K * n,) the pre-activations z_i.c over each box, box-major


class FloatIntervalModel:
    """Gradient, Hessian and valley sums of a reduced problem over a box, as mpmath intervals computed in float64."""

    digits = 10  # an enclosure of a point resolves about this many digits (the rounding of sums over n terms)

    def __init__(self, reduced, planes=()):
        """``planes``: [(integer normal, rows on it)] from :func:`.exclusion.hyperplanes` (r = 2, 3), however
        many: each box tests the directions orthogonal to the few nearest it (:meth:`valleys`)."""
        fns = reduced.neuron.fns
        self.g = _Compiled(fns.g)
        self.g_h = _Compiled(fns.g_h)
        self.g_hh = _Compiled(sp.diff(fns.g_h, h))
        targets = reduced.model.T_exact  # one per row of model.T, in its order
        self.g_range = CriticalValues.build(interval_ready(fns.g), self.g, targets)
        self.g_h_range = CriticalValues.build(interval_ready(fns.g_h), self.g_h, targets)
        part = sign_part(fns.g)
        self.sign = _Compiled(part) if part is not None else None
        model = reduced.model
        self.Z = ia.Intervals.around(model.Z)
        self.T = ia.Intervals.around(model.T)
        self.r = reduced.r
        self.pairs = [(i, j) for i in range(self.r) for j in range(i, self.r)]
        products = [self.Z[:, i] * self.Z[:, j] for i, j in self.pairs]  # z_ij z_ik, for the Hessian's sums
        self.ZZ = ia.Intervals(np.stack([p.lo for p in products], 1), np.stack([p.hi for p in products], 1))
        self.l2 = ia.constant(reduced.neuron.l2)
        self.mask = list(reduced.regularised)
        self.plane_of = np.full(model.Z.shape[0], -1)  # each row's hyperplane z_i.c = 0 (-1: a zero row)
        for index, (_, rows) in enumerate(planes):
            self.plane_of[rows] = index
        normals = [normal for normal, _ in planes]
        small = all(abs(v) < EXACT_INT64 for normal in normals for v in normal)  # d . n exact in int64
        self.normals = np.array(normals, dtype=np.int64 if small else object).reshape(len(planes), self.r)
        self._weights = OrderedDict()  # planes -> their direction's weights d . z_i (lo, hi), last used at the end

    def _pre(self, lo, hi):
        """The boxes [lo_k, hi_k] (arrays K x r) as r Intervals of shape (K,), and the pre-activations z_i.c
        over each box, flattened box-major (K * n,)."""
        X = [ia.Intervals(lo[:, j], hi[:, j]) for j in range(self.r)]
        H = self.Z[:, 0] * X[0][:, None]
        for j in range(1, self.r):
            H = H + self.Z[:, j] * X[j][:, None]
        return X, ia.Intervals(H.lo.ravel(), H.hi.ravel())

    def _tiled(self, count: int) -> ia.Intervals:
        return ia.Intervals(np.tile(self.T.lo, count), np.tile(self.T.hi, count))

    def _range(self, f, derivative, critical, count, H, depth) -> ia.Intervals:
        """Each term's f over its h-interval: from its critical values when they are known
        (:class:`.extrema.CriticalValues`), else by bisection (:func:`tight_range`)."""
        if critical is not None:
            return critical.range(f, self._tiled(count), H)
        return tight_range(f, derivative, self._tiled(count), H, depth)

    def _l2(self, X, j):
        return self.l2 * X[j] if self.mask[j] else ia.constant(0)

    def batch_gradient(self, lo, hi) -> BatchGradient:
        """Over K boxes (lo, hi: K x r): the enclosures of the gradient components, the boxes float64 may have
        misjudged, each term's strict sign and enclosure (:class:`BatchGradient`)."""
        count = lo.shape[0]
        X, H = self._pre(lo, hi)
        G = self._range(self.g, self.g_h, self.g_range, count, H, 0)
        G = ia.Intervals(G.lo.reshape(count, -1), G.hi.reshape(count, -1))
        sums = ia.matmul(G, self.Z)
        gradient = [sums[:, j] + self._l2(X, j) for j in range(self.r)]
        lossy = np.zeros(count, bool)
        for g in gradient:
            lossy |= ~np.isfinite(g.lo) | ~np.isfinite(g.hi) | (np.maximum(np.abs(g.lo), np.abs(g.hi)) < TINY)
        signs = np.where(G.lo > 0, 1, np.where(G.hi < 0, -1, 0)).astype(np.int8)
        return BatchGradient(gradient, lossy, signs, G, H)

    def nearest_planes(self, H, count: int):
        """Per box (pre-activations H over K = ``count`` boxes, flattened box-major), the valleys it tests: sets of
        r - 1 of the hyperplanes z_i.c = 0 nearest it (those it crosses first), up to VALLEYS_PER_BOX: arrays
        (box, slot) and the list of the sets (tuples of plane indices)."""
        n = self.plane_of.size
        distance = np.where(H.lo > 0, H.lo, np.where(H.hi < 0, -H.hi, 0.0)).reshape(count, n)
        distance[:, self.plane_of < 0] = np.inf
        take = min(n, 4 * VALLEYS_PER_BOX)  # rows nearest each box, nearest first
        nearest = np.argpartition(distance, take - 1, axis=1)[:, :take] if take < n else np.tile(np.arange(n), (count, 1))
        nearest = np.take_along_axis(nearest, np.argsort(np.take_along_axis(distance, nearest, 1), axis=1), 1)
        boxes, slots, sets = [], [], []
        for k, rows in enumerate(nearest):
            planes = list(dict.fromkeys(self.plane_of[rows[np.isfinite(distance[k, rows])]].tolist()))
            chosen = [(p,) for p in planes[:VALLEYS_PER_BOX]] if self.r == 2 else \
                list(itertools.combinations(sorted(planes[:PLANES_PER_BOX_3D]), 2))
            for slot, key in enumerate(chosen[:VALLEYS_PER_BOX]):
                boxes.append(k), slots.append(slot), sets.append(key)
        return np.array(boxes, int), np.array(slots, int), sets

    def _direction(self, planes: tuple) -> list:
        """An integer d orthogonal to the planes' normals (r - 1 of them): (-b, a) in 2-D, n1 x n2 in 3-D."""
        if self.r == 2:
            a, b = self.normals[planes[0]]
            return [-b, a]
        (a1, a2, a3), (b1, b2, b3) = self.normals[planes[0]], self.normals[planes[1]]
        return [a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1]

    def _valley_weights(self, keys: list) -> tuple:
        """(n x len(keys) weights d . z_i, exactly 0 on every row orthogonal to d; the directions as float
        intervals): the columns of the sets met last are kept (neighbouring boxes share their nearest planes)."""
        for key in keys:
            if key not in self._weights:
                d = self._direction(key)
                on_valley = (self.normals @ np.array(d, dtype=self.normals.dtype) == 0)[self.plane_of]  # exact
                on_valley |= self.plane_of < 0
                D = [ia.constant(int(dj)) for dj in d]
                weights = self.Z[:, 0] * D[0]
                for j in range(1, self.r):
                    weights = weights + self.Z[:, j] * D[j]
                self._weights[key] = (np.where(on_valley, 0.0, weights.lo), np.where(on_valley, 0.0, weights.hi), D)
            self._weights.move_to_end(key)
        while len(self._weights) > max(len(keys), CACHED_WEIGHTS // self.plane_of.size):
            self._weights.popitem(last=False)
        columns = [self._weights[key] for key in keys]
        return ia.Intervals(np.stack([c[0] for c in columns], 1), np.stack([c[1] for c in columns], 1)), \
            [c[2] for c in columns]

    def valleys(self, lo, hi, found: BatchGradient) -> list:
        """d . grad over each box (``found``: its :meth:`batch_gradient`) for the directions d orthogonal to
        the planes nearest it (:meth:`nearest_planes`): the rows with d . z_i = 0 (those planes' rows among them)
        drop out exactly, which decides boxes in a valley where those terms vanish. One Intervals of shape (K,)
        per slot, (-oo, oo) where a box has fewer; one product of the terms with the weights the batch needs."""
        count = lo.shape[0]
        out = [ia.Intervals(np.full(count, -np.inf), np.full(count, np.inf)) for _ in range(VALLEYS_PER_BOX)]
        if not self.normals.size or not count:
            return out
        boxes, slots, sets = self.nearest_planes(found.pre, count)
        if not boxes.size:
            return out
        index = {key: c for c, key in enumerate(dict.fromkeys(sets))}
        keys, column = list(index), np.array([index[key] for key in sets])
        weights, directions = self._valley_weights(keys)
        terms = found.terms
        if np.isfinite(terms.lo).all() and np.isfinite(terms.hi).all():
            total = ia.matmul(terms, weights)[boxes, column]
        else:  # matmul's endpoint fallback would hold K x n x (directions): each pair's sum on its own
            total = ia.total(terms[boxes] * ia.Intervals(weights.lo.T[column], weights.hi.T[column]), axis=1)
        X = [ia.Intervals(lo[:, j], hi[:, j]) for j in range(self.r)]
        for j in range(self.r):
            if self.mask[j]:
                d = ia.Intervals(np.array([directions[c][j].lo for c in column]),
                                 np.array([directions[c][j].hi for c in column]))
                total = total + self._l2(X, j)[boxes] * d
        for slot in range(VALLEYS_PER_BOX):
            mine = slots == slot
            out[slot].lo[boxes[mine]], out[slot].hi[boxes[mine]] = total.lo[mine], total.hi[mine]
        return out

    def term_signs(self, lo, hi, signs) -> np.ndarray:
        """``signs`` (K x n, from :meth:`batch_gradient`) completed where a term's enclosure underflowed to a
        range touching 0: the sign of g with its positive factors divided out (:func:`sign_part`)."""
        if self.sign is None or signs.size == 0 or (signs != 0).all():
            return signs
        _, H = self._pre(lo, hi)
        S = self.sign(self._tiled(lo.shape[0]), H)
        strict = np.where(S.lo > 0, 1, np.where(S.hi < 0, -1, 0)).astype(np.int8).reshape(signs.shape)
        return np.where(signs != 0, signs, strict)

    def batch_hessian(self, lo, hi):
        """Over K boxes: the r x r enclosures of the Hessian, each of shape (K,), and the non-finite mask."""
        count = lo.shape[0]
        _, H = self._pre(lo, hi)
        C = self._range(self.g_h, self.g_hh, self.g_h_range, count, H, HESSIAN_DEPTH)
        sums = ia.matmul(ia.Intervals(C.lo.reshape(count, -1), C.hi.reshape(count, -1)), self.ZZ)
        out = [[None] * self.r for _ in range(self.r)]
        lossy = np.zeros(count, bool)
        for column, (i, j) in enumerate(self.pairs):
            entry = sums[:, column]
            if i == j and self.mask[i]:
                entry = entry + self.l2
            out[i][j] = out[j][i] = entry
            lossy |= ~np.isfinite(entry.lo) | ~np.isfinite(entry.hi)
        return out, lossy

    # one box, as mpmath intervals (the interface of :class:`.certify.IntervalModel`) -----------------------

    def enclose(self, X):
        """(enclosure of each gradient component, enclosure of each valley sum d . grad) over the box X."""
        box = _from_iv(X)
        found = self.batch_gradient(box.lo[None], box.hi[None])
        valleys = self.valleys(box.lo[None], box.hi[None], found)
        return [_to_iv(g[0]) for g in found.gradient], [_to_iv(v[0]) for v in valleys]

    def gradient(self, X):
        return self.enclose(X)[0]

    def hessian(self, X):
        box = _from_iv(X)
        out, _ = self.batch_hessian(box.lo[None], box.hi[None])
        return [[_to_iv(entry[0]) for entry in row] for row in out]
