"""An independent reference solver for the stationary points of a single neuron's loss.

It shares nothing with ``closedform`` (and must never import it): the activation and loss tables below are
written out again, the per-sample loss is differentiated with SymPy in the pre-activation h only, and the
total gradient and Hessian are assembled by the chain rule over the data,

    E(w)    = sum_i l(t_i, f(w.x~_i)) + (l2/2) |w_reg|^2          (x~ = (x, 1) with a bias; b is not penalised)
    grad E  = sum_i g_i x~_i + l2 w_reg,           g_i  = d/dh l(t_i, f(h)) at h_i = w.x~_i
    Hess E  = sum_i g'_i x~_i x~_i^T + l2 I_reg,    g'_i = d/dh g_i.

How the stationary points are found (r = number of (reduced) variables, at most 3 after the reduction below;
relu / leaky_relu: at most 2 parameters):

* Rank: with l2 = 0 and rank(X~) = r < p the loss depends on w only through c = R w, R the non-zero rows of
  rref(X~) (the reduced variables; a box for a rank-deficient problem is read in these coordinates). Every
  stationary c stands for the affine set {w : R w = c}; it is reported by its minimum-norm w and an "affine"
  :class:`RefRegion`, classified along the data span.
* Smooth activations, 1 variable: the sign of the gradient on a fine grid at a precision that grows with the
  largest |h| (so saturating tails such as 1 - sigmoid(60) are not rounded to 0; a sign is only believed when
  |G| is far above the rounding level of its terms), bisection of every sign change to 50+ digits, and, for roots
  of even multiplicity, Newton on G' from every grid local minimum of |G| followed by a zero test of G at two
  precisions.
* Smooth activations, 2 variables: batched float Newton (the stacked Hessians solved together with numpy,
  singular ones dropped) from a 40 x 40 grid over the box, grids over the box shrunk 3x to 100x, 300 random
  starts, the centre and the origin, and the centres of the grid cells where both gradient components change
  sign; then an mpmath Newton polish at 50+ digits that must converge quadratically to a residual at the
  rounding level (tested again at a higher precision): a tiny gradient on a saturating tail is not a root.
* Smooth activations, 3 variables: the same batched float Newton from a 12 x 12 x 12 grid over the box, 8^3 grids
  over the box shrunk 3x and 10x, a 6^3 grid over it shrunk 30x, 1000 random starts, the centre and the origin;
  the same polish. More than 400 distinct candidates, or more than POLISH_SECONDS of polishing, and the
  reference gives up (GaveUp: the problem is unchecked, never agreeing). Starts only: a root whose basin of
  attraction misses every start is not found (a complete claim is then checked less, never wrongly).
* relu / leaky_relu: exactly. Every activation pattern (active: h_i > 0; inactive: h_i <= 0) gives a smooth
  convex problem; with a quadratic per-sample loss (mse, matching) its stationarity system is linear and solved
  in exact rationals, its solution set intersected exactly with the pattern's cell. Singular systems give
  :class:`RefRegion` objects ("flat" when every slope is 0, e.g. relu's dead cone; "affine" otherwise). A point
  with some h_i = 0 is a kink: it is a "min" only if the exact loss does not decrease along any of many
  directions (64 evenly spread ones plus the directions along and beside each kink line) at steps 1e-6 and
  1e-4, else "kink". logcosh with relu is solved the same way, numerically (Newton on the strictly convex
  pattern problem) unless l2 = 0 and the active rows are independent (then h_i = t_i/s_i exactly).
* Kinds of smooth points: eigenvalues of the r x r Hessian at 50+ digits (closed form for r <= 2, mpmath's
  eigsy for r = 3); |eig| < 1e-30 * max(1, |H|) is "degenerate", so a strict minimum with a tiny Hessian
  (eigenvalue 1e-22) is still a "min".

Public functions: :func:`reference_points`, :func:`reference_summary`, :func:`reference_loss`,
:func:`reference_gradient`, :func:`reference_polish`; :class:`RefProblem` holds one problem.
"""
from __future__ import annotations

import itertools
import math
import re
import time
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Optional

import mpmath
import numpy as np
import sympy as sp

H, T = sp.symbols("h t", real=True)

KINDS = ("min", "max", "saddle", "degenerate", "kink")
DEGENERATE = mpmath.mpf(10) ** -30     # |eig| below this times max(1, |H|): degenerate
WORK_DPS = 50                         # digits of the final points (plus what the tails need)


# ----------------------------------------------------------------------------------------------------------------
# tables: activations and losses, written out independently
# ----------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Act:
    name: str
    expr: Optional[sp.Expr]                 # f(h); None for piecewise-linear
    slopes: Optional[tuple] = None          # (slope for h <= 0, slope for h > 0) for relu / leaky_relu
    tail: str = "none"                      # "exp": terms like 1 - f(h) ~ e^-|h|; "gauss": ~ e^-h^2/2
    antiderivative: Optional[sp.Expr] = None   # F with F' = f (matching loss)
    inverse: Optional[object] = None        # t -> f^-1(t) (SymPy), where f is injective
    range_: tuple = (-sp.oo, sp.oo)         # open range of f


def _parse_args(text: str) -> list:
    return [Fraction(a.strip()) for a in text.split(",") if a.strip()]


@lru_cache(maxsize=None)
def parse_activation(spec: str) -> Act:
    m = re.fullmatch(r"\s*([a-z_]+)\s*(?:\((.*)\))?\s*", spec)
    if not m:
        raise ValueError(f"activation {spec!r}")
    name, args = m.group(1), _parse_args(m.group(2) or "")
    e = sp.exp
    if name == "sigmoid":
        return Act(name, 1 / (1 + e(-H)), tail="exp", antiderivative=sp.log(1 + e(H)),
                   inverse=lambda t: sp.log(t / (1 - t)), range_=(0, 1))
    if name == "tanh":
        return Act(name, sp.tanh(H), tail="exp", antiderivative=sp.log(sp.cosh(H)),
                   inverse=lambda t: sp.atanh(t), range_=(-1, 1))
    if name == "exp":
        return Act(name, e(H), tail="exp", antiderivative=e(H), inverse=lambda t: sp.log(t), range_=(0, sp.oo))
    if name == "identity":
        return Act(name, H, antiderivative=H ** 2 / 2, inverse=lambda t: t)
    if name == "softplus":
        return Act(name, sp.log(1 + e(H)), tail="exp", range_=(0, sp.oo))
    if name == "square":
        return Act(name, H ** 2, range_=(0, sp.oo))
    if name == "polynomial":
        expr = sum(sp.Rational(c.numerator, c.denominator) * H ** k for k, c in enumerate(args))
        return Act(f"polynomial({', '.join(str(a) for a in args)})", sp.expand(expr),
                   antiderivative=sp.integrate(expr, H))
    if name == "silu":
        return Act(name, H / (1 + e(-H)), tail="exp")
    if name == "probit":
        return Act(name, (1 + sp.erf(H / sp.sqrt(2))) / 2, tail="gauss",
                   antiderivative=H * (1 + sp.erf(H / sp.sqrt(2))) / 2 + e(-H ** 2 / 2) / sp.sqrt(2 * sp.pi),
                   inverse=lambda t: sp.sqrt(2) * sp.erfinv(2 * t - 1), range_=(0, 1))
    if name == "relu":
        return Act(name, None, slopes=(Fraction(0), Fraction(1)), range_=(0, sp.oo))
    if name == "leaky_relu":
        a = args[0] if args else Fraction(1, 100)
        return Act(f"leaky_relu({a})", None, slopes=(a, Fraction(1)))
    raise ValueError(f"unknown activation {spec!r}")


