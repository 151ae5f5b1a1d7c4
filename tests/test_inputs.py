"""Exact numbers, data forms and validation: every bad input is a one-line ValueError naming the value."""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import closedform as cf
from closedform.model.data import parse_data_string
from closedform.model.numbers import exact_number

R = sp.Rational


@pytest.mark.parametrize("value, expected", [
    (0.3, R(3, 10)), ("3/10", R(3, 10)), (Fraction(3, 10), R(3, 10)), (3, R(3)), ("-2.5", R(-5, 2)),
    ("1e-3", R(1, 1000)), (np.float64(0.1), R(1, 10)), (np.int64(7), R(7)), (" 4 / -6 ", R(-2, 3)),
])
def test_numbers_stay_exact(value, expected):
    assert exact_number(value) == expected
    assert isinstance(exact_number(value), sp.Rational)


@pytest.mark.parametrize("value, fragment", [
    (float("nan"), "nan is not finite"), (float("inf"), "inf is not finite"), ("abc", "'abc' is not a number"),
    ("1/0", "divides by zero"), (True, "is a bool"), ([1], "has type list"), ("nan", "'nan' is not a number"),
])
def test_bad_numbers_are_named(value, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(")) as info:
        exact_number(value, "x")
    assert "\n" not in str(info.value)


def test_data_forms_agree():
    pairs = cf.Neuron(data=[(1, "3/10"), (2, 0.9)]).data
    arrays = cf.Neuron(data=(np.array([1.0, 2.0]), np.array([0.3, 0.9]))).data
    tuple_of_pairs = cf.Neuron(data=((1, "3/10"), (2, "9/10"))).data
    assert pairs.x == arrays.x == tuple_of_pairs.x == ((R(1),), (R(2),))
    assert pairs.t == arrays.t == tuple_of_pairs.t == (R(3, 10), R(9, 10))


def test_matrix_data_and_inferred_dim():
    p = cf.Neuron(data=(np.array([[1, 2], [3, 4], [5, 6]]), [0.1, 0.2, 0.3]), bias=True)
    assert (p.dim, p.p, p.data.n) == (2, 3, 3)
    assert [str(w) for w in p.weights] == ["w1", "w2", "b"]


def test_cli_data_syntax():
    assert parse_data_string("1,2:3/10; 4,5:0.9") == [(["1", "2"], "3/10"), (["4", "5"], "0.9")]


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(activation="foo"), "activation 'foo' is unknown; known: custom, erf, exp"),
    (dict(loss="hinge"), "loss 'hinge' is unknown; known: bce, logcosh, matching, mse, poisson"),
    (dict(data=[((1, 2), 0.5), (3, 0.5)], dim=None), "datapoint 2 has 1 coordinate(s) but dim is 2"),
    (dict(data=[(1, 0.5)], dim=2), "datapoint 1 has 1 coordinate(s) but dim is 2"),
    (dict(data=[(float("nan"), 0.5)]), "x[1] of datapoint 1 = nan is not finite"),
    (dict(data=[(1, float("inf"))]), "target t of datapoint 1 = inf is not finite"),
    (dict(loss="bce", data=[(1, "3/2")]), "target t = 3/2 of datapoint 1 is outside the domain Interval(0, 1)"),
    (dict(loss="poisson", activation="exp", data=[(1, -1)]), "target t = -1 of datapoint 1 is outside"),
    (dict(loss="bce", activation="tanh"), "loss 'bce' needs outputs in Interval.open(0, 1); activation 'tanh'"),
    (dict(l2=-1), "l2 = -1 must be >= 0"),
    (dict(dim=0), "dim = 0 must be an integer from 1 to 50"),
    (dict(data=([1, 2, 3], [0.1, 0.2])), "(X, t) shapes differ: X has 3 rows, t has 2 entries"),
    (dict(data=[]), "data is empty"),
    (dict(data=[(1, 2, 3)]), "is not an (x, t) pair"),
    (dict(data="1:2"), "data of type str is not understood"),
    (dict(data=[(10**1000, "1/2"), (1, "1/3")]), "x[1] of datapoint 1 = 1.00E+1000 is out of range: nonzero data"),
    (dict(data=[(1, 1e-305)]), "target t of datapoint 1 = 1.00E-305 is out of range"),
    (dict(data=[((1, "-1e300"), 1)]), "x[2] of datapoint 1 = -1.00E+300 is out of range"),
    (dict(activation="custom(exp(exp(exp(exp(h)))))"), "custom activation 'exp(exp(exp(exp(h))))' is too large"),
    (dict(activation="custom(exp(690*h))"), "'exp(690*h)' is too large for float64: |f'(h)| >= 1e300 at h = 1"),
    (dict(activation="leaky_relu(-1)"), "leaky_relu slope = -1 must be > 0"),
    (dict(loss="matching", activation="relu"), "the matching loss needs an invertible activation"),
    (dict(loss="matching", activation="softplus"), "the matching loss of 'softplus' needs an elementary"),
])
def test_bad_problem_inputs(kwargs, fragment):
    with pytest.raises(ValueError) as info:
        cf.Neuron(**kwargs)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_data_inside_the_float64_range_is_kept_exactly():
    data = cf.Neuron(data=[("9.99e299", "1.01e-300"), (0, "-1e299")]).data
    assert data.x == ((R(999, 100) * 10**299,), (R(0),)) and data.t == (R(101, 100) / 10**300, -R(10)**299)
    assert cf.Neuron(data=(np.array([1e-299, 1e299]), np.array([0.5, 0.25]))).data.n == 2


