"""Which Keras backends and devices exist; the backend is fixed here, before `import keras`.

Nothing in this module imports keras or a backend at import time, so it is safe to call from
the GUI to fill its menus.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from study.protocol.backends import (
    BackendError,
    DeviceInfo,
    backend_status,
    parse_device,
)
from study.protocol.files import cache_root


def loaded_backend() -> str | None:
    """The backend Keras already runs on in this process, or None if Keras is not imported."""
    if "keras" not in sys.modules:
        return None
    import keras

    return keras.backend.backend()


def select_backend(name: str | None = None) -> str:
    """Fix the Keras backend for this process (before Keras is imported) and return it.

    `name` None means: KERAS_BACKEND from the environment, else jax (the fastest here).
    """
    name = name or os.environ.get("KERAS_BACKEND") or "jax"
    status = backend_status(name)
    if not status.installed:
        raise BackendError(f"backend {name!r} cannot be used: {status.reason}")
    current = loaded_backend()
    if current is not None and current != name:
        raise BackendError(
            f"Keras is already running on {current!r} in this process; "
            f"start a new process to use {name!r}"
        )
    os.environ["KERAS_BACKEND"] = name
    if name == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    enable_compile_cache(name)
    return name


def compile_cache_dir() -> Path | None:
    """Where compiled XLA programs are kept between runs, or None when switched off.

    KERNEL_LAB_COMPILE_CACHE names the folder ("off" or "0": no cache); by default
    $XDG_CACHE_HOME/kernel-lab/compiled (~/.cache/kernel-lab/compiled).
    """
    setting = os.environ.get("KERNEL_LAB_COMPILE_CACHE", "").strip()
    if setting.lower() in {"off", "0", "no", "false"}:
        return None
    if setting:
        return Path(setting).expanduser()
    return cache_root() / "compiled"


def enable_compile_cache(name: str) -> Path | None:
    """Let JAX and TensorFlow keep their compiled XLA programs on disk (compile_cache_dir).

    A second run of the same study then loads its programs instead of compiling them again: the
    combined model's steps, the short last batch's and the isolated timing's
    (docs/performance.md#start-up). The backends check a cached program against the program, the
    compiler version and the device before using it. Returns the backend's folder, or None (torch,
    the cache switched off, or a folder that cannot be made: then every run compiles, as before).
    """
    folder = compile_cache_dir()
    if folder is None or name not in {"jax", "tensorflow"}:
        return None
    # KERNEL_LAB_COMPILE_CACHE set: its folder wins over a backend setting already in the
    # environment; unset: a JAX_COMPILATION_CACHE_DIR or TF flag the user set is kept.
    explicit = bool(os.environ.get("KERNEL_LAB_COMPILE_CACHE", "").strip())
    folder = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if name == "jax":
        # Cache every program: each is small and quick to compile, but a study compiles a dozen
        # of them before its first batch.
        settings = {"jax_compilation_cache_dir": str(folder),
                    "jax_persistent_cache_min_compile_time_secs": 0.0,
                    "jax_persistent_cache_min_entry_size_bytes": 0}
        if "jax" in sys.modules:
            import jax

            for key, value in settings.items():
                jax.config.update(key, value)
        else:
            for key, value in settings.items():
                if explicit:
                    os.environ[key.upper()] = str(value)
                else:
                    os.environ.setdefault(key.upper(), str(value))
    else:
        flags = os.environ.get("TF_XLA_FLAGS", "")
        if explicit:
            # Ours wins over one inherited (e.g. from a parent process that chose another).
            flags = re.sub(r"--tf_xla_persistent_cache_directory=\S*", "", flags)
        if "tf_xla_persistent_cache_directory" not in flags:
            flags = f"{flags} --tf_xla_persistent_cache_directory={folder}"
        os.environ["TF_XLA_FLAGS"] = " ".join(flags.split())
    return folder


def list_devices(backend: str | None = None) -> list[DeviceInfo]:
    """The devices the (selected) backend finds: always the CPU, then each GPU by name."""
    backend = select_backend(backend)
    devices = [DeviceInfo("cpu", "CPU")]
    for index, label in enumerate(_gpu_names(backend)):
        devices.append(DeviceInfo(f"gpu:{index}", label))
    return devices


def _gpu_names(backend: str) -> list[str]:
    if backend == "torch":
        import torch

        if not torch.cuda.is_available():
            return []
        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    if backend == "tensorflow":
        import tensorflow as tf

        names = []
        for gpu in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(gpu)
            names.append(details.get("device_name", gpu.name))
        return names
    import jax

    try:
        return [getattr(d, "device_kind", str(d)) for d in jax.devices("gpu")]
    except RuntimeError:
        return []


def resolve_device(device: str, backend: str | None = None) -> str:
    """Check that `device` exists for the backend; return its Keras name ("cpu", "gpu:0", …)."""
    kind, index = parse_device(device)
    if kind == "cpu":
        return "cpu"
    gpus = [d for d in list_devices(backend) if d.name.startswith("gpu")]
    if not gpus:
        raise BackendError(
            f"device {device!r} was asked for, but backend {backend or loaded_backend()!r} "
            "finds no GPU on this machine; use --device cpu"
        )
    if index >= len(gpus):
        raise BackendError(
            f"device {device!r} does not exist: this machine has {len(gpus)} GPU(s), "
            f"gpu:0 … gpu:{len(gpus) - 1}"
        )
    return f"gpu:{index}"