def loss_of_output(loss: str, t, y):
    """l(t, y) for the losses that are functions of the output y."""
    if loss == "mse":
        return (t - y) ** 2 / 2
    if loss == "bce":
        return -(t * sp.log(y) + (1 - t) * sp.log(1 - y))
    if loss == "poisson":
        return y - t * sp.log(y)
    if loss == "logcosh":
        return sp.log(sp.cosh(y - t))
    raise ValueError(f"unknown loss {loss!r}")


@lru_cache(maxsize=None)
def per_sample(activation: str, loss: str):
    """(phi, g, g', g'') as SymPy expressions in (h, t) for a smooth activation: phi(h) = l(t, f(h))."""
    act = parse_activation(activation)
    if act.expr is None:
        raise ValueError("piecewise-linear activations are handled by patterns")
    if loss == "matching":
        if act.antiderivative is None:
            raise ValueError(f"no matching loss for {activation}")
        phi = act.antiderivative - T * H     # + a constant in t, see _matching_offset
        g = act.expr - T
    else:
        phi = loss_of_output(loss, T, act.expr)
        g = sp.diff(phi, H)
    gp = sp.diff(g, H)
    gpp = sp.diff(gp, H)
    return phi, g, gp, gpp


@lru_cache(maxsize=None)
def _compiled(activation: str, loss: str):
    phi, g, gp, gpp = per_sample(activation, loss)
    mp = [sp.lambdify((H, T), e, modules="mpmath", cse=True) for e in (phi, g, gp, gpp)]
    with np.errstate(all="ignore"):
        fl = [sp.lambdify((H, T), e, modules=["scipy", "numpy"], cse=True) for e in (g, gp)]
    return mp, fl


def _matching_offset(activation: str, t: Fraction, dps: int):
    """F(h*) - t h* with h* = f^-1(t), so that the matching loss is 0 at its minimum; 0 when t is not in the
    open range of f (then the loss is defined up to this constant; stationarity does not depend on it)."""
    act = parse_activation(activation)
    lo, hi = act.range_
    ts = sp.Rational(t.numerator, t.denominator)
    if act.inverse is None or not (lo < ts < hi):
        return mpmath.mpf(0)
    hs = act.inverse(ts)
    return mpmath.mpf(sp.N((act.antiderivative - ts * H).subs(H, hs), dps + 10))


def _mp(x):
    """A Fraction / int / SymPy rational / mpf as an mpf at the current precision."""
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    if isinstance(x, sp.Basic):
        return mpmath.mpf(sp.N(x, mpmath.mp.dps + 5))
    return mpmath.mpf(x)


def _mp_tuple(values, dps=None):
    with mpmath.workdps(dps or WORK_DPS):
        return tuple(+_mp(v) for v in values)


def _frac(x) -> Fraction:
    if isinstance(x, Fraction):
        return x
    if isinstance(x, sp.Rational):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, str):
        return Fraction(x)
    if isinstance(x, float):
        return Fraction(repr(x))
    return Fraction(x)


# ----------------------------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------------------------

@dataclass
class RefPoint:
    """A stationary point: ``w`` (weights, then the bias) as mpf, ``kind`` in KINDS. ``exact`` holds Fractions
    when the point is rational and exact; ``on_region`` marks a point that lies in the closure of a region (it
    is then not isolated); ``affine`` marks the representative (minimum-norm w) of a rank-deficient problem's
    stationary affine set."""

    w: tuple
    kind: str
    h: tuple = ()
    exact: Optional[tuple] = None
    on_region: bool = False
    affine: bool = False
    residual: object = None

    def __repr__(self):
        w = ", ".join(mpmath.nstr(v, 20) for v in self.w)
        extra = " (on a region)" if self.on_region else " (affine set)" if self.affine else ""
        return f"RefPoint({self.kind}: w = ({w}){extra})"


@dataclass
class RefRegion:
    """A continuous stationary set {base + sum_k s_k directions[k]} cut by ``constraints`` (row, strict):
    row . w > 0 when strict, row . w <= 0 otherwise (in full w coordinates). ``kind``: "flat" (all slopes 0:
    relu's dead region) or "affine" (a singular pattern system, or a rank-deficient problem)."""

    kind: str
    base: tuple
    directions: list
    constraints: list = field(default_factory=list)
    description: str = ""
    exact: bool = True

    def contains(self, w, tol=1e-8) -> bool:
        """Is w (numbers) in the closure of the region, up to ``tol``?"""
        with mpmath.workdps(WORK_DPS + 10):
            return self._contains(w, tol)

    def _contains(self, w, tol):
        w = [mpmath.mpf(_mp(v)) for v in w]
        base = [_mp(v) for v in self.base]
        diff = [a - b for a, b in zip(w, base)]
        if self.directions:
            D = mpmath.matrix([[_mp(d[i]) for d in self.directions] for i in range(len(w))])
            s = mpmath.lu_solve(D.T * D, D.T * mpmath.matrix(diff))
            diff = [diff[i] - sum(D[i, k] * s[k] for k in range(len(self.directions))) for i in range(len(w))]
        scale = 1 + max(abs(v) for v in w)
        if max(abs(v) for v in diff) > tol * scale:
            return False
        for row, strict in self.constraints:
            value = sum(_mp(a) * v for a, v in zip(row, w))
            if strict and value < -tol * scale or not strict and value > tol * scale:
                return False
        return True

    def samples(self, span=Fraction(3)) -> list:
        """A few exact members (Fractions): interior points of the region within |s| <= span."""
        k = len(self.directions)
        out = []
        grid = [Fraction(j, 4) * span for j in range(-4, 5)]
        for s in itertools.product(grid, repeat=k):
            w = tuple(_frac(b) + sum(si * _frac(d[i]) for si, d in zip(s, self.directions))
                      for i, b in enumerate(self.base)) if self.exact else None
            if w is None:
                break
            if all((sum(_frac(a) * v for a, v in zip(row, w)) > 0) if strict else
                   (sum(_frac(a) * v for a, v in zip(row, w)) <= 0) for row, strict in self.constraints):
                out.append(w)
        if not self.exact:
            out.append(tuple(self.base))
        return out

    def __repr__(self):
        return f"RefRegion({self.kind}: {self.description})"


# ----------------------------------------------------------------------------------------------------------------
# the problem
# ----------------------------------------------------------------------------------------------------------------

def _rows(data, bias):
    X, t = [], []
    for x, ti in data:
        if not isinstance(x, (tuple, list)):
            x = (x,)
        row = tuple(_frac(v) for v in x) + ((Fraction(1),) if bias else ())
        X.append(row)
        t.append(_frac(ti))
    return X, t


def _rref(X, p):
    """Non-zero rows of rref(X) (Fractions) and the pivot columns."""
    M = sp.Matrix([[sp.Rational(v.numerator, v.denominator) for v in row] for row in X]) if X else sp.zeros(0, p)
    R, pivots = M.rref()
    rows = [tuple(_frac(R[k, j]) for j in range(p)) for k in range(len(pivots))]
    return rows, list(pivots)


