"""Issue 3's acceptance facts, each against ground truth derived by hand or by an independent method
(mpmath.findroot on a hand-written gradient)."""
import itertools

import mpmath
import sympy as sp

import closedform as cf

S = sp.Rational
u = sp.Symbol("u")


def sig(z):
    return 1 / (1 + mpmath.exp(-z))


def test_one_point_closed_form_and_limits():
    r = cf.Neuron("sigmoid", "mse", data=[(2, "3/10")]).stationary_points()
    assert len(r.points) == 1 and r.complete and r.status is cf.Status.OK
    point = r.points[0]
    assert sp.simplify(point.exact - sp.log(S(3, 7)) / 2) == 0
    assert point.kind is cf.Kind.MIN
    with mpmath.workdps(40):
        assert abs(point.w[0] - mpmath.log(mpmath.mpf(3) / 7) / 2) < mpmath.mpf(10) ** -29
    limits = {a.description: a.limit_loss for a in r.asymptotic}
    assert limits == {"w -> +oo": S(49, 200), "w -> -oo": S(9, 200)}
    assert [a.direction for a in r.asymptotic] == [(-1,), (1,)]  # lowest limit loss first


def test_target_one_has_no_finite_point_only_the_infimum_at_infinity():
    r = cf.Neuron("sigmoid", "mse", data=[(1, 1)]).stationary_points()
    assert r.points == [] and r.complete
    assert (r.asymptotic[0].description, r.asymptotic[0].limit_loss) == ("w -> +oo", 0)
    assert r.asymptotic[1].limit_loss == S(1, 2)


def test_target_outside_the_range_is_explained():
    r = cf.Neuron("sigmoid", "mse", data=[(1, "3/2")]).stationary_points()
    assert r.points == [] and r.complete
    assert r.certificate.kind is cf.CertificateKind.ONE_POINT and r.certificate.scope is cf.Scope.GLOBAL
    assert "t = 3/2 is outside the range" in r.certificate.details


def test_two_points_degree_seven_polynomial():
    r = cf.Neuron("sigmoid", "mse", data=[(1, "3/10"), (2, "9/10")]).stationary_points(precision=40)
    assert len(r.points) == 1 and r.complete
    point = r.points[0]
    with mpmath.workdps(60):
        g = lambda w: sum((sig(w * x) - t) * sig(w * x) * (1 - sig(w * x)) * x
                          for x, t in [(1, mpmath.mpf(3) / 10), (2, mpmath.mpf(9) / 10)])
        reference = mpmath.findroot(g, mpmath.mpf("0.46"))
        assert abs(point.w[0] - reference) < mpmath.mpf(10) ** -38
    assert mpmath.nstr(point.w[0], 20) == "0.46414558055293900292"
    (root,) = point.exact.atoms(sp.CRootOf)
    expected = 3*u**7 + 11*u**6 + 63*u**5 + 31*u**4 + 21*u**3 - 27*u**2 + u - 7
    assert sp.Poly(root.expr.subs(root.poly.gen, u), u) == sp.Poly(expected, u)
    assert sp.simplify(point.exact + sp.log(root)) == 0
    assert point.kind is cf.Kind.MIN


def test_separable_cross_entropy_vanishes_only_at_plus_infinity():
    r = cf.Neuron("sigmoid", "bce", data=[(1, 1), (-1, 0)]).stationary_points()
    assert r.points == [] and r.complete
    assert [(a.description, a.limit_loss, a.direction) for a in r.asymptotic] == [("w -> +oo", 0, (1,))]


def test_l2_makes_cross_entropy_strictly_convex():
    r = cf.Neuron("sigmoid", "bce", data=[(1, 1), (-1, 0)], l2="1/10").stationary_points()
    assert len(r.points) == 1 and r.complete and r.points[0].kind is cf.Kind.MIN
    with mpmath.workdps(40):
        # by hand: grad = (s(w) - 1) - (s(-w) - 0) + w/10 = w/10 - 2 s(-w)
        reference = mpmath.findroot(lambda w: w / 10 - 2 * sig(-w), 2)
        assert abs(r.points[0].w[0] - reference) < mpmath.mpf(10) ** -28
    assert r.asymptotic == []


