"""The whitelist parser: what it accepts builds the right SymPy expression; hostile strings are refused
before anything runs."""
import pytest
import sympy as sp

import closedform as cf
from closedform.model.expressions import parse_expression

h = sp.Symbol("h", real=True)


@pytest.mark.parametrize("text, expected", [
    ("h**3 + 2*h", h**3 + 2 * h), ("exp(-h)/(1 + exp(-h))", sp.exp(-h) / (1 + sp.exp(-h))),
    ("0.5*h", h / 2), ("-h**2", -h**2), ("sigmoid(h)", 1 / (1 + sp.exp(-h))), ("pi*h", sp.pi * h),
])
def test_allowed_expressions(text, expected):
    assert sp.simplify(parse_expression(text, {"h": h}) - expected) == 0


HOSTILE = [
    "__import__('os').system('id')", "h.__class__", "(lambda: 1)()", "[h for h in (1,)]", "open('/etc/passwd')",
    "9**9**9", "h**h", "exec('1')", "'abc'", "h[0]", "{1: 2}", "h if h else 1", "1" * 100, "exp(*[h])",
    "exp(h, base=2)", "eval('1')", "x", "().__class__.__bases__[0]", "h; import os", "h ** 1000", "1abs(h)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_are_refused(text):
    with pytest.raises(cf.UnsafeExpressionError) as info:
        parse_expression(text, {"h": h})
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_hostile_custom_activation_through_neuron():
    with pytest.raises(ValueError, match="refused"):
        cf.Neuron(activation="custom(__import__('os').system('touch /tmp/closedform_pwned'))")
    import os
    assert not os.path.exists("/tmp/closedform_pwned")


def test_custom_activation_is_used():
    p = cf.Neuron(activation="custom(h**3 + h)", data=[(1, 2)])
    assert p.activation.expr == h**3 + h
    assert p.activation.polynomial is True
