"""Every public result object has a short ``__repr__`` that states its key fact, and a ``_repr_latex_`` that holds
the expected formula pieces. The values are derived by hand here (the docstrings say how), not read back from
the solver; tests/test_mathjax.py checks that MathJax typesets the same displays without an error."""
import mpmath
import pytest
import sympy as sp

import closedform as cf
from closedform.network import BackpropCheck
from closedform.printing import brief, brief_tuple, latex_display, latex_text, short_repr

FORBIDDEN = ("Matrix(", "Eq(", "Ne(", "Interval", "ProductSet", "CRootOf(", "mpf(", "array(", "**", "Poly(",
             "<Kind.", "<Scope.")
u = sp.Symbol("u")


def check_display(obj, *pieces):
    """The repr is one short line without SymPy's constructors; the LaTeX is a $-delimited display without
    align*/\\intertext (MathJax lacks \\intertext) and holds each of ``pieces``."""
    shown = repr(obj)
    assert len(shown) <= 120 and "\n" not in shown, shown
    assert not [f for f in FORBIDDEN if f in shown], shown
    tex = obj._repr_latex_()
    assert tex.startswith("$") and tex.endswith("$"), tex
    assert r"\intertext" not in tex and "align*" not in tex and "CRootOf" not in tex, tex
    missing = [piece for piece in pieces if piece not in tex]
    assert not missing, f"{missing} not in {tex}"
    return shown, tex


@pytest.fixture(scope="module")
def two_points():
    return cf.Neuron("sigmoid", "mse", data=[(1, "1/2"), (2, "1/3")]).stationary_points()


@pytest.fixture(scope="module")
def seven():
    """By hand, with u = exp(-w), s(w) = 1/(1 + u), s'(w) = u/(1 + u)^2, s(2w) = 1/(1 + u^2):
    dE/dw = u(1 - u)/(2(1 + u)^3) + 2u^2(2 - u^2)/(3(1 + u^2)^3); times 6(1 + u)^3(1 + u^2)^3/u this is
    3(1 - u)(1 + u^2)^3 + 4u(2 - u^2)(1 + u)^3 = -P(u). Returns P and the stationary point w = -log(u*)."""
    P = sp.Poly(sp.expand(-(3 * (1 - u) * (1 + u**2) ** 3 + 4 * u * (2 - u**2) * (1 + u) ** 3)), u)
    with mpmath.workdps(30):
        root = mpmath.findroot(lambda v: P.eval(sp.Float(v, 30)), mpmath.mpf("1.3"))
        w = -mpmath.log(root)
        s = lambda h: 1 / (1 + mpmath.exp(-h))  # noqa: E731
        loss = (s(w) - mpmath.mpf(1) / 2) ** 2 / 2 + (s(2 * w) - mpmath.mpf(1) / 3) ** 2 / 2
    return P, w, loss


def test_printing_helpers():
    assert brief(mpmath.mpf("-0.26909881735295014")) == "-0.26909882"
    assert brief(sp.Rational(3, 5)) == "3/5" and brief(mpmath.mpf("0.6")) == "0.6" and brief(sp.oo) == "oo"
    assert brief_tuple([1, sp.Rational(1, 3)]) == "(1, 1/3)"
    assert brief_tuple(range(6)) == "(0, 1, 2, ... (6 coordinates))"
    assert latex_text("w -> +oo") == r"\text{w } \to \text{ } +\infty"
    assert latex_text("x_1 <= 50%") == r"\text{x} \_ \text{1 } \le \text{ 50} \%"
    assert latex_display("a") == r"$\displaystyle a$"
    assert latex_display("a", "b") == r"$$\begin{aligned}& a \\ & b\end{aligned}$$"
    assert short_repr(object(), "x" * 200).endswith("...)") and len(short_repr(object(), "x" * 200)) == 120


