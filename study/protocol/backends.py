"""The Keras backends Kernel Lab knows and the device names it takes; nothing is imported here.

Safe for the window process: it looks for the packages without importing them.
keras_models.backend fixes the backend and lists devices (that part imports a backend).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass

BACKENDS = ("torch", "tensorflow", "jax")
_PACKAGE = {"torch": "torch", "tensorflow": "tensorflow", "jax": "jax"}
_INSTALL_HINT = {
    "torch": "pip install torch==2.13.0",
    "tensorflow": "pip install tensorflow-cpu  (or tensorflow for a GPU)",
    "jax": "pip install jax",
}
_DEVICE_RE = re.compile(r"^(cpu|gpu)(?::(\d+))?$")


class BackendError(RuntimeError):
    """A backend or device that cannot be used, with what to do about it."""


@dataclass(frozen=True)
class BackendStatus:
    """Whether one backend can be used, and if not, why."""

    name: str
    installed: bool
    reason: str = ""


@dataclass(frozen=True)
class DeviceInfo:
    """One device a backend can run on: `name` is what `--device` takes ("cpu", "gpu:0")."""

    name: str
    description: str


def backend_status(name: str) -> BackendStatus:
    """Is `name` a known backend with its package installed? (Does not import it.)"""
    if name not in BACKENDS:
        return BackendStatus(name, False, f"unknown backend; choose one of {', '.join(BACKENDS)}")
    if importlib.util.find_spec(_PACKAGE[name]) is None:
        return BackendStatus(
            name, False, f"the {name} package is not installed ({_INSTALL_HINT[name]})"
        )
    return BackendStatus(name, True)


def available_backends() -> list[BackendStatus]:
    """Status of every backend Kernel Lab knows, installed or not."""
    return [backend_status(name) for name in BACKENDS]


def parse_device(device: str) -> tuple[str, int]:
    """Split "cpu", "gpu" or "gpu:N" into (kind, index); BackendError on anything else."""
    match = _DEVICE_RE.match(str(device).strip().lower())
    if not match:
        raise BackendError(f"device {device!r} is not valid; use cpu, gpu or gpu:N (N = 0, 1, …)")
    return match.group(1), int(match.group(2) or 0)
