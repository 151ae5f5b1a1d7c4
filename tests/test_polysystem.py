"""solve_system against truth derived independently: by hand, from systems built with known rational roots, and for
the neuron gradient systems from resultants + exact real-root isolation (sympy real_roots), pairing the real roots
of the two eliminants and keeping the pairs where the equations vanish at 60 digits."""
import itertools

import mpmath
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closedform.solve.polysystem import solve_system

S = sp.Rational
x, y, z, w, b, w1, w2 = sp.symbols("x y z w b w1 w2")
DIGITS = 30


def close(p, q, digits=DIGITS - 2):
    return len(p) == len(q) and all(abs(a - sp.N(c, digits + 10)) < mpmath.mpf(10) ** -digits for a, c in zip(p, q))


def matches(solution, expected):
    """The points are, in some order, the expected exact points (each once)."""
    return len(solution.points) == len(expected) and \
        all(sum(close(p, q) for p in solution.points) == 1 for q in expected)


def gradient(f, data, weights, extend):
    E = sum(S(1, 2) * (t - f(sum(a * c for a, c in zip(weights, extend(xs))))) ** 2 for xs, t in data)
    return [sp.expand(sp.diff(E, v)) for v in weights]


def resultant_points(equations, u, v, digits=60):
    """Real solutions of two equations in (u, v): pairs of real roots of Res_v and Res_u where both vanish."""
    roots = [{sp.N(r, digits) for r in sp.Poly(sp.resultant(*equations, elim), keep).real_roots()}
             for elim, keep in ((v, u), (u, v))]
    f = sp.lambdify((u, v), equations, "mpmath")
    with mpmath.workdps(digits):
        scale = max(abs(c) for e in equations for c in sp.Poly(e, u, v).coeffs())
        return [(a, c) for a, c in itertools.product(*roots)
                if max(abs(r) for r in f(mpmath.mpf(a), mpmath.mpf(c))) < mpmath.mpf(10) ** (20 - digits) * scale]


def morse(gradient, variables, points):
    """Kinds from the Hessian's eigenvalues. The losses here are coercive in R^2 (E ~ h^4 or h^6 along every
    direction, the inputs span R^2), so by Poincare-Hopf #min - #saddle + #max = 1 when the list is complete."""
    H = sp.lambdify(variables, sp.Matrix(gradient).jacobian(variables), "mpmath")
    with mpmath.workdps(40):
        positive = [sum(e > 0 for e in mpmath.eigsy(mpmath.matrix(H(*p)))[0]) for p in points]
    count = {k: positive.count(n) for k, n in (("min", 2), ("saddle", 1), ("max", 0))}
    assert count["min"] - count["saddle"] + count["max"] == 1 and sum(count.values()) == len(points)
    return count


def test_independent_square_roots():
    s = solve_system([x**2 - 2, y**2 - 3], (x, y), DIGITS)
    assert (s.zero_dimensional, s.complex_count, s.real_count, s.notes) == (True, 4, 4, [])
    assert matches(s, [(i * sp.sqrt(2), j * sp.sqrt(3)) for i in (1, -1) for j in (1, -1)])


def test_no_real_solution():
    s = solve_system([x**2 + 1, y - 1], (x, y), DIGITS)
    assert (s.complex_count, s.distinct_count, s.real_count, s.points) == (2, 2, 0, [])


def test_circle_and_diagonal():
    s = solve_system([x**2 + y**2 - 1, x - y], (x, y), DIGITS)
    assert (s.complex_count, s.real_count) == (2, 2)
    assert matches(s, [(sp.sqrt(2) / 2, sp.sqrt(2) / 2), (-sp.sqrt(2) / 2, -sp.sqrt(2) / 2)])


def test_double_root_counts_multiplicity_once_as_a_point():
    s = solve_system([(x - 1)**2, y], (x, y), DIGITS)
    assert (s.complex_count, s.distinct_count, s.real_count) == (2, 1, 1)
    assert matches(s, [(1, 0)])


def test_three_variables_with_a_double_root():
    # (x, y) in {1, 2} x {-1, 3/2}, z^2 = x + y: x + y = 0 at (1, -1) gives z = 0 twice; the others are positive
    s = solve_system([(x - 1) * (x - 2), (y + 1) * (2 * y - 3), z**2 - x - y], (x, y, z), DIGITS)
    assert (s.complex_count, s.distinct_count, s.real_count) == (8, 7, 7)
    pairs = [(S(1), S(3, 2)), (S(2), S(-1)), (S(2), S(3, 2))]
    assert matches(s, [(1, -1, 0)] + [(a, c, k * sp.sqrt(a + c)) for a, c in pairs for k in (1, -1)])


def test_positive_dimension_claims_no_points():
    s = solve_system([x * (x - 1), x * y], (x, y), DIGITS)   # the line x = 0 and the point (1, 0)
    assert (s.zero_dimensional, s.dimension, s.real_count, s.points) == (False, 1, None, [])


def test_inconsistent_system():
    s = solve_system([x**2 + y, x**2 + y - 1], (x, y), DIGITS)
    assert (s.zero_dimensional, s.dimension, s.complex_count, s.real_count, s.points) == (True, -1, 0, 0, [])