def _tail_digits(act: Act, hmax) -> int:
    hmax = float(abs(hmax))
    if act.tail == "exp":
        return int(0.4343 * hmax) + 5
    if act.tail == "gauss":
        return int(0.4343 * hmax * hmax / 2) + 5
    return 5


class RefProblem:
    """One problem: activation, loss, data [(x tuple, t)], bias, l2 (exact)."""

    _deadline = float("inf")  # set by solve(): past it the reference gives up (GaveUp), counted as unchecked

    def __init__(self, activation: str, loss: str, data, bias: bool = False, l2=0):
        self.activation, self.loss = activation, loss
        self.act = parse_activation(activation)
        self.bias = bool(bias)
        self.l2 = _frac(l2)
        self.X, self.t = _rows(data, bias)
        self.n = len(self.X)
        self.p = len(self.X[0]) if self.X else 0
        self.reg = tuple([True] * (self.p - 1) + [False]) if self.bias else tuple([True] * self.p)
        self.piecewise = self.act.slopes is not None
        if self.piecewise and self.loss not in ("mse", "matching", "logcosh"):
            raise NotImplementedError(f"{loss} with {activation}")
        rows, pivots = _rref(self.X, self.p)
        self.rank = len(pivots)
        self.reduced = self.l2 == 0 and self.rank < self.p
        if self.reduced:
            self.R = rows                                            # c = R w
            self.Z = [tuple(x[j] for j in pivots) for x in self.X]   # h_i = z_i . c
            self.zreg = (False,) * self.rank
        else:
            self.R = [tuple(Fraction(int(i == j)) for j in range(self.p)) for i in range(self.p)]
            self.Z = list(self.X)
            self.zreg = self.reg
        self.r = len(self.R)

    # ---- coordinates -------------------------------------------------------------------------------------------
    def to_c(self, w):
        return tuple(sum(_mp(a) * _mp(v) for a, v in zip(row, w)) for row in self.R)

    def to_w(self, c):
        """The minimum-norm w with R w = c."""
        if not self.reduced:
            return tuple(c)
        R = mpmath.matrix([[_mp(a) for a in row] for row in self.R])
        y = mpmath.lu_solve(R * R.T, mpmath.matrix(list(c))) if self.r else mpmath.matrix(0, 1)
        return tuple((R.T * y)[i] for i in range(self.p)) if self.r else tuple(mpmath.mpf(0) for _ in range(self.p))

    def pre_activations(self, w):
        return tuple(sum(_mp(a) * _mp(v) for a, v in zip(x, w)) for x in self.X)

    # ---- loss (exact for piecewise problems with rational w) ---------------------------------------------------
    def loss_value(self, w, dps: int = WORK_DPS):
        exact = self.piecewise and self.loss in ("mse", "matching") and all(
            isinstance(v, (Fraction, int, sp.Rational)) for v in w)
        if exact:
            wf = [_frac(v) for v in w]
            total = Fraction(0)
            for x, t in zip(self.X, self.t):
                h = sum(a * b for a, b in zip(x, wf))
                total += self._phi_exact(h, t)
            return total + self.l2 / 2 * sum(v * v for v, m in zip(wf, self.reg) if m)
        hmax = max([abs(_mp(v)) for v in w] + [1]) * max([abs(float(a)) for x in self.X for a in x] + [1]) * self.p
        with mpmath.workdps(dps + _tail_digits(self.act, hmax)):
            wm = [_mp(v) for v in w]
            total = mpmath.mpf(0)
            for x, t in zip(self.X, self.t):
                h = mpmath.fsum(_mp(a) * b for a, b in zip(x, wm))
                total += self._phi_mp(h, t)
            total += _mp(self.l2) / 2 * mpmath.fsum(v * v for v, m in zip(wm, self.reg) if m)
            return +total

    def _phi_exact(self, h: Fraction, t: Fraction) -> Fraction:
        lo, hi = self.act.slopes
        if self.loss == "mse":
            y = hi * h if h > 0 else lo * h
            return (t - y) ** 2 / 2
        # matching with a leaky relu: int_{f^-1 t}^h (f(z) - t) dz = F(h) - t h - (F(h*) - t h*)
        F = lambda z: hi * z * z / 2 if z > 0 else lo * z * z / 2  # noqa: E731
        hs = t / hi if t > 0 else (t / lo if lo != 0 else Fraction(0))
        return F(h) - t * h - (F(hs) - t * hs)

    def _phi_mp(self, h, t):
        if self.piecewise:
            lo, hi = self.act.slopes
            if self.loss in ("mse", "matching"):
                s = _mp(hi) if h > 0 else _mp(lo)
                if self.loss == "mse":
                    return (_mp(t) - s * h) ** 2 / 2
                tt = _mp(t)
                F = lambda z: (_mp(hi) if z > 0 else _mp(lo)) * z * z / 2  # noqa: E731
                hs = tt / _mp(hi) if t > 0 else (tt / _mp(lo) if lo != 0 else mpmath.mpf(0))
                return F(h) - tt * h - (F(hs) - tt * hs)
            s = _mp(hi) if h > 0 else _mp(lo)
            return mpmath.log(mpmath.cosh(s * h - _mp(t)))          # logcosh
        (phi, _, _, _), _ = _compiled(self.activation, self.loss)
        value = phi(h, _mp(t))
        if self.loss == "matching":
            value -= _matching_offset(self.activation, t, mpmath.mp.dps)
        return value

    # ---- smooth gradient / Hessian in the reduced variables c ---------------------------------------------------
    def _dps_for(self, c, base):
        hmax = max([abs(sum(float(a) * float(v) for a, v in zip(z, c))) for z in self.Z] + [0])
        return base + _tail_digits(self.act, hmax)

    def grad_c(self, c, dps=None, with_scale=False):
        """Gradient of E in c (mpf vector) at the current/adapted precision; with_scale also returns the sum of
        the absolute values of its terms (the rounding level is 10^-dps times that)."""
        (phi, g, gp, gpp), _ = _compiled(self.activation, self.loss)
        dps = dps or self._dps_for(c, WORK_DPS)
        if time.perf_counter() > self._deadline:  # the 1-D grid in a probit tail: thousands of digits a point
            raise GaveUp(f"the reference gave up after {REFERENCE_SECONDS} s (gradients at {dps} digits)")
        with mpmath.workdps(dps):
            c = [_mp(v) for v in c]
            out = [mpmath.mpf(0)] * self.r
            scale = [mpmath.mpf(0)] * self.r
            for z, t in zip(self.Z, self.t):
                if not any(z):
                    continue
                h = mpmath.fsum(_mp(a) * b for a, b in zip(z, c))
                gi = g(h, _mp(t))
                for j in range(self.r):
                    term = gi * _mp(z[j])
                    out[j] += term
                    scale[j] += abs(term)
            for j in range(self.r):
                if self.zreg[j]:
                    out[j] += _mp(self.l2) * c[j]
                    scale[j] += abs(_mp(self.l2) * c[j])
            out = [+v for v in out]
        return (out, scale) if with_scale else out

    def hess_c(self, c, dps=None):
        (phi, g, gp, gpp), _ = _compiled(self.activation, self.loss)
        dps = dps or self._dps_for(c, WORK_DPS)
        with mpmath.workdps(dps):
            c = [_mp(v) for v in c]
            Hm = mpmath.matrix(self.r, self.r)
            for z, t in zip(self.Z, self.t):
                if not any(z):
                    continue
                h = mpmath.fsum(_mp(a) * b for a, b in zip(z, c))
                gi = gp(h, _mp(t))
                for j in range(self.r):
                    for k in range(self.r):
                        Hm[j, k] += gi * _mp(z[j]) * _mp(z[k])
            for j in range(self.r):
                if self.zreg[j]:
                    Hm[j, j] += _mp(self.l2)
        return Hm

    def third_c(self, c, dps=None):
        """Only for r = 1: G''(c)."""
        (phi, g, gp, gpp), _ = _compiled(self.activation, self.loss)
        dps = dps or self._dps_for(c, WORK_DPS)
        with mpmath.workdps(dps):
            c0 = _mp(c[0])
            return mpmath.fsum(gpp(_mp(z[0]) * c0, _mp(t)) * _mp(z[0]) ** 3 for z, t in zip(self.Z, self.t) if z[0])

    def classify_c(self, c) -> str:
        Hm = self.hess_c(c)
        with mpmath.workdps(Hm[0, 0].context.dps if self.r else WORK_DPS):
            eig = _sym_eigs(Hm)
            size = max([abs(Hm[i, j]) for i in range(self.r) for j in range(self.r)] + [mpmath.mpf(0)])
            thr = DEGENERATE * max(1, size)
            if all(e > thr for e in eig):
                return "min"
            if all(e < -thr for e in eig):
                return "max"
            if any(e > thr for e in eig) and any(e < -thr for e in eig):
                return "saddle"
            return "degenerate"

    # ---- smooth: Newton polish at high precision -----------------------------------------------------------------
    def newton_polish(self, c0, dps=WORK_DPS, iterations=80):
        """Newton from c0. Returns (c, ok): ok when the steps shrink quadratically to the rounding level and the
        gradient is zero at that level at two precisions (a saturating tail fails the second test)."""
        c = [mpmath.mpf(v) for v in c0]
        steps = []
        for _ in range(iterations):
            if max(abs(v) for v in c) > 1e6:  # Newton ran off far beyond any box: not a root found here
                return c, False
            if time.perf_counter() > self._deadline:  # far tails need ~|h|/2.3 digits: minutes at |h| ~ 10^5
                raise GaveUp(f"the reference gave up after {REFERENCE_SECONDS} s (Newton at high precision)")
            wdps = self._dps_for(c, dps)
            if wdps > MAX_DPS:  # one exp at 10^5 digits takes minutes: the reference does not try
                raise GaveUp(f"the reference would need {wdps} digits (a Newton iterate far in a tail)")
            with mpmath.workdps(wdps):
                G = mpmath.matrix(self.grad_c(c, wdps))
                Hm = self.hess_c(c, wdps)
                try:
                    step = mpmath.lu_solve(Hm, G)
                except ZeroDivisionError:
                    return c, False
                size = mpmath.norm(step)
                if not mpmath.isfinite(size):
                    return c, False
                c = [c[j] - step[j] for j in range(self.r)]
                steps.append(size)
                if size <= mpmath.mpf(10) ** -(dps - 5) * (1 + mpmath.norm(mpmath.matrix(c))):
                    break
                if size > 1e6 * (1 + float(mpmath.norm(mpmath.matrix(c)))):
                    return c, False
        else:
            return c, False
        # quadratic convergence: once below 1e-3 the step sizes at least square (up to a constant) each time
        small = [s for s in steps if s < 1e-3]
        if len(small) > 8:
            return c, False
        return c, self.is_zero(c, dps)

    def is_zero(self, c, dps=WORK_DPS) -> bool:
        """Two more Newton steps at 25 more digits move c by no more than 10^-(dps-20) and then by no more than
        10^-(dps+5): the Newton iteration keeps converging quadratically as the precision grows. On a saturating
        tail the Newton step does not shrink (G and its derivative both decay like e^-|h|), so a tiny gradient
        there is not taken for a root."""
        high = dps + 25
        d = self._dps_for(c, high)
        with mpmath.workdps(d):
            cc = [+mpmath.mpf(v) for v in c]
            sizes = []
            for _ in range(2):
                try:
                    step = mpmath.lu_solve(self.hess_c(cc, d), mpmath.matrix(self.grad_c(cc, d)))
                except ZeroDivisionError:
                    return False
                cc = [cc[j] - step[j] for j in range(self.r)]
                sizes.append(mpmath.norm(step))
            size = 1 + max(abs(v) for v in cc)
            return (sizes[0] <= mpmath.mpf(10) ** -(dps - 20) * size
                    and sizes[1] <= mpmath.mpf(10) ** -(high - 20) * size)

    # ---- stationary points --------------------------------------------------------------------------------------
    def solve(self, box=30, grid=20000, seed=0):
        """(points, regions) of the stationary set; isolated points only inside (or near) ``box`` (a half-width,
        or a list of (lo, hi) per reduced variable)."""
        self._deadline = time.perf_counter() + REFERENCE_SECONDS
        with mpmath.workdps(WORK_DPS):
            return self._solve(box, grid, seed)

    def _solve(self, box, grid, seed):
        if self.piecewise:
            return _piecewise(self)
        if self.r == 0:
            return [], [RefRegion("affine", tuple(Fraction(0) for _ in range(self.p)),
                                  [tuple(Fraction(int(i == j)) for j in range(self.p)) for i in range(self.p)],
                                  description="every w: all inputs are zero")]
        if isinstance(box, (int, float, Fraction)):
            box = [(-float(box), float(box))] * self.r
        box = [(float(lo), float(hi)) for lo, hi in box]
        if len(box) != self.r:
            raise ValueError(f"box has {len(box)} pairs, the problem has {self.r} (reduced) variables")
        if self.r == 1:
            cs = [(c,) for c in _roots_1d(self, box[0], grid)]
        elif self.r == 2:
            cs = _roots_2d(self, box, seed)
        elif self.r == 3:
            cs = _roots_3d(self, box, seed)
        else:
            raise NotImplementedError("the reference handles at most 3 (reduced) variables")
        points, regions = [], []
        for c in cs:
            w = self.to_w(c)
            kind = self.classify_c(c)
            points.append(RefPoint(tuple(w), kind, self.pre_activations(w), affine=self.reduced))
            if self.reduced:
                regions.append(_affine_set(self, c))
        points.sort(key=lambda pt: [float(v) for v in pt.w])
        return points, regions

    def polish(self, w, dps=WORK_DPS):
        """Newton-polish a reported point (smooth activations). Returns (w_polished, distance moved in c,
        relative residual, kind, ok)."""
        with mpmath.workdps(dps):
            return self._polish(w, dps)

    def _polish(self, w, dps):
        c0 = self.to_c(w)
        c, ok = self.newton_polish(c0, dps)
        multiple = False
        if not ok:
            c, ok = self.newton_multiple(c0, dps)
            multiple = ok
        moved = max(abs(a - b) for a, b in zip(c, c0)) if c else mpmath.mpf(0)
        G, scale = self.grad_c(c, with_scale=True)
        rel = max((abs(gj) / max(sj, mpmath.mpf(10) ** -60) for gj, sj in zip(G, scale)), default=mpmath.mpf(0))
        self.last_polish_multiple = multiple
        return self.to_w(c), moved, rel, self.classify_c(c) if ok else None, ok

    def newton_multiple(self, c0, dps=WORK_DPS, iterations=200):
        """For a root where Newton converges only linearly (a multiple root, a degenerate point, a point of a
        curve of roots): Newton with a least-squares step, many iterations. (c, ok): ok when the steps shrink to
        10^-(dps/3) (a root of multiplicity m is only determined to about dps/m digits) or the gradient is exactly
        0. On a saturating tail the steps stay of order 1 instead."""
        c = [mpmath.mpf(v) for v in c0]
        for _ in range(iterations):
            d = self._dps_for(c, dps)
            with mpmath.workdps(d):
                G = mpmath.matrix(self.grad_c(c, d))
                if all(g == 0 for g in G):
                    return c, True
                Hm = self.hess_c(c, d)
                try:
                    step = mpmath.lu_solve(Hm, G)
                except ZeroDivisionError:
                    U, S, V = mpmath.svd_r(Hm)
                    top = max(S) if len(S) else 0
                    if top == 0:
                        return c, False
                    inv = mpmath.diag([1 / s if s > top * mpmath.mpf(10) ** -(d - 10) else 0 for s in S])
                    step = V.T * inv * U.T * G
                size = mpmath.norm(step)
                c = [c[j] - step[j] for j in range(self.r)]
                if size <= mpmath.mpf(10) ** -(dps // 3) * (1 + mpmath.norm(mpmath.matrix(c))):
                    return c, True
                if size > 1:
                    return c, False
        return c, False


def _sym_eigs(Hm):
    n = Hm.rows
    if n == 1:
        return [Hm[0, 0]]
    if n == 2:
        a, b, d = Hm[0, 0], (Hm[0, 1] + Hm[1, 0]) / 2, Hm[1, 1]
        m, r = (a + d) / 2, mpmath.sqrt(((a - d) / 2) ** 2 + b * b)
        return [m - r, m + r]
    return list(mpmath.eigsy(Hm)[0])


def _affine_set(prob: RefProblem, c) -> RefRegion:
    """{w : R w = c} for a rank-deficient problem."""
    null = sp.Matrix([[sp.Rational(a.numerator, a.denominator) for a in row] for row in prob.R]).nullspace()
    directions = [tuple(_frac(v) for v in vec) for vec in null]
    forms = ", ".join(" + ".join(f"{a}*w{j + 1}" for j, a in enumerate(row) if a) for row in prob.R)
    return RefRegion("affine", tuple(prob.to_w(c)), directions, [],
                     f"{forms} = {', '.join(mpmath.nstr(v, 20) for v in c)}", exact=False)


# ----------------------------------------------------------------------------------------------------------------
# smooth, one variable: signs on a grid, bisection, even-multiplicity roots
# ----------------------------------------------------------------------------------------------------------------

def _G1(prob, c, base=30):
    dps = prob._dps_for((c,), base)
    G, scale = prob.grad_c((c,), dps, with_scale=True)
    g, s = G[0], scale[0]
    if abs(g) <= mpmath.mpf(10) ** -(base - 8) * s:
        return g, 0
    return g, (1 if g > 0 else -1)


def _bisect(prob, a, b, sa, digits=WORK_DPS + 5):
    a, b = mpmath.mpf(a), mpmath.mpf(b)
    with mpmath.workdps(digits + 10):
        for _ in range(400):
            if b - a <= mpmath.mpf(10) ** -digits * (1 + abs(a)):
                break
            m = (a + b) / 2
            _, sm = _G1(prob, m, digits)
            if sm == 0:
                return m
            if sm == sa:
                a = m
            else:
                b = m
        return (a + b) / 2


def _roots_1d(prob, box, grid):
    lo, hi = box
    N = int(grid)
    step = (hi - lo) / N
    with mpmath.workdps(30):
        cs = [mpmath.mpf(lo) + k * mpmath.mpf(step) for k in range(N + 1)]
        vals = [_G1(prob, c) for c in cs]
    roots = []

    def add(c):
        for r in roots:
            if abs(r - c) < mpmath.mpf(10) ** -25 * (1 + abs(c)):
                return
        roots.append(c)

    for k in range(N):
        (_, sa), (_, sb) = vals[k], vals[k + 1]
        if sa * sb < 0:
            root = _bisect(prob, cs[k], cs[k + 1], sa)
            polished, ok = prob.newton_polish([root])
            add(polished[0] if ok and abs(polished[0] - root) < 1e-20 * (1 + abs(root)) else root)
    # grid points where the sign is not decided, and local minima of |G| (roots of even multiplicity, or pairs
    # of roots inside one grid cell): Newton on G' then a zero test / bisection on both sides
    for k in range(N + 1):
        g, s = vals[k]
        if s == 0:
            c, ok = prob.newton_polish([cs[k]])
            if ok and abs(c[0] - cs[k]) <= 2 * step:
                add(c[0])
            continue
        if 0 < k < N and vals[k - 1][1] == s == vals[k + 1][1] and abs(g) <= abs(vals[k - 1][0]) and \
                abs(g) <= abs(vals[k + 1][0]):
            c = _newton_on_derivative(prob, cs[k], step)
            if c is None:
                continue
            gc, sc = _G1(prob, c, WORK_DPS)
            if sc == 0 and _even_root(prob, c, cs[k], step):
                add(c)
            elif sc == -s:          # two roots around c
                for a, b in ((cs[k - 1], c), (c, cs[k + 1])):
                    root = _bisect(prob, a, b, s if a == cs[k - 1] else sc)
                    add(root)
    return sorted(roots)


def _even_root(prob, c, c0, step) -> bool:
    """c (a zero of G' with |G(c)| at the rounding level) is a zero of G: recomputing it with 25 more digits
    makes |G| smaller by 10^20 at least (|G| ~ dist^2 at a double root), while at a minimum of |G| that is not a
    root (or on a saturating tail) |G| stays where it is."""
    g1 = abs(prob.grad_c((c,), prob._dps_for((c,), WORK_DPS))[0])
    c2 = _newton_on_derivative(prob, c0, step, WORK_DPS + 25)
    if c2 is None:
        return False
    g2 = abs(prob.grad_c((c2,), prob._dps_for((c2,), WORK_DPS + 25))[0])
    return g2 <= g1 * mpmath.mpf(10) ** -20


def _newton_on_derivative(prob, c0, step, digits=WORK_DPS):
    """A zero of G' near c0 (within two grid steps), at high precision, or None."""
    c = mpmath.mpf(c0)
    for _ in range(80):
        dps = prob._dps_for((c,), digits)
        with mpmath.workdps(dps):
            d1 = prob.hess_c((c,), dps)[0, 0]
            d2 = prob.third_c((c,), dps)
            if d2 == 0:
                return None
            delta = d1 / d2
            c = c - delta
            if abs(c - c0) > 2 * step:
                return None
            if abs(delta) <= mpmath.mpf(10) ** -(digits - 5) * (1 + abs(c)):
                return c
    return None


# ----------------------------------------------------------------------------------------------------------------
# smooth, two variables: float multi-start Newton, then mpmath polish
# ----------------------------------------------------------------------------------------------------------------

def _float_newton(prob, starts, iterations=100):
    """Batched float Newton in any number r of reduced variables from the rows of ``starts`` (m x r): the
    stacked Hessians are solved together (np.linalg.solve); a start whose Hessian is singular or not finite, or
    whose iterate leaves |c| < 1e8, is dropped. Returns the end points whose last step was small."""
    _, (g, gp) = _compiled(prob.activation, prob.loss)
    Z = np.array([[float(a) for a in z] for z in prob.Z])
    t = np.array([float(v) for v in prob.t])
    r = Z.shape[1]
    lam = float(prob.l2) * np.array([1.0 if m else 0.0 for m in prob.zreg])
    c = np.array(starts, dtype=float).reshape(-1, r).copy()
    alive = np.ones(len(c), dtype=bool)
    step = np.zeros_like(c)
    eye = np.eye(r)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            idx = np.nonzero(alive)[0]
            if not len(idx):
                break
            cc = c[idx]
            h = cc @ Z.T                                    # (m, n)
            gi = np.asarray(g(h, t), dtype=float) * np.ones_like(h)
            gpi = np.asarray(gp(h, t), dtype=float) * np.ones_like(h)
            G = gi @ Z + lam * cc                           # (m, r)
            Hm = np.einsum("mi,ij,ik->mjk", gpi, Z, Z) + np.diag(lam)
            finite = np.isfinite(Hm).all(axis=(1, 2)) & np.isfinite(G).all(axis=1)
            Hm[~finite] = eye
            G[~finite] = 0
            # singular (or numerically so) Hessians: the smallest singular value below 1e-14 of the largest
            sv = np.linalg.svd(Hm, compute_uv=False)
            singular = ~(sv[:, -1] > 1e-14 * sv[:, 0])
            Hm[singular] = eye
            st = np.linalg.solve(Hm, G[..., None])[..., 0]
            bad = ~finite | singular | ~np.isfinite(st).all(axis=1)
            st[bad] = 0
            step[idx] = st
            c[idx] = cc - st
            alive[idx[bad]] = False
            alive &= np.isfinite(c).all(axis=1) & (np.abs(c).max(axis=1) < 1e8)
        converged = np.linalg.norm(step, axis=1) <= 1e-7 * (1 + np.linalg.norm(c, axis=1))
    return c[alive & converged]


def _sign_cells(prob, box, count=300):
    """Centres of the grid cells where both gradient components change sign among the corners (float)."""
    _, (g, gp) = _compiled(prob.activation, prob.loss)
    Z = np.array([[float(a) for a in z] for z in prob.Z])
    t = np.array([float(v) for v in prob.t])
    lam = float(prob.l2) * np.array([1.0 if m else 0.0 for m in prob.zreg])
    xs = np.linspace(box[0][0], box[0][1], count + 1)
    ys = np.linspace(box[1][0], box[1][1], count + 1)
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    c = np.stack([X.ravel(), Y.ravel()], axis=1)
    with np.errstate(all="ignore"):
        h = c @ Z.T
        G = (np.asarray(g(h, t), dtype=float) * np.ones_like(h)) @ Z + lam * c
    S = np.sign(G).reshape(count + 1, count + 1, 2)
    corners = [S[:-1, :-1], S[1:, :-1], S[:-1, 1:], S[1:, 1:]]
    hit = np.ones((count, count), dtype=bool)
    for k in range(2):
        vals = np.stack([cc[..., k] for cc in corners])
        hit &= (vals.max(axis=0) >= 0) & (vals.min(axis=0) <= 0)
    i, j = np.nonzero(hit)
    centres = np.stack([(xs[i] + xs[i + 1]) / 2, (ys[j] + ys[j + 1]) / 2], axis=1)
    return centres[:2000]


class GaveUp(NotImplementedError):
    """The reference ran out of its own time: the problem is counted as not checked, never as agreeing."""


POLISH_SECONDS = 120
REFERENCE_SECONDS = 300  # one problem's whole reference solve
MAX_DPS = 3000  # digits beyond which a polish gives up (|h| ~ 7000 in a saturating tail)


def _roots_2d(prob, box, seed):
    (a0, a1), (b0, b1) = box
    g1 = np.linspace(a0, a1, 40)
    g2 = np.linspace(b0, b1, 40)
    starts = [np.array([[x, y] for x in g1 for y in g2])]
    ca, cb = (a0 + a1) / 2, (b0 + b1) / 2
    for shrink, count in ((3, 30), (10, 30), (30, 20), (100, 20)):   # the box shrunk: small features near 0
        starts.append(np.array([[ca + x / shrink, cb + y / shrink] for x in np.linspace(a0 - ca, a1 - ca, count)
                                for y in np.linspace(b0 - cb, b1 - cb, count)]))
    rng = np.random.default_rng(seed)
    starts.append(np.column_stack([rng.uniform(a0, a1, 300), rng.uniform(b0, b1, 300)]))
    starts.append(np.array([[ca, cb], [0.0, 0.0]]))
    for shrink in (1, 10):
        starts.append(_sign_cells(prob, [(ca + (a0 - ca) / shrink, ca + (a1 - ca) / shrink),
                                         (cb + (b0 - cb) / shrink, cb + (b1 - cb) / shrink)]))
    return _polish_candidates(prob, _float_newton(prob, np.vstack(starts)), box, "2-D")


def _roots_3d(prob, box, seed):
    """Three reduced variables: batched float Newton from a 12^3 grid over the box, 8^3 grids over the box
    shrunk 3x, 10x and 30x about its centre, 1000 random starts, the centre and the origin; then the mpmath
    polish of :func:`_polish_candidates`."""
    lo = np.array([a for a, _ in box], dtype=float)
    hi = np.array([b for _, b in box], dtype=float)
    centre = (lo + hi) / 2

    def grid(shrink, count):
        axes = [np.linspace(centre[j] + (lo[j] - centre[j]) / shrink, centre[j] + (hi[j] - centre[j]) / shrink,
                            count) for j in range(3)]
        return np.stack([m.ravel() for m in np.meshgrid(*axes, indexing="ij")], axis=1)

    starts = [grid(1, 12)]
    for shrink, count in ((3, 8), (10, 8), (30, 6)):       # the box shrunk: small features near the centre
        starts.append(grid(shrink, count))
    rng = np.random.default_rng(seed)
    starts.append(rng.uniform(lo, hi, size=(1000, 3)))
    starts.append(np.array([centre, np.zeros(3)]))
    return _polish_candidates(prob, _float_newton(prob, np.vstack(starts)), box, "3-D")


MAX_CANDIDATES = 400


def _polish_candidates(prob, ends, box, label):
    """Float Newton end points within the box widened by 20% of its width, deduplicated (relative 1e-6, nearest
    the origin first), each polished by :meth:`RefProblem.newton_polish`; the roots that pass, deduplicated at
    1e-20. At most MAX_CANDIDATES candidates are polished (in 2-D the farthest beyond that are dropped, in 3-D the
    reference gives up) and for at most POLISH_SECONDS (then GaveUp)."""
    lo = np.array([a for a, _ in box], dtype=float)
    hi = np.array([b for _, b in box], dtype=float)
    width = float(np.max(hi - lo))
    keep = np.all((ends > lo - 0.2 * width) & (ends < hi + 0.2 * width), axis=1)
    inside = ends[keep]
    candidates = []
    for c in inside[np.argsort(np.linalg.norm(inside, axis=1))]:
        if all(np.linalg.norm(c - d) > 1e-6 * (1 + np.linalg.norm(c)) for d in candidates):
            candidates.append(c)
    if len(candidates) > MAX_CANDIDATES and prob.r > 2:
        raise GaveUp(f"the reference found {len(candidates)} {label} candidates, more than it polishes "
                     f"({MAX_CANDIDATES})")
    roots = []
    start = time.perf_counter()
    for c in candidates[:MAX_CANDIDATES]:
        if time.perf_counter() - start > POLISH_SECONDS:
            raise GaveUp(f"the reference gave up polishing {label} candidates after {POLISH_SECONDS} s")
        polished, ok = prob.newton_polish([mpmath.mpf(float(v)) for v in c])
        if not ok:
            continue
        if all(max(abs(x - y) for x, y in zip(polished, r)) > mpmath.mpf(10) ** -20 * (1 + max(abs(x) for x in r))
               for r in roots):
            roots.append(polished)
    return roots


# ----------------------------------------------------------------------------------------------------------------
# relu / leaky_relu: activation patterns, exactly
# ----------------------------------------------------------------------------------------------------------------

def _quadratic_system(prob, slopes):
    """A w = b for a pattern with a quadratic per-sample loss, or for logcosh when solved exactly."""
    p = prob.p
    A = sp.zeros(p, p)
    b = sp.zeros(p, 1)
    R = lambda v: sp.Rational(v.numerator, v.denominator)  # noqa: E731
    for x, t, s in zip(prob.X, prob.t, slopes):
        xv = sp.Matrix([R(v) for v in x])
        if prob.loss == "mse":          # g = s (s h - t)
            A += R(s * s) * xv * xv.T
            b += R(s * t) * xv
        elif prob.loss == "matching":   # g = s h - t
            A += R(s) * xv * xv.T
            b += R(t) * xv
    for j in range(p):
        if prob.reg[j]:
            A[j, j] += R(prob.l2)
    return A, b


def _logcosh_exact_system(prob, slopes):
    """logcosh, l2 = 0: if the active rows s_i x_i are independent, stationarity means s_i h_i = t_i for each
    active i (sum_i tanh(s_i h_i - t_i) s_i x_i = 0 with independent s_i x_i); the system rows . w = t."""
    rows = [(x, t, s) for x, t, s in zip(prob.X, prob.t, slopes) if s != 0 and any(x)]
    if not rows:
        return sp.zeros(0, prob.p), sp.zeros(0, 1)
    M = sp.Matrix([[sp.Rational(s * v) for v in x] for x, t, s in rows])
    if M.rank() < len(rows):
        return None
    return M, sp.Matrix([sp.Rational(t) for x, t, s in rows])


def _logcosh_numeric(prob, slopes):
    """logcosh with l2 > 0 or dependent rows: the pattern loss is convex; strictly so on the row space of
    M = [active rows; regularised unit vectors]. Damped Newton there; returns (w*, null directions)."""
    p = prob.p
    active = [(x, t, s) for x, t, s in zip(prob.X, prob.t, slopes) if s != 0 and any(x)]
    Mrows = [tuple(s * v for v in x) for x, t, s in active]
    if prob.l2 > 0:
        Mrows += [tuple(Fraction(int(i == j)) for i in range(p)) for j in range(p) if prob.reg[j]]
    M = sp.Matrix([[sp.Rational(v) for v in row] for row in Mrows]) if Mrows else sp.zeros(0, p)
    basis = M.rowspace() if Mrows else []
    null = M.nullspace() if Mrows else [sp.eye(p).col(j) for j in range(p)]
    V = mpmath.matrix([[_mp(_frac(b[j])) for b in basis] for j in range(p)]) if basis else None
    k = len(basis)
    if k == 0:
        return tuple(mpmath.mpf(0) for _ in range(p)), null
    with mpmath.workdps(WORK_DPS + 20):
        def E_grad_hess(cc):
            w = V * cc
            G = mpmath.matrix(p, 1)
            Hm = mpmath.matrix(p, p)
            E = mpmath.mpf(0)
            for x, t, s in active:
                h = mpmath.fsum(_mp(a) * w[i] for i, a in enumerate(x))
                u = _mp(s) * h - _mp(t)
                E += mpmath.log(mpmath.cosh(u))
                th = mpmath.tanh(u)
                for i in range(p):
                    G[i] += th * _mp(s) * _mp(x[i])
                    for j in range(p):
                        Hm[i, j] += (1 - th * th) * _mp(s) ** 2 * _mp(x[i]) * _mp(x[j])
            for i in range(p):
                if prob.reg[i]:
                    E += _mp(prob.l2) / 2 * w[i] ** 2
                    G[i] += _mp(prob.l2) * w[i]
                    Hm[i, i] += _mp(prob.l2)
            return E, V.T * G, V.T * Hm * V

        cc = mpmath.matrix(k, 1)
        for _ in range(200):
            E, G, Hm = E_grad_hess(cc)
            step = mpmath.lu_solve(Hm, G)
            lam = mpmath.mpf(1)
            while lam > 1e-12:
                E2 = E_grad_hess(cc - lam * step)[0]
                if E2 <= E:
                    break
                lam /= 2
            cc = cc - lam * step
            if mpmath.norm(step) < mpmath.mpf(10) ** -(WORK_DPS + 5):
                break
        w = V * cc
        return tuple(+w[i] for i in range(p)), null


def _interval_of(prob, base, d, pattern, exact):
    """{s : base + s d in the pattern's cell} as (lo, lo_closed, hi, hi_closed) or None when empty."""
    lo, lo_c, hi, hi_c = None, False, None, False
    for x, on in zip(prob.X, pattern):
        a = sum(xi * di for xi, di in zip(x, d))
        b = sum(xi * bi for xi, bi in zip(x, base))
        if not exact:
            a = _mp(a)
            b = mpmath.fsum(_mp(xi) * _mp(bi) for xi, bi in zip(x, base))
        # active: a s + b > 0 ; inactive: a s + b <= 0
        if a == 0:
            if (on and not b > 0) or (not on and not b <= 0):
                return None
            continue
        bound = -b / a
        if on:
            if a > 0:     # s > bound
                if lo is None or bound >= lo:
                    lo, lo_c = bound, False
            else:         # s < bound
                if hi is None or bound <= hi:
                    hi, hi_c = bound, False
        else:
            if a > 0:     # s <= bound
                if hi is None or bound < hi:
                    hi, hi_c = bound, True
            else:         # s >= bound
                if lo is None or bound > lo:
                    lo, lo_c = bound, True
    if lo is not None and hi is not None:
        if lo > hi or (lo == hi and not (lo_c and hi_c)):
            return None
    return lo, lo_c, hi, hi_c


def _in_cell(prob, w, pattern, exact, tol=None):
    for x, on in zip(prob.X, pattern):
        h = sum((xi if exact else _mp(xi)) * wi for xi, wi in zip(x, w))
        if not exact and abs(h) < tol:
            h = 0
        if on and not h > 0 or not on and not h <= 0:
            return False
    return True


def _piecewise(prob: RefProblem):
    p, n = prob.p, prob.n
    lo_s, hi_s = prob.act.slopes
    points, regions = [], []
    TOL = mpmath.mpf(10) ** -(WORK_DPS - 10)
    for pattern in itertools.product((False, True), repeat=n):
        if any(on and not any(x) for x, on in zip(prob.X, pattern)):
            continue            # h = 0 cannot be active
        slopes = [hi_s if on else lo_s for on in pattern]
        exact = True
        if prob.loss in ("mse", "matching"):
            A, b = _quadratic_system(prob, slopes)
        elif prob.loss == "logcosh":
            system = _logcosh_exact_system(prob, slopes) if prob.l2 == 0 else None
            if system is None:
                exact = False
            else:
                A, b = system
                if A.rows == 0:
                    A, b = sp.zeros(1, p), sp.zeros(1, 1)
        else:
            raise NotImplementedError(f"{prob.loss} with {prob.activation}")
        if exact:
            try:
                sol, params = A.gauss_jordan_solve(b)
            except ValueError:
                continue        # inconsistent
            taus = list(params)
            base = tuple(_frac(v) for v in sol.subs({tau: 0 for tau in taus}))
            directions = [tuple(_frac(v) for v in sol.diff(tau)) for tau in taus]
        else:
            base, null = _logcosh_numeric(prob, slopes)
            directions = [tuple(_frac(v) for v in vec) for vec in null]
        dead = all(s == 0 for s in slopes)
        kind = "flat" if dead else "affine"
        if not directions:
            if _in_cell(prob, base, pattern, exact, TOL):
                points.append(RefPoint(_mp_tuple(base), "", exact=base if exact else None))
            continue
        if len(directions) == 1:
            d = directions[0]
            iv = _interval_of(prob, base, d, pattern, exact)
            if iv is None:
                continue
            lo, lo_c, hi, hi_c = iv
            if lo is not None and hi is not None and lo == hi:
                w = tuple(bi + lo * di for bi, di in zip(base, d))
                points.append(RefPoint(_mp_tuple(w), "", exact=w if exact else None))
                continue
            constraints = [(x, on) for x, on in zip(prob.X, pattern) if any(x)]
            desc = _describe_line(base, d, lo, lo_c, hi, hi_c)
            regions.append(RefRegion(kind, base, [d], constraints, desc, exact))
            continue
        if len(directions) == p:
            # every w solves the pattern's system: relu's dead cone, or all inputs zero; the region is the cell
            constraints = [(x, on) for x, on in zip(prob.X, pattern) if any(x)]
            desc = "every w" + (" with " if constraints else "") + " and ".join(
                f"{_form(x)} {'>' if on else '<='} 0" for x, on in constraints)
            regions.append(RefRegion(kind, tuple(Fraction(0) for _ in range(p)), directions, constraints, desc))
            continue
        raise NotImplementedError("a pattern whose solution set is neither a point, a line nor the whole cell")
    # classify points; mark those in the closure of a region
    for pt in points:
        w = pt.exact if pt.exact is not None else pt.w
        with mpmath.workdps(WORK_DPS):
            pt.h = prob.pre_activations(w)
        pt.on_region = any(reg.contains(pt.w, tol=1e-30) for reg in regions)
        zeros = [x for x in prob.X if any(x) and abs(sum(_mp(a) * _mp(b) for a, b in zip(x, w))) <= TOL]
        pt.kind = _kink_kind(prob, w, zeros) if zeros else "min"
    points.sort(key=lambda pt: [float(v) for v in pt.w])
    return points, regions


def _form(x):
    names = [f"w{j + 1}" for j in range(len(x))]
    return " + ".join(f"{a}*{nm}" for a, nm in zip(x, names) if a)


def _describe_line(base, d, lo, lo_c, hi, hi_c):
    left = "-oo <" if lo is None else f"{lo} {'<=' if lo_c else '<'}"
    right = "< oo" if hi is None else f"{'<=' if hi_c else '<'} {hi}"
    return f"w = {tuple(str(v) for v in base)} + s*{tuple(str(v) for v in d)}, {left} s {right}"


def kink_directions(prob, zeros, count=64):
    """64 evenly spread directions plus, for each kink line x.w = 0, the directions along it and just beside it."""
    if prob.p == 1:
        return [(Fraction(1),), (Fraction(-1),)]
    out = []
    for k in range(count):
        a = 2 * math.pi * k / count
        out.append((Fraction(math.cos(a)).limit_denominator(10**6), Fraction(math.sin(a)).limit_denominator(10**6)))
    for x in zeros:
        along = (-x[1], x[0])
        for sgn in (1, -1):
            for off in (Fraction(0), Fraction(1, 1000), Fraction(-1, 1000), Fraction(1, 10), Fraction(-1, 10)):
                out.append((sgn * along[0] + off * x[0], sgn * along[1] + off * x[1]))
    return out


def _kink_kind(prob, w, zeros) -> str:
    """"min" if the loss does not decrease along any tested direction at steps 1e-6 and 1e-4, else "kink"."""
    exact = all(isinstance(v, Fraction) for v in w)
    E0 = prob.loss_value(w)
    for d in kink_directions(prob, zeros):
        for step in (Fraction(1, 10**6), Fraction(1, 10**4)):
            if exact:
                v = tuple(a + step * b for a, b in zip(w, d))
            else:
                v = tuple(_mp(a) + _mp(step) * _mp(b) for a, b in zip(w, d))
            E1 = prob.loss_value(v)
            if exact and E1 < E0 or not exact and E1 < E0 - mpmath.mpf(10) ** -(WORK_DPS - 15):
                return "kink"
    return "min"


# ----------------------------------------------------------------------------------------------------------------
# the functional API
# ----------------------------------------------------------------------------------------------------------------

def reference_summary(activation, loss, data, bias=False, l2=0, box=30, grid=20000, seed=0):
    """(points, regions): every stationary point the reference finds (isolated ones within the box, all of them
    for relu / leaky_relu) and the continuous stationary sets."""
    return RefProblem(activation, loss, data, bias, l2).solve(box, grid, seed)


def reference_points(activation, loss, data, bias=False, l2=0, box=30, grid=20000, seed=0) -> list:
    return reference_summary(activation, loss, data, bias, l2, box, grid, seed)[0]


def reference_loss(activation, loss, data, bias=False, l2=0, w=(), dps=WORK_DPS):
    """E(w): exact (a Fraction) for relu / leaky_relu with mse or matching loss at rational w, else mpf."""
    return RefProblem(activation, loss, data, bias, l2).loss_value(tuple(w), dps)


def reference_gradient(activation, loss, data, bias=False, l2=0, w=(), dps=WORK_DPS):
    """grad E(w) in the full weights (smooth activations), by the chain rule over the per-sample derivative."""
    prob = RefProblem(activation, loss, data, bias, l2)
    (phi, g, gp, gpp), _ = _compiled(prob.activation, prob.loss)
    with mpmath.workdps(dps + _tail_digits(prob.act, max(abs(float(v)) for v in w) * 10 + 10)):
        wm = [_mp(v) for v in w]
        out = [mpmath.mpf(0)] * prob.p
        for x, t in zip(prob.X, prob.t):
            h = mpmath.fsum(_mp(a) * b for a, b in zip(x, wm))
            gi = g(h, _mp(t))
            out = [o + gi * _mp(a) for o, a in zip(out, x)]
        return tuple(o + (_mp(prob.l2) * v if m else 0) for o, v, m in zip(out, wm, prob.reg))


def reference_polish(activation, loss, data, bias=False, l2=0, w=(), dps=WORK_DPS):
    return RefProblem(activation, loss, data, bias, l2).polish(w, dps)
