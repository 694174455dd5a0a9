"""Writing a file so that a reader sees the old or the new content, never half of it, and never
through a link someone planted; stdlib only."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def replace_atomically(path, payload: bytes, fsync: bool = True) -> Path:
    """Write `payload` to `path` through a new temp file beside it, then rename it into place.

    The temp file is created exclusively (O_EXCL) under an unpredictable name, so an existing
    file or link of that name is never written through; the rename replaces a link at `path`
    itself rather than the file it points to. OSError passes up, and no temp file stays behind.
    """
    path = Path(path)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(payload)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def cache_root() -> Path:
    """Kernel Lab's cache folder: $XDG_CACHE_HOME/kernel-lab (~/.cache/kernel-lab). Nothing in
    it is needed: it only saves time (parsed datasets, compiled programs)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kernel-lab"
