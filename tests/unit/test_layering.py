"""The import contract: gui → study → keras_models, with study.protocol below all three; no import
cycle between our modules; modules and the runner's functions short enough to read.

Checked on the source (every import statement, including those inside functions), so a lazy
import cannot hide a wrong arrow or a cycle. tests/integration/test_fresh_imports.py checks the
same contract in fresh processes.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KERAS_AND_BACKENDS = ("keras", "torch", "tensorflow", "jax", "jaxlib")
QT = ("PySide6", "pyqtgraph", "shiboken6")
PACKAGES = ("gui", "study", "keras_models")
MODULE_LINES = 500
RUN_FUNCTION_LINES = 80


def _import_statements(path: Path, root: Path = ROOT) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, module, imported names) of every import in a file; relative imports made absolute."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((node.lineno, module, tuple(alias.name for alias in node.names)))
    return found


def _imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, module) of every import in a file; relative imports made absolute."""
    return [(line, module) for line, module, _ in _import_statements(path, root)]


def _violations(package: str, forbidden, allowed=(), root: Path = ROOT) -> list[str]:
    bad = []
    for path in sorted((root / package.replace(".", "/")).rglob("*.py")):
        for line, module in _imports(path, root):
            top_match = any(module == f or module.startswith(f + ".") for f in forbidden)
            allowed_match = any(module == a or module.startswith(a + ".") for a in allowed)
            if top_match and not allowed_match:
                bad.append(f"{path.relative_to(root)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize(
    ("package", "forbidden", "allowed"),
    [
        ("gui", (*KERAS_AND_BACKENDS, "keras_models"), ()),
        ("study", (*QT, "gui"), ()),
        ("keras_models", (*QT, "gui", "study"), ("study.protocol",)),
        ("study.protocol", (*QT, *KERAS_AND_BACKENDS, "gui", "keras_models", "study"),
         ("study.protocol",)),
    ],
)
def test_imports_point_one_way(package, forbidden, allowed):
    assert _violations(package, forbidden, allowed) == []


@pytest.mark.parametrize("module", ["study/state.py", "study/analysis/timing.py",
                                    "study/analysis/kernels.py", "study/analysis/confusion.py",
                                    "study/folder/reader.py"])
def test_the_study_model_never_reaches_for_keras(module):
    """What the app, the exports and the CLI read of a study holds no Keras, even lazily."""
    bad = [f"{module}:{line} imports {name}" for line, name in _imports(ROOT / module)
           if name.split(".")[0] in (*KERAS_AND_BACKENDS, "keras_models", "study")
           and (name.split(".")[0] != "study" or name in ("study.run.runner",))]
    assert bad == []


def test_contract_catches_a_wrong_arrow(tmp_path):
    """The checker itself finds a lazy import of Keras inside a function."""
    (tmp_path / "gui").mkdir()
    (tmp_path / "gui" / "_contract_probe.py").write_text(
        "def f():\n    import keras\n    from keras_models import schemes\n")
    bad = _violations("gui", (*KERAS_AND_BACKENDS, "keras_models"), root=tmp_path)
    assert bad == ["gui/_contract_probe.py:2 imports keras",
                   "gui/_contract_probe.py:3 imports keras_models"]


