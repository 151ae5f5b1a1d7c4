"""A population loss without a closed form (``population="numeric"``): the same reduction as
:mod:`.population` (on the teacher's line 2 alpha F_q + F_r = 0; off it F_q = F_r = 0; F_b = 0 with a bias), each
system solved by SciPy's ``root`` from a grid of starts on the quadrature values of :mod:`..model.quadrature`.
Every number is numeric: nothing is certified, exact or complete, and kinds come from a finite-difference
Hessian of G(a, beta, b) = F(a^2 p + beta^2, a p, b), decided only where an eigenvalue exceeds its error. A root
must have a Jacobian whose least singular value exceeds SLOPE: on a saturated tail the values underflow below any
tolerance together with their slopes (degenerate roots are therefore not reported)."""
from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from ..kinds import Kind, RegionKind
from ..model.quadrature import ACCURATE_UP_TO
from .parts import Asymptote, Region, StationaryPoint
from .population_answer import Answer, Geometry

TOLERANCE = 1e-10   # |F_q|, |F_r|, |F_b| at an accepted root (the quadrature is good to ~1e-13)
STEP = 1e-4         # finite-difference step of the Hessian; eigenvalues within MARGIN of 0 stay undecided
MARGIN = 1e-5
REACH = 30.0        # SciPy runs that wander beyond this are dropped
SLOPE = 1e-6        # least singular value of the Jacobian at an accepted root (degenerate roots are not reported)


def answer(neuron) -> Answer:
    pop, d = neuron.population, neuron.dim
    p = pop.p
    roots = []  # (a, beta, b)
    grid_s, grid_b = [0.1, 0.4, 1.0, 2.0, 4.0], ([-2.0, -0.5, 0.5, 2.0] if pop.bias else [0.0])
    for sign in (1, -1):   # on the line w = sign s v: d/ds G(sign s, 0, b) = sign p (2 sign s F_q + F_r)
        def line(x, sign=sign):
            s, b = x[0], (x[1] if pop.bias else 0.0)
            _, Fq, Fr, Fb = pop.values(s * s * p, sign * s * p, b)
            return [2 * sign * s * Fq + Fr] + ([Fb] if pop.bias else [])
        for start in itertools.product(grid_s, grid_b):
            x = _root(line, start[: 1 + pop.bias])
            if x is not None and 1e-8 < x[0] * np.sqrt(p) <= ACCURATE_UP_TO:
                roots.append((sign * x[0], 0.0, x[1] if pop.bias else 0.0))
    # w = 0: F_r(0, 0, b) = 0 and F_b(0, 0, b) = 0 (b from the second, then the first checked)
    zeros = [_root(lambda x: [pop.values(0.0, 0.0, x[0])[3]], [b]) for b in grid_b] if pop.bias else [[0.0]]
    for zero in zeros:
        if zero is not None and abs(pop.values(0.0, 0.0, zero[0])[2]) < TOLERANCE:
            roots.append((0.0, 0.0, zero[0]))
    if d >= 2:
        def off(x):
            q, r, b = x[0], x[1], (x[2] if pop.bias else 0.0)
            _, Fq, Fr, Fb = pop.values(q, r, b)
            return [Fq, Fr] + ([Fb] if pop.bias else [])
        for q, rho, b in itertools.product([0.2, 1.0, 3.0], [-0.6, 0.0, 0.6], grid_b):
            x = _root(off, [q, rho * np.sqrt(q * p)] + ([b] if pop.bias else []))
            if x is not None and x[0] * p - x[1] ** 2 > 1e-8 and x[0] <= ACCURATE_UP_TO ** 2:
                roots.append((x[1] / p, float(np.sqrt(x[0] - x[1] ** 2 / p)), x[2] if pop.bias else 0.0))
    out = Answer(notes=[f"numeric: the population loss {pop.describe()}; the systems solved by SciPy root from a "
                        f"grid of starts where |w| <= {ACCURATE_UP_TO:g} (the quadrature's accurate range); every number "
                        f"is numeric, nothing is certified or complete"])
    geometry = Geometry(neuron)
    for a, beta, b in _distinct(roots):
        _add(out, neuron, geometry, a, beta, b)
    out.asymptotic, out.infinity_complete = _at_infinity(neuron), False
    return out


