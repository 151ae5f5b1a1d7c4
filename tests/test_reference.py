"""The independent reference solver (tests/reference.py) against truths derived by hand or by a second route.

Every test states exact counts, values (to 25+ digits) and kinds; nothing here imports ``closedform``."""
from fractions import Fraction as F

import mpmath
import pytest
import sympy as sp

import ground_truth as GT
import reference as R


def data1(*pairs):
    return [((F(x),), F(t)) for x, t in pairs]


def close(a, b, digits=25):
    a, b = mpmath.mpf(a), mpmath.mpf(b)
    return abs(a - b) <= mpmath.mpf(10) ** -digits * (1 + abs(b))


def assert_points(points, expected, digits=25):
    """``points`` (RefPoint list) equal ``expected`` [(w tuple, kind)] one to one, both in order of w rounded to
    12 digits (a coordinate that is 0 up to 1e-57 ties with an exact 0, and the next coordinate decides)."""
    def order(w):
        return [round(float(sp.N(sp.sympify(str(v)))), 12) for v in w]

    got = sorted(((tuple(p.w), p.kind) for p in points), key=lambda e: order(e[0]))
    assert len(got) == len(expected), (got, expected)
    with mpmath.workdps(60):
        for (w, kind), (ew, ekind) in zip(got, sorted(expected, key=lambda e: order(e[0]))):
            ew = [mpmath.mpf(sp.N(sp.sympify(str(v)), 70)) for v in ew]
            assert all(close(a, b, digits) for a, b in zip(w, ew)), (w, ew)
            assert kind == ekind, (w, kind, ekind)


# ---- smooth, one variable -----------------------------------------------------------------------------------------

def test_sigmoid_one_point_is_logit_over_x():
    # sigma(2w) = 3/10  <=>  w = logit(3/10)/2 = log(3/7)/2; E'' = 4 sigma'^2 > 0 there: a minimum.
    points = R.reference_points("sigmoid", "mse", data1((2, "3/10")), box=30, grid=3000)
    assert_points(points, [((sp.log(sp.Rational(3, 7)) / 2,), "min")], digits=40)


def test_sigmoid_two_points_is_minus_log_of_the_septic_root():
    # u = exp(-w): the numerator of E'(w) is u (3u^7 + 11u^6 + 63u^5 + 31u^4 + 21u^3 - 27u^2 + u - 7) (u + 1)^k
    u = sp.Symbol("u")
    septic = sp.Poly(3 * u**7 + 11 * u**6 + 63 * u**5 + 31 * u**4 + 21 * u**3 - 27 * u**2 + u - 7, u)
    positive = [r for r in sp.real_roots(septic) if r > 0]
    assert len(positive) == 1
    truth = sp.N(-sp.log(positive[0]), 50)
    assert abs(truth - sp.Float("0.464145580552939", 20)) < 1e-14
    # the septic is the one derived here from the sigmoid written in u (a check of the hand derivation)
    s = lambda k: 1 / (1 + u**k)  # noqa: E731
    ds = lambda k: u**k / (1 + u**k) ** 2  # noqa: E731
    numerator = sp.factor_list(sp.numer(sp.together((s(1) - sp.Rational(3, 10)) * ds(1)
                                                    + 2 * (s(2) - sp.Rational(9, 10)) * ds(2))))
    assert any(sp.Poly(f, u) == septic or sp.Poly(-f, u) == septic for f, _ in numerator[1])
    points = R.reference_points("sigmoid", "mse", data1((1, "3/10"), (2, "9/10")), box=30, grid=3000)
    assert_points(points, [((truth,), "min")], digits=40)


def test_saturated_targets_have_no_finite_point():
    # t = 1: E'(w) = (sigma(w) - 1) sigma'(w) < 0 for every w; the tail w -> +oo is not a root, at any box.
    for box in (30, 200):
        assert R.reference_points("sigmoid", "mse", data1((1, 1)), box=box, grid=2000) == []
    # the gradient at w = 60 is tiny but not zero, and Newton from there does not converge to a root
    prob = R.RefProblem("sigmoid", "mse", data1((1, 1)))
    c, ok = prob.newton_polish([mpmath.mpf(60)])
    assert not ok


def test_root_of_even_multiplicity_is_found_and_degenerate():
    # f(h) = h^3/3, t = 1, x = 1: E'(w) = (w^3/3 - 1) w^2: a double root at 0 (no sign change) and 3^(1/3).
    data = data1((1, 1))
    for box in ([(-29.3, 31.1)], [(-30, 30)]):      # 0 off the grid (|E'| minimum) and on it (sign 0)
        points = R.reference_points("polynomial(0,0,0,1/3)", "mse", data, box=box, grid=3000)
        assert_points(points, [((0,), "degenerate"), ((sp.cbrt(3),), "min")], digits=30)


