"""The kind of a smooth stationary point from the signs of its Hessian's eigenvalues, each decided against an
error bound rather than an absolute threshold: an eigenvalue lambda of the computed Hessian is within
rho = ||H_true - H_computed||_F of the true one (Weyl), so its sign is known when |lambda| > rho and the point is
"degenerate" only when 0 lies in [lambda - rho, lambda + rho]. rho comes from an interval Hessian over the
point's enclosure when there is one, else from the precision relative to the size of the Hessian's terms
(sum |g'_i| |z_i|^2 + lam), never relative to 1: a strict minimum with a Hessian of 1e-22 is a minimum."""
from __future__ import annotations

import mpmath
import numpy as np

from ..kinds import Kind


def kind_from_signs(eigenvalues, radius) -> Kind:
    """SADDLE when eigenvalues of both signs are clear of 0 by more than ``radius`` (indefinite whatever the
    others are); MIN / MAX when every eigenvalue is clear of 0 with one sign; else DEGENERATE."""
    if any(e > radius for e in eigenvalues) and any(e < -radius for e in eigenvalues):
        return Kind.SADDLE
    if any(abs(e) <= radius for e in eigenvalues):
        return Kind.DEGENERATE
    if all(e > 0 for e in eigenvalues):
        return Kind.MIN
    if all(e < 0 for e in eigenvalues):
        return Kind.MAX
    return Kind.SADDLE


def eigenvalues(hessian) -> list:
    H = mpmath.matrix(hessian)
    return list(mpmath.eigsy(H, eigvals_only=True)) if H.rows > 1 else [H[0, 0]]


def classify(hessian, radius) -> Kind:
    """The kind from an mp Hessian whose entries are within ``radius`` (Frobenius) of the true ones."""
    return kind_from_signs(eigenvalues(hessian), radius)


def interval_radius(interval_hessian) -> mpmath.mpf:
    """||rad H||_F of an interval matrix (list of lists of mpmath.iv intervals), plus the midpoint's own width."""
    return mpmath.sqrt(mpmath.fsum(mpmath.mpf(x.delta) ** 2 for row in interval_hessian for x in row))


def precision_radius(term_scale, digits: int) -> mpmath.mpf:
    """The error of a Hessian computed at a point known to ``digits`` digits, relative to its terms' size."""
    return mpmath.mpf(10) ** (-(digits // 2)) * term_scale


def classify_float(hessian: np.ndarray, term_scale: float):
    """The kind from float64 eigenvalues when every one is clear of 0 by far more than rounding (1e-8 of the
    size of the Hessian's terms); None when that is not decided and the precise Hessian is needed."""
    values = np.linalg.eigvalsh(hessian)
    if not np.isfinite(values).all():
        return None
    kind = kind_from_signs(values, 1e-8 * term_scale)
    return None if kind is Kind.DEGENERATE else kind
