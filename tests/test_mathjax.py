"""Every rich display is typeset by the real MathJax (npm package mathjax-full 3.2.2, run by node on
tests/mathjax/typeset.mjs) and no formula produces an error node.

The displays: every ``_repr_latex_``, ``_repr_markdown_`` and ``_repr_html_`` of representative objects built
through the public API (a neuron, its derivation, the results of six problems and every part of them, a network
and its backpropagation check, local models, shared-weight recursions, gradient checks), and every text/latex,
text/markdown and text/html output and Markdown cell stored in notebooks/*.ipynb. They go to ONE node process
(its start-up costs about half a second), which finds the math the way Jupyter does and reports each merror
node (TeX errors, undefined macros such as \\intertext) with its formula. Known-bad controls ride in the same
batch, so a checker that saw nothing would fail here too.

And one notebook, executed afresh and exported to HTML that loads this local MathJax, is opened in headless
Chromium (tests/mathjax/screenshot.py): the screenshot is not blank and the typeset page has no error node and
no raw TeX.

Without node, tests/mathjax/node_modules, Chromium or nbconvert the tests skip, unless CI or CLOSEDFORM_CI is set
(.ci/run sets it and installs them all): then they fail."""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pytest

import closedform as cf

ROOT = Path(__file__).resolve().parent.parent
MATHJAX = ROOT / "tests" / "mathjax"
SCRIPT = MATHJAX / "typeset.mjs"
SCREENSHOT = MATHJAX / "screenshot.py"
NODE = shutil.which("node")
IN_CI = bool(os.environ.get("CI") or os.environ.get("CLOSEDFORM_CI"))
METHODS = (("_repr_latex_", "text/latex"), ("_repr_markdown_", "text/markdown"), ("_repr_html_", "text/html"))
# every public result type must show up among the displays with a _repr_latex_
RESULT_TYPES = ("Neuron", "Derivation", "StationarySet", "StationaryPoint", "ClosedForm", "Region", "Asymptote",
                "Obstruction", "Certificate", "Reduction", "Network", "BackpropCheck", "LocalModel",
                "SharedWeightRecursion", "GradientCheck")


@dataclass(frozen=True)
class Display:
    group: str  # "objects", "derivations", "notebooks" or "controls"
    name: str  # what made it: the object and the method, or the notebook cell
    kind: str  # the type of the object ("" for notebooks)
    mime: str
    text: str


def mathjax_missing() -> str:
    if NODE is None:
        return "node is not installed"
    if not (MATHJAX / "node_modules" / "mathjax-full").is_dir():
        return "tests/mathjax/node_modules is missing: run `npm ci` in tests/mathjax"
    return ""


def require(missing: str):
    """Skip for ``missing`` (a reason, or "" when nothing is missing); under CI fail instead."""
    if missing:
        if IN_CI:
            pytest.fail(f"{missing}; under CI (.ci/run) the MathJax checks must run")
        pytest.skip(f"{missing} (.ci/run installs it; with CI=1 this is a failure)")


# --- what is displayed ------------------------------------------------------------------------------------------

PROBLEMS = {  # name -> (Neuron arguments, stationary_points arguments)
    "seed": (dict(activation="sigmoid", loss="mse"), {}),
    "two points": (dict(activation="sigmoid", loss="mse", data=[(1, "1/2"), (2, "1/3")]), {}),
    "relu": (dict(activation="relu", loss="mse", data=[(1, "1/2"), (-2, "1/3")]), {}),
    "bce separable": (dict(activation="sigmoid", loss="bce", data=[(1, 1), (2, 1)]), {}),
    "2-D on a line": (dict(activation="sigmoid", loss="mse", data=[((1, 2), "3/10"), ((2, 4), "9/10")]), {}),
    "2-D identity": (dict(activation="identity", loss="mse", dim=2, data=[((1, 2), 3), ((2, -1), 1), ((3, 1), 2)]),
                     {}),
    "2-D spanning": (dict(activation="sigmoid", loss="mse", data=[((1, 0), "1/5"), ((0, 1), "7/10"), ((1, 1), "1/2")]),
                     dict(timeout=2)),
}