def test_separable_data_gives_the_product_of_the_one_dimensional_answers():
    # 1-D: (1, 1/5), (8, 1/5): the u-polynomial (u = e^-w) has exactly three positive roots: min, max, min.
    u = sp.Symbol("u")
    s = lambda k: 1 / (1 + u**k)  # noqa: E731
    ds = lambda k: u**k / (1 + u**k) ** 2  # noqa: E731
    t = sp.Rational(1, 5)
    numerator = sp.Poly(sp.numer(sp.together((s(1) - t) * ds(1) + 8 * (s(8) - t) * ds(8))), u)
    roots = sorted((sp.N(-sp.log(r), 50) for r in sp.real_roots(numerator) if r > 0))
    assert len(roots) == 3
    one = R.reference_points("sigmoid", "mse", data1((1, t), (8, t)), box=30, grid=6000)
    assert_points(one, [((roots[0],), "min"), ((roots[1],), "max"), ((roots[2],), "min")], digits=40)
    # 2-D (Auer-Herbster-Warmuth style: data on the axes): E(w1, w2) = E1(w1) + E2(w2); 3 x 3 = 9 points
    data2 = [((F(1), F(0)), F(t)), ((F(8), F(0)), F(t)), ((F(0), F(1)), F(t)), ((F(0), F(8)), F(t))]
    two = R.reference_points("sigmoid", "mse", data2, box=[(-10, 10), (-10, 10)])
    kinds = {("min", "min"): "min", ("max", "max"): "max"}
    expected = [((a, b), kinds.get((ka, kb), "saddle")) for a, ka in zip(roots, ("min", "max", "min"))
                for b, kb in zip(roots, ("min", "max", "min"))]
    assert_points(two, expected, digits=35)
    assert sum(p.kind == "min" for p in two) == 4 and sum(p.kind == "saddle" for p in two) == 4


# ---- linear ---------------------------------------------------------------------------------------------------------

def test_identity_normal_equations_by_hand():
    # X = [[1,2],[2,-1],[3,1]], t = (3,1,2): X^T X = [[14,3],[3,6]], X^T t = (11,7), det 75 => (3/5, 13/15)
    data = [((F(1), F(2)), F(3)), ((F(2), F(-1)), F(1)), ((F(3), F(1)), F(2))]
    points = R.reference_points("identity", "mse", data, box=[(-10, 10), (-10, 10)])
    assert_points(points, [(("3/5", "13/15"), "min")], digits=40)
    # bias + l2 = 1/10, data (1, 1), (2, 3): [[5 + 1/10, 3], [3, 2]] (w, b) = (7, 4) => det 1.2, w = 2/1.2 = 5/3,
    # b = (5.1*4 - 3*7)/1.2 = -1/2
    points = R.reference_points("identity", "mse", data1((1, 1), (2, 3)), bias=True, l2=F(1, 10),
                                box=[(-10, 10), (-10, 10)])
    assert_points(points, [(("5/3", "-1/2"), "min")], digits=40)


def test_rank_deficient_identity_is_an_affine_line():
    case = GT.CASES_BY_NAME["identity_rank_deficient"]
    points, regions = R.reference_summary(case["activation"], case["loss"], case["data"], case["bias"], case["l2"],
                                          grid=3000)
    assert len(points) == 1 and points[0].affine and points[0].kind == "min"
    assert_points(points, [(("11/70", "11/35"), "min")], digits=40)
    assert len(regions) == 1 and regions[0].kind == "affine"
    for w in case["regions"][0]["inside"]:
        assert regions[0].contains([F(v) for v in w])
    for w in case["regions"][0]["outside"]:
        assert not regions[0].contains([F(v) for v in w])


# ---- piecewise linear: exact ----------------------------------------------------------------------------------------

def test_relu_one_dimension_by_hand():
    # (1, 1), (2, 3): both active: (w - 1) + 2 (2w - 3) = 5w - 7 => 7/5; w <= 0: the dead half-line.
    points, regions = R.reference_summary("relu", "mse", data1((1, 1), (2, 3)))
    assert [(p.exact, p.kind) for p in points] == [((F(7, 5),), "min")]
    assert len(regions) == 1 and regions[0].kind == "flat"
    assert regions[0].contains([F(0)]) and regions[0].contains([F(-5)]) and not regions[0].contains([F(1, 100)])


def test_relu_kink_at_the_origin_is_not_a_minimum():
    # (1, 1), (-1, 1): w = 1 and w = -1 are minima; at w = 0 both units are dead (h = 0), gradient 0 by the
    # convention, E(0) = 1 > E(eps) = (1 - eps)^2/2 + 1/2: a kink, not a minimum; the dead set is just {0}.
    points, regions = R.reference_summary("relu", "mse", data1((1, 1), (-1, 1)))
    assert [(p.exact, p.kind) for p in points] == [((F(-1),), "min"), ((F(0),), "kink"), ((F(1),), "min")]
    assert regions == []


