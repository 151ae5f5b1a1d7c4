"""An independent reference for the population loss of a Gaussian teacher (tests/test_population_differential.py).

L(w, b) = E[(f(v.x + c) - f(w.x + b))^2]/2 + noise/2 + l2 |w|^2/2 with x ~ N(0, I_d), computed by quadrature
with nothing from ``closedform`` but the activation's *name*: f and f' are written here with NumPy/SciPy.

The quadrature lives in the plane spanned by v and w. With e1 = v/|v| and e2 the unit vector of the part of w
orthogonal to v, x = z1 e1 + z2 e2 + x_perp with (z1, z2) ~ N(0, I_2) and x_perp independent of both with mean
zero, so h = w.x + b = b + a1 z1 + a2 z2 (a1 = w.e1, a2 = |w - a1 e1|), g = v.x + c = c + |v| z1, and

    L      = E[(f(g) - f(h))^2]/2 + noise/2 + l2 |w|^2/2,
    grad_w = E[(f(h) - f(g)) f'(h) z1] e1 + E[(f(h) - f(g)) f'(h) z2] e2 + l2 w,
    dL/db  = E[(f(h) - f(g)) f'(h)].

Each expectation is a nested 2-D integral: the outer over z1, the inner over z2 (given z1), each a composite
Gauss-Legendre rule on [-L, L] (L = 14, more for exp, whose integrand e^(2 a z - z^2/2) peaks at z = 2a) with
pieces of length <= STEP, cut at every point where the integrand is not analytic (a relu kink: h = 0 or g = 0)
and graded geometrically towards every point where it is steep (erf, probit: h = 0 or g = 0 at scale 1/slope;
the inner integral of a kink in h, seen from z1, is a kink smoothed over a2/|a1|). Every piece is then analytic
and wide enough, so the rule converges geometrically: ``quadrature_self_check`` compares with a twice finer rule.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import numpy as np
from scipy import optimize, special

NODES, WEIGHTS = np.polynomial.legendre.leggauss(14)
STEP = 1.5
SQRT_2PI = math.sqrt(2 * math.pi)


# ------------------------------------------------------------------------------------------- activations
@dataclass(frozen=True)
class Act:
    """f, f' (vectorised NumPy) and what the quadrature must know: ``kink`` (not analytic at 0), ``steep``
    (a transition of width ~1 at 0: erf, probit), ``exp`` (exponential growth)."""

    name: str
    f: Callable
    fp: Callable
    kink: bool = False
    steep: bool = False
    exp: bool = False


def _frac(text: str) -> Fraction:
    return Fraction(text.strip())


def activation(spec: str) -> Act:
    """The activation named ``spec`` ("relu", "leaky_relu(1/10)", "polynomial(0, 1, 1)", ...)."""
    match = re.fullmatch(r"\s*([a-z_]+)\s*(?:\((.*)\))?\s*", spec)
    name, args = match.group(1), match.group(2)
    if name == "identity":
        return Act(spec, lambda h: h, lambda h: np.ones_like(h))
    if name == "square":
        return Act(spec, lambda h: h * h, lambda h: 2 * h)
    if name == "polynomial":
        cs = [float(_frac(a)) for a in args.split(",")]
        poly = np.polynomial.Polynomial(cs)
        deriv = poly.deriv()
        return Act(spec, lambda h: poly(h), lambda h: deriv(h) + 0 * h)
    if name == "exp":
        return Act(spec, np.exp, np.exp, exp=True)
    if name == "relu":   # f'(0) = 0
        return Act(spec, lambda h: np.maximum(h, 0.0), lambda h: (h > 0).astype(float), kink=True)
    if name == "leaky_relu":   # f'(0) = a, the h <= 0 branch
        a = float(_frac(args)) if args else 0.01
        return Act(spec, lambda h: np.where(h > 0, h, a * h), lambda h: np.where(h > 0, 1.0, a), kink=True)
    if name == "erf":
        return Act(spec, special.erf, lambda h: 2 / math.sqrt(math.pi) * np.exp(-h * h), steep=True)
    if name == "probit":
        return Act(spec, special.ndtr, lambda h: np.exp(-h * h / 2) / SQRT_2PI, steep=True)
    raise ValueError(f"no reference activation {spec!r}")


# ------------------------------------------------------------------------------------------- 1-D rules
def _graded(center, scale, half):
    """Break points center +- scale 2^k (k >= -2) up to ``half``: pieces geometrically refined towards
    ``center`` (at most 34 levels)."""
    if not np.isfinite(scale) or scale <= 1e-9 or scale >= half:
        return []   # below 1e-9 a smoothed kink is a kink: the error is O(scale^2)
    levels = min(34, int(math.ceil(math.log2(half / scale))) + 2)
    offsets = scale * 2.0 ** np.arange(-2, levels - 2)
    offsets = offsets[offsets < half]
    return list(center + offsets) + list(center - offsets)


def _breaks(L, centers, step):
    """Sorted break points for [-L, L]: a uniform grid of ``step`` plus every center (with its grading)."""
    n = max(2, int(math.ceil(2 * L / step)) + 1)
    pts = list(np.linspace(-L, L, n))
    for center, scale in centers:
        if center is None or not np.isfinite(center) or abs(center) >= L:
            continue
        pts.append(center)
        if scale is not None:
            pts += [x for x in _graded(center, scale, step) if -L < x < L]
    return np.unique(np.asarray(pts, dtype=float))


def _rule(breaks, nodes, weights):
    """Nodes and weights (times the standard normal density) of the composite rule on ``breaks``."""
    a, b = breaks[:-1, None], breaks[1:, None]
    half = (b - a) / 2
    z = (a + b) / 2 + half * nodes[None, :]
    wts = half * weights[None, :] * np.exp(-z * z / 2) / SQRT_2PI
    return z.ravel(), wts.ravel()


def _inner_rule(L, centers, extra_scale, step, nodes, weights):
    """Per-outer-node rules over z2: the same uniform grid for every row plus, per row, the center
    ``centers[i]`` (graded at ``extra_scale`` when given). All rows have the same number of pieces."""
    n = max(2, int(math.ceil(2 * L / step)) + 1)
    base = np.linspace(-L, L, n)
    rows = centers.shape[0]
    offsets = [0.0]
    if extra_scale is not None and 1e-9 < extra_scale < step:
        levels = min(34, int(math.ceil(math.log2(step / extra_scale))) + 2)
        o = extra_scale * 2.0 ** np.arange(-2, levels - 2)
        o = o[o < step]
        offsets += list(o) + list(-o)
    moving = centers[:, None] + np.asarray(offsets)[None, :]
    br = np.concatenate([np.broadcast_to(base, (rows, n)), np.clip(moving, -L, L)], axis=1)
    br.sort(axis=1)
    a, b = br[:, :-1, None], br[:, 1:, None]
    half = (b - a) / 2
    z = (a + b) / 2 + half * nodes[None, None, :]
    wts = half * weights[None, None, :] * np.exp(-z * z / 2) / SQRT_2PI
    return z.reshape(rows, -1), wts.reshape(rows, -1)


# ------------------------------------------------------------------------------------------- the problem
@dataclass
class Population:
    """One population problem: teacher (v, c), activation, student bias, l2, noise (floats)."""

    act: Act
    v: np.ndarray
    c: float = 0.0
    bias: bool = False
    l2: float = 0.0
    noise: float = 0.0
    step: float = STEP
    nodes: np.ndarray = field(default_factory=lambda: NODES)
    weights: np.ndarray = field(default_factory=lambda: WEIGHTS)

    @classmethod
    def make(cls, activation_spec, v, c=None, bias=False, l2=0, noise=0, fine=False):
        kw = {}
        if fine:
            n, w = np.polynomial.legendre.leggauss(20)
            kw = {"step": STEP / 2, "nodes": n, "weights": w}
        return cls(activation(activation_spec), np.array([float(Fraction(str(x))) for x in v]),
                   0.0 if c is None else float(Fraction(str(c))), bool(bias), float(Fraction(str(l2))),
                   float(Fraction(str(noise))), **kw)

    @property
    def dim(self) -> int:
        return len(self.v)

    @property
    def nparams(self) -> int:
        return self.dim + (1 if self.bias else 0)

    def _split(self, params):
        params = np.asarray(params, dtype=float)
        w = params[: self.dim]
        b = params[self.dim] if self.bias else 0.0
        return w, b

    def _frame(self, w):
        pn = float(np.linalg.norm(self.v))
        e1 = self.v / pn
        a1 = float(w @ e1)
        perp = w - a1 * e1
        a2 = float(np.linalg.norm(perp))
        if a2 > 1e-300:
            e2 = perp / a2
        else:
            a2, e2 = 0.0, np.zeros_like(w)
        return pn, e1, a1, a2, e2

    def _grid(self, w, b):
        """(Z1, W1) outer, (Z2, W2) inner rules and the frame."""
        act = self.act
        pn, e1, a1, a2, e2 = self._frame(w)
        c = self.c
        L1 = L2 = 14.0
        if act.exp:
            L1 = 14.0 + 2.0 * max(abs(a1), pn)
            L2 = 14.0 + 2.0 * a2
            if max(L1, L2) > 80:   # e^(2 |w|^2) > 1e300: out of double range
                raise FloatingPointError(f"exp activation with |w| = {np.linalg.norm(w):.3g}: out of range")
        if not (np.all(np.isfinite(w)) and np.isfinite(b)) or max(abs(b), np.max(np.abs(w), initial=0)) > 1e6:
            raise FloatingPointError(f"weights {w}, {b} out of range")
        centers = []
        if act.kink or act.steep:
            centers.append((-c / pn, 1.0 / pn if act.steep else None))
            if abs(a1) > 1e-300:
                scales = []
                if act.kink and a2 > 0:
                    scales.append(a2 / abs(a1))
                if act.steep:
                    scales.append(max(a2, 0.5) / abs(a1))
                center = -b / a1
                if scales:
                    for s in scales:
                        centers.append((center, s))
                else:
                    centers.append((center, None))
        b1 = _breaks(L1, centers, self.step)
        Z1, W1 = _rule(b1, self.nodes, self.weights)
        if (act.kink or act.steep) and a2 > 0:
            inner_centers = -(b + a1 * Z1) / a2
            Z2, W2 = _inner_rule(L2, inner_centers, 1.0 / a2 if act.steep else None, self.step, self.nodes,
                                 self.weights)
        else:
            z2, w2 = _rule(_breaks(L2, [], self.step), self.nodes, self.weights)
            Z2 = np.broadcast_to(z2, (len(Z1), len(z2)))
            W2 = np.broadcast_to(w2, (len(Z1), len(z2)))
        return (Z1, W1, Z2, W2), (pn, e1, a1, a2, e2)

    def evaluate(self, params, gradient=True):
        """(loss, gradient) at ``params`` = w (+ b): floats, by quadrature."""
        w, b = self._split(params)
        (Z1, W1, Z2, W2), (pn, e1, a1, a2, e2) = self._grid(w, b)
        f, fp = self.act.f, self.act.fp
        G = self.c + pn * Z1
        H = b + a1 * Z1[:, None] + a2 * Z2
        WW = W1[:, None] * W2
        with np.errstate(over="ignore", invalid="ignore"):
            diff = f(H) - f(G)[:, None]
            loss = 0.5 * np.sum(WW * diff * diff) + self.noise / 2 + self.l2 * float(w @ w) / 2
            if not gradient:
                return loss, None
            phi = WW * diff * fp(H)
            g1 = np.sum(phi * Z1[:, None])
            g2 = np.sum(phi * Z2)
        grad_w = g1 * e1 + g2 * e2 + self.l2 * w
        grad = list(grad_w) + ([np.sum(phi)] if self.bias else [])
        return loss, np.array(grad, dtype=float)

    def coarse(self) -> "Population":
        """A cheaper rule (about 1e-8 relative) for searching."""
        n, w = np.polynomial.legendre.leggauss(10)
        return Population(self.act, self.v, self.c, self.bias, self.l2, self.noise, 3.0, n, w)

    def magnitude(self, params) -> float:
        """E[f(h)^2 + f(g)^2 + |(f(h) - f(g)) f'(h)| (1 + |z1| + |z2|)]: the size of the integrands, so the
        rounding error of the rule is about 1e-16 times this (exp at the teacher: L = 0 but e^(2|v|^2) terms)."""
        w, b = self._split(params)
        (Z1, W1, Z2, W2), (pn, e1, a1, a2, e2) = self._grid(w, b)
        G = self.c + pn * Z1
        H = b + a1 * Z1[:, None] + a2 * Z2
        with np.errstate(over="ignore", invalid="ignore"):
            fh, fg = self.act.f(H), self.act.f(G)[:, None]
            terms = fh * fh + fg * fg + np.abs((fh - fg) * self.act.fp(H)) * (1 + np.abs(Z1)[:, None] + np.abs(Z2))
            return float(np.sum(W1[:, None] * W2 * terms))

    def loss(self, params) -> float:
        return self.evaluate(params, gradient=False)[0]

    def gradient(self, params) -> np.ndarray:
        return self.evaluate(params)[1]

    def hessian(self, params, step=1e-5) -> np.ndarray:
        """Central differences of the quadrature gradient."""
        x = np.asarray(params, dtype=float)
        n = len(x)
        H = np.zeros((n, n))
        for i in range(n):
            e = np.zeros(n)
            e[i] = step
            H[:, i] = (self.gradient(x + e) - self.gradient(x - e)) / (2 * step)
        return (H + H.T) / 2

    def kind(self, params, flat=0, threshold=1e-5):
        """("min" | "max" | "saddle" | None, eigenvalues): None when an eigenvalue (after dropping the ``flat``
        smallest in magnitude, e.g. along an orbit) is within ``threshold`` plus the differencing error."""
        h1 = self.hessian(params, 1e-5)
        h2 = self.hessian(params, 2e-5)
        error = float(np.max(np.abs(h1 - h2))) * 4 / 3 + 1e-9
        eig = np.linalg.eigvalsh(h1)
        order = np.argsort(np.abs(eig))
        kept = eig[order[flat:]]
        if np.any(np.abs(kept) <= threshold + 10 * error):
            return None, eig, error
        if np.all(kept > 0):
            return "min", eig, error
        if np.all(kept < 0):
            return "max", eig, error
        return "saddle", eig, error


# ------------------------------------------------------------------------------------------- multistart
def multistart(pop: Population, starts, box: float, grad_tol=1e-8, keep_radius=None, maxfev=200, noise=1e-13):
    """Roots of the quadrature gradient from ``starts``: scipy's hybr on a coarse rule (``pop.coarse()``), then
    Newton on the full rule (central-difference Hessian); each point with |grad| < grad_tol (full rule; plus
    ``noise`` times ``pop.magnitude``, the rule's rounding level, for exp's huge terms) inside
    |x|_inf < keep_radius (default 0.98 box: not at the box's edge, not escaping to a zero at infinity) is kept,
    clustered at 1e-5. Returns a list of (x, |grad|)."""
    keep_radius = 0.98 * box if keep_radius is None else keep_radius
    coarse = pop.coarse()
    candidates = []
    for x0 in starts:
        try:
            with np.errstate(all="ignore"):
                sol = optimize.root(coarse.gradient, x0, method="hybr", options={"xtol": 1e-12, "maxfev": maxfev})
        except (ValueError, FloatingPointError, OverflowError, np.linalg.LinAlgError):
            continue
        x = sol.x
        if not np.all(np.isfinite(x)) or np.max(np.abs(x)) >= keep_radius:
            continue
        if not any(np.max(np.abs(x - y)) < 1e-6 for y in candidates):
            candidates.append(x)
    found = []
    for x in candidates:
        try:
            g = float(np.linalg.norm(pop.gradient(x)))
            tol = grad_tol + noise * pop.magnitude(x)
        except FloatingPointError:
            continue
        for _ in range(4):
            if g < tol * 1e-3:
                break
            try:
                step = np.linalg.solve(pop.hessian(x, 1e-6), pop.gradient(x))
                y = x - step
                if not np.all(np.isfinite(y)) or np.max(np.abs(y)) >= keep_radius:
                    break
                gy = float(np.linalg.norm(pop.gradient(y)))
            except (np.linalg.LinAlgError, FloatingPointError):
                break
            if not gy < g:
                break
            x, g = y, gy
        if g >= tol or np.max(np.abs(x)) >= keep_radius:
            continue
        if not any(np.max(np.abs(x - y)) < 1e-5 for y, _ in found):
            found.append((x, g))
    return found


def quadrature_self_check(pop: Population, params) -> float:
    """max relative difference of (loss, gradient) between this rule and a twice finer one."""
    fine = Population(pop.act, pop.v, pop.c, pop.bias, pop.l2, pop.noise, STEP / 2,
                      *np.polynomial.legendre.leggauss(20))
    l1, g1 = pop.evaluate(params)
    l2, g2 = fine.evaluate(params)
    scale = max(1.0, abs(l2), float(np.max(np.abs(g2))))
    return max(abs(l1 - l2), float(np.max(np.abs(g1 - g2)))) / scale