def test_identity_on_a_line_of_data_gives_an_affine_set():
    data = [((1, 2), 1), ((2, 4), 3), ((-1, -2), "1/2")]
    r = cf.Neuron("identity", "mse", data=data).stationary_points()
    # reduced variable c = w1 + 2 w2, data z = 1, 2, -1: c = (1*1 + 2*3 - 1/2) / (1 + 4 + 1) = 13/12
    assert r.complete and r.points == []  # a line of stationary points, no isolated one
    (line,) = r.regions
    assert (line.kind, line.along_span) == (cf.RegionKind.AFFINE, cf.Kind.MIN)
    assert "w1 + 2*w2 = 13/12" in line.description
    assert line.representative == sp.Tuple(S(13, 60), S(13, 30))  # the minimum-norm member


def test_relu_flat_region_and_least_squares_minimum():
    r = cf.Neuron("relu", "mse", data=[(1, 1), (2, 3)]).stationary_points()
    assert r.complete
    assert [(p.exact, p.kind) for p in r.points] == [(S(7, 5), cf.Kind.MIN)]  # (1*1 + 2*3) / (1 + 4)
    assert [reg.kind for reg in r.regions] == [cf.RegionKind.FLAT]
    assert sp.simplify(r.regions[0].expr) == (sp.Symbol("w", real=True) <= 0)


def test_symbolic_hyperplane_in_three_dimensions():
    p = cf.Neuron("sigmoid", "mse", dim=3)
    r = p.stationary_points()
    w1, w2, w3 = p.weights
    (x1, x2, x3), = p.data.x
    t = p.data.t[0]
    hyperplane = r.closed_form[0]
    assert hyperplane.expr == sp.Eq(w1 * x1 + w2 * x2 + w3 * x3, sp.log(t / (1 - t)))
    assert sp.simplify(hyperplane.conditions.args[0] & hyperplane.conditions.args[1]) == ((t > 0) & (t < 1))
    assert r.complete


def test_numeric_fallback_two_dimensions_against_findroot(solved):
    data = [((1, 0), "1/5"), ((0, 1), "7/10"), ((1, 1), "1/2")]
    r = solved({"timeout": 10}, activation="sigmoid", loss="mse", data=data)  # as test_certificates' enclosures
    # u_j = exp(-w_j) makes grad E = 0 an integer polynomial system: msolve's one positive solution, on all of R^2
    assert (r.certificate.kind, r.certificate.scope, r.box) == (cf.CertificateKind.EXP_SYSTEM, cf.Scope.GLOBAL, None)
    assert r.certificate.facts["count"] == len(r.points) == 1
    points = [tuple(float(v) for v in p.w) for p in r.points]
    # an independent solve from each reported point's neighbourhood and from a grid of starts must agree
    with mpmath.workdps(30):
        def grad(w1, w2):
            out = [0, 0]
            for (x1, x2), t in [((1, 0), 0.2), ((0, 1), 0.7), ((1, 1), 0.5)]:
                hv = w1 * x1 + w2 * x2
                g = (sig(hv) - mpmath.mpf(t)) * sig(hv) * (1 - sig(hv))
                out[0] += g * x1
                out[1] += g * x2
            return out
        for w in points:
            root = mpmath.findroot(grad, w)
            assert max(abs(root[0] - w[0]), abs(root[1] - w[1])) < 1e-10
    # hand: a min near logit targets exists, (w1 + w2) ~ 0 region; it is the only point
    assert [p.kind for p in r.points] == [cf.Kind.MIN]


def test_negative_inputs_and_three_roots_match_a_sign_change_scan(solved):
    data = [(1, "1/10"), (-10, "1/10"), (100, "9/10")]
    # degree 331: give it time; the same run as test_certificates' Jordan witness (shared: solved)
    r = solved({"timeout": 30}, activation="sigmoid", loss="mse", data=data)
    assert r.complete and [p.kind for p in r.points] == [cf.Kind.MIN, cf.Kind.MAX, cf.Kind.MIN]
    assert all(p.exact is not None for p in r.points)

    import numpy as np
    w = np.linspace(-5, 5, 200001)
    with np.errstate(over="ignore"):
        grad = sum((1 / (1 + np.exp(-w * x)) - t) * np.exp(-w * x) / (1 + np.exp(-w * x)) ** 2 * x
                   for x, t in [(1, 0.1), (-10, 0.1), (100, 0.9)])
    changes = w[:-1][np.sign(grad[:-1]) != np.sign(grad[1:])]
    assert len(changes) == 3
    for bracket, point in zip(changes, r.points):
        assert bracket <= float(point.w[0]) <= bracket + 1e-4


