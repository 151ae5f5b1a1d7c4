"""Linear and piecewise-linear activations (f(h) = s h on each piece) with a loss whose g is linear in h there:
the squared loss (g = s (s h - t)) and the matching loss (g = s h - t). Stationarity is a linear system in exact
rationals, sum_i s_i^p (s_i z_i.c - t_i) z_i + lam M c = 0 (p = 1 squared, 0 matching).

Identity: one system on the reduced problem. ReLU / leaky ReLU: the same system inside each activation pattern
(slopes s_i in {f'(h<=0), f'(h>0)}); patterns are read off the cells and lower faces of the arrangement
{z_i.c = 0} (r <= 3), so every stationary point is found; a pattern whose g vanishes identically (relu, squared
loss, every unit off) is the flat "dead" region."""
from __future__ import annotations

import sympy as sp

from ..kinds import CertificateKind, RegionKind, Scope
from .cells import _rational_rows, cells, lower_faces, signs
from .parts import Certificate, Region
from .strategy import Finding, Strategy
from .verify import exactly_stationary
from ..printing import text


def output_power(reduced):
    """p with g = s^p (s h - t) on each linear piece, from the loss's registry entry (None: not linear)."""
    return reduced.neuron.criterion.output_power(reduced.neuron.activation)


def linear_system(reduced, slopes):
    """(A, rhs) of the stationarity system sum_i s_i^p (s_i z_i.c - t_i) z_i + lam M c = 0, i.e. A c = rhs."""
    power = output_power(reduced)
    Z = sp.Matrix(reduced.z)
    S = sp.diag(*slopes)
    M = sp.diag(*[1 if m else 0 for m in reduced.regularised])
    A = Z.T * S ** (power + 1) * Z + reduced.neuron.l2 * M
    rhs = Z.T * S ** power * sp.Matrix(reduced.neuron.data.t)
    return A, rhs


def normal_equations(reduced, slopes):
    """Solutions c of the pattern's linear system: (particular solution, parameters)."""
    A, rhs = linear_system(reduced, slopes)
    return A.gauss_jordan_solve(rhs)


class Linear(Strategy):
    name = "normal equations"

    def applies(self, reduced) -> bool:
        return reduced.neuron.activation.linear and output_power(reduced) is not None

    def solve(self, reduced, digits: int = 60) -> Finding:
        slopes = [reduced.neuron.activation.piecewise_linear[1]] * len(reduced.z)
        A, rhs = linear_system(reduced, slopes)
        solution, params = A.gauss_jordan_solve(rhs)
        if params.shape[0]:  # a singular system: an affine family (possible only with a bias and l2 > 0)
            return Finding(regions=[_family(reduced, solution, params)])
        certificate = Certificate(CertificateKind.LINEAR_SYSTEM, Scope.GLOBAL,
                                  f"the stationarity condition is the linear system A c = b with A = {text(A)}, "
                                  f"b = {text(rhs.T)}; A is non-singular, so c = {text(solution.T)} is the "
                                  f"only stationary point", facts={"A": A, "rhs": rhs})
        return Finding(points=[tuple(solution)], certificate=certificate)


class PiecewiseLinear(Strategy):
    name = "activation patterns"

    def applies(self, reduced) -> bool:
        activation = reduced.neuron.activation
        return (activation.piecewise_linear is not None and not activation.linear
                and output_power(reduced) is not None and reduced.r <= 3)

    def solve(self, reduced, digits: int = 60) -> Finding:
        lower, upper = reduced.neuron.activation.piecewise_linear
        z = reduced.z
        exact = _rational_rows(z)
        directions = cells(z, reduced.r) + lower_faces(z, reduced.r)
        patterns = {tuple(s > 0 for s in signs(v, exact)) for v in directions}
        for v in cells(z, reduced.r):  # faces inside one hyperplane: a cell's pattern with that plane's points off
            pattern = tuple(s > 0 for s in signs(v, exact))
            for plane in z:
                patterns.add(tuple(on and not _parallel(zi, plane) for zi, on in zip(z, pattern)))
        patterns.add((False,) * len(z))
        finding = Finding(certificate=Certificate(
            CertificateKind.PATTERNS, Scope.GLOBAL,
            f"each of the {len(patterns)} activation patterns of the arrangement was solved exactly",
            facts={"patterns": len(patterns)}))
        for pattern in sorted(patterns):
            slopes = [upper if on else lower for on in pattern]
            if not any(slopes) and output_power(reduced) >= 1:  # g = 0 * (...) on every unit
                _dead(reduced, finding)
                continue
            solution, params = normal_equations(reduced, slopes)
            if params.shape[0]:
                region = _family_region(reduced, pattern, solution, params)
                if region is not None:
                    finding.regions.append(region)
                continue
            point = tuple(solution)
            if point not in finding.points and _pattern_at(exact, point) == pattern:
                finding.points.append(point)
        return finding


