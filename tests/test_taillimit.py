"""Exact limits at h -> +-oo (closedform/solve/taillimit.py) against values derived by hand and, for random
rational targets, against SymPy's Gruntz algorithm (a different method)."""
import random

import pytest
import sympy as sp

from closedform.model.symbols import h
from closedform.solve.taillimit import _in_u, limit_at_infinity

t = sp.Rational(37, 100)
sigmoid = 1 / (1 + sp.exp(-h))


@pytest.mark.parametrize("expr, sign, value", [
    ((sigmoid - t) ** 2 / 2, 1, (1 - t) ** 2 / 2),  # sigmoid -> 1
    ((sigmoid - t) ** 2 / 2, -1, t ** 2 / 2),  # sigmoid -> 0
    ((sigmoid - t) * sigmoid * (1 - sigmoid), 1, 0),  # sigma' -> 0 faster than anything else moves
    ((-t + (1 - t) * sp.exp(h)) / (sp.exp(h) + 1), 1, 1 - t),  # binary cross-entropy's g at +oo
    ((-t + (1 - t) * sp.exp(h)) / (sp.exp(h) + 1), -1, -t),
    ((t - sp.tanh(h)) ** 2 / 2, -1, (t + 1) ** 2 / 2),  # tanh -> -1
    (-(t - sp.tanh(h)) / sp.cosh(h) ** 2, 1, 0),
    (sp.exp(h) - t, 1, sp.oo), (t - sp.exp(2 * h) / (1 + sp.exp(h)), 1, -sp.oo),  # u^-1 and -u^-1
    (sp.exp(h) / (1 + sp.exp(3 * h)), -1, 0),
    (sp.Integer(0) * sp.exp(h), 1, 0),
])
def test_limits_derived_by_hand(expr, sign, value):
    assert _in_u(expr, h, sign) is not None  # the rational route answers, not the fallback
    assert limit_at_infinity(expr, h, sign) == value


@pytest.mark.parametrize("expr", [sp.log(1 + sp.exp(h)), h - t, sp.erf(h), sp.sqrt(2) * sigmoid])
def test_what_is_not_rational_in_u_goes_to_sympy(expr):
    assert _in_u(expr, h, 1) is None
    assert limit_at_infinity(expr, h, 1) == sp.limit(expr, h, sp.oo)


def test_random_per_sample_forms_agree_with_gruntz():
    """Four random (activation, loss, target, side) triples of the sigmoid/tanh family, each limit of the
    residual form and of the loss computed both ways."""
    rng = random.Random(4)
    activations = [sigmoid, sp.tanh(h), sp.exp(h) / (2 + sp.exp(h))]
    for _ in range(4):
        f, sign = rng.choice(activations), rng.choice((1, -1))
        target = sp.Rational(rng.randint(-5, 15), rng.randint(1, 9))
        for expr in ((f - target) * sp.diff(f, h), (f - target) ** 2, (f - target) ** 3 * sp.exp(h)):
            assert limit_at_infinity(expr, h, sign) == sp.limit(expr, h, sign * sp.oo), (f, target, sign, expr)