def test_the_two_point_minimum(two_points, seven):
    P, w, loss = seven
    assert P == sp.Poly(3 * u**7 + u**6 + 21 * u**5 - 5 * u**4 - 11 * u**3 - 33 * u**2 - 5 * u - 3, u)
    (point,) = two_points.points
    w8, loss8 = mpmath.nstr(w, 8), mpmath.nstr(loss, 8)
    assert (w8, loss8) == ("-0.26909882", "0.0028580233")
    shown, _ = check_display(point, r"w^{*} = - \log", r"\text{the only real root of } 3 u^{7} + u^{6} + 21 u^{5} - 5 "
                             r"u^{4} - 11 u^{3} - 33 u^{2} - 5 u - 3", rf"\approx {w8}", rf"E(w^{{*}}) \approx {loss8}",
                             r"\text{(min, certified)}")
    assert shown == f"StationaryPoint(min, certified, w = ({w8}), loss = {loss8})"
    (form,) = two_points.closed_form
    shown, _ = check_display(form, r"w = - \log{\left(\left[\text{the only real root of } 3 u^{7}")
    assert shown.startswith("ClosedForm(w = -log(the only real root of 3*u^7 + u^6 + 21*u^5")


def test_the_two_point_zeros_at_infinity(two_points):
    """w -> +oo: s(w), s(2w) -> 1, E -> (1/2)^2/2 + (2/3)^2/2 = 25/72; w -> -oo: E -> (1/2)^2/2 + (1/3)^2/2 = 13/72."""
    by_direction = {a.direction: a for a in two_points.asymptotic}
    shown, _ = check_display(by_direction[(1,)], r"E \to \frac{25}{72}", r"w \to +\infty", r"\nabla E \to 0")
    assert shown == "Asymptote(w -> +oo, loss -> 25/72)"
    shown, _ = check_display(by_direction[(-1,)], r"E \to \frac{13}{72}", r"w \to -\infty")
    assert shown == "Asymptote(w -> -oo, loss -> 13/72)"


def test_the_two_point_obstruction_certificate_and_reduction(two_points, seven):
    P, _, _ = seven
    P_tex = sp.latex(P.as_expr())
    shown, _ = check_display(two_points.obstruction, rf"\operatorname{{Gal}}\left({P_tex}\right) \cong S_{{7}}",
                             "not solvable")
    assert shown == "Obstruction(galois, Galois group S7 of a degree-7 factor, not solvable)"
    shown, _ = check_display(two_points.certificate, rf"P(u) = {P_tex}", r"\#\{u > 0 : P(u) = 0\} = 1",
                             r"\text{complete on the whole space, proved by exact-roots:}")
    assert shown.startswith("Certificate(exact-roots, global, checked: ")
    shown, _ = check_display(two_points.reduction, r"u = e^{- c}", rf"\iff {P_tex} = 0,\ u > 0")
    assert shown.startswith("Reduction(u = exp(-c), degree 7, P(u) = 3*u^7 + u^6")


def test_the_seed_closed_forms():
    """One symbolic datapoint: s(wx) = t, i.e. w x = log(t/(1 - t)) for 0 < t < 1 (and x != 0); x = 0: every w."""
    result = cf.Neuron("sigmoid", "mse").stationary_points()
    hyperplane, everything = result.closed_form
    shown, _ = check_display(hyperplane, r"w x = \log{\left(\frac{t}{1 - t} \right)}", r"\quad \text{if } ",
                             r"x \neq 0")
    assert shown.startswith("ClosedForm(w*x = log(t/(1 - t)) if 0 < t < 1")
    shown, _ = check_display(everything, r"\mathbf{w} \in \mathbb{R}", r"\text{if } x = 0")
    assert shown == "ClosedForm(w in R if x = 0)"
    shown, _ = check_display(result.certificate, r"\text{complete on the whole space, proved by one-point:}")
    assert shown.startswith("Certificate(one-point, global")


def test_the_relu_points_and_flat_set():
    """w > 0: only x = 1 is active, E = (w - 1/2)^2/2 + (1/3)^2/2, so w = 1/2 with E = 1/18; w < 0: only x = -2
    is active, E = (1/2)^2/2 + (-2w - 1/3)^2/2, so w = -1/6 with E = 1/8."""
    result = cf.Neuron("relu", "mse", data=[(1, "1/2"), (-2, "1/3")]).stationary_points()
    by_w = {p.exact: p for p in result.points}
    shown, tex = check_display(by_w[sp.Rational(1, 2)], r"w^{*} = \frac{1}{2} \qquad E(w^{*}) \approx 0.055555556",
                               r"\text{(min)}")
    assert shown == "StationaryPoint(min, w = (0.5), loss = 0.055555556)" and tex.count(r"\approx") == 1
    shown, _ = check_display(by_w[sp.Rational(-1, 6)], r"w^{*} = - \frac{1}{6} \qquad E(w^{*}) \approx 0.125")
    assert shown == "StationaryPoint(min, w = (-0.16666667), loss = 0.125)"
    (flat,) = result.regions
    shown, _ = check_display(flat, r"w \leq 0", r"\text{(flat set)}")
    assert shown.startswith("Region(flat set, ")


