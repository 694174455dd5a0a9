"""The environment a study ran in: Python, Keras, the backend library, numpy, the CPU and GPU,
Kernel Lab's version and commit — one plain dict, in status.json under "environment", written
when the study (or its latest resume) starts.

Nothing here may fail a study: every probe that cannot answer (no nvidia-smi, not a checkout, a
library not installed) leaves its key out or None, and external commands run with a timeout.
"""

from __future__ import annotations

import importlib.metadata
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

# The key of the record in status.json (the golden snapshot fixes the study folder's file set).
ENVIRONMENT_KEY = "environment"
# The distribution that carries each Keras backend's library (TensorFlow may be the CPU build).
BACKEND_DISTRIBUTIONS = {"jax": ("jax", "jaxlib"), "torch": ("torch",),
                         "tensorflow": ("tensorflow", "tensorflow-cpu")}
PROJECT_ROOT = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 5.0


def package_version(*names: str) -> str | None:
    """The installed version of the first of `names` that is installed, else None."""
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def kernel_lab_version() -> str | None:
    """Kernel Lab's version: the installed distribution's, else pyproject.toml's in a checkout."""
    installed = package_version("kernel-lab")
    if installed:
        return installed
    try:
        text = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return found.group(1) if found else None


def _run(command: list[str], cwd: Path | None = None) -> str | None:
    """A command's stripped stdout, or None when it is missing, fails or takes too long."""
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_commit(root: Path = PROJECT_ROOT) -> str | None:
    """The checkout's commit (with "-dirty" when files changed), or None outside a checkout."""
    if shutil.which("git") is None or not (root / ".git").exists():
        return None
    commit = _run(["git", "rev-parse", "HEAD"], cwd=root)
    if not commit:
        return None
    changed = _run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root)
    return f"{commit}-dirty" if changed else commit


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith(("model name", "Model")) and ":" in line:
                return " ".join(line.split(":", 1)[1].split())
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpus() -> list[dict[str, str]]:
    """Each NVIDIA GPU's name and driver version (nvidia-smi), or [] when there is none."""
    if shutil.which("nvidia-smi") is None:
        return []
    text = _run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"])
    found = []
    for line in (text or "").splitlines():
        name, _, driver = (part.strip() for part in line.partition(","))
        if name:
            found.append({"name": name, "driver": driver})
    return found


def environment_record(backend: str | None = None) -> dict:
    """The record: versions, devices, Kernel Lab's version and commit (None where unknown)."""
    import os

    backend = backend or os.environ.get("KERAS_BACKEND") or "jax"
    return {
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "keras": package_version("keras"),
        "backend": backend,
        "backend_version": package_version(*BACKEND_DISTRIBUTIONS.get(backend, (backend,))),
        "numpy": package_version("numpy"),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "gpus": gpus(),
        "kernel_lab": kernel_lab_version(),
        "git_commit": git_commit(),
    }


def environment_lines(record: dict | None) -> list[str]:
    """The record as short "label: value" lines for a person (the app's "Study shown" box)."""
    if not record:
        return []
    def value(key):
        return record.get(key) or "?"

    lines = [f"Python {value('python')}, Keras {value('keras')}, "
             f"{record.get('backend') or 'backend'} {value('backend_version')}, "
             f"numpy {value('numpy')}", f"CPU: {value('cpu')}"]
    for gpu in record.get("gpus") or []:
        lines.append(f"GPU: {gpu.get('name', '?')} (driver {gpu.get('driver') or '?'})")
    commit = record.get("git_commit")
    at = f", commit {commit[:12]}" if commit else ""
    lines.append(f"Kernel Lab {value('kernel_lab')}{at}")
    return lines


def read_environment(status: dict | None) -> dict | None:
    """The record a study's status.json holds, or None (a study from before it was recorded)."""
    record = (status or {}).get(ENVIRONMENT_KEY)
    return record if isinstance(record, dict) else None
