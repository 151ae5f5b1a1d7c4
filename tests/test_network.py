"""Networks, the backpropagation recursion, its closed form for shared linear layers, and local models of a step,
against hand-derived ground truth."""
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import closedform as cf
from closedform.recursion import k

FIBONACCI = {n: f for n, f in enumerate([1, 0, 1, 1, 2, 3, 5, 8, 13], start=-1)}  # F_-1 = 1, F_0 = 0, ...


# --- the recursion -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sigmoid_bce():
    return cf.Network([2, 2, 2, 1], activation="sigmoid", loss="bce")


def test_three_layer_sigmoid_cross_entropy_recursion_equals_direct_differentiation(sigmoid_bce):
    check = sigmoid_bce.check_backprop()
    assert check.equal is True and check.first is None
    assert check.checked == 2 * 2 + 2 * 2 + 2 * 1  # every weight of W_1, W_2, W_3


def test_output_delta_is_z_minus_y_for_sigmoid_cross_entropy(sigmoid_bce):
    (z_out,) = sigmoid_bce.forward[1][-1]
    (delta_out,) = sigmoid_bce.deltas[-1]
    y = sigmoid_bce.y[0]
    # at a point where the weights make h_L = 3/2 exactly, the delta is sigmoid(3/2) - y with no 1/(z(1-z)) left
    point = {s: 0 for s in sigmoid_bce.parameters} | {sigmoid_bce.W[2][0, 0]: 3, sigmoid_bce.W[2][0, 1]: 0}
    assert sp.simplify(delta_out - (z_out - y)) == 0
    assert sp.simplify(delta_out.subs(point) - (1 / (1 + sp.exp(-sp.Rational(3, 2))) - y)) == 0
    latex = sigmoid_bce.derivation().to_latex()
    assert r"\delta_{3} = - y + z_{3}" in latex
    assert "no division by zero" in latex


def test_each_delta_is_the_later_delta_pulled_back(sigmoid_bce):
    hs, _ = sigmoid_bce.forward
    d1, d2, d3 = sigmoid_bce.deltas
    s = 1 / (1 + sp.exp(-hs[1][0]))
    # by hand: delta_2,1 = W3_11 * delta_3 * s(h_2,1)(1 - s(h_2,1)); it contains no dJ/dW_3 = delta_3 z_2^T
    assert sp.simplify(d2[0] - sigmoid_bce.W[2][0, 0] * d3[0] * s * (1 - s)) == 0
    assert sigmoid_bce.gradients[0].shape == (2, 2) and sigmoid_bce.gradients[2].shape == (1, 2)


def test_one_linear_weight_by_hand():
    net = cf.Network([1, 1], activation="identity", loss="mse")
    W, x, y = net.W[0][0, 0], net.x[0], net.y[0]
    assert sp.expand(net.gradients[0][0, 0] - (-(y - W * x) * x)) == 0


def test_tanh_mse_with_biases_checks_every_parameter():
    check = cf.Network([2, 2, 1], activation="tanh", loss="mse", bias=True).check_backprop()
    assert check.equal is True and check.checked == 4 + 2 + 2 + 1


def test_a_wrong_recursion_is_caught_at_its_first_weight():
    net = cf.Network([2, 1], activation="sigmoid", loss="bce")
    wrong = net.gradients[0].copy()
    wrong[0, 1] *= 2
    net.__dict__["gradients"] = [wrong]
    check = net.check_backprop()
    assert check.equal is False and check.first == net.W[0][0, 1]
    assert not check


@pytest.mark.parametrize("widths", [[2], [2, 0], [2, 7], [2, True], "2,1", [1, 1, 1, 1, 1, 1, 1, 1]])
def test_bad_widths_are_named(widths):
    with pytest.raises(cf.InputError, match="widths"):
        cf.Network(widths)


def test_incompatible_loss_is_refused():
    with pytest.raises(cf.InputError):
        cf.Network([1, 1], activation="tanh", loss="bce")


# --- the closed form for shared linear layers ------------------------------------------------------------------

def test_fibonacci_matrix_gives_binet():
    rec = cf.shared_weight_recursion([[1, 1], [1, 0]])
    assert rec.diagonalisable
    for power in range(7):
        entries = rec.power.subs(k, power).applyfunc(sp.radsimp).applyfunc(sp.expand)
        F = FIBONACCI
        assert entries == sp.Matrix([[F[power + 1], F[power]], [F[power], F[power - 1]]])