def test_separable_cross_entropy_has_only_a_zero_at_infinity():
    """Both targets 1: dE/dw = -(u/(1 + u)) - 2u^2/(1 + u^2) < 0 with u = exp(-w) > 0; times -(1 + u)(1 + u^2)/u
    this is 3u^2 + 2u + 1, which has no positive root; E -> 0 as w -> +oo."""
    result = cf.Neuron("sigmoid", "bce", data=[(1, 1), (2, 1)]).stationary_points()
    assert sp.expand(sp.cancel((u * (1 + u**2) + 2 * u**2 * (1 + u)) / u)) == 3 * u**2 + 2 * u + 1
    assert result.points == []
    (limit,) = result.asymptotic
    shown, _ = check_display(limit, r"E \to 0", r"w \to +\infty")
    assert shown == "Asymptote(w -> +oo, loss -> 0)"
    check_display(result.certificate, r"P(u) = 3 u^{2} + 2 u + 1", r"\#\{u > 0 : P(u) = 0\} = 0")


def test_two_dimensional_point_and_certificate():
    """Normal equations X^T X w = X^T t: [[14, 3], [3, 6]] w = (11, 7), det 75, w = (3/5, 13/15); the residuals
    t - w.x are 2/3, 2/3, -2/3, so E = (3 * 4/9)/2 = 2/3."""
    result = cf.Neuron("identity", "mse", dim=2, data=[((1, 2), 3), ((2, -1), 1), ((3, 1), 2)]).stationary_points()
    (point,) = result.points
    shown, _ = check_display(point, r"\mathbf{w}^{*} = \left( \frac{3}{5}, \  \frac{13}{15}\right)",
                             r"E(\mathbf{w}^{*}) \approx 0.66666667")
    assert shown == "StationaryPoint(min, certified, w = (0.6, 0.86666667), loss = 0.66666667)"
    check_display(result.certificate, r"A = \left[\begin{matrix}14 & 3\\3 & 6\end{matrix}\right]",
                  r"b = \left[\begin{matrix}11\\7\end{matrix}\right]", r"\det A = 75")
    (form,) = result.closed_form
    shown, _ = check_display(form, r"w_{1} = \frac{3}{5} \wedge w_{2} = \frac{13}{15}")
    assert shown == "ClosedForm(w1 = 3/5 and w2 = 13/15)"


def test_a_stationary_line_in_two_dimensions():
    """The two points on the line x2 = 2 x1: the stationary set is the line w1 + 2 w2 = c*, a minimum across it;
    the zeros at infinity run along v = (1, 2)/5 (c = w.v * 5 -> +oo: E -> (3/10 - 1)^2/2 + (9/10 - 1)^2/2 = 1/4)."""
    result = cf.Neuron("sigmoid", "mse", data=[((1, 2), "3/10"), ((2, 4), "9/10")]).stationary_points()
    (line,) = result.regions
    shown, _ = check_display(line, r"w_{1} + 2 w_{2} = - \log", r"\text{(affine set, min along the data span)}")
    assert shown.startswith("Region(affine set, min along the data span, w1 + 2*w2 = -log(the only real root of ")
    up = next(a for a in result.asymptotic if a.direction[0] > 0)
    shown, _ = check_display(up, r"E \to \frac{1}{4}", r"\mathbf{v} = \left( \frac{1}{5}, \  \frac{2}{5}\right)")
    assert shown == "Asymptote(w1 + 2*w2 -> +oo, loss -> 1/4)"


def test_network_and_backprop_check():
    network = cf.Network([2, 2, 2, 1], activation="sigmoid", loss="bce")
    check = network.check_backprop()
    shown, _ = check_display(network, r"f(h) = \frac{1}{1 + e^{- h}}", r"2 \to 2 \to 2 \to 1", r"\ell = \text{bce}",
                             r"\delta_i = \left(W_{i+1}^{T} \delta_{i+1}\right) \circ f'(h_i)")
    assert shown == "Network(widths=[2, 2, 2, 1], activation='sigmoid', loss='bce', bias=False)"
    shown, _ = check_display(check, r"\frac{\partial J}{\partial W_i} = \delta_i z_{i-1}^{T}", "for all 10 parameters")
    assert shown == "BackpropCheck(equal, 10 parameters checked)"  # 2*2 + 2*2 + 1*2 weights
    wrong = BackpropCheck(False, 10, sp.Symbol("W1_11", real=True), mpmath.mpf("0.25"), mpmath.mpf("0.5"))
    shown, _ = check_display(wrong, r"0.25 \ne 0.5")
    assert shown == "BackpropCheck(not equal at W1_11, recursion 0.25, direct 0.5)"


