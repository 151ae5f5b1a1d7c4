"""A certified minimum of a convex matching loss from float arithmetic with rigorous error bounds, linear in n.

For a matching loss grad E(w) = sum_i (f(z_i.w) - t_i) z_i + lam w and Hess E(w) = sum_i f'(z_i.w) z_i z_i^T + lam.
If Hess E >= mu I on the ball B(c, rho) and |grad E(c)| < mu rho, the directional derivative at distance s from c
is at least mu s - |grad E(c)| > 0 beyond s = |grad E(c)| / mu: E has a minimiser inside B(c, |grad E(c)| / mu),
unique there. Both bounds are computed in NumPy over the data, each operation widened by its rounding error
(Higham's gamma_n = n u / (1 - n u) for sums of n products, u = 2^-53; the data and targets are enclosed within
2 ulp of their float copies; f and f' within FUNCTION_ULPS ulp of NumPy's exp-based formulas below). The
minimum of f' over an interval is at an endpoint for every registered f: f' is quasi-concave (unimodal or
monotone). The smallest eigenvalue is a float estimate proved by exact elimination (positive definiteness of
M - mu I in rationals), so no backward-error constant of LAPACK is assumed. The route is taken only for the
registry's activations whose loss is checked to be the matching one (``Neuron.convex_matching``)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Optional

import numpy as np

U = 2.0 ** -53
FUNCTION_ULPS = 64  # relative error allowed for f and f' (a few operations of at most a few ulp each)
KAPPA = FUNCTION_ULPS * U
TINY = 1e-300


def _gamma(n: int) -> float:
    return n * U / (1 - n * U)


def _sigmoid(h):
    e = np.exp(-np.abs(h))
    return np.where(h >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_slope(h):
    e = np.exp(-np.abs(h))
    return e / (1 + e) ** 2


def _tanh_slope(h):
    e = np.exp(-2 * np.abs(h))
    return 4 * e / (1 + e) ** 2


@dataclass(frozen=True)
class Enclosable:
    """An increasing activation with accurate float formulas for f and f' (no cancellation anywhere)."""

    f: Callable
    slope: Callable


def enclosable(neuron) -> Optional["Enclosable"]:
    """The float formulas for ``neuron``'s activation when its loss is the (checked) convex matching loss."""
    return ENCLOSABLE.get(neuron.activation.name) if neuron.convex_matching else None


ENCLOSABLE = {
    "sigmoid": Enclosable(_sigmoid, _sigmoid_slope),
    "tanh": Enclosable(np.tanh, _tanh_slope),
    "exp": Enclosable(np.exp, np.exp),
    "identity": Enclosable(lambda h: h, np.ones_like),
}


@dataclass(frozen=True)
class Ball:
    """A proved enclosure: the unique minimiser on B(centre, radius); ``gradient`` bounds |grad E(centre)| and
    ``mu`` bounds the Hessian's smallest eigenvalue from below on B(centre, reach)."""

    centre: np.ndarray
    radius: float
    gradient: float
    mu: float
    reach: float


def _norm_bound(v) -> float:
    """An upper bound on the Euclidean norm of v (scaled first: squares of numbers below 1e-154 underflow)."""
    top = float(np.max(np.abs(v))) if np.size(v) else 0.0
    if top == 0.0:
        return 0.0
    return top * float(np.sqrt(np.sum((np.abs(v) / top) ** 2))) * (1 + 4 * U * (np.size(v) + 2))


def _positive_definite(M, shift: float) -> bool:
    """Exactly (in rationals) whether the float matrix M - shift I is positive definite: Gaussian elimination
    on the symmetric part, every pivot positive. d is small (the data's dimension), so this costs nothing."""
    d = M.shape[0]
    A = [[(Fraction(M[i, j]) + Fraction(M[j, i])) / 2 - (Fraction(shift) if i == j else 0) for j in range(d)]
         for i in range(d)]
    for k in range(d):
        if A[k][k] <= 0:
            return False
        for i in range(k + 1, d):
            factor = A[i][k] / A[k][k]
            for j in range(k, d):
                A[i][j] -= factor * A[k][j]
    return True