@pytest.mark.parametrize("expression", ["exp(exp(exp(h)))", "exp(400*h)", "1/h", "log(h)", "exp(h**10)"])
def test_custom_activations_that_float64_can_evaluate_are_kept(expression):
    assert cf.Neuron(activation=f"custom({expression})").activation.name.startswith("custom(")


def test_shared_weight_timeout_must_be_positive_and_finite():
    for timeout in (float("inf"), float("nan"), 0, -1, True):
        with pytest.raises(cf.InputError, match="must be a finite positive number of seconds"):
            cf.shared_weight_recursion([[1, 1], [1, 0]], timeout=timeout)


@pytest.mark.parametrize("options, fragment", [
    (dict(timeout=0), "timeout = 0 must be a finite positive number of seconds"),
    (dict(precision=5), "precision = 5 must be an integer number of digits from 15 to 2000"),
    (dict(box=[(1, -1)]), "must hold 1 finite pairs lo < hi"),
])
def test_bad_solver_options(options, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(")):
        cf.Neuron(data=[(1, "1/2")]).stationary_points(**options)


def test_float_array_rows_are_their_decimal_literals():
    """Rows from float arrays are read on demand; each entry must be the exact value of repr(float), computed here
    independently with Fraction (and -0.0 is 0), whether one row or all of them are read."""
    rng = np.random.default_rng(3)
    X = np.round(rng.normal(size=(40, 3)), 3)
    X[0, 1], X[5, 2] = -0.0, 1e-7
    t = np.round(rng.random(40), 2)
    expected = tuple(tuple(R(Fraction(repr(float(v)))) for v in row) + (R(1),) for row in X)
    rows = cf.Neuron("sigmoid", "mse", data=(X, t), bias=True).rows
    assert len(rows) == 40 and rows[5] == expected[5] and rows[0][1] == 0
    assert tuple(rows) == expected and rows == expected and hash(rows) == hash(expected)
    assert cf.Neuron("sigmoid", "mse", data=(X, t)).data.x == tuple(row[:3] for row in expected)


def test_one_activation_object_per_registry_key():
    """Caches keyed by the activation (per-sample forms, limits at infinity) are shared by fresh Neurons; a bool
    parameter is still refused although True == 1 hashes alike."""
    from closedform.model.activations import get_activation
    assert cf.Neuron("sigmoid").activation is cf.Neuron("sigmoid", "bce").activation
    assert cf.Neuron("leaky_relu(1/2)").activation is cf.Neuron("leaky_relu( 1/2 )").activation
    assert cf.Neuron("leaky_relu(1)").activation.expr != cf.Neuron("leaky_relu(1/2)").activation.expr
    assert get_activation("leaky_relu", 1).key == ("leaky_relu", 1)
    with pytest.raises(ValueError, match="bool"):
        get_activation("leaky_relu", True)