def test_a_real_cubic_root_is_written_without_complex_radicals():
    """exp + mse, data (4, 0): 6 and (2, 0): 9/2: with v = e^(2 w1), dE/dw1 = 4v^2(v^2 - 6) + 2v(v - 9/2)
    = v (4v^3 - 22v - 9) (by hand), whose cubic has three real roots (casus irreducibilis: Cardano's radicals pass
    through i). The one positive root gives w1 = log(v)/2; it must be written as a real root, not with i."""
    r = cf.Neuron("exp", "mse", dim=2, data=[((4, 0), 6), ((2, 0), "9/2")]).stationary_points()
    (form,) = r.closed_form
    assert not form.expr.has(sp.I) and form.expr.has(sp.CRootOf)
    with mpmath.workdps(50):
        v = mpmath.findroot(lambda v: 4 * v**3 - 22 * v - 9, 2.5)
        assert abs(mpmath.mpf(sp.N(form.expr.rhs, 50)) - mpmath.log(v) / 2) < mpmath.mpf(10) ** -40


def test_a_ray_inside_a_face_is_a_zero_at_infinity(solved):
    """Data (2,0): 1/4, (0,1): 3/5, (1,2): 1/2. Along w = (-s, log(3/2)), s -> oo, the row (0, 1) keeps
    h = log(3/2), where sigmoid = 3/5 (its term and its gradient vanish), and the others saturate at sigmoid = 0
    (their g -> 0): the loss tends to (1/4)^2/2 + (1/2)^2/2 = 5/32 (by hand). Along w = (-2s, s) from (0, 0) the
    row (1, 2) keeps h = 0, sigmoid 1/2 = its target, and (2,0) -> 0, (0,1) -> 1: (1/4)^2/2 + (2/5)^2/2 = 89/800."""
    r = solved({"timeout": 30}, dim=2, data=[((2, 0), "1/4"), ((0, 1), "3/5"), ((1, 2), "1/2")])  # as test_plots'
    rays = {(a.direction, a.finite_part): a.limit_loss for a in r.asymptotic if a.finite_part is not None}
    assert rays[((-1, 0), (0, sp.log(sp.Rational(3, 2))))] == sp.Rational(5, 32)
    assert rays[((-2, 1), (0, 0))] == sp.Rational(89, 800)
    assert min(float(a.limit_loss) for a in r.asymptotic) == 89 / 800
    # complete on the whole plane (msolve), every cell and face decided: the finite minimum is the proved infimum
    assert r.box is None and r.infimum.attained and r.infimum.proved
    assert abs(float(r.infimum.value) - float(r.points[0].loss)) < 1e-15 and float(r.points[0].loss) < 89 / 800


def test_quasi_separation_with_a_bias_has_its_infimum_2_log_2_at_infinity():
    """bce, bias, x: 0 -> 0, 0 -> 1, 1 -> 1, 2 -> 1. Along (w, b) = (s, 0), s -> oo, the two rows at x = 0 keep
    h = b = 0, sigmoid 1/2: loss 2 log 2 and gradient (1/2 - 0) + (1/2 - 1) = 0; the rows x = 1, 2 (t = 1)
    saturate at sigmoid = 1 with loss and gradient -> 0 (by hand)."""
    r = cf.Neuron("sigmoid", "bce", bias=True, data=[(0, 0), (0, 1), (1, 1), (2, 1)]).stationary_points(timeout=20)
    (ray,) = [a for a in r.asymptotic if a.finite_part is not None]
    assert ray.direction == (1, 0) and ray.finite_part == (0, 0) and sp.simplify(ray.limit_loss - 2 * sp.log(2)) == 0
    assert r.infimum.attained is False and sp.simplify(r.infimum.value - 2 * sp.log(2)) == 0


