"""Is a candidate a stationary point? Decided here, by code that did not produce the candidate.

- Rational points: exact substitution into the gradient (no tolerance at all).
- Other points, known to ``digits`` digits: the residual |grad E(c)| at working precision is compared with what
  that precision allows, ||H(c)|| delta + rounding (delta = 10^-digits (1 + |c|), rounding relative to the size
  of the cancelling terms sum |g_i||z_i|); or a Krawczyk enclosure around c proves a zero there. No fixed
  tolerance: a saturating tail (|grad| and ||H|| both ~ e^-|h|) fails, a steep exact root passes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import mpmath
import numpy as np
import sympy as sp

from ..kinds import Kind
from .ball import certify_minimum, enclosable
from .certify import MAX_WORK, IntervalModel, NotCertifiable, certify_point
from .floatbox import FloatIntervalModel
from .numeric import MP_HESSIAN_WORK

MAX_SYMBOLIC = 200  # exact substitution up to this many samples
SAFETY = 100  # the tolerance's factor over the first-order error bound
MAX_FLOAT_WORK = 2e6  # samples x variables^2 beyond which points are not interval-certified


@dataclass(frozen=True)
class Verdict:
    """``holds``; the residual at working precision; the tolerance it was held to (None when exact); how it
    was decided; a proved enclosure [(lo, hi), ...] when an interval test was used."""

    holds: bool
    residual: object
    tolerance: object
    method: str
    enclosure: Optional[tuple] = None
    kind: Optional[Kind] = None  # when the verification also proved the kind


def is_rational_point(c) -> bool:
    return c is not None and all(isinstance(v, sp.Basic) and v.is_Rational for v in c)


def exactly_stationary(reduced, c) -> bool:
    """Exact substitution of a rational point into the reduced gradient."""
    grad = reduced.gradient_expr().subs(dict(zip(reduced.variables, c)))
    return all(sp.simplify(e) == 0 for e in grad)


def interval_model(reduced):
    """The interval gradient and Hessian of the reduced problem (in c; rank-deficient data too) when it is
    smooth: mpmath's (any precision) while the data are small, float64's (about 10 digits, linear in n) up to
    MAX_FLOAT_WORK; else None."""
    work = reduced.model.Z.shape[0] * reduced.r**2
    if work > MAX_FLOAT_WORK:
        return None
    try:
        return IntervalModel(reduced) if work <= MAX_WORK else FloatIntervalModel(reduced)
    except NotCertifiable:
        return None


def verify(reduced, c, digits: int, exact=None, intervals=None,
           proof: bool = False) -> Verdict:
    """Verify the point ``c`` (mp numbers good to ``digits`` digits; ``exact`` its exact coordinates if any).
    ``proof``: a point found by a float search must also be enclosed by the Krawczyk test when ``intervals``
    exist: in a valley where some terms saturate (|grad| ~ e^-|h| along it, far below the working precision's
    view of the Hessian) the residual test alone cannot tell a root from a zero at infinity."""
    model = reduced.model
    if exact is None and _ball_applies(reduced):
        return _ball(reduced, c)
    if is_rational_point(exact) and len(reduced.z) <= MAX_SYMBOLIC:
        holds = exactly_stationary(reduced, exact)
        with mpmath.workdps(digits + 10):
            residual = mpmath.norm(model.mp_gradient([mpmath.mpf(v.p) / v.q for v in exact]))
        return Verdict(holds, residual, None, "exact substitution")
    with mpmath.workdps(digits + 10):
        point = [mpmath.mpf(v) for v in c]
        residual = mpmath.norm(model.mp_gradient(point))
        hessian = working_hessian(model, point)
        size = 1 + max(abs(v) for v in point)
        delta = mpmath.mpf(10) ** (-digits) * size
        rounding = mpmath.mpf(10) ** (-(digits + 8)) * (model.mp_gradient_scale(point) + mpmath.mnorm(hessian, 1) * size)
        tolerance = SAFETY * (mpmath.mnorm(hessian, 1) * delta + rounding)
        if residual <= tolerance and not (proof and intervals is not None):
            return Verdict(True, residual, tolerance, "residual within the error bound of the point's precision")
    if intervals is not None:
        enclosure = certify_point(reduced, intervals, point, hessian, digits)
        if enclosure is not None:
            return Verdict(True, residual, tolerance, "Krawczyk enclosure", tuple(enclosure))
    return Verdict(False, residual, tolerance, "no Krawczyk enclosure" if residual <= tolerance
                   else "residual above the error bound of the point's precision")


def working_hessian(model, point):
    """The Hessian for the tolerance's norm and the Krawczyk preconditioner: mpmath's on small data, float64's
    (when finite) past MP_HESSIAN_WORK: both only scale a bound or precondition, neither decides alone."""
    if model.Z.shape[0] * model.p**2 > MP_HESSIAN_WORK:
        with np.errstate(all="ignore"):
            H = model.hessian(np.array([float(v) for v in point]))[0]
        if np.all(np.isfinite(H)):
            return mpmath.matrix(H.tolist())
    return model.mp_hessian(point)


def _ball_applies(reduced) -> bool:
    """Large data, a convex matching loss with float enclosures: the strong-convexity ball decides."""
    return reduced.is_full and len(reduced.z) > MAX_SYMBOLIC and enclosable(reduced.neuron) is not None


def _ball(reduced, c) -> Verdict:
    """The float point c is within a proved ball around the unique minimiser (:mod:`.ball`)."""
    model = reduced.model
    centre = [float(v) for v in c]
    ball = certify_minimum(enclosable(reduced.neuron), model.Z, model.T,
                           float(model.l2) * model.mask, np.array(centre))
    if ball is None:
        return Verdict(False, None, None, "no strong-convexity ball closes around the point")
    enclosure = tuple((mpmath.mpf(v) - ball.radius, mpmath.mpf(v) + ball.radius) for v in centre)
    return Verdict(True, mpmath.mpf(ball.gradient), None,
                   f"strong-convexity ball: |grad E| <= {ball.gradient:.3g} and Hess E >= {ball.mu:.3g} I within "
                   f"{ball.reach:.3g}, so the minimiser is within {ball.radius:.3g}", enclosure, Kind.MIN)
