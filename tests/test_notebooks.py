"""The notebooks (one per question) run in a real Jupyter kernel (nbclient + ipykernel) and their closing assertions pass."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_is_one_notebook_per_question():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07", "08"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_and_its_facts_hold(path):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    warnings = [out.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs
                if out.output_type == "stream" and "TqdmWarning" in out.get("text", "")]
    assert warnings == [], warnings  # the progress bar falls back to plain text without ipywidgets
    last = notebook.cells[-1]
    printed = "".join(out.get("text", "") for out in last.outputs if out.output_type == "stream")
    assert printed.strip().endswith("all facts hold")
