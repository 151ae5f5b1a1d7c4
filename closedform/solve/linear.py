"""Linear and piecewise-linear activations with squared loss: normal equations in exact rationals.

Identity: (Z^T Z + lam M) c = Z^T t, one solution on the reduced problem (Z has full column rank there).
ReLU / leaky ReLU: inside each activation pattern (slopes s_i in {f'(h<=0), f'(h>0)}) the same system with
rows s_i z_i; patterns are read off the cells and lower faces of the arrangement {z_i.c = 0} (r <= 3), so every
stationary point is found; a pattern whose slopes all vanish is the flat "dead" cone."""
from __future__ import annotations

import sympy as sp

from ..result import Region
from .cells import _rational_rows, cells, lower_faces, signs
from .strategy import Finding, Strategy, is_stationary


def _squared_loss(reduced) -> bool:
    return reduced.neuron.criterion.name == "mse" or reduced.neuron.criterion.of_output is None


def normal_equations(reduced, slopes):
    """Solutions c of sum_i s_i (s_i z_i.c - t_i) z_i + lam M c = 0: (particular solution, parameters)."""
    Z = sp.Matrix(reduced.z)
    S = sp.diag(*slopes)
    M = sp.diag(*[1 if m else 0 for m in reduced.regularised])
    A = Z.T * S * S * Z + reduced.neuron.l2 * M
    rhs = Z.T * S * sp.Matrix(reduced.neuron.data.t)
    solution, params = A.gauss_jordan_solve(rhs)
    return solution, params


class Linear(Strategy):
    name = "normal equations"

    def applies(self, reduced) -> bool:
        return reduced.neuron.activation.name == "identity" and _squared_loss(reduced)

    def solve(self, reduced, digits: int = 60) -> Finding:
        solution, params = normal_equations(reduced, [1] * len(reduced.z))
        finding = Finding(complete=True, reason="squared loss of a linear model: the normal equations have "
                                                "exactly this solution set")
        if params.shape[0]:  # only with lam > 0 on a rank-deficient bias-free problem, which reduce() prevents
            finding.regions.append(Region("affine", f"c = {sp.sstr(solution.T)}", sp.true))
            return finding
        finding.points.append(tuple(solution))
        return finding


class PiecewiseLinear(Strategy):
    name = "activation patterns"

    def applies(self, reduced) -> bool:
        return (reduced.neuron.activation.piecewise_linear is not None
                and reduced.neuron.activation.name != "identity" and _squared_loss(reduced) and reduced.r <= 3)

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
        finding = Finding(complete=True, reason="every activation pattern of the arrangement was solved exactly")
        for pattern in sorted(patterns):
            slopes = [upper if on else lower for on in pattern]
            if not any(slopes):
                if reduced.neuron.l2 == 0:
                    finding.regions.append(_dead_cone(reduced))
                elif is_stationary(reduced, (0,) * reduced.r):
                    finding.points.append((sp.Integer(0),) * reduced.r)
                continue
            solution, params = normal_equations(reduced, slopes)
            if params.shape[0]:
                region = _family_region(reduced, pattern, solution, params)
                if region is not None:
                    finding.regions.append(region)
                continue
            point = tuple(solution)
            if point not in finding.points and _pattern_at(exact, point) == pattern and is_stationary(reduced, point):
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
    if _pattern_at(_rational_rows(reduced.z), tuple(member)) != pattern or not is_stationary(reduced, tuple(member)):
        return None
    c = sp.Matrix(reduced.combinations)
    free = {tau: sp.Symbol(f"s{k}", real=True) for k, tau in enumerate(taus, 1)}
    equations = [sp.Eq(ci, sp.expand(vi.subs(free))) for ci, vi in zip(c, solution)]
    conditions = [(sp.expand((row * c)[0]) > 0) if on else (sp.expand((row * c)[0]) <= 0)
                  for row, on in zip(rows, pattern) if any(row)]
    description = (", ".join(sp.sstr(e) for e in equations) + f" for free {', '.join(map(str, free.values()))}, "
                   f"where " + " and ".join(sp.sstr(cond) for cond in conditions) + " (one activation pattern)")
    return Region("affine", description, sp.And(*equations, *conditions))


def _parallel(a, b) -> bool:
    return sp.Matrix([list(a), list(b)]).rank() < 2 if any(a) and any(b) else False


def _dead_cone(reduced) -> Region:
    """{c : z_i.c <= 0 for all i}: every pre-activation non-positive, f' = 0, grad E = 0."""
    c = sp.Matrix(reduced.combinations)
    inequalities = sorted({sp.sstr(sp.expand((sp.Matrix(zi).T * c)[0])) for zi in reduced.z if any(zi)})
    description = "every w with " + " and ".join(f"{e} <= 0" for e in inequalities)
    description += f" ({reduced.neuron.activation.convention}; the loss is constant there)"
    expr = sp.And(*[sp.expand((sp.Matrix(zi).T * c)[0]) <= 0 for zi in reduced.z if any(zi)])
    return Region("flat", description, expr)
