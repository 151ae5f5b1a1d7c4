"""The model layer against independent references: hand-derived gradients, the cross-entropy cancellation,
the matching loss, and every evaluator against central finite differences at 40 digits."""
import random

import mpmath
import numpy as np
import pytest
import sympy as sp

import closedform as cf
from closedform.model.evaluators import per_sample
from closedform.model.symbols import h, t

S = sp.Rational


def sigmoid(z):
    return 1 / (1 + sp.exp(-z))


def test_seed_gradient_is_the_askers_derivation():
    p = cf.Neuron("sigmoid", "mse")
    (w,), ((x,),), (target,) = p.weights, p.data.x, p.data.t
    s = sigmoid(w * x)
    assert sp.simplify(p.gradient[0] - (-(target - s) * s * (1 - s) * x)) == 0
    assert cf.check_gradient(p, -(target - s) * s * (1 - s) * x).equal is True
    assert cf.check_gradient(p, "-(t - sigmoid(w*x))*sigmoid(w*x)*(1 - sigmoid(w*x))*x").method == "symbolic"


def test_check_gradient_finds_a_witness_for_a_wrong_derivation():
    p = cf.Neuron("sigmoid", "mse")
    verdict = cf.check_gradient(p, "-(t - sigmoid(w*x))*sigmoid(w*x)*x")
    assert verdict.equal is False
    point = {k: sp.Rational(v) for k, v in verdict.point.items()}
    w, x, target = point["w"], point["x"], point["t"]
    s = sigmoid(w * x)
    truth = sp.N(-(target - s) * s * (1 - s) * x, 30)
    assert abs(verdict.expected[0] - truth) < 1e-12
    assert abs(verdict.given[0] - sp.N(-(target - s) * s * x, 30)) < 1e-12
    assert "not equal" in str(verdict)


def test_check_gradient_vector_and_wrong_length():
    p = cf.Neuron("identity", "mse", dim=2)
    assert cf.check_gradient(p, ["(w1*x1 + w2*x2 - t)*x1", "(w1*x1 + w2*x2 - t)*x2"]).equal
    with pytest.raises(ValueError, match="candidate gradient has 1 component"):
        cf.check_gradient(p, "(w1*x1 + w2*x2 - t)*x1")


def test_cross_entropy_cancels_to_s_minus_t():
    fns = per_sample(cf.get_activation("sigmoid"), cf.get_loss("bce"))
    assert sp.simplify(fns.g - (sigmoid(h) - t)) == 0


def test_matching_loss_of_sigmoid_is_bce_plus_a_constant():
    act = cf.get_activation("sigmoid")
    matching = cf.get_loss("matching").per_sample(act)
    bce = cf.get_loss("bce").per_sample(act)
    difference = sp.simplify(matching - bce)
    assert sp.simplify(sp.diff(difference, h)) == 0
    assert abs(sp.N(difference.subs(t, S(3, 10)) - (S(3, 10) * sp.log(S(3, 10)) + S(7, 10) * sp.log(S(7, 10))), 30)) < 1e-25


@pytest.mark.parametrize("name, expected", [
    ("sigmoid", sigmoid(h) * (1 - sigmoid(h))), ("tanh", 1 - sp.tanh(h) ** 2), ("softplus", sigmoid(h)),
    ("exp", sp.exp(h)), ("square", 2 * h), ("silu", sigmoid(h) + h * sigmoid(h) * (1 - sigmoid(h))),
])
def test_activation_derivatives(name, expected):
    assert sp.simplify(cf.get_activation(name).derivative - expected) == 0


def test_activation_metadata():
    sig = cf.get_activation("sigmoid")
    assert sig.limits == (0, 1)
    assert sig.range == sp.Interval.open(0, 1)
    assert sp.simplify(sig.expr.subs(h, sig.inverse(S(3, 10))) - S(3, 10)) == 0
    assert cf.get_activation("tanh").in_exp == (1 - sp.Symbol("u", positive=True)) / (1 + sp.Symbol("u", positive=True))
    relu = cf.get_activation("relu")
    assert relu.derivative.subs(h, 0) == 0 and relu.derivative.subs(h, S(1, 2)) == 1
    assert cf.get_activation("polynomial", 0, 1, 1).range == sp.Interval(S(-1, 4), sp.oo)
    assert cf.get_activation("leaky_relu", "1/10").derivative.subs(h, -1) == S(1, 10)
    assert cf.get_activation("probit").inverse(S(1, 2)) == 0


PAIRS = [(a, l) for a in ["sigmoid", "tanh", "relu", "leaky_relu(1/10)", "identity", "softplus", "exp", "square",
                          "polynomial(1, -1, 1/2)", "probit", "silu", "custom(h**3/3 + h)"]
         for l in ["mse", "bce", "poisson", "logcosh", "matching"]]


def _valid(activation, loss):
    try:
        p = cf.Neuron(activation, loss, data=[(1, "1/2")])
        return p
    except ValueError:
        return None


VALID = [(a, l) for a, l in PAIRS if _valid(a, l) is not None]


def test_pair_table_is_what_the_domains_allow():
    # mse, logcosh: all 12; bce: sigmoid, probit; poisson: sigmoid, exp, softplus, probit, 1 - h + h^2/2;
    # matching: the 7 invertible activations with a known range, less softplus (its antiderivative is Li2)
    assert len(VALID) == 12 + 12 + 2 + 5 + 6
    assert ("sigmoid", "bce") in VALID and ("tanh", "bce") not in VALID and ("relu", "poisson") not in VALID