def _our_modules(root: Path = ROOT) -> dict[str, Path]:
    """Module name → file, for main.py and every module of our packages."""
    modules = {"main": root / "main.py"} if (root / "main.py").exists() else {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _import_graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    """Module → {module of ours it imports: first line}. `from package import name` points to
    the submodule `name` where there is one, else to the package; the parent packages an import
    also runs are left out, so a package that lists its submodules is no cycle with them."""
    modules = _our_modules(root)
    graph: dict[str, dict[str, int]] = {name: {} for name in modules}
    for name, path in modules.items():
        for line, module, names in _import_statements(path, root):
            targets = [f"{module}.{imported}" if f"{module}.{imported}" in modules else module
                       for imported in names] or [module]
            for target in targets:
                if target in modules and target != name:
                    graph[name].setdefault(target, line)
    return graph


def _strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def _shortest_cycle(graph: dict[str, dict[str, int]], start: str, within: set[str]) -> list[str]:
    """The shortest import path from `start` back to itself inside one component."""
    previous = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in sorted(graph[node]):
            if target == start:
                path = [node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if target in within and target not in previous:
                previous[target] = node
                queue.append(target)
    raise AssertionError(f"{start} is on no cycle")


def _cycles(root: Path = ROOT) -> list[str]:
    """One line per import cycle: its modules, and one shortest circle with the import lines."""
    graph = _import_graph(root)
    modules = _our_modules(root)
    found = []
    for component in _strongly_connected(graph):
        circle = _shortest_cycle(graph, component[0], set(component))
        steps = " → ".join(f"{a} ({modules[a].relative_to(root)}:{graph[a][b]})"
                           for a, b in zip(circle, circle[1:], strict=False))
        found.append(f"{', '.join(component)}: {steps} → {circle[0]}")
    return found


def test_no_import_cycles():
    """No module imports, directly or through others, a module that imports it back."""
    cycles = _cycles()
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_cycle_check_catches_a_planted_cycle(tmp_path):
    """A cycle closed by an import inside a function, three modules long, is found and named."""
    (tmp_path / "study" / "run").mkdir(parents=True)
    (tmp_path / "gui").mkdir()
    (tmp_path / "main.py").write_text("from gui import app\n")
    (tmp_path / "gui" / "app.py").write_text("import study.run.a\n")
    (tmp_path / "study" / "run" / "__init__.py").write_text("")
    (tmp_path / "study" / "run" / "a.py").write_text("from . import b\n")
    (tmp_path / "study" / "run" / "b.py").write_text("from study.run.c import x\n")
    (tmp_path / "study" / "run" / "c.py").write_text(
        "x = 1\n\n\ndef later():\n    from study.run import a\n")
    assert _cycles(tmp_path) == [
        "study.run.a, study.run.b, study.run.c: study.run.a (study/run/a.py:1) → "
        "study.run.b (study/run/b.py:1) → study.run.c (study/run/c.py:5) → study.run.a"]
    (tmp_path / "study" / "run" / "c.py").write_text("x = 1\n")
    assert _cycles(tmp_path) == []
    (tmp_path / "study" / "run" / "__init__.py").write_text("from study.run import a, b\n")
    assert _cycles(tmp_path) == []  # a package listing its submodules, which import siblings


def _long_modules(root: Path = ROOT, limit: int = MODULE_LINES) -> list[str]:
    """Modules of main.py and our packages longer than `limit` lines."""
    return [f"{path.relative_to(root)}: {lines} lines"
            for path in _our_modules(root).values()
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > limit]


def _long_functions(package: str, root: Path = ROOT, limit: int = RUN_FUNCTION_LINES) -> list[str]:
    """Functions and methods under `package` longer than `limit` lines (decorators excluded)."""
    long = []
    for path in sorted((root / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > limit:
                    where = f"{path.relative_to(root)}:{node.lineno}"
                    long.append(f"{where} {node.name}: {lines} lines")
    return long


def test_no_module_over_500_lines():
    long = _long_modules()
    assert not long, "over 500 lines:\n" + "\n".join(long)


def test_no_function_over_80_lines_in_the_runner_package():
    long = _long_functions("study/run")
    assert not long, "over 80 lines:\n" + "\n".join(long)


def test_length_checks_count_lines(tmp_path):
    """A 501-line module and an 81-line function are reported; 500 and 80 lines pass."""
    (tmp_path / "study" / "run").mkdir(parents=True)
    (tmp_path / "study" / "long.py").write_text("x = 1\n" * 501)
    (tmp_path / "study" / "fine.py").write_text("x = 1\n" * 500)
    body = "    x = 1\n"
    (tmp_path / "study" / "run" / "steps.py").write_text(
        "def long():\n" + body * 80 + "\n\nclass A:\n    def fine(self):\n" + "    " + body * 79)
    assert _long_modules(tmp_path) == ["study/long.py: 501 lines"]
    assert _long_functions("study/run", tmp_path) == ["study/run/steps.py:1 long: 81 lines"]
