"""A study process started before Run is pressed (study/run/warm.py), so a Run skips importing
Keras and the backend and loading the data.

The window keeps at most one, for the backend chosen in the setup: started a few seconds after
the window is shown or a run has ended, replaced when the backend changes, closed with the
window. Run hands it the job (gui.worker.StudyWorker writes one JSON line to its stdin and reads
its events from then on); a worker that is not ready, or has died, is passed over silently and
the run starts a fresh child as before. Nothing here waits on the GUI thread: starting the
process and reading its ready line happen on a Python thread, closing it on another.
"""

from __future__ import annotations

import json
import os
import threading

from PySide6.QtCore import QObject, QSettings, QTimer, Signal, Slot

from gui.processes import ChildProcess, child_environment, main_command
from study.protocol.events import WorkerReady, event_from_json

# The QSettings key of Study › Keep a worker ready (default on), and the environment switch
# that overrides it ("off": never; the test suite sets it so that its windows start none).
SETTINGS_WARM = "study/keep_worker_ready"
WARM_ENV = "KERNEL_LAB_WARM_WORKER"
# How long the window waits, idle, before starting one (ms).
WARM_DELAY_MS = 3000
# How long a closed worker may take to leave on its own before it is killed (s).
CLOSE_GRACE_SECONDS = 5.0


def warm_command(backend: str, data: str | None = None) -> list[str]:
    """The command line of a warm worker for `backend` (preloading `data`: None = default)."""
    extra = ["--data", data] if data else []
    return main_command("study", "--warm-start", "--backend", backend, *extra,
                        "--events", "json", "--stop-on-stdin")


