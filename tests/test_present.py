"""Derivations compile with a real pdflatex and state the checked facts; plots have the expected artists;
the CLI writes both; rich display works."""
import shutil
import subprocess
import sys

import matplotlib
import pytest
import sympy as sp

import closedform as cf
from closedform.present.derivation import Derivation, DerivationError

matplotlib.use("Agg")

PDFLATEX = shutil.which("pdflatex")


def compile_latex(tmp_path, name, text):
    (tmp_path / f"{name}.tex").write_text(text)
    done = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is installed by .ci/run")
@pytest.mark.parametrize("name, kwargs", [
    ("seed", dict()),
    ("two_points", dict(data=[(1, "3/10"), (2, "9/10")])),
    ("bce", dict(loss="bce", data=[(1, 1), (-1, 0)])),
    ("relu_2d", dict(activation="relu", data=[((1, 0), 1), ((0, 1), 2), ((1, 1), -1)])),
    ("identity_line", dict(activation="identity", data=[((1, 2), 1), ((2, 4), 3)])),
])
def test_documents_compile(tmp_path, name, kwargs):
    result = cf.Neuron(**kwargs).stationary_points(timeout=3)
    compile_latex(tmp_path, name, result.derivation().to_document())


def test_pdflatex_is_there_in_ci():
    import os
    if os.environ.get("CI"):
        assert PDFLATEX is not None


def test_seed_document_states_the_simplified_gradient_and_the_logit_solution():
    text = cf.Neuron().stationary_points().derivation().to_latex()
    assert r"\frac{d}{d h} f{\left(h \right)} &= \left(1 - f{\left(h \right)}\right) f{\left(h \right)}" in text
    assert r"w x = \log{\left(\frac{t}{1 - t} \right)} &: \text{if } 0 < t \wedge t < 1 \wedge x \neq 0" in text
    # (f - t) f (1 - f), as SymPy factors it
    assert r"g &= - \left(- t + f{\left(h \right)}\right) \left(f{\left(h \right)} - 1\right) f{\left(h \right)}" in text


def test_two_point_document_contains_the_degree_seven_polynomial():
    text = cf.Neuron(data=[(1, "3/10"), (2, "9/10")]).stationary_points().derivation().to_latex()
    assert r"P(u) &= 3 u^{7} + 11 u^{6} + 63 u^{5} + 31 u^{4} + 21 u^{3} - 27 u^{2} + u - 7" in text


def test_cross_entropy_derivation_shows_the_cancellation():
    text = cf.Neuron(loss="bce").derivation().to_latex()
    assert r"g &= - t + f{\left(h \right)}" in text and "no division by zero" in text


def test_a_false_step_is_refused():
    d = Derivation("wrong")
    with pytest.raises(DerivationError, match="does not check"):
        h = sp.Symbol("h", real=True)
        d.equation("a wrong identity", sp.diff(1 / (1 + sp.exp(-h)), h), 1 / (1 + sp.exp(-h)))
    assert d.steps == []


def test_markdown_and_rich_display():
    p = cf.Neuron()
    r = p.stationary_points()
    assert r.derivation().to_markdown().startswith("### Stationary points: sigmoid neuron, mse loss, dim 1")
    assert r._repr_latex_().startswith(r"\begin{align*}")
    assert p._repr_latex_().startswith(r"$\displaystyle y = f(\mathbf{w}\cdot\mathbf{x})")
    html = cf.Neuron(data=[(1, "3/10"), (2, "9/10")]).stationary_points()._repr_html_()
    assert html.count("<tr>") == 2 and "<td>min</td>" in html and "0.464145580553" in html


def _markers(axes):
    return [line for line in axes.get_lines() if line.get_gid() == "stationary-point"]


def test_one_dimensional_plot_marks_every_point_and_both_limits():
    r = cf.Neuron(data=[(1, "1/10"), (-10, "1/10"), (100, "9/10")]).stationary_points()
    fig = r.plot()
    top = fig.axes[0]
    assert [line.get_marker() for line in _markers(top)] == ["o", "^", "o"]
    assert len([line for line in top.get_lines() if line.get_gid() == "asymptote"]) == 2
    assert top.get_legend() is not None


def test_two_dimensional_plot_has_contours_points_and_arrows():
    r = cf.Neuron(data=[((1, 0), "1/5"), ((0, 1), "7/10"), ((1, 1), "1/2")]).stationary_points(timeout=10)
    fig = r.plot()
    ax = fig.axes[0]
    assert len(_markers(ax)) == len(r.points) >= 1
    assert len([c for c in ax.get_children() if getattr(c, "get_gid", lambda: None)() == "asymptote"]) == len(r.asymptotic) == 6
    assert ax.get_xlabel() == "w1" and ax.get_ylabel() == "w2"


def test_relu_plot_shades_the_flat_region():
    fig = cf.Neuron("relu", data=[(1, 1), (2, 3)]).stationary_points().plot()
    assert any(p.get_gid() == "flat" for p in fig.axes[0].patches)


def test_symbolic_data_cannot_be_plotted():
    with pytest.raises(ValueError, match="plots need concrete data"):
        cf.Neuron().stationary_points().plot()


def test_cli_writes_latex_and_plot(tmp_path):
    tex, png = tmp_path / "d.tex", tmp_path / "d.png"
    done = subprocess.run([sys.executable, "-m", "closedform", "analyze", "--data", "1:3/10; 2:9/10", "--latex",
                           str(tex), "--plot", str(png)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert tex.read_text().startswith(r"\documentclass")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is installed by .ci/run")
@pytest.mark.parametrize("name, make", [
    ("backprop_sigmoid_bce", lambda: cf.Network([2, 2, 2, 1], "sigmoid", "bce").derivation()),
    ("backprop_tanh_bias", lambda: cf.Network([2, 2, 1], "tanh", "mse", bias=True).derivation()),
    ("shared_fibonacci", lambda: cf.shared_weight_recursion([[1, 1], [1, 0]]).derivation()),
    ("shared_jordan", lambda: cf.shared_weight_recursion([[1, 1], [0, 1]]).derivation()),
    ("step_quadratic", lambda: cf.local_model(cf.Neuron("identity", data=[((1, 2), 3), ((2, -1), 1)]),
                                              at=[5, -7]).derivation()),
    ("step_sigmoid", lambda: cf.local_model(cf.Neuron(data=[(1, "3/10"), (2, "9/10")]), at=[1]).derivation()),
])
def test_network_and_step_documents_compile(tmp_path, name, make):
    compile_latex(tmp_path, name, make().to_document())


def test_step_derivation_states_the_exact_newton_point_and_zero_gradient():
    latex = cf.local_model(cf.Neuron("identity", dim=2, data=[((1, 2), 3), ((2, -1), 1), ((3, 1), 2)]),
                           at=[5, -7]).derivation().to_latex()
    assert r"\frac{3}{5} & \frac{13}{15}" in latex and "exactly, in rational arithmetic" in latex
    assert r"m_1(s) &= 218 - 2600 s" in latex  # E(w0) = 218, |g|^2 = 38^2 + 34^2 = 2600, by hand


def test_escaping_keeps_carets_and_dollars_out_of_math_mode():
    d = Derivation("t")
    d.statement("W^T costs $5", sp.Symbol("a"), 1)
    assert r"W\^{}T costs \$5" in d.to_latex()
