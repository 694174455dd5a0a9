"""The thread boundary: each Run is a child process whose JSON events a QThread relays as signals.

A child process per run lets the app load Keras on a different backend for every run without a
restart (a process can hold one backend only), and keeps Keras, torch, TensorFlow and JAX out of
the GUI process altogether. The QThread only reads the child's stdout; widgets are touched by the
slots its signals reach, on the GUI thread.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from gui.processes import (  # noqa: F401 - PROJECT_ROOT is part of this module's interface
    PROJECT_ROOT,
    ChildProcess,
    ProcessJob,
    child_environment,
    main_command,
    module_command,
)
from study.config import StudyConfig
from study.protocol.backends import DeviceInfo
from study.protocol.events import Failed, StudyStarted, event_from_json
from study.protocol.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_STOPPED, EXIT_USAGE
from study.protocol.status import StudyStatus

# Long enough for a child still importing TensorFlow or JAX to reach its first stop check.
STOP_GRACE_SECONDS = 20.0


def study_command(config_path, out_root) -> list[str]:
    """The command line of one run's child process (events as JSON lines, stop via stdin)."""
    return main_command("study", "--config", config_path, "--events", "json",
                        "--stop-on-stdin", "--out", out_root)


def resume_command(folder) -> list[str]:
    """The command line of a child process continuing the stopped study in `folder`."""
    return main_command("study", "--resume", folder, "--events", "json", "--stop-on-stdin")


@dataclass(frozen=True)
class RunOutcome:
    """How a run's child process ended, with what a person needs to know about it."""

    returncode: int | None
    stderr_tail: str = ""
    stop_requested: bool = False
    killed: bool = False
    failed_message: str = ""
    folder: str = ""
    start_error: str = ""
    pid: int | None = None

    @property
    def state(self) -> StudyStatus:
        """FINISHED, STOPPED or FAILED (each equals its string)."""
        if self.start_error:
            return StudyStatus.FAILED
        if self.killed and self.stop_requested:
            return StudyStatus.STOPPED
        if self.returncode == EXIT_OK:
            return StudyStatus.STOPPED if self.stop_requested else StudyStatus.FINISHED
        if self.returncode == EXIT_STOPPED:
            return StudyStatus.STOPPED
        return StudyStatus.FAILED

    def error_text(self) -> str:
        """Why the run failed, in words (with the child's last stderr lines); '' if it did not."""
        if self.state != StudyStatus.FAILED:
            return ""
        if self.start_error:
            return f"The training process could not be started: {self.start_error}"
        code = self.returncode
        if code == EXIT_USAGE:
            return "The study could not start: " + (
                _error_line(self.stderr_tail) or self.failed_message or "bad settings or data"
            )
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            if -code == signal.SIGKILL:
                text = (f"The training process was killed ({name}). This is usually the system "
                        "running out of memory: try a smaller batch size, fewer networks or a "
                        "train limit.")
            else:
                text = f"The training process crashed ({name})."
        elif code == EXIT_FAILED and self.failed_message:
            text = f"Training failed: {self.failed_message}"
        else:
            text = f"The training process ended with exit status {code}."
            if self.failed_message:
                text += f"\n{self.failed_message}"
        if self.folder:
            text += f"\n\nEpochs completed before the failure are kept in {self.folder}."
        if self.stderr_tail.strip():
            text += "\n\nLast lines of its error output:\n" + self.stderr_tail.strip()
        return text


def _error_line(stderr_tail: str) -> str:
    lines = [line for line in stderr_tail.splitlines() if line.startswith("error: ")]
    return lines[-1][len("error: "):] if lines else ""


