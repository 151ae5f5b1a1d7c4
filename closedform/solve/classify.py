"""Classification of a stationary point from the Hessian's eigenvalues at working precision: min (all > 0),
max (all < 0), saddle (both signs), degenerate (an eigenvalue within 10^(-precision/2) |H| of 0: singular
within tolerance; we say so rather than guess)."""
from __future__ import annotations

import mpmath


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
