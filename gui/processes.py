"""The app's child processes, one way: a run of `main.py study`, the warm worker, the device
probe and the export job are all started, read, stopped, killed and reaped here.

A child runs `python -m main …` (main_command) with the project on its PYTHONPATH and unbuffered
output; a Keras child gets its backend fixed before Keras loads; a rendering child gets the
offscreen platform, as it needs no screen.
Its lifecycle is start → stop request (a line on stdin, or stdin closed) → wait with a timeout →
kill → reap and close its pipes; its stderr is drained by a thread of its own so a chatty child
can never fill the pipe and block while its stdout is read.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

# The folder holding the gui package and main.py (a checkout, or site-packages once installed):
# the children start there, so `-m main` finds this Kernel Lab's main module and no other.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
STDERR_TAIL_LINES = 25
# How long a finished child's stderr reader may take to reach the end of the pipe (s).
DRAIN_JOIN_SECONDS = 5.0


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
    """`python -m main ARGUMENTS…` with this interpreter: Kernel Lab's entry as installed (pip),
    or the checkout's, which child_environment puts on the path; never a file path into a
    checkout. The one place a child's Kernel Lab command is built."""
    return module_command("main", *arguments)


def module_command(module: str, *arguments) -> list[str]:
    """`python -m MODULE ARGUMENTS…` with this interpreter."""
    return [sys.executable, "-m", module, *map(str, arguments)]


def _drain(stream, tail: collections.deque) -> None:
    try:
        for line in stream:
            tail.append(line.rstrip("\n"))
    except (OSError, ValueError):
        pass  # the pipe was closed under the reader: the child is being ended


class ChildProcess:
    """One started child: stdout read line by line by its owner, stderr kept as a tail."""

    def __init__(self, process: subprocess.Popen, tail_lines: int = STDERR_TAIL_LINES):
        self.process = process
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=tail_lines)
        self._reader = threading.Thread(target=_drain, args=(process.stderr, self.stderr_tail),
                                        daemon=True)
        self._reader.start()

    @classmethod
    def start(cls, command: list[str], env: dict[str, str],
              tail_lines: int = STDERR_TAIL_LINES) -> ChildProcess:
        """Start `command` from the project folder with text pipes (OSError if it cannot)."""
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, cwd=str(PROJECT_ROOT), text=True, encoding="utf-8", errors="replace",
            bufsize=1,
        )
        return cls(process, tail_lines)

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    def running(self) -> bool:
        """Whether the child has not ended yet."""
        return self.process.poll() is None

    def lines(self):
        """The child's stdout lines, stripped, empty ones left out, until it closes."""
        for line in self.process.stdout:
            line = line.strip()
            if line:
                yield line

    def readline(self) -> str:
        """One line of stdout ('' once it has closed)."""
        return self.process.stdout.readline()

    def write_line(self, text: str) -> bool:
        """Write one line to the child's stdin; False when the child has gone."""
        try:
            if self.process.poll() is not None:
                return False
            self.process.stdin.write(text + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return False
        return True

    def kill(self) -> bool:
        """Kill the child if it is still there; True when it was."""
        if self.process.poll() is not None:
            return False
        self.process.kill()
        return True

    def finish(self) -> int:
        """Wait for the child to end by itself, read its stderr to the end and close its pipes;
        its exit status."""
        returncode = self.process.wait()
        self._reader.join(timeout=DRAIN_JOIN_SECONDS)
        self._close_pipes()
        return returncode

    def end(self, grace_seconds: float = 0.0) -> int:
        """Close its stdin (a waiting child leaves at once), give it `grace_seconds`, kill it if
        still there, and reap it (no zombie, no orphan); its exit status."""
        try:
            self.process.stdin.close()
        except (OSError, ValueError):
            pass
        if grace_seconds > 0:
            try:
                self.process.wait(timeout=grace_seconds)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        returncode = self.process.wait()
        self._close_pipes()
        return returncode

    def _close_pipes(self) -> None:
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                stream.close()
            except (OSError, ValueError):
                pass


class ProcessJob(QObject):
    """A child run to its end on a thread of its own, its output handed over at the end, so the
    GUI thread never waits on it; the job is killed and reaped when it is cancelled."""

    sig_finished = Signal(int, str, str)  # exit status, stdout, the tail of stderr
    sig_failed_to_start = Signal(str)  # why (the OSError's words)

    def __init__(self, command: list[str], env: dict[str, str], parent: QObject | None = None,
                 tail_lines: int = 200):
        super().__init__(parent)
        self.command, self.env, self.tail_lines = command, env, tail_lines
        self._lock = threading.Lock()
        self._child: ChildProcess | None = None
        self._running = False
        self._cancelled = False

    def start(self) -> None:
        """Start the child; one of the signals follows, from the job's thread."""
        self._running = True
        threading.Thread(target=self._run, daemon=True, name="process-job").start()

    def is_running(self) -> bool:
        """Whether the child has been started and has not been reported yet."""
        return self._running

    def cancel(self) -> None:
        """Kill the child (it is reaped by the job's thread) and report nothing more."""
        with self._lock:
            self._cancelled = True
            child = self._child
        if child is not None:
            child.kill()

    def _run(self) -> None:
        try:
            child = ChildProcess.start(self.command, self.env, self.tail_lines)
        except OSError as exc:
            self._report(self.sig_failed_to_start, str(exc))
            return
        with self._lock:
            self._child = child
            cancelled = self._cancelled
        if cancelled:
            child.end()
            return
        child.process.stdin.close()
        out = child.process.stdout.read()
        returncode = child.finish()
        self._report(self.sig_finished, returncode, out, "\n".join(child.stderr_tail))

    def _report(self, signal, *args) -> None:
        self._running = False
        if self._cancelled:
            return
        # From the job's thread: the receiver (and this object) may be gone by now.
        try:
            signal.emit(*args)
        except RuntimeError:
            pass