class StudyWorker(QThread):
    """Runs one study in a child process and relays its events; one instance per Run."""

    sig_event = Signal(object)
    sig_exited = Signal(object)

    def __init__(self, config: StudyConfig, out_root, parent: QObject | None = None,
                 resume_folder=None, warm=None):
        super().__init__(parent)
        self.config = config
        # A gui.warm_worker.WarmWorker kept ready for this backend: it is given the job, and a
        # fresh child is started only when it cannot take it. `pid`: the run's process.
        self.warm = warm
        self.pid: int | None = None
        self.used_warm = False
        # Absolute: the child starts in the project folder, the app lists from where it runs.
        self.out_root = Path(out_root).absolute()
        # A resumed study continues in its own folder with its own settings (`--resume`).
        self.resume_folder = None if resume_folder is None else Path(resume_folder)
        self._process: ChildProcess | None = None
        self._lock = threading.Lock()
        self._stop_requested = False
        self._killed = False
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self.kill)

    @property
    def stop_requested(self) -> bool:
        """Whether Stop was pressed for this run."""
        return self._stop_requested

    def run(self) -> None:
        """Thread body: run the child; whatever happens, report how it ended (sig_exited)."""
        try:
            self._run_child()
        except Exception as exc:  # noqa: BLE001 - the window must never wait forever
            self.kill()
            self.sig_exited.emit(RunOutcome(None, start_error=f"{type(exc).__name__}: {exc}"))

    def command(self, config_path) -> list[str]:
        """The child's command line: a new study from `config_path`, or the resume."""
        if self.resume_folder is not None:
            return resume_command(self.resume_folder)
        return study_command(config_path, self.out_root)

    def job(self, config_path) -> dict:
        """The same run as a warm worker's job (study/run/warm.py)."""
        if self.resume_folder is not None:
            return {"resume": str(self.resume_folder)}
        return {"config": str(config_path), "out": str(self.out_root)}

    def _start_child(self, config_path) -> ChildProcess:
        """The warm worker given this job when it takes it, else a fresh child (OSError if it
        cannot start)."""
        if self.warm is not None:
            adopted = self.warm.give_job(self.job(config_path))
            if adopted is not None:
                self.used_warm = True
                return adopted
        return ChildProcess.start(self.command(config_path),
                                  child_environment(self.config.backend))

    def _run_child(self) -> None:
        folder = failed = ""
        fd, config_path = tempfile.mkstemp(prefix="kernel-lab-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.config.to_json())
            try:
                process = self._start_child(config_path)
            except OSError as exc:
                self.sig_exited.emit(RunOutcome(None, start_error=str(exc)))
                return
            self.pid = process.pid
            with self._lock:
                self._process = process
                stop_now = self._stop_requested
            if stop_now:
                self._write_stop()
            for line in process.lines():
                try:
                    event = event_from_json(line)
                except ValueError:
                    process.stderr_tail.append(line)
                    continue
                if isinstance(event, StudyStarted):
                    folder = event.folder
                elif isinstance(event, Failed):
                    failed = event.message
                    folder = event.folder or folder
                self.sig_event.emit(event)
            returncode = process.finish()
        finally:
            Path(config_path).unlink(missing_ok=True)
        self.sig_exited.emit(RunOutcome(
            returncode, "\n".join(process.stderr_tail), self._stop_requested, self._killed,
            failed, folder, pid=self.pid,
        ))

    def request_stop(self, grace_seconds: float | None = None) -> None:
        """Ask the child to stop after its current batch; kill it if it has not ended in time."""
        if grace_seconds is None:
            grace_seconds = STOP_GRACE_SECONDS
        with self._lock:
            if self._stop_requested:
                return
            self._stop_requested = True
            started = self._process is not None
        if started:
            self._write_stop()
        self._kill_timer.start(int(grace_seconds * 1000))

    def kill(self) -> None:
        """End the child at once (used when it does not stop in time, or the app closes)."""
        with self._lock:
            process = self._process
        if process is not None and process.kill():
            self._killed = True

    def _write_stop(self) -> None:
        # A child that has already gone is reported by run().
        self._process.write_line("stop")


DEVICE_PROBE_MODULE = "study.run.device_probe"


class DeviceProbe(QObject):
    """Lists a backend's devices in a throwaway child process (importing a backend is slow)."""

    sig_devices = Signal(str, list)
    sig_failed = Signal(str, str)

    def __init__(self, backend: str, parent: QObject | None = None):
        super().__init__(parent)
        self.backend = backend
        self.job = ProcessJob(module_command(DEVICE_PROBE_MODULE, backend),
                              child_environment(backend), self)
        self.job.sig_finished.connect(self._on_finished)
        self.job.sig_failed_to_start.connect(self._on_failed_to_start)

    def start(self) -> None:
        """Start the probe; one of the signals follows."""
        self.job.start()

    def cancel(self) -> None:
        """Kill the probe's child; no signal follows."""
        self.job.cancel()

    @Slot(str)
    def _on_failed_to_start(self, _reason: str) -> None:
        self.sig_failed.emit(self.backend, "could not start Python to list the devices")

    @Slot(int, str, str)
    def _on_finished(self, exit_code: int, out: str, err: str) -> None:
        try:
            rows = json.loads(out.strip().splitlines()[-1])
            devices = [DeviceInfo(str(name), str(description)) for name, description in rows]
        except (IndexError, ValueError, TypeError):
            last = err.strip().splitlines()[-1] if err.strip() else f"exit status {exit_code}"
            last = last.removeprefix("error: ")
            self.sig_failed.emit(self.backend, f"could not list the devices of "
                                               f"{self.backend}: {last}")
            return
        self.sig_devices.emit(self.backend, devices)
