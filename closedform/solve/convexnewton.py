"""Large data with a convex matching loss (logistic regression and its kin): Newton in float64 on
grad E(w) = Z^T (f(Z w) - t) + lam w with Hess E = Z^T diag f'(Z w) Z + lam, linear in n per step. It only
proposes the point and the convexity certificate: :mod:`.ball` proves the minimum, the exact rank check proves
strict convexity. When Newton runs off to infinity the data are separable and the zeros at infinity answer."""
from __future__ import annotations

import math

import numpy as np

from ..budget import Deadline
from ..kinds import CertificateKind, Scope
from .ball import enclosable
from .parts import Certificate
from .strategy import Finding, Strategy
from .verify import MAX_SYMBOLIC

ITERATIONS = 100
RUNAWAY = 1e8  # |w| beyond this: Newton is following the data's separating direction
HERE_PRODUCTS = 10 ** 8  # n r^2 (one Hessian) up to this: a step costs well under 0.5 s, run in this process


def _newton(activation, Z, T, lam, deadline: Deadline):
    c = np.zeros(Z.shape[1])
    with np.errstate(all="ignore"):
        h, g = _gradient(activation, Z, T, lam, c)
        for _ in range(ITERATIONS):
            deadline.check()
            H = (Z * activation.slope(h)[:, None]).T @ Z + np.diag(lam)
            try:
                step = np.linalg.solve(H, -g)
            except np.linalg.LinAlgError:
                return None
            c, h, g = _damped(activation, Z, T, lam, c, step, np.linalg.norm(g), deadline)
            if not np.all(np.isfinite(c)) or np.linalg.norm(c) > RUNAWAY:
                return None
            if np.linalg.norm(step) <= 1e-15 * (1 + np.linalg.norm(c)):
                return c
    return None


def _gradient(activation, Z, T, lam, c):
    """h = Z c and grad E(c) = Z^T (f(h) - T) + lam c."""
    h = Z @ c
    return h, Z.T @ (activation.f(h) - T) + lam * c


def _damped(activation, Z, T, lam, c, step, size, deadline: Deadline):
    """(w, Z w, grad E(w)) at w = c + step, the Newton step halved until |grad E| does not grow (a full step from
    far away can overshoot); after 30 halvings, the last one tried."""
    for _ in range(30):
        deadline.check()
        trial = c + step
        h, g = _gradient(activation, Z, T, lam, trial)
        if np.all(np.isfinite(g)) and np.linalg.norm(g) <= size * (1 + 1e-9):
            break
        step = step / 2
    return trial, h, g


def strict_convexity() -> Certificate:
    """The proposal that a matching loss of an increasing activation on spanning data has one point."""
    return Certificate(CertificateKind.CONVEXITY, Scope.GLOBAL,
                       "the loss is a matching loss of an increasing activation: its Hessian "
                       "sum f'(h_i) z_i z_i^T (+ lam on the weights) is positive definite, so the loss "
                       "is strictly convex and its one stationary point is the global minimum")


class ConvexNewton(Strategy):
    name = "convex Newton"

    def applies(self, reduced) -> bool:
        return reduced.is_full and len(reduced.z) > MAX_SYMBOLIC and enclosable(reduced.neuron) is not None

    def runs_here(self, reduced) -> bool:
        return len(reduced.z) * reduced.r ** 2 <= HERE_PRODUCTS

    def solve(self, reduced, digits: int, deadline: Deadline = None) -> Finding:
        """Newton from w = 0; in this process it checks ``deadline`` before each step (in a worker, none)."""
        model = reduced.model
        lam = float(model.l2) * model.mask
        c = _newton(enclosable(reduced.neuron), model.Z, model.T, lam, deadline or Deadline(math.inf))
        if c is None:
            return Finding(notes=[f"Newton did not converge in {ITERATIONS} steps (on separable data its iterates "
                                  f"grow without bound): no finite minimum was found this way"])
        return Finding(points=[None], values={0: [repr(float(v)) for v in c]}, certificate=strict_convexity())