def test_leaky_relu_kink_that_is_a_minimum():
    # leaky_relu(1/2), t = 0: E = f(w)^2/2 is w^2/2 (w > 0) and w^2/8 (w <= 0): a kink at 0 that is a minimum.
    points, regions = R.reference_summary("leaky_relu(1/2)", "mse", data1((1, 0)))
    assert [(p.exact, p.kind) for p in points] == [((F(0),), "min")]
    assert regions == []


def test_relu_loss_is_exact():
    case = GT.CASES_BY_NAME["relu_kink_2d"]
    loss = lambda *w: R.reference_loss("relu", "mse", case["data"], w=tuple(F(v) for v in w))  # noqa: E731
    assert loss(1, 0) == 2 and loss(1, "1/100") == F(19801, 10000)
    assert loss("1/3", "4/3") == F(2, 3) and loss(-1, 2) == F(1, 2) and loss(0, 0) == 3


# ---- the ground-truth cases: the reference reproduces them, and the second routes agree -----------------------------

def _reference(case, grid=4000):
    return R.reference_summary(case["activation"], case["loss"], case["data"], case["bias"], case["l2"],
                               box=case["box"], grid=grid)


@pytest.mark.parametrize("case", GT.CASES, ids=[c["name"] for c in GT.CASES])
def test_reference_reproduces_ground_truth(case):
    points, regions = _reference(case)
    isolated = [p for p in points if not p.affine and not p.on_region]
    assert len(isolated) == case["count"]
    assert_points(isolated, [(w, kind) for w, kind in case["points"]], digits=25)
    expected_regions = case["regions"]
    assert sorted(r.kind for r in regions) == sorted(r["kind"] for r in expected_regions)
    for spec in expected_regions:
        inside = [[F(v) for v in w] for w in spec["inside"]]
        outside = [[F(v) for v in w] for w in spec["outside"]]
        assert any(all(r.contains(w) for w in inside) and not any(r.contains(w) for w in outside)
                   for r in regions if r.kind == spec["kind"]), spec["description"]


@pytest.mark.parametrize("name, route", [("exp_poisson", GT.second_route_case1),
                                         ("poly_h_plus_h2_2d", GT.second_route_case3),
                                         ("poly_h_minus_h3_bias", GT.second_route_case4),
                                         ("sigmoid_tiny_hessian", GT.second_route_case7),
                                         ("softplus_far", GT.second_route_case8)])
def test_second_route_agrees_with_ground_truth(name, route):
    assert_points_from_route(route(), GT.CASES_BY_NAME[name]["points"])


def assert_points_from_route(route, expected):
    assert len(route) == len(expected)
    key = lambda item: [float(sp.N(sp.sympify(str(v)))) for v in item[0]]  # noqa: E731
    for (w, kind), (ew, ekind) in zip(sorted(route, key=key), sorted(expected, key=key)):
        for a, b in zip(w, ew):
            assert abs(sp.N(sp.sympify(str(a)), 40) - sp.N(sp.sympify(b), 40)) < sp.Float(10) ** -28
        assert kind == ekind


def test_tiny_hessian_minimum_is_not_degenerate():
    case = GT.CASES_BY_NAME["sigmoid_tiny_hessian"]
    prob = R.RefProblem(case["activation"], case["loss"], case["data"])
    (w,), _ = GT.expected_values(case)[0]
    Hm = prob.hess_c([w])[0, 0]
    assert mpmath.mpf("9.9999e-21") < Hm < mpmath.mpf("1.0001e-20")
    assert prob.classify_c([w]) == "min"


def test_hand_derivations_of_the_piecewise_cases():
    # case 2 by hand: E'(w) = 9w/2 + 1 for w <= 0 => -2/9; the exact loss there is the matching loss
    case = GT.CASES_BY_NAME["leaky_matching"]
    points, _ = _reference(case)
    assert [p.exact for p in points] == [(F(-2, 9),)]
    # case 6 by hand: (71/5) w + 2b = 9, 2w + 3b = 6
    w, b = F(75, 193), F(336, 193)
    assert F(71, 5) * w + 2 * b == 9 and 2 * w + 3 * b == 6
    case = GT.CASES_BY_NAME["relu_l2_bias"]
    points, regions = _reference(case)
    assert [p.exact for p in points] == [(w, b)]
    # (0, 0) is in the flat half-line, not an isolated point
    assert regions[0].contains([F(0), F(0)]) and regions[0].contains([F(0), F(-100)])
