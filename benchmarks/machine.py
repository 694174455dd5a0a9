"""Where the benchmarks' numbers were taken, and which backends they can run on."""

from __future__ import annotations

import os
import platform


def installed_backends() -> list[str]:
    """The Keras backends whose packages are installed here."""
    from study.protocol.backends import available_backends

    return [status.name for status in available_backends() if status.installed]


def machine_line() -> str:
    """CPU model and count, OS and Python: where the numbers were taken."""
    from study.folder.environment import cpu_model

    return (f"{cpu_model()}, {os.cpu_count()} logical CPUs, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")
