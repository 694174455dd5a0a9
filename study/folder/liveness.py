"""Whether the process writing a study is still alive: pid, host and heartbeat of status.json."""

from __future__ import annotations

import os
import socket
import time

from study.protocol.status import StudyStatus

# The writer of a running study rewrites status.json's heartbeat at most this often (seconds),
# on each epoch and on training progress; a study from another host whose heartbeat is older
# than STALE_SECONDS is taken to have lost its writer.
HEARTBEAT_SECONDS = 10.0
STALE_SECONDS = 300.0
# On this host a live pid may be another process that reused the number (after a reboot): a
# heartbeat this old means the writer is gone even so.
REUSED_PID_SECONDS = 3600.0


def now_text() -> str:
    """The local time as status.json records it."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def pid_alive(pid: int) -> bool:
    """Whether a process `pid` exists on this host (one we may not signal counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OSError, OverflowError):
        return False
    return True


def writer_gone(status: dict, now: float | None = None) -> bool:
    """Whether a study status.json calls "running" has lost its writer: its pid is not alive on
    this host (or its heartbeat is older than REUSED_PID_SECONDS: the pid was reused), or (from
    another host) its heartbeat is older than STALE_SECONDS. A status
    without pid and host (written before they were recorded) is taken at its word."""
    if status.get("state") != StudyStatus.RUNNING:
        return False
    pid, host = status.get("pid"), status.get("host")
    if not isinstance(pid, int) or not isinstance(host, str):
        return False
    beat = status.get("heartbeat")
    age = ((time.time() if now is None else now) - float(beat)
           if isinstance(beat, (int, float)) else None)
    if host == socket.gethostname():
        return not pid_alive(pid) or (age is not None and age > REUSED_PID_SECONDS)
    return age is not None and age > STALE_SECONDS


def truthful_status(status: dict) -> dict:
    """status.json as readers should show it: "interrupted" (with a note) for a study whose
    writer is gone, never "running"."""
    if not writer_gone(status):
        return status
    status = dict(status)
    status["state"] = StudyStatus.INTERRUPTED.value
    status.setdefault("error", f"the process that ran it (pid {status.get('pid')} on "
                               f"{status.get('host')}) ended without finishing it")
    return status