def test_faces_in_three_variables_give_every_lowest_zero_at_infinity():
    """sigmoid + mse, dim 2 with a bias: rows z = (2,0,1): 1/4, (0,1,1): 3/5, (1,2,1): 1/2, independent. A ray keeps
    a set S of rows finite (they fit exactly: loss 0) and saturates the others at sigmoid 0 or 1 (loss t^2/2 or
    (1-t)^2/2, gradient -> 0), and with independent rows every sign pattern of the others occurs: |S| = 2 is a
    plane face (one row saturates, 2 signs), |S| = 1 a line face (4 quadrants of the plane across it), |S| = 0 an
    open cell (8 octants). The lowest 12 limits come from that enumeration by hand; the plane face of the rows
    (0,1,1), (1,2,1) has v = (-1, 1, -1) (their cross product) and w0 = 2L (0,1,1) - L (1,2,1) = (-L, 0, L),
    L = log(3/2), loss -> (1/4)^2/2 = 1/32, checked below by evaluating the loss along the ray with mpmath."""
    rows = [((2, 0), S(1, 4)), ((0, 1), S(3, 5)), ((1, 2), S(1, 2))]
    r = cf.Neuron("sigmoid", "mse", dim=2, bias=True, data=rows).stationary_points(timeout=40)  # 8-10 s of work
    sides = [(t**2 / 2, (1 - t) ** 2 / 2) for _, t in rows]
    by_hand = sorted(sum(sides[i][k] for i, k in zip(saturated, pattern))
                     for size in (1, 2, 3) for saturated in itertools.combinations(range(3), size)
                     for pattern in itertools.product((0, 1), repeat=size))
    assert [a.limit_loss for a in r.asymptotic] == by_hand[:12]
    assert sum(a.finite_part is not None for a in r.asymptotic) == 11  # only 189/800 is an open cell's
    L = sp.log(S(3, 2))
    (ray,) = [a for a in r.asymptotic if a.direction == (-1, 1, -1)]
    assert ray.finite_part == (-L, 0, L) and ray.limit_loss == S(1, 32)
    with mpmath.workdps(40):
        w0, s = [mpmath.mpf(sp.N(x, 40)) for x in ray.finite_part], 80
        w = [a + s * b for a, b in zip(w0, ray.direction)]
        loss = sum((sig(w[0] * x[0] + w[1] * x[1] + w[2]) - mpmath.mpf(t.p) / t.q) ** 2 / 2 for x, t in rows)
        assert abs(loss - mpmath.mpf(1) / 32) < mpmath.mpf(10) ** -30
    assert "rays inside the faces z_i.v = 0: each restricted problem solved completely" in r.notes


def test_real_roots_beyond_the_exact_degree_cap_are_decimals_only():
    from closedform.solve.roots import real_roots

    u = sp.Symbol("u")
    ((exact, value, _),) = real_roots(sp.Poly(u**3 - 2, u), 20, max_exact_degree=2)
    assert exact is None and value.startswith("1.259921049894873164767")  # 2^(1/3)
    ((exact, _, _),) = real_roots(sp.Poly(u**3 - 2, u), 20, max_exact_degree=3)
    assert exact == 2 ** sp.Rational(1, 3)


def test_exact_roots_above_the_degree_cap_travel_between_processes_as_decimals(monkeypatch):
    """Data 1.01 and -0.53 give P(u) of degree 353 (u = exp(-w/100)). With the cap lowered to 300 the strategy
    hands the point over as decimals (rebuilding log(CRootOf) in the parent would isolate every root of P again,
    in SymPy): the answer is still complete by P's exact root count, and the point equals the root of the
    gradient that mpmath's findroot gives from the float minimiser (a route through neither P nor SymPy)."""
    from closedform.solve import expsub

    monkeypatch.setattr(expsub, "MAX_EXACT_DEGREE", 300)
    data = [(("1.01",), "3/10"), (("-0.53",), "7/10")]
    r = cf.Neuron("sigmoid", "mse", data=data).stationary_points(timeout=60)
    assert r.complete and r.certificate.kind is cf.CertificateKind.EXACT_ROOTS
    (point,) = r.points
    assert point.exact is None and point.certified and point.kind is cf.Kind.MIN
    with mpmath.workdps(40):
        def gradient(w):
            return sum((1 / (1 + mpmath.exp(-x * w)) - y) * mpmath.exp(-x * w) / (1 + mpmath.exp(-x * w)) ** 2 * x
                       for x, y in ((mpmath.mpf("1.01"), mpmath.mpf(3) / 10), (mpmath.mpf("-0.53"), mpmath.mpf(7) / 10)))
        root = mpmath.findroot(gradient, -1.04)
        assert abs(point.w[0] - root) < mpmath.mpf(10) ** -25