class WarmWorker(QObject):
    """One pre-started `study --warm-start` process for `backend`."""

    sig_ready = Signal(int)  # its pid
    sig_gone = Signal()  # it could not start or died before it was ready

    def __init__(self, backend: str, data: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.backend = backend
        self.data = data
        self._lock = threading.Lock()
        self._process: ChildProcess | None = None
        self._ready = False
        self._taken = False
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The process id (None before it has started)."""
        with self._lock:
            return None if self._process is None else self._process.pid

    @property
    def ready(self) -> bool:
        """Whether it has reported WorkerReady, is still there and has no job yet."""
        with self._lock:
            process = self._process if self._ready and not self._taken and not self._closed \
                else None
        return process is not None and process.running()

    def start(self) -> None:
        """Start the process and wait for its ready line, on a thread of its own."""
        threading.Thread(target=self._start_and_wait, daemon=True,
                         name=f"warm-worker-{self.backend}").start()

    def _start_and_wait(self) -> None:
        try:
            process = ChildProcess.start(warm_command(self.backend, self.data),
                                         child_environment(self.backend))
        except OSError:
            self._emit(self.sig_gone)
            return
        with self._lock:
            closed = self._closed
            if not closed:
                self._process = process
        if closed:
            process.end()
            return
        try:
            event = event_from_json(process.readline().strip())
        except (OSError, ValueError):
            event = None
        with self._lock:
            closed = self._closed
            self._ready = isinstance(event, WorkerReady) and not closed
        if closed:
            return
        if self._ready:
            self._emit(self.sig_ready, process.pid)
        else:
            self.close()
            self._emit(self.sig_gone)

    def _emit(self, signal, *args) -> None:
        # From this worker's thread: the window (and this object) may be gone by now.
        try:
            signal.emit(*args)
        except RuntimeError:
            pass

    def give_job(self, job: dict) -> ChildProcess | None:
        """Hand it one job (from the run's thread): the process, whose stdout now carries that
        study's events; None when it is not ready or has died (it is then ended, and the run
        starts a fresh child)."""
        with self._lock:
            process = self._process if self._ready and not self._taken and not self._closed \
                else None
            if process is None:
                return None
            self._taken = True
        if not process.write_line(json.dumps(job)):
            process.end()
            return None
        return process

    def close(self, wait: bool = False) -> None:
        """End it unless it has a job: at once and reaped when `wait` (the window closes),
        else on a thread of its own after a short grace."""
        with self._lock:
            self._closed = True
            process = None if self._taken else self._process
        if process is None:
            return
        if wait:
            process.end()
        else:
            threading.Thread(target=process.end, args=(CLOSE_GRACE_SECONDS,),
                             daemon=True).start()


class WarmKeeper(QObject):
    """The window's one warm worker: for the backend chosen now, started when the window has
    been idle a moment, handed to Run, replaced when the backend changes, closed with the window.

    `backend`, `data` and `busy` are callables reading the window: the setup's backend and data
    setting, and whether a run is going (no worker is started during a run)."""

    sig_ready = Signal(str, int)  # backend, pid

    def __init__(self, settings: QSettings, backend, data, busy, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self._backend, self._data, self._busy = backend, data, busy
        self.worker: WarmWorker | None = None
        self.delay_ms = WARM_DELAY_MS
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.start_now)
        self._shut = False

    # ----- the setting ------------------------------------------------------------------------
    def setting_on(self) -> bool:
        """Study › Keep a worker ready (QSettings, default on)."""
        return self.settings.value(SETTINGS_WARM, True) not in (False, "false", "0", 0)

    def enabled(self) -> bool:
        """The setting, unless the environment says KERNEL_LAB_WARM_WORKER=off."""
        if os.environ.get(WARM_ENV, "").strip().lower() in {"off", "0", "no", "false"}:
            return False
        return self.setting_on()

    def set_enabled(self, on: bool) -> None:
        """Switch it on (a worker follows shortly) or off (the worker kept is closed)."""
        self.settings.setValue(SETTINGS_WARM, bool(on))
        if on:
            self.schedule()
        else:
            self._timer.stop()
            self.discard()

    # ----- keeping one ------------------------------------------------------------------------
    def schedule(self) -> None:
        """Start one after the idle delay (window shown, run ended, backend changed)."""
        if not self._shut and self.enabled():
            self._timer.start(self.delay_ms)

    def start_now(self) -> None:
        """Start a worker for the current backend unless one is kept already, a run is going,
        or it is switched off."""
        if self._shut or not self.enabled() or self._busy():
            return
        backend = self._backend()
        if not backend:
            return
        if self.worker is not None and self.worker.backend == backend:
            return
        self.discard()
        data = self._data() or None
        worker = WarmWorker(backend, data, self)
        # Bound slots of this object (not lambdas): the signals come from the worker's thread
        # and are queued to the GUI thread.
        worker.sig_ready.connect(self._on_ready)
        worker.sig_gone.connect(self._on_gone)
        self.worker = worker
        worker.start()

    @Slot(int)
    def _on_ready(self, pid: int) -> None:
        worker = self.worker
        if worker is not None and worker.pid == pid:
            self.sig_ready.emit(worker.backend, pid)

    @Slot()
    def _on_gone(self) -> None:
        if self.worker is not None and self.sender() is self.worker:
            self.worker = None  # not started again at once: the next run's end tries again

    def backend_changed(self, backend: str) -> None:
        """The setup's backend changed: the worker kept for another backend is closed."""
        if self.worker is not None and self.worker.backend != backend:
            self.discard()
        self.schedule()

    def take(self, backend: str) -> WarmWorker | None:
        """The worker for `backend` if it is ready (it is no longer kept: the run owns it);
        None otherwise (the run starts a fresh child)."""
        worker = self.worker
        if worker is None or worker.backend != backend or not worker.ready:
            return None
        self.worker = None
        return worker

    def discard(self) -> None:
        """Close the worker kept, if any (on its own thread)."""
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.close()

    def shut(self) -> None:
        """The window closes: end the worker kept now, reaped, and start no other."""
        self._shut = True
        self._timer.stop()
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.close(wait=True)