def _pattern_at(exact_rows, c) -> tuple:
    """Which units are active (h > 0; h = 0 counts as inactive by the relu'(0) = 0 convention) at c."""
    return tuple(s > 0 for s in signs(_rational_rows([c])[0], exact_rows))


def _family_region(reduced, pattern, solution, params):
    """The solutions c(tau) = solution(tau) of a pattern whose system is singular, kept where the pattern holds
    (z_i.c > 0 on active units, <= 0 on the others); None when that set is empty. Feasibility by linear
    programming (maximise the margin), confirmed by an exact rational member."""
    from fractions import Fraction

    import numpy as np
    from scipy.optimize import linprog

    taus = list(params)
    base = solution.subs({tau: 0 for tau in taus})
    directions = solution.jacobian(taus)
    rows = [sp.Matrix(zi).T for zi in reduced.z]
    A_ub, b_ub = [], []
    for row, on in zip(rows, pattern):
        value, slope = (row * base)[0], row * directions
        sign = -1 if on else 1  # active: -(z.c) + m <= 0 ; inactive: z.c <= 0
        A_ub.append([float(sign * x) for x in slope] + ([1.0] if on else [0.0]))
        b_ub.append(float(-sign * value))
    cost = [0.0] * len(taus) + [-1.0]
    bounds = [(None, None)] * len(taus) + [(None, 1.0)]
    answer = linprog(cost, A_ub=np.array(A_ub), b_ub=np.array(b_ub), bounds=bounds, method="highs")
    if answer.status != 0 or answer.x[-1] <= 1e-9:
        return None
    member = solution.subs({tau: sp.Rational(Fraction(v).limit_denominator(10**6)) for tau, v in zip(taus, answer.x)})
    if _pattern_at(_rational_rows(reduced.z), tuple(member)) != pattern or not exactly_stationary(reduced, tuple(member)):
        return None
    c = sp.Matrix(reduced.combinations)
    free = {tau: sp.Symbol(f"s{k}", real=True) for k, tau in enumerate(taus, 1)}
    equations = [sp.Eq(ci, sp.expand(vi.subs(free))) for ci, vi in zip(c, solution)]
    conditions = [(sp.expand((row * c)[0]) > 0) if on else (sp.expand((row * c)[0]) <= 0)
                  for row, on in zip(rows, pattern) if any(row)]
    description = (", ".join(text(e) for e in equations) + f" for free {', '.join(map(str, free.values()))}, "
                   f"where " + " and ".join(text(cond) for cond in conditions) + " (one activation pattern)")
    return Region(RegionKind.AFFINE, description, sp.And(*equations, *conditions), representative=tuple(member))


def _parallel(a, b) -> bool:
    return sp.Matrix([list(a), list(b)]).rank() < 2 if any(a) and any(b) else False


def _dead(reduced, finding):
    """Every unit off (z_i.c <= 0), so f' = 0 on every term and grad E = lam M c. Without l2 that is the flat
    cone {z_i.c <= 0}; with l2 the regularised coordinates must vanish too: the point 0 when every coordinate is
    regularised, else the flat set {c_reg = 0, z_i.c <= 0} (with a bias: w = 0, b <= 0)."""
    c = sp.Matrix(reduced.combinations)
    fixed = [sp.Eq(cj, 0) for cj, m in zip(c, reduced.regularised) if m] if reduced.neuron.l2 else []
    if reduced.neuron.l2 and all(reduced.regularised):
        finding.points.append((sp.Integer(0),) * reduced.r)
        return
    at_zero = {cj: 0 for cj, m in zip(c, reduced.regularised) if m} if fixed else {}
    inequalities = {sp.expand((sp.Matrix(zi).T * c)[0]).subs(at_zero) for zi in reduced.z if any(zi)}
    inequalities = sorted((e for e in inequalities if e != 0), key=sp.sstr)
    parts = [text(e) for e in fixed] + [f"{text(e)} <= 0" for e in inequalities]
    description = ("every w with " + " and ".join(parts) + f" ({reduced.neuron.activation.convention}; "
                   f"the loss is constant there)")
    expr = sp.And(*fixed, *[e <= 0 for e in inequalities])
    finding.regions.append(Region(RegionKind.FLAT, description, expr, representative=(sp.Integer(0),) * reduced.r))


def _family(reduced, solution, params) -> Region:
    """The affine family of solutions of a singular linear system."""
    free = {tau: sp.Symbol(f"s{k}", real=True) for k, tau in enumerate(params, 1)}
    equations = [sp.Eq(ci, sp.expand(vi.subs(free))) for ci, vi in zip(reduced.combinations, solution)]
    return Region(RegionKind.AFFINE, ", ".join(text(e) for e in equations) + " for every value of "
                  + ", ".join(map(str, free.values())), sp.And(*equations),
                  representative=tuple(solution.subs({tau: 0 for tau in params})))
