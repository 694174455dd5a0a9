"""Running one sweep point (in this process, a worker process or a Ray worker), with the test
hook that makes points fail."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

from study.config import StudyConfig

# The env var a test sets to make points fail: "NAME=once" or "NAME=always", ";"-separated;
# "once" remembers its failure by a file in FAIL_DIR_ENV's folder (default: a temp folder of the
# run), so the workers must share that folder with the driver (a local cluster does).
FAIL_HOOK_ENV = "KERNEL_LAB_SWEEP_FAIL"
FAIL_DIR_ENV = "KERNEL_LAB_SWEEP_FAIL_DIR"


class TransientPointError(RuntimeError):
    """A point's error worth another try (Ray's retry_exceptions; the local executors alike)."""


class PointFailed(RuntimeError):
    """A point's study failed; the message says why."""


class PointStopped(RuntimeError):
    """A point's study was asked to stop before it finished (Ctrl-C)."""



def _fail_hook(name: str, spec: str | None, marker_dir: str | None) -> None:
    """The test hook: `spec` "once" raises TransientPointError on the first try only (a marker
    file in `marker_dir` remembers the try), "always" raises PointFailed on every try."""
    if not spec:
        return
    if spec == "always":
        raise PointFailed(f"injected failure of {name} (test hook {FAIL_HOOK_ENV})")
    if spec == "once":
        marker = Path(marker_dir or ".") / f"{name}.failed-once"
        try:
            with open(marker, "x"):
                pass
        except FileExistsError:
            return
        raise TransientPointError(f"injected one-time failure of {name} (test hook)")


def run_point(name: str, config_json: str, fail: str | None = None,
              marker_dir: str | None = None, stop_event: threading.Event | None = None) -> dict:
    """Run one point's study in a temporary folder and return its files.

    Returns {"files": {relative path: bytes}, "seconds": wall time, "host": hostname}.
    PointFailed when the study failed, PointStopped when `stop_event` stopped it. KERAS_BACKEND
    is set from the config before Keras is imported (study.run.runner imports it lazily).
    """
    import tempfile

    _fail_hook(name, fail, marker_dir)
    config = StudyConfig.from_json(config_json)
    os.environ["KERAS_BACKEND"] = config.backend
    from study.run.runner import run_study

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kernel-lab-point-") as tmp:
        try:
            folder = run_study(config, stop_event=stop_event, out_root=tmp)
        except KeyboardInterrupt:
            raise PointStopped(f"{name} was interrupted") from None
        except (TransientPointError, PointFailed):
            raise
        except Exception as exc:  # noqa: BLE001 - the point fails, the sweep goes on
            raise PointFailed(f"{type(exc).__name__}: {exc}") from None
        if folder is None or (stop_event is not None and stop_event.is_set()):
            raise PointStopped(f"{name} was stopped before it finished")
        files = {path.relative_to(folder).as_posix(): path.read_bytes()
                 for path in sorted(Path(folder).rglob("*"))
                 if path.is_file() and not path.is_symlink()}
    return {"files": files, "seconds": time.monotonic() - started,
            "host": socket.gethostname()}


def failure_hooks() -> dict[str, str]:
    """{point name: "once" | "always"} from the test hook's env var."""
    hooks = {}
    for part in os.environ.get(FAIL_HOOK_ENV, "").split(";"):
        name, _, how = part.rpartition("=")
        if name.strip() and how.strip() in ("once", "always"):
            hooks[name.strip()] = how.strip()
    return hooks