def test_local_models():
    """At w0 = (5, -7) the residuals t - w0.x are 12, -16, -6: E = (144 + 256 + 36)/2 = 218 and
    g = -(12 (1, 2) - 16 (2, -1) - 6 (3, 1)) = (38, -34); the Newton point is the least-squares solution."""
    line = cf.Neuron("identity", "mse", dim=2, data=[((1, 2), 3), ((2, -1), 1), ((3, 1), 2)])
    model = cf.local_model(line, at=[5, -7])
    shown, _ = check_display(model, r"\mathbf{w}_0 = \left( 5, \  -7\right)", r"E(\mathbf{w}_0) = 218",
                             r"\nabla E(\mathbf{w}_0) = \left( 38, \  -34\right)",
                             r"H^{-1} g = \left( \frac{3}{5}, \  \frac{13}{15}\right)",
                             r"\nabla E = \left( 0, \  0\right)")
    assert shown == "LocalModel(at (5, -7), E = 218, Newton point (3/5, 13/15) is stationary)"
    sigmoid = cf.local_model(cf.Neuron("sigmoid", "mse", data=[(1, "3/10"), (2, "9/10")]), at=[1])
    shown, tex = check_display(sigmoid, r"\mathbf{w}_0 = 1", r"E(\mathbf{w}_0) \approx 0.09309012", "relative error")
    assert shown.startswith("LocalModel(at (1), E = 0.0930901") and "is stationary" not in shown
    assert len(repr(sigmoid)) < 120  # it used to print the five sampled arrays (5 KB)


def test_shared_weight_recursions():
    """W = [[1, 1], [1, 0]] gives Binet's formula (powers of (1 +- sqrt 5)/2); the shear [[1, 1], [0, 1]] has
    (W^T)^k = [[1, 0], [k, 1]]."""
    fibonacci = cf.shared_weight_recursion([[1, 1], [1, 0]])
    shown, _ = check_display(fibonacci, r"W = \left[\begin{matrix}1 & 1\\1 & 0\end{matrix}\right]",
                             r"\left(W^{T}\right)^{k} = ", r"\frac{\sqrt{5}}{2}", "diagonalisable")
    assert shown == "SharedWeightRecursion(W = [1, 1; 1, 0], diagonalisable)"
    shear = cf.shared_weight_recursion([[1, 1], [0, 1]])
    shown, _ = check_display(shear, r"\left(W^{T}\right)^{k} = \left[\begin{matrix}1 & 0\\k & 1\end{matrix}\right]",
                             "not diagonalisable")
    assert shown == "SharedWeightRecursion(W = [1, 1; 0, 1], not diagonalisable, Jordan form [1, 1; 0, 1])"


def test_gradient_checks():
    """The wrong candidate drops the factor (1 - s): at the witness point the true gradient -(t - s) s (1 - s) x
    and the candidate's -(t - s) s x are computed here by hand."""
    neuron = cf.Neuron("sigmoid", "mse")
    right = cf.check_gradient(neuron, "-(t - sigmoid(w*x))*sigmoid(w*x)*(1 - sigmoid(w*x))*x")
    shown, _ = check_display(right, r"\text{candidate} = \nabla E", "symbolic")
    assert shown == "GradientCheck(equal, symbolic)"
    wrong = cf.check_gradient(neuron, "-(t - sigmoid(w*x))*sigmoid(w*x)*x")
    t, w, x = (sp.Rational(wrong.point[name]) for name in ("t", "w", "x"))
    s = 1 / (1 + sp.exp(-w * x))
    expected, given = brief(-(t - s) * s * (1 - s) * x), brief(-(t - s) * s * x)
    shown, _ = check_display(wrong, r"\ne", r"\nabla E \approx", f"t = {sp.latex(t)}")
    assert shown.startswith("GradientCheck(not equal, numeric, at t = ")
    assert f"gradient ({expected}), candidate ({given})" in shown
