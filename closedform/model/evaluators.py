"""Compiled evaluators. Only the per-sample scalars l(t, h), g = dl/dh and g' = d2l/dh2 are lambdified (once per
activation/loss pair, cached); totals are sums over data arrays, so the cost is linear in n:

    E(w) = sum_i l(t_i, z_i.w) + (lam/2)|w_reg|^2,  grad = Z^T g + lam w_reg,  Hess = Z^T diag(g') Z + lam I_reg.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import mpmath
import numpy as np
import sympy as sp

from .compare import cancels
from .symbols import h, t


@dataclass(frozen=True, eq=False)
class PerSample:
    """The per-sample loss l(t, f(h)), its first and second h-derivatives g and g_h (built on first use: the loss
    alone, as the symbolic gradient needs it, does not pay for simplifying g), symbolic and compiled."""

    loss: sp.Expr
    output: sp.Expr  # f(h)

    @cached_property
    def g(self) -> sp.Expr:
        g = sp.diff(self.loss, h)
        if cancels(g - (self.output - t)):  # a matching loss (sigmoid + bce, ...): g is f - t exactly
            return self.output - t
        if sp.count_ops(g) <= SIMPLIFY_LIMIT:  # simplify can hang on large inputs
            return sp.simplify(g)  # also a form that evaluates well in the tails: 1 - tanh^2 becomes 1/cosh^2
        return g

    @cached_property
    def g_h(self) -> sp.Expr:
        return sp.diff(self.g, h)

    def __post_init__(self):
        object.__setattr__(self, "_compiled", {})

    def _function(self, name: str, backend: str):
        """``name`` lambdified for ``backend`` on first use (SciPy loads only when a float evaluation needs it)."""
        key = (name, backend)
        if key not in self._compiled:
            expr = getattr(self, name)
            if backend == "mpmath":
                self._compiled[key] = sp.lambdify((t, h), expr, "mpmath")
            else:
                namespace, printer = _float_namespace(expr)
                self._compiled[key] = sp.lambdify((t, h), expr, [namespace], printer=printer, cse=True)
        return self._compiled[key]

    def compile(self) -> None:
        """Every evaluator now: worker processes forked later inherit them instead of each compiling its own."""
        for name in ("loss", "g", "g_h"):
            for backend in ("numpy", "mpmath"):
                self._function(name, backend)

    def numpy(self, name: str, T: np.ndarray, H: np.ndarray) -> np.ndarray:
        """Evaluate ``name`` in {loss, g, g_h} elementwise in float64 (NaN where it overflows)."""
        function = self._function(name, "numpy")
        shape = np.broadcast(T, H).shape
        with np.errstate(all="ignore"):
            if len(shape) < 2 or np.shape(H) != shape or np.shape(T) != shape[1:] or np.prod(shape) <= CHUNK_ELEMENTS:
                return np.broadcast_to(function(T, H), shape)
            out = np.empty(shape)  # rows of H a few at a time: temporaries stay in cache, no fresh pages each
            step = max(1, CHUNK_ELEMENTS // shape[-1])
            for start in range(0, shape[0], step):
                out[start:start + step] = function(T, H[start:start + step])
            return out

    def mp(self, name: str, t_value, h_value):
        return self._function(name, "mpmath")(t_value, h_value)


NUMPY_FUNCTIONS = (sp.exp, sp.log, sp.tanh, sp.cosh, sp.sinh, sp.Abs, sp.sign, sp.Max, sp.Min, sp.Piecewise,
                   sp.Heaviside)


def _float_namespace(expr):
    """lambdify's namespace and printer for ``expr`` in float64, as ``modules="numpy"`` (or ``["numpy", "scipy"]``)
    would make them, with only the names ``expr`` uses: its ``from numpy import *`` loads numpy.f2py (0.13 s). NumPy
    alone when it has every function (importing SciPy costs a third of a second)."""
    from sympy.printing.numpy import NumPyPrinter, SciPyPrinter

    functions = {type(f) for f in expr.atoms(sp.Function)} | ({sp.Piecewise} if expr.has(sp.Piecewise) else set())
    modules = [np]
    if not all(issubclass(f, NUMPY_FUNCTIONS) for f in functions):
        import scipy.special

        modules.insert(0, scipy.special)
    namespace = {"numpy": np}
    for name in {f.__name__ for f in functions}:  # functions the printer does not know are called by their name
        module = next((m for m in modules if hasattr(m, name)), None)
        if module is not None:
            namespace[name] = getattr(module, name)
    printer = (SciPyPrinter if len(modules) > 1 else NumPyPrinter)(
        {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True, "user_functions": {}})
    return namespace, printer


SIMPLIFY_LIMIT = 25
CHUNK_ELEMENTS = 2**16  # elements evaluated at once by PerSample.numpy on a batch of points


@lru_cache(maxsize=None)
def per_sample(activation, loss) -> PerSample:
    """Cached per (activation, loss) pair."""
    return PerSample(loss.per_sample(activation), activation.expr)


def _float(value: sp.Rational) -> float:
    """The float nearest an exact rational (int / int rounds correctly; far faster than SymPy's float())."""
    return value.p / value.q


class NumericModel:
    """E, grad E and Hess E of concrete data ``Z`` (n x p exact rows), targets ``T``, L2 weight ``l2`` on the
    coordinates where ``regularised`` is True. NumPy methods take a batch of points W (m x p)."""

    def __init__(self, fns: PerSample, Z, T, l2, regularised, floats=None):
        """``floats``: (Z, T) in float64 when the caller has them (the data's own arrays), else rounded here."""
        self.fns = fns
        self.Z_exact, self.T_exact = Z, T
        if floats is None:
            r = len(Z[0]) if len(Z) else 0
            floats = (np.fromiter((_float(v) for row in Z for v in row), float, len(Z) * r).reshape(len(Z), r),
                      np.fromiter((_float(v) for v in T), float, len(T)))
        self.Z, self.T = floats
        self.l2 = sp.Rational(l2)
        self.mask = np.array(regularised, dtype=float)
        self._mp_data = {}

    @property
    def p(self) -> int:
        return self.Z.shape[1]

    def loss(self, W):
        W = np.atleast_2d(W)
        values = self.fns.numpy("loss", self.T, W @ self.Z.T).sum(axis=1)
        return values + 0.5 * float(self.l2) * ((W * self.mask) ** 2).sum(axis=1)

    def gradient(self, W):
        W = np.atleast_2d(W)
        with np.errstate(all="ignore"):  # overflow becomes inf / NaN, which the callers test for
            return self.fns.numpy("g", self.T, W @ self.Z.T) @ self.Z + float(self.l2) * W * self.mask

    def hessian(self, W):
        W = np.atleast_2d(W)
        curvature = np.ascontiguousarray(self.fns.numpy("g_h", self.T, W @ self.Z.T))
        r = self.Z.shape[1]
        out = np.empty((W.shape[0], r, r))
        with np.errstate(all="ignore"):
            for i in range(r):  # sum_n c_mn z_ni z_nj: one matrix-vector product (BLAS) per entry i <= j
                for j in range(i, r):
                    out[:, i, j] = out[:, j, i] = curvature @ (self.Z[:, i] * self.Z[:, j])
            return out + float(self.l2) * np.diag(self.mask)

    def _mp(self):
        """Data as mpf at the current working precision (cached per precision)."""
        key = mpmath.mp.prec
        if key not in self._mp_data:
            rows = [[mpmath.mpf(v.p) / v.q for v in row] for row in self.Z_exact]
            targets = [mpmath.mpf(v.p) / v.q for v in self.T_exact]
            self._mp_data[key] = (rows, targets, mpmath.mpf(self.l2.p) / self.l2.q)
        return self._mp_data[key]

    def _pre_activations(self, w):
        rows, targets, l2 = self._mp()
        return rows, targets, l2, [mpmath.fdot(row, w) for row in rows]

    def mp_loss(self, w):
        rows, targets, l2, hs = self._pre_activations(w)
        total = mpmath.fsum(self.fns.mp("loss", ti, hi) for ti, hi in zip(targets, hs))
        return total + l2 / 2 * mpmath.fsum(wj**2 for wj, m in zip(w, self.mask) if m)

    def mp_gradient(self, w):
        rows, targets, l2, hs = self._pre_activations(w)
        gs = [self.fns.mp("g", ti, hi) for ti, hi in zip(targets, hs)]
        return mpmath.matrix([mpmath.fsum(gi * row[j] for gi, row in zip(gs, rows)) + (l2 * w[j] if self.mask[j] else 0)
                              for j in range(self.p)])

    def mp_gradient_scale(self, w):
        """sum_i |g_i| |z_i|_oo + lam |w|_oo: the size of the terms that cancel in grad E (rounding is relative to it)."""
        rows, targets, l2, hs = self._pre_activations(w)
        terms = mpmath.fsum(abs(self.fns.mp("g", ti, hi)) * max(abs(x) for x in row) for ti, hi, row in zip(targets, hs, rows))
        return terms + l2 * max([abs(v) for v in w] + [mpmath.mpf(0)])

    def mp_hessian_scale(self, w):
        """sum_i |g'_i| |z_i|_oo^2 + lam: the size of the terms that make up the Hessian."""
        rows, targets, l2, hs = self._pre_activations(w)
        return mpmath.fsum(abs(self.fns.mp("g_h", ti, hi)) * max(abs(x) for x in row) ** 2
                           for ti, hi, row in zip(targets, hs, rows)) + l2

    def mp_hessian(self, w):
        rows, targets, l2, hs = self._pre_activations(w)
        cs = [self.fns.mp("g_h", ti, hi) for ti, hi in zip(targets, hs)]
        H = mpmath.matrix(self.p, self.p)
        for i in range(self.p):
            for j in range(i, self.p):
                H[i, j] = H[j, i] = mpmath.fsum(c * row[i] * row[j] for c, row in zip(cs, rows))
            if self.mask[i]:
                H[i, i] += l2
        return H