@pytest.mark.parametrize("activation, loss", VALID)
def test_evaluators_match_finite_differences(activation, loss):
    rng = random.Random(hash((activation, loss)) % 1000)
    domain = _valid(activation, loss).criterion.target_domain(_valid(activation, loss).activation)
    lo, hi = (S(1, 10), S(9, 10)) if domain.measure != sp.oo or domain.inf > -sp.oo else (S(-1), S(2))
    if domain.inf == 0 and domain.sup == sp.oo:
        lo, hi = S(1, 5), S(3)
    data = [((S(rng.randint(-10, 10), 7), S(rng.randint(1, 9), 5)), lo + (hi - lo) * S(rng.randint(1, 9), 10))
            for _ in range(4)]
    p = cf.Neuron(activation, loss, data=data, bias=True, l2="1/3")
    model = p.numeric
    w = [S(rng.randint(-9, 9), 11) + S(1, 97) for _ in range(p.p)]
    with mpmath.workdps(40):
        wm = [mpmath.mpf(v.p) / v.q for v in w]
        delta = mpmath.mpf(10) ** -12
        grad = model.mp_gradient(wm)
        hess = model.mp_hessian(wm)
        for j in range(p.p):
            step = [delta if k == j else 0 for k in range(p.p)]
            up = [a + b for a, b in zip(wm, step)]
            down = [a - b for a, b in zip(wm, step)]
            fd = (model.mp_loss(up) - model.mp_loss(down)) / (2 * delta)
            assert abs(fd - grad[j]) < mpmath.mpf(10) ** -18 * (1 + abs(grad[j]))
            fd_column = (model.mp_gradient(up) - model.mp_gradient(down)) / (2 * delta)
            for i in range(p.p):
                assert abs(fd_column[i] - hess[i, j]) < mpmath.mpf(10) ** -18 * (1 + abs(hess[i, j]))
        exact_loss = sp.N(p.loss.subs(dict(zip(p.weights, w))), 40)
        assert abs(model.mp_loss(wm) - mpmath.mpf(str(exact_loss))) < mpmath.mpf(10) ** -30
    W = np.array([[float(v) for v in w]])
    np.testing.assert_allclose(model.gradient(W)[0], [float(v) for v in grad], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(model.hessian(W)[0], np.array(hess.tolist(), dtype=float), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(model.loss(W)[0], float(model.mp_loss(wm)), rtol=1e-12)


def test_evaluator_cost_is_linear_in_n_not_symbolic():
    rng = np.random.default_rng(0)
    X = np.round(rng.standard_normal((2000, 3)), 3)
    T = np.round(rng.random(2000), 3)
    p = cf.Neuron("sigmoid", "mse", data=(X, T))
    g = p.numeric.gradient(np.zeros((1, 3)))[0]
    # at w = 0: s = 1/2, s' = 1/4, so grad = sum (1/2 - t_i) / 4 * x_i
    np.testing.assert_allclose(g, ((0.5 - T) / 4) @ X, rtol=1e-12)


@pytest.mark.parametrize("activation", [("sigmoid",), ("tanh",), ("relu",), ("softplus",), ("probit",), ("erf",),
                                        ("silu",), ("polynomial", 1, 2, 3), ("custom", "h*atan(h) + sinh(h)/3")])
@pytest.mark.parametrize("loss", ["mse", "bce", "logcosh"])
def test_float_evaluators_equal_lambdify_with_its_own_modules(activation, loss):
    """The slim namespace (no ``from numpy import *``) computes bit for bit what lambdify's modules give."""
    import warnings

    from closedform.model.activations import get_activation
    from closedform.model.evaluators import NUMPY_FUNCTIONS
    from closedform.model.losses import get_loss

    forms = per_sample(get_activation(*activation), get_loss(loss))
    rng = np.random.default_rng(0)
    T = np.concatenate([rng.uniform(-2, 2, 100), [0, 1, 0.5]])
    H = np.concatenate([rng.normal(scale=5, size=100), [800, -800, 0]])
    for name in ("loss", "g", "g_h"):
        expr = getattr(forms, name)
        functions = {type(f) for f in expr.atoms(sp.Function)} | ({sp.Piecewise} if expr.has(sp.Piecewise) else set())
        modules = "numpy" if all(issubclass(f, NUMPY_FUNCTIONS) for f in functions) else ["numpy", "scipy"]
        reference = sp.lambdify((t, h), expr, modules, cse=True)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            expected = np.broadcast_to(reference(T, H), T.shape)
        assert np.array_equal(forms.numpy(name, T, H), expected, equal_nan=True), name


def test_a_large_batch_is_evaluated_in_chunks_to_the_same_values():
    """2000 rows x 60 points (over CHUNK_ELEMENTS): each point's per-sample values equal its own unchunked
    evaluation bit for bit, the Hessian the direct sum_n g_h(t_n, z_n.w) z_n z_n^T (einsum) to rounding."""
    from closedform.model.evaluators import CHUNK_ELEMENTS

    rng = np.random.default_rng(4)
    X = np.round(rng.normal(size=(2000, 3)), 3)
    T = np.round(rng.uniform(0.05, 0.95, 2000), 2)
    model = cf.Neuron("sigmoid", "mse", data=(X, T)).numeric
    W = rng.normal(size=(60, 3)) * 2
    assert W.shape[0] * X.shape[0] > CHUNK_ELEMENTS
    pre = W @ model.Z.T
    values, H = model.fns.numpy("g", model.T, pre), model.hessian(W)
    for k in (0, 31, 59):
        assert np.array_equal(values[k], model.fns.numpy("g", model.T, pre[k]))
    np.testing.assert_allclose(model.gradient(W), values @ model.Z, rtol=1e-13)
    curvature = model.fns.numpy("g_h", model.T, (W @ model.Z.T)[:5])
    np.testing.assert_allclose(H[:5], np.einsum("mn,ni,nj->mij", curvature, model.Z, model.Z), rtol=1e-12, atol=1e-12)
