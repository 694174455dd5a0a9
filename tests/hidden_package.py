"""`main.main(args)` in a fresh process whose import system cannot find one package, as on a
machine where it is not installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_main_without(package: str, args: list[str], timeout: int = 120):
    """The finished process (returncode, stdout, stderr) of main.main(args) with `package`
    hidden from importlib."""
    code = (
        "import importlib.util, json, sys; real = importlib.util.find_spec;"
        f"importlib.util.find_spec = lambda n, *a: None if n == {package!r} else real(n, *a);"
        "import main; sys.exit(main.main(json.loads(sys.argv[1])))"
    )
    return subprocess.run([sys.executable, "-c", code, json.dumps([str(a) for a in args])],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)
