"""Derivations compile with a real pdflatex and state the checked facts; plots have the expected artists;
the CLI writes both; rich display works."""
import os
import re
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


ARTIFACTS = os.environ.get("CLOSEDFORM_ARTIFACTS")  # .ci/run: page 1 of every document as PNG, to look at
OVERFULL = re.compile(r"Overfull \\hbox \(([0-9.]+)pt too wide\)")


def compile_latex(tmp_path, name, text):
    """pdflatex ``text``; fail on an error, an Overfull \\hbox over 1 pt or a "Missing character" in the log;
    with CLOSEDFORM_ARTIFACTS set, page 1 goes there as ``name``.png (pdftoppm)."""
    (tmp_path / f"{name}.tex").write_text(text)
    done = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
    log = (tmp_path / f"{name}.log").read_text(errors="replace")
    assert [float(x) for x in OVERFULL.findall(log) if float(x) > 1] == [], log[-3000:]
    assert "Missing character" not in log
    if ARTIFACTS:
        os.makedirs(ARTIFACTS, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                        str(tmp_path / f"{name}.pdf"), os.path.join(ARTIFACTS, name)], check=True, timeout=60)


ASKER = "-(t - sigmoid(w*x))*sigmoid(w*x)*(1 - sigmoid(w*x))*x"
DOCUMENTS = {  # every kind of document the API writes (the CLI writes the same through the same functions)
    "seed": lambda: cf.Neuron().derivation(given=ASKER),
    "two_points": lambda: cf.Neuron(data=[(1, "3/10"), (2, "9/10")]).derivation(),
    "long_polynomial": lambda: cf.Neuron(data=[(1, "3/10"), (2, "9/10"), (3, "1/7"), (-1, "2/3")]).derivation(),
    "relu": lambda: cf.Neuron("relu", data=[(1, "1/2"), (2, "1/3"), (-1, 1)]).derivation(),
    "relu_2d": lambda: cf.Neuron("relu", data=[((1, 0), 1), ((0, 1), 2), ((1, 1), -1)]).derivation(timeout=3),
    "bce_separation": lambda: cf.Neuron(loss="bce", data=[(1, 1), (2, 1)]).derivation(),
    "bce": lambda: cf.Neuron(loss="bce", data=[(1, 1), (-1, 0)]).derivation(),
    "two_d": lambda: cf.Neuron(data=[((1, 2), "1/2"), ((-1, 1), "1/3"), ((1, 1), "1/4")]).derivation(timeout=5),
    "identity_line": lambda: cf.Neuron("identity", data=[((1, 2), 1), ((2, 4), 3)]).derivation(),
    "backprop": lambda: cf.Network([2, 2, 2, 1], "sigmoid", "bce").derivation(),
    "backprop_tanh_bias": lambda: cf.Network([2, 2, 1], "tanh", "mse", bias=True).derivation(),
    "shared_fibonacci": lambda: cf.shared_weight_recursion([[1, 1], [1, 0]]).derivation(),
    "shared_jordan": lambda: cf.shared_weight_recursion([[1, 1], [0, 1]]).derivation(),
    "step_quadratic": lambda: cf.local_model(cf.Neuron("identity", data=[((1, 2), 3), ((2, -1), 1)]),
                                             at=[5, -7]).derivation(),
    "step_sigmoid": lambda: cf.local_model(cf.Neuron(data=[(1, "3/10"), (2, "9/10")]), at=[1]).derivation(),
    "population_erf": lambda: cf.Neuron("erf", data=cf.GaussianTeacher((1, "1/2"))).derivation(timeout=60),
    "population_square_orbit": lambda: cf.Neuron("square", data=cf.GaussianTeacher((1, 0, 0)), l2="1/10").derivation(
        timeout=60),
    "population_numeric": lambda: cf.Neuron("sigmoid", data=cf.GaussianTeacher((1, "1/2")),
                                            population="numeric").derivation(timeout=60),
}


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is installed by .ci/run")
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_documents_compile_cleanly(tmp_path, name):
    compile_latex(tmp_path, name, DOCUMENTS[name]().to_document())


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is installed by .ci/run")
def test_the_cli_seed_document_compiles_and_judges_the_gradient(tmp_path):
    tex = tmp_path / "cli_seed.tex"
    done = subprocess.run([sys.executable, "-m", "closedform", "analyze", "--gradient", ASKER, "--latex", str(tex)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "your gradient is correct" in done.stdout
    compile_latex(tmp_path, "cli_seed", tex.read_text())


def test_pdflatex_is_there_in_ci():
    if os.environ.get("CI") or os.environ.get("CLOSEDFORM_CI"):
        assert PDFLATEX is not None


def test_seed_document_concludes_and_checks_the_askers_gradient():
    asker = "-(t - sigmoid(w*x))*sigmoid(w*x)*(1 - sigmoid(w*x))*x"
    text = cf.Neuron().derivation(given=asker).to_latex()
    assert r"\frac{d}{d h} f{\left(h \right)} = \left(1 - f{\left(h \right)}\right) f{\left(h \right)}" in text
    # the gradient in the form written by hand, and the asker's own expression judged correct
    assert r"\nabla_{w} E = - \left(t - s(w x)\right) s(w x) \left(1 - s(w x)\right) x" in text
    assert "Your gradient is correct" in text
    assert r"w x = \log{\left(\frac{t}{1 - t} \right)} : \text{if } 0 < t \wedge t < 1 \wedge x \neq 0" in text
    # t outside (0, 1), and the limits at infinity: E -> t^2/2 as w x -> -oo, (t - 1)^2/2 as w x -> +oo
    assert r"t \in \left(-\infty, 0\right] \cup \left[1, \infty\right)" in text
    assert r"E \to \frac{t^{2}}{2}" in text and r"E \to \frac{\left(t - 1\right)^{2}}{2}" in text
    assert text.rstrip().endswith(r"\[ S = \text{complete on } \mathbb{R}^{1} \]")


def test_a_wrong_gradient_is_named_with_a_witness():
    text = cf.Neuron().derivation(given="-(t - sigmoid(w*x))*sigmoid(w*x)*x").to_latex()
    assert "Your gradient differs from the true one: not equal: at" in text and r"\text{yours} \neq" in text


def test_two_point_document_names_the_root_and_gives_its_value():
    text = cf.Neuron(data=[(1, "3/10"), (2, "9/10")]).stationary_points().derivation().to_latex()
    assert r"P(u) = 3 u^{7} + 11 u^{6} + 63 u^{5} + 31 u^{4} + 21 u^{3} - 27 u^{2} + u - 7" in text
    assert r"w^{*} = - \log{\left(\rho \right)}" in text
    assert r"\rho : \text{the 1st positive root of } 3 u^{7}" in text
    assert r"w^{*} \approx 0.4641455805" in text  # the minimum (tests/test_no_false_proof.py derives it)
    assert "CRootOf" not in text and "operatorname" not in text


def test_a_long_polynomial_is_broken_over_lines_and_named_before_use():
    text = DOCUMENTS["long_polynomial"]().to_latex()
    # P has degree 13, far wider than a line: broken after a sign into an aligned block
    assert r"\begin{aligned} P(u) = {} & 133 u^{13} - 308 u^{12}" in text and r"\\ & \quad + " in text
    assert text.index("P(u) = {}") < text.index(r"\text{the 1st positive root of } P(u)")


def test_cross_entropy_derivation_shows_the_cancellation():
    text = cf.Neuron(loss="bce").derivation().to_latex()
    assert r"\[ g = s - t \]" in text and "no division by zero" in text


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
    assert r._repr_latex_().startswith("The model: one neuron") and r"\intertext" not in r._repr_latex_()
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


def test_two_dimensional_plot_has_contours_points_and_arrows(solved):
    # the same run as test_plots' numbered zeros at infinity (shared: solved)
    r = solved({"timeout": 30}, data=[((1, 0), "1/5"), ((0, 1), "7/10"), ((1, 1), "1/2")])
    fig = r.plot()
    ax = fig.axes[0]
    assert len(_markers(ax)) == len(r.points) >= 1
    # 3 lines through 0 make 6 open cells, and each line holds a ray both ways (sigmoid + mse: every saturated g
    # tends to 0), so 6 + 6 zeros at infinity
    assert len([c for c in ax.get_children() if getattr(c, "get_gid", lambda: None)() == "asymptote"]) == len(r.asymptotic) == 12
    assert sum(a.finite_part is not None for a in r.asymptotic) == 6
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


def test_step_derivation_states_the_exact_newton_point_and_zero_gradient():
    latex = cf.local_model(cf.Neuron("identity", dim=2, data=[((1, 2), 3), ((2, -1), 1), ((3, 1), 2)]),
                           at=[5, -7]).derivation().to_latex()
    assert r"\frac{3}{5} & \frac{13}{15}" in latex and "exactly, in rational arithmetic" in latex
    assert r"m_1(s) = 218 - 2600 s" in latex  # E(w0) = 218, |g|^2 = 38^2 + 34^2 = 2600, by hand


def test_escaping_keeps_carets_and_dollars_out_of_math_mode():
    d = Derivation("t")
    d.statement("W^T costs $5", sp.Symbol("a"), 1)
    assert r"W\textasciicircum{}T costs \$5" in d.to_latex()


def test_population_derivation_checks_the_reduced_gradient_and_concludes():
    text = DOCUMENTS["population_erf"]().to_latex()
    assert "Williams (1998)" in text and "Price's theorem" in text
    assert r"\nabla_{w} L = 2\,F_q\,w + F_r\,v" in text   # checked against the gradient in the weights
    assert r"2\alpha F_q + F_r = 0" in text and r"F_q = F_r = 0" in text
    assert r"w^{*} = \left( 1, \  \frac{1}{2}\right)" in text
    assert text.rstrip().endswith(r"\[ S = \text{complete on } \mathbb{R}^{2} \]")
    numeric = DOCUMENTS["population_numeric"]().to_latex()
    assert "every number below is numeric" in numeric and r"\text{not proved complete}" in numeric


def test_derivation_prints_decimal_points_to_their_own_digits():
    """sigmoid + mse, bias, x = 0 -> 1/4, x = 1 -> 3/4: w* = (2 log 3, -log 3) (by hand; tests/test_wholespace.py).
    The 20 digits shown are the point's: 2 log 3 = 2.19722457733621938279..., not a 15-digit float padded out
    (2.1972245773362195642 before the fix)."""
    text = cf.Neuron("sigmoid", "mse", bias=True, data=[(0, "1/4"), (1, "3/4")]).derivation().to_markdown()
    assert "2.1972245773362193828" in text and "-1.0986122886681096914" in text
