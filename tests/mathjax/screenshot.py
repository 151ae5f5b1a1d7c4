#!/usr/bin/env python3
"""Export an executed notebook to HTML that loads the LOCAL MathJax, and look at it in headless Chromium.

    python tests/mathjax/screenshot.py [NOTEBOOK] [--out DIR] [--stored]

executes NOTEBOOK (default notebooks/01_does_the_gradient_vanish.ipynb) in a fresh kernel (``--stored``: use
the outputs saved in the file instead; the file itself is never changed), exports it with nbconvert's lab
template, MathJax 3 taken from tests/mathjax/node_modules/mathjax-full/es5/tex-svg-full.js (the machine needs no
internet; SVG output needs no web fonts, which Chromium would refuse to load from file://), then runs Chromium
twice: a screenshot (DIR/notebook.png, 1200 x 2400) and a dump of the typeset DOM (DIR/notebook.dom.html).

The page's MathJax reads the math as Jupyter does ($, $$, \\(, \\[, bare environments, \\$) but without the
noerrors and noundefined packages, so a bad formula becomes an merror node (data-mml-node="merror") instead of
raw or red TeX; the page marks <body data-mathjax="done"> when typesetting finished. Prints one JSON line:
{"html", "png", "dom", "formulas", "errors" (the message of each merror node), "done"}; the exit status is 1 when
there is an error node. Needs nbconvert, nbclient and ipykernel (the test extra)
and Chromium (Debian package ``chromium``; .ci/run installs it)."""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MATHJAX_JS = HERE / "node_modules" / "mathjax-full" / "es5" / "tex-svg-full.js"
NOTEBOOK = ROOT / "notebooks" / "01_does_the_gradient_vanish.ipynb"
WINDOW = "1200,2400"

# nbconvert's lab template with the CDN scripts (require.js, MathJax 2, mermaid) replaced by the local MathJax 3
TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex: {
    inlineMath: [['$', '$'], ['\\(', '\\)']],
    displayMath: [['$$', '$$'], ['\\[', '\\]']],
    processEscapes: true,
    processEnvironments: true,
    packages: {'[-]': ['noerrors', 'noundefined']}
  },
  svg: {fontCache: 'global'},
  startup: {
    pageReady: () => MathJax.startup.defaultPageReady().then(() => document.body.setAttribute('data-mathjax', 'done'))
  }
};
</script>
<script src="{{ resources.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}
"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        raise SystemExit("chromium is not installed (Debian: apt-get install chromium; .ci/run does it)")
    return found


def export(notebook: Path, html: Path, execute: bool = True, timeout: int = 300) -> None:
    """``notebook`` (executed afresh unless ``execute`` is False) as HTML with the local MathJax."""
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    if execute:
        from nbclient import NotebookClient
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(notebook.parent)}}).execute()
    exporter = HTMLExporter(extra_loaders=[DictLoader({"local_mathjax.html.j2": TEMPLATE})],
                            template_file="local_mathjax.html.j2")
    exporter.mathjax_url = MATHJAX_JS.as_uri()
    body, _ = exporter.from_notebook_node(nb)
    html.write_text(body, encoding="utf-8")


def browse(html: Path, png: Path, profile: Path, budget_ms: int = 15000) -> str:
    """Screenshot ``html`` to ``png`` and return the DOM after MathJax ran (two Chromium runs, one profile)."""
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
            f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}", f"--window-size={WINDOW}"]
    url = html.resolve().as_uri()
    subprocess.run(base + [f"--screenshot={png}", url], check=True, capture_output=True, timeout=120)
    done = subprocess.run(base + ["--dump-dom", url], check=True, capture_output=True, text=True, timeout=120)
    return done.stdout


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", type=Path, default=NOTEBOOK)
    parser.add_argument("--out", type=Path, default=None, help="directory for the files (default: a new temporary one)")
    parser.add_argument("--stored", action="store_true", help="use the outputs stored in the notebook, do not execute")
    args = parser.parse_args(argv)
    if not MATHJAX_JS.is_file():
        raise SystemExit(f"{MATHJAX_JS} is missing: run `npm ci` in {HERE}")
    out = args.out or Path(tempfile.mkdtemp(prefix="closedform-screenshot-"))
    out.mkdir(parents=True, exist_ok=True)
    html, png, dom_file = out / "notebook.html", out / "notebook.png", out / "notebook.dom.html"
    export(args.notebook.resolve(), html, execute=not args.stored)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        dom = browse(html, png, Path(profile))
    dom_file.write_text(dom, encoding="utf-8")
    errors = re.findall(r'<g data-mml-node="merror"(?: data-mjx-error="([^"]*)")?', dom)  # (MathJax's CSS names it too)
    report = {"html": str(html), "png": str(png), "dom": str(dom_file), "formulas": dom.count("<mjx-container"),
              "errors": [message or "merror" for message in errors], "done": 'data-mathjax="done"' in dom}
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    sys.exit(0 if not main()["errors"] else 1)
