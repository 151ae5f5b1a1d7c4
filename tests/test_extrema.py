"""Term ranges from critical points (closedform.solve.extrema) against ground truth computed apart: the critical
points of the sigmoid + mse term by hand (a quadratic in s = sigmoid(h)), values and ranges in mpmath at 30
digits, and dense mpmath sampling for terms without a hand formula."""
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

import closedform as cf
from closedform.model.symbols import h, t
from closedform.solve import extrema
from closedform.solve import intervals as ia
from closedform.solve.certify import interval_ready
from closedform.solve.floatbox import _Compiled

TARGETS = [sp.Rational(k, 20) for k in range(1, 20)] + [sp.Rational(1, 3), sp.Rational(999, 1000)]


def _term(activation, loss, which="g"):
    expr = interval_ready(getattr(cf.Neuron(activation, loss, data=[(1, "1/2")]).fns, which))
    return expr, _Compiled(expr)


def _sigmoid_mse_critical(target):
    """phi = (s - t) s (1 - s), s = sigmoid(h); phi_h / s' = s(1 - s) + (s - t)(1 - 2s) = -3s^2 + (2 + 2t)s - t,
    so s = ((1 + t) +- sqrt(t^2 - t + 1)) / 3, both in (0, 1) for 0 < t < 1: h = log(s / (1 - s))."""
    with mpmath.workdps(30):
        t_ = mpmath.mpf(target.p) / target.q
        root = mpmath.sqrt(t_**2 - t_ + 1)
        return [mpmath.log(s / (1 - s)) for s in ((1 + t_ - root) / 3, (1 + t_ + root) / 3)]


def _phi_mp(expr, target, value):
    with mpmath.workdps(30):
        return mpmath.mpf(sp.N(expr.subs({t: target, h: sp.Float(value, 40)}), 30))


def test_sigmoid_mse_critical_points_match_the_hand_formula():
    expr, phi = _term("sigmoid", "mse")
    found = extrema.CriticalValues.build(expr, phi, TARGETS)
    assert found.hc_lo.shape == (len(TARGETS), 2)
    for i, target in enumerate(TARGETS):
        for j, exact in enumerate(_sigmoid_mse_critical(target)):
            assert found.hc_lo[i, j] <= exact <= found.hc_hi[i, j]
            assert found.hc_hi[i, j] - found.hc_lo[i, j] < 1e-12
            value = _phi_mp(expr, target, exact)
            assert found.v_lo[i, j] <= value <= found.v_hi[i, j]


def test_ranges_are_the_true_ranges_up_to_rounding():
    """The true range over [a, b] is the hull of the endpoint values and the hand critical values inside."""
    expr, phi = _term("sigmoid", "mse")
    found = extrema.CriticalValues.build(expr, phi, TARGETS)
    rng = np.random.default_rng(7)
    a = rng.normal(size=len(TARGETS)) * 4
    b = a + np.abs(rng.normal(size=len(TARGETS))) * 6
    T = ia.Intervals.around(np.array([float(x) for x in TARGETS]))
    got = found.range(phi, T, ia.Intervals(a, b))
    inside_some = 0
    for i, target in enumerate(TARGETS):
        points = [a[i], b[i]] + [c for c in _sigmoid_mse_critical(target) if a[i] <= c <= b[i]]
        inside_some += len(points) > 2
        values = [_phi_mp(expr, target, x) for x in points]
        assert got.lo[i] <= min(values) and max(values) <= got.hi[i]
        assert float(min(values)) - got.lo[i] < 1e-14 and got.hi[i] - float(max(values)) < 1e-14
    assert inside_some >= 5  # the test reaches the critical points, not only monotone pieces


@pytest.mark.parametrize("activation, loss, which", [("tanh", "mse", "g"), ("tanh", "mse", "g_h"),
                                                     ("sigmoid", "bce", "g_h"), ("square", "mse", "g")])
def test_ranges_contain_dense_mpmath_samples(activation, loss, which):
    expr, phi = _term(activation, loss, which)
    targets = [sp.Rational(k, 7) for k in range(1, 7)]
    found = extrema.CriticalValues.build(expr, phi, targets)
    assert found is not None and found.hc_lo.shape[1] >= 1
    f = sp.lambdify((t, h), expr, "mpmath")
    rng = np.random.default_rng(11)
    for _ in range(5):
        a = rng.normal(size=len(targets)) * 3
        b = a + np.abs(rng.normal(size=len(targets))) * 4
        T = ia.Intervals.around(np.array([float(x) for x in targets]))
        got = found.range(phi, T, ia.Intervals(a, b))
        for i, target in enumerate(targets):
            with mpmath.workdps(30):
                samples = [f(mpmath.mpf(target.p) / target.q, x) for x in mpmath.linspace(a[i], b[i], 400)]
            assert got.lo[i] <= min(samples) and max(samples) <= got.hi[i]
            assert got.hi[i] - got.lo[i] <= float(max(samples) - min(samples)) * 1.01 + 1e-12  # and tight


def test_square_activation_critical_points_by_hand():
    """square + mse: g = 2h (h^2 - t), g_h = 6h^2 - 2t, zero at h = +-sqrt(t / 3)."""
    expr, phi = _term("square", "mse")
    found = extrema.CriticalValues.build(expr, phi, [sp.Rational(3, 4)])
    spans = sorted(zip(found.hc_lo[0], found.hc_hi[0]))
    assert len(spans) == 2
    for (lo, hi), exact in zip(spans, (-0.5, 0.5)):
        assert lo <= exact <= hi and hi - lo < 1e-12


def test_terms_it_cannot_handle_are_refused():
    expr, phi = _term("sigmoid", "mse")
    assert extrema.CriticalValues.build(expr, phi, [sp.Rational(k, 1000) for k in range(1, 300)]) is None
    assert extrema.CriticalValues.build(expr, phi, [sp.sqrt(2) / 2]) is None  # not rational
    silu, silu_phi = _term("silu", "mse")  # h times a function of e^h: neither form
    assert extrema.CriticalValues.build(silu, silu_phi, [sp.Rational(1, 2)]) is None
    irrational = sp.pi * h - t  # custom(pi*h) + mse-like: coefficients outside Q
    assert extrema.CriticalValues.build(irrational**2, _Compiled(irrational**2), [sp.Rational(1, 2)]) is None
    pole = 1 / (sp.exp(h) - 2) - t  # a pole at h = log 2
    assert extrema.CriticalValues.build(pole, _Compiled(pole), [sp.Rational(1, 2)]) is None
    assert extrema._has_pole(extrema._in_variable(sp.Symbol("u", positive=True) + 3, sp.Symbol("u", positive=True)),
                             Fraction(1, 2), True) is False
