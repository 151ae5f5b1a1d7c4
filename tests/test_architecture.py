"""Data flows one way (shared/DESIGN.md section 2): specification -> model -> solve -> result -> present, with
the public facade on top. Every module under closedform/ is parsed (imports inside functions included, since a
lazy import is still a dependency); the import graph has no cycles and no edge from a lower layer to a higher
one."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "closedform"

LAYERS = ["model", "solve", "result", "present", "facade"]  # lowest first; an import may only go down or across

# Modules outside the layer packages, placed by hand. local, network and recursion are model-level
# computations (their presenters live in present/); budget, errors, kinds and printing (the text printer that
# every layer prints formulas through) are neutral low modules.
PLACED = {
    "closedform.budget": "model",
    "closedform.errors": "model",
    "closedform.kinds": "model",
    "closedform.printing": "model",
    "closedform.local": "model",
    "closedform.network": "model",
    "closedform.recursion": "model",
    "closedform.result": "result",
    "closedform": "facade",
    "closedform.__main__": "facade",
    "closedform.cli": "facade",
    "closedform.examples": "facade",
    "closedform.problem": "facade",
    "closedform.census": "facade",
}

# Known upward edges, (importing module, layer it reaches): each must name when it goes away.
ALLOWED_UPWARD = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> str:
    if module in PLACED:
        return PLACED[module]
    package = module.split(".")[1] if module.count(".") >= 1 else None
    if package in ("model", "solve", "present"):
        return package
    raise AssertionError(f"{module} has no layer: add it to PLACED in tests/test_architecture.py")


def _imports(module: str, path: Path, known: set) -> set:
    """The closedform modules ``module`` imports anywhere in its body (``from pkg import name`` counts as
    ``pkg.name`` when that is a module, else as ``pkg``)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target)
    return {name for name in found if name in known and name != module}


@pytest.fixture(scope="module")
def graph() -> dict:
    modules = _modules()
    return {module: _imports(module, path, set(modules)) for module, path in modules.items()}


def test_every_module_has_a_layer(graph):
    for module in graph:
        assert _layer(module) in LAYERS


def test_no_import_goes_up_a_layer(graph):
    upward = sorted(f"{module} ({_layer(module)}) imports {target} ({_layer(target)})"
                    for module, targets in graph.items() for target in targets
                    if LAYERS.index(_layer(target)) > LAYERS.index(_layer(module))
                    and (module, _layer(target)) not in ALLOWED_UPWARD)
    assert not upward, "imports against the flow:\n" + "\n".join(upward)


def test_the_allowed_upward_edges_still_exist(graph):
    """An allow-list entry whose edge is gone must be deleted, so the list only ever shrinks."""
    present = {(module, _layer(target)) for module, targets in graph.items() for target in targets}
    assert not set(ALLOWED_UPWARD) - present, f"stale entries: {sorted(set(ALLOWED_UPWARD) - present)}"


def test_no_import_cycles(graph):
    order, low, on_stack, stack, cycles = {}, {}, set(), [], []

    def visit(module):  # Tarjan's strongly connected components
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_the_parser_counts_lazy_and_relative_imports(tmp_path):
    """An import inside a function is a dependency too: that is what the old upward edges looked like."""
    source = tmp_path / "neuron.py"
    source.write_text("import sympy\nfrom ..errors import InputError\nfrom . import numbers\n\n"
                      "def stationary_points(self):\n    from ..solve.pipeline import solve\n"
                      "    import closedform.present\n")
    known = {"closedform.errors", "closedform.model.numbers", "closedform.solve", "closedform.solve.pipeline",
             "closedform.present", "closedform.model"}
    assert _imports("closedform.model.neuron", source, known) == {
        "closedform.errors", "closedform.model.numbers", "closedform.solve.pipeline", "closedform.present"}