def test_gradient_of_h_plus_h_squared_two_inputs():
    eqs = gradient(lambda h: h + h**2, [((1, 0), 2), ((0, 1), 1), ((1, 1), S(3, 2))], (w1, w2), lambda v: v)
    s = solve_system(eqs, (w1, w2), DIGITS)
    truth = resultant_points(eqs, w1, w2)
    assert s.notes == [] and s.real_count == len(truth) == 7 and s.complex_count == 7
    assert matches(s, truth)
    assert morse(eqs, (w1, w2), s.points) == {"min": 3, "saddle": 3, "max": 1}


def test_gradient_of_h_minus_h_cubed_with_bias():
    eqs = gradient(lambda h: h - h**3, [(1, S(1, 3)), (-1, S(1, 5)), (2, S(-1, 4))], (w, b), lambda v: (v, 1))
    s = solve_system(eqs, (w, b), DIGITS)
    truth = resultant_points(eqs, w, b)
    assert s.notes == [] and s.real_count == len(truth) == 15 and s.complex_count == 25
    assert matches(s, truth)
    # by hand: w = 0, 1 - 3 b^2 = 0 makes f'(h_i) = 0 for every datapoint
    assert matches(solve_system(eqs + [w], (w, b), DIGITS), [(0, sp.sqrt(3) / 3), (0, -sp.sqrt(3) / 3)])
    assert morse(eqs, (w, b), s.points) == {"min": 5, "saddle": 7, "max": 3}


rationals = st.fractions(-3, 3, max_denominator=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rationals, min_size=1, max_size=3, unique=True), st.data(), rationals)
def test_systems_with_known_roots(columns, data, shear):
    """f1 = prod (x - a_i) and f2 the interpolant with f2(a_i, y) = P_i(y), P_i monic of degree D from rational roots
    (one may repeat) and y^2 + 1/2: Q[x, y]/I = (+)_i Q[y]/P_i, so N = k D, and the real points are the
    (a_i, rational roots of P_i). Then x -> x + shear y hides the triangular structure."""
    D, fibres, factors, distinct = 3, [], [], 0
    for _ in columns:
        roots = data.draw(st.lists(rationals, max_size=D))
        pairs = (D - len(roots)) // 2
        if (D - len(roots)) % 2:
            roots.append(roots[0] if roots else S(0))
        fibres.append(set(roots))
        factors.append(sp.Mul(*(y - r for r in roots)) * (y**2 + S(1, 2)) ** pairs)
        distinct += len(set(roots)) + 2 * pairs
    f1 = sp.Mul(*(x - a for a in columns))
    f2 = sum(P * sp.Mul(*((x - c) / (a - c) for c in columns if c != a)) for a, P in zip(columns, factors))
    s = solve_system([sp.expand(e.subs(x, x + shear * y)) for e in (f1, f2)], (x, y), 20)
    assert (s.complex_count, s.distinct_count) == (len(columns) * D, distinct)
    expected = [(a - shear * r, r) for a, rs in zip(columns, fibres) for r in rs]
    assert s.real_count == len(expected) and all(sum(close(p, q, 18) for p in s.points) == 1 for q in expected)
    assert len(s.points) == len(expected)


def test_a_circle_of_minima_is_a_region_and_the_rest_is_complete():
    """square activation, mse, rows (1,0) and (0,1) four times each and (1,1), (1,-1) once, all targets 1 (their
    fourth moments are invariant under rotations). By hand, with a = |w|^2 and b = 2 w1 w2:
    E = 2(w1^2 - 1)^2 + 2(w2^2 - 1)^2 + ((a + b - 1)^2 + (a - b - 1)^2)/2 = 3(a - 1)^2 + 2, so grad E =
    12 w (a - 1): the circle |w| = 1 of minima (E = 2) and the maximum w = 0 (E = 5), nothing else."""
    import closedform as cf

    data = [((1, 0), 1)] * 4 + [((0, 1), 1)] * 4 + [((1, 1), 1), ((1, -1), 1)]
    neuron = cf.Neuron("square", "mse", dim=2, data=data)
    r = neuron.stationary_points(timeout=20)
    assert r.complete and r.box is None and r.status is cf.Status.OK
    (point,) = r.points
    assert tuple(point.w) == (0, 0) and point.kind is cf.Kind.MAX and point.loss == 5
    (circle,) = r.regions
    assert circle.kind is cf.RegionKind.ORBIT and circle.expr == sp.Eq(sum(v**2 for v in neuron.weights), 1)
    assert r.infimum.attained and r.infimum.value == 2
    with mpmath.workdps(40):  # the derivation above, checked on the data: E = 2 and grad E = 0 around the circle
        for theta in (0, 1, 2.5):
            v = (mpmath.cos(theta), mpmath.sin(theta))
            hs = [(x[0] * v[0] + x[1] * v[1], t) for x, t in data]
            assert abs(sum((h * h - t) ** 2 / 2 for h, t in hs) - 2) < mpmath.mpf(10) ** -35
            assert all(abs(sum((h * h - t) * 2 * h * x[j] for (h, t), (x, _) in zip(hs, data))) < mpmath.mpf(10) ** -35
                       for j in range(2))
