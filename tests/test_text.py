"""Text output speaks mathematics, not SymPy: the seed question and the README's examples through the real CLI
contain no SymPy constructor or Python operator, the seed states its answer in one sentence, and the printer
(closedform.printing) writes each kind of object exactly as decided here."""
import subprocess
import sys

import pytest
import sympy as sp

from closedform.printing import text

FORBIDDEN = ("Eq(", "Ne(", "ProductSet", "Interval", "Matrix(", "CRootOf(", "**", "-1*")

# the quick examples of README.md ("## Python" and "## Command line"), as text summaries
README_EXAMPLES = [
    ("analyze", "--activation", "sigmoid", "--loss", "mse", "--data", "1:3/10; 2:9/10"),
    ("analyze", "--activation", "relu", "--data", "1:1; 2:3"),
    ("analyze", "--loss", "bce", "--data", "1:1; -1:0", "--l2", "1/10"),
    ("analyze", "--dim", "3"),  # cf.Neuron("sigmoid", "mse", dim=3): one symbolic datapoint in R^3
    ("backprop", "--shared-W", "1,1;1,0"),
]


def run(*args):
    done = subprocess.run([sys.executable, "-m", "closedform", *args], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def leaks(output):
    return [s for s in FORBIDDEN if s in output]


@pytest.fixture(scope="module")
def seed():
    return run()


def test_the_seed_output_has_no_sympy_syntax(seed):
    assert not leaks(seed), seed


def test_the_seed_summary_reads_as_mathematics(seed):
    assert "loss      E(w) = (t - 1/(1 + exp(-w*x)))^2/2" in seed
    assert "gradient  dE/dw = -(t - s(w*x))*s(w*x)*(1 - s(w*x))*x" in seed
    assert "your gradient is correct: it equals dE/dw (checked symbolically)" in seed  # the asker's expression
    assert "  closed form: w*x = log(t/(1 - t))   if 0 < t < 1 and x != 0\n" in seed
    assert "  closed form: every w   if x = 0\n" in seed


def test_the_seed_states_its_answer_in_one_sentence(seed):
    lines = seed.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("So: "))
    end = next(i for i in range(start, len(lines)) if lines[i].endswith("."))
    answer = " ".join(lines[start:end + 1])
    assert answer == ("So: the gradient vanishes where w*x = log(t/(1 - t)) if 0 < t < 1 and x != 0, at every w if "
                      "x = 0, and nowhere else (proved): for t <= 0 or t >= 1 (and x != 0) it only tends to 0 as "
                      "w*x -> +-oo (saturation).")
    assert answer.count(". ") == 0 and answer.count(".") == 1  # one sentence


@pytest.mark.parametrize("args", README_EXAMPLES, ids=lambda args: " ".join(args[:3]))
def test_readme_examples_have_no_sympy_syntax(args):
    out = run(*args, "--timeout", "10")
    assert not leaks(out), out


def test_an_algebraic_stationary_point_is_written_in_words():
    out = run(*README_EXAMPLES[0], "--timeout", "10")
    seven = "3*u^7 + 11*u^6 + 63*u^5 + 31*u^4 + 21*u^3 - 27*u^2 + u - 7"
    assert f"  closed form: w = -log(the only real root of {seven})\n" in out
    assert "so u* = exp(-w*) at a stationary point w* cannot be written in radicals, and w* = -log(u*)" in out
    assert "  at infinity: w -> +oo; loss -> 1/4\n" in out


w, x, t, u = sp.symbols("w x t u", real=True)
w1, w2 = sp.symbols("w1 w2", real=True)
SEVEN = 3*u**7 + 11*u**6 + 63*u**5 + 31*u**4 + 21*u**3 - 27*u**2 + u - 7


@pytest.mark.parametrize("expr, unknowns, expected", [
    (sp.Eq(w * x, sp.log(t / (1 - t))) & (0 < t) & (t < 1) & sp.Ne(x, 0), None,
     "w*x = log(t/(1 - t)) and 0 < t < 1 and x != 0"),
    (sp.Eq(x, 0) | (t > 1), None, "x = 0 or t > 1"),
    ((w < 1) & (t >= 2) & (0 < w), None, "t >= 2 and 0 < w < 1"),
    (sp.Or(sp.Eq(x, 0), sp.And(t > 0, t <= 1)), None, "x = 0 or (0 < t <= 1)"),
    (sp.Not(sp.And(x > 0, t > 0)), None, "not (t > 0 and x > 0)"),
    ((t - 1 / (1 + sp.exp(-w * x)))**2 / 2, None, "(t - 1/(1 + exp(-w*x)))^2/2"),
    (x**sp.Rational(1, 3) + x**-2 + sp.sqrt(x), None, "x^(1/3) + sqrt(x) + x^(-2)"),
    (sp.Mul(-1, w + x, evaluate=False), None, "-(w + x)"),
    (sp.Mul(w, -1, evaluate=False), None, "-w"),
    (sp.exp(sp.Mul(-1, sp.Symbol("c"), evaluate=False)), None, "exp(-c)"),
    (sp.ProductSet(sp.Reals), (w,), "every w"),
    (sp.ProductSet(sp.Reals, sp.Reals), (w1, w2), "every (w1, w2)"),
    (sp.ProductSet(sp.Reals, sp.Reals), None, "R^2"),
    (sp.Interval.open(0, 1), None, "(0, 1)"),
    (sp.Interval.Ropen(0, 1) | sp.Interval(2, sp.oo), None, "[0, 1) U [2, oo)"),
    (sp.S.EmptySet, None, "the empty set"),
    (sp.Matrix([3, 4]), None, "(3, 4)"),
    (sp.Matrix([[1, 0], [sp.Symbol("k"), 1]]), None, "[1, 0; k, 1]"),
    (sp.Matrix([[sp.I**sp.Symbol("k"), 0], [0, 1]]), None, "[i^k, 0; 0, 1]"),
    (-sp.log(sp.CRootOf(SEVEN, 0)), None,
     "-log(the only real root of 3*u^7 + 11*u^6 + 63*u^5 + 31*u^4 + 21*u^3 - 27*u^2 + u - 7)"),
    (sp.CRootOf(u**3 - 3 * u + 1, 1), None, "the 2nd smallest real root of u^3 - 3*u + 1"),
    (sp.CRootOf(u**3 - 3 * u + 1, 2), None, "the largest real root of u^3 - 3*u + 1"),
    (sp.Poly(u**2 - 2, u), None, "u^2 - 2"),
    (sp.Abs(x) + sp.Max(0, w), None, "|x| + max(0, w)"),
    (sp.Derivative(sp.Function("f")(x), x), None, "d/dx f(x)"),
    (sp.Piecewise((x, x > 0), (0, True)), None, "(x if x > 0; 0 otherwise)"),
])
def test_the_printer_writes_mathematics(expr, unknowns, expected):
    assert text(expr, unknowns=unknowns) == expected
    assert not leaks(expected)


def test_a_hand_written_product_keeps_its_order():
    s = sp.Function("s")
    readable = sp.Mul(-1, t - s(w * x), s(w * x), 1 - s(w * x), x, evaluate=False)
    assert text(readable, order="none") == "-(t - s(w*x))*s(w*x)*(1 - s(w*x))*x"