def _pre_activations(Z, c):
    """h = Z c as midpoints and radii enclosing z_i.c for the exact data within 2 ulp of Z."""
    mid = Z @ c
    radius = (_gamma(Z.shape[1]) + 3 * U) * (np.abs(Z) @ np.abs(c)) * 1.01 + TINY
    return mid, radius


def gradient_bound(activation: Enclosable, Z, T, lam, c, pre=None) -> float:
    """An upper bound on |grad E(c)| for the exact data (``pre``: :func:`_pre_activations` at c, if known)."""
    n = Z.shape[0]
    mid, radius = pre or _pre_activations(Z, c)
    f_lo, f_hi = activation.f(mid - radius), activation.f(mid + radius)
    f_lo = f_lo - KAPPA * np.abs(f_lo) - TINY
    f_hi = f_hi + KAPPA * np.abs(f_hi) + TINY
    t_lo, t_hi = T - 2 * U * np.abs(T), T + 2 * U * np.abs(T)
    r_lo, r_hi = f_lo - t_hi, f_hi - t_lo
    r_mid, r_rad = (r_lo + r_hi) / 2, (r_hi - r_lo) / 2 + 2 * U * (np.abs(r_lo) + np.abs(r_hi))
    g = Z.T @ r_mid + lam * c
    error = (np.abs(Z).T @ (r_rad + (_gamma(n + 1) + 3 * U) * np.abs(r_mid))
             + 3 * U * np.abs(lam * c)) * 1.01 + TINY
    return _norm_bound(np.abs(g) + error)


def curvature_bound(activation: Enclosable, Z, lam, c, reach: float, pre=None, norms=None) -> float:
    """A lower bound on the smallest eigenvalue of Hess E(w) over |w - c| <= reach, exact data. The rounding
    error of M = sum m_i z_i z_i^T is at most gamma sum m_i |z_ij z_ik| <= gamma sqrt(M_jj M_kk) entrywise
    (Cauchy-Schwarz; the diagonal sums are of nonnegative terms), so its Frobenius norm is at most gamma tr M.
    ``pre``: :func:`_pre_activations` at c; ``norms``: the rows' Euclidean norms (each computed if not given)."""
    n, d = Z.shape
    mid, radius = pre or _pre_activations(Z, c)
    spread = radius
    if reach > 0:
        norms = np.sqrt(np.einsum("ij,ij->i", Z, Z)) if norms is None else norms
        spread = radius + reach * norms * (1 + 4 * U * d) * (1 + 2e-15)
    m = np.minimum(activation.slope(mid - spread), activation.slope(mid + spread))
    m = np.maximum(m - KAPPA * m - TINY, 0.0)
    products = (Z * m[:, None]).T @ Z
    gamma = (_gamma(n + 2) + 6 * U) * 1.01
    slack = gamma / (1 - gamma) * float(np.sum(np.diag(products))) * (1 + 2 * U * d)  # >= gamma tr M exact
    lam = np.broadcast_to(lam, (d,)).astype(float)
    M = products + np.diag(lam)
    slack = (slack + 3 * U * float(np.sum(np.abs(lam)))) * 1.01 + TINY  # M_exact >= M - slack I (Weyl)
    guess = float(np.linalg.eigvalsh(M)[0])
    candidate = guess - 1e-6 * abs(guess)  # a float estimate, then proved below
    if not np.isfinite(candidate) or not _positive_definite(M, candidate):
        return -np.inf
    return candidate - slack


def certify_minimum(activation: Enclosable, Z, T, lam, c, tries: int = 6) -> Optional[Ball]:
    """A Ball proving a unique minimiser near ``c``, or None when the bounds do not close."""
    pre = _pre_activations(Z, c)
    g = gradient_bound(activation, Z, T, lam, c, pre)
    mu0 = curvature_bound(activation, Z, lam, c, 0.0, pre)
    if not (mu0 > 0 and np.isfinite(g)):
        return None
    reach = max(2 * g / mu0, TINY)  # g = 0 still needs a ball to hold the point
    norms = np.sqrt(np.einsum("ij,ij->i", Z, Z))
    for _ in range(tries):
        mu = curvature_bound(activation, Z, lam, c, reach, pre, norms)
        if mu > 0 and g < mu * reach * (1 - 1e-12):
            return Ball(c, g / mu * (1 + 1e-12), g, mu, reach)
        reach *= 4
    return None
