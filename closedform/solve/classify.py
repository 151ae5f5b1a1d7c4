"""Classification of a stationary point from the Hessian's eigenvalues at working precision: min (all > 0),
max (all < 0), saddle (both signs), degenerate (an eigenvalue within 10^(-precision/2) |H| of 0: singular
within tolerance; we say so rather than guess)."""
from __future__ import annotations

import mpmath
import numpy as np


def classify_float(hessian: np.ndarray):
    """The kind from float64 eigenvalues when every one is clear of 0 by far more than rounding (1e-8 of the
    largest); None when that is not decided and the precise Hessian is needed."""
    eigenvalues = np.linalg.eigvalsh(hessian)
    scale = max(1.0, float(np.max(np.abs(eigenvalues))))
    if not np.isfinite(eigenvalues).all() or np.min(np.abs(eigenvalues)) <= 1e-8 * scale:
        return None
    return "min" if eigenvalues.min() > 0 else "max" if eigenvalues.max() < 0 else "saddle"


def classify(hessian, precision: int) -> str:
    with mpmath.workdps(precision + 15):
        H = mpmath.matrix(hessian)
        eigenvalues = mpmath.eigsy(H, eigvals_only=True) if H.rows > 1 else [H[0, 0]]
        scale = max([mpmath.mpf(1)] + [abs(e) for e in eigenvalues])
        tolerance = mpmath.mpf(10) ** (-(precision // 2)) * scale
        if any(abs(e) <= tolerance for e in eigenvalues):
            return "degenerate"
        if all(e > 0 for e in eigenvalues):
            return "min"
        if all(e < 0 for e in eigenvalues):
            return "max"
        return "saddle"
