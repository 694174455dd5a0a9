"""The wheel built from the checkout holds every package, main.py and the `kernel-lab` command."""

from __future__ import annotations

import configparser
import importlib.util
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_ROOTS = ("keras_models", "study", "gui")


def _modules() -> list[str]:
    """Every .py file of the packages (folders with an __init__.py), as paths in the wheel."""
    found = ["main.py"]
    for top in PACKAGE_ROOTS:
        for init in sorted((ROOT / top).rglob("__init__.py")):
            folder = init.parent
            found += [p.relative_to(ROOT).as_posix() for p in sorted(folder.glob("*.py"))]
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Iterator[zipfile.ZipFile]:
    """The wheel of a copy of the checkout (the build writes build/ and *.egg-info beside it)."""
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip("setuptools is not installed (the dev extra has it: pip install -e '.[dev]')")
    source = tmp_path_factory.mktemp("source")
    junk = shutil.ignore_patterns("__pycache__", "*.pyc")
    for top in PACKAGE_ROOTS:
        shutil.copytree(ROOT / top, source / top, ignore=junk)
    for name in ("main.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    # No build isolation: it would fetch setuptools from the registry; the venv has it.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(source)], check=True, timeout=300,
                   capture_output=True, text=True)
    wheels = list(out.glob("kernel_lab-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as archive:
        yield archive


def test_every_package_and_main_are_in_the_wheel(wheel):
    names = set(wheel.namelist())
    missing = [path for path in _modules() if path not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert "study/protocol/__init__.py" in names
    assert not any(name.startswith("tests/") for name in names)


def test_the_wheel_has_the_kernel_lab_command(wheel):
    entry_points = next(n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt"))
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode())
    assert parser["console_scripts"]["kernel-lab"] == "main:main"