def test_shared_linear_chain_closed_form_equals_the_product_of_transposes_for_L_1_to_6():
    W = sp.Matrix([[2, 1], [1, 2]])
    rec = cf.shared_weight_recursion(W)
    assert rec.diagonalisable and rec.power == sp.Matrix([[3**k / 2 + sp.Rational(1, 2), 3**k / 2 - sp.Rational(1, 2)],
                                                          [3**k / 2 - sp.Rational(1, 2), 3**k / 2 + sp.Rational(1, 2)]])
    for L in range(1, 7):
        product = sp.eye(2)
        for _ in range(L - 1):
            product = product * W.T
        assert rec.power.subs(k, L - 1) == product


def test_four_layer_identity_network_with_shared_W_follows_the_closed_form():
    W = sp.Matrix([[1, 1], [1, 0]])
    net = cf.Network([2, 2, 2, 2, 2], activation="identity", loss="mse")
    shared = {s: W[i, j] for M in net.W for (i, j), s in np.ndenumerate(np.array(M.tolist(), dtype=object))}
    deltas = [d.subs(shared) for d in net.deltas]
    rec = cf.shared_weight_recursion(W)
    for i in range(4):
        assert (deltas[i] - rec.delta(3 - i, deltas[3])).applyfunc(sp.expand).applyfunc(sp.radsimp) == sp.zeros(2, 1)


def test_non_diagonalisable_W_is_reported_with_its_jordan_form():
    rec = cf.shared_weight_recursion([[1, 1], [0, 1]])
    assert rec.diagonalisable is False
    assert rec.jordan == sp.Matrix([[1, 1], [0, 1]])
    assert rec.power == sp.Matrix([[1, 0], [k, 1]])
    assert "not diagonalisable" in rec.describe()
    assert "Jordan" in rec.derivation().to_latex()


@pytest.mark.parametrize("W, message", [
    ([[1, 2, 3], [4, 5, 6]], r"shape \(2, 3\)"),
    ([[1, 2], [3]], "rows of equal length"),
    ([[1, float("nan")], [0, 1]], r"W\[0\]\[1\] = nan"),
])
def test_bad_W_is_refused_by_name(W, message):
    with pytest.raises(cf.InputError, match=message):
        cf.shared_weight_recursion(W)


def test_a_cubic_eigenvalue_problem_stops_at_its_budget_and_says_so():
    # the plastic-number matrix: characteristic polynomial lambda^3 - lambda - 1, Cardano radicals everywhere
    with pytest.raises(cf.InputError, match=r"found within 1 s \(characteristic polynomial lambda\^3 - lambda - 1\)"):
        cf.shared_weight_recursion([[0, 1, 0], [0, 0, 1], [1, 1, 0]], timeout=1)


# --- local models of a step ------------------------------------------------------------------------------------

LINE = [((1, 2), 3), ((2, -1), 1), ((3, 1), 2)]  # by hand: X^T X = [[14, 3], [3, 6]], X^T t = (11, 7)
LEAST_SQUARES = (sp.Rational(3, 5), sp.Rational(13, 15))  # = (6*11 - 3*7, 14*7 - 3*11) / 75


@pytest.fixture(scope="module")
def line_problem():
    return cf.Neuron("identity", "mse", dim=2, data=LINE)


@settings(max_examples=15, deadline=None)
@given(st.tuples(*[st.fractions(min_value=-50, max_value=50, max_denominator=30)] * 2))
def test_one_newton_step_lands_on_the_least_squares_minimum_exactly(line_problem, start):
    model = cf.local_model(line_problem, at=list(start))
    assert model.newton_point == LEAST_SQUARES
    assert model.newton_gradient == (0, 0) and model.newton_reaches_stationary_point
    # the quadratic model is the loss itself along the step
    np.testing.assert_allclose(model.quadratic, model.true_loss, rtol=1e-9, atol=1e-9)


@pytest.fixture(scope="module")
def sigmoid_step():
    problem = cf.Neuron("sigmoid", "mse", data=[(1, "3/10"), (2, "9/10")])
    return cf.local_model(problem, at=[1])


def _loss_by_hand(w):
    s = lambda z: 1 / (1 + mpmath.exp(-z))  # noqa: E731
    return (mpmath.mpf(3) / 10 - s(w)) ** 2 / 2 + (mpmath.mpf(9) / 10 - s(2 * w)) ** 2 / 2


def test_sigmoid_newton_step_leaves_a_gradient_equal_to_direct_evaluation(sigmoid_step):
    mpmath.mp.dps = 30
    grad = lambda w: mpmath.diff(_loss_by_hand, w)  # noqa: E731
    g0, H0 = grad(1), mpmath.diff(_loss_by_hand, 1, 2)
    newton = 1 - g0 / H0
    assert abs(float(sigmoid_step.newton_point[0]) - float(newton)) < 1e-12
    assert abs(float(sigmoid_step.newton_gradient[0]) - float(grad(newton))) < 1e-12
    assert abs(float(grad(newton))) > 0.2  # the step overshoots: |g| = 0.2236 there, larger than at the start
    assert sigmoid_step.newton_reaches_stationary_point is False