def objects():
    """(group, name, object) for every object whose displays are checked; a StationarySet counts as a
    derivation, since its LaTeX display is its derivation."""
    neuron = cf.Neuron("sigmoid", "mse")
    yield "objects", "Neuron('sigmoid', 'mse')", neuron
    yield "derivations", "Neuron('sigmoid', 'mse').derivation()", neuron.derivation()
    for name, (arguments, options) in PROBLEMS.items():
        result = cf.Neuron(**arguments).stationary_points(**options)
        yield "derivations", f"{name}: stationary_points()", result
        yield "derivations", f"{name}: derivation()", result.derivation()
        parts = {"points": result.points, "closed_form": result.closed_form, "regions": result.regions,
                 "asymptotic": result.asymptotic}
        for field, items in parts.items():
            for i, item in enumerate(items):
                yield "objects", f"{name}: {field}[{i}]", item
        for field in ("obstruction", "certificate", "reduction"):
            if getattr(result, field) is not None:
                yield "objects", f"{name}: {field}", getattr(result, field)
    network = cf.Network([2, 2, 2, 1], activation="sigmoid", loss="bce")
    check = network.check_backprop()
    yield "objects", "Network([2, 2, 2, 1], sigmoid, bce)", network
    yield "objects", "Network([2, 2, 2, 1], sigmoid, bce).check_backprop()", check
    yield "derivations", "Network([2, 2, 2, 1], sigmoid, bce).derivation()", network.derivation(check)
    biased = cf.Network([1, 2, 1], activation="tanh", loss="mse", bias=True)
    yield "objects", "Network([1, 2, 1], tanh, mse, bias)", biased
    yield "derivations", "Network([1, 2, 1], tanh, mse, bias).derivation()", biased.derivation()
    line = cf.Neuron("identity", "mse", dim=2, data=[((1, 2), 3), ((2, -1), 1), ((3, 1), 2)])
    sigmoid = cf.Neuron("sigmoid", "mse", data=[(1, "3/10"), (2, "9/10")])
    for name, model in (("local_model(identity, at=[5, -7])", cf.local_model(line, at=[5, -7])),
                        ("local_model(sigmoid, at=[1])", cf.local_model(sigmoid, at=[1]))):
        yield "objects", name, model
        yield "derivations", f"{name}.derivation()", model.derivation()
    for W in ([[1, 1], [1, 0]], [[1, 1], [0, 1]]):
        recursion = cf.shared_weight_recursion(W)
        yield "objects", f"shared_weight_recursion({W})", recursion
        yield "derivations", f"shared_weight_recursion({W}).derivation()", recursion.derivation()
    yield "objects", "check_gradient(right)", cf.check_gradient(
        neuron, "-(t - sigmoid(w*x))*sigmoid(w*x)*(1 - sigmoid(w*x))*x")
    yield "objects", "check_gradient(wrong)", cf.check_gradient(neuron, "-(t - sigmoid(w*x))*sigmoid(w*x)*x")


def object_displays():
    for group, name, obj in objects():
        for method, mime in METHODS:
            show = getattr(obj, method, None)
            shown = show() if show is not None else None
            if shown is not None:  # IPython reads None as "no such display"
                yield Display(group, f"{name} ({type(obj).__name__}).{method}", type(obj).__name__, mime, shown)


def notebook_displays():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for c, cell in enumerate(notebook.cells):
            where = f"{path.relative_to(ROOT)} cell {c}"
            if cell.cell_type == "markdown":
                yield Display("notebooks", f"{where} (Markdown cell)", "", "text/markdown", cell.source)
            for o, output in enumerate(cell.get("outputs", [])):
                for mime in ("text/latex", "text/markdown", "text/html"):
                    if mime in output.get("data", {}):
                        shown = output["data"][mime]
                        shown = "".join(shown) if isinstance(shown, list) else shown
                        yield Display("notebooks", f"{where} output {o} {mime}", "", mime, shown)


CONTROLS = [  # (text/latex, the error MathJax must report)
    (r"\begin{align*}\intertext{words} a &= b \end{align*}", r"Undefined control sequence \intertext"),
    (r"$x^2^3$", "Double exponent: use braces to clarify"),
    (r"$\frac{1}$", r"Missing argument for \frac"),
    (r"$$\left( x $$", r"Extra \left or missing \right"),
]


