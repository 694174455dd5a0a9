"""Starting the app's child processes, one way: a run of `main.py study`, the device probe and
the export job all go through here, with the same interpreter, folder and environment rules.

A child gets the project on its PYTHONPATH and unbuffered output; a Keras child gets its backend
fixed before Keras loads; a rendering child gets the offscreen platform, as it needs no screen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QProcess, QProcessEnvironment

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MAIN_SCRIPT = PROJECT_ROOT / "main.py"


def child_environment(backend: str | None = None, offscreen: bool = False) -> dict[str, str]:
    """The environment of a child: KERAS_BACKEND fixed before Keras loads, output unbuffered."""
    env = dict(os.environ)
    if backend:
        env["KERAS_BACKEND"] = backend
    if offscreen:
        env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # The child may be started from any folder; it imports the project's packages.
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    return env


def main_command(*arguments) -> list[str]:
    """`python main.py ARGUMENTS…` with this interpreter."""
    return [sys.executable, str(MAIN_SCRIPT), *map(str, arguments)]


def code_command(code: str, *arguments) -> list[str]:
    """`python -c CODE ARGUMENTS…` with this interpreter."""
    return [sys.executable, "-c", code, *map(str, arguments)]


def popen(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start a child whose text stdin/stdout/stderr a thread reads line by line (OSError if not)."""
    return subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, cwd=str(PROJECT_ROOT), text=True, encoding="utf-8", errors="replace",
        bufsize=1,
    )


def start_qprocess(process: QProcess, command: list[str], env: dict[str, str]) -> None:
    """Start `command` in a QProcess (its signals report the end) from the project folder."""
    environment = QProcessEnvironment()
    for key, value in env.items():
        environment.insert(key, value)
    process.setProcessEnvironment(environment)
    process.setWorkingDirectory(str(PROJECT_ROOT))
    process.start(command[0], command[1:])