def test_a_rational_sigmoid_start_gives_an_exact_newton_point_quickly():
    # at w0 = 0 the sigmoid's g and H are rational, so the Newton point is exact; the gradient there involves
    # exp(43/105) and used to go to sp.simplify (minutes, gigabytes). By hand: s(0) = 1/2, s'(0) = 1/4, s''(0) = 0,
    # so g = sum (1/2 - t) x / 4 and H = sum x x^T / 16.
    data = [((1, 2), "1/2"), ((-1, 1), "1/3"), ((2, -1), "3/4")]
    model = cf.local_model(cf.Neuron(data=data), at=[0, 0])
    x = sp.Matrix([[1, 2], [-1, 1], [2, -1]])
    t = sp.Matrix([sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(3, 4)])
    g = x.T * (sp.ones(3, 1) / 2 - t) / 4
    H = x.T * x / 16
    assert tuple(model.newton_point) == tuple(-H.LUsolve(g)) == (sp.Rational(43, 105), sp.Rational(-22, 105))
    assert model.newton_reaches_stationary_point is False
    assert abs(float(model.newton_gradient[0]) + 0.00957062) < 1e-7


def test_sigmoid_linear_model_error_curve_matches_direct_evaluation(sigmoid_step):
    g0 = float(mpmath.diff(_loss_by_hand, 1))
    E0 = float(_loss_by_hand(1))
    for i in (0, 5, 20, 80):
        s = sigmoid_step.steps[i]
        true = float(_loss_by_hand(1 - s * g0))
        assert sigmoid_step.true_loss[i] == pytest.approx(true, abs=1e-12)
        assert sigmoid_step.linear_error[i] == pytest.approx(true - (E0 - s * g0 * g0), abs=1e-12)
    errors = np.abs(sigmoid_step.linear_error[1:])
    assert np.all(np.diff(errors[:10]) > 0)  # the linear model's error grows with the step
    # the threshold step is the first grid step where |E - m1| / |E - E0| > 0.1
    i = int(np.searchsorted(sigmoid_step.steps, sigmoid_step.threshold_step))
    change = np.abs(sigmoid_step.true_loss - E0)
    assert abs(sigmoid_step.linear_error[i]) / change[i] > 0.1 >= abs(sigmoid_step.linear_error[i - 1]) / change[i - 1]


def test_local_model_refuses_bad_starts(line_problem):
    with pytest.raises(cf.InputError, match="2 weight"):
        cf.local_model(line_problem, at=[1])
    with pytest.raises(cf.InputError, match="nan"):
        cf.local_model(line_problem, at=[float("nan"), 1])
    with pytest.raises(cf.InputError, match="symbolic"):
        cf.local_model(cf.Neuron("sigmoid", "mse"), at=[1])


def test_step_plot_has_the_loss_and_both_models(sigmoid_step):
    import matplotlib
    matplotlib.use("Agg")
    axes = sigmoid_step.plot().axes[0]
    labels = [line.get_label() for line in axes.get_lines()]
    assert labels[:3] == ["loss E(w0 - s g)", "linear model", "quadratic model"]
    np.testing.assert_allclose(axes.get_lines()[1].get_ydata(), sigmoid_step.linear)


def test_exact_start_given_as_fraction_is_kept_exact(line_problem):
    model = cf.local_model(line_problem, at=[Fraction(1, 3), 0])
    assert model.at == (sp.Rational(1, 3), 0) and model.gradient[0].is_Rational


@settings(max_examples=6, deadline=None)
@given(st.lists(st.integers(1, 2), min_size=2, max_size=4), st.sampled_from(["sigmoid", "tanh", "softplus"]),
       st.booleans())
def test_recursion_matches_direct_differentiation_for_random_small_networks(widths, activation, bias):
    net = cf.Network(widths, activation=activation, loss="mse", bias=bias)
    check = net.check_backprop(points=1)
    expected = sum(a * b for a, b in zip(widths[1:], widths[:-1])) + (sum(widths[1:]) if bias else 0)
    assert check.equal is True and check.checked == expected


@pytest.mark.parametrize("problem, at", [
    (cf.Neuron("identity", dim=2, data=[((1, 2), 3), ((2, 4), 1)]), [1, 1]),  # rank-1 data: H = [[5,10],[10,20]]
    (cf.Neuron("relu", data=[(1, 1), (2, 3)]), [-1]),  # flat region of relu: H = 0
])
def test_singular_hessian_means_no_newton_step_said_plainly(problem, at):
    model = cf.local_model(problem, at=at)
    assert model.newton_point is None and model.newton_reaches_stationary_point is False
    assert "the Hessian is singular at w0: no Newton step" in model.summary()
    assert r"\det H = 0" in model.derivation().to_latex()