@pytest.fixture(scope="module")
def typeset():
    """[(Display, MathJax's report)] for every display, from one node process."""
    require(mathjax_missing())
    displays = list(object_displays()) + list(notebook_displays())
    displays += [Display("controls", f"control {i}", "", "text/latex", tex) for i, (tex, _) in enumerate(CONTROLS)]
    done = subprocess.run([NODE, str(SCRIPT)], input=json.dumps([{"mime": d.mime, "text": d.text} for d in displays]),
                          capture_output=True, text=True, timeout=600, cwd=MATHJAX, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    reports = json.loads(done.stdout)
    assert len(reports) == len(displays)
    return list(zip(displays, reports))


def errors(typeset, group):
    """One line per error node of the displays in ``group``: the display, MathJax's message, the formula."""
    return [f"{display.name}: {error['message']}\n    formula: {error['tex'][:400]}"
            for display, report in typeset if display.group == group for error in report["errors"]]


def test_the_checker_reports_known_errors(typeset):
    controls = [report for display, report in typeset if display.group == "controls"]
    assert [[e["message"] for e in report["errors"]] for report in controls] == [[m] for _, m in CONTROLS]


def test_result_objects_typeset_without_errors(typeset):
    found = errors(typeset, "objects")
    assert not found, f"{len(found)} MathJax error(s):\n" + "\n".join(found)


def test_derivations_typeset_without_errors(typeset):
    found = errors(typeset, "derivations")
    assert not found, f"{len(found)} MathJax error(s):\n" + "\n".join(found)


def test_notebook_outputs_typeset_without_errors(typeset):
    found = errors(typeset, "notebooks")
    assert not found, f"{len(found)} MathJax error(s):\n" + "\n".join(found)


def test_every_latex_display_holds_typeset_math(typeset):
    """Where LaTeX was promised (a _repr_latex_, a text/latex output) MathJax finds at least one formula, and
    every formula it finds anywhere is rendered."""
    empty = [display.name for display, report in typeset if display.mime == "text/latex" and report["formulas"] == 0]
    assert not empty, "LaTeX displays without a formula MathJax finds:\n" + "\n".join(empty)
    unrendered = [display.name for display, report in typeset if report["typeset"] < report["formulas"]]
    assert not unrendered, "formulas found but not rendered:\n" + "\n".join(unrendered)


def test_every_public_result_type_has_a_latex_display(typeset):
    shown = {display.kind for display, _ in typeset if display.mime == "text/latex"}
    assert not set(RESULT_TYPES) - shown, f"no LaTeX display checked for {sorted(set(RESULT_TYPES) - shown)}"
    assert sum(1 for display, _ in typeset if display.group == "notebooks") >= 20  # the notebooks were read


def test_an_executed_notebook_is_typeset_in_chromium(tmp_path):
    """notebooks/01 as stored (tests/test_notebooks.py executes every notebook afresh), exported with the local
    MathJax, screenshot and DOM taken by Chromium."""
    require(mathjax_missing() or ("" if shutil.which("chromium") else "chromium is not installed")
            or ("" if importlib.util.find_spec("nbconvert") else "nbconvert is not installed"))
    done = subprocess.run([sys.executable, str(SCREENSHOT), "--stored", "--out", str(tmp_path)], capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.stdout.strip(), done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["done"], "MathJax did not finish typesetting the page"
    assert report["errors"] == [], report["errors"]
    assert report["formulas"] >= 20
    dom = Path(report["dom"]).read_text(encoding="utf-8")
    assert "\\frac{" not in dom and "\\begin{" not in dom and "\\intertext" not in dom, "raw TeX left on the page"
    import matplotlib.image
    image = matplotlib.image.imread(report["png"])[..., :3]
    assert image.shape[:2] == (2400, 1200)
    ink = (image < 0.9).any(axis=-1).mean()  # share of pixels that are not (nearly) white
    colours = len(np.unique((image * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert ink > 0.02 and colours > 50, (ink, colours)