def _root(function, start):
    """A root of ``function`` from ``start`` by SciPy's hybrid method, or None (no convergence, or beyond
    |x| = REACH, where a tiny value is more likely a saturated tail than a root)."""
    from scipy.optimize import root
    solution = root(function, np.asarray(start, float), method="hybr", options={"xtol": 1e-14, "maxfev": 200})
    if not np.all(np.isfinite(solution.x)) or np.max(np.abs(solution.x)) > REACH:
        return None
    values = np.asarray(function(solution.x))
    if not (np.all(np.isfinite(values)) and np.max(np.abs(values)) < TOLERANCE):
        return None
    jacobian = np.column_stack([(np.asarray(function(solution.x + e)) - np.asarray(function(solution.x - e))) / 2e-6
                                for e in np.eye(len(solution.x)) * 1e-6])
    # on a saturated tail every value and slope underflows together; a root has a Jacobian well away from 0
    return solution.x if np.linalg.svd(jacobian, compute_uv=False).min() > SLOPE else None


def _distinct(roots):
    kept = []
    for root in roots:
        if not any(np.max(np.abs(np.subtract(root, k))) < 1e-6 * (1 + np.max(np.abs(k))) for k in kept):
            kept.append(root)
    return kept


def _gradient_G(pop, a, beta, b):
    p = pop.p
    _, Fq, Fr, Fb = pop.values(a * a * p + beta * beta, a * p, b)
    return np.array([2 * a * p * Fq + p * Fr, 2 * beta * Fq] + ([Fb] if pop.bias else []))


def _kind(pop, d, a, beta, b) -> Kind:
    """Signs of the finite-difference Hessian of G in (a, beta[, b]); on the line (beta = 0) the beta-row gives
    G_beta,beta = 2 F_q, one eigenvalue per direction across the line (d - 1 of them)."""
    point = np.array([a, beta, b])
    n = 3 if pop.bias else 2
    H = np.zeros((n, n))
    for j in range(n):
        e = np.zeros(3)
        e[j] = STEP
        H[:, j] = (_gradient_G(pop, *(point + e)) - _gradient_G(pop, *(point - e))) / (2 * STEP)
    H = (H + H.T) / 2
    keep = [0] + list(range(2, n)) if beta == 0 else list(range(n))
    eigenvalues = list(np.linalg.eigvalsh(H[np.ix_(keep, keep)]))
    if beta == 0 and d >= 2:
        eigenvalues += [H[1, 1]] * (d - 1)
    if any(abs(e) <= MARGIN for e in eigenvalues):
        return Kind.UNCLASSIFIED
    return Kind.MIN if min(eigenvalues) > 0 else Kind.MAX if max(eigenvalues) < 0 else Kind.SADDLE


def _add(out, neuron, geometry, a, beta, b):
    pop = neuron.population
    kind = _kind(pop, neuron.dim, a, beta, b)
    loss = sp.Float(pop.values(a * a * pop.p + beta * beta, a * pop.p, b)[0], 15)
    bias = (sp.Float(b, 15),) if pop.bias else ()
    if beta > 0 and neuron.dim >= 3:
        rep = tuple(sp.Float(x, 15) for x in geometry.w(sp.Float(a, 15), sp.Float(beta, 15))) + bias
        out.regions.append(Region(RegionKind.ORBIT, f"numeric: the sphere w.v = {a * pop.p:.12g}, |w|^2 = "
                                  f"{a * a * pop.p + beta * beta:.12g}: {kind.value} across it, flat along it",
                                  sp.true, rep, kind))
        return
    for sign in ((1, -1) if beta > 0 else (1,)):
        w = tuple(sp.Float(x, 15) for x in geometry.w(sp.Float(a, 15), sp.Float(sign * beta, 15))) + bias
        residual = float(np.max(np.abs(_gradient_G(pop, a, beta, b))))
        out.points.append(StationaryPoint(w, kind, loss, residual, certified=False))


def _at_infinity(neuron) -> list:
    """For bounded f without L2: the rays w = +-s v (numeric limits); other directions are not computed."""
    pop = neuron.population
    values = neuron.activation.range
    if neuron.l2 or values is None or not (values.inf.is_finite and values.sup.is_finite):
        return []
    v = tuple(neuron.data.v) + ((sp.Integer(0),) if pop.bias else ())
    rays = [Asymptote(tuple(sign * x for x in v), sp.Float(pop.limit_along(sign), 15),
                      f"numeric: w = {'' if sign > 0 else '-'}s v, s -> +oo (f is bounded; other directions not "
                      f"computed)") for sign in (1, -1)]
    return sorted(rays, key=lambda a: float(a.limit_loss))

