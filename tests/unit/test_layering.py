"""The import contract: gui → study → keras_models, with study.protocol below all three.

Checked on the source (every import statement, including those inside functions), so a lazy
import cannot hide a wrong arrow; and in a fresh process, so nothing loads Keras or Qt by accident.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KERAS_AND_BACKENDS = ("keras", "torch", "tensorflow", "jax", "jaxlib")
QT = ("PySide6", "pyqtgraph", "shiboken6")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file; relative imports made absolute."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((node.lineno, module))
    return found


def _violations(package: str, forbidden, allowed=()) -> list[str]:
    bad = []
    for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
        for line, module in _imports(path):
            top_match = any(module == f or module.startswith(f + ".") for f in forbidden)
            allowed_match = any(module == a or module.startswith(a + ".") for a in allowed)
            if top_match and not allowed_match:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
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


def test_contract_catches_a_wrong_arrow(tmp_path, monkeypatch):
    """The checker itself finds a lazy import of Keras inside a function."""
    module = ROOT / "gui" / "_contract_probe.py"
    module.write_text("def f():\n    import keras\n    from keras_models import schemes\n")
    try:
        bad = _violations("gui", (*KERAS_AND_BACKENDS, "keras_models"))
    finally:
        module.unlink()
    assert bad == ["gui/_contract_probe.py:2 imports keras",
                   "gui/_contract_probe.py:3 imports keras_models"]


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("gui.main_window", (*KERAS_AND_BACKENDS, "keras_models")),
        ("study.protocol.events", (*KERAS_AND_BACKENDS, *QT, "keras_models")),
        ("study.folder.reader", (*KERAS_AND_BACKENDS, *QT)),
        ("study.analysis.conclusions", (*KERAS_AND_BACKENDS, *QT)),
        ("study.state", (*KERAS_AND_BACKENDS, *QT, "keras_models")),
        ("study.analysis.timing", (*KERAS_AND_BACKENDS, *QT, "keras_models")),
        ("gui.study_model", (*KERAS_AND_BACKENDS, "keras_models")),
        ("gui.export_all", (*KERAS_AND_BACKENDS, "keras_models")),
    ],
)
def test_a_fresh_import_loads_nothing_it_should_not(module, absent):
    code = (f"import sys, {module}\n"
            f"print(sorted(m for m in {absent!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
